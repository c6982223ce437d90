/**
 * A hand-compiled validator for click events: the same accept/reject decisions and the same output as
 * the zod shape in click-event.ts, in a few hundred nanoseconds and one allocation per event (none
 * through `accepts`, for a caller that reads the few fields it needs from the parsed JSON: the fast
 * path, for an event its byte reader, click-event-bytes.ts, leaves to it).
 *
 * Why it exists: the fast path validates every click (issue 5: ≥ 200,000 events/s on one core), and
 * zod — even with its compiled object parser — spent ~3 µs and several objects per event, most of the
 * handler's budget. This file is only a shortcut for the common, valid case. zod stays the definition
 * of the rules and the only source of error messages: whenever this code says "no" (or meets anything
 * it does not handle), parseClickEvent runs zod on the same value and reports zod's reason.
 *
 * How equivalence is guaranteed: test/unit/domain/click-event-fast.properties.test.ts runs fast-check
 * over valid and near-valid events (every field mutated in type, range, length, pattern, presence,
 * and odd timestamps) and requires, for every input, that this accepts exactly what zod accepts and
 * that both outputs are deeply equal. A rule added to the zod schema without a line here makes that
 * test fail, because generated inputs then differ in acceptance.
 */
import type { ClickEvent, ClickEventInput } from './click-event.js';
import { LIMITS } from './limits.js';
import { canonicalInstant, daysInMonth } from './time.js';

/**
 * `eventTime` in the canonical millisecond form. Shared with the zod schema's `overwrite`, so both
 * paths normalise identically (V8 truncates digits past milliseconds). A string that is not a date at
 * all is returned unchanged: zod runs `overwrite` even after the format check failed, and the value is
 * then discarded with zod's "Invalid ISO datetime" issue — it must not throw.
 */
export function canonicalEventTime(value: string): string {
  if (value.length === 24) return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

const DIGIT_0 = 48;
const DIGIT_9 = 57;

function isDigit(code: number): boolean {
  return code >= DIGIT_0 && code <= DIGIT_9;
}

/*
 * The patterns of fields.ts, as regular expressions: V8 compiles them to machine code that checks a
 * 36-character id about twice as fast as a charCodeAt loop does (measured on the fast-path bench).
 */
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const CATEGORY_SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** `/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/` with length 1..idLength (fields.ts `identifier`). */
function isIdentifier(value: unknown): value is string {
  return typeof value === 'string' && value.length <= LIMITS.idLength && IDENTIFIER.test(value);
}

/** `/^[a-z0-9]+(-[a-z0-9]+)*$/` with length 1..categoryLength (fields.ts `categorySlug`). */
function isCategorySlug(value: string): boolean {
  return value.length <= LIMITS.categoryLength && CATEGORY_SLUG.test(value);
}

/** A finite integer in [min, max]: zod's number (finite), `.int()` (safe integer) and bounds. */
function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function twoDigits(value: string, at: number): number {
  const high = value.charCodeAt(at);
  const low = value.charCodeAt(at + 1);
  if (!isDigit(high) || !isDigit(low)) return -1;
  return (high - DIGIT_0) * 10 + (low - DIGIT_0);
}

/**
 * zod's `z.iso.datetime()` with its defaults (zod/v4/core/regexes.js `datetime`): `YYYY-MM-DD`, a real
 * Gregorian date for any year 0000–9999 (Feb 29 only in leap years), `THH:MM:SS` (hour 00–23, no leap
 * second), an optional fraction of ANY number of digits, and a capital `Z` — no offsets, no local time.
 */
function isIsoDateTimeUtc(value: string): boolean {
  const length = value.length;
  // The canonical form, what producers write: exactly a canonical timestamp of a real time. Read by
  // canonicalInstant, which remembers it for the batch's next question, the event's instant.
  if (length === 24 && !Number.isNaN(canonicalInstant(value))) return true;
  if (length < 20) return false;
  const century = twoDigits(value, 0);
  const yearOfCentury = twoDigits(value, 2);
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  const hour = twoDigits(value, 11);
  const minute = twoDigits(value, 14);
  const second = twoDigits(value, 17);
  if (century < 0 || yearOfCentury < 0 || month < 1 || month > 12 || day < 1) return false;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  if (
    value.charCodeAt(4) !== 45 || // -
    value.charCodeAt(7) !== 45 ||
    value.charCodeAt(10) !== 84 || // T
    value.charCodeAt(13) !== 58 || // :
    value.charCodeAt(16) !== 58
  ) {
    return false;
  }
  if (day > daysInMonth(century * 100 + yearOfCentury, month)) return false;
  if (value.charCodeAt(length - 1) !== 90) return false; // Z
  if (length === 20) return true;
  // `.` then one or more digits, up to the Z.
  if (length < 22 || value.charCodeAt(19) !== 46) return false;
  for (let index = 20; index < length - 1; index++) {
    if (!isDigit(value.charCodeAt(index))) return false;
  }
  return true;
}

/** The enumerations and cross-field sets of click-event.ts, passed in so each has one definition. */
export interface ClickEventRules {
  readonly eventTypes: readonly string[];
  readonly trafficSources: readonly string[];
  readonly deviceTypes: readonly string[];
  readonly productEventTypes: ReadonlySet<string>;
  readonly quantityEventTypes: ReadonlySet<string>;
}

/** A JSON value the validator accepts: a click event as a producer may write it (optional facts absent). */
export type AcceptedClickEvent = ClickEventInput & Record<string, unknown>;

/**
 * The compiled validator: called, it gives the click event in `json` (a JSON.parse result) exactly as
 * the zod shape plus the cross-field rules would return it, or `undefined` when it breaks any rule —
 * then ask zod why. Unknown keys are not copied (zod strips them); an absent or `undefined` optional
 * fact becomes `null` (zod's default).
 */
export interface ClickEventValidator {
  (json: unknown): ClickEvent | undefined;
  /**
   * Whether the validator returns an event for `json`, without building it: for a caller that reads
   * a few fields of the input itself (an absent optional fact reads as `undefined`, not `null`, and
   * `eventTime` is as written: canonicalEventTime gives the event's).
   */
  readonly accepts: (json: unknown) => json is AcceptedClickEvent;
}

/** Compiles the validator (see ClickEventValidator): one set of checks behind both of its forms. */
export function compileClickEventValidator(rules: ClickEventRules): ClickEventValidator {
  const eventTypes: ReadonlySet<unknown> = new Set(rules.eventTypes);
  const trafficSources: ReadonlySet<unknown> = new Set(rules.trafficSources);
  const deviceTypes: ReadonlySet<unknown> = new Set(rules.deviceTypes);
  const { productEventTypes, quantityEventTypes } = rules;

  function accepts(json: unknown): json is AcceptedClickEvent {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
    const input = json as Record<string, unknown>;

    if (!isIdentifier(input.eventId) || !isIdentifier(input.sessionId)) return false;
    const userId = input.userId ?? null;
    if (userId !== null && !isIdentifier(userId)) return false;
    const eventType = input.eventType;
    if (!eventTypes.has(eventType)) return false;
    const productId = input.productId ?? null;
    if (productId !== null && !isIdentifier(productId)) return false;
    const category = input.category ?? null;
    if (category !== null && (typeof category !== 'string' || !isCategorySlug(category))) return false;
    const priceSeen = input.priceSeen ?? null;
    if (priceSeen !== null && !isIntegerIn(priceSeen, 0, LIMITS.maxCents)) return false;
    const quantity = input.quantity ?? null;
    if (quantity !== null && !isIntegerIn(quantity, 1, LIMITS.maxQuantity)) return false;
    const searchQuery = input.searchQuery ?? null;
    if (
      searchQuery !== null &&
      (typeof searchQuery !== 'string' || searchQuery.length < 1 || searchQuery.length > LIMITS.searchQueryLength)
    ) {
      return false;
    }
    if (!trafficSources.has(input.trafficSource)) return false;
    if (!deviceTypes.has(input.deviceType)) return false;
    const userAgent = input.userAgent;
    if (typeof userAgent !== 'string' || userAgent.length < 1 || userAgent.length > LIMITS.userAgentLength) {
      return false;
    }
    const eventTime = input.eventTime;
    if (typeof eventTime !== 'string' || !isIsoDateTimeUtc(eventTime)) return false;

    // The cross-field rules of click-event.ts `crossFieldIssues`.
    const type = eventType as ClickEvent['eventType'];
    if (productId === null && productEventTypes.has(type)) return false;
    if (quantity === null && quantityEventTypes.has(type)) return false;
    if (searchQuery === null && type === 'search') return false;
    return true;
  }

  function fastClickEvent(json: unknown): ClickEvent | undefined {
    if (!accepts(json)) return undefined;
    // Keys in the schema's order, as zod writes them.
    return {
      eventId: json.eventId,
      sessionId: json.sessionId,
      userId: json.userId ?? null,
      eventType: json.eventType,
      productId: json.productId ?? null,
      category: json.category ?? null,
      priceSeen: json.priceSeen ?? null,
      quantity: json.quantity ?? null,
      searchQuery: json.searchQuery ?? null,
      trafficSource: json.trafficSource,
      deviceType: json.deviceType,
      userAgent: json.userAgent,
      eventTime: canonicalEventTime(json.eventTime),
    };
  }
  return Object.assign(fastClickEvent, { accepts });
}
