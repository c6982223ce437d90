/**
 * clickprice's one time representation: ISO-8601 UTC strings with millisecond precision
 * (`2026-11-21T23:01:10.123Z`, what `Date#toISOString` writes). Fixed width, so they sort as strings,
 * which DynamoDB sort keys, DuckDB and Spark all rely on. The only exception is a TTL attribute, which
 * DynamoDB requires in epoch seconds.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Epoch milliseconds to the canonical timestamp. */
export function toIso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** A canonical timestamp to epoch milliseconds. */
export function toEpochMs(iso: string): number {
  return Date.parse(iso);
}

/** The start of the minute holding `iso`, as a canonical timestamp. */
export function minuteOf(iso: string): string {
  return `${iso.slice(0, 16)}:00.000Z`;
}

/** The UTC hour holding `iso`, `YYYY-MM-DDTHH`: the partition of hour-bucketed indexes. */
export function hourOf(iso: string): string {
  return iso.slice(0, 13);
}

/** The UTC day holding `iso`, `YYYY-MM-DD`. */
export function dayOf(iso: string): string {
  return iso.slice(0, 10);
}

/** A DynamoDB TTL value (epoch seconds) `days` after `iso`. */
export function expiryAfterDays(iso: string, days: number): number {
  return Math.floor((toEpochMs(iso) + days * DAY_MS) / 1000);
}
