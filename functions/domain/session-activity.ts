/**
 * What the fast path remembers about shoppers between batches, to keep bot traffic out of the demand
 * counters:
 *
 * - rate: a session with more than `botEventsPerMinute` events in one event-time minute is a bot;
 *   from that event on, its events are excluded for `botMemoryMinutes`;
 * - weight: one session adds at most `maxPerSessionProductMinute` events of each type to one
 *   product's counters in one minute (a shopper refreshing a page is not more demand);
 * - repeats: an eventId seen recently is a producer duplicate, even across batches.
 *
 * It lives in memory. Kinesis sends a session's events (partition key = sessionId) to one shard, in
 * order, and Lambda runs one invocation per shard at a time, usually in the same warm environment —
 * so memory sees a session's whole stream without a write per session. Memory is an optimisation
 * here, not the ledger: counting stays exactly-once through the per-shard watermarks (demand store),
 * and a verdict is remembered per record so that a redelivered record gets the same verdict.
 */

export interface SessionActivityOptions {
  /** @default 200 */
  readonly botEventsPerMinute?: number;
  /** @default 30 */
  readonly botMemoryMinutes?: number;
  /** @default 3 */
  readonly maxPerSessionProductMinute?: number;
  /** Sessions, eventIds and verdicts remembered; the oldest are forgotten first. @default 200000 */
  readonly capacity?: number;
}

/** What to do with one valid event. */
export type Verdict = 'count' | 'duplicate' | 'bot' | 'over_session_cap';

/** A Map that forgets its oldest entries past `capacity` (insertion order is age). */
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

export class SessionActivity {
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

  private decide(event: Parameters<SessionActivity['judge']>[2]): Verdict {
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
