import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import { LOCAL_REGION } from '../../definitions/local-services.js';
import { toKinesisStreamRecord } from '../../functions/lib/stream-event-shapes.js';
import { uniqueName } from './local-stack.js';

/** A stream of the test's own, so its records meet no other suite's. */
export async function createScratchStream(kinesis: KinesisClient, shardCount = 1): Promise<string> {
  const streamName = uniqueName('clicks');
  await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  await waitUntilStreamExists(
    { client: kinesis, maxWaitTime: 30, minDelay: 0.1, maxDelay: 0.5 },
    { StreamName: streamName },
  );
  return streamName;
}

/** Puts records (JSON objects are serialised; strings and bytes are sent as they are). */
export async function putRecords(
  kinesis: KinesisClient,
  streamName: string,
  payloads: readonly (object | string | Uint8Array)[],
): Promise<void> {
  for (let start = 0; start < payloads.length; start += 500) {
    const chunk = payloads.slice(start, start + 500);
    const result = await kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: chunk.map((payload) => ({
          PartitionKey: typeof payload === 'object' && 'sessionId' in payload ? String(payload.sessionId) : 'p',
          Data:
            payload instanceof Uint8Array
              ? payload
              : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
        })),
      }),
    );
    if (result.FailedRecordCount) throw new Error(`${result.FailedRecordCount} records failed`);
  }
}

/** Every record of the stream's first shard, as the KinesisStreamEvent Lambda would deliver. */
export async function readShardAsEvent(kinesis: KinesisClient, streamName: string): Promise<KinesisStreamEvent> {
  const [{ StreamDescriptionSummary }, { Shards }] = await Promise.all([
    kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName })),
    kinesis.send(new ListShardsCommand({ StreamName: streamName })),
  ]);
  const shardId = Shards?.[0]?.ShardId ?? 'shardId-000000000000';
  let { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  const records = [];
  while (ShardIterator) {
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
    records.push(...(page.Records ?? []));
    if ((page.Records ?? []).length === 0) break;
    ShardIterator = page.NextShardIterator;
  }
  const context = {
    shardId,
    eventSourceArn: StreamDescriptionSummary?.StreamARN ?? '',
    awsRegion: LOCAL_REGION,
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/clickstream',
  };
  return { Records: records.map((record) => toKinesisStreamRecord(record, context)) };
}
