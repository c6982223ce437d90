/**
 * Defaults of the rich path's Glue streaming job, as plain data: {@link GlueStreamingJob} merges them
 * with what its caller passes, and the asset paths are the one place the job's files are named.
 */
import { fileURLToPath } from 'node:url';
import { AGGREGATE_SQL_PATH } from '../../glue/window-config.js';

/** The PySpark entry point Glue runs. */
export const GLUE_SCRIPT_PATH = fileURLToPath(new URL('../../glue/job/clickprice_aggregates.py', import.meta.url));

/**
 * The directory whose `clickprice/` package the script imports: zipped as an asset (with the package
 * at the zip's root) and passed as `--extra-py-files`.
 */
export const GLUE_PACKAGE_DIR = fileURLToPath(new URL('../../glue/job/', import.meta.url));

/** What of GLUE_PACKAGE_DIR is not the package: the entry script (its own asset), tests, caches. */
export const GLUE_PACKAGE_EXCLUDE = ['clickprice_aggregates.py', 'tests', '**/__pycache__', '**/*.pyc'] as const;

/** The window aggregation, the one SQL definition (DuckDB runs the same file locally). */
export const GLUE_SQL_PATH = AGGREGATE_SQL_PATH;

/**
 * Worker types for a Glue 4.0 streaming job. Not G.4X or G.8X: Glue's API reference (Job, WorkerType)
 * has them "available only for Glue version 3.0 or later Spark ETL jobs", and G.025X for streaming.
 */
export const GLUE_STREAMING_WORKER_TYPES = ['G.025X', 'G.1X', 'G.2X'] as const;
export type GlueStreamingWorkerType = (typeof GLUE_STREAMING_WORKER_TYPES)[number];

/** DPUs per worker (https://docs.aws.amazon.com/glue/latest/webapi/API_StartJobRun.html, WorkerType). */
export const GLUE_DPU_PER_WORKER: Readonly<Record<GlueStreamingWorkerType, number>> = {
  'G.025X': 0.25,
  'G.1X': 1,
  'G.2X': 2,
};

/** US East price of a DPU-hour (https://aws.amazon.com/glue/pricing/); a streaming job bills while it runs. */
export const GLUE_USD_PER_DPU_HOUR = 0.44;

/** What the job costs a month (730 hours) running around the clock, before Kinesis and DynamoDB. */
export function glueMonthlyCostUsd(workerType: GlueStreamingWorkerType, numberOfWorkers: number): number {
  return Math.round(GLUE_DPU_PER_WORKER[workerType] * numberOfWorkers * GLUE_USD_PER_DPU_HOUR * 730 * 100) / 100;
}

export const GLUE_STREAMING_JOB_DEFAULTS = {
  /**
   * Glue 4.0: Spark 3.3, Python 3.10. Its docs document streaming ETL from Kinesis (the Kinesis
   * connection options "4.0 or later"), and glue/requirements.txt pins its Spark for the tests.
   */
  glueVersion: '4.0',
  /**
   * The cheapest sound size: G.025X (0.25 DPU, 2 vCPU, 4 GB) exists for streaming jobs of low volume,
   * and a window of clicks at the stream's 2 MB/s per shard is a few hundred MB at most. Two of them
   * (a driver and an executor) cost glueMonthlyCostUsd('G.025X', 2) ≈ $160 a month; raise both with
   * the traffic (README, Deploying).
   */
  workerType: 'G.025X' satisfies GlueStreamingWorkerType,
  /** A streaming job needs at least 2 workers (one driver, one executor). */
  numberOfWorkers: 2,
  /**
   * A run lasts at most 7 days (10,080 minutes, the most Glue accepts); with a maintenance window Glue
   * restarts it in that window rather than at a random hour. Day and hour in GMT.
   */
  timeoutMinutes: 10_080,
  maintenanceWindow: 'Sun:3',
  /** How often the products view is re-read (a Scan) instead of once per batch. */
  productsRefreshSeconds: 300,
  /** Checkpoints live under this prefix of the checkpoint bucket. */
  checkpointPrefix: 'checkpoints/',
  /**
   * One run at a time: two runs would share the checkpoint and each write every window. A failed run
   * is restarted by Glue up to this many times, resuming from the checkpoint.
   */
  maxConcurrentRuns: 1,
  maxRetries: 3,
} as const;
