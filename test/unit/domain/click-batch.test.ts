import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BatchClassification,
  type ClickRecord,
  classifyBatch,
  MAX_FUTURE_SKEW_MS,
} from '../../../functions/domain/click-batch.js';
import { EVENT_TYPES, PRODUCT_EVENT_TYPES, parseClickEvent } from '../../../functions/domain/click-event.js';
import type { CounterDelta } from '../../../functions/domain/demand-counters.js';
import { LIMITS } from '../../../functions/domain/limits.js';
import { padSequence } from '../../../functions/domain/sequence-numbers.js';
import { SessionActivity } from '../../../functions/domain/session-activity.js';
import { minuteOf } from '../../../functions/domain/time.js';

/*
 * classifyBatch was rewritten for speed: it decodes base64 records into one reused buffer, reads the
 * fields of a valid event from the parsed JSON instead of a copy, reads eventTime's digits instead of
 * calling Date.parse, and compares sequence numbers unpadded. What it decides must not change. The
 * reference below is the rules written plainly — parseClickEvent for every record, Date.parse, padded
 * sequence numbers — and random batches (valid events, duplicates, bursts, broken JSON, bad UTF-8, a
 * byte-order mark, records around the size limit, unusual base64, future timestamps) must classify
 * the same through both, whether a record carries its bytes or their base64.
 */

const ARRIVAL_MS = Date.UTC(2026, 10, 21, 10, 5, 30);

function referenceClassify(records: readonly ClickRecord[], activity: SessionActivity) {
  const quarantined: { sequenceNumber: string; reason: string }[] = [];
  const contributions = new Map<string, { productId: string; minute: string; shardId: string; entries: object[] }>();
  const latest = new Map<string, { sequenceNumber: string; minute: string; category: string | null }>();
  const counts = {
    count: 0,
    duplicate: 0,
    bot: 0,
    over_session_cap: 0,
    unjudged: 0,
    quarantined: 0,
    notProductEvents: 0,
  };
  for (const record of records) {
    const parsed = parseClickEvent(record.data);
    if (!parsed.ok) {
      quarantined.push({ sequenceNumber: record.sequenceNumber, reason: parsed.reason });
      counts.quarantined++;
      continue;
    }
    const event = parsed.value;
    const eventTimeMs = Date.parse(event.eventTime);
    if (eventTimeMs - record.arrivalMs > MAX_FUTURE_SKEW_MS) {
      const reason = `eventTime ${event.eventTime} is more than 5 minutes after arrival`;
      quarantined.push({ sequenceNumber: record.sequenceNumber, reason });
      counts.quarantined++;
      continue;
    }
    const minute = minuteOf(event.eventTime);
    const verdict = activity.judge(record.shardId, padSequence(record.sequenceNumber), record.arrivalMs, {
      eventId: event.eventId,
      sessionId: event.sessionId,
      eventType: event.eventType,
      productId: event.productId,
      minute,
      eventTimeMs,
    });
    counts[verdict]++;
    if (event.productId === null || !PRODUCT_EVENT_TYPES.has(event.eventType)) {
      counts.notProductEvents++;
      continue;
    }
    const delta: CounterDelta =
      verdict === 'bot'
        ? { botEventsExcluded: 1 }
        : verdict === 'over_session_cap'
          ? { cappedEvents: 1 }
          : verdict === 'duplicate'
            ? { duplicateEvents: 1 }
            : {
                product_view: { views: 1 },
                add_to_cart: { carts: 1 },
                remove_from_cart: { removes: 1 },
                checkout_start: { checkouts: 1 },
                purchase: { purchases: 1, units: event.quantity ?? 1 },
              }[event.eventType as 'product_view'];
    const key = `${event.productId}|${minute}`;
    let contribution = contributions.get(key);
    if (!contribution) {
      contribution = { productId: event.productId, minute, shardId: record.shardId, entries: [] };
      contributions.set(key, contribution);
    }
    contribution.entries.push({ sequenceNumber: record.sequenceNumber, delta });
    const last = latest.get(event.productId);
    if (!last || minute >= last.minute) {
      latest.set(event.productId, { sequenceNumber: record.sequenceNumber, minute, category: event.category });
    }
  }
  return { quarantined, contributions: [...contributions], latest: [...latest], counts };
}

/** classifyBatch's result in the reference's terms (records named by sequence number). */
function comparable(batch: BatchClassification) {
  return {
    quarantined: batch.quarantined.map(({ record, reason }) => ({ sequenceNumber: record.sequenceNumber, reason })),
    contributions: [...batch.contributions].map(([key, { productId, minute, shardId, entries }]) => [
      key,
      { productId, minute, shardId, entries: entries.map(({ sequenceNumber, delta }) => ({ sequenceNumber, delta })) },
    ]),
    latest: [...batch.lastRecordByProduct].map(([productId, { record, minute, category }]) => [
      productId,
      { sequenceNumber: record.sequenceNumber, minute, category },
    ]),
    counts: batch.counts,
  };
}

const validEvent = fc.record({
  eventId: fc.integer({ min: 0, max: 300 }).map((n) => `e-${n}`),
  sessionId: fc.integer({ min: 0, max: 3 }).map((n) => `s-${n}`),
  eventType: fc.oneof({ weight: 3, arbitrary: fc.constant('product_view' as const) }, fc.constantFrom(...EVENT_TYPES)),
  productId: fc.option(fc.constantFrom('P00001', 'P00002', 'P00003'), { freq: 8 }),
  category: fc.option(fc.constantFrom('electronics', 'home-garden'), { freq: 3 }),
  priceSeen: fc.option(fc.integer({ min: 0, max: 10_000 })),
  quantity: fc.option(fc.integer({ min: 1, max: 5 }), { freq: 6 }),
  searchQuery: fc.option(fc.constantFrom('kettle', 'tv'), { freq: 6 }),
  trafficSource: fc.constantFrom('organic', 'email'),
  deviceType: fc.constantFrom('mobile', 'desktop'),
  userAgent: fc.constantFrom('Mozilla/5.0', 'curl/8'),
  // Around the arrival: earlier minutes, the minute boundary, and too far ahead.
  eventTime: fc
    .oneof(
      { weight: 4, arbitrary: fc.integer({ min: -20_000, max: 20_000 }) },
      fc.integer({ min: -4 * 60_000, max: MAX_FUTURE_SKEW_MS + 30_000 }),
    )
    .chain((offset) =>
      fc.constantFrom(
        new Date(ARRIVAL_MS + offset).toISOString(),
        new Date(ARRIVAL_MS + offset).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        new Date(ARRIVAL_MS + offset).toISOString().replace(/Z$/, '4567Z'),
      ),
    ),
});

const text = (value: string) => new TextEncoder().encode(value);
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((part) => [...part]));

/** A record's bytes: mostly valid events, and every way decoding can fail or nearly fail. */
const payload: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 8, arbitrary: validEvent.map((event) => text(JSON.stringify(event))) },
  // Invalid after decoding: zod gives the reason.
  validEvent.map((event) => text(JSON.stringify({ ...event, quantity: 'two', eventType: 'add_to_cart' }))),
  validEvent.map((event) => text(JSON.stringify({ ...event, eventTime: 'yesterday' }))),
  // A byte-order mark: the strict decoder drops it, JSON.parse would not.
  validEvent.map((event) => concat(Uint8Array.of(0xef, 0xbb, 0xbf), text(JSON.stringify(event)))),
  // Valid UTF-8 beyond ASCII, including a U+FFFD of its own (the fast path's sign of bad bytes).
  validEvent.map((event) => text(JSON.stringify({ ...event, userAgent: 'Mözilla/5.0 \u{1F600}' }))),
  validEvent.map((event) => text(JSON.stringify({ ...event, userAgent: 'Mozilla/5.0 \uFFFD' }))),
  // Not UTF-8: a stray byte, a surrogate, an overlong form, a sequence cut short; not JSON; not an object.
  fc.tuple(validEvent, fc.constantFrom([0xff], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xe2, 0x82])).map(([event, bad]) => {
    const json = JSON.stringify({ ...event, userAgent: 'Mozilla/5.0' });
    const at = json.indexOf('Mozilla');
    return concat(text(json.slice(0, at)), Uint8Array.from(bad), text(json.slice(at)));
  }),
  fc.constantFrom(text('{"eventId": "broken",'), text('[]'), text('null'), text(''), Uint8Array.of(0xc3)),
  fc.uint8Array({ maxLength: 40 }),
  // Around the size limit, valid apart from size.
  fc.tuple(validEvent, fc.integer({ min: -3, max: 3 })).map(([event, over]) => {
    const base = JSON.stringify({ ...event, padding: '' });
    const padding = 'x'.repeat(LIMITS.maxEventBytes + over - base.length);
    return text(JSON.stringify({ ...event, padding }));
  }),
  fc.constant(text(JSON.stringify({ padding: 'y'.repeat(20_000) }))),
);

/** How the base64 is written: as Kinesis does, or in forms Node's decoder also accepts. */
const base64Form = fc.constantFrom<(bytes: Uint8Array) => string>(
  (bytes) => Buffer.from(bytes).toString('base64'),
  (bytes) =>
    Buffer.from(bytes)
      .toString('base64')
      .replace(/={1,2}$/, ''),
  (bytes) =>
    Buffer.from(bytes)
      .toString('base64')
      .replace(/(.{76})/g, '$1\n'),
  (bytes) => `${Buffer.from(bytes).toString('base64')}====`,
);

/** A record as the Lambda handler builds it: base64 kept, `data` decoded on each read. */
function base64Record(sequenceNumber: string, base64: string, arrivalMs: number): ClickRecord {
  return {
    shardId: 'clicks/shardId-000000000000',
    sequenceNumber,
    arrivalMs,
    base64,
    get data() {
      return Buffer.from(base64, 'base64');
    },
  };
}

const batch = fc
  .array(fc.tuple(payload, base64Form, fc.boolean()), { minLength: 1, maxLength: 60, size: 'medium' })
  .map((items) =>
    items.map(([bytes, form, kinesisLike], index) => {
      // Lengths vary across a power of ten, as real sequence numbers' do not but could.
      const sequenceNumber = String(95 + index * 3);
      const arrivalMs = ARRIVAL_MS;
      return kinesisLike
        ? base64Record(sequenceNumber, form(bytes), arrivalMs)
        : { shardId: 'clicks/shardId-000000000000', sequenceNumber, data: bytes, arrivalMs };
    }),
  );

const activityOptions = { botEventsPerMinute: 4, maxPerSessionProductMinute: 2, capacity: 50 };

describe('classifyBatch', () => {
  it('classifies random batches exactly as the plainly written rules do', () => {
    fc.assert(
      fc.property(batch, (records) => {
        const expected = referenceClassify(records, new SessionActivity(activityOptions));
        const actual = comparable(classifyBatch(records, new SessionActivity(activityOptions)));
        expect(actual).toEqual(expected);
      }),
      { numRuns: 1_500 },
    );
  });

  it('gives the same result whether records carry their bytes or their base64', () => {
    fc.assert(
      fc.property(batch, (records) => {
        const asBytes = records.map(({ shardId, sequenceNumber, data, arrivalMs }) => ({
          shardId,
          sequenceNumber,
          data: Uint8Array.from(data),
          arrivalMs,
        }));
        expect(comparable(classifyBatch(records, new SessionActivity(activityOptions)))).toEqual(
          comparable(classifyBatch(asBytes, new SessionActivity(activityOptions))),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('the comparison is not vacuous: batches hold every verdict and every kind of reason', () => {
    const verdicts = new Set<string>();
    const reasons = new Set<string>();
    for (const records of fc.sample(batch, { numRuns: 300, seed: 5 })) {
      const result = classifyBatch(records, new SessionActivity(activityOptions));
      for (const [verdict, count] of Object.entries(result.counts)) if (count > 0) verdicts.add(verdict);
      for (const { reason } of result.quarantined) reasons.add(reason.split(/[: ]/)[0] ?? '');
    }
    expect([...verdicts].sort()).toEqual(
      ['bot', 'count', 'duplicate', 'notProductEvents', 'over_session_cap', 'quarantined'].sort(),
    );
    // Size, UTF-8 and JSON ("record …"), zod's field reasons, non-objects, and future timestamps.
    expect([...reasons]).toEqual(expect.arrayContaining(['record', 'quantity', 'eventTime', '(root)', 'productId']));
  });

  it('throws on a counted record whose sequence number is not one, as padSequence did', () => {
    const event = {
      eventId: 'e-1',
      sessionId: 's-1',
      eventType: 'product_view',
      productId: 'P00001',
      trafficSource: 'organic',
      deviceType: 'mobile',
      userAgent: 'Mozilla/5.0',
      eventTime: new Date(ARRIVAL_MS).toISOString(),
    };
    const base64 = Buffer.from(JSON.stringify(event)).toString('base64');
    expect(() => classifyBatch([base64Record('12a', base64, ARRIVAL_MS)], new SessionActivity())).toThrow(
      new RangeError('not a sequence number: 12a'),
    );
    // A quarantined record is set aside before its sequence number is looked at.
    const broken = Buffer.from('{').toString('base64');
    expect(classifyBatch([base64Record('12a', broken, ARRIVAL_MS)], new SessionActivity()).counts.quarantined).toBe(1);
  });
});
