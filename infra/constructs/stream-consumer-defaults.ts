/**
 * Defaults of a Lambda consuming a stream, as plain data: {@link KinesisConsumer} merges them with
 * what its caller passes. The dead-letter queue and alarm defaults apply to any stream consumer (a
 * DynamoDB Streams consumer has the same failure modes); the event source ones are Kinesis's.
 */
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { aggregatesEventSource, clickstreamEventSource } from '../../definitions/event-sources.js';

/**
 * How the Kinesis event source mapping reads and retries: the CDK form of `clickstreamEventSource`
 * (definitions/event-sources.ts), the one definition the local poller runs with too. The reasons for each
 * value are given there.
 */
export const KINESIS_EVENT_SOURCE_DEFAULTS = {
  startingPosition: lambda.StartingPosition[clickstreamEventSource.startingPosition],
  batchSize: clickstreamEventSource.batchSize,
  maxBatchingWindow: Duration.seconds(clickstreamEventSource.maximumBatchingWindowInSeconds),
  bisectBatchOnError: clickstreamEventSource.bisectBatchOnFunctionError,
  reportBatchItemFailures: clickstreamEventSource.reportBatchItemFailures,
  retryAttempts: clickstreamEventSource.maximumRetryAttempts,
  maxRecordAge: Duration.seconds(clickstreamEventSource.maximumRecordAgeInSeconds),
  parallelizationFactor: clickstreamEventSource.parallelizationFactor,
} as const;

/**
 * How the DynamoDB Streams event source mapping reads, filters and retries: the CDK form of
 * `aggregatesEventSource` (definitions/event-sources.ts), the one definition the local poller runs with too,
 * filter patterns included (passed through as the very strings the local poller compiles).
 */
export const DYNAMODB_EVENT_SOURCE_DEFAULTS = {
  startingPosition: lambda.StartingPosition[aggregatesEventSource.startingPosition],
  batchSize: aggregatesEventSource.batchSize,
  maxBatchingWindow: Duration.seconds(aggregatesEventSource.maximumBatchingWindowInSeconds),
  bisectBatchOnError: aggregatesEventSource.bisectBatchOnFunctionError,
  reportBatchItemFailures: aggregatesEventSource.reportBatchItemFailures,
  retryAttempts: aggregatesEventSource.maximumRetryAttempts,
  maxRecordAge: Duration.seconds(aggregatesEventSource.maximumRecordAgeInSeconds),
  filters: aggregatesEventSource.filterCriteria.Filters.map((filter) => ({ pattern: filter.Pattern })),
} as const;

/**
 * The on-failure destination. Lambda sends it the position of a discarded batch (shard, sequence
 * range, reason), not the records, which stay readable in the stream for its retention period.
 * SQS-managed encryption therefore suffices, and the function needs no KMS grant to write to it.
 */
export const DEAD_LETTER_QUEUE_DEFAULTS = {
  encryption: sqs.QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
  retentionPeriod: Duration.days(14),
} as const;

/** When a stream consumer's alarms fire. */
export const STREAM_CONSUMER_ALARM_DEFAULTS = {
  /** The oldest record of the last batch: how far the consumer lags behind the stream. */
  iteratorAgeThreshold: Duration.seconds(60),
  iteratorAgeEvaluationPeriods: 3,
  /** Invocations that threw (a record-level failure in a partial batch response is not an error). */
  errorsEvaluationPeriods: 5,
  errorsDatapointsToAlarm: 3,
  period: Duration.minutes(1),
} as const;
