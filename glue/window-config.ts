/**
 * Where the rich path's shared definitions live, and the window size both engines read. The PySpark
 * job (glue/job/) reads the same two files, so they stay plain JSON and plain SQL at stable paths.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The window aggregation, the one SQL definition run by Spark and by DuckDB. */
export const AGGREGATE_SQL_PATH = fileURLToPath(new URL('./aggregate-window.sql', import.meta.url));

/**
 * `{ "windowSizeSeconds": 60, "orderGraceSeconds": 15 }`: how long one window (one micro-batch
 * trigger) is, and how far its orders lag it. A window's batch counts the orders placed up to
 * `orderGraceSeconds` before its end, the rest in the next batch: an order reaches the orders
 * table's time index a moment after it is placed, so the latest ones are left for the next batch
 * instead of being missed by this one.
 */
export const WINDOW_CONFIG_PATH = fileURLToPath(new URL('./window-config.json', import.meta.url));

export interface WindowConfig {
  readonly windowSizeSeconds: number;
  readonly orderGraceSeconds: number;
}

/** Reads and checks the window config; a bad file fails naming itself. */
export function readWindowConfig(path: string = WINDOW_CONFIG_PATH): WindowConfig {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<WindowConfig>;
  const size = parsed.windowSizeSeconds;
  if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) {
    throw new Error(`${path}: windowSizeSeconds must be a positive integer, got ${String(size)}`);
  }
  const grace = parsed.orderGraceSeconds;
  if (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0 || grace >= size) {
    throw new Error(
      `${path}: orderGraceSeconds must be an integer from 0 to below the window size, got ${String(grace)}`,
    );
  }
  return { windowSizeSeconds: size, orderGraceSeconds: grace };
}

/** The aggregation SQL, as written. */
export function readAggregateSql(path: string = AGGREGATE_SQL_PATH): string {
  return readFileSync(path, 'utf8');
}
