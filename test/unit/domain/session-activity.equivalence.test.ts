import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SessionActivity,
  type SessionActivityOptions,
  type Verdict,
} from '../../../functions/domain/session-activity.js';

/*
 * SessionActivity was rewritten for speed (one Map lookup where there were three, bot memory looked
 * up only for sessions that ever were bots, the shard's watermark kept out of the Map). Its verdicts
 * must not change: this runs random event streams — duplicates, bursts past the bot rate, repeated
 * (session, product, minute, type), several shards, redeliveries, tiny capacities that force
 * forgetting — through it and through the implementation it replaced, and requires equal verdicts.
 */

// The implementation before the rewrite, verbatim.
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly capacity: number) {
    super();
  }
  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.capacity) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}

class ReferenceSessionActivity {
  private readonly botEventsPerMinute: number;
  private readonly botMemoryMs: number;
  private readonly maxPerSessionProductMinute: number;
  /** sessionId → events seen in its latest minute (updated in place: no allocation per event). */
  private readonly sessionMinute: BoundedMap<string, { minute: string; events: number }>;
  /** sessionId → epoch ms until which it is a bot. */
  private readonly bots: BoundedMap<string, number>;
  /** session|product|minute|type → events counted. */
  private readonly weights: BoundedMap<string, number>;
  private readonly eventIds: BoundedMap<string, true>;
  /**
   * Redeliveries are judged as before: per shard the highest (padded) sequence judged, and the
   * verdicts that were not 'count' (rare, so remembering only those costs almost nothing).
   */
  private readonly lastJudged = new Map<string, string>();
  private readonly exclusions: BoundedMap<string, Verdict>;

  constructor(options: SessionActivityOptions = {}) {
    this.botEventsPerMinute = options.botEventsPerMinute ?? 200;
    this.botMemoryMs = (options.botMemoryMinutes ?? 30) * 60_000;
    this.maxPerSessionProductMinute = options.maxPerSessionProductMinute ?? 3;
    const capacity = options.capacity ?? 200_000;
    this.sessionMinute = new BoundedMap(capacity);
    this.bots = new BoundedMap(capacity);
    this.weights = new BoundedMap(capacity);
    this.eventIds = new BoundedMap(capacity);
    this.exclusions = new BoundedMap(capacity);
  }

  /**
   * Judges one valid event, in shard order. `shardId` and the zero-padded `sequence` make the verdict
   * stable across redeliveries.
   */
  judge(
    shardId: string,
    sequence: string,
    event: {
      eventId: string;
      sessionId: string;
      eventType: string;
      productId: string | null;
      minute: string;
      eventTimeMs: number;
    },
  ): Verdict {
    const last = this.lastJudged.get(shardId);
    if (last !== undefined && sequence <= last) return this.exclusions.get(`${shardId}|${sequence}`) ?? 'count';
    this.lastJudged.set(shardId, sequence);
    const verdict = this.decide(event);
    if (verdict !== 'count') this.exclusions.set(`${shardId}|${sequence}`, verdict);
    return verdict;
  }

  private decide(event: Parameters<ReferenceSessionActivity['judge']>[2]): Verdict {
    if (this.eventIds.has(event.eventId)) return 'duplicate';
    this.eventIds.set(event.eventId, true);

    let seen = this.sessionMinute.get(event.sessionId);
    if (seen === undefined || seen.minute !== event.minute) {
      seen = { minute: event.minute, events: 0 };
      this.sessionMinute.set(event.sessionId, seen);
    }
    const events = ++seen.events;
    if (events > this.botEventsPerMinute) this.bots.set(event.sessionId, event.eventTimeMs + this.botMemoryMs);
    const botUntil = this.bots.get(event.sessionId);
    if (botUntil !== undefined && event.eventTimeMs <= botUntil) return 'bot';

    const weightKey = `${event.sessionId}|${event.productId}|${event.minute}|${event.eventType}`;
    const weight = (this.weights.get(weightKey) ?? 0) + 1;
    this.weights.set(weightKey, weight);
    return weight > this.maxPerSessionProductMinute ? 'over_session_cap' : 'count';
  }
}

interface Step {
  readonly shard: number;
  /** A redelivery re-judges an earlier step of the same shard. */
  readonly redeliver: number | null;
  readonly eventId: number;
  readonly session: number;
  readonly product: number | null;
  readonly eventType: string;
  readonly minute: number;
  readonly secondInMinute: number;
}

const step: fc.Arbitrary<Step> = fc.record({
  shard: fc.integer({ min: 0, max: 2 }),
  redeliver: fc.option(fc.nat(), { freq: 8 }),
  eventId: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 100_000 })),
  session: fc.integer({ min: 0, max: 3 }),
  product: fc.option(fc.integer({ min: 0, max: 1 }), { freq: 6 }),
  eventType: fc.constantFrom('product_view', 'add_to_cart', 'page_view'),
  minute: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 40 })),
  secondInMinute: fc.integer({ min: 0, max: 59 }),
});

/** fast-check keeps arrays short by default; bots and caps need a few dozen events per stream. */
const stream = fc.array(step, { minLength: 1, maxLength: 150, size: 'max' });

const options: fc.Arbitrary<SessionActivityOptions> = fc.record({
  botEventsPerMinute: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.constant(200)),
  botMemoryMinutes: fc.integer({ min: 0, max: 5 }),
  maxPerSessionProductMinute: fc.integer({ min: 1, max: 3 }),
  capacity: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constant(200_000)),
});

/** Sequence numbers zero-padded, as the replaced implementation required them. */
const padded = (sequence: number) => String(sequence).padStart(64, '0');

function verdicts(
  activity: Pick<SessionActivity, 'judge'>,
  steps: readonly Step[],
  written: (sequence: number) => string = padded,
): Verdict[] {
  const sequences = new Map<number, number>();
  const judged: { shard: number; sequence: number; step: Step }[] = [];
  return steps.map((original) => {
    const earlier = judged.filter((entry) => entry.shard === original.shard);
    const again = original.redeliver === null ? undefined : earlier[original.redeliver % Math.max(1, earlier.length)];
    const next = (sequences.get(original.shard) ?? 0) + 1;
    if (!again) sequences.set(original.shard, next);
    const { sequence, step } = again ?? { sequence: next, step: original };
    if (!again) judged.push({ shard: original.shard, sequence, step });
    const minuteMs = Date.UTC(2026, 10, 21, 10, step.minute);
    return activity.judge(`clicks/shard-${step.shard}`, written(sequence), {
      eventId: `e-${step.eventId}`,
      sessionId: `s-${step.session}`,
      eventType: step.eventType,
      productId: step.product === null ? null : `P${step.product}`,
      minute: new Date(minuteMs).toISOString(),
      eventTimeMs: minuteMs + step.secondInMinute * 1000,
    });
  });
}

describe('SessionActivity', () => {
  it('gives the same verdicts as the implementation it replaced, for any stream and options', () => {
    fc.assert(
      fc.property(options, stream, (opts, steps) => {
        expect(verdicts(new SessionActivity(opts), steps)).toEqual(verdicts(new ReferenceSessionActivity(opts), steps));
      }),
      { numRuns: 3_000 },
    );
  });

  it('gives the same verdicts for sequence numbers as Kinesis writes them (unpadded, varying length)', () => {
    // The fast path no longer pads: the new implementation gets e.g. "9" then "10", the reference
    // "0…09" then "0…10". A string comparison of the unpadded forms would order "10" before "9".
    fc.assert(
      fc.property(options, stream, (opts, steps) => {
        expect(verdicts(new SessionActivity(opts), steps, String)).toEqual(
          verdicts(new ReferenceSessionActivity(opts), steps),
        );
      }),
      { numRuns: 3_000 },
    );
  });

  it('still finds bots, caps and duplicates in such streams (the comparison is not vacuous)', () => {
    const seen = new Set<Verdict>();
    const samples = fc.sample(fc.tuple(options, stream), { numRuns: 300, seed: 7 });
    for (const [opts, steps] of samples) {
      for (const verdict of verdicts(new SessionActivity(opts), steps)) seen.add(verdict);
    }
    expect([...seen].sort()).toEqual(['bot', 'count', 'duplicate', 'over_session_cap']);
  });
});
