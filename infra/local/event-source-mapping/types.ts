import type { OnFailureDestination } from './on-failure-destination.js';

/** Where a shard without a checkpoint starts, as Lambda's StartingPosition. */
export const StartingPosition = {
  TRIM_HORIZON: 'TRIM_HORIZON',
  LATEST: 'LATEST',
} as const;
export type StartingPosition = (typeof StartingPosition)[keyof typeof StartingPosition];

/** The two stream sources Lambda polls with an event-source mapping that this poller emulates. */
export const SourceKind = {
  KINESIS: 'kinesis',
  DYNAMODB: 'dynamodb',
} as const;
export type SourceKind = (typeof SourceKind)[keyof typeof SourceKind];

/** Lambda's FilterCriteria: a record is delivered when any pattern matches it. */
export interface FilterCriteria {
  readonly Filters: readonly { readonly Pattern: string }[];
}

/**
 * An event-source mapping's settings, named as CloudFormation's AWS::Lambda::EventSourceMapping
 * properties (camelCased) so a CDK definition and the local stack can share one object. The last
 * group of settings has no Lambda counterpart: it tunes the local poller.
 */
export interface EventSourceMappingConfig {
  /** Where a shard without a checkpoint starts. AT_TIMESTAMP is not implemented locally. */
  readonly startingPosition: StartingPosition;
  /**
   * Most records per invocation, 1–10,000.
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * Seconds to gather records before invoking with a batch that is not full, 0–300.
   * @default 0
   */
  readonly maximumBatchingWindowInSeconds?: number;
  /**
   * FunctionResponseTypes: ['ReportBatchItemFailures'], i.e. honour `batchItemFailures` responses.
   * @default false
   */
  readonly reportBatchItemFailures?: boolean;
  /**
   * Split a failed batch in two and retry the halves; splits do not count as retries.
   * @default false
   */
  readonly bisectBatchOnFunctionError?: boolean;
  /**
   * Retries of a failed batch before it is discarded to the on-failure destination, -1 (infinite) to 10,000.
   * @default -1
   */
  readonly maximumRetryAttempts?: number;
  /**
   * Records older than this are discarded to the on-failure destination: -1 (never) or 60–604,800.
   * @default -1
   */
  readonly maximumRecordAgeInSeconds?: number;
  /**
   * Event filtering; records that match no pattern are skipped and checkpointed past.
   * @default undefined (every record is delivered)
   */
  readonly filterCriteria?: FilterCriteria;
  /**
   * DestinationConfig.OnFailure: receives one metadata record per discarded batch.
   * @default undefined (discarded batches are only logged)
   */
  readonly onFailure?: OnFailureDestination;
  /**
   * Concurrent batches per shard. Only 1 is implemented: one in-flight batch per shard, in order.
   * @default 1
   */
  readonly parallelizationFactor?: 1;

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
