export { type BatchCommit, BatchLog, type BatchPlan, type ShardRange } from './batch-log.js';
export {
  DuckDbWindowAggregator,
  type WindowBounds,
  type WindowClick,
  type WindowOrder,
  type WindowProduct,
} from './duckdb-window-aggregator.js';
export {
  type BatchResult,
  CRASH_POINTS,
  type CrashPoint,
  createLocalGlueEngine,
  type EngineLogger,
  type LocalGlueEngine,
  type LocalGlueEngineOptions,
  type LocalGlueEngineStats,
  startLocalGlueEngine,
} from './local-glue-engine.js';
