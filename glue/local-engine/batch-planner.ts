/**
 * Which records the next batch of the local Glue engine covers: its window (one window size, or up
 * to the last boundary passed when the engine fell behind) and, per shard, the sequence range read
 * to the stream's tip once the window has closed. A plan is durable (batch-log.ts) before the batch
 * has any effect, and a plan found uncommitted on start is read again, record for record.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { toEpochMs, toIso } from '../../functions/domain/time.js';
import type { BatchLog, BatchPlan, ShardRange } from './batch-log.js';
import { listShardIds, readRange, readToLatest, type ShardRecord } from './shard-reader.js';

export interface PlannedBatch {
  readonly plan: BatchPlan;
  readonly records: ShardRecord[];
}

export interface BatchPlannerOptions {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly log: BatchLog;
  readonly windowMs: number;
  /** How far the orders' range lags the window (glue/window-config.ts). */
  readonly orderGraceMs: number;
  /** Wall clock deciding which window has closed. */
  readonly clock: () => number;
  /** Aborts a wait for a window to close. */
  readonly signal: AbortSignal;
}

export class BatchPlanner {
  constructor(
    private readonly options: BatchPlannerOptions,
    /** The last plan written, committed or not (none on a first start). */
    private lastPlan: BatchPlan | undefined,
  ) {}

  /** Waits for the next window to close, reads every shard to its tip, and makes the plan durable. */
  async planNext(): Promise<PlannedBatch> {
    const { kinesis, streamName, log } = this.options;
    const windowStart = this.nextWindowStart();
    await this.waitUntil(windowStart + this.options.windowMs);
    const windowEnd = this.windowEndFor(windowStart);
    const previous = new Map((this.lastPlan?.shards ?? []).map((shard) => [shard.shardId, shard]));
    const shardIds = await listShardIds(kinesis, streamName);
    const reads = await Promise.all(
      shardIds.map(async (shardId) => {
        const before = previous.get(shardId);
        const after = before ? (before.through ?? before.after) : null;
        const records = await readToLatest(kinesis, streamName, shardId, after);
        const range: ShardRange = { shardId, after, through: records.at(-1)?.sequenceNumber ?? null };
        return { range, records };
      }),
    );
    const plan: BatchPlan = {
      version: 1,
      batchId: (this.lastPlan?.batchId ?? -1) + 1,
      streamName,
      windowStart: toIso(windowStart),
      windowEnd: toIso(windowEnd),
      ...this.ordersRange(windowStart, windowEnd),
      plannedAt: toIso(Date.now()),
      shards: reads.map((read) => read.range),
    };
    // Nothing of the batch has had an effect yet: the records read to find the plan's end are held in
    // memory and processed only once the plan is durable.
    await log.writePlan(plan);
    this.lastPlan = plan;
    return { plan, records: reads.flatMap((read) => read.records) };
  }

  /** The records of a plan written before (an uncommitted batch found on start), exactly its ranges. */
  async readPlanned(plan: BatchPlan): Promise<PlannedBatch> {
    const reads = await Promise.all(
      plan.shards.map((shard) =>
        shard.through === null
          ? []
          : readRange(this.options.kinesis, plan.streamName, shard.shardId, shard.after, shard.through),
      ),
    );
    return { plan, records: reads.flat() };
  }

  /** From where the last plan's orders ended (the grace before this window on a first start) to the grace before its end. */
  private ordersRange(windowStart: number, windowEnd: number): { ordersStart: string; ordersEnd: string } {
    const grace = this.options.orderGraceMs;
    const ordersStart = this.lastPlan?.ordersEnd ?? toIso(windowStart - grace);
    const ordersEnd = toIso(Math.max(windowEnd - grace, toEpochMs(ordersStart)));
    return { ordersStart, ordersEnd };
  }

  /** The next window starts where the last planned one ended (or at the last closed window on a first start). */
  private nextWindowStart(): number {
    const { windowMs, clock } = this.options;
    if (this.lastPlan) return toEpochMs(this.lastPlan.windowEnd);
    return Math.floor(clock() / windowMs) * windowMs - windowMs;
  }

  /**
   * The window runs to the last window boundary passed: one window size normally, longer after the
   * engine was stopped or fell behind, so windows stay contiguous (no order is skipped) and the next
   * batch's label is current instead of lagging further with every window missed.
   */
  private windowEndFor(windowStart: number): number {
    const { windowMs, clock } = this.options;
    return Math.max(windowStart + windowMs, Math.floor(clock() / windowMs) * windowMs);
  }

  private async waitUntil(epochMs: number): Promise<void> {
    const { clock, signal } = this.options;
    while (clock() < epochMs) {
      signal.throwIfAborted();
      await sleep(Math.min(250, Math.max(1, epochMs - clock())), undefined, { signal });
    }
  }
}
