import { type KinesisClient, PutRecordsCommand, type PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { StreamWriteError } from './errors.js';
import { createRandom, type Random } from './random.js';
import { ShardMap } from './shard-map.js';
import { TokenBucket } from './token-bucket.js';

/** One record to put: its partition key and exact data. */
export interface OutgoingRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

/**
 * Called once for a record the stream accepted (its PutRecords entry came back without an
 * ErrorCode), never for one it refused. It runs inside the sender's call handling: it must not throw.
 */
export type OnAccepted = () => void;

/** Kinesis' documented write limits of one shard. */
export const SHARD_WRITE_LIMITS = { recordsPerSecond: 1_000, bytesPerSecond: 1024 * 1024 } as const;

/** PutRecords' own limits: records per call and bytes per call (data plus partition keys). */
export const PUT_RECORDS_LIMITS = { records: 500, bytes: 5 * 1024 * 1024 } as const;

export interface KinesisSenderOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  /** @default read from the stream with ListShards */
  readonly shardMap?: ShardMap;
  /** @default 500 */
  readonly maxBatchRecords?: number;
  /** @default 5 MiB */
  readonly maxBatchBytes?: number;
  /**
   * The per-shard rates to pace to; null sends as fast as the service accepts (to measure it).
   * @default SHARD_WRITE_LIMITS
   */
  readonly shardLimits?: { readonly recordsPerSecond: number; readonly bytesPerSecond: number } | null;
  /**
   * How much of a second's allowance may go out at once. Small, so no one-second window carries
   * much more than the limit. @default 0.2
   */
  readonly burstSeconds?: number;
  /** Attempts per record before it is counted lost. @default 10 */
  readonly maxAttempts?: number;
  /** @default 100 */
  readonly baseBackoffMs?: number;
  /** @default 5000 */
  readonly maxBackoffMs?: number;
  /** Seeds the backoff jitter. @default 1 */
  readonly jitterSeed?: number;
}

/** What the sender did so far. */
export interface SenderStats {
  /** Records the stream accepted. */
  readonly recordsSent: number;
  /** Bytes of those records (data plus partition keys, as Kinesis counts them). */
  readonly bytesSent: number;
  readonly putRecordsCalls: number;
  /** Entries refused with ProvisionedThroughputExceededException (each retried). */
  readonly throttledEntries: number;
  /** Entries refused with another error code, e.g. InternalFailure (each retried). */
  readonly failedEntries: number;
  /** Entries sent again after a failure. */
  readonly retriedEntries: number;
  /** Records given up on: refused maxAttempts times, or waiting when the stream failed fatally. */
  readonly lostRecords: number;
  /**
   * Records never accepted because the sender was closed at once (a second Ctrl-C, a stack going
   * away): still waiting, or in a call that close() cut short (those may be on the stream anyway).
   */
  readonly abandonedRecords: number;
  /** Why records were lost, for a person to read; null while none were. */
  readonly lostReason: string | null;
  /** Whole PutRecords calls that failed after the SDK's own retries (all their records retried). */
  readonly callErrors: number;
  /** Records waiting or in flight. */
  readonly queuedRecords: number;
  /** Summed duration of the PutRecords calls. */
  readonly putRecordsMs: number;
  /** Summed time lanes waited for their shard's allowance. */
  readonly pacingWaitMs: number;
  readonly backoffWaitMs: number;
  /** Refused entries by error code. */
  readonly errorCodes: Readonly<Record<string, number>>;
}

interface Pending {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  /** Data plus partition key bytes: what counts against the byte limits. */
  readonly size: number;
  readonly onAccepted: OnAccepted | undefined;
  attempts: number;
}

/** One shard's queue, its allowance, and whether a call for it is under way. */
interface Lane {
  queue: Pending[];
  head: number;
  readonly records: TokenBucket | null;
  readonly bytes: TokenBucket | null;
  retryAt: number;
  running: boolean;
  scheduled: boolean;
}

const THROTTLED = 'ProvisionedThroughputExceededException';

/** Errors that will not go away by retrying: the run cannot succeed, so it stops. */
const FATAL_ERRORS = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'ValidationException',
  'InvalidArgumentException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSNotFoundException',
  'CredentialsProviderError',
]);

interface Waiter {
  readonly ready: () => boolean;
  readonly resolve: () => void;
}

/**
 * Puts records on a Kinesis stream with PutRecords: batches of up to 500 records and 5 MB, one queue
 * per shard (found by hashing the partition key as Kinesis does) so each shard is paced to its own
 * 1,000 records/s and 1 MB/s, and only the entries a call refused are retried, after an exponential
 * backoff with full jitter. One call per shard is in flight at a time, so without failures each
 * shard receives its records in the order they were given, and acceptances are reported per shard
 * in the order the shard stored the records.
 *
 * Every record ends one of three ways: accepted, lost (refused maxAttempts times, or the stream
 * failed fatally) or abandoned (close() was called before the stream accepted it).
 */
export class KinesisSender {
  private readonly lanes: Lane[];
  private readonly random: Random;
  private readonly maxBatchRecords: number;
  private readonly maxBatchBytes: number;
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly waiters = new Set<Waiter>();
  /** Sleeping lanes, each with the function that wakes it early (on close). */
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();
  /** One per call in flight, so close() can cut them short. */
  private readonly inFlight = new Set<AbortController>();
  private fatal: StreamWriteError | null = null;
  private closed = false;
  private queued = 0;
  private readonly counts = {
    recordsSent: 0,
    bytesSent: 0,
    putRecordsCalls: 0,
    throttledEntries: 0,
    failedEntries: 0,
    retriedEntries: 0,
    lostRecords: 0,
    abandonedRecords: 0,
    callErrors: 0,
    putRecordsMs: 0,
    pacingWaitMs: 0,
    backoffWaitMs: 0,
  };
  private readonly errorCodes: Record<string, number> = {};
  /** Records lost to maxAttempts (the rest of lostRecords went with a fatal error). */
  private lostToRetries = 0;

  private constructor(
    private readonly options: KinesisSenderOptions,
    readonly shardMap: ShardMap,
  ) {
    const now = performance.now();
    const limits = options.shardLimits === undefined ? SHARD_WRITE_LIMITS : options.shardLimits;
    const burst = options.burstSeconds ?? 0.2;
    this.lanes = shardMap.shards.map(() => ({
      queue: [],
      head: 0,
      records: limits ? new TokenBucket(limits.recordsPerSecond, limits.recordsPerSecond * burst, now) : null,
      bytes: limits ? new TokenBucket(limits.bytesPerSecond, limits.bytesPerSecond * burst, now) : null,
      retryAt: 0,
      running: false,
      scheduled: false,
    }));
    this.random = createRandom(options.jitterSeed ?? 1);
    this.maxBatchRecords = Math.min(options.maxBatchRecords ?? PUT_RECORDS_LIMITS.records, PUT_RECORDS_LIMITS.records);
    this.maxBatchBytes = Math.min(options.maxBatchBytes ?? PUT_RECORDS_LIMITS.bytes, PUT_RECORDS_LIMITS.bytes);
    this.maxAttempts = options.maxAttempts ?? 10;
    this.baseBackoffMs = options.baseBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
  }

  /** A sender for the stream; reads the stream's shards unless a shard map is given. */
  static async create(options: KinesisSenderOptions): Promise<KinesisSender> {
    const shardMap = options.shardMap ?? (await ShardMap.load(options.client, options.streamName));
    return new KinesisSender(options, shardMap);
  }

  /**
   * Queues a record; it goes out with the next call for its shard, and `onAccepted` runs once the
   * stream has accepted it. Throws once the stream has failed fatally (see `failure`) or after close().
   */
  send(record: OutgoingRecord, onAccepted?: OnAccepted): void {
    if (this.fatal) throw this.fatal;
    if (this.closed) throw new StreamWriteError('the sender is closed');
    const lane = this.lanes[this.shardMap.shardIndexOf(record.partitionKey)] as Lane;
    lane.queue.push({
      partitionKey: record.partitionKey,
      data: record.data,
      size: record.data.byteLength + Buffer.byteLength(record.partitionKey),
      onAccepted,
      attempts: 0,
    });
    this.queued++;
    this.schedule(lane);
  }

  /** The error that made the stream unwritable (no such stream, no permission…), or null. */
  get failure(): StreamWriteError | null {
    return this.fatal;
  }

  /** True once close() was called or the stream failed: send() takes nothing more. */
  get stopped(): boolean {
    return this.closed || this.fatal !== null;
  }

  stats(): SenderStats {
    return {
      ...this.counts,
      lostReason: this.lostReason(),
      queuedRecords: this.queued,
      errorCodes: { ...this.errorCodes },
    };
  }

  /**
   * Resolves once at most `maxQueued` records are waiting or in flight: back-pressure for producers.
   * A stopped sender (closed, or the stream failed) empties its queue, so this resolves then too.
   */
  waitForRoom(maxQueued: number): Promise<void> {
    return this.waitUntil(() => this.queued <= maxQueued);
  }

  /**
   * Resolves once no record is waiting or in flight: each one accepted, lost or abandoned. There is
   * no time limit; close() is how to stop waiting for a slow stream.
   */
  drain(): Promise<void> {
    return this.waitUntil(() => this.queued === 0);
  }

  /**
   * Stops at once: records still waiting are abandoned, never sent, and calls in flight are cut
   * short (their records are abandoned too). drain() resolves once those calls have returned.
   * Safe to call more than once.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const call of this.inFlight) call.abort();
    for (const [timer, wake] of this.sleepers) {
      clearTimeout(timer);
      wake();
    }
    this.sleepers.clear();
    for (const lane of this.lanes) this.counts.abandonedRecords += this.clearLane(lane);
    this.notify();
  }

  private lostReason(): string | null {
    if (this.counts.lostRecords === 0) return null;
    const seen = Object.entries(this.errorCodes).map(([code, count]) => `${code} ${count}`);
    if (this.counts.callErrors > 0) seen.push(`failed calls ${this.counts.callErrors}`);
    const refused = `not accepted in ${this.maxAttempts} attempts each (refusals in the run: ${seen.join(', ')})`;
    if (this.fatal === null) return refused;
    if (this.lostToRetries === 0) return this.fatal.message;
    return `${this.fatal.message}; ${this.lostToRetries} of them earlier, ${refused}`;
  }

  /** Empties a lane's queue (not its call in flight) and returns how many records it held. */
  private clearLane(lane: Lane): number {
    const left = lane.queue.length - lane.head;
    this.queued -= left;
    lane.queue = [];
    lane.head = 0;
    return left;
  }

  private waitUntil(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.add({ ready, resolve });
    });
  }

  private notify(): void {
    for (const waiter of this.waiters) {
      if (!waiter.ready()) continue;
      waiter.resolve();
      this.waiters.delete(waiter);
    }
  }

  private schedule(lane: Lane): void {
    if (lane.running || lane.scheduled) return;
    lane.scheduled = true;
    // Deferred, so every record queued in the same turn of the event loop joins the same call.
    setImmediate(() => {
      lane.scheduled = false;
      void this.pump(lane);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleepers.delete(timer);
        resolve();
      }, ms);
      this.sleepers.set(timer, resolve);
    });
  }

  private async pump(lane: Lane): Promise<void> {
    if (lane.running) return;
    lane.running = true;
    try {
      while (lane.queue.length > lane.head && !this.closed && !this.fatal) {
        const backoff = lane.retryAt - performance.now();
        if (backoff > 0) {
          this.counts.backoffWaitMs += backoff;
          await this.sleep(backoff);
          continue;
        }
        const pacing = this.pacingWait(lane);
        if (pacing > 0) {
          this.counts.pacingWaitMs += pacing;
          await this.sleep(pacing);
          continue;
        }
        await this.putBatch(lane, this.takeBatch(lane));
      }
    } finally {
      lane.running = false;
      this.notify();
    }
  }

  /** How long the lane must wait for its shard's allowance to cover a worthwhile batch. */
  private pacingWait(lane: Lane): number {
    if (lane.records === null || lane.bytes === null) return 0;
    const now = performance.now();
    const waiting = lane.queue.length - lane.head;
    const target = Math.min(waiting, this.maxBatchRecords, Math.floor(lane.records.capacity));
    const first = lane.queue[lane.head] as Pending;
    return Math.max(lane.records.msUntil(Math.max(1, target), now), lane.bytes.msUntil(first.size, now));
  }

  /** The next batch: within PutRecords' limits and, when pacing, within the shard's allowance. */
  private takeBatch(lane: Lane): Pending[] {
    const now = performance.now();
    let recordBudget = lane.records ? Math.max(1, Math.floor(lane.records.available(now))) : Number.POSITIVE_INFINITY;
    let byteBudget = lane.bytes ? Math.max(lane.bytes.available(now), 0) : Number.POSITIVE_INFINITY;
    const batch: Pending[] = [];
    let bytes = 0;
    while (lane.head < lane.queue.length && batch.length < this.maxBatchRecords && recordBudget > 0) {
      const next = lane.queue[lane.head] as Pending;
      // The first record always goes, so one record bigger than the allowance cannot stall the lane.
      if (batch.length > 0 && (bytes + next.size > this.maxBatchBytes || next.size > byteBudget)) break;
      batch.push(next);
      lane.head++;
      bytes += next.size;
      byteBudget -= next.size;
      recordBudget--;
    }
    lane.records?.take(batch.length, now);
    lane.bytes?.take(bytes, now);
    if (lane.head > 4_096 && lane.head * 2 > lane.queue.length) {
      lane.queue = lane.queue.slice(lane.head);
      lane.head = 0;
    }
    return batch;
  }

  private async putBatch(lane: Lane, batch: Pending[]): Promise<void> {
    const startedAt = performance.now();
    this.counts.putRecordsCalls++;
    let entries: PutRecordsResultEntry[];
    const call = new AbortController();
    this.inFlight.add(call);
    try {
      const response = await this.options.client.send(
        new PutRecordsCommand({
          StreamName: this.options.streamName,
          Records: batch.map((record) => ({ PartitionKey: record.partitionKey, Data: record.data })),
        }),
        { abortSignal: call.signal },
      );
      entries = response.Records ?? [];
    } catch (error) {
      this.counts.putRecordsMs += performance.now() - startedAt;
      const name = (error as Error).name;
      if (!this.closed && !this.fatal && FATAL_ERRORS.has(name)) {
        this.fatal = new StreamWriteError(
          `cannot write to stream ${this.options.streamName}: ${name}: ${(error as Error).message}`,
          { cause: error },
        );
        // No record still waiting can go now; calls in flight on other lanes settle on their own.
        for (const other of this.lanes) this.counts.lostRecords += this.clearLane(other);
      } else if (!this.closed && !this.fatal) {
        this.counts.callErrors++;
      }
      this.refused(lane, batch);
      this.notify();
      return;
    } finally {
      this.inFlight.delete(call);
    }
    this.counts.putRecordsMs += performance.now() - startedAt;
    const failed: Pending[] = [];
    batch.forEach((record, index) => {
      const code = entries[index]?.ErrorCode ?? (entries[index] ? undefined : 'MissingResultEntry');
      if (code === undefined) {
        this.counts.recordsSent++;
        this.counts.bytesSent += record.size;
        this.queued--;
        record.onAccepted?.();
        return;
      }
      if (code === THROTTLED) this.counts.throttledEntries++;
      else this.counts.failedEntries++;
      this.errorCodes[code] = (this.errorCodes[code] ?? 0) + 1;
      failed.push(record);
    });
    if (failed.length > 0) this.refused(lane, failed);
    this.notify();
  }

  /** Records a call did not get accepted: abandoned after close(), lost after a fatal error, else retried. */
  private refused(lane: Lane, records: Pending[]): void {
    if (records.length === 0) return;
    if (this.closed) {
      this.counts.abandonedRecords += records.length;
      this.queued -= records.length;
    } else if (this.fatal) {
      this.counts.lostRecords += records.length;
      this.queued -= records.length;
    } else {
      this.retry(lane, records);
    }
  }

  /** Puts refused records back at the front of their lane, in order, after a jittered backoff. */
  private retry(lane: Lane, records: Pending[]): void {
    const again: Pending[] = [];
    let attempts = 0;
    for (const record of records) {
      record.attempts++;
      if (record.attempts >= this.maxAttempts) {
        this.counts.lostRecords++;
        this.lostToRetries++;
        this.queued--;
      } else {
        again.push(record);
        attempts = Math.max(attempts, record.attempts);
      }
    }
    if (again.length === 0) return;
    this.counts.retriedEntries += again.length;
    lane.queue = again.concat(lane.queue.slice(lane.head));
    lane.head = 0;
    // Full jitter: a random delay up to the exponential bound, so throttled producers spread out.
    const bound = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** (attempts - 1));
    lane.retryAt = performance.now() + this.random.next() * bound;
  }
}
