/**
 * The local stand-in for the Glue streaming job: the same micro-batch loop (one batch per window), in
 * which each batch is aggregated either in DuckDB (the same reading of a record, SQL file, orders
 * query and writes as the job) or by the job's own PySpark code on a local Spark (window-aggregation.ts).
 * Like the job, it quarantines nothing: it sees what Glue's source shows, and the fast path, which
 * reads the same stream's bytes, quarantines every bad record once. The planner (batch-planner.ts)
 * decides each batch's window and records and makes the plan durable; this runner then has the
 * aggregation's effects and commits it (batch-log.ts), so a crash re-runs exactly the interrupted
 * batch and its Puts land on the same keys.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { toEpochMs, toIso } from '../../functions/domain/time.js';
import type { DynamoDbDocuments } from '../../functions/store/dynamodb-documents.js';
import { RichPathProgressStore } from '../../functions/store/rich-path-progress-store.js';
import type { TableNames } from '../../functions/store/table-names.js';
import { readWindowConfig } from '../window-config.js';
import { type BatchCommit, BatchLog, type BatchPlan } from './batch-log.js';
import { BatchPlanner } from './batch-planner.js';
import { createDuckDbAggregation } from './duckdb-aggregation.js';
import { startSparkAggregation } from './spark-aggregation.js';
import type { GlueEngineName, WindowAggregation } from './window-aggregation.js';

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
  readonly clients: { readonly kinesis: KinesisClient; readonly documents: DynamoDbDocuments };
  /** pricingConfig: where each committed batch is recorded for the pipeline API, as the Glue job records it. */
  readonly tableNames: Pick<TableNames, 'products' | 'orders' | 'aggregates' | 'pricingConfig'>;
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
  /**
   * Aggregate in DuckDB, or run the Glue job's PySpark batch logic on a local Spark (needs
   * `.venv-glue/`, python-env.ts, and the DynamoDB endpoint the worker connects to). @default duckdb
   */
  readonly engine?: { readonly name: 'duckdb' } | SparkEngineOptions;
}

export interface SparkEngineOptions {
  readonly name: 'spark';
  readonly python: string;
  readonly dynamodbEndpoint: string;
  /** Where each batch's source rows are written, for the tests. */
  readonly shapesDir?: string;
}

/** What one batch did. */
export interface BatchResult extends BatchCommit {
  /** True when this was a planned-but-uncommitted batch found on start, run again. */
  readonly rerun: boolean;
  /** Milliseconds from the window's end to its rows being written. */
  readonly windowCloseToRowsMs: number;
  /** Milliseconds from the batch's start (plan) to its commit. */
  readonly batchMs: number;
  /** Where batchMs went: reading the stream, then the aggregation's own phases. */
  readonly phasesMs: Readonly<Record<string, number>>;
}

export interface LocalGlueEngineStats {
  readonly batchesCommitted: number;
  readonly batchesRerun: number;
  readonly recordsRead: number;
  readonly eventsAggregated: number;
  readonly recordsRejected: number;
  readonly rowsWritten: number;
  readonly lastBatch: BatchResult | null;
}

export interface LocalGlueEngine {
  readonly stateDir: string;
  /** Which engine aggregates the batches. */
  readonly engineName: GlueEngineName;
  /** Runs one batch: an uncommitted plan first, else the next window once it has closed. */
  runOnce(): Promise<BatchResult>;
  /** Resolves after a batch planned after this call is committed: everything on the stream now is aggregated. */
  waitForIdle(timeoutMs?: number): Promise<void>;
  stats(): LocalGlueEngineStats;
  /** Stops after the batch in flight (if any); safe to call more than once. */
  stop(): Promise<void>;
}

function crash(point: CrashPoint, configured: CrashPoint | undefined): void {
  if (point === configured) process.kill(process.pid, 'SIGKILL');
}

/** Builds an engine without starting its loop: tests drive it with runOnce. */
export async function createLocalGlueEngine(options: LocalGlueEngineOptions): Promise<LocalGlueEngine> {
  const { clients, tableNames, streamName } = options;
  const windowConfig = readWindowConfig();
  const windowMs = (options.windowSizeSeconds ?? windowConfig.windowSizeSeconds) * 1_000;
  // The grace fits inside the window it lags, whatever size a caller picks.
  const orderGraceMs = Math.min(windowConfig.orderGraceSeconds * 1_000, windowMs - 1);
  const refreshMs = (options.productsRefreshSeconds ?? 60) * 1_000;
  const logger = options.logger ?? silent;
  const clock = options.clock ?? Date.now;
  const temporaryDir = options.stateDir === undefined ? await mkdtemp(join(tmpdir(), 'clickprice-glue-')) : null;
  const stateDir = options.stateDir ?? (temporaryDir as string);
  const log = new BatchLog(stateDir);
  const engineOptions = options.engine ?? { name: 'duckdb' };
  const aggregation: WindowAggregation =
    engineOptions.name === 'spark'
      ? await startSparkAggregation({
          python: engineOptions.python,
          dynamodbEndpoint: engineOptions.dynamodbEndpoint,
          tableNames,
          stateDir,
          windowMs,
          orderGraceMs,
          productsRefreshSeconds: refreshMs / 1_000,
          shapesDir: engineOptions.shapesDir,
        })
      : await createDuckDbAggregation({
          documents: clients.documents,
          tableNames,
          productsRefreshMs: refreshMs,
        });
  const stopping = new AbortController();

  const latest = await log.latest();
  const planner = new BatchPlanner(
    { kinesis: clients.kinesis, streamName, log, windowMs, orderGraceMs, clock, signal: stopping.signal },
    latest?.plan,
  );
  let pending: BatchPlan | undefined = latest && !latest.committed ? latest.plan : undefined;
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
  };
  let lastBatch: BatchResult | null = null;
  const progress = new RichPathProgressStore(clients.documents, options.tableNames.pricingConfig);
  if (pending) logger.warn('glue-local: re-running an uncommitted batch', { batchId: pending.batchId });

  /**
   * After the commit, as the Glue job records it after its batch (an empty window is no batch there).
   * Only the pipeline's health reads it: a failed write is logged, and the engine carries on.
   */
  async function recordProgress(
    plan: BatchPlan,
    records: readonly { readonly arrivedAt: number }[],
    aggregated: { readonly recordsRejected: number; readonly rowsWritten: number },
    committedAt: string,
  ): Promise<void> {
    if (records.length === 0) return;
    let newest = 0;
    for (const record of records) newest = Math.max(newest, record.arrivedAt);
    try {
      await progress.record({
        batchId: plan.batchId,
        windowStart: plan.windowStart,
        windowEnd: plan.windowEnd,
        records: records.length,
        rejected: aggregated.recordsRejected,
        rows: aggregated.rowsWritten,
        newestArrivalAt: toIso(newest),
        committedAt,
        engine: aggregation.name,
      });
    } catch (error) {
      logger.warn('glue-local: progress not recorded', { batchId: plan.batchId, error: String(error) });
    }
  }

  async function runBatch(): Promise<BatchResult> {
    const startedAt = performance.now();
    const rerun = pending !== undefined;
    const { plan, records } = pending ? await planner.readPlanned(pending) : await planner.planNext();
    const readDone = performance.now();
    pending = plan;
    crash('plan-written', crashAfter);

    const aggregated = await aggregation.aggregate(plan, records);
    const windowCloseToRowsMs = Date.now() - toEpochMs(plan.windowEnd);
    crash('rows-written', crashAfter);

    const commit: BatchCommit = {
      version: 1,
      batchId: plan.batchId,
      windowStart: plan.windowStart,
      recordsRead: records.length,
      eventsAggregated: aggregated.eventsAggregated,
      recordsRejected: aggregated.recordsRejected,
      ordersRead: aggregated.ordersRead,
      rowsWritten: aggregated.rowsWritten,
      committedAt: toIso(Date.now()),
    };
    await log.writeCommit(commit);
    pending = undefined;
    await recordProgress(plan, records, aggregated, commit.committedAt);
    crashAfter = undefined;

    counters.batchesCommitted += 1;
    if (rerun) counters.batchesRerun += 1;
    counters.recordsRead += records.length;
    counters.eventsAggregated += aggregated.eventsAggregated;
    counters.recordsRejected += aggregated.recordsRejected;
    counters.rowsWritten += aggregated.rowsWritten;
    const phasesMs = { read: Math.round(readDone - startedAt), ...aggregated.phasesMs };
    lastBatch = { ...commit, rerun, windowCloseToRowsMs, batchMs: performance.now() - startedAt, phasesMs };
    logger.info('glue-local: batch committed', { ...lastBatch });
    for (const listener of commitListeners.splice(0)) listener(plan);
    return lastBatch;
  }

  const engine: LocalGlueEngine = {
    stateDir,
    engineName: aggregation.name,
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
      await aggregation.close();
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
