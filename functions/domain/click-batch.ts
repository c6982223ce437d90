import { type EventType, parseClickEvent } from './click-event.js';
import { padSequence } from './sequence-numbers.js';
import type { SessionActivity, Verdict } from './session-activity.js';
import { minuteOf, toEpochMs } from './time.js';

/** One stream record, as the fast path needs it (decoded from a Kinesis event record). */
export interface ClickRecord {
  /** The shard, qualified with its stream (shard ids repeat across streams). */
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly data: Uint8Array;
  /** When Kinesis received it, epoch ms (ISO strings are built only where one is written). */
  readonly arrivalMs: number;
}

/** The counters of a demand item; `ADD`ed per batch. */
export const DEMAND_COUNTERS = [
  'views',
  'carts',
  'removes',
  'checkouts',
  'purchases',
  'units',
  'botEventsExcluded',
  'cappedEvents',
  'duplicateEvents',
] as const;
export type DemandCounter = (typeof DEMAND_COUNTERS)[number];
export type CounterDelta = Partial<Record<DemandCounter, number>>;

const COUNTER_OF_EVENT: Partial<Record<EventType, DemandCounter>> = {
  product_view: 'views',
  add_to_cart: 'carts',
  remove_from_cart: 'removes',
  checkout_start: 'checkouts',
  purchase: 'purchases',
};

const COUNTER_OF_EXCLUSION: Record<Exclude<Verdict, 'count'>, DemandCounter> = {
  bot: 'botEventsExcluded',
  over_session_cap: 'cappedEvents',
  duplicate: 'duplicateEvents',
};

/** One record's effect on one (product, minute) demand item. */
export interface CounterEntry {
  /** Zero-padded, comparable with the item's watermark for this shard. */
  readonly sequence: string;
  /** As Kinesis wrote it: what a batch item failure names. */
  readonly sequenceNumber: string;
  readonly delta: CounterDelta;
}

/** Everything one batch adds to one (product, minute) item, record by record, in shard order. */
export interface KeyContribution {
  readonly productId: string;
  readonly minute: string;
  readonly shardId: string;
  readonly entries: CounterEntry[];
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
  readonly counts: Record<Verdict | 'quarantined' | 'notProductEvents', number>;
}

/** Events timestamped further ahead of their arrival than this are quarantined: a broken clock. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/**
 * Decodes, validates and judges a batch (records of ONE shard, in order), and pre-aggregates what is
 * counted by (product, event-time minute) so the store makes one write per key. Bad records are set
 * aside for quarantine with their reason; they never fail the batch.
 */
export function classifyBatch(records: readonly ClickRecord[], activity: SessionActivity): BatchClassification {
  const quarantined: QuarantinedRecord[] = [];
  const contributions = new Map<string, KeyContribution>();
  const lastRecordByProduct = new Map<string, LatestProductRecord>();
  const counts = { count: 0, duplicate: 0, bot: 0, over_session_cap: 0, quarantined: 0, notProductEvents: 0 };

  for (const record of records) {
    const parsed = parseClickEvent(record.data);
    if (!parsed.ok) {
      quarantined.push({ record, reason: parsed.reason });
      counts.quarantined++;
      continue;
    }
    const event = parsed.value;
    const eventTimeMs = toEpochMs(event.eventTime);
    if (eventTimeMs - record.arrivalMs > MAX_FUTURE_SKEW_MS) {
      quarantined.push({ record, reason: `eventTime ${event.eventTime} is more than 5 minutes after arrival` });
      counts.quarantined++;
      continue;
    }
    const minute = minuteOf(event.eventTime);
    const sequence = padSequence(record.sequenceNumber);
    const verdict = activity.judge(record.shardId, sequence, {
      eventId: event.eventId,
      sessionId: event.sessionId,
      eventType: event.eventType,
      productId: event.productId,
      minute,
      eventTimeMs,
    });
    counts[verdict]++;
    const counter = COUNTER_OF_EVENT[event.eventType];
    if (event.productId === null || counter === undefined) {
      counts.notProductEvents++;
      continue;
    }
    const delta: CounterDelta =
      verdict !== 'count'
        ? { [COUNTER_OF_EXCLUSION[verdict]]: 1 }
        : counter === 'purchases'
          ? { purchases: 1, units: event.quantity ?? 1 }
          : { [counter]: 1 };

    const key = `${event.productId}|${minute}`;
    let contribution = contributions.get(key);
    if (!contribution) {
      contribution = { productId: event.productId, minute, shardId: record.shardId, entries: [] };
      contributions.set(key, contribution);
    }
    contribution.entries.push({
      sequence: padSequence(record.sequenceNumber),
      sequenceNumber: record.sequenceNumber,
      delta,
    });
    const latest = lastRecordByProduct.get(event.productId);
    if (!latest || minute >= latest.minute) {
      lastRecordByProduct.set(event.productId, { record, minute, category: event.category });
    }
  }
  return { quarantined, contributions, lastRecordByProduct, counts };
}

/** The sum of entries' deltas. */
export function sumDeltas(entries: readonly CounterEntry[]): CounterDelta {
  const total: CounterDelta = {};
  for (const { delta } of entries) {
    for (const [counter, value] of Object.entries(delta) as [DemandCounter, number][]) {
      total[counter] = (total[counter] ?? 0) + value;
    }
  }
  return total;
}
