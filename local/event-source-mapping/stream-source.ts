import type { SourceKind } from './types.js';

/** A shard and what it descends from (a split or merge, or a DynamoDB Streams rollover). */
export interface ShardDescription {
  readonly shardId: string;
  readonly parentShardIds: readonly string[];
  /** The shard takes no new records (it has an ending sequence number). */
  readonly closed: boolean;
}

export type IteratorPosition =
  | { readonly type: 'TRIM_HORIZON' }
  | { readonly type: 'LATEST' }
  | { readonly type: 'AFTER_SEQUENCE_NUMBER'; readonly sequenceNumber: string };

/** One record read from a shard, already in the shape Lambda delivers it. */
export interface SourceRecord<TRecord> {
  readonly sequenceNumber: string;
  /** Arrival (Kinesis) or creation (DynamoDB Streams) time, epoch ms: what record age is measured from. */
  readonly arrivalMs: number;
  /** Serialized size in the event, for the invocation payload limit. */
  readonly sizeBytes: number;
  readonly eventRecord: TRecord;
}

export interface ReadResult<TRecord> {
  readonly records: readonly SourceRecord<TRecord>[];
  /** Undefined once a closed shard has been read to its end. */
  readonly nextIterator: string | undefined;
}

/** How the poller reacts to an error from the stream service. */
export const SourceErrorKind = {
  /** The iterator is older than five minutes: get a new one from the last record read. */
  EXPIRED_ITERATOR: 'expired-iterator',
  /** The position is before the trim horizon (DynamoDB Streams): only TRIM_HORIZON is readable. */
  TRIMMED: 'trimmed',
  /** A sequence number that is not from this shard or stream (a stream recreated under the same name). */
  INVALID_POSITION: 'invalid-position',
  THROTTLED: 'throttled',
  NOT_FOUND: 'not-found',
  OTHER: 'other',
} as const;
export type SourceErrorKind = (typeof SourceErrorKind)[keyof typeof SourceErrorKind];

/**
 * What the one generic poller needs from a stream service; Kinesis and DynamoDB Streams each
 * implement it in a few SDK calls.
 */
export interface StreamSource<TRecord> {
  readonly kind: SourceKind;
  readonly eventSourceArn: string;
  /** The region the clients are configured for, used in the function's ARN. */
  readonly region: string;
  readonly accountId: string;
  readonly maxRecordsPerRead: number;
  /**
   * How much older than the truth a record's arrival time may read: DynamoDB Local rounds
   * ApproximateCreationDateTime down to the minute. Age checks subtract it so a fresh record is never
   * discarded as old, and a LATEST restart keeps (redelivers) records it cannot place.
   */
  readonly arrivalPrecisionMs: number;
  listShards(): Promise<ShardDescription[]>;
  getShardIterator(shardId: string, position: IteratorPosition): Promise<string | undefined>;
  getRecords(shardId: string, iterator: string, limit: number): Promise<ReadResult<TRecord>>;
  classifyError(error: unknown): SourceErrorKind;
}

/** Classifies the SDK's service exceptions by name, which both stream services share. */
export function classifyAwsError(error: unknown): SourceErrorKind {
  const name = (error as { name?: unknown } | null)?.name;
  switch (name) {
    case 'ExpiredIteratorException':
      return SourceErrorKind.EXPIRED_ITERATOR;
    case 'TrimmedDataAccessException':
      return SourceErrorKind.TRIMMED;
    case 'InvalidArgumentException':
    case 'ValidationException':
      return SourceErrorKind.INVALID_POSITION;
    case 'ProvisionedThroughputExceededException':
    case 'LimitExceededException':
    case 'ThrottlingException':
      return SourceErrorKind.THROTTLED;
    case 'ResourceNotFoundException':
      return SourceErrorKind.NOT_FOUND;
    default:
      return SourceErrorKind.OTHER;
  }
}

/** An ARN's account field, e.g. 000000000000 in the local services' ARNs. */
export function accountIdOf(arn: string, fallback: string): string {
  return arn.split(':')[4] || fallback;
}

/** The serialized size of a record in an invocation payload. */
export function serializedSize(record: unknown): number {
  return Buffer.byteLength(JSON.stringify(record), 'utf8');
}
