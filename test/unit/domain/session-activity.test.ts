import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Judge,
  type JudgedEvent,
  type Judgement,
  SessionActivity,
  type SessionActivityOptions,
  type Verdict,
} from '../../../functions/domain/session-activity.js';
import {
  catchUpSessionState,
  judgingLate,
  memoryBefore,
  RecordingJudge,
  recordSessionState,
} from '../../../functions/use-cases/session-state-sync.js';
import { InMemorySessionLog } from '../../helpers/in-memory-session-log.js';

/*
 * The session rules as a specification: each verdict read off the shard's judged records of the
 * horizon, by a scan (slow and plain). SessionActivity keeps the same answers in indexed memory; the
 * tests below hold it to this, and hold an environment that rebuilt its memory from the session log
 * to one that judged every record.
 */
interface Judged {
  readonly sequence: number;
  readonly clockMs: number;
  readonly event: JudgedEvent;
  readonly verdict: Verdict;
}

class SpecifiedRules {
  private readonly shards = new Map<string, { judged: Judged[]; clockMs: number; bots: Map<string, number> }>();
  private readonly botEventsPerMinute: number;
  private readonly botMemoryMs: number;
  private readonly cap: number;
  private readonly horizonMs: number;

  constructor(options: SessionActivityOptions = {}) {
    this.botEventsPerMinute = options.botEventsPerMinute ?? 200;
    this.botMemoryMs = (options.botMemoryMinutes ?? 30) * 60_000;
    this.cap = options.maxPerSessionProductMinute ?? 3;
    this.horizonMs = (options.horizonMinutes ?? 10) * 60_000;
  }

  judge(shardId: string, sequence: number, arrivalMs: number, event: JudgedEvent): Verdict {
    let shard = this.shards.get(shardId);
    if (shard === undefined) {
      shard = { judged: [], clockMs: Number.NEGATIVE_INFINITY, bots: new Map() };
      this.shards.set(shardId, shard);
    }
    // A redelivery: the verdict it got, while its record is within the horizon; else 'count'.
    const last = shard.judged[shard.judged.length - 1];
    if (last !== undefined && sequence <= last.sequence) {
      const earlier = shard.judged.find((judged) => judged.sequence === sequence);
      return earlier !== undefined && earlier.clockMs > shard.clockMs - this.horizonMs ? earlier.verdict : 'count';
    }
    const clockMs = Math.max(shard.clockMs, arrivalMs);
    shard.clockMs = clockMs;
    const horizon = shard.judged.filter((judged) => judged.clockMs > clockMs - this.horizonMs);
    const verdict = this.verdictOf(event, horizon, shard.bots, clockMs);
    shard.judged.push({ sequence, clockMs, event, verdict });
    return verdict;
  }

  private verdictOf(event: JudgedEvent, horizon: readonly Judged[], bots: Map<string, number>, clockMs: number) {
    // An eventId any record of the horizon carried.
    if (horizon.some((judged) => judged.event.eventId === event.eventId)) return 'duplicate';
    // The session's events in this event-time minute, duplicates aside, this one included.
    const inMinute = horizon.filter(
      (judged) =>
        judged.verdict !== 'duplicate' &&
        judged.event.sessionId === event.sessionId &&
        judged.event.minute === event.minute,
    ).length;
    if (inMinute + 1 > this.botEventsPerMinute) bots.set(event.sessionId, event.eventTimeMs + this.botMemoryMs);
    // A bot until its memory ends (event time), remembered until the clock is a horizon past that.
    const until = bots.get(event.sessionId);
    if (until !== undefined && clockMs <= until + this.horizonMs && event.eventTimeMs <= until) return 'bot';
    // The session's counted or capped events of this product, minute and type.
    const weight = horizon.filter(
      (judged) =>
        (judged.verdict === 'count' || judged.verdict === 'over_session_cap') &&
        judged.event.sessionId === event.sessionId &&
        `${judged.event.productId}` === `${event.productId}` &&
        judged.event.minute === event.minute &&
        judged.event.eventType === event.eventType,
    ).length;
    return weight + 1 > this.cap ? 'over_session_cap' : 'count';
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
  /** How far the record's arrival is after the previous one's (negative: clocks are not monotonic). */
  readonly arrivalStepSeconds: number;
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
  arrivalStepSeconds: fc.oneof(fc.constant(0), fc.integer({ min: -20, max: 90 })),
});

/** fast-check keeps arrays short by default; bots and caps need a few dozen events per stream. */
const stream = fc.array(step, { minLength: 1, maxLength: 150, size: 'max' });

const options: fc.Arbitrary<SessionActivityOptions> = fc.record({
  botEventsPerMinute: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.constant(200)),
  botMemoryMinutes: fc.integer({ min: 0, max: 5 }),
  maxPerSessionProductMinute: fc.integer({ min: 1, max: 3 }),
  horizonMinutes: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant(10)),
});

const BASE_MS = Date.UTC(2026, 10, 21, 10);

/** A step's record: its sequence in its shard, arrival and event. */
interface Delivery {
  readonly shardId: string;
  readonly sequence: number;
  readonly arrivalMs: number;
  readonly event: JudgedEvent;
}

/** The records the steps deliver, in order: new ones and redeliveries of earlier ones. */
function deliveries(steps: readonly Step[]): Delivery[] {
  const byShard = new Map<number, Delivery[]>();
  let arrivalMs = BASE_MS;
  return steps.map((original) => {
    const sent = byShard.get(original.shard) ?? [];
    byShard.set(original.shard, sent);
    if (original.redeliver !== null && sent.length > 0) return sent[original.redeliver % sent.length] as Delivery;
    arrivalMs += original.arrivalStepSeconds * 1000;
    const minuteMs = BASE_MS + original.minute * 60_000;
    const delivery: Delivery = {
      shardId: `clicks/shard-${original.shard}`,
      sequence: sent.length + 1,
      arrivalMs,
      event: {
        eventId: `e-${original.eventId}`,
        sessionId: `s-${original.session}`,
        eventType: original.eventType,
        productId: original.product === null ? null : `P${original.product}`,
        minute: new Date(minuteMs).toISOString(),
        eventTimeMs: minuteMs + original.secondInMinute * 1000,
      },
    };
    sent.push(delivery);
    return delivery;
  });
}

function specifiedVerdicts(opts: SessionActivityOptions, records: readonly Delivery[]): Verdict[] {
  const rules = new SpecifiedRules(opts);
  return records.map((record) => rules.judge(record.shardId, record.sequence, record.arrivalMs, record.event));
}

describe('SessionActivity', () => {
  it('judges every record as the specification of the rules does, for any stream and options', () => {
    fc.assert(
      fc.property(options, stream, (opts, steps) => {
        const records = deliveries(steps);
        const activity = new SessionActivity(opts);
        const actual = records.map((record) =>
          // Kinesis writes sequence numbers unpadded, of varying length: "9" comes before "10".
          activity.judge(record.shardId, String(record.sequence), record.arrivalMs, record.event),
        );
        expect(actual).toEqual(specifiedVerdicts(opts, records));
      }),
      { numRuns: 3_000 },
    );
  });

  it('finds bots, caps and duplicates in such streams (the comparison is not vacuous)', () => {
    const seen = new Set<Verdict>();
    for (const [opts, steps] of fc.sample(fc.tuple(options, stream), { numRuns: 300, seed: 7 })) {
      for (const verdict of specifiedVerdicts(opts, deliveries(steps))) seen.add(verdict);
    }
    expect([...seen].sort()).toEqual(['bot', 'count', 'duplicate', 'over_session_cap']);
  });

  it('forgets a record a horizon after it, on the shard clock: a duplicate sent later counts', () => {
    const activity = new SessionActivity({ horizonMinutes: 10 });
    const event = {
      eventId: 'e-1',
      sessionId: 's-1',
      eventType: 'product_view',
      productId: 'P1',
      minute: '2026-11-21T10:00:00.000Z',
      eventTimeMs: BASE_MS,
    };
    expect(activity.judge('clicks/shard-0', '1', BASE_MS, event)).toBe('count');
    expect(activity.judge('clicks/shard-0', '2', BASE_MS + 599_999, event)).toBe('duplicate');
    // The clock is the latest arrival: a record arriving "earlier" than one already read is judged at it.
    expect(activity.judge('clicks/shard-0', '3', BASE_MS + 1_000, { ...event, eventId: 'e-2' })).toBe('count');
    expect(activity.judge('clicks/shard-0', '4', BASE_MS + 1_199_998, event)).toBe('duplicate');
    expect(activity.judge('clicks/shard-0', '5', BASE_MS + 1_800_000, event)).toBe('count');
  });
});

/** One Lambda-like delivery of a shard's records: a batch, to some environment, whose log write may fail. */
interface Invocation {
  readonly size: number;
  /** Which environment takes it: an existing one by index, or (past the pool) a fresh one. */
  readonly environment: number;
  readonly logWriteFails: boolean;
  /** Recycle the environment after the batch. */
  readonly recycle: boolean;
}

const invocation: fc.Arbitrary<Invocation> = fc.record({
  size: fc.integer({ min: 1, max: 12 }),
  environment: fc.integer({ min: 0, max: 3 }),
  logWriteFails: fc.integer({ min: 0, max: 9 }).map((draw) => draw < 3),
  recycle: fc.integer({ min: 0, max: 9 }).map((draw) => draw < 3),
});

describe('session state across execution environments', () => {
  it('gives every record the verdict one environment that judged them all gives, whichever environments judged the batches', async () => {
    await fc.assert(
      fc.asyncProperty(
        options,
        stream.map((steps) => steps.map((one) => ({ ...one, shard: 0, redeliver: null }))),
        fc.array(invocation, { minLength: 1, maxLength: 60 }),
        async (opts, steps, plan) => {
          const records = deliveries(steps);
          const expected = specifiedVerdicts(opts, records);
          const log = new InMemorySessionLog();
          let pool: (SessionActivity | undefined)[] = [undefined, undefined];
          const actual = new Map<number, Verdict>();
          // Like Lambda: a batch whose log write failed is delivered again from its first record.
          let next = 0;
          let failedInARow = 0;
          for (let turn = 0; next < records.length; turn++) {
            const { size, environment, logWriteFails, recycle } = plan[turn % plan.length] as Invocation;
            const batch = records.slice(next, next + size);
            let activity = pool[environment];
            if (activity === undefined) {
              activity = new SessionActivity({ ...opts, sessionLog: true });
              pool[environment] = activity;
            }
            const shardId = 'clicks/shard-0';
            const first = String((batch[0] as Delivery).sequence);
            const last = String((batch[batch.length - 1] as Delivery).sequence);
            await catchUpSessionState(activity, log, shardId, { firstSequence: first, lastSequence: last });
            const verdicts = batch.map((record) =>
              (activity as SessionActivity).judge(shardId, String(record.sequence), record.arrivalMs, record.event),
            );
            // A write fails at most twice in a row, so the run ends.
            log.failing = logWriteFails && failedInARow < 2;
            const written = await recordSessionState(activity, log, shardId).then(
              () => true,
              () => false,
            );
            for (const [index, record] of batch.entries()) {
              const earlier = actual.get(record.sequence);
              // A redelivered record keeps its verdict.
              if (earlier !== undefined) expect(verdicts[index]).toBe(earlier);
              actual.set(record.sequence, verdicts[index] as Verdict);
            }
            failedInARow = written ? 0 : failedInARow + 1;
            if (written) next += batch.length;
            if (recycle) pool = pool.map((one, index) => (index === environment ? undefined : one));
          }
          expect(records.map((record) => actual.get(record.sequence))).toEqual(expected);
        },
      ),
      { numRuns: 1_500 },
    );
  });
});

describe('a memory budget across shards', () => {
  it('keeps other shards within it, and every verdict as one environment with no budget gives', async () => {
    let rebuilds = 0;
    await fc.assert(
      fc.asyncProperty(
        options,
        stream.map((steps) => steps.map((one) => ({ ...one, redeliver: null }))),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 30 }),
        async (opts, steps, batchSize, budget) => {
          const records = deliveries(steps);
          const expected = specifiedVerdicts(opts, records);
          const log = new InMemorySessionLog();
          // One environment that is given every shard's batches, as Lambda may.
          const activity = new SessionActivity({ ...opts, sessionLog: true, maxRememberedRecords: budget });
          const visited = new Set<string>();
          const actual: Judgement[] = [];
          for (let start = 0; start < records.length; ) {
            const shardId = (records[start] as Delivery).shardId;
            let end = start + 1;
            while (end < records.length && end - start < batchSize && records[end]?.shardId === shardId) end++;
            const batch = records.slice(start, end);
            // A shard seen before whose memory is gone: it was dropped, and is rebuilt from the log.
            if (visited.has(shardId) && activity.logPosition(shardId) === undefined) rebuilds++;
            await catchUpSessionState(activity, log, shardId, {
              firstSequence: String((batch[0] as Delivery).sequence),
              lastSequence: String((batch[batch.length - 1] as Delivery).sequence),
            });
            visited.add(shardId);
            for (const record of batch) {
              actual.push(activity.judge(shardId, String(record.sequence), record.arrivalMs, record.event));
            }
            await recordSessionState(activity, log, shardId);
            // Other shards fit the budget; the shard judged is kept whole.
            expect(activity.rememberedRecords() - activity.rememberedRecords(shardId)).toBeLessThanOrEqual(budget);
            start = end;
          }
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 1_000 },
    );
    // The budget was not vacuous: shards were dropped and rebuilt from the log.
    expect(rebuilds).toBeGreaterThan(100);
  });
});

describe('a batch never judged, redriven later', () => {
  /** As the fast path judges a batch: caught up, judged, never-judged records judged late, logged. */
  async function judgeBatch(
    activity: SessionActivity,
    log: InMemorySessionLog,
    batch: readonly Delivery[],
    maxFutureSkewMs: number,
  ): Promise<Judgement[]> {
    const shardId = 'clicks/shard-0';
    const first = String((batch[0] as Delivery).sequence);
    const last = String((batch[batch.length - 1] as Delivery).sequence);
    await catchUpSessionState(activity, log, shardId, { firstSequence: first, lastSequence: last });
    const judge = (judging: Judge) =>
      batch.map((record) => judging.judge(shardId, String(record.sequence), record.arrivalMs, record.event));
    const recorder = new RecordingJudge(activity);
    let judgements = judge(recorder);
    const unjudged = batch.find((_, index) => judgements[index] === 'unjudged');
    if (unjudged !== undefined) {
      const before = await memoryBefore(activity, log, shardId, String(unjudged.sequence), maxFutureSkewMs);
      judgements = judge(judgingLate(recorder.answers, before));
    }
    await recordSessionState(activity, log, shardId);
    return judgements;
  }

  it('judges its records as the rules would have in shard order, every time it is redriven', async () => {
    let gaps = 0;
    await fc.assert(
      fc.asyncProperty(
        options,
        stream.map((steps) => steps.map((one) => ({ ...one, shard: 0, redeliver: null }))),
        fc.integer({ min: 1, max: 6 }),
        fc.nat(),
        fc.boolean(),
        fc.integer({ min: 0, max: 4 }),
        async (opts, steps, size, gapDraw, warm, overlap) => {
          const records = deliveries(steps);
          const batches: Delivery[][] = [];
          for (let start = 0; start < records.length; start += size) batches.push(records.slice(start, start + size));
          const gapIndex = gapDraw % batches.length;
          const gap = batches[gapIndex] as Delivery[];
          // How far ahead of its arrival this stream's event times go (validation bounds it at 5 minutes).
          const skewMs = Math.max(0, ...records.map((record) => record.event.eventTimeMs - record.arrivalMs));
          const log = new InMemorySessionLog();
          const live = new SessionActivity({ ...opts, sessionLog: true });
          const judgedLive: Judgement[] = [];
          // Lambda gave up on the gap's batch (its log read failed) and went on with the next ones.
          for (const [index, batch] of batches.entries()) {
            if (index !== gapIndex) judgedLive.push(...(await judgeBatch(live, log, batch, skewMs)));
          }
          // Redriven with a few of the records judged after it (a redelivery may overlap them).
          const gapEnd = records.indexOf(gap[gap.length - 1] as Delivery) + 1;
          const redelivered = records.slice(gapEnd - gap.length, gapEnd + overlap);
          const fresh = () => new SessionActivity({ ...opts, sessionLog: true });
          const redriven = await judgeBatch(warm ? live : fresh(), log, redelivered, skewMs);
          const again = await judgeBatch(fresh(), log, redelivered, skewMs);

          const inShardOrder = specifiedVerdicts(opts, records.slice(0, gapEnd)).slice(-gap.length);
          expect(redriven.slice(0, gap.length)).toEqual(inShardOrder);
          expect(again).toEqual(redriven);
          // The rest were judged without the gap's records, as a stream without them is, and keep
          // their verdicts when delivered again with it.
          const withoutGap = specifiedVerdicts(
            opts,
            records.filter((record) => !gap.includes(record)),
          );
          expect(judgedLive).toEqual(withoutGap);
          const after = gapEnd - gap.length;
          expect(redriven.slice(gap.length)).toEqual(withoutGap.slice(after, after + redelivered.length - gap.length));
          if (gapIndex < batches.length - 1) gaps++;
        },
      ),
      { numRuns: 1_000 },
    );
    expect(gaps).toBeGreaterThan(500);
  });
});
