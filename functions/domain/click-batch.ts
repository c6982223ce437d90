import {
  type ClickEvent,
  canonicalEventTime,
  type EventType,
  PRODUCT_EVENT_TYPES,
  parseClickEvent,
} from './click-event.js';
import { type ClickFacts, newClickFacts, readClick } from './click-reader/read-click.js';
import type { CounterDelta, KeyContribution } from './demand-counters.js';
import { LIMITS } from './limits.js';
import { checkSequenceNumber } from './sequence-numbers.js';
import type { Judge, Judgement, Verdict } from './session-activity.js';
import { toEpochMs, toIso } from './time.js';

/** One stream record, as the fast path needs it (decoded from a Kinesis event record). */
export interface ClickRecord {
  /** The shard, qualified with its stream (shard ids repeat across streams). */
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly data: Uint8Array;
  /** When Kinesis received it, epoch ms (ISO strings are built only where one is written). */
  readonly arrivalMs: number;
  /**
   * The same bytes in base64, when the record came so (a Lambda Kinesis record): classifyBatch then
   * decodes them into one reused buffer, so a batch needs no Buffer per record; `data` may then
   * decode them again on each read (see clickRecordsOf).
   */
  readonly base64?: string;
}

/*
 * Each entry's delta is one of a few shared, frozen objects instead of one allocated per record: the
 * fast path builds one entry per product event. Frozen, so a consumer can never change another
 * entry's delta through its own.
 */
const COUNTED_DELTA_OF_EVENT: ReadonlyMap<string, CounterDelta> = new Map<EventType, CounterDelta>([
  ['product_view', Object.freeze({ views: 1 })],
  ['add_to_cart', Object.freeze({ carts: 1 })],
  ['remove_from_cart', Object.freeze({ removes: 1 })],
  ['checkout_start', Object.freeze({ checkouts: 1 })],
  // purchase: by quantity, see purchaseDelta
]);

const EXCLUDED_DELTA: Record<Exclude<Verdict, 'count'>, CounterDelta> = {
  bot: Object.freeze({ botEventsExcluded: 1 }),
  over_session_cap: Object.freeze({ cappedEvents: 1 }),
  duplicate: Object.freeze({ duplicateEvents: 1 }),
};

/** Purchase deltas by quantity (1..LIMITS.maxQuantity), made on first use. */
const purchaseDeltas: CounterDelta[] = [];
function purchaseDelta(units: number): CounterDelta {
  let delta = purchaseDeltas[units];
  if (delta === undefined) {
    delta = Object.freeze({ purchases: 1, units });
    purchaseDeltas[units] = delta;
  }
  return delta;
}

/** A product's latest record in a batch: what a pricing decision is attributed to. */
export interface LatestProductRecord {
  readonly record: ClickRecord;
  readonly minute: string;
  readonly category: string | null;
}

export interface QuarantinedRecord {
  readonly record: ClickRecord;
  readonly reason: string;
}

export interface BatchClassification {
  readonly quarantined: QuarantinedRecord[];
  /** By `productId|minute`. */
  readonly contributions: Map<string, KeyContribution>;
  /** The latest record per product: what a pricing decision is attributed to. */
  readonly lastRecordByProduct: Map<string, LatestProductRecord>;
  readonly counts: Record<Judgement | 'quarantined' | 'notProductEvents', number>;
  /** The first record the judge had never judged (see Judgement), if any: it and those like it are not counted. */
  readonly firstUnjudged: ClickRecord | undefined;
}

const MINUTE_MS = 60_000;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Events timestamped further ahead of their arrival than this are quarantined: a broken clock. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/**
 * Where a base64 record is decoded, one at a time: room for the largest record accepted and a few
 * bytes more, so a bigger one (truncated by the write) always decodes to more than the limit.
 */
const scratch = Buffer.allocUnsafe(LIMITS.maxEventBytes + 4);

/**
 * Reads the click event in a record into `facts`, or gives the reason it is not one: exactly
 * parseClickEvent's answer. Two ways: readClick, straight from the bytes (base64 decoded into
 * `scratch`, so no Buffer per record), for every event as producers write it; else parseClickEvent
 * itself, which decides the rest and gives the reason.
 */
function readClickFacts(record: ClickRecord, facts: ClickFacts): string | undefined {
  if (record.base64 !== undefined) {
    const size = scratch.write(record.base64, 'base64');
    if (size <= LIMITS.maxEventBytes && readClick(scratch, size, facts)) return undefined;
  } else {
    const data = record.data;
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.byteLength <= LIMITS.maxEventBytes && readClick(bytes, bytes.byteLength, facts)) return undefined;
  }
  const parsed = parseClickEvent(record.data);
  return parsed.ok ? readFacts(parsed.value, facts) : parsed.reason;
}

/** Copies what the fast path reads of a validated event into `facts`. */
function readFacts(event: ClickEvent, facts: ClickFacts): undefined {
  facts.eventId = event.eventId;
  facts.sessionId = event.sessionId;
  facts.eventType = event.eventType;
  facts.productId = event.productId ?? null;
  facts.category = event.category ?? null;
  facts.quantity = event.quantity ?? null;
  facts.eventTimeMs = toEpochMs(canonicalEventTime(event.eventTime));
  return undefined;
}

/**
 * Decodes, validates and judges a batch (records of ONE shard, in order), and pre-aggregates what is
 * counted by (product, event-time minute) so the store makes one write per key. Bad records are set
 * aside for quarantine with their reason; they never fail the batch.
 */
export function classifyBatch(records: readonly ClickRecord[], activity: Judge): BatchClassification {
  const quarantined: QuarantinedRecord[] = [];
  const contributions = new Map<string, KeyContribution>();
  const lastRecordByProduct = new Map<string, LatestProductRecord>();
  const counts = {
    count: 0,
    duplicate: 0,
    bot: 0,
    over_session_cap: 0,
    unjudged: 0,
    quarantined: 0,
    notProductEvents: 0,
  };
  let firstUnjudged: ClickRecord | undefined;

  // Per batch, the contributions by minute then product: a minute's string is shared by all its
  // records (see below), so finding a contribution costs no key concatenation.
  const byMinute = new Map<string, Map<string, KeyContribution>>();
  let minuteStartMs = Number.NaN;
  let minute = '';
  let minuteContributions = new Map<string, KeyContribution>();
  // What each record is read into and what activity.judge reads: one object refilled per record
  // (judge keeps none of it).
  const event: ClickFacts & { minute: string } = { ...newClickFacts(), minute: '' };

  for (const record of records) {
    const reason = readClickFacts(record, event);
    if (reason !== undefined) {
      quarantined.push({ record, reason });
      counts.quarantined++;
      continue;
    }
    const eventTimeMs = event.eventTimeMs;
    if (eventTimeMs - record.arrivalMs > MAX_FUTURE_SKEW_MS) {
      // A valid eventTime is canonical: toIso gives it back as written.
      quarantined.push({ record, reason: `eventTime ${toIso(eventTimeMs)} is more than 5 minutes after arrival` });
      counts.quarantined++;
      continue;
    }
    // A batch's events fall in a few minutes: build each minute's string once, so records share it
    // (cheap to compare and to hash, and one string instead of one per record).
    // Division, not `%`: the remainder of a double is a call out of optimised code (fmod).
    const startMs = Math.floor(eventTimeMs / MINUTE_MS) * MINUTE_MS;
    if (startMs !== minuteStartMs) {
      minuteStartMs = startMs;
      // minuteOf(eventTime): eventTime is canonical, so its minute is the canonical form of startMs.
      minute = toIso(startMs);
      let forMinute = byMinute.get(minute);
      if (forMinute === undefined) {
        forMinute = new Map();
        byMinute.set(minute, forMinute);
      }
      minuteContributions = forMinute;
    }
    checkSequenceNumber(record.sequenceNumber);
    event.minute = minute;
    const verdict = activity.judge(record.shardId, record.sequenceNumber, record.arrivalMs, event);
    counts[verdict]++;
    if (verdict === 'unjudged') {
      firstUnjudged ??= record;
      continue;
    }
    const { productId, eventType } = event;
    if (productId === null || !PRODUCT_EVENT_TYPES.has(eventType)) {
      counts.notProductEvents++;
      continue;
    }
    const delta =
      verdict !== 'count'
        ? EXCLUDED_DELTA[verdict]
        : eventType === 'purchase'
          ? purchaseDelta(event.quantity ?? 1)
          : // A Map: the event type is a fresh string from JSON.parse, which as a property key would be
            // looked up in V8's string table first (measured on the fast-path bench).
            (COUNTED_DELTA_OF_EVENT.get(eventType) as CounterDelta);

    let contribution = minuteContributions.get(productId);
    if (contribution === undefined) {
      contribution = { productId, minute, shardId: record.shardId, entries: [] };
      minuteContributions.set(productId, contribution);
      contributions.set(`${productId}|${minute}`, contribution);
    }
    contribution.entries.push({ sequenceNumber: record.sequenceNumber, delta });
    const latest = lastRecordByProduct.get(productId);
    if (latest === undefined) {
      lastRecordByProduct.set(productId, { record, minute, category: event.category });
    } else if (minute >= latest.minute) {
      // In place: the Map's order is by first record either way, and the object is not yet shared.
      const mutable = latest as Mutable<LatestProductRecord>;
      mutable.record = record;
      mutable.minute = minute;
      mutable.category = event.category;
    }
  }
  return { quarantined, contributions, lastRecordByProduct, counts, firstUnjudged };
}
