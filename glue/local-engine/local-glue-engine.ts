/**
 * The local stand-in for the Glue streaming job: the same micro-batch loop (one batch per window),
 * the same reading of a record (glue-source.ts: Glue's parsed columns, then the click rules), the same
 * SQL file (in DuckDB instead of Spark), the same orders query and the same aggregates writes. Like
 * the job, it quarantines nothing: it sees what Glue's source shows, and the fast path, which reads
 * the same stream's bytes, quarantines every bad record once. The planner (batch-planner.ts) decides each batch's window and records and makes the plan
 * durable; this runner then has its effects and commits it (batch-log.ts), so a crash re-runs
 * exactly the interrupted batch and its Puts land on the same keys.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { toEpochMs, toIso } from '../../functions/domain/time.js';
import { AggregatesStore } from '../../functions/store/aggregates-store.js';
import { OrdersStore } from '../../functions/store/orders-store.js';
import type { TableNames } from '../../functions/store/table-names.js';
import { readWindowConfig } from '../window-config.js';
import { type BatchCommit, BatchLog, type BatchPlan } from './batch-log.js';
import { BatchPlanner } from './batch-planner.js';
import { DuckDbWindowAggregator, type WindowClick, type WindowProduct } from './duckdb-window-aggregator.js';
import { clickOfGlueRow, readAsGlueSource } from './glue-source.js';
import type { ShardRecord } from './shard-reader.js';

/** Points at which the crash test makes the engine kill itself, so a restart meets a known state. */
export const CRASH_POINTS = ['plan-written', 'rows-written'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export interface EngineLogger {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

const silent: EngineLogger = { info() {}, warn() {}, error() {} };

export interface LocalGlueEngineOptions {
  readonly clients: { readonly kinesis: KinesisClient; readonly documentClient: DynamoDBDocumentClient };
  readonly tableNames: Pick<TableNames, 'products' | 'orders' | 'aggregates'>;
  readonly streamName: string;
  /** Where the offset and commit logs live (e.g. `<data-dir>/glue-local`). @default a temporary directory, removed on stop */
  readonly stateDir?: string;
  /** @default windowSizeSeconds of glue/window-config.json */
  readonly windowSizeSeconds?: number;
  /** How often the cached catalogue is re-read; between reads, windows use the cached copy. @default 60 */
  readonly productsRefreshSeconds?: number;
  /** @default silent */
  readonly logger?: EngineLogger;
  /** Wall clock deciding which window has closed; tests pin it. @default Date.now */
  readonly clock?: () => number;
  /** Kill the process (SIGKILL) at this point of the first batch: for the crash test only. */
  readonly crashAfter?: CrashPoint;
}

/** What one batch did. */
export interface BatchResult extends BatchCommit {
  /** True when this was a planned-but-uncommitted batch found on start, run again. */
  readonly rerun: boolean;
  /** Milliseconds from the window's end to its rows being written. */
  readonly windowCloseToRowsMs: number;
  /** Milliseconds from the batch's start (plan) to its commit. */
  readonly batchMs: number;
  /** Where batchMs went: reading the stream, reading the records, orders + catalogue, SQL, writes. */
  readonly phasesMs: { read: number; parse: number; lookups: number; sql: number; write: number };
}

export interface LocalGlueEngineStats {
  readonly batchesCommitted: number;
  readonly batchesRerun: number;
  readonly recordsRead: number;
  readonly eventsAggregated: number;
  readonly recordsRejected: number;
  readonly rowsWritten: number;
  readonly productsRefreshes: number;
  readonly lastBatch: BatchResult | null;
}

export interface LocalGlueEngine {
  readonly stateDir: string;
  /** Runs one batch: an uncommitted plan first, else the next window once it has closed. */
  runOnce(): Promise<BatchResult>;
  /** Resolves after a batch planned after this call is committed: everything on the stream now is aggregated. */
  waitForIdle(timeoutMs?: number): Promise<void>;
  stats(): LocalGlueEngineStats;
  /** Stops after the batch in flight (if any); safe to call more than once. */
  stop(): Promise<void>;
}

/** Reads a batch's records as the Glue job does: the clicks the rules accept, and how many they rejected. */
function readRecords(records: readonly ShardRecord[]): { clicks: WindowClick[]; rejected: number } {
  const clicks: WindowClick[] = [];
  for (const record of records) {
    const click = clickOfGlueRow(readAsGlueSource(record.data));
    if (click === null) continue;
    const { eventId, sessionId, eventType, productId, quantity, eventTime } = click;
    clicks.push({ eventId, sessionId, eventType, productId, quantity, eventTime });
  }
  return { clicks, rejected: records.length - clicks.length };
}

async function scanProducts(client: DynamoDBDocumentClient, tableName: string): Promise<WindowProduct[]> {
  const products: WindowProduct[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        ProjectionExpression: 'productId, category, inventory, price',
        ExclusiveStartKey: startKey,
      }),
    );
    products.push(...((page.Items ?? []) as WindowProduct[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return products;
}

function crash(point: CrashPoint, configured: CrashPoint | undefined): void {
  if (point === configured) process.kill(process.pid, 'SIGKILL');
}

/** Builds an engine without starting its loop: tests drive it with runOnce. */
export async function createLocalGlueEngine(options: LocalGlueEngineOptions): Promise<LocalGlueEngine> {
  const { clients, tableNames, streamName } = options;
  const windowMs = (options.windowSizeSeconds ?? readWindowConfig().windowSizeSeconds) * 1_000;
  const refreshMs = (options.productsRefreshSeconds ?? 60) * 1_000;
  const logger = options.logger ?? silent;
  const clock = options.clock ?? Date.now;
  const temporaryDir = options.stateDir === undefined ? await mkdtemp(join(tmpdir(), 'clickprice-glue-')) : null;
  const stateDir = options.stateDir ?? (temporaryDir as string);
  const log = new BatchLog(stateDir);
  const aggregator = await DuckDbWindowAggregator.create();
  const ordersStore = new OrdersStore(clients.documentClient, tableNames.orders);
  const aggregatesStore = new AggregatesStore(clients.documentClient, tableNames.aggregates);
  const stopping = new AbortController();

  const latest = await log.latest();
  const planner = new BatchPlanner(
    { kinesis: clients.kinesis, streamName, log, windowMs, clock, signal: stopping.signal },
    latest?.plan,
  );
  let pending: BatchPlan | undefined = latest && !latest.committed ? latest.plan : undefined;
  let productsReadAt: number | null = null;
  let crashAfter = options.crashAfter;
  let inFlight: Promise<BatchResult> | null = null;
  const commitListeners: ((plan: BatchPlan) => void)[] = [];
  const counters = {
    batchesCommitted: 0,
    batchesRerun: 0,
    recordsRead: 0,
    eventsAggregated: 0,
    recordsRejected: 0,
    rowsWritten: 0,
    productsRefreshes: 0,
  };
  let lastBatch: BatchResult | null = null;
  if (pending) logger.warn('glue-local: re-running an uncommitted batch', { batchId: pending.batchId });

  async function refreshProductsIfDue(): Promise<void> {
    const now = performance.now();
    if (productsReadAt !== null && now - productsReadAt < refreshMs) return;
    await aggregator.replaceProducts(await scanProducts(clients.documentClient, tableNames.products));
    productsReadAt = now;
    counters.productsRefreshes += 1;
  }

  async function runBatch(): Promise<BatchResult> {
    const startedAt = performance.now();
    const rerun = pending !== undefined;
    const { plan, records } = pending ? await planner.readPlanned(pending) : await planner.planNext();
    const marks = [performance.now()];
    pending = plan;
    crash('plan-written', crashAfter);

    const { clicks, rejected } = readRecords(records);
    marks.push(performance.now());
    const [orders] = await Promise.all([
      ordersStore.queryWindow(plan.windowStart, plan.windowEnd),
      refreshProductsIfDue(),
    ]);
    marks.push(performance.now());
    const rows = await aggregator.aggregate(plan, clicks, orders);
    marks.push(performance.now());
    await aggregatesStore.putAll(rows);
    marks.push(performance.now());
    const windowCloseToRowsMs = Date.now() - toEpochMs(plan.windowEnd);
    crash('rows-written', crashAfter);

    const commit: BatchCommit = {
      version: 1,
      batchId: plan.batchId,
      windowStart: plan.windowStart,
      recordsRead: records.length,
      eventsAggregated: clicks.length,
      recordsRejected: rejected,
      ordersRead: orders.length,
      rowsWritten: rows.length,
      committedAt: toIso(Date.now()),
    };
    await log.writeCommit(commit);
    pending = undefined;
    crashAfter = undefined;

    counters.batchesCommitted += 1;
    if (rerun) counters.batchesRerun += 1;
    counters.recordsRead += records.length;
    counters.eventsAggregated += clicks.length;
    counters.recordsRejected += rejected;
    counters.rowsWritten += rows.length;
    const [readDone = 0, parsed = 0, looked = 0, aggregated = 0, written = 0] = marks;
    const phasesMs = {
      read: Math.round(readDone - startedAt),
      parse: Math.round(parsed - readDone),
      lookups: Math.round(looked - parsed),
      sql: Math.round(aggregated - looked),
      write: Math.round(written - aggregated),
    };
    lastBatch = { ...commit, rerun, windowCloseToRowsMs, batchMs: performance.now() - startedAt, phasesMs };
    logger.info('glue-local: batch committed', { ...lastBatch });
    for (const listener of commitListeners.splice(0)) listener(plan);
    return lastBatch;
  }

  const engine: LocalGlueEngine = {
    stateDir,
    runOnce() {
      // One batch at a time: a second caller waits for the first, then runs the next batch.
      const previous = inFlight ?? Promise.resolve(undefined);
      const run = previous.catch(() => undefined).then(runBatch);
      inFlight = run;
      return run;
    },
    async waitForIdle(timeoutMs = 60_000) {
      const since = toIso(Date.now());
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`glue-local: not idle after ${timeoutMs} ms`)), timeoutMs);
        const listen = () =>
          commitListeners.push((plan) => {
            if (plan.plannedAt >= since) {
              clearTimeout(timer);
              resolve();
            } else listen();
          });
        listen();
      });
    },
    stats: () => ({ ...counters, lastBatch }),
    async stop() {
      if (stopping.signal.aborted) return;
      stopping.abort();
      await inFlight?.catch(() => undefined);
      aggregator.close();
      if (temporaryDir) await rm(temporaryDir, { recursive: true, force: true });
    },
  };
  return engine;
}

/** Starts the engine's loop: one batch per window, for as long as it runs. */
export async function startLocalGlueEngine(options: LocalGlueEngineOptions): Promise<LocalGlueEngine> {
  const engine = await createLocalGlueEngine(options);
  const logger = options.logger ?? silent;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        await engine.runOnce();
      } catch (error) {
        if (stopped) return;
        logger.error('glue-local: batch failed; retrying the same plan', { error: String(error) });
        await sleep(1_000);
      }
    }
  })();
  return {
    ...engine,
    async stop() {
      stopped = true;
      await engine.stop();
      await loop;
    },
  };
}
