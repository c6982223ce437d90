/** Lambda's documented defaults for stream event-source mappings, plus the local poller's own. */
export const MAPPING_DEFAULTS = {
  batchSize: 100,
  maximumBatchingWindowInSeconds: 0,
  reportBatchItemFailures: false,
  bisectBatchOnFunctionError: false,
  maximumRetryAttempts: -1,
  maximumRecordAgeInSeconds: -1,
  functionTimeoutSeconds: 60,
  memorySizeMb: 1024,
  pollIntervalMs: 200,
  retryDelayMs: 250,
  shardDiscoveryIntervalMs: 5_000,
} as const;

/** The ranges CreateEventSourceMapping accepts for Kinesis and DynamoDB Streams. */
export const MAPPING_LIMITS = {
  batchSize: { min: 1, max: 10_000 },
  maximumBatchingWindowInSeconds: { min: 0, max: 300 },
  maximumRetryAttempts: { min: -1, max: 10_000 },
  /** -1 means "never discard"; otherwise at least a minute. */
  maximumRecordAgeInSeconds: { min: 60, max: 604_800 },
  /** The default per-mapping quota of filters (raisable to 10 in AWS by request). */
  filters: 5,
  functionTimeoutSeconds: { min: 1, max: 900 },
  memorySizeMb: { min: 128, max: 10_240 },
} as const;

/** Lambda's synchronous invocation payload limit; a batch is cut before its event would exceed it. */
export const MAX_INVOCATION_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** Most records one GetRecords call returns: 10,000 for Kinesis, 1,000 for DynamoDB Streams. */
export const MAX_RECORDS_PER_READ = { kinesis: 10_000, dynamodb: 1_000 } as const;

/** The account id the local services put in ARNs. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** Back-off after an unexpected error from the stream (deleted stream, network), before trying again. */
export const ERROR_BACKOFF_MS = 1_000;
