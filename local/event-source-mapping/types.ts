import type { EventSourceSettings, FilterCriteria, StartingPosition } from '../../definitions/event-sources.js';
import type { OnFailureDestination } from './on-failure-destination.js';

export { type FilterCriteria, StartingPosition } from '../../definitions/event-sources.js';

/** The two stream sources Lambda polls with an event-source mapping that this poller emulates. */
export const SourceKind = {
  KINESIS: 'kinesis',
  DYNAMODB: 'dynamodb',
} as const;
export type SourceKind = (typeof SourceKind)[keyof typeof SourceKind];

/**
 * An event-source mapping's settings: Lambda's (definitions/event-sources.ts), the on-failure
 * destination, and a last group without a Lambda counterpart that tunes the local poller.
 */
export interface EventSourceMappingConfig extends EventSourceSettings {
  /**
   * DestinationConfig.OnFailure: receives one metadata record per discarded batch.
   * @default undefined (discarded batches are only logged)
   */
  readonly onFailure?: OnFailureDestination;

  // Local settings, without a Lambda counterpart.

  /**
   * The function's timeout: a handler still running after it counts as a failed invocation.
   * @default 60
   */
  readonly functionTimeoutSeconds?: number;
  /**
   * Reported to the handler as context.memoryLimitInMB.
   * @default 1024
   */
  readonly memorySizeMb?: number;
  /**
   * Sleep after a GetRecords call that returned nothing. Lambda polls each shard about once a second.
   * @default 200
   */
  readonly pollIntervalMs?: number;
  /**
   * Pause before retrying a failed batch (never before a bisected half), so a failing handler does
   * not spin a CPU.
   * @default 250
   */
  readonly retryDelayMs?: number;
  /**
   * How often to look for new shards (resharding, DynamoDB Streams shard rollover).
   * @default 5000
   */
  readonly shardDiscoveryIntervalMs?: number;
}

/** The settings after defaults and validation. */
export interface ResolvedMappingConfig {
  readonly startingPosition: StartingPosition;
  readonly batchSize: number;
  readonly maximumBatchingWindowInSeconds: number;
  readonly reportBatchItemFailures: boolean;
  readonly bisectBatchOnFunctionError: boolean;
  readonly maximumRetryAttempts: number;
  readonly maximumRecordAgeInSeconds: number;
  readonly filterCriteria: FilterCriteria | undefined;
  readonly functionTimeoutSeconds: number;
  readonly memorySizeMb: number;
  readonly pollIntervalMs: number;
  readonly retryDelayMs: number;
  readonly shardDiscoveryIntervalMs: number;
}

/** A source of wall-clock time, injectable so tests can age records without waiting. */
export interface Clock {
  now(): number;
}

/** What the poller logs through; Powertools' Logger and console both fit. */
export interface MappingLogger {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

/** Counters of what a mapping did since it started. */
export interface MappingStats {
  readonly invocations: number;
  readonly failedInvocations: number;
  readonly recordsRead: number;
  readonly recordsInvoked: number;
  readonly recordsSucceeded: number;
  readonly recordsFiltered: number;
  readonly recordsDiscarded: number;
  readonly retries: number;
  readonly bisections: number;
  readonly shards: readonly ShardStats[];
}

export interface ShardStats {
  readonly shardId: string;
  readonly state: 'waiting-for-parent' | 'polling' | 'ended';
  readonly checkpoint: string | undefined;
  readonly buffered: number;
}

/**
 * Where a mapping publishes the metrics Lambda publishes for a function a stream mapping invokes
 * (namespace AWS/Lambda, dimension FunctionName): Invocations and Errors (0 or 1 per invocation, so
 * their sums count), and IteratorAge, the age in ms of the batch's last record when it was sent.
 */
export interface LambdaMetricSink {
  put(metricName: 'Invocations' | 'Errors' | 'IteratorAge', value: number): void;
}

/** A mapping as GetEventSourceMapping describes it (the fields clickprice reads). */
export interface MappingDescription {
  readonly uuid: string;
  /** Lambda's states; a local mapping is Enabled while it polls and Disabled once stopped. */
  readonly state: 'Enabled' | 'Disabled';
  readonly stateTransitionReason: string;
  /** As Lambda words it: "OK", "PROBLEM: Function call failed", or "No records processed". */
  readonly lastProcessingResult: string;
  readonly eventSourceArn: string;
  readonly functionArn: string;
  readonly batchSize: number;
  readonly lastModifiedMs: number;
}
