/**
 * The Spark engine's batch: the Glue job's own PySpark batch logic (glue/job/clickprice/batch.py) on a
 * local Spark 3.3, in a worker process (glue/spark_local/worker.py) that lives as long as the engine.
 * The engine's planner decides the batch (its records and window, durable before any effect); the
 * worker builds the frame Glue's Kinesis source would give from those records and runs the batch,
 * reading products and orders from DynamoDB Local and writing the rows from Spark's executors.
 *
 * The worker's Spark dies with it: PySpark's JVM exits when its Python parent does, and the worker
 * exits when its stdin closes, which happens when this process ends, however it ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../definitions/local-services.js';
import { tables } from '../../definitions/resources.js';
import type { TableNames } from '../../functions/store/table-names.js';
import type { BatchPlan } from './batch-log.js';
import { REPO_ROOT } from './python-env.js';
import type { ShardRecord } from './shard-reader.js';
import type { BatchAggregation, WindowAggregation } from './window-aggregation.js';

export interface SparkAggregationOptions {
  /** The interpreter of `.venv-glue/` (python-env.ts). */
  readonly python: string;
  readonly dynamodbEndpoint: string;
  readonly tableNames: Pick<TableNames, 'products' | 'orders' | 'aggregates'>;
  /** Where the worker's config, the batches' records and the window plans go. */
  readonly stateDir: string;
  readonly windowMs: number;
  /** How far a batch's orders lag its window (the plans carry the ranges; run_batch reads them). */
  readonly orderGraceMs: number;
  /** How often the catalogue is re-read; 0: every batch. */
  readonly productsRefreshSeconds: number;
  /** Where each batch's source rows are written (`<batchId>.shapes.jsonl`), for the tests. */
  readonly shapesDir?: string;
  /** How long Spark may take to start. @default 120 s */
  readonly startTimeoutMs?: number;
}

interface WorkerAnswer {
  readonly ready?: true;
  readonly ok?: boolean;
  readonly error?: string;
  readonly trace?: string;
  readonly sparkMs?: number;
  readonly result?: { events: number; rejected: number; orders: number; rows: number } | null;
}

export async function startSparkAggregation(options: SparkAggregationOptions): Promise<WindowAggregation> {
  const dir = join(options.stateDir, 'spark');
  const planDir = join(dir, 'plans');
  mkdirSync(join(dir, 'batches'), { recursive: true });
  mkdirSync(planDir, { recursive: true });
  const configPath = join(dir, 'worker-config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      dynamodbEndpoint: options.dynamodbEndpoint,
      region: LOCAL_REGION,
      tables: options.tableNames,
      aggregatesRetentionDays: tables.aggregates.ttl.retentionDays,
      windowMs: options.windowMs,
      orderGraceMs: options.orderGraceMs,
      productsRefreshSeconds: options.productsRefreshSeconds,
      planDir,
    }),
  );
  const child: ChildProcess = spawn(options.python, ['glue/spark_local/worker.py', configPath], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_REGION: LOCAL_REGION,
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONUNBUFFERED: '1',
    },
  });
  // Spark's own chatter, kept short: the last lines explain a failed start.
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = `${stderrTail}${chunk.toString('utf8')}`.slice(-8_000);
  });
  const waiting: { resolve: (answer: WorkerAnswer) => void; reject: (error: Error) => void }[] = [];
  let exited: Error | null = null;
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  lines.on('line', (line) => {
    if (!line.startsWith('{')) return;
    waiting.shift()?.resolve(JSON.parse(line) as WorkerAnswer);
  });
  child.on('exit', (code, signal) => {
    exited = new Error(`the Spark worker exited (${signal ?? code}): ${stderrTail.split('\n').slice(-15).join('\n')}`);
    for (const waiter of waiting.splice(0)) waiter.reject(exited);
  });
  const next = () =>
    new Promise<WorkerAnswer>((resolve, reject) => {
      if (exited) reject(exited);
      else waiting.push({ resolve, reject });
    });

  const timeoutMs = options.startTimeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      next(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Spark did not start within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }

  return {
    name: 'spark',
    async aggregate(plan: BatchPlan, records: readonly ShardRecord[]): Promise<BatchAggregation> {
      const recordsPath = join(dir, 'batches', `${plan.batchId}.jsonl`);
      writeFileSync(
        recordsPath,
        records
          .map((record) =>
            JSON.stringify({ data: Buffer.from(record.data).toString('utf8'), arrivedAtMs: record.arrivedAt }),
          )
          .join('\n'),
      );
      // The planner's window, as the batch's plan: run_batch reads it back, as a re-run on Glue would.
      const planPath = join(planDir, `${plan.batchId}.json`);
      writeFileSync(
        planPath,
        JSON.stringify({
          batch_id: plan.batchId,
          window_start: plan.windowStart,
          window_end: plan.windowEnd,
          orders_start: plan.ordersStart,
          orders_end: plan.ordersEnd,
        }),
      );
      const request = {
        batchId: plan.batchId,
        records: recordsPath,
        ...(options.shapesDir ? { shapesOut: join(options.shapesDir, `${plan.batchId}.shapes.jsonl`) } : {}),
      };
      const answered = next();
      child.stdin?.write(`${JSON.stringify(request)}\n`);
      // Both files are this call's alone: the durable plan is the engine's (batch-log.ts), and a re-run
      // reads the records from the stream again and writes them afresh, so nothing piles up per batch.
      const answer = await answered.finally(() => {
        rmSync(recordsPath, { force: true });
        rmSync(planPath, { force: true });
      });
      if (!answer.ok) throw new Error(`Spark batch ${plan.batchId} failed: ${answer.error}\n${answer.trace ?? ''}`);
      const result = answer.result ?? { events: 0, rejected: 0, orders: 0, rows: 0 };
      return {
        eventsAggregated: result.events,
        recordsRejected: result.rejected,
        ordersRead: result.orders,
        rowsWritten: result.rows,
        phasesMs: { spark: answer.sparkMs ?? 0 },
      };
    },
    async close() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
