import type { KinesisStreamRecord } from 'aws-lambda';
import { type ClickRecord, classifyBatch, MAX_FUTURE_SKEW_MS } from '../domain/click-batch.js';
import type { KeyContribution } from '../domain/demand-counters.js';
import { assessDemand, type DemandObservation, filledFraction, type PeriodCounts } from '../domain/demand-evidence.js';
import { NotFoundError } from '../domain/errors.js';
import type { ChangeSource } from '../domain/price-change.js';
import { parametersFor } from '../domain/pricing-config.js';
import type { SessionActivity, SessionLog } from '../domain/session-activity.js';
import { toEpochMs, toIso } from '../domain/time.js';
import { mapConcurrent } from '../lib/map-concurrent.js';
import type { MinuteCounts } from '../store/demand-minutes.js';
import type { CountOutcome, DemandStore } from '../store/demand-store.js';
import type { PriceStore } from '../store/price-store.js';
import type { QuarantineStore } from '../store/quarantine-store.js';
import { type ApplyResult, applyDecision } from '../use-cases/apply-decision.js';
import {
  catchUpSessionState,
  judgingLate,
  memoryBefore,
  RecordingJudge,
  recordSessionState,
  type SessionLogTraffic,
} from '../use-cases/session-state-sync.js';
import type { MinuteHistoryCache } from './minute-history.js';

/** What the fast path works with; the handler builds them once per execution environment. */
export interface ClickstreamDependencies {
  readonly demand: DemandStore;
  readonly quarantine: QuarantineStore;
  readonly prices: PriceStore;
  readonly activity: SessionActivity;
  /**
   * Where `activity` is kept between execution environments (see session-state-sync.ts): read before
   * each batch is judged, written after. Without it the rules remember only what this environment
   * judged (a test of one long-lived process, the backtest).
   */
  readonly sessionLog?: SessionLog;
  /**
   * Products known to be in their pricing cooldown, until when (epoch ms). A product's real last
   * change can only be later than the one recorded here, so skipping a decision before this instant
   * never skips one that could apply; it saves the reads of a decision that must answer "cooldown".
   * Lives as long as the execution environment, like `activity`.
   */
  readonly cooldowns?: Map<string, number>;
  /** Products' earlier minutes, read once a minute (see minute-history.ts). @default none: read every time */
  readonly history?: MinuteHistoryCache;
  /** The time now, epoch ms: when a product's minute is read. @default Date.now */
  readonly clock?: () => number;
}

export interface ClickstreamOutcome {
  /** Records to report as batch item failures, with why: Lambda retries from the lowest. */
  readonly failures: Map<string, string>;
  readonly stats: {
    readonly records: number;
    readonly counted: number;
    readonly quarantined: number;
    readonly duplicates: number;
    readonly botEvents: number;
    readonly cappedEvents: number;
    readonly keys: Record<CountOutcome, number>;
    readonly decisions: Record<ApplyResult['outcome'], number>;
    /** Applied changes by reason code. */
    readonly changesByReason: Record<string, number>;
    /** Arrival on the stream of the batch's oldest record: where its click-to-price latency starts. */
    readonly oldestArrivalMs: number | null;
    /** Requests to the session log. */
    readonly sessionLog: SessionLogTraffic;
  };
}

/**
 * A Lambda Kinesis batch as the fast path reads it. Shard ids are unique only within a stream, so the
 * shard is qualified with the stream's name (`clicks/shardId-000000000000`): watermarks and session
 * memory keyed by shard can then never mix two streams feeding one function.
 *
 * Lambda invokes a Kinesis function with the records of ONE shard — its checkpoint is per shard, and
 * a partial batch response names records by bare sequence number, meaningful only within one shard —
 * so the shard is read once, from the first record, and every record carries that one string.
 * Reading it per record (the eventID's prefix, against the source ARN) cost about 3% of the handler's
 * time on the fast-path bench. The last record is checked against it, so a caller that breaks the
 * contract (a hand-built event of two shards, say) is refused rather than counted under one shard.
 */
export function clickRecordsOf(records: readonly KinesisStreamRecord[]): ClickRecord[] {
  const first = records[0];
  const last = records[records.length - 1];
  if (first === undefined || last === undefined) return [];
  const shardId = shardIdOf(first);
  if (last !== first && shardIdOf(last) !== shardId) {
    throw new Error(
      `a Kinesis batch holds the records of one shard; this one begins in ${shardId} and ends in ${shardIdOf(last)}`,
    );
  }
  return records.map(
    ({ kinesis }) =>
      new KinesisClickRecord(
        shardId,
        kinesis.sequenceNumber,
        kinesis.data,
        Math.round(kinesis.approximateArrivalTimestamp * 1000),
      ),
  );
}

/**
 * A Kinesis record keeps its data as Lambda delivered it, base64: classifyBatch decodes it into one
 * reused buffer, so a batch holds no Buffer per record. `data` decodes it on each read (quarantine).
 */
class KinesisClickRecord implements ClickRecord {
  constructor(
    readonly shardId: string,
    readonly sequenceNumber: string,
    readonly base64: string,
    readonly arrivalMs: number,
  ) {}

  get data(): Uint8Array {
    return Buffer.from(this.base64, 'base64');
  }
}

/** `stream/shard` of a record: the stream from its source ARN, the shard from its eventID (`shard:sequence`). */
function shardIdOf({ eventSourceARN, eventID }: KinesisStreamRecord): string {
  const stream = eventSourceARN.slice(eventSourceARN.lastIndexOf('/') + 1);
  return `${stream}/${eventID.slice(0, eventID.indexOf(':'))}`;
}

/** The fast path's name: on the records it quarantines and on the price changes it decides. */
const FAST_PATH_SOURCE = 'fast-path' as const satisfies ChangeSource;

/**
 * The fast path for one batch of one shard: quarantine what is bad, count the rest with one
 * idempotent write per (product, minute), then price every product whose surge signal fires.
 * Nothing here fails the whole batch: a failed write marks just the records it carried.
 */
export async function processClickRecords(
  records: readonly ClickRecord[],
  deps: ClickstreamDependencies,
): Promise<ClickstreamOutcome> {
  const failures = new Map<string, string>();
  const sessionLog: SessionLogTraffic = { reads: 0, writes: 0 };
  const shardId = records[0]?.shardId;
  const failAll = (reason: string) => {
    for (const record of records) failures.set(record.sequenceNumber, reason);
  };
  if (deps.sessionLog && shardId !== undefined) {
    try {
      await catchUpSessionState(
        deps.activity,
        deps.sessionLog,
        shardId,
        {
          firstSequence: records[0]?.sequenceNumber as string,
          lastSequence: records[records.length - 1]?.sequenceNumber as string,
        },
        sessionLog,
      );
    } catch (error) {
      // Judged without the log's memory, the rules could count what another environment excluded.
      failAll(`session log: ${String(error)}`);
      return { failures, stats: emptyStats(records, sessionLog) };
    }
  }
  // A batch delivered again may hold records never judged (see memoryBefore): its answers are kept.
  const recorder =
    deps.sessionLog && shardId !== undefined && deps.activity.hasJudged(shardId, records[0]?.sequenceNumber as string)
      ? new RecordingJudge(deps.activity)
      : undefined;
  let batch = classifyBatch(records, recorder ?? deps.activity);
  const unjudged = batch.firstUnjudged;
  if (unjudged !== undefined) {
    try {
      if (!deps.sessionLog || !recorder) throw new Error('records never judged, and no session log to judge them by');
      const before = await memoryBefore(
        deps.activity,
        deps.sessionLog,
        unjudged.shardId,
        unjudged.sequenceNumber,
        MAX_FUTURE_SKEW_MS,
        sessionLog,
      );
      batch = classifyBatch(records, judgingLate(recorder.answers, before));
    } catch (error) {
      // The first pass may have judged new records: the memory must not keep what the log lacks.
      deps.activity.forgetShard(unjudged.shardId);
      failAll(`session log: ${String(error)}`);
      return { failures, stats: emptyStats(records, sessionLog) };
    }
  }
  // Written while the batch is counted; the batch succeeds only once it is in the log, since the
  // next batch may run in another environment that reads its memory there.
  const logged =
    deps.sessionLog && shardId !== undefined
      ? recordSessionState(deps.activity, deps.sessionLog, shardId, sessionLog).then(
          () => undefined,
          (error: unknown) => error,
        )
      : undefined;

  try {
    await deps.quarantine.put(
      batch.quarantined.map(({ record, reason }) => ({
        source: FAST_PATH_SOURCE,
        shardId: record.shardId,
        sequenceNumber: record.sequenceNumber,
        arrivedAt: toIso(record.arrivalMs),
        reason,
        data: record.data,
      })),
    );
  } catch (error) {
    for (const { record } of batch.quarantined) failures.set(record.sequenceNumber, `quarantine: ${String(error)}`);
  }

  const keys: Record<CountOutcome, number> = { counted: 0, counted_remainder: 0, already_counted: 0 };
  const failedProducts = new Set<string>();
  const fail = (contribution: KeyContribution, reason: string) => {
    failedProducts.add(contribution.productId);
    for (const entry of contribution.entries) failures.set(entry.sequenceNumber, reason);
  };
  const totalsByKey = new Map<string, MinuteCounts>();
  await mapConcurrent([...batch.contributions.values()], 32, async (contribution) => {
    try {
      const { outcome, totals } = await deps.demand.count(contribution);
      keys[outcome]++;
      if (totals) totalsByKey.set(`${contribution.productId}|${contribution.minute}`, totals);
    } catch (error) {
      fail(contribution, `demand counters: ${String(error)}`);
    }
  });

  const logError = await logged;
  if (logError !== undefined) failAll(`session log: ${String(logError)}`);

  const decisions: Record<ApplyResult['outcome'], number> = { applied: 0, no_change: 0, duplicate: 0 };
  const changesByReason: Record<string, number> = {};
  const config = await deps.prices.config.get();
  const clock = deps.clock ?? Date.now;
  const products = [...batch.lastRecordByProduct].filter(([productId]) => !failedProducts.has(productId));
  await mapConcurrent(products, 8, async ([productId, latest]) => {
    try {
      if ((deps.cooldowns?.get(productId) ?? 0) > latest.record.arrivalMs) return;
      const params = parametersFor(config, latest.category ?? '');
      // The product's latest minute, or, if a client's clock stamped that one ahead, the current one
      // when this batch counted some of it: a minute not yet begun cannot be read, and one fast clock
      // must not keep a product's surge from being read.
      let minuteMs = toEpochMs(latest.minute);
      const currentMs = Math.floor(clock() / MINUTE_MS) * MINUTE_MS;
      if (minuteMs > currentMs) {
        if (!totalsByKey.has(`${productId}|${toIso(currentMs)}`)) return;
        minuteMs = currentMs;
      }
      const minute = toIso(minuteMs);
      const periods = await minutesObserved(deps, productId, minute, params, totalsByKey);
      // Its share gone when its counts were read, not when the batch arrived: a lagging shard or a
      // redelivery reads counts other batches have added since, which only a later look may read.
      const lastPeriodFraction = filledFraction(minuteMs, clock(), MINUTE_MS) ?? 1;
      const observation: DemandObservation = { source: 'minutes', periodSeconds: 60, periods, lastPeriodFraction };
      // Only a significant rise against the rolling baseline is worth a decision's reads; the policy
      // then reads the same minutes against the product's reference, if it has one.
      const evidence = assessDemand(observation, null, params);
      if (evidence.kind !== 'assessed' || evidence.direction !== 'up') return;
      const result = await applyDecision(deps.prices, productId, {
        // Shard + sequence: a redelivered batch attributes its decision to the same record.
        decisionId: `${latest.record.shardId}:${latest.record.sequenceNumber}`,
        at: toIso(latest.record.arrivalMs),
        source: FAST_PATH_SOURCE,
        signals: { demand: observation },
      });
      decisions[result.outcome]++;
      if (result.outcome === 'applied') {
        changesByReason[result.change.reasonCode] = (changesByReason[result.change.reasonCode] ?? 0) + 1;
        deps.cooldowns?.set(productId, latest.record.arrivalMs + params.cooldownSeconds * 1000);
      }
    } catch (error) {
      // Demand for a product the catalogue does not have is counted, but there is nothing to price.
      if (error instanceof NotFoundError) return;
      for (const contribution of batch.contributions.values()) {
        if (contribution.productId === productId) fail(contribution, `pricing: ${String(error)}`);
      }
    }
  });

  return {
    failures,
    stats: {
      records: records.length,
      counted: batch.counts.count,
      quarantined: batch.counts.quarantined,
      duplicates: batch.counts.duplicate,
      botEvents: batch.counts.bot,
      cappedEvents: batch.counts.over_session_cap,
      keys,
      decisions,
      changesByReason,
      oldestArrivalMs: oldestArrival(records),
      sessionLog,
    },
  };
}

function oldestArrival(records: readonly ClickRecord[]): number | null {
  return records.reduce<number | null>(
    (oldest, record) => (oldest === null || record.arrivalMs < oldest ? record.arrivalMs : oldest),
    null,
  );
}

/** The stats of a batch that was not judged. */
function emptyStats(records: readonly ClickRecord[], sessionLog: SessionLogTraffic): ClickstreamOutcome['stats'] {
  return {
    records: records.length,
    counted: 0,
    quarantined: 0,
    duplicates: 0,
    botEvents: 0,
    cappedEvents: 0,
    keys: { counted: 0, counted_remainder: 0, already_counted: 0 },
    decisions: { applied: 0, no_change: 0, duplicate: 0 },
    changesByReason: {},
    oldestArrivalMs: oldestArrival(records),
    sessionLog,
  };
}

const MINUTE_MS = 60_000;

function periodOf(counts: MinuteCounts | undefined): PeriodCounts {
  return {
    views: counts?.views ?? 0,
    carts: counts?.carts ?? 0,
    purchases: counts?.purchases ?? 0,
    units: counts?.units ?? 0,
  };
}

/**
 * The product's minutes up to `minute` as the evidence reads them: the earlier ones from the demand
 * table (or the environment's copy of them), the current one as this batch's write left it (read
 * from the table when this batch wrote none of it).
 */
async function minutesObserved(
  deps: ClickstreamDependencies,
  productId: string,
  minute: string,
  params: { readonly baselinePeriods: number; readonly detectionSpans: readonly number[] },
  totalsByKey: ReadonlyMap<string, MinuteCounts>,
): Promise<PeriodCounts[]> {
  const lookback = params.baselinePeriods + Math.max(...params.detectionSpans);
  let earlier = deps.history?.get(productId, minute);
  let current = totalsByKey.get(`${productId}|${minute}`);
  if (earlier === undefined || earlier.length < lookback - 1 || current === undefined) {
    const minutes = await deps.demand.minutes(productId, minute, lookback);
    earlier = minutes.slice(0, -1).map(periodOf);
    current ??= minutes[minutes.length - 1];
    deps.history?.set(productId, minute, earlier);
  }
  return [...earlier.slice(earlier.length - (lookback - 1)), periodOf(current)];
}
