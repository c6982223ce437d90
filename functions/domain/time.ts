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

/**
 * A canonical timestamp to epoch milliseconds: exactly `Date.parse(iso)`, for any string. A canonical
 * timestamp of a real date is read by canonicalInstant; anything else is left to Date.parse (which,
 * for one, rolls a day past the month's end over). It runs once per click on the fast path, where
 * Date.parse was a measurable share of the handler's time.
 */
export function toEpochMs(iso: string): number {
  const instant = canonicalInstant(iso);
  return Number.isNaN(instant) ? Date.parse(iso) : instant;
}

/**
 * The instant of a canonical timestamp (`YYYY-MM-DDTHH:MM:SS.sssZ`, what `Date#toISOString` writes
 * for years 0000–9999) that names a real time: month 01–12, a day of that month (proleptic Gregorian,
 * Feb 29 only in leap years), hour 00–23, minute and second 00–59. NaN for any other string.
 */
export function canonicalInstant(iso: string): number {
  if (iso.length !== 24) return Number.NaN;
  return instantOfParts(
    digitsAt(iso, 0, 4),
    digitsAt(iso, 5, 2),
    digitsAt(iso, 8, 2),
    digitsAt(iso, 11, 2),
    digitsAt(iso, 14, 2),
    digitsAt(iso, 17, 2),
    digitsAt(iso, 20, 3),
    iso.charCodeAt(4) === 45 && // -
      iso.charCodeAt(7) === 45 &&
      iso.charCodeAt(10) === 84 && // T
      iso.charCodeAt(13) === 58 && // :
      iso.charCodeAt(16) === 58 &&
      iso.charCodeAt(19) === 46 && // .
      iso.charCodeAt(23) === 90, // Z
  );
}

/**
 * canonicalInstant of the 24 ASCII bytes of `bytes` from `at` (the caller has checked they are
 * there): for a reader that has an event's bytes, not its text.
 */
export function canonicalInstantOfBytes(bytes: Uint8Array, at: number): number {
  return instantOfParts(
    byteDigitsAt(bytes, at, 4),
    byteDigitsAt(bytes, at + 5, 2),
    byteDigitsAt(bytes, at + 8, 2),
    byteDigitsAt(bytes, at + 11, 2),
    byteDigitsAt(bytes, at + 14, 2),
    byteDigitsAt(bytes, at + 17, 2),
    byteDigitsAt(bytes, at + 20, 3),
    bytes[at + 4] === 45 &&
      bytes[at + 7] === 45 &&
      bytes[at + 10] === 84 &&
      bytes[at + 13] === 58 &&
      bytes[at + 16] === 58 &&
      bytes[at + 19] === 46 &&
      bytes[at + 23] === 90,
  );
}

/** The instant the parts of a canonical timestamp name, or NaN if they name no real time. */
function instantOfParts(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  milli: number,
  separatorsHold: boolean,
): number {
  if (
    !separatorsHold ||
    year < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59 ||
    milli < 0
  ) {
    return Number.NaN;
  }
  const days = daysFromCivil(year, month) + day - 1;
  return days * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS + second * 1000 + milli;
}

/** Days in `month` (1–12) of `year`, proleptic Gregorian. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The decimal number in `count` digits of `text` from `at`, or -1 if any of them is not a digit. */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let index = at; index < at + count; index++) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** digitsAt over bytes. */
function byteDigitsAt(bytes: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let index = at; index < at + count; index++) {
    const digit = (bytes[index] as number) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Days from 1970-01-01 to the first of `month` (1–12) of `year` (proleptic Gregorian; H. Hinnant). */
function daysFromCivil(year: number, month: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5);
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
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
