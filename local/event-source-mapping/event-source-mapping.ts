/**
 * The local event-source mapping: polls a Kinesis stream or a table's DynamoDB stream and invokes a
 * handler module as Lambda's event-source mapping does (see shard-worker.ts for the batch rules).
 * It discovers shards and follows their lineage (a child starts once its parents are read to the
 * end), keeps one worker per shard, and persists each shard's checkpoint.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBRecord, DynamoDBStreamEvent, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { BatchOutcomeKind, interpretBatchResponse, serializeResponse } from './batch-response.js';
import {
  type CheckpointStore,
  InMemoryCheckpointStore,
  type MappingCheckpoint,
  type ShardCheckpoint,
} from './checkpoint-store.js';
import { resolveMappingConfig } from './config.js';
import { ERROR_BACKOFF_MS } from './constants.js';
import { createDynamoDBStreamsSource } from './dynamodb-streams-source.js';
import { IdleTimeoutError } from './errors.js';
import { ExecutionEnvironments } from './execution-environments.js';
import { compileDynamoDBFilter, compileKinesisFilter, type RecordFilter } from './filter-criteria.js';
import { type InvocationSettings, invokeHandler, logStreamNameFor, type StreamHandler } from './invoke-handler.js';
import { createKinesisSource } from './kinesis-source.js';
import { buildOnFailureRecord, type OnFailureCondition, type OnFailureDestination } from './on-failure-destination.js';
import { type InvocationResult, type MappingCounters, ShardWorker, type ShardWorkerRuntime } from './shard-worker.js';
import type { ShardDescription, SourceRecord, StreamSource } from './stream-source.js';
import { consoleLogger, sleep, systemClock } from './support.js';
import {
  type Clock,
  type EventSourceMappingConfig,
  type LambdaMetricSink,
  type MappingDescription,
  type MappingLogger,
  type MappingStats,
  type ResolvedMappingConfig,
  SourceKind,
  StartingPosition,
} from './types.js';

interface MappingOptionsBase {
  /** The function's name, as in Lambda: it names the context, the function ARN and the default mapping id. */
  readonly functionName: string;
  readonly config: EventSourceMappingConfig;
  /**
   * Where checkpoints are kept; a FileCheckpointStore under the data dir makes restarts resume.
   * @default a new InMemoryCheckpointStore
   */
  readonly checkpoints?: CheckpointStore;
  /**
   * Names the mapping's checkpoint (Lambda's mapping UUID).
   * @default `<functionName>--<stream or table name>`
   */
  readonly mappingId?: string;
  /** @default consoleLogger (warnings and errors only) */
  readonly logger?: MappingLogger;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Where Lambda's metrics of the invoked function go. @default nowhere */
  readonly metrics?: LambdaMetricSink;
}

export interface KinesisMappingOptions extends MappingOptionsBase {
  readonly source: { readonly kind: typeof SourceKind.KINESIS; readonly streamName: string };
  readonly clients: { readonly kinesis: KinesisClient };
  /** The handler, or execution environments that each load their own instance of it. */
  readonly handler: StreamHandler<KinesisStreamEvent> | ExecutionEnvironments<KinesisStreamEvent>;
}

export interface DynamoDBMappingOptions extends MappingOptionsBase {
  readonly source: { readonly kind: typeof SourceKind.DYNAMODB; readonly tableName: string };
  readonly clients: { readonly dynamodb: DynamoDBClient; readonly dynamodbStreams: DynamoDBStreamsClient };
  /** The handler, or execution environments that each load their own instance of it. */
  readonly handler: StreamHandler<DynamoDBStreamEvent> | ExecutionEnvironments<DynamoDBStreamEvent>;
}

/** A running mapping. */
export interface EventSourceMapping {
  readonly mappingId: string;
  readonly eventSourceArn: string;
  readonly functionArn: string;
  /** The settings it runs with, Lambda's defaults filled in. */
  readonly config: ResolvedMappingConfig;
  stats(): MappingStats;
  /** The mapping as Lambda's GetEventSourceMapping describes it. */
  describe(): MappingDescription;
  /**
   * Resolves once every shard is drained: nothing buffered or in flight, and a read begun after the
   * call found no new records. For tests and scripted runs.
   */
  waitForIdle(options?: { readonly timeoutMs?: number }): Promise<void>;
  /**
   * Stops polling: an in-flight invocation finishes and is checkpointed, batches being gathered are
   * abandoned (they are read again after a restart), and no timer is left running.
   */
  stop(): Promise<void>;
}

interface RuntimeOptions<TRecord> {
  readonly source: StreamSource<TRecord>;
  readonly handler: StreamHandler<{ Records: TRecord[] }> | ExecutionEnvironments<{ Records: TRecord[] }>;
  readonly filter: RecordFilter<TRecord> | undefined;
  readonly config: ResolvedMappingConfig;
  readonly onFailure: OnFailureDestination | undefined;
  readonly functionName: string;
  readonly mappingId: string;
  readonly checkpoints: CheckpointStore;
  readonly stored: MappingCheckpoint | undefined;
  readonly logger: MappingLogger;
  readonly clock: Clock;
  readonly metrics: LambdaMetricSink | undefined;
}

class MappingRuntime<TRecord> implements ShardWorkerRuntime<TRecord>, EventSourceMapping {
  readonly source: StreamSource<TRecord>;
  readonly config: ResolvedMappingConfig;
  readonly filter: RecordFilter<TRecord> | undefined;
  readonly clock: Clock;
  readonly logger: MappingLogger;
  readonly counters: MappingCounters = {
    invocations: 0,
    failedInvocations: 0,
    recordsRead: 0,
    recordsInvoked: 0,
    recordsSucceeded: 0,
    recordsFiltered: 0,
    recordsDiscarded: 0,
    retries: 0,
    bisections: 0,
  };
  readonly mappingId: string;
  readonly eventSourceArn: string;
  readonly functionArn: string;

  private readonly abort = new AbortController();
  private readonly workers = new Map<string, { worker: ShardWorker<TRecord>; done: Promise<void> }>();
  private readonly waitingForParent = new Set<string>();
  private readonly shards: Record<string, ShardCheckpoint>;
  /** A checkpoint was stored before: shards without an entry are new since, and start at TRIM_HORIZON. */
  private readonly resumed: boolean;
  private readonly invocationSettings: InvocationSettings;
  private saving: Promise<void> = Promise.resolve();
  private discovering: Promise<void> | undefined;
  private discoverAgain = false;
  private discoveredOnce = false;
  private discoveryTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private lastProcessingResult = 'No records processed';
  private readonly startedMs: number;

  constructor(private readonly options: RuntimeOptions<TRecord>) {
    this.source = options.source;
    this.config = options.config;
    this.filter = options.filter;
    this.clock = options.clock;
    this.logger = options.logger;
    this.mappingId = options.mappingId;
    this.eventSourceArn = options.source.eventSourceArn;
    this.functionArn = `arn:aws:lambda:${options.source.region}:${options.source.accountId}:function:${options.functionName}`;
    this.shards = structuredClone({ ...(options.stored?.shards ?? {}) });
    this.resumed = options.stored !== undefined;
    this.startedMs = options.clock.now();
    this.invocationSettings = {
      functionName: options.functionName,
      functionArn: this.functionArn,
      memorySizeMb: options.config.memorySizeMb,
      timeoutSeconds: options.config.functionTimeoutSeconds,
      logStreamName: logStreamNameFor(options.clock.now()),
      clock: options.clock,
    };
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  async start(): Promise<void> {
    await this.discover();
    this.scheduleDiscovery();
    this.logger.info('event-source mapping started', {
      mappingId: this.mappingId,
      eventSourceArn: this.eventSourceArn,
      shards: [...this.workers.keys()],
    });
  }

  private scheduleDiscovery(): void {
    if (this.signal.aborted) return;
    this.discoveryTimer = setTimeout(() => {
      void this.discover().finally(() => this.scheduleDiscovery());
    }, this.config.shardDiscoveryIntervalMs);
  }

  private discover(): Promise<void> {
    if (this.discovering) {
      // A shard that just ended must not wait a whole interval for its children to be looked at.
      this.discoverAgain = true;
      return this.discovering;
    }
    this.discovering = this.runDiscovery().finally(() => {
      this.discovering = undefined;
      if (this.discoverAgain) {
        this.discoverAgain = false;
        void this.discover().catch((error) => this.logger.warn('shard discovery failed', { error: String(error) }));
      }
    });
    return this.discovering;
  }

  private async runDiscovery(): Promise<void> {
    if (this.signal.aborted) return;
    let shards: ShardDescription[];
    try {
      shards = await this.source.listShards();
    } catch (error) {
      // The first listing fails the start; later ones (a stream deleted under us) are retried.
      if (!this.discoveredOnce) throw error;
      this.logger.warn('cannot list shards; retrying later', { error: String(error) });
      return;
    }
    const first = !this.discoveredOnce;
    this.discoveredOnce = true;
    const listed = new Set(shards.map((shard) => shard.shardId));
    let changed = false;

    if (first && !this.resumed && this.config.startingPosition === StartingPosition.LATEST) {
      // LATEST means "what arrives from now on", and a closed shard receives nothing more.
      for (const shard of shards) {
        if (shard.closed && !this.shards[shard.shardId]?.ended) {
          this.shards[shard.shardId] = { ended: true };
          changed = true;
        }
      }
    }
    // Forget ended shards the stream no longer lists (trimmed), so the checkpoint does not grow forever.
    for (const [shardId, checkpoint] of Object.entries(this.shards)) {
      if (checkpoint.ended && !listed.has(shardId)) {
        delete this.shards[shardId];
        changed = true;
      }
    }
    if (changed) await this.persist();

    const starting: Promise<void>[] = [];
    for (const shard of shards) {
      const { shardId } = shard;
      if (this.shards[shardId]?.ended || this.workers.has(shardId)) continue;
      // A child's records follow its parents' in order, so it waits until they are read to the end.
      const parentsDone = shard.parentShardIds.every(
        (parent) => !listed.has(parent) || this.shards[parent]?.ended === true,
      );
      if (!parentsDone) {
        this.waitingForParent.add(shardId);
        continue;
      }
      this.waitingForParent.delete(shardId);
      const position = first && !this.resumed ? this.config.startingPosition : StartingPosition.TRIM_HORIZON;
      starting.push(this.startWorker(shardId, position));
    }
    for (const shardId of this.waitingForParent) if (!listed.has(shardId)) this.waitingForParent.delete(shardId);
    await Promise.all(starting);
  }

  private async startWorker(shardId: string, position: StartingPosition): Promise<void> {
    if (this.signal.aborted) return;
    const worker = new ShardWorker(shardId, this, { checkpoint: this.shards[shardId], position });
    const opened = worker.open();
    const done = opened
      .then(() => worker.run())
      .catch((error) => this.logger.error('shard poller stopped', { shardId, error: String(error) }));
    this.workers.set(shardId, { worker, done });
    // Waiting for the iterator (not the polling loop) is what lets start() promise a LATEST position.
    await opened.catch(() => {});
  }

  shardEnded(shardId: string): void {
    this.workers.delete(shardId);
    // Its children may start now.
    void this.discover().catch((error) => this.logger.warn('shard discovery failed', { error: String(error) }));
  }

  saveShard(shardId: string, checkpoint: ShardCheckpoint): Promise<void> {
    this.shards[shardId] = checkpoint;
    return this.persist();
  }

  /** Writes the whole checkpoint; writes are serialized so an older snapshot never lands last. */
  private persist(): Promise<void> {
    const snapshot: MappingCheckpoint = {
      version: 1,
      mappingId: this.mappingId,
      eventSourceArn: this.eventSourceArn,
      updatedAt: new Date(this.clock.now()).toISOString(),
      shards: structuredClone(this.shards),
    };
    this.saving = this.saving
      .then(() => this.options.checkpoints.save(snapshot))
      .catch((error) => this.logger.error('checkpoint not saved', { mappingId: this.mappingId, error: String(error) }));
    return this.saving;
  }

  async invoke(records: readonly TRecord[], lastArrivalMs: number): Promise<InvocationResult> {
    const metrics = this.options.metrics;
    metrics?.put('Invocations', 1);
    metrics?.put('IteratorAge', Math.max(0, this.clock.now() - lastArrivalMs));
    const result = await this.invokeOnce(records);
    // Lambda's Errors counts function errors only: a partial batch response is a successful call.
    metrics?.put('Errors', result.functionError === undefined ? 0 : 1);
    this.lastProcessingResult = result.functionError === undefined ? 'OK' : 'PROBLEM: Function call failed';
    return result;
  }

  /** Runs `call` with the handler of an execution environment (or the one handler), one call per environment at a time. */
  private async inEnvironment<T>(call: (handler: StreamHandler<{ Records: TRecord[] }>) => Promise<T>): Promise<T> {
    const { handler } = this.options;
    if (!(handler instanceof ExecutionEnvironments)) return call(handler);
    const lease = await handler.acquire();
    try {
      return await call(lease.handler);
    } finally {
      lease.release();
    }
  }

  private async invokeOnce(records: readonly TRecord[]): Promise<InvocationResult> {
    const requestId = randomUUID();
    const event = { Records: records.map((record) => structuredClone(record)) };
    this.counters.invocations += 1;
    this.counters.recordsInvoked += records.length;
    const itemIdentifiers = records.map((record) => sequenceNumberOf(this.source.kind, record));
    try {
      const response = await this.inEnvironment((handler) =>
        invokeHandler(handler, event, requestId, this.invocationSettings),
      );
      let serialized: unknown;
      try {
        serialized = serializeResponse(response);
      } catch (error) {
        this.counters.failedInvocations += 1;
        this.logger.warn('function response cannot be serialized', { requestId, error: String(error) });
        return {
          requestId,
          outcome: { kind: BatchOutcomeKind.FAILURE, reason: String(error) },
          functionError: 'Unhandled',
        };
      }
      const outcome = interpretBatchResponse(serialized, itemIdentifiers, this.config.reportBatchItemFailures);
      if (outcome.kind !== BatchOutcomeKind.SUCCESS) {
        this.counters.failedInvocations += 1;
        this.logger.debug('batch not fully processed', { requestId, outcome });
      }
      return { requestId, outcome };
    } catch (error) {
      this.counters.failedInvocations += 1;
      this.logger.warn('function error', {
        requestId,
        functionName: this.options.functionName,
        errorType: (error as Error)?.name,
        errorMessage: (error as Error)?.message ?? String(error),
      });
      return {
        requestId,
        outcome: { kind: BatchOutcomeKind.FAILURE, reason: String(error) },
        functionError: 'Unhandled',
      };
    }
  }

  async discard(
    shardId: string,
    records: readonly SourceRecord<TRecord>[],
    condition: OnFailureCondition,
    approximateInvokeCount: number,
    lastInvocation: InvocationResult | undefined,
  ): Promise<boolean> {
    const record = buildOnFailureRecord({
      kind: this.source.kind,
      shardId,
      streamArn: this.eventSourceArn,
      records,
      condition,
      requestId: lastInvocation?.requestId ?? randomUUID(),
      functionArn: this.functionArn,
      approximateInvokeCount,
      ...(lastInvocation
        ? {
            responseContext: {
              statusCode: 200,
              executedVersion: '$LATEST',
              ...(lastInvocation.functionError ? { functionError: lastInvocation.functionError } : {}),
            },
          }
        : {}),
      timestampMs: this.clock.now(),
    });
    const destination = this.options.onFailure;
    this.logger.warn('discarding batch', {
      condition,
      ...('KinesisBatchInfo' in record ? record.KinesisBatchInfo : record.DDBStreamBatchInfo),
    });
    if (!destination) return true;
    while (!this.signal.aborted) {
      try {
        await destination.send(record);
        return true;
      } catch (error) {
        this.logger.error('on-failure destination refused a record; retrying', { error: String(error) });
        await sleep(ERROR_BACKOFF_MS, this.signal);
      }
    }
    return false;
  }

  stats(): MappingStats {
    const shards = [...this.workers.values()].map(({ worker }) => worker.stats());
    for (const shardId of this.waitingForParent) {
      shards.push({ shardId, state: 'waiting-for-parent', checkpoint: undefined, buffered: 0 });
    }
    for (const [shardId, checkpoint] of Object.entries(this.shards)) {
      if (checkpoint.ended)
        shards.push({ shardId, state: 'ended', checkpoint: checkpoint.sequenceNumber, buffered: 0 });
    }
    return { ...this.counters, shards };
  }

  describe(): MappingDescription {
    const stopped = this.signal.aborted;
    return {
      uuid: this.mappingId,
      state: stopped ? 'Disabled' : 'Enabled',
      stateTransitionReason: 'USER_INITIATED',
      lastProcessingResult: this.lastProcessingResult,
      eventSourceArn: this.eventSourceArn,
      functionArn: this.functionArn,
      batchSize: this.config.batchSize,
      lastModifiedMs: this.startedMs,
    };
  }

  async waitForIdle(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const marks = new Map([...this.workers].map(([shardId, { worker }]) => [shardId, worker.fetchMark()]));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const idle =
        this.discovering === undefined &&
        this.waitingForParent.size === 0 &&
        [...this.workers].every(([shardId, { worker }]) => worker.isIdleSince(marks.get(shardId) ?? 0));
      if (idle) return;
      if (this.signal.aborted) throw new IdleTimeoutError(`mapping ${this.mappingId} was stopped`);
      if (Date.now() > deadline) {
        throw new IdleTimeoutError(
          `mapping ${this.mappingId} not idle after ${timeoutMs} ms: ${JSON.stringify(this.stats())}`,
        );
      }
      await sleep(10);
    }
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.abort.abort();
      clearTimeout(this.discoveryTimer);
      await this.discovering?.catch(() => {});
      await Promise.all([...this.workers.values()].map(({ done }) => done));
      await this.saving;
      this.logger.info('event-source mapping stopped', { mappingId: this.mappingId });
    })();
    return this.stopping;
  }
}

function sequenceNumberOf(kind: SourceKind, record: unknown): string {
  return kind === SourceKind.KINESIS
    ? (record as KinesisStreamRecord).kinesis.sequenceNumber
    : ((record as DynamoDBRecord).dynamodb?.SequenceNumber ?? '');
}

async function loadStored(
  store: CheckpointStore,
  mappingId: string,
  eventSourceArn: string,
  logger: MappingLogger,
): Promise<MappingCheckpoint | undefined> {
  const stored = await store.load(mappingId);
  if (stored && stored.eventSourceArn !== eventSourceArn) {
    // A recreated table has a new stream: positions in the old one mean nothing there.
    logger.warn('checkpoint belongs to another stream; starting afresh', {
      mappingId,
      stored: stored.eventSourceArn,
      current: eventSourceArn,
    });
    return undefined;
  }
  return stored;
}

async function run<TRecord>(
  options: MappingOptionsBase,
  sourceName: string,
  source: StreamSource<TRecord>,
  filter: RecordFilter<TRecord> | undefined,
  handler: StreamHandler<{ Records: TRecord[] }> | ExecutionEnvironments<{ Records: TRecord[] }>,
  config: ResolvedMappingConfig,
): Promise<EventSourceMapping> {
  const logger = options.logger ?? consoleLogger;
  const checkpoints = options.checkpoints ?? new InMemoryCheckpointStore();
  const mappingId = options.mappingId ?? `${options.functionName}--${sourceName}`;
  const runtime = new MappingRuntime<TRecord>({
    source,
    handler,
    filter,
    config,
    onFailure: options.config.onFailure,
    functionName: options.functionName,
    mappingId,
    checkpoints,
    stored: await loadStored(checkpoints, mappingId, source.eventSourceArn, logger),
    logger,
    clock: options.clock ?? systemClock,
    metrics: options.metrics,
  });
  try {
    await runtime.start();
  } catch (error) {
    await runtime.stop();
    throw error;
  }
  return runtime;
}

/**
 * Starts polling a Kinesis stream or a table's DynamoDB stream and invoking `handler` as Lambda's
 * event-source mapping would. Resolves once every initial shard has its iterator, so records put
 * afterwards are seen even with StartingPosition LATEST. Invalid settings throw at once, as
 * CreateEventSourceMapping rejects them.
 */
export function startEventSourceMapping(options: KinesisMappingOptions): Promise<EventSourceMapping>;
export function startEventSourceMapping(options: DynamoDBMappingOptions): Promise<EventSourceMapping>;
export async function startEventSourceMapping(
  options: KinesisMappingOptions | DynamoDBMappingOptions,
): Promise<EventSourceMapping> {
  if (options.source.kind === SourceKind.KINESIS) {
    const kinesisOptions = options as KinesisMappingOptions;
    const config = resolveMappingConfig(SourceKind.KINESIS, options.config);
    const filter = compileKinesisFilter(config.filterCriteria);
    const source = await createKinesisSource({
      client: kinesisOptions.clients.kinesis,
      streamName: kinesisOptions.source.streamName,
      functionName: options.functionName,
    });
    return run(options, kinesisOptions.source.streamName, source, filter, kinesisOptions.handler, config);
  }
  const dynamodbOptions = options as DynamoDBMappingOptions;
  const config = resolveMappingConfig(SourceKind.DYNAMODB, options.config);
  const filter = compileDynamoDBFilter(config.filterCriteria);
  const source = await createDynamoDBStreamsSource({
    dynamodb: dynamodbOptions.clients.dynamodb,
    dynamodbStreams: dynamodbOptions.clients.dynamodbStreams,
    tableName: dynamodbOptions.source.tableName,
  });
  return run(options, dynamodbOptions.source.tableName, source, filter, dynamodbOptions.handler, config);
}
