import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../definitions/local-services.js';
import { tables } from '../../../definitions/resources.js';
import { toIso } from '../../../functions/domain/time.js';
import { readAsGlueSource } from '../../../glue/local-engine/glue-source.js';
import {
  BatchLog,
  type BatchPlan,
  createLocalGlueEngine,
  type LocalGlueEngine,
} from '../../../glue/local-engine/index.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';
import { loadCatalogue } from '../../../simulator/catalogue-loader.js';
import { REPO_ROOT, requireGluePython, runsPythonSuites, warnSkipped } from '../../helpers/glue-python.js';
import { batchOf, recordRun } from '../../helpers/glue-runs.js';
import { createScratchStream } from '../../helpers/kinesis-batches.js';
import { scanAll, useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';
import { readWholeStream, type StreamRecord } from '../../helpers/stream-records.js';

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

interface SparkBatchResult {
  readonly batch_id: number;
  readonly window_start: string;
  readonly records: number;
  readonly events: number;
  readonly rejected: number;
  readonly rows: number;
}

const batches: {
  plan: BatchPlan;
  records: StreamRecord[];
  result: SparkBatchResult;
  /** The frame's rows, as Spark's JSON reader parsed each record (in `records` order). */
  shapes: Record<string, unknown>[];
}[] = [];
let tableNames: Record<'products' | 'orders' | 'aggregates', string>;
let sparkAggregates: string;
let streamName: string;
let engine: LocalGlueEngine;
let clockMs = start;

function runPython(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { python } = requireGluePython();
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_REGION: LOCAL_REGION,
        PYTHONDONTWRITEBYTECODE: '1',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the batch the DuckDB engine just committed through the job's batch logic on Spark. */
async function runOnSpark(plan: BatchPlan): Promise<void> {
  const records = (await readWholeStream(clients.kinesis, streamName)).filter(
    (record) => batchOf([plan], record) !== undefined,
  );
  const base = join(dir, `batch-${plan.batchId}`);
  writeFileSync(
    `${base}.jsonl`,
    records.map((record) => JSON.stringify({ data: record.data, arrivedAtMs: record.arrivedAtMs })).join('\n'),
  );
  // The window is the one DuckDB's planner chose: the plan store holds it as this batch's, as a re-run
  // of the batch would find it, so both engines aggregate the same records into the same window.
  const planDir = join(dir, 'plans');
  const sparkPlan = JSON.stringify({
    batch_id: plan.batchId,
    window_start: plan.windowStart,
    window_end: plan.windowEnd,
  });
  rmSync(planDir, { recursive: true, force: true });
  mkdirSync(planDir, { recursive: true });
  writeFileSync(join(planDir, `${plan.batchId}.json`), sparkPlan);
  const spec = {
    records: `${base}.jsonl`,
    batchId: plan.batchId,
    planDir,
    windowMs: MINUTE,
    dynamodbEndpoint: endpoints.dynamodb,
    region: LOCAL_REGION,
    tables: { products: tableNames.products, orders: tableNames.orders, aggregates: sparkAggregates },
    aggregatesRetentionDays: tables.aggregates.ttl.retentionDays,
    shapesOut: `${base}.shapes.jsonl`,
  };
  writeFileSync(`${base}.spec.json`, JSON.stringify(spec));
  const run = await runPython(['glue/spark_local/run_batch.py', `${base}.spec.json`]);
  if (run.code !== 0) {
    // The JVM's stack frames say little; Python's traceback and Spark's messages say what failed.
    const said = run.stderr.split('\n').filter((line) => !/^\s+at /.test(line));
    throw new Error(`run_batch.py exited ${run.code}:\n${said.join('\n').slice(-6000)}`);
  }
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? 'null') as SparkBatchResult;
  const shapes = readFileSync(`${base}.shapes.jsonl`, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  batches.push({ plan, records, result, shapes });
}

beforeAll(async () => {
  if (!runsPythonSuites) return;
  requireGluePython();
  [tableNames, streamName] = await Promise.all([
    createScratchTables(clients.dynamodb, ['products', 'orders', 'aggregates']),
    createScratchStream(clients.kinesis, 2),
  ]);
  sparkAggregates = (await createScratchTables(clients.dynamodb, ['aggregates'])).aggregates;
  const products = generateCatalogue(toIso(Date.now()), { productCount: 60 });
  await loadCatalogue(clients.documentClient, tableNames.products, products);
  engine = await createLocalGlueEngine({
    clients,
    tableNames,
    streamName,
    stateDir: join(dir, 'state'),
    clock: () => clockMs,
    productsRefreshSeconds: 0,
  });
  const target = { clients, streamName, tableNames, dir };
  // Each run, then its batch in DuckDB, then the same batch on Spark, before the next run changes the stock.
  for (const [index, [scenario, seed]] of (
    [
      ['bad-events', 7],
      ['bot-attack', 8],
    ] as const
  ).entries()) {
    await recordRun(target, scenario, seed, start + index * MINUTE, scenario === 'bad-events' ? 30 : 40);
    clockMs = start + (index + 1) * MINUTE;
    await engine.runOnce();
    const plan = (await new BatchLog(engine.stateDir).plans()).at(-1) as BatchPlan;
    await runOnSpark(plan);
  }
}, 240_000);

afterAll(async () => {
  await engine?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** An aggregates table's items, in key order. */
async function items(table: string): Promise<Record<string, unknown>[]> {
  const all = await scanAll(clients.documentClient, table);
  return all.sort((a, b) => `${a.productId}#${a.windowStart}`.localeCompare(`${b.productId}#${b.windowStart}`));
}

describe.runIf(runsPythonSuites)('the Glue job’s batch logic on Spark 3.3, beside the DuckDB engine', () => {
  it('writes the same aggregates items as DuckDB for each recorded batch (bad-events, bot-attack)', async () => {
    const duckdb = await items(tableNames.aggregates);
    const spark = await items(sparkAggregates);

    expect(batches.map(({ plan }) => plan.windowStart)).toEqual([toIso(start), toIso(start + MINUTE)]);
    for (const { plan } of batches) {
      expect(duckdb.filter((item) => item.windowStart === plan.windowStart).length).toBeGreaterThan(10);
    }
    expect(spark).toEqual(duckdb);
  });

  it('reads, accepts and rejects as many records per batch as the DuckDB engine committed', async () => {
    const commits = await new BatchLog(engine.stateDir).commits();

    expect(batches.map(({ result }) => result.window_start)).toEqual(commits.map((commit) => commit.windowStart));
    expect(batches.map(({ result }) => [result.records, result.events, result.rejected, result.rows])).toEqual(
      commits.map((commit) => [
        commit.recordsRead,
        commit.eventsAggregated,
        commit.recordsRejected,
        commit.rowsWritten,
      ]),
    );
    expect(batches.reduce((sum, { result }) => sum + result.rejected, 0)).toBeGreaterThan(50);
  });

  it('reads every record into the same columns as the DuckDB engine’s reading of Glue’s source', () => {
    for (const { records, shapes } of batches) {
      expect(shapes).toHaveLength(records.length);
      expect(shapes).toEqual(records.map((record) => readAsGlueSource(record.data)));
    }
  });
});
