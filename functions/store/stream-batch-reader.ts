/**
 * Reads a discarded batch back from its stream: exactly the records from its first to its last
 * sequence number, on its shard, built into the event Lambda delivers (lib/stream-event-shapes.ts,
 * which the local poller uses too). A range that can no longer be read whole (its
 * records expired after the stream's retention) is an error, never a shorter batch.
 */
import type { DynamoDBRecord, DynamoDBStreamEvent, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { DiscardedBatch } from '../domain/dead-letters.js';
import { compareSequences } from '../domain/sequence-numbers.js';
import { toDynamoDBStreamRecord, toKinesisStreamRecord } from '../lib/stream-event-shapes.js';
import type { DynamoDBStreamsRecordsApi, KinesisRecordsApi } from './stream-records-api.js';

export type StreamEvent = KinesisStreamEvent | DynamoDBStreamEvent;

/** Reads a discarded batch's records from its stream, as the event Lambda would have delivered. */
export type BatchReader = (batch: DiscardedBatch) => Promise<StreamEvent>;

/** Pages with no record before the range is given up on (the shard's records up to it have expired). */
const MAX_EMPTY_PAGES = 50;

/** What reads the streams' records (stream-records-api.ts). */
export interface StreamApis {
  readonly kinesis: KinesisRecordsApi;
  readonly dynamodbStreams: DynamoDBStreamsRecordsApi;
}

/** A BatchReader for both sources, by the batch's `source`. */
export function streamBatchReader(apis: StreamApis): BatchReader {
  return async (batch: DiscardedBatch): Promise<StreamEvent> =>
    batch.source === 'kinesis'
      ? { Records: await readKinesisRange(apis.kinesis, batch) }
      : { Records: await readDynamoDBRange(apis.dynamodbStreams, batch) };
}

/** The range's first record read must be the batch's first: else its start is gone, and the batch with it. */
function startsAt(batch: DiscardedBatch, sequence: string | undefined): void {
  if (sequence !== batch.startSequenceNumber) {
    throw new Error(
      `${batch.shardId} no longer holds ${batch.startSequenceNumber} (read from ${sequence}): the batch is no longer in the stream`,
    );
  }
}

/** A stream ARN's region, account and name: `arn:aws:kinesis:REGION:ACCOUNT:stream/NAME`. */
function arnParts(arn: string): { region: string; account: string; name: string } {
  const [, , , region = '', account = '', resource = ''] = arn.split(':');
  return { region, account, name: resource.slice(resource.indexOf('/') + 1) };
}

async function readKinesisRange(api: KinesisRecordsApi, batch: DiscardedBatch): Promise<KinesisStreamRecord[]> {
  const { region, account, name } = arnParts(batch.streamArn);
  const context = {
    shardId: batch.shardId,
    eventSourceArn: batch.streamArn,
    awsRegion: region,
    invokeIdentityArn: `arn:aws:iam::${account}:role/clickprice-dlq-redrive`,
  };
  let iterator = await api.iteratorAt(name, batch.shardId, batch.startSequenceNumber);
  const records: KinesisStreamRecord[] = [];
  let emptyPages = 0;
  while (iterator !== undefined) {
    const page = await api.records(iterator, 1_000);
    for (const record of page.records) {
      if (records.length === 0) startsAt(batch, record.SequenceNumber);
      if (compareSequences(record.SequenceNumber ?? '0', batch.endSequenceNumber) > 0) return records;
      records.push(toKinesisStreamRecord(record, context));
      if (record.SequenceNumber === batch.endSequenceNumber) return records;
    }
    emptyPages = page.records.length === 0 ? emptyPages + 1 : 0;
    if (emptyPages > MAX_EMPTY_PAGES) break;
    iterator = page.next;
  }
  throw new Error(`${batch.shardId} ended before ${batch.endSequenceNumber}: the batch is no longer in the stream`);
}

async function readDynamoDBRange(api: DynamoDBStreamsRecordsApi, batch: DiscardedBatch): Promise<DynamoDBRecord[]> {
  let iterator = await api.iteratorAt(batch.streamArn, batch.shardId, batch.startSequenceNumber);
  const records: DynamoDBRecord[] = [];
  let emptyPages = 0;
  while (iterator !== undefined) {
    const page = await api.records(iterator, 1_000);
    for (const record of page.records) {
      const sequence = record.dynamodb?.SequenceNumber ?? '0';
      if (records.length === 0) startsAt(batch, sequence);
      if (compareSequences(sequence, batch.endSequenceNumber) > 0) return records;
      records.push(toDynamoDBStreamRecord(record, batch.streamArn));
      if (sequence === batch.endSequenceNumber) return records;
    }
    emptyPages = page.records.length === 0 ? emptyPages + 1 : 0;
    if (emptyPages > MAX_EMPTY_PAGES) break;
    iterator = page.next;
  }
  throw new Error(`${batch.shardId} ended before ${batch.endSequenceNumber}: the batch is no longer in the stream`);
}
