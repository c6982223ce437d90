/**
 * A click event read straight from its bytes, for the fast path: no text decoded, no JSON.parse, no
 * object per event, and strings made only for the facts the batch keeps.
 *
 * Why it exists: on the fast-path bench, decoding each record to text, JSON.parse and validating the
 * parsed object took over half of the handler's time (issue 5: ≥ 200,000 events/s on one core); a
 * single pass over the bytes does the same work for an event as producers write it in about half.
 *
 * It is only a shortcut for the common case, and it says "yes" only when sure. It reads exactly one
 * form: what JSON.stringify writes for a click event — a flat object, no whitespace, each key once,
 * only the schema's keys, strings of printable ASCII without escapes, non-negative integers without
 * leading zeros, `null`, and eventTime in the canonical 24-character form. For anything else (an
 * escape, a non-ASCII character, an unknown key, a space, another timestamp form, any broken rule) it
 * says "not read here", and the caller decides the record the reference way (parseClickEvent: decode,
 * JSON.parse, zod, and the reason). So it never needs to give a reason, and for what it reads, its
 * rules are the schema's: test/unit/domain/click-reader/byte-reader.properties.test.ts requires, for
 * valid, near-valid and byte-mutated events, that whatever it reads parseClickEvent accepts with the
 * same facts, and that it reads every valid event written in that form.
 */
import type { ClickEventRules, EventType } from '../click-event.js';
import { LIMITS } from '../limits.js';
import { canonicalInstantOfBytes } from '../time.js';
import { InternedAscii } from './interned-ascii.js';

/** What the fast path reads of one click event. One object, refilled per record. */
export interface ClickFacts {
  eventId: string;
  sessionId: string;
  eventType: EventType;
  productId: string | null;
  category: string | null;
  quantity: number | null;
  /** The instant of eventTime, epoch ms. */
  eventTimeMs: number;
}

/** An object to read click facts into (what it holds before the first read means nothing). */
export function newClickFacts(): ClickFacts {
  return {
    eventId: '',
    sessionId: '',
    eventType: 'page_view',
    productId: null,
    category: null,
    quantity: null,
    eventTimeMs: 0,
  };
}

/** The schema's keys, each with its place in the reader's tables. */
const FIELDS = [
  'eventId',
  'sessionId',
  'userId',
  'eventType',
  'productId',
  'category',
  'priceSeen',
  'quantity',
  'searchQuery',
  'trafficSource',
  'deviceType',
  'userAgent',
  'eventTime',
] as const;
type Field = (typeof FIELDS)[number];
const AT = Object.fromEntries(FIELDS.map((field, index) => [field, index])) as Record<Field, number>;

/** What a key's value was: how the reader records it. */
const ABSENT = 0;
const STRING = 1;
const NULL = 2;
const INTEGER = 3;

/** Bytes a string may hold here: printable ASCII but `"` (which ends it) and `\` (an escape). */
const PLAIN = new Uint8Array(256);
for (let code = 0x20; code < 0x7f; code++) PLAIN[code] = 1;
PLAIN[0x22] = 0;
PLAIN[0x5c] = 0;

/** fields.ts `identifier`: `/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/`. 1 = any position, 2 = not first. */
const IDENTIFIER = new Uint8Array(256);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789') IDENTIFIER[char.charCodeAt(0)] = 1;
for (const char of '_.:-') IDENTIFIER[char.charCodeAt(0)] = 2;

const QUOTE = 0x22;
const COMMA = 0x2c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const HYPHEN = 0x2d;
const N = 0x6e;
const U = 0x75;
const L = 0x6c;
/** Digits read as an integer at most: any such number is exact in a double. */
const MAX_DIGITS = 15;

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

/**
 * Reads the click event in `bytes[0, length)` into `into` and says true, or says false when it does
 * not read it here (see the top of this file); `into` then holds nothing meaningful.
 */
export type ClickReader = (bytes: Buffer, length: number, into: ClickFacts) => boolean;

/**
 * One record split into its keys' values: where each lies ([starts, ends) of a string, or its
 * integer), refilled per record, and the checks of fields.ts on them. One instance per reader.
 */
class SplitRecord {
  readonly kinds = new Uint8Array(FIELDS.length);
  readonly starts = new Int32Array(FIELDS.length);
  readonly ends = new Int32Array(FIELDS.length);
  readonly integers = new Float64Array(FIELDS.length);

  /** `keys[field]` is the field's `"name":` in ASCII. */
  constructor(private readonly keys: readonly Uint8Array[]) {}

  /** Splits the object into its keys' values; false unless it is exactly the one form read here. */
  split(bytes: Buffer, length: number): boolean {
    const { kinds, starts, ends, integers } = this;
    kinds.fill(ABSENT);
    const last = length - 1;
    if (length < 2 || bytes[0] !== OPEN || bytes[last] !== CLOSE) return false;
    let at = 1;
    let expected = 0;
    for (;;) {
      const field = this.keyAt(bytes, at, length, expected);
      if (field < 0 || kinds[field] !== ABSENT) return false;
      at += (this.keys[field] as Uint8Array).length;
      expected = field + 1 === FIELDS.length ? 0 : field + 1;
      const first = bytes[at];
      if (first === QUOTE) {
        const start = ++at;
        while (at < last && PLAIN[bytes[at] as number] === 1) at++;
        if (bytes[at] !== QUOTE || at === last) return false;
        kinds[field] = STRING;
        starts[field] = start;
        ends[field] = at++;
      } else if (first === N) {
        if (bytes[at + 1] !== U || bytes[at + 2] !== L || bytes[at + 3] !== L) return false;
        kinds[field] = NULL;
        at += 4;
      } else if (first !== undefined && first >= DIGIT_0 && first <= DIGIT_9) {
        const start = at;
        let value = 0;
        for (let digit = first; digit >= DIGIT_0 && digit <= DIGIT_9 && at < last; digit = bytes[++at] as number) {
          value = value * 10 + (digit - DIGIT_0);
        }
        // JSON writes no leading zero; after the digits comes `,` or `}` (not `.` or `e`, checked below).
        if ((first === DIGIT_0 && at - start > 1) || at - start > MAX_DIGITS) return false;
        kinds[field] = INTEGER;
        integers[field] = value;
      } else {
        return false;
      }
      if (at === last) return true;
      if (bytes[at] !== COMMA) return false;
      at++;
    }
  }

  /** The index of the key at `at` (its quote), or -1; `expected` is tried first (keys come in order). */
  private keyAt(bytes: Buffer, at: number, length: number, expected: number): number {
    for (let tried = 0; tried < FIELDS.length; tried++) {
      const field = expected + tried < FIELDS.length ? expected + tried : expected + tried - FIELDS.length;
      const key = this.keys[field] as Uint8Array;
      if (at + key.length > length) continue;
      let index = 0;
      while (index < key.length && bytes[at + index] === key[index]) index++;
      if (index === key.length) return field;
    }
    return -1;
  }

  /** fields.ts `identifier`: `/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/`, at most idLength long. */
  isIdentifier(bytes: Buffer, field: number): boolean {
    if (this.kinds[field] !== STRING) return false;
    const start = this.starts[field] as number;
    const end = this.ends[field] as number;
    if (end - start < 1 || end - start > LIMITS.idLength || IDENTIFIER[bytes[start] as number] !== 1) return false;
    for (let at = start + 1; at < end; at++) if (IDENTIFIER[bytes[at] as number] === 0) return false;
    return true;
  }

  /** fields.ts `categorySlug`: `/^[a-z0-9]+(-[a-z0-9]+)*$/`, at most categoryLength long. */
  isCategorySlug(bytes: Buffer, field: number): boolean {
    if (this.kinds[field] !== STRING) return false;
    const start = this.starts[field] as number;
    const end = this.ends[field] as number;
    if (end - start < 1 || end - start > LIMITS.categoryLength) return false;
    let afterHyphen = true;
    for (let at = start; at < end; at++) {
      const code = bytes[at] as number;
      if (code === HYPHEN) {
        if (afterHyphen) return false;
        afterHyphen = true;
      } else if ((code >= 0x61 && code <= 0x7a) || (code >= DIGIT_0 && code <= DIGIT_9)) {
        afterHyphen = false;
      } else {
        return false;
      }
    }
    return !afterHyphen;
  }

  /** The index in `members` of the string value of `field`, or -1. */
  memberOf(bytes: Buffer, field: number, members: readonly Uint8Array[]): number {
    if (this.kinds[field] !== STRING) return -1;
    const start = this.starts[field] as number;
    const length = (this.ends[field] as number) - start;
    for (let member = 0; member < members.length; member++) {
      const candidate = members[member] as Uint8Array;
      if (candidate.length !== length) continue;
      let index = 0;
      while (index < length && bytes[start + index] === candidate[index]) index++;
      if (index === length) return member;
    }
    return -1;
  }

  /** A string of `field` within min..max characters (ASCII here: bytes are UTF-16 code units). */
  isTextOf(field: number, min: number, max: number): boolean {
    const length = (this.ends[field] as number) - (this.starts[field] as number);
    return this.kinds[field] === STRING && length >= min && length <= max;
  }

  /**
   * Whether a nullable fact is absent or null; if not, it must be a valid value (each check here
   * checks the value's kind too).
   */
  isNullish(field: number): boolean {
    return this.kinds[field] === ABSENT || this.kinds[field] === NULL;
  }

  isIntegerIn(field: number, min: number, max: number): boolean {
    const value = this.integers[field] as number;
    return this.kinds[field] === INTEGER && value >= min && value <= max;
  }
}

/** Compiles the reader for the rules of click-event.ts (each with one definition, passed in). */
export function compileClickReader(rules: ClickEventRules): ClickReader {
  const eventTypes = rules.eventTypes.map(ascii);
  const trafficSources = rules.trafficSources.map(ascii);
  const deviceTypes = rules.deviceTypes.map(ascii);
  const needsProduct = rules.eventTypes.map((type) => rules.productEventTypes.has(type));
  const needsQuantity = rules.eventTypes.map((type) => rules.quantityEventTypes.has(type));
  const isSearch = rules.eventTypes.map((type) => type === 'search');
  const record = new SplitRecord(FIELDS.map((field) => ascii(`"${field}":`)));
  const { starts, ends, integers } = record;
  // Sessions, products and categories repeat across a batch and across batches.
  const interned = new InternedAscii();

  return function readClick(bytes: Buffer, length: number, into: ClickFacts): boolean {
    if (!record.split(bytes, length)) return false;
    // The rules of the zod schema, field by field, then the cross-field rules.
    if (!record.isIdentifier(bytes, AT.eventId) || !record.isIdentifier(bytes, AT.sessionId)) return false;
    if (!record.isNullish(AT.userId) && !record.isIdentifier(bytes, AT.userId)) return false;
    const eventType = record.memberOf(bytes, AT.eventType, eventTypes);
    if (eventType < 0) return false;
    const hasProduct = !record.isNullish(AT.productId);
    if (hasProduct && !record.isIdentifier(bytes, AT.productId)) return false;
    const hasCategory = !record.isNullish(AT.category);
    if (hasCategory && !record.isCategorySlug(bytes, AT.category)) return false;
    if (!record.isNullish(AT.priceSeen) && !record.isIntegerIn(AT.priceSeen, 0, LIMITS.maxCents)) return false;
    const hasQuantity = !record.isNullish(AT.quantity);
    if (hasQuantity && !record.isIntegerIn(AT.quantity, 1, LIMITS.maxQuantity)) return false;
    const hasSearchQuery = !record.isNullish(AT.searchQuery);
    if (hasSearchQuery && !record.isTextOf(AT.searchQuery, 1, LIMITS.searchQueryLength)) return false;
    if (record.memberOf(bytes, AT.trafficSource, trafficSources) < 0) return false;
    if (record.memberOf(bytes, AT.deviceType, deviceTypes) < 0) return false;
    if (!record.isTextOf(AT.userAgent, 1, LIMITS.userAgentLength)) return false;
    if (!record.isTextOf(AT.eventTime, 24, 24)) return false;
    const eventTimeMs = canonicalInstantOfBytes(bytes, starts[AT.eventTime] as number);
    if (Number.isNaN(eventTimeMs)) return false;
    if (!hasProduct && needsProduct[eventType]) return false;
    if (!hasQuantity && needsQuantity[eventType]) return false;
    if (!hasSearchQuery && isSearch[eventType]) return false;

    // Read. The eventId is new with every event: it gets a string of its own.
    into.eventId = bytes.toString('latin1', starts[AT.eventId] as number, ends[AT.eventId] as number);
    into.sessionId = interned.stringOf(bytes, starts[AT.sessionId] as number, ends[AT.sessionId] as number);
    into.eventType = rules.eventTypes[eventType] as EventType;
    into.productId = hasProduct
      ? interned.stringOf(bytes, starts[AT.productId] as number, ends[AT.productId] as number)
      : null;
    into.category = hasCategory
      ? interned.stringOf(bytes, starts[AT.category] as number, ends[AT.category] as number)
      : null;
    into.quantity = hasQuantity ? (integers[AT.quantity] as number) : null;
    into.eventTimeMs = eventTimeMs;
    return true;
  };
}
