/**
 * What the fast path remembers about shoppers, to keep bot traffic out of the demand counters:
 *
 * - rate: a session with more than `botEventsPerMinute` events in one event-time minute is a bot;
 *   from that event on, its events up to `botMemoryMinutes` later (event time) are excluded;
 * - weight: one session adds at most `maxPerSessionProductMinute` events of each type to one
 *   product's counters in one minute (a shopper refreshing a page is not more demand);
 * - repeats: an eventId that an earlier record carried is a producer duplicate, even across batches.
 *
 * Every rule reads only what the shard's records of the last `horizonMinutes` said, on the shard's
 * own clock (the latest arrival time read so far), and the bot memory. So the verdicts are a function
 * of the shard's records alone: an execution environment that judged every batch and one that just
 * rebuilt the memory from the session log (the records of the horizon with their verdicts, and the
 * bots, see SessionLogEntry and BotMark) judge the next record alike. That is what makes the rules exact on
 * Lambda, where a shard's batches run in whichever environment is free and environments come and go
 * (see functions/use-cases/session-state-sync.ts). The memory kept here is the fast copy of the log.
 *
 * A redelivered record (at or below the highest sequence judged) gets the verdict it got before. With
 * a log, one that was never judged (its batch was given up on before it was, then redriven) is
 * `unjudged`: its verdict needs the memory as it was before it (see memoryBefore in session-state-sync.ts).
 */

import { compareSequences, padSequence } from './sequence-numbers.js';

export interface SessionActivityOptions {
  /** @default 200 */
  readonly botEventsPerMinute?: number;
  /** @default 30 */
  readonly botMemoryMinutes?: number;
  /** @default 3 */
  readonly maxPerSessionProductMinute?: number;
  /**
   * How long a record counts toward the rules, on the shard's clock: a duplicate sent later than
   * this, or a capped event's repeat arriving later than this, is not recognised. @default 10
   */
  readonly horizonMinutes?: number;
}

/** What to do with one valid event. */
export type Verdict = 'count' | 'duplicate' | 'bot' | 'over_session_cap';

/** What judge answers: a verdict, or (with a log) that a redelivered record was never judged here. */
export type Judgement = Verdict | 'unjudged';

/** What judges a batch's records: a SessionActivity, or a wrapper of one. */
export interface Judge {
  judge(shardId: string, sequence: string, arrivalMs: number, event: JudgedEvent): Judgement;
}

/** What the rules read of one valid event. */
export interface JudgedEvent {
  readonly eventId: string;
  readonly sessionId: string;
  readonly eventType: string;
  readonly productId: string | null;
  /** The canonical ISO minute of its eventTime. */
  readonly minute: string;
  readonly eventTimeMs: number;
}

/** One judged record as the session log keeps it: enough to redo its effect on the memory. */
export interface LoggedJudgement extends JudgedEvent {
  /** As Kinesis wrote it. */
  readonly sequence: string;
  /** The shard's clock when it was judged: the latest arrival up to and including it. */
  readonly clockMs: number;
  readonly verdict: Verdict;
}

/** A session found to be a bot: sessionId, and the event time (epoch ms) until which it is one. */
export type BotMark = readonly [sessionId: string, untilMs: number];

/**
 * One batch's worth of a shard's session log: its valid records in shard order, each with its verdict,
 * and the bot marks its records set. Marks only, not the whole bot memory: an attack of thousands of
 * sessions would make every entry carry all of them, and past about 7,000 an entry would not fit in
 * an item. A batch of n records sets at most n marks.
 */
export interface SessionLogEntry {
  readonly shardId: string;
  /** The highest sequence among its records: the log's sort key. */
  readonly lastSequence: string;
  readonly records: readonly LoggedJudgement[];
  /** The sessions its records marked as bots, each with its mark as after its last record. */
  readonly bots: readonly BotMark[];
  /**
   * An entry written before the bot memory was kept beside the entries: `bots` is the whole bot
   * memory (read as marks, the same), which the log's bot memory may lack (see takeLogEntry).
   */
  readonly botsAreWholeMemory?: boolean;
}

/**
 * An entry as it is written: with the shard's whole bot memory after it, which the log keeps beside
 * its entries (a bot is remembered for longer than the horizon, and a reader starting a horizon back
 * must know the marks set before it).
 */
export interface SessionLogWrite extends SessionLogEntry {
  readonly botMemory: readonly BotMark[];
  /**
   * Write all of the log's bot memory, not only what holds a session the entry marked: the memory was
   * rebuilt from entries of the earlier format, whose bots the log's bot memory may lack.
   */
  readonly wholeBotMemory?: boolean;
}

/** The shard's session log (functions/store/session-log-store.ts in DynamoDB). */
export interface SessionLog {
  /**
   * Entries after `position` (every entry when undefined), oldest first, read back from the newest
   * no further than `horizonMs` before the newest's clock. `complete`: every entry after `position`
   * is there; false when the read stopped at the horizon first. When the entries are not all that
   * followed `position` (no position, or not complete), `bots` is the bot memory as the newest entry
   * wrote it.
   */
  recent(
    shardId: string,
    position: string | undefined,
    horizonMs: number,
  ): Promise<{
    readonly entries: readonly SessionLogEntry[];
    readonly complete: boolean;
    readonly bots?: readonly BotMark[];
  }>;
  /**
   * The entries before `sequence` (their last sequence below it), oldest first, read back from the
   * newest of them no further than `spanMs` before its clock.
   */
  before(shardId: string, sequence: string, spanMs: number): Promise<readonly SessionLogEntry[]>;
  /** The entries holding the records from `from` to `to` (sequences), oldest first. */
  covering(shardId: string, from: string, to: string): Promise<readonly SessionLogEntry[]>;
  /**
   * Writes an entry and, with it, the bot memory after it; one already written (the same last
   * sequence) is left as it is, and so is the bot memory then. Whether this call wrote it.
   */
  append(entry: SessionLogWrite): Promise<boolean>;
}

/** One record inside the horizon: a log line, and what it added to the memory, to take back when it leaves. */
class Remembered implements LoggedJudgement {
  constructor(
    readonly sequence: string,
    readonly clockMs: number,
    readonly eventId: string,
    readonly sessionId: string,
    readonly eventType: string,
    readonly productId: string | null,
    readonly minute: string,
    readonly eventTimeMs: number,
    readonly verdict: Verdict,
    /** The session whose minute it counted toward; undefined for a duplicate, which adds only its id. */
    readonly session: SessionMemory | undefined,
    /** Its weight entry; undefined for a duplicate or a bot's event. */
    readonly weight: WeightEntry | undefined,
  ) {}
}

/** What is remembered of one session of a shard, updated in place; dropped when no record refers to it. */
class SessionMemory {
  /** Records in the horizon that counted toward its minutes. */
  refs = 0;
  /** One minute's event count held inline (almost every session is in one minute at a time)… */
  minute = '';
  minuteEvents = 0;
  /** …and the others', if any. */
  otherMinutes: Map<string, number> | undefined = undefined;
  /**
   * Its weight entries while it has at most FEW_WEIGHTS: one chain of them all (through `sibling`),
   * searched whole. Almost every shopper stays there, so a shopper costs no Map and an event no Map
   * lookup; `product` (a short id, interned by the reader) mostly compares by identity.
   */
  few: WeightEntry | undefined = undefined;
  /**
   * Its weight entries once it has had more than FEW_WEIGHTS, until it has none: by product
   * (`${productId}`, so `null` is "null"). Per product, the entries of one minute form a chain (one
   * entry per event type, linked through `sibling`); a product whose entries share one minute holds
   * that chain itself, one with entries in several minutes holds a Map by minute of chains. A session
   * may send one product events in any number of distinct (past) minutes, so every lookup and every
   * removal stays O(1) however many it has.
   */
  byProduct: Map<string, ProductWeights> | undefined = undefined;
  /** How many weight entries it has, in `few` or in `byProduct`. */
  weightCount = 0;

  constructor(readonly sessionId: string) {}

  /** Adds an event in `minute`; gives the minute's events so far. */
  countMinute(minute: string): number {
    if (this.minute === minute) return ++this.minuteEvents;
    const other = this.otherMinutes?.get(minute);
    if (other !== undefined) {
      (this.otherMinutes as Map<string, number>).set(minute, other + 1);
      return other + 1;
    }
    if (this.minuteEvents === 0) {
      this.minute = minute;
      this.minuteEvents = 1;
      return 1;
    }
    this.otherMinutes ??= new Map();
    this.otherMinutes.set(minute, 1);
    return 1;
  }

  forgetMinute(minute: string): void {
    if (this.minute === minute) {
      this.minuteEvents--;
      return;
    }
    const others = this.otherMinutes as Map<string, number>;
    const left = (others.get(minute) as number) - 1;
    if (left === 0) others.delete(minute);
    else others.set(minute, left);
  }
}

/** A product's weight entries in a session: one minute's chain, or chains by minute (see SessionMemory). */
type ProductWeights = WeightEntry | Map<string, WeightEntry>;

/** Events of one type one session added to one product in one minute, within the horizon. */
interface WeightEntry {
  counted: number;
  readonly minute: string;
  readonly eventType: string;
  readonly product: string;
  /**
   * The next entry of its chain: in a session's `few`, any other entry of the session; by product, an
   * entry of the same product and minute for another event type.
   */
  sibling: WeightEntry | undefined;
}

/** The rules' memory of one shard. */
class ShardMemory {
  /** The shard's clock: the latest arrival read (or logged) so far. */
  clockMs = Number.NEGATIVE_INFINITY;
  /** The highest sequence judged (or applied from the log). */
  lastJudged: string | undefined = undefined;
  /** The last sequence of the newest log entry written or applied here: where the log is read after. */
  position: string | undefined = undefined;
  /** The records within the horizon, oldest first. */
  readonly window = new Fifo<Remembered>();
  /** The eventIds that records in the horizon carry. */
  readonly eventIds = new EventIdCarriers();
  readonly sessions = new Map<string, SessionMemory>();
  /** sessionId → event time until which it is a bot; forgotten once the clock is a horizon past it. */
  readonly bots = new Map<string, number>();
  /** The log's bot memory may lack bots this memory has (an entry of the earlier format was applied). */
  botMemoryUnlogged = false;
  /** sessionId → the record that last marked it, and the mark, for marks not yet in the log. */
  readonly unloggedMarks = new Map<string, { readonly sequence: string; readonly untilMs: number }>();
  /** Padded sequence → verdict, for records in the horizon not counted: a redelivery gets it again. */
  readonly exclusions = new Map<string, Verdict>();
  /** Padded sequence → verdict of every record of the log entries read for a redelivery older than the horizon (see recall). */
  readonly recalled = new Map<string, Verdict>();
  /** Records judged here and not yet in the log (see takeLogEntry). */
  pending: Remembered[] = [];
  /** When a batch of it was last begun here (SessionActivity's count of shard switches). */
  lastUsed = 0;

  constructor(readonly shardId: string) {}
}

export class SessionActivity implements Judge {
  private readonly botEventsPerMinute: number;
  private readonly botMemoryMs: number;
  private readonly maxPerSessionProductMinute: number;
  private readonly horizonMs: number;
  private readonly keepsLog: boolean;
  private readonly maxRememberedRecords: number;
  private readonly options: SessionActivityOptions;
  private readonly shards = new Map<string, ShardMemory>();
  private switches = 0;
  /** The shard judged last: batches hold one shard, so the Map is touched only when it changes. */
  private current: ShardMemory | undefined;

  constructor(
    options: SessionActivityOptions & {
      /** Keep what takeLogEntry gives. @default false */ readonly sessionLog?: boolean;
      /**
       * With a log: when a batch of one shard begins and the records remembered of all shards are
       * more than this, other shards' memories are dropped, least recently used first (the log
       * rebuilds them). The shard being judged is always kept whole. @default no limit
       */
      readonly maxRememberedRecords?: number;
    } = {},
  ) {
    this.botEventsPerMinute = options.botEventsPerMinute ?? 200;
    this.botMemoryMs = (options.botMemoryMinutes ?? 30) * 60_000;
    this.maxPerSessionProductMinute = options.maxPerSessionProductMinute ?? 3;
    this.horizonMs = (options.horizonMinutes ?? 10) * 60_000;
    this.keepsLog = options.sessionLog ?? false;
    this.maxRememberedRecords = options.maxRememberedRecords ?? Number.POSITIVE_INFINITY;
    this.options = options;
  }

  /** A memory of the same rules, empty and with no log: where records are judged late (see memoryBefore). */
  scratch(): SessionActivity {
    const { botEventsPerMinute, botMemoryMinutes, maxPerSessionProductMinute, horizonMinutes } = this.options;
    return new SessionActivity({ botEventsPerMinute, botMemoryMinutes, maxPerSessionProductMinute, horizonMinutes });
  }

  /** Records remembered, of one shard or of every shard: what the memory's size follows. */
  rememberedRecords(shardId?: string): number {
    if (shardId !== undefined) return this.shards.get(shardId)?.window.size ?? 0;
    let records = 0;
    for (const shard of this.shards.values()) records += shard.window.size;
    return records;
  }

  /**
   * Judges one valid event, in shard order. `shardId` and `sequence` (a sequence number, padded or
   * as Kinesis wrote it: they are compared as numbers) make the verdict stable across redeliveries;
   * `arrivalMs` (when the stream received it) moves the shard's clock.
   */
  judge(shardId: string, sequence: string, arrivalMs: number, event: JudgedEvent): Judgement {
    const shard = this.shardOf(shardId);
    const last = shard.lastJudged;
    if (last !== undefined && compareSequences(sequence, last) <= 0) return this.judgedBefore(shard, sequence);
    shard.lastJudged = sequence;
    const clockMs = Math.max(arrivalMs, shard.clockMs);
    this.advanceClock(shard, clockMs);
    const record = this.decide(shard, sequence, clockMs, event);
    if (this.keepsLog) shard.pending.push(record);
    return record.verdict;
  }

  /**
   * A redelivered record's verdict. Every record judged in the horizon is in the window, so one of
   * its sequences missing there was never judged; one older than the window is in `recalled` if it
   * was (catchUpSessionState recalls a batch's entries when its first record is older). Without a
   * log there is no telling: such a record counts.
   */
  private judgedBefore(shard: ShardMemory, sequence: string): Judgement {
    const key = padSequence(sequence);
    const given = shard.exclusions.get(key) ?? shard.recalled.get(key) ?? pendingVerdict(shard.pending, sequence);
    if (given !== undefined) return given;
    if (!this.keepsLog) return 'count';
    return shard.window.findSorted((record) => compareSequences(record.sequence, sequence)) ? 'count' : 'unjudged';
  }

  private decide(shard: ShardMemory, sequence: string, clockMs: number, event: JudgedEvent): Remembered {
    const { eventId, sessionId, minute, eventTimeMs } = event;
    if (shard.eventIds.add(eventId)) return this.remember(shard, sequence, clockMs, event, 'duplicate');
    const session = this.sessionOf(shard, sessionId);
    if (session.countMinute(minute) > this.botEventsPerMinute) {
      const untilMs = eventTimeMs + this.botMemoryMs;
      shard.bots.set(sessionId, untilMs);
      if (this.keepsLog) shard.unloggedMarks.set(sessionId, { sequence, untilMs });
    }
    if (shard.bots.size > 0) {
      const botUntil = shard.bots.get(sessionId);
      if (botUntil !== undefined && eventTimeMs <= botUntil && !this.botForgotten(botUntil, clockMs)) {
        return this.remember(shard, sequence, clockMs, event, 'bot', session);
      }
    }
    const weight = this.weightOf(session, event);
    const verdict = ++weight.counted > this.maxPerSessionProductMinute ? 'over_session_cap' : 'count';
    return this.remember(shard, sequence, clockMs, event, verdict, session, weight);
  }

  /** A bot entry a horizon past its end is forgotten: no record after that is judged by it. */
  private botForgotten(untilMs: number, clockMs: number): boolean {
    return clockMs > untilMs + this.horizonMs;
  }

  /**
   * Adds a judged record to the shard's memory (its eventId, the session's minute and its weight are
   * counted already).
   */
  private remember(
    shard: ShardMemory,
    sequence: string,
    clockMs: number,
    event: JudgedEvent,
    verdict: Verdict,
    session?: SessionMemory,
    weight?: WeightEntry,
  ): Remembered {
    const record = new Remembered(
      sequence,
      clockMs,
      event.eventId,
      event.sessionId,
      event.eventType,
      event.productId,
      event.minute,
      event.eventTimeMs,
      verdict,
      session,
      weight,
    );
    if (session !== undefined) session.refs++;
    if (verdict !== 'count') shard.exclusions.set(padSequence(sequence), verdict);
    shard.window.push(record);
    return record;
  }

  /** Moves the shard's clock to `clockMs`, forgetting the records it leaves a horizon behind. */
  private advanceClock(shard: ShardMemory, clockMs: number): void {
    shard.clockMs = clockMs;
    const window = shard.window;
    const horizonStart = clockMs - this.horizonMs;
    while (window.size > 0 && window.peek().clockMs <= horizonStart) this.forget(shard, window.shift());
  }

  private forget(shard: ShardMemory, record: Remembered): void {
    shard.eventIds.remove(record.eventId);
    if (record.verdict !== 'count') shard.exclusions.delete(padSequence(record.sequence));
    const { session, weight } = record;
    if (session === undefined) return;
    session.forgetMinute(record.minute);
    if (weight !== undefined && --weight.counted === 0) {
      session.weightCount--;
      if (session.byProduct === undefined) {
        session.few = unlinked(session.few as WeightEntry, weight);
      } else {
        removeWeight(session.byProduct, weight);
        if (session.weightCount === 0) session.byProduct = undefined;
      }
    }
    if (--session.refs === 0) shard.sessions.delete(session.sessionId);
  }

  private sessionOf(shard: ShardMemory, sessionId: string): SessionMemory {
    let session = shard.sessions.get(sessionId);
    if (session === undefined) {
      session = new SessionMemory(sessionId);
      shard.sessions.set(sessionId, session);
    }
    return session;
  }

  /** The session's weight entry for the event's (product, minute, type), made at 0 if new. */
  private weightOf(session: SessionMemory, event: JudgedEvent): WeightEntry {
    const { eventType, minute } = event;
    const product = `${event.productId}`;
    const byProduct = session.byProduct;
    let entry: WeightEntry | undefined;
    if (byProduct === undefined) {
      for (entry = session.few; entry !== undefined; entry = entry.sibling) {
        if (entry.product === product && entry.minute === minute && entry.eventType === eventType) return entry;
      }
    } else {
      entry = weightIn(byProduct, product, minute, eventType);
      if (entry !== undefined) return entry;
    }
    entry = { counted: 0, minute, eventType, product, sibling: undefined };
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
    return entry;
  }

  private shardOf(shardId: string): ShardMemory {
    const current = this.current;
    if (current !== undefined && current.shardId === shardId) return current;
    let shard = this.shards.get(shardId);
    if (shard === undefined) {
      shard = new ShardMemory(shardId);
      this.shards.set(shardId, shard);
    }
    this.current = shard;
    shard.lastUsed = ++this.switches;
    if (this.keepsLog) {
      this.forgetIdleShards(shard);
      this.keepWithinBudget(shard);
    }
    return shard;
  }

  /** Drops other shards' memories, least recently used first, until the records remembered fit the budget. */
  private keepWithinBudget(active: ShardMemory): void {
    let records = this.rememberedRecords();
    if (records <= this.maxRememberedRecords) return;
    const others = [...this.shards.values()].filter((shard) => shard !== active && shard.pending.length === 0);
    others.sort((a, b) => a.lastUsed - b.lastUsed);
    for (const shard of others) {
      if (records <= this.maxRememberedRecords) return;
      records -= shard.window.size;
      this.shards.delete(shard.shardId);
    }
  }

  /**
   * With a log, the memory of a shard not judged for two horizons (and bot memories) is dropped: its
   * log rebuilds it if the shard comes back. An environment is given any shard's batches.
   */
  private forgetIdleShards(active: ShardMemory): void {
    if (this.shards.size === 1) return;
    const idleBefore = active.clockMs - 2 * this.horizonMs - this.botMemoryMs;
    for (const [shardId, shard] of this.shards) {
      if (shard.clockMs < idleBefore && shard.pending.length === 0) this.shards.delete(shardId);
    }
  }

  // --- The session log: what makes the memory durable (see functions/use-cases/session-state-sync.ts).

  /** Whether a record of the shard at `sequence` is a redelivery: at or below the highest judged here. */
  hasJudged(shardId: string, sequence: string): boolean {
    const last = this.shards.get(shardId)?.lastJudged;
    return last !== undefined && compareSequences(sequence, last) <= 0;
  }

  /** The last sequence of the newest log entry this memory wrote or applied for the shard, if any. */
  logPosition(shardId: string): string | undefined {
    return this.shards.get(shardId)?.position;
  }

  /** The horizon, in ms of the shard's clock. */
  get horizon(): number {
    return this.horizonMs;
  }

  /**
   * Whether a redelivered record's verdict may be unknown here: it was judged (at or below the
   * highest sequence) before the oldest record the horizon remembers. Its verdict is then in the log.
   */
  mayHaveForgotten(shardId: string, sequence: string): boolean {
    if (!this.hasJudged(shardId, sequence)) return false;
    const shard = this.shards.get(shardId) as ShardMemory;
    return shard.window.size === 0 || compareSequences(sequence, shard.window.peek().sequence) < 0;
  }

  /** Keeps the verdicts of log entries' records for redeliveries older than the horizon (see mayHaveForgotten). */
  recall(shardId: string, entries: readonly SessionLogEntry[]): void {
    const shard = this.shardOf(shardId);
    for (const entry of entries) {
      for (const record of entry.records) shard.recalled.set(padSequence(record.sequence), record.verdict);
    }
  }

  /** The bot memory, in ms of event time. */
  get botMemory(): number {
    return this.botMemoryMs;
  }

  /**
   * The log entry of what was judged since the last one was written (undefined when nothing was),
   * with the marks its records set and the bot memory as it is now. Kept until `logged` says it was
   * written: a write that failed leaves it for the next entry.
   */
  takeLogEntry(shardId: string): SessionLogWrite | undefined {
    const shard = this.shards.get(shardId);
    const records = shard?.pending;
    const last = records?.[records.length - 1];
    if (shard === undefined || last === undefined) return undefined;
    shard.recalled.clear();
    // Marks forgotten already (an event time far behind the clock) too: a mark replaces the session's
    // earlier one, which a reader of the log would otherwise keep.
    const bots: BotMark[] = [];
    for (const [sessionId, { untilMs }] of shard.unloggedMarks) bots.push([sessionId, untilMs]);
    const botMemory: BotMark[] = [];
    for (const [sessionId, until] of shard.bots) {
      if (this.botForgotten(until, shard.clockMs)) shard.bots.delete(sessionId);
      else botMemory.push([sessionId, until]);
    }
    return {
      shardId,
      lastSequence: last.sequence,
      records: [...shard.pending],
      bots,
      botMemory,
      wholeBotMemory: shard.botMemoryUnlogged,
    };
  }

  /**
   * Forgets everything of the shard: after a log write that failed, this memory holds records the log
   * does not, so it is rebuilt from the log before the shard's next batch (which judges those records
   * again, as any environment would).
   */
  forgetShard(shardId: string): void {
    this.shards.delete(shardId);
    if (this.current?.shardId === shardId) this.current = undefined;
  }

  /**
   * The entry is in the log: its records and marks leave the pending ones, and the log position moves
   * to it. `written`: this memory's entry was written (not one already there), so the bot memory it
   * carried is the log's.
   */
  logged(entry: SessionLogWrite, written = true): void {
    const shard = this.shardOf(entry.shardId);
    this.leavePending(shard, entry.lastSequence);
    if (written && entry.wholeBotMemory) shard.botMemoryUnlogged = false;
    if (shard.position === undefined || compareSequences(entry.lastSequence, shard.position) > 0) {
      shard.position = entry.lastSequence;
    }
  }

  /** Records and marks up to `lastSequence` are in the log. */
  private leavePending(shard: ShardMemory, lastSequence: string): void {
    shard.pending = shard.pending.filter((record) => compareSequences(record.sequence, lastSequence) > 0);
    for (const [sessionId, { sequence }] of shard.unloggedMarks) {
      if (compareSequences(sequence, lastSequence) <= 0) shard.unloggedMarks.delete(sessionId);
    }
  }

  /**
   * Applies log entries (oldest first) that other environments wrote, as if this memory had judged
   * their records: records at or below the highest sequence judged here are already in it. `fresh`:
   * the entries are the whole horizon and what is remembered is older, so the shard is forgotten
   * first, and `fresh.bots` (the log's bot memory) gives the marks set before the entries.
   */
  applyLog(shardId: string, entries: readonly SessionLogEntry[], fresh?: { readonly bots: readonly BotMark[] }): void {
    if (fresh !== undefined) this.forgetShard(shardId);
    const shard = this.shardOf(shardId);
    // The memory includes the entries' marks, and their records' marks are set again by them, in order.
    if (fresh !== undefined) for (const [sessionId, until] of fresh.bots) shard.bots.set(sessionId, until);
    for (const entry of entries) {
      const newer = shard.lastJudged === undefined || compareSequences(entry.lastSequence, shard.lastJudged) > 0;
      for (const record of entry.records) {
        if (shard.lastJudged !== undefined && compareSequences(record.sequence, shard.lastJudged) <= 0) continue;
        shard.lastJudged = record.sequence;
        this.advanceClock(shard, Math.max(shard.clockMs, record.clockMs));
        this.redo(shard, record);
      }
      if (newer) for (const [sessionId, until] of entry.bots) shard.bots.set(sessionId, until);
      if (newer && entry.botsAreWholeMemory) shard.botMemoryUnlogged = true;
      if (shard.position === undefined || compareSequences(entry.lastSequence, shard.position) > 0) {
        shard.position = entry.lastSequence;
      }
      this.leavePending(shard, entry.lastSequence);
    }
  }

  /** A logged record's effect on the memory, its verdict given (bot entries come with the entry). */
  private redo(shard: ShardMemory, record: LoggedJudgement): void {
    const { verdict } = record;
    shard.eventIds.add(record.eventId);
    if (verdict === 'duplicate') {
      this.remember(shard, record.sequence, record.clockMs, record, verdict);
      return;
    }
    const session = this.sessionOf(shard, record.sessionId);
    session.countMinute(record.minute);
    if (verdict === 'bot') {
      this.remember(shard, record.sequence, record.clockMs, record, verdict, session);
      return;
    }
    const weight = this.weightOf(session, record);
    weight.counted++;
    this.remember(shard, record.sequence, record.clockMs, record, verdict, session, weight);
  }
}

/**
 * The eventIds a shard's horizon carries, with how many records carry each. One Set operation per
 * record when an id has one carrier, as almost every id does: the backtest's profile had a tenth
 * of its time in Map lookups, most of them a count per eventId read and then written.
 */
class EventIdCarriers {
  private readonly carried = new Set<string>();
  /** eventId → its carriers beyond the first (producer duplicates), for the ids that have any. */
  private readonly extra = new Map<string, number>();

  /** Counts one more record carrying `eventId`; whether one already did. */
  add(eventId: string): boolean {
    const before = this.carried.size;
    this.carried.add(eventId);
    if (this.carried.size !== before) return false;
    this.extra.set(eventId, (this.extra.get(eventId) ?? 0) + 1);
    return true;
  }

  /** One record carrying `eventId` left the horizon; the id is forgotten with its last carrier. */
  remove(eventId: string): void {
    const extra = this.extra.size === 0 ? undefined : this.extra.get(eventId);
    if (extra === undefined) this.carried.delete(eventId);
    else if (extra === 1) this.extra.delete(eventId);
    else this.extra.set(eventId, extra - 1);
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

  /** The oldest item; the queue must not be empty. */
  peek(): T {
    return this.items[this.head] as T;
  }

  /**
   * Whether it holds an item that `order` places at 0 (negative: the item comes before the one
   * sought), the items being sorted by it: a binary search.
   */
  findSorted(order: (item: T) => number): boolean {
    let low = 0;
    let high = this.size - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const found = order(this.items[(this.head + middle) & this.mask] as T);
      if (found === 0) return true;
      if (found < 0) low = middle + 1;
      else high = middle - 1;
    }
    return false;
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
 * The verdict of a record judged here and not yet logged, which may have left the horizon since (a
 * batch whose log write failed, delivered again): pending records are in shard order.
 */
function pendingVerdict(pending: readonly Remembered[], sequence: string): Verdict | undefined {
  let low = 0;
  let high = pending.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const order = compareSequences((pending[middle] as Remembered).sequence, sequence);
    if (order === 0) return (pending[middle] as Remembered).verdict;
    if (order < 0) low = middle + 1;
    else high = middle - 1;
  }
  return undefined;
}

/**
 * A budget of remembered records for a memory of `memoryBytes` (a Lambda function's): half of it, at
 * 500 bytes a record (470 measured with the reader's interned strings, the bench batch's sessions and
 * products). 1,024 MB holds about 1.07 million records: one shard's 10 minutes at Kinesis's 1,000
 * records/s is 600,000.
 */
export function rememberedRecordsBudget(memoryBytes: number): number {
  return Math.floor(memoryBytes / 2 / BYTES_PER_REMEMBERED_RECORD);
}

/** What rememberedRecordsBudget assumes a record takes (bench/session-memory.bench.ts measures it). */
export const BYTES_PER_REMEMBERED_RECORD = 500;

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
