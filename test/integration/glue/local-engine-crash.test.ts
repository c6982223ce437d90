import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAM_ENV_VAR, tableEnvVar, tables } from '../../../definitions/resources.js';
import { toIso } from '../../../functions/domain/time.js';
import { BatchLog } from '../../../glue/local-engine/index.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';
import { loadCatalogue } from '../../../simulator/catalogue-loader.js';
import type { RecordedLine } from '../../../simulator/recording.js';
import { requireGluePython, runsPythonSuites, warnSkipped } from '../../helpers/glue-python.js';
import { recordRun } from '../../helpers/glue-runs.js';
import { createScratchStream } from '../../helpers/kinesis-batches.js';
import { scanAll, useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';
import { type CatalogueEntry, type RecountEvent, recountWindow, richPathReads } from '../../helpers/window-recount.js';

const { clients, endpoints } = useLocalStack();
const dir = mkdtempSync(join(tmpdir(), 'clickprice-glue-crash-'));
// DuckDB always; Spark (the Glue job's own PySpark batch logic) where .venv-glue/ is, and always under CI.
const ENGINES = ['duckdb', ...(runsPythonSuites ? (['spark'] as const) : [])] as const;
warnSkipped('local-engine-crash, spark');

let tableNames: Record<'products' | 'orders' | 'pricingConfig', string>;
let streamName: string;
let catalogue: Map<string, CatalogueEntry>;
let recording: RecordedLine[];

interface EngineRun {
  readonly engine: (typeof ENGINES)[number];
  readonly stateDir: string;
  readonly aggregatesTable: string;
}

/** Runs the engine CLI for one batch; resolves with how it ended and what it printed. */
function runEngine({ engine, stateDir, aggregatesTable }: EngineRun, crashAfter?: 'plan-written' | 'rows-written') {
  const args = ['--once', '--state-dir', stateDir, '--window-seconds', '1', '--engine', engine];
  const child = spawn(process.execPath, ['--import', 'tsx', 'glue/local-engine/main.ts', ...args], {
    env: {
      ...process.env,
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_KINESIS: endpoints.kinesis,
      [STREAM_ENV_VAR]: streamName,
      [tableEnvVar(tables.products)]: tableNames.products,
      [tableEnvVar(tables.orders)]: tableNames.orders,
      [tableEnvVar(tables.aggregates)]: aggregatesTable,
      [tableEnvVar(tables.pricingConfig)]: tableNames.pricingConfig,
      ...(crashAfter ? { CLICKPRICE_GLUE_CRASH_AFTER: crashAfter } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

async function aggregateRows(table: string): Promise<Record<string, unknown>[]> {
  const rows = await scanAll(clients.documentClient, table);
  return rows.sort((a, b) => String(a.productId).localeCompare(String(b.productId)));
}

/**
 * Overwrites each row with a sentinel (views -1, a marker attribute): a restart must replace it whole.
 * A restart that wrote nothing would leave it, and one that added to what it found would keep the -1.
 */
async function spoil(table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
  for (let start = 0; start < rows.length; start += 25) {
    const requests = rows
      .slice(start, start + 25)
      .map((row) => ({ PutRequest: { Item: { ...row, views: -1, leftByTheKilledRun: true } } }));
    await clients.documentClient.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
  }
}

beforeAll(async () => {
  [tableNames, streamName] = await Promise.all([
    createScratchTables(clients.dynamodb, ['products', 'orders', 'pricingConfig']),
    createScratchStream(clients.kinesis, 2),
  ]);
  const products = generateCatalogue(toIso(Date.now()), { productCount: 40 });
  await loadCatalogue(clients.documentClient, tableNames.products, products);
  const run = await recordRun({ clients, streamName, tableNames, dir }, 'bad-events', 11, Date.now(), 20);
  recording = run.recording;
  // As the batch reads it: the run's orders and deliveries changed the stock.
  catalogue = run.catalogue;
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(ENGINES)('the local Glue engine (%s) killed mid-batch', (engine) => {
  it('re-runs the planned batch after SIGKILL and writes the same rows, keys and values, as the interrupted run', async () => {
    if (engine === 'spark') requireGluePython();
    const run: EngineRun = {
      engine,
      stateDir: join(dir, `state-${engine}`),
      aggregatesTable: (await createScratchTables(clients.dynamodb, ['aggregates'])).aggregates,
    };
    const log = new BatchLog(run.stateDir);
    const aggregateRowsOfRun = () => aggregateRows(run.aggregatesTable);

    // Killed once the plan is durable, before any effect: a plan, no commit, no rows. That point is the
    // planner's, before either engine aggregates anything, so Spark skips it (a Spark start takes 30 s
    // or more of a busy CI) and plans on its first run.
    if (engine === 'duckdb') {
      const first = await runEngine(run, 'plan-written');
      expect(first.signal).toBe('SIGKILL');
      expect((await log.plans()).map(({ batchId }) => batchId)).toEqual([0]);
      expect(await log.commits()).toEqual([]);
      expect(await aggregateRowsOfRun()).toEqual([]);
    }
    const plansBefore = await log.plans();

    // Restarted (or first run), the plan runs and is killed after its rows are written, before its commit.
    const second = await runEngine(run, 'rows-written');
    const interrupted = await aggregateRowsOfRun();
    const plans = await log.plans();
    const [plan] = plans;
    expect(second.signal).toBe('SIGKILL');
    // One plan, batch 0: for DuckDB, the very one its killed run wrote.
    expect(plans).toEqual(engine === 'duckdb' ? plansBefore : [expect.objectContaining({ batchId: 0 })]);
    expect(await log.commits()).toEqual([]);
    expect(interrupted.length).toBeGreaterThan(10);

    // The rows left behind are spoiled, so that what the restart writes is seen, over what it finds.
    await spoil(run.aggregatesTable, interrupted);
    const third = await runEngine(run);
    const result = JSON.parse(third.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    const rerun = await aggregateRowsOfRun();

    expect(third.code, third.stderr).toBe(0);
    expect(result).toMatchObject({ batchId: 0, rerun: true, recordsRead: recording.length });
    expect(await log.plans()).toEqual([plan]);
    expect((await log.commits()).map((commit) => commit.batchId)).toEqual([0]);
    expect(rerun).toEqual(interrupted);

    // And the rows equal an independent recount of everything sent: nothing lost, nothing twice.
    const events = recording
      .filter((line) => richPathReads(line.kind, line.data))
      .map((line) => JSON.parse(line.data) as RecountEvent);
    const orders = recording.flatMap((line) => (line.order ? [line.order] : []));
    if (plan === undefined) throw new Error('no plan');
    const { rows: expected } = recountWindow(plan, events, orders, catalogue);
    expect(rerun.map(({ expiresAt: _ttl, ...row }) => row)).toEqual(expected);
  }, 240_000);
});
