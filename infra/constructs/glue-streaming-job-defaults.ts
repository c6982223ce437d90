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

/** Worker types a Glue 4.0 streaming job accepts. */
export const GLUE_STREAMING_WORKER_TYPES = ['G.025X', 'G.1X', 'G.2X', 'G.4X', 'G.8X'] as const;
export type GlueStreamingWorkerType = (typeof GLUE_STREAMING_WORKER_TYPES)[number];

export const GLUE_STREAMING_JOB_DEFAULTS = {
  /**
   * Glue 4.0: Spark 3.3, Python 3.10, streaming supported (Solutions Constructs pin the end-of-life
   * 2.0). The newest version whose streaming ETL the job was written against.
   */
  glueVersion: '4.0',
  workerType: 'G.1X' satisfies GlueStreamingWorkerType,
  /** A streaming job needs at least 2 workers (one driver, one executor). */
  numberOfWorkers: 2,
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
