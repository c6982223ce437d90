/**
 * The event-source mappings of clickprice's stream consumers, as plain data named like CloudFormation's
 * AWS::Lambda::EventSourceMapping properties. The CDK stacks and the local poller are both built from
 * these objects, so the local stack batches, retries and bisects exactly as Lambda will.
 */

/** Where a shard without a checkpoint starts, as Lambda's StartingPosition. */
export const StartingPosition = {
  TRIM_HORIZON: 'TRIM_HORIZON',
  LATEST: 'LATEST',
} as const;
export type StartingPosition = (typeof StartingPosition)[keyof typeof StartingPosition];

/**
 * The stream consumers' function timeout: on AWS the function's own, locally the poller's limit on one
 * invocation. One value, so a batch that would time out on Lambda (and be retried, bisected, then
 * dead-lettered) cannot pass locally.
 */
export const STREAM_CONSUMER_TIMEOUT_SECONDS = 30;

/** Lambda's FilterCriteria: a record is delivered when any pattern matches it. */
export interface FilterCriteria {
  readonly Filters: readonly { readonly Pattern: string }[];
}

/**
 * An event-source mapping's Lambda settings, named as CloudFormation's AWS::Lambda::EventSourceMapping
 * properties (camelCased) so a CDK definition and the local poller (which adds settings of its own,
 * local/event-source-mapping/types.ts) share one object.
 */
export interface EventSourceSettings {
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
   * Concurrent batches per shard. Only 1 is implemented: one in-flight batch per shard, in order.
   * @default 1
   */
  readonly parallelizationFactor?: 1;
}

/**
 * The fast path on the clicks stream.
 *
 * - TRIM_HORIZON: a new mapping starts at the oldest retained record; nothing is skipped.
 * - Up to 500 records or 1 s: the fast path targets ~1.5 s from click to price, and one idempotent
 *   counter write per (product, minute) per batch makes large batches cheap.
 * - Partial batch responses, bisect on error, 5 retries, 1 hour of record age: a poison record is
 *   isolated, a failing batch cannot hold the shard for long, and its position goes to the DLQ.
 * - One invocation per shard: the handler keeps per-session state in memory and needs shard order.
 */
export const clickstreamEventSource = {
  startingPosition: 'TRIM_HORIZON',
  batchSize: 500,
  maximumBatchingWindowInSeconds: 1,
  reportBatchItemFailures: true,
  bisectBatchOnFunctionError: true,
  maximumRetryAttempts: 5,
  maximumRecordAgeInSeconds: 3_600,
  parallelizationFactor: 1,
} as const satisfies EventSourceSettings;

/**
 * The rich path on the aggregates table's DynamoDB stream.
 *
 * - Only INSERT and MODIFY reach the function: a REMOVE (TTL expiry of an old window) carries no
 *   demand. Filtered records are never invoked or billed; the handler ignores a REMOVE all the same.
 * - TRIM_HORIZON: a new mapping starts at the oldest retained record (24 h), so no window written
 *   before the mapping existed is skipped; replaying one is safe, as its decision id is the row's key.
 *   Those older than the record age below are not priced but dead-lettered (a recreated mapping's
 *   backlog pages once, and stays redrivable while the stream keeps it).
 * - Up to 100 records or 1 s: the Glue job writes a window's rows in one burst, and 1 s adds little to
 *   a window of about 60 s.
 * - Partial batch responses, bisect on error, 5 retries: a poison record is isolated, and its position
 *   goes to the DLQ. 15 minutes of record age: a window older than that is stale demand, and the
 *   windows after it carry fresher evidence.
 */
export const aggregatesEventSource = {
  startingPosition: 'TRIM_HORIZON',
  batchSize: 100,
  maximumBatchingWindowInSeconds: 1,
  reportBatchItemFailures: true,
  bisectBatchOnFunctionError: true,
  maximumRetryAttempts: 5,
  maximumRecordAgeInSeconds: 900,
  filterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT', 'MODIFY'] }) }] },
} as const satisfies EventSourceSettings;

/**
 * The states of "Glue Job State Change" events the rich path's rule passes on (to the alerts topic and
 * the run-events function), in AWS and locally: every end Glue sends as an event. A streaming run that
 * returns (SUCCEEDED) stops the rich path as surely as one that fails; ERROR (a trigger starting a
 * deleted job) is a run state only, never an event.
 */
export const GLUE_RUN_END_EVENT_STATES = ['SUCCEEDED', 'FAILED', 'TIMEOUT', 'STOPPED'] as const;
