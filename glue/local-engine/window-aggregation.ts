/**
 * What the local Glue engine does with one planned batch: aggregate its records into the window's
 * rows and write them. Two ways, one contract: DuckDB in this process (duckdb-aggregation.ts, the
 * default) or the Glue job's own PySpark code on a local Spark (spark-aggregation.ts). Either must
 * be replay-safe: the same plan and records write the same items on the same keys.
 */
import type { BatchPlan } from './batch-log.js';
import type { ShardRecord } from './shard-reader.js';

export const GLUE_ENGINES = ['duckdb', 'spark'] as const;
export type GlueEngineName = (typeof GLUE_ENGINES)[number];

export interface BatchAggregation {
  /** Records the click rules accepted. */
  readonly eventsAggregated: number;
  /** Records they rejected (the fast path quarantines those; this path reads parsed fields only). */
  readonly recordsRejected: number;
  readonly ordersRead: number;
  readonly rowsWritten: number;
  /** Where the time went, by the aggregation's own phases. */
  readonly phasesMs: Readonly<Record<string, number>>;
}

export interface WindowAggregation {
  readonly name: GlueEngineName;
  aggregate(plan: BatchPlan, records: readonly ShardRecord[]): Promise<BatchAggregation>;
  close(): Promise<void>;
}
