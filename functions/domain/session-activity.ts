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

import { compareSequences, padSequence } from './sequence-numbers.js';

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

/**
 * A Map that forgets its oldest entries past `capacity` (insertion order is age). `insert` and
 * `addIfAbsent` cost one hash lookup where `has` + `set` cost three: they run for every event.
 */
class BoundedMap<K, V> extends Map<K, V> {
  private readonly capacity: number;
  constructor(capacity: number) {
    super();
    // Evicting after inserting equals evicting before, for any capacity of at least 1; a capacity of
    // 0 always behaved as 1.
    this.capacity = Math.max(1, capacity);
  }
  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.capacity) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
  /** Adds a key known to be absent. */
  insert(key: K, value: V): void {
    super.set(key, value);
    if (this.size > this.capacity) this.evictOldest();
  }
  /** Adds `key` with `value` unless present (then nothing changes); whether it was added. */
  addIfAbsent(key: K, value: V): boolean {
    const before = this.size;
    // Map#set on a present key keeps its place; here the value is the same constant, so it is a no-op.
    super.set(key, value);
    if (this.size === before) return false;
    if (this.size > this.capacity) this.evictOldest();
    return true;
  }
  /** Changes the value of a key known to be present (its age stays). */
  replace(key: K, value: V): void {
    super.set(key, value);
  }
  private evictOldest(): void {
    const oldest = this.keys().next();
    if (!oldest.done) this.delete(oldest.value);
  }
}

/** A session's events in its latest minute, updated in place: no allocation per event. */
interface SessionMinute {
  minute: string;
  events: number;
  /** False only while `bots` cannot hold this session: saves a lookup per event for shoppers. */
  mayBeBot: boolean;
}

export class SessionActivity {
  private readonly botEventsPerMinute: number;
  private readonly botMemoryMs: number;
  private readonly maxPerSessionProductMinute: number;
  /** sessionId → events seen in its latest minute. */
  private readonly sessionMinute: BoundedMap<string, SessionMinute>;
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
  /** The shard judged last and its highest sequence: `lastJudged`'s entry for it, kept out of the Map. */
  private currentShard: string | undefined;
  private currentLast: string | undefined;
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
   * Judges one valid event, in shard order. `shardId` and `sequence` (a sequence number, padded or
   * as Kinesis wrote it: they are compared as numbers) make the verdict stable across redeliveries.
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
    if (shardId !== this.currentShard) {
      // Batches hold one shard: the Map is touched only when the shard changes.
      if (this.currentShard !== undefined && this.currentLast !== undefined) {
        this.lastJudged.set(this.currentShard, this.currentLast);
      }
      this.currentShard = shardId;
      this.currentLast = this.lastJudged.get(shardId);
    }
    const last = this.currentLast;
    if (last !== undefined && compareSequences(sequence, last) <= 0) {
      return this.exclusions.get(`${shardId}|${padSequence(sequence)}`) ?? 'count';
    }
    this.currentLast = sequence;
    const verdict = this.decide(event);
    if (verdict !== 'count') this.exclusions.set(`${shardId}|${padSequence(sequence)}`, verdict);
    return verdict;
  }

  private decide(event: Parameters<SessionActivity['judge']>[2]): Verdict {
    if (!this.eventIds.addIfAbsent(event.eventId, true)) return 'duplicate';

    const { sessionId, minute, eventTimeMs } = event;
    let seen = this.sessionMinute.get(sessionId);
    if (seen === undefined) {
      seen = { minute, events: 0, mayBeBot: this.bots.size > 0 && this.bots.has(sessionId) };
      this.sessionMinute.insert(sessionId, seen);
    } else if (seen.minute !== minute) {
      // In place: Map#set on a present key would keep its age too.
      seen.minute = minute;
      seen.events = 0;
    }
    const events = ++seen.events;
    if (events > this.botEventsPerMinute) {
      this.bots.set(sessionId, eventTimeMs + this.botMemoryMs);
      seen.mayBeBot = true;
    }
    if (seen.mayBeBot) {
      const botUntil = this.bots.get(sessionId);
      if (botUntil !== undefined && eventTimeMs <= botUntil) return 'bot';
    }

    const weightKey = `${sessionId}|${event.productId}|${minute}|${event.eventType}`;
    const counted = this.weights.get(weightKey);
    if (counted === undefined) {
      this.weights.insert(weightKey, 1);
      return 1 > this.maxPerSessionProductMinute ? 'over_session_cap' : 'count';
    }
    this.weights.replace(weightKey, counted + 1);
    return counted + 1 > this.maxPerSessionProductMinute ? 'over_session_cap' : 'count';
  }
}
