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
 * A Map that forgets its oldest entries past `capacity` (insertion order is age). Entries leave only
 * by eviction. The age order is kept in a queue of its own: evicting through `keys().next()` walks
 * past every entry deleted since V8 last compacted the table, which made a full map quadratic. It
 * holds its Map rather than extending it, so no Map method (delete, clear) can bypass that queue.
 */
class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();
  private readonly order = new Fifo<K>();
  private readonly capacity: number;
  constructor(capacity: number) {
    // Evicting after inserting equals evicting before, for any capacity of at least 1; a capacity of
    // 0 always behaved as 1.
    this.capacity = Math.max(1, capacity);
  }
  get size(): number {
    return this.entries.size;
  }
  get(key: K): V | undefined {
    return this.entries.get(key);
  }
  has(key: K): boolean {
    return this.entries.has(key);
  }
  set(key: K, value: V): void {
    const before = this.entries.size;
    this.entries.set(key, value);
    if (this.entries.size !== before) this.added(key);
  }
  private added(key: K): void {
    this.order.push(key);
    if (this.entries.size > this.capacity) this.entries.delete(this.order.shift());
  }
}

/**
 * A queue, oldest first, in a ring buffer that doubles when full (Array#shift copies large arrays).
 * Its length is a power of two, so a position wraps with a mask.
 */
class Fifo<T> {
  private items: (T | undefined)[] = new Array(16);
  private mask = 15;
  private head = 0;
  size = 0;

  push(item: T): void {
    if (this.size === this.items.length) {
      const items = new Array<T | undefined>(this.items.length * 2);
      for (let index = 0; index < this.size; index++) items[index] = this.items[(this.head + index) & this.mask];
      this.items = items;
      this.mask = items.length - 1;
      this.head = 0;
    }
    this.items[(this.head + this.size) & this.mask] = item;
    this.size++;
  }

  /** Removes and gives the oldest item; the queue must not be empty. */
  shift(): T {
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.size--;
    return item;
  }
}

/**
 * What is remembered of one session, updated in place. Two things, each forgotten on its own
 * schedule (see SessionActivity): its latest minute, and its weight entries.
 */
class SessionMemory {
  /** Whether its latest minute is remembered: `minute`, `events` and `mayBeBot` mean nothing otherwise. */
  remembered = false;
  minute = '';
  events = 0;
  /** False only while `bots` cannot hold this session: saves a lookup per event for shoppers. */
  mayBeBot = false;
  /**
   * Its weight entries while it has at most FEW_WEIGHTS: one chain of them all (through `sibling`),
   * searched whole. Almost every shopper stays there, so a shopper costs no Map and an event no Map
   * lookup; `product` (a short id, interned by JSON.parse) mostly compares by identity.
   */
  few: WeightEntry | undefined = undefined;
  /**
   * Its weight entries once it has had more than FEW_WEIGHTS, until it has none: by product
   * (`${productId}`, so `null` is "null"). Per product, the entries of one minute form a chain (one
   * entry per event type, linked through `sibling`); a product whose entries share one minute holds
   * that chain itself, one with entries in several minutes holds a Map by minute of chains. A session
   * may send one product events in any number of distinct (past) minutes, so every lookup and every
   * eviction must stay O(1) however many it has: one chain over minutes was quadratic.
   */
  byProduct: Map<string, ProductWeights> | undefined = undefined;
  /** How many weight entries it has, in `few` or in `byProduct`. */
  weightCount = 0;

  constructor(readonly sessionId: string) {}
}

/** A product's weight entries in a session: one minute's chain, or chains by minute (see SessionMemory). */
type ProductWeights = WeightEntry | Map<string, WeightEntry>;

/** Events of one type one session added to one product in one minute. */
interface WeightEntry {
  counted: number;
  readonly minute: string;
  readonly eventType: string;
  readonly session: SessionMemory;
  readonly product: string;
  /**
   * The next entry of its chain: in a session's `few`, any other entry of the session; by product, an
   * entry of the same product and minute for another event type.
   */
  sibling: WeightEntry | undefined;
}

export class SessionActivity {
  private readonly botEventsPerMinute: number;
  private readonly botMemoryMs: number;
  private readonly maxPerSessionProductMinute: number;
  private readonly capacity: number;
  /**
   * sessionId → what is remembered of it. Two bounded memories share these objects, each forgetting
   * its oldest entries past `capacity` (insertion order is age), exactly as the two BoundedMaps they
   * replace did — one keyed `sessionId`, one keyed `${sessionId}|${productId}|${minute}|${eventType}`
   * (test/unit/domain/session-activity.equivalence.test.ts keeps the old class as the reference):
   * - the latest minute of each session (`minutes`, oldest first): its events in that minute;
   * - the weight entries (`weightEntries`, oldest first): what each (session, product, minute,
   *   event type) added to the counters.
   * (The one difference: two different tuples whose joined keys were equal — possible only when an
   * id, minute or event type contains `|`, which validated events never do — shared an entry.)
   * A session is dropped from this Map when both have forgotten it, so it holds at most 2 × capacity.
   * Why: a session lookup and a walk of at most FEW_WEIGHTS entries (or, past them, two small Map
   * lookups) per event, with no key built, replace a 60-character key built per event and two
   * lookups in a table of `capacity` entries (measured on the fast-path bench: about a sixth of the
   * handler's time; keeping a shopper's few entries in one chain instead of a Map by product gained
   * about 8% more). Every step is O(1) whatever one session sends: a chain per product (tried first)
   * made a session sending many distinct past minutes quadratic.
   */
  private readonly sessions = new Map<string, SessionMemory>();
  private readonly minutes = new Fifo<SessionMemory>();
  private readonly weightEntries = new Fifo<WeightEntry>();
  /** sessionId → epoch ms until which it is a bot. */
  private readonly bots: BoundedMap<string, number>;
  /**
   * eventIds seen, oldest forgotten first. A plain bounded Map: a hand-made string table measured
   * about 5% faster on the fast-path bench, which has twice the throughput its target asks.
   */
  private readonly eventIds: BoundedMap<string, true>;
  /**
   * Redeliveries are judged as before: per shard the highest sequence judged, and the verdicts that
   * were not 'count' (rare, so remembering only those costs almost nothing).
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
    // A capacity of 0 always behaved as 1 (see BoundedMap).
    this.capacity = Math.max(1, capacity);
    this.bots = new BoundedMap(capacity);
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
    if (this.eventIds.has(event.eventId)) return 'duplicate';
    this.eventIds.set(event.eventId, true);

    const { sessionId, minute, eventTimeMs } = event;
    let session = this.sessions.get(sessionId);
    if (session === undefined) {
      session = new SessionMemory(sessionId);
      this.sessions.set(sessionId, session);
    }
    if (!session.remembered) {
      session.remembered = true;
      session.minute = minute;
      session.events = 0;
      session.mayBeBot = this.bots.size > 0 && this.bots.has(sessionId);
      this.minutes.push(session);
      // The oldest is another session: capacity is at least 1.
      if (this.minutes.size > this.capacity) this.forgetMinute(this.minutes.shift());
    } else if (session.minute !== minute) {
      session.minute = minute;
      session.events = 0;
    }
    const events = ++session.events;
    if (events > this.botEventsPerMinute) {
      this.bots.set(sessionId, eventTimeMs + this.botMemoryMs);
      session.mayBeBot = true;
    }
    if (session.mayBeBot) {
      const botUntil = this.bots.get(sessionId);
      if (botUntil !== undefined && eventTimeMs <= botUntil) return 'bot';
    }

    const { eventType } = event;
    const product = `${event.productId}`;
    const byProduct = session.byProduct;
    let entry: WeightEntry | undefined;
    if (byProduct === undefined) {
      for (entry = session.few; entry !== undefined; entry = entry.sibling) {
        if (entry.product === product && entry.minute === minute && entry.eventType === eventType) break;
      }
    } else {
      entry = weightIn(byProduct, product, minute, eventType);
    }
    // Counted again, in place: the entry keeps its age.
    if (entry !== undefined) return ++entry.counted > this.maxPerSessionProductMinute ? 'over_session_cap' : 'count';

    entry = { counted: 1, minute, eventType, session, product, sibling: undefined };
    if (byProduct !== undefined) {
      addWeight(byProduct, entry);
    } else if (session.weightCount < FEW_WEIGHTS) {
      entry.sibling = session.few;
      session.few = entry;
    } else {
      // One entry too many for a chain searched whole: they all move into a Map by product.
      const moved = new Map<string, ProductWeights>();
      for (let few = session.few; few !== undefined; ) {
        const next: WeightEntry | undefined = few.sibling;
        addWeight(moved, few);
        few = next;
      }
      addWeight(moved, entry);
      session.few = undefined;
      session.byProduct = moved;
    }
    session.weightCount++;
    this.weightEntries.push(entry);
    // The oldest is another entry: capacity is at least 1.
    if (this.weightEntries.size > this.capacity) this.forgetWeight(this.weightEntries.shift());
    return 1 > this.maxPerSessionProductMinute ? 'over_session_cap' : 'count';
  }

  private forgetMinute(session: SessionMemory): void {
    session.remembered = false;
    if (session.weightCount === 0) this.sessions.delete(session.sessionId);
  }

  private forgetWeight(entry: WeightEntry): void {
    const { session } = entry;
    session.weightCount--;
    if (session.byProduct === undefined) {
      session.few = unlinked(session.few as WeightEntry, entry);
    } else {
      removeWeight(session.byProduct, entry);
      if (session.weightCount === 0) session.byProduct = undefined;
    }
    if (session.weightCount === 0 && !session.remembered) this.sessions.delete(session.sessionId);
  }
}

/** Weight entries a session keeps in one chain, searched whole, before they move into a Map. */
const FEW_WEIGHTS = 8;

/** The entry of (product, minute, event type) in a session's entries by product, if any. */
function weightIn(
  byProduct: Map<string, ProductWeights>,
  product: string,
  minute: string,
  eventType: string,
): WeightEntry | undefined {
  const held = byProduct.get(product);
  let entry = held instanceof Map ? held.get(minute) : held?.minute === minute ? held : undefined;
  // The minute's chain holds one entry per event type: a walk of a few links.
  while (entry !== undefined && entry.eventType !== eventType) entry = entry.sibling;
  return entry;
}

/** Adds a new entry (its `sibling` is overwritten) to a session's entries by product. */
function addWeight(byProduct: Map<string, ProductWeights>, entry: WeightEntry): void {
  const { product, minute } = entry;
  const held = byProduct.get(product);
  if (held instanceof Map) {
    entry.sibling = held.get(minute);
    held.set(minute, entry);
  } else if (held === undefined || held.minute === minute) {
    entry.sibling = held;
    byProduct.set(product, entry);
  } else {
    // A second minute for this product: its chain moves into a Map by minute.
    entry.sibling = undefined;
    byProduct.set(
      product,
      new Map([
        [held.minute, held],
        [minute, entry],
      ]),
    );
  }
}

/** Removes an entry from a session's entries by product, dropping what it leaves empty. */
function removeWeight(byProduct: Map<string, ProductWeights>, entry: WeightEntry): void {
  const { product, minute } = entry;
  const held = byProduct.get(product) as ProductWeights;
  if (held instanceof Map) {
    const rest = unlinked(held.get(minute) as WeightEntry, entry);
    if (rest === undefined) held.delete(minute);
    else held.set(minute, rest);
    if (held.size === 0) byProduct.delete(product);
  } else {
    const rest = unlinked(held, entry);
    if (rest === undefined) byProduct.delete(product);
    else byProduct.set(product, rest);
  }
}

/** The chain from `first` without `entry` (which it holds): its new first entry. */
function unlinked(first: WeightEntry, entry: WeightEntry): WeightEntry | undefined {
  if (first === entry) return entry.sibling;
  let newer = first;
  while (newer.sibling !== entry) newer = newer.sibling as WeightEntry;
  newer.sibling = entry.sibling;
  return first;
}
