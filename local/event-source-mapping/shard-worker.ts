/**
 * One shard's poller: the one implementation behind both Kinesis and DynamoDB Streams mappings.
 *
 * It keeps one batch in flight per shard, in stream order (ParallelizationFactor 1), and follows
 * Lambda's documented stream semantics:
 * - batches of up to BatchSize records, cut before the 6 MB payload limit, gathered for up to
 *   MaximumBatchingWindowInSeconds unless full;
 * - a complete success checkpoints the batch's last record; a partial batch response checkpoints
 *   before the lowest failed record and retries from it; anything else fails the whole batch;
 * - BisectBatchOnFunctionError splits a failed batch in two (a partial response: at the returned
 *   sequence number), and splits do not count against MaximumRetryAttempts;
 * - a batch that fails after MaximumRetryAttempts retries, or records older than
 *   MaximumRecordAgeInSeconds, go to the on-failure destination and the shard moves on;
 * - records that match no filter are skipped and checkpointed past.
 */
import type { BatchOutcome } from './batch-response.js';
import { BatchOutcomeKind } from './batch-response.js';
import type { ShardCheckpoint } from './checkpoint-store.js';
import { ERROR_BACKOFF_MS, MAX_INVOCATION_PAYLOAD_BYTES } from './constants.js';
import type { RecordFilter } from './filter-criteria.js';
import { OnFailureCondition } from './on-failure-destination.js';
import { type IteratorPosition, SourceErrorKind, type SourceRecord, type StreamSource } from './stream-source.js';
import { sleep } from './support.js';
import {
  type Clock,
  type MappingLogger,
  type ResolvedMappingConfig,
  type ShardStats,
  StartingPosition,
} from './types.js';

/** What one invocation of the handler came to. */
export interface InvocationResult {
  readonly requestId: string;
  readonly outcome: BatchOutcome;
  /** "Unhandled" when the handler threw, timed out, or returned something that cannot be serialized. */
  readonly functionError?: 'Unhandled';
}

/** Counters the workers of a mapping share. */
export interface MappingCounters {
  invocations: number;
  failedInvocations: number;
  recordsRead: number;
  recordsInvoked: number;
  recordsSucceeded: number;
  recordsFiltered: number;
  recordsDiscarded: number;
  retries: number;
  bisections: number;
}

/** What a worker needs from its mapping. */
export interface ShardWorkerRuntime<TRecord> {
  readonly source: StreamSource<TRecord>;
  readonly config: ResolvedMappingConfig;
  readonly filter: RecordFilter<TRecord> | undefined;
  readonly clock: Clock;
  readonly logger: MappingLogger;
  /** Aborted when the mapping stops. */
  readonly signal: AbortSignal;
  readonly counters: MappingCounters;
  /** `lastArrivalMs`: when the batch's last record reached the stream (for IteratorAge). */
  invoke(records: readonly TRecord[], lastArrivalMs: number): Promise<InvocationResult>;
  /** Persists the shard's checkpoint; resolves once written (or the failure logged). */
  saveShard(shardId: string, checkpoint: ShardCheckpoint): Promise<void>;
  /**
   * Hands a discarded batch to the on-failure destination, retrying until it is kept. False when the
   * mapping stopped first: the records then stay unchecked and are read again after a restart.
   */
  discard(
    shardId: string,
    records: readonly SourceRecord<TRecord>[],
    condition: OnFailureCondition,
    approximateInvokeCount: number,
    lastInvocation: InvocationResult | undefined,
  ): Promise<boolean>;
  shardEnded(shardId: string): void;
}

/** Where a shard starts: its saved checkpoint, or the mapping's starting position. */
export interface ShardStart {
  readonly checkpoint: ShardCheckpoint | undefined;
  readonly position: StartingPosition;
}

interface BufferedRecord<TRecord> extends SourceRecord<TRecord> {
  /** When the poller read it: the batching window of a batch runs from its first record's read time. */
  readonly readAtMs: number;
  deliveries: number;
  /** Failed deliveries that count as retries (not those answered by a bisection). */
  countedFailures: number;
}

/** Each record's entry in the event, plus the event's own braces. */
const EVENT_ENVELOPE_BYTES = 16;

export class ShardWorker<TRecord> {
  private readonly buffer: BufferedRecord<TRecord>[] = [];
  /**
   * Sizes of the next batches when they are fixed by a retry or a bisection, taken from the head of
   * the buffer; empty means "as many as BatchSize allows".
   */
  private readonly plannedSizes: number[] = [];
  /** undefined before the shard is opened; null once a closed shard has been read to its end. */
  private iterator: string | null | undefined;
  private lastRead: string | undefined;
  private committed: string | undefined;
  /** When the shard was started at LATEST, if no record has been checkpointed since. */
  private latestSince: number | undefined;
  /** Records that arrived before this are skipped: set when TRIM_HORIZON stands in for a past LATEST. */
  private skipBefore: number | undefined;
  private lastReadCount = 0;
  private fetches = 0;
  private lastEmptyFetch = 0;
  private busy = false;
  private lastInvocation: InvocationResult | undefined;
  private ended = false;

  constructor(
    readonly shardId: string,
    private readonly runtime: ShardWorkerRuntime<TRecord>,
    private readonly start: ShardStart,
  ) {}

  private get stopped(): boolean {
    return this.runtime.signal.aborted;
  }

  private pause(ms: number): Promise<void> {
    return sleep(ms, this.runtime.signal);
  }

  /** A mark for isIdleSince(): the number of reads started so far. */
  fetchMark(): number {
    return this.fetches;
  }

  /** Nothing buffered or in flight, and a read started after `mark` found the shard drained. */
  isIdleSince(mark: number): boolean {
    if (this.ended) return true;
    if (this.busy || this.buffer.length > 0) return false;
    return this.iterator === null || this.lastEmptyFetch > mark;
  }

  stats(): ShardStats {
    return {
      shardId: this.shardId,
      state: this.ended ? 'ended' : 'polling',
      checkpoint: this.committed,
      buffered: this.buffer.length,
    };
  }

  /** Gets the shard's first iterator: after its checkpoint, or at the mapping's starting position. */
  async open(): Promise<void> {
    const { checkpoint } = this.start;
    let position: IteratorPosition;
    if (checkpoint?.sequenceNumber !== undefined) {
      this.committed = checkpoint.sequenceNumber;
      this.lastRead = checkpoint.sequenceNumber;
      position = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: checkpoint.sequenceNumber };
    } else if (checkpoint?.latestSince !== undefined) {
      this.latestSince = checkpoint.latestSince;
      position = this.latestStandIn();
    } else if (this.start.position === StartingPosition.LATEST) {
      this.latestSince = this.runtime.clock.now();
      await this.runtime.saveShard(this.shardId, { latestSince: this.latestSince });
      position = { type: 'LATEST' };
    } else {
      position = { type: 'TRIM_HORIZON' };
    }
    this.iterator = await this.openIterator(position);
  }

  private async openIterator(initial: IteratorPosition): Promise<string | null | undefined> {
    let position = initial;
    const { source, logger } = this.runtime;
    while (!this.stopped) {
      try {
        return (await source.getShardIterator(this.shardId, position)) ?? null;
      } catch (error) {
        const kind = source.classifyError(error);
        if (
          position.type === 'AFTER_SEQUENCE_NUMBER' &&
          (kind === SourceErrorKind.TRIMMED || kind === SourceErrorKind.INVALID_POSITION)
        ) {
          // As Lambda does when its checkpoint has been trimmed away: carry on from the oldest record.
          logger.warn('checkpoint is no longer readable; reading the shard from TRIM_HORIZON', {
            shardId: this.shardId,
            checkpoint: position.sequenceNumber,
            error: String(error),
          });
          position = { type: 'TRIM_HORIZON' };
          continue;
        }
        logger.warn('cannot get a shard iterator; retrying', { shardId: this.shardId, error: String(error) });
        await this.pause(ERROR_BACKOFF_MS);
      }
    }
    return undefined;
  }

  /**
   * LATEST has no position to come back to: read from TRIM_HORIZON and skip what arrived before the
   * mapping first started, less the source's timestamp precision (at worst a few redeliveries).
   */
  private latestStandIn(): IteratorPosition {
    if (this.latestSince !== undefined) this.skipBefore = this.latestSince - this.runtime.source.arrivalPrecisionMs;
    return { type: 'TRIM_HORIZON' };
  }

  /** Where to read again after losing the iterator: after the last record read. */
  private resumePosition(): IteratorPosition {
    if (this.lastRead !== undefined) return { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastRead };
    return this.latestStandIn();
  }

  /** Polls until the shard ends or the mapping stops. */
  async run(): Promise<void> {
    while (!this.stopped && this.iterator !== undefined) {
      try {
        if (await this.step()) return;
      } catch (error) {
        this.runtime.logger.error('shard poller error; retrying', { shardId: this.shardId, error: String(error) });
        await this.pause(ERROR_BACKOFF_MS);
      }
    }
  }

  /** One turn of the loop; true when the shard has ended. */
  private async step(): Promise<boolean> {
    const { config } = this.runtime;
    if (this.iterator && this.plannedSizes.length === 0 && this.buffer.length < config.batchSize) await this.fetch();
    if (this.stopped) return false;

    if (this.buffer.length === 0) {
      await this.commitReadPosition();
      if (this.iterator === null) {
        await this.end();
        return true;
      }
      if (this.lastReadCount === 0) await this.pause(config.pollIntervalMs);
      return false;
    }

    const windowLeft = this.batchingWindowLeft();
    if (windowLeft > 0) {
      if (this.lastReadCount === 0) await this.pause(Math.min(windowLeft, config.pollIntervalMs));
      return false;
    }
    if (await this.discardExpired()) return false;
    await this.processNextBatch();
    return false;
  }

  private async fetch(): Promise<void> {
    const { source, filter, counters, clock } = this.runtime;
    this.fetches += 1;
    const fetch = this.fetches;
    let result: Awaited<ReturnType<StreamSource<TRecord>['getRecords']>>;
    try {
      result = await source.getRecords(this.shardId, this.iterator as string, source.maxRecordsPerRead);
    } catch (error) {
      this.lastReadCount = 0;
      await this.recoverFromReadError(error);
      return;
    }
    this.iterator = result.nextIterator ?? null;
    this.lastReadCount = result.records.length;
    counters.recordsRead += result.records.length;
    const readAtMs = clock.now();
    for (const record of result.records) {
      this.lastRead = record.sequenceNumber;
      if (this.skipBefore !== undefined && record.arrivalMs < this.skipBefore) continue;
      if (filter && !filter.matches(record.eventRecord)) {
        counters.recordsFiltered += 1;
        continue;
      }
      this.buffer.push({ ...record, readAtMs, deliveries: 0, countedFailures: 0 });
    }
    if (result.records.length === 0) this.lastEmptyFetch = fetch;
  }

  private async recoverFromReadError(error: unknown): Promise<void> {
    const { source, logger } = this.runtime;
    switch (source.classifyError(error)) {
      case SourceErrorKind.EXPIRED_ITERATOR:
        this.iterator = await this.openIterator(this.resumePosition());
        return;
      case SourceErrorKind.TRIMMED:
        logger.warn('records were trimmed before they were read; reading from TRIM_HORIZON', {
          shardId: this.shardId,
        });
        this.iterator = await this.openIterator({ type: 'TRIM_HORIZON' });
        return;
      case SourceErrorKind.THROTTLED:
        await this.pause(this.runtime.config.pollIntervalMs * 2);
        return;
      default:
        logger.error('GetRecords failed; retrying', { shardId: this.shardId, error: String(error) });
        await this.pause(ERROR_BACKOFF_MS);
    }
  }

  /** Milliseconds the next batch should still wait for more records; 0 to invoke now. */
  private batchingWindowLeft(): number {
    const { config, clock } = this.runtime;
    const windowMs = config.maximumBatchingWindowInSeconds * 1000;
    // Retries go at once, and a closed shard will bring nothing more to wait for.
    if (windowMs === 0 || this.plannedSizes.length > 0 || this.iterator === null) return 0;
    const first = this.buffer[0];
    if (!first || this.buffer.length >= config.batchSize) return 0;
    return Math.max(0, first.readAtMs + windowMs - clock.now());
  }

  /** Removes `count` records from the head of the plan after they were taken or discarded. */
  private consumePlanned(count: number): void {
    let left = count;
    while (left > 0 && this.plannedSizes.length > 0) {
      const head = this.plannedSizes[0] as number;
      if (head <= left) {
        this.plannedSizes.shift();
        left -= head;
      } else {
        this.plannedSizes[0] = head - left;
        left = 0;
      }
    }
  }

  /** Discards the records at the head of the buffer that are older than MaximumRecordAgeInSeconds. */
  private async discardExpired(): Promise<boolean> {
    const { config, clock, source } = this.runtime;
    if (config.maximumRecordAgeInSeconds < 0) return false;
    const maxAgeMs = config.maximumRecordAgeInSeconds * 1000;
    const now = clock.now();
    let expired = 0;
    // Records of a shard arrive in order, so the old ones are a prefix of the buffer.
    while (expired < this.buffer.length) {
      const record = this.buffer[expired] as BufferedRecord<TRecord>;
      if (now - (record.arrivalMs + source.arrivalPrecisionMs) <= maxAgeMs) break;
      expired += 1;
    }
    if (expired === 0) return false;
    while (expired > 0 && !this.stopped) {
      // One destination record per batch, as Lambda reports discarded batches.
      const chunk = Math.min(expired, config.batchSize);
      const invoked = (this.buffer[0] as BufferedRecord<TRecord>).deliveries > 0;
      if (
        !(await this.discard(chunk, OnFailureCondition.RECORD_AGE_EXCEEDED, invoked ? this.lastInvocation : undefined))
      ) {
        break;
      }
      this.consumePlanned(chunk);
      expired -= chunk;
    }
    return true;
  }

  private takeBatch(): BufferedRecord<TRecord>[] {
    const limit = Math.min(this.plannedSizes[0] ?? this.runtime.config.batchSize, this.buffer.length);
    const batch: BufferedRecord<TRecord>[] = [];
    let bytes = EVENT_ENVELOPE_BYTES;
    for (const record of this.buffer) {
      if (batch.length >= limit) break;
      if (batch.length > 0 && bytes + record.sizeBytes > MAX_INVOCATION_PAYLOAD_BYTES) break;
      batch.push(record);
      bytes += record.sizeBytes + 1;
    }
    return batch;
  }

  private async processNextBatch(): Promise<void> {
    const batch = this.takeBatch();
    const [head] = batch;
    if (!head) return;
    if (head.sizeBytes + EVENT_ENVELOPE_BYTES > MAX_INVOCATION_PAYLOAD_BYTES) {
      if (await this.discard(1, OnFailureCondition.MAXIMUM_PAYLOAD_SIZE_EXCEEDED, undefined)) this.consumePlanned(1);
      return;
    }
    this.consumePlanned(batch.length);
    for (const record of batch) record.deliveries += 1;

    this.busy = true;
    try {
      const invocation = await this.runtime.invoke(
        batch.map((record) => record.eventRecord),
        (batch.at(-1) ?? head).arrivalMs,
      );
      this.lastInvocation = invocation;
      const { outcome } = invocation;
      if (outcome.kind === BatchOutcomeKind.SUCCESS) {
        await this.succeed(batch.length);
      } else if (outcome.kind === BatchOutcomeKind.PARTIAL) {
        const lowest = outcome.lowestFailedIndex;
        if (lowest > 0) await this.succeed(lowest);
        await this.fail(batch.slice(lowest), invocation, lowest > 0);
      } else {
        await this.fail(batch, invocation, false);
      }
    } finally {
      this.busy = false;
    }
  }

  private async succeed(count: number): Promise<void> {
    const done = this.buffer.splice(0, count);
    this.runtime.counters.recordsSucceeded += done.length;
    const last = done.at(-1);
    if (last) await this.commit(last.sequenceNumber);
  }

  /**
   * `failed` is the head of the buffer: the whole batch, or for a partial response the records from
   * the lowest failed one on; `progressed` when the records before it succeeded.
   */
  private async fail(failed: BufferedRecord<TRecord>[], invocation: InvocationResult, progressed: boolean) {
    const { config, counters, logger } = this.runtime;
    const partial = invocation.outcome.kind === BatchOutcomeKind.PARTIAL;
    if (config.bisectBatchOnFunctionError) {
      if (partial && progressed) {
        // "Bisected at the returned sequence number": only the remaining records are retried.
        this.plannedSizes.unshift(failed.length);
        counters.bisections += 1;
        return;
      }
      if (failed.length > 1) {
        const firstHalf = Math.ceil(failed.length / 2);
        this.plannedSizes.unshift(firstHalf, failed.length - firstHalf);
        counters.bisections += 1;
        logger.debug('bisecting failed batch', { shardId: this.shardId, size: failed.length });
        return;
      }
    }
    for (const record of failed) record.countedFailures += 1;
    const head = failed[0] as BufferedRecord<TRecord>;
    if (config.maximumRetryAttempts !== -1 && head.countedFailures > config.maximumRetryAttempts) {
      await this.discard(failed.length, OnFailureCondition.RETRY_ATTEMPTS_EXHAUSTED, invocation);
      return;
    }
    counters.retries += 1;
    this.plannedSizes.unshift(failed.length);
    await this.pause(config.retryDelayMs);
  }

  /** Sends the first `count` buffered records to the on-failure destination and checkpoints past them. */
  private async discard(
    count: number,
    condition: OnFailureCondition,
    invocation: InvocationResult | undefined,
  ): Promise<boolean> {
    const records = this.buffer.slice(0, count);
    const first = records[0];
    const last = records.at(-1);
    if (!first || !last) return true;
    const kept = await this.runtime.discard(this.shardId, records, condition, first.deliveries, invocation);
    if (!kept) return false;
    this.buffer.splice(0, count);
    this.runtime.counters.recordsDiscarded += count;
    await this.commit(last.sequenceNumber);
    return true;
  }

  private async commit(sequenceNumber: string): Promise<void> {
    this.committed = sequenceNumber;
    await this.runtime.saveShard(this.shardId, { sequenceNumber });
  }

  /** With nothing buffered, records read but filtered out (or skipped) are done with too. */
  private async commitReadPosition(): Promise<void> {
    if (this.lastRead !== undefined && this.lastRead !== this.committed) await this.commit(this.lastRead);
  }

  private async end(): Promise<void> {
    this.ended = true;
    await this.runtime.saveShard(this.shardId, {
      ...(this.committed === undefined ? {} : { sequenceNumber: this.committed }),
      ended: true,
    });
    this.runtime.logger.info('shard ended', { shardId: this.shardId });
    this.runtime.shardEnded(this.shardId);
  }
}
