/**
 * Instants and days as people type them on a command line, refused when the calendar does not have
 * them: Date.parse rolls 2026-02-30 over into March rather than refusing it.
 */
import { UsageError } from './args.js';

/**
 * A day alone (midnight UTC), or a day and time with its offset: a time without one would be read in
 * the machine's zone, and a run reproduced from a seed and a start time must start at one instant.
 * Checked whole: Date.parse alone reads "2026-11-22 junk" as a day in June.
 */
const INSTANT = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:?\d{2}))?$/;

/** An ISO-8601 day, or day and time with an offset (2026-11-22T10:00:00Z), as epoch milliseconds. */
export function parseInstantMs(value: string, flag: string): number {
  const time = Date.parse(value);
  if (!INSTANT.test(value) || Number.isNaN(time)) {
    throw new UsageError(
      `${flag} must be an ISO-8601 instant with its offset, such as 2026-11-22T10:00:00Z, or a day; got ${JSON.stringify(value)}`,
    );
  }
  if (!calendarFieldsExist(value)) {
    throw new UsageError(`${flag} names a day or time that does not exist; got ${JSON.stringify(value)}`);
  }
  return time;
}

/** Whether the date and time as written (before any offset) read back the same: they exist. */
export function calendarFieldsExist(value: string): boolean {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[t ](\d{2}:\d{2})(:\d{2})?)?/i.exec(value);
  if (match === null) return false;
  const written = `${match[1]}T${match[2] ?? '00:00'}${match[3] ?? ':00'}`;
  const time = Date.parse(`${written}Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 19) === written;
}
