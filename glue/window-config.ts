/**
 * Where the rich path's shared definitions live, and the window size both engines read. The PySpark
 * job (glue/job/) reads the same two files, so they stay plain JSON and plain SQL at stable paths.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The window aggregation, the one SQL definition run by Spark and by DuckDB. */
export const AGGREGATE_SQL_PATH = fileURLToPath(new URL('./aggregate-window.sql', import.meta.url));

/** `{ "windowSizeSeconds": 60 }`: how long one window (one micro-batch trigger) is. */
export const WINDOW_CONFIG_PATH = fileURLToPath(new URL('./window-config.json', import.meta.url));

export interface WindowConfig {
  readonly windowSizeSeconds: number;
}

/** Reads and checks the window config; a bad file fails naming itself. */
export function readWindowConfig(path: string = WINDOW_CONFIG_PATH): WindowConfig {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<WindowConfig>;
  const size = parsed.windowSizeSeconds;
  if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) {
    throw new Error(`${path}: windowSizeSeconds must be a positive integer, got ${String(size)}`);
  }
  return { windowSizeSeconds: size };
}

/** The aggregation SQL, as written. */
export function readAggregateSql(path: string = AGGREGATE_SQL_PATH): string {
  return readFileSync(path, 'utf8');
}
