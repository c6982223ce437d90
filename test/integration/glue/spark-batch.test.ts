import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toIso } from '../../../functions/domain/time.js';
import { readAsGlueSource } from '../../../glue/local-engine/glue-source.js';
import { BatchLog, createLocalGlueEngine, type LocalGlueEngine } from '../../../glue/local-engine/index.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';
import { loadCatalogue } from '../../../simulator/catalogue-loader.js';
import { requireGluePython, runsPythonSuites, warnSkipped } from '../../helpers/glue-python.js';
import { batchOf, recordRun } from '../../helpers/glue-runs.js';
import { createScratchStream } from '../../helpers/kinesis-batches.js';
import { scanAll, useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';
import { readWholeStream } from '../../helpers/stream-records.js';

/**
 * The Glue job's own batch logic (glue/job/clickprice/batch.py) executed by real Spark 3.3 in
 * local[2], against DynamoDB Local, on the recorded `bad-events` and `bot-attack` runs the DuckDB
 * engine aggregates: each batch's records, in the frame Glue's Kinesis source gives the job, must give
 * the very aggregates items DuckDB wrote for the same window, key for key and value for value.
 */
warnSkipped('spark-batch');

const { clients, endpoints } = useLocalStack();
const dir = mkdtempSync(join(tmpdir(), 'clickprice-spark-it-'));
const MINUTE = 60_000;
const start = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;

let tableNames: Record<'products' | 'orders' | 'aggregates' | 'pricingConfig', string>;
let sparkAggregates: string;
let streamName: string;
let duckdb: LocalGlueEngine;
let spark: LocalGlueEngine;
let clockMs = start;
const shapesDir = join(dir, 'shapes');

beforeAll(async () => {
  if (!runsPythonSuites) return;
  const { python } = requireGluePython();
  [tableNames, streamName] = await Promise.all([
    createScratchTables(clients.dynamodb, ['products', 'orders', 'aggregates', 'pricingConfig']),
    createScratchStream(clients.kinesis, 2),
  ]);
  sparkAggregates = (await createScratchTables(clients.dynamodb, ['aggregates'])).aggregates;
  const products = generateCatalogue(toIso(Date.now()), { productCount: 60 });
  await loadCatalogue(clients.documentClient, tableNames.products, products);
  // Two engines over the same stream with the same pinned clock: their planners cut the same batches.
  const common = { clients, streamName, clock: () => clockMs, productsRefreshSeconds: 0 };
  mkdirSync(shapesDir, { recursive: true });
  [duckdb, spark] = await Promise.all([
    createLocalGlueEngine({ ...common, tableNames, stateDir: join(dir, 'duckdb') }),
    createLocalGlueEngine({
      ...common,
      tableNames: { ...tableNames, aggregates: sparkAggregates },
      stateDir: join(dir, 'spark'),
      engine: { name: 'spark', python, dynamodbEndpoint: endpoints.dynamodb, shapesDir },
    }),
  ]);
  const target = { clients, streamName, tableNames, dir };
  // Each run, then its batch in both engines, before the next run changes the stock they read.
  for (const [index, [scenario, seed]] of (
    [
      ['bad-events', 7],
      ['bot-attack', 8],
    ] as const
  ).entries()) {
    await recordRun(target, scenario, seed, start + index * MINUTE, scenario === 'bad-events' ? 30 : 40);
    clockMs = start + (index + 1) * MINUTE;
    await duckdb.runOnce();
    await spark.runOnce();
  }
}, 240_000);

afterAll(async () => {
  await Promise.all([duckdb?.stop(), spark?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

/** An aggregates table's items, in key order. */
async function items(table: string): Promise<Record<string, unknown>[]> {
  const all = await scanAll(clients.documentClient, table);
  return all.sort((a, b) => `${a.productId}#${a.windowStart}`.localeCompare(`${b.productId}#${b.windowStart}`));
}

describe.runIf(runsPythonSuites)('the Glue job’s batch logic on Spark 3.3, beside the DuckDB engine', () => {
  it('writes the same aggregates items as DuckDB for each recorded batch (bad-events, bot-attack)', async () => {
    const fromDuckdb = await items(tableNames.aggregates);
    const fromSpark = await items(sparkAggregates);
    const plans = await new BatchLog(duckdb.stateDir).plans();

    expect(spark.engineName).toBe('spark');
    expect(plans.map((plan) => plan.windowStart)).toEqual([toIso(start), toIso(start + MINUTE)]);
    for (const plan of plans) {
      expect(fromDuckdb.filter((item) => item.windowStart === plan.windowStart).length).toBeGreaterThan(10);
    }
    expect(fromSpark).toEqual(fromDuckdb);
  });

  it('cuts the same batches, and reads, accepts and rejects as many records in each', async () => {
    const counts = async (engine: LocalGlueEngine) =>
      (await new BatchLog(engine.stateDir).commits()).map(({ committedAt: _at, ...commit }) => commit);

    const cuts = async (engine: LocalGlueEngine) =>
      (await new BatchLog(engine.stateDir).plans()).map(({ plannedAt: _at, ...plan }) => plan);

    expect(await cuts(spark)).toEqual(await cuts(duckdb));
    expect(await counts(spark)).toEqual(await counts(duckdb));
    expect(spark.stats().recordsRejected).toBeGreaterThan(50);
  });

  it('reads every record into the same columns as the DuckDB engine’s reading of Glue’s source', async () => {
    const plans = await new BatchLog(spark.stateDir).plans();
    const stream = await readWholeStream(clients.kinesis, streamName);
    for (const plan of plans) {
      const records = stream.filter((record) => batchOf([plan], record) !== undefined);
      const shapes = readFileSync(join(shapesDir, `${plan.batchId}.shapes.jsonl`), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);

      expect(records.length).toBeGreaterThan(100);
      expect(sortById(shapes)).toEqual(sortById(records.map((record) => readAsGlueSource(record.data))));
    }
  });
});

/** Rows in a stable order (the worker's order follows the engine's reading, shard by shard). */
function sortById(rows: readonly Record<string, unknown>[]): string[] {
  return rows.map((row) => JSON.stringify(row)).sort();
}
