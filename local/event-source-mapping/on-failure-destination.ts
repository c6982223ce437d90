/**
 * The on-failure destination of a stream mapping (DestinationConfig.OnFailure) and the record Lambda
 * sends to it: metadata about a discarded batch, not its records, which stay in the stream until they
 * expire. The shape follows the invocation records in Lambda's Kinesis and DynamoDB Streams guides:
 * requestContext, responseContext, version, timestamp, and KinesisBatchInfo or DDBStreamBatchInfo.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SourceKind } from './types.js';

/** Why a batch was discarded (requestContext.condition). */
export const OnFailureCondition = {
  RETRY_ATTEMPTS_EXHAUSTED: 'RetryAttemptsExhausted',
  RECORD_AGE_EXCEEDED: 'RecordAgeExceeded',
  MAXIMUM_PAYLOAD_SIZE_EXCEEDED: 'MaximumPayloadSizeExceeded',
} as const;
export type OnFailureCondition = (typeof OnFailureCondition)[keyof typeof OnFailureCondition];

/** Where the discarded records are in the stream, so they can be read again before they expire. */
export interface StreamBatchInfo {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly approximateArrivalOfFirstRecord: string;
  readonly approximateArrivalOfLastRecord: string;
  readonly batchSize: number;
  readonly streamArn: string;
}

export interface OnFailureRequestContext {
  readonly requestId: string;
  readonly functionArn: string;
  readonly condition: OnFailureCondition;
  readonly approximateInvokeCount: number;
}

/** The last invocation's result; absent when the records were discarded without being invoked. */
export interface OnFailureResponseContext {
  readonly statusCode: number;
  readonly executedVersion: string;
  /** "Unhandled" when the function threw or timed out; absent when it returned a failure response. */
  readonly functionError?: string;
}

interface OnFailureRecordBase {
  readonly requestContext: OnFailureRequestContext;
  readonly responseContext?: OnFailureResponseContext;
  readonly version: '1.0';
  readonly timestamp: string;
}

export interface KinesisOnFailureRecord extends OnFailureRecordBase {
  readonly KinesisBatchInfo: StreamBatchInfo;
}

export interface DynamoDBOnFailureRecord extends OnFailureRecordBase {
  readonly DDBStreamBatchInfo: StreamBatchInfo;
}

export type OnFailureRecord = KinesisOnFailureRecord | DynamoDBOnFailureRecord;

/** Receives one record per discarded batch. Resolving means it was kept; rejecting makes the poller retry. */
export interface OnFailureDestination {
  send(record: OnFailureRecord): Promise<void>;
}

/** What the poller knows about a batch it discards. */
export interface DiscardedBatch {
  readonly kind: SourceKind;
  readonly shardId: string;
  readonly streamArn: string;
  /** The discarded records in stream order, with their arrival (Kinesis) or creation (DynamoDB) time. */
  readonly records: readonly { readonly sequenceNumber: string; readonly arrivalMs: number }[];
  readonly condition: OnFailureCondition;
  readonly requestId: string;
  readonly functionArn: string;
  readonly approximateInvokeCount: number;
  readonly responseContext?: OnFailureResponseContext;
  readonly timestampMs: number;
}

/** Kinesis arrival times carry milliseconds; DynamoDB Streams creation times are whole seconds. */
function arrivalText(kind: SourceKind, epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return kind === SourceKind.KINESIS ? iso : iso.replace(/\.\d{3}Z$/, 'Z');
}

/** The documented invocation record for a discarded batch (pure). */
export function buildOnFailureRecord(batch: DiscardedBatch): OnFailureRecord {
  const first = batch.records[0];
  const last = batch.records.at(-1);
  if (!first || !last) throw new RangeError('a discarded batch has at least one record');
  const info: StreamBatchInfo = {
    shardId: batch.shardId,
    startSequenceNumber: first.sequenceNumber,
    endSequenceNumber: last.sequenceNumber,
    approximateArrivalOfFirstRecord: arrivalText(batch.kind, first.arrivalMs),
    approximateArrivalOfLastRecord: arrivalText(batch.kind, last.arrivalMs),
    batchSize: batch.records.length,
    streamArn: batch.streamArn,
  };
  const base = {
    requestContext: {
      requestId: batch.requestId,
      functionArn: batch.functionArn,
      condition: batch.condition,
      approximateInvokeCount: batch.approximateInvokeCount,
    },
    ...(batch.responseContext ? { responseContext: batch.responseContext } : {}),
    version: '1.0' as const,
    timestamp: new Date(batch.timestampMs).toISOString(),
  };
  return batch.kind === SourceKind.KINESIS
    ? { ...base, KinesisBatchInfo: info }
    : { ...base, DDBStreamBatchInfo: info };
}

/** Keeps the records in memory, and optionally hands each to a callback (tests, the dev server's page). */
export class InMemoryOnFailureDestination implements OnFailureDestination {
  readonly records: OnFailureRecord[] = [];

  constructor(private readonly onRecord?: (record: OnFailureRecord) => void | Promise<void>) {}

  async send(record: OnFailureRecord): Promise<void> {
    this.records.push(record);
    await this.onRecord?.(record);
  }
}

/** Appends each record as one JSON line to a file, the local stand-in for an SQS queue or S3 bucket. */
export class JsonLinesOnFailureDestination implements OnFailureDestination {
  private directoryReady: Promise<unknown> | undefined;

  constructor(readonly path: string) {}

  async send(record: OnFailureRecord): Promise<void> {
    this.directoryReady ??= mkdir(dirname(this.path), { recursive: true });
    await this.directoryReady;
    // One appendFile call per line: a line is written whole or not at all for sizes this small.
    await appendFile(this.path, `${JSON.stringify(record)}\n`, 'utf8');
  }
}
