import {
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';
import { toKinesisStreamRecord } from '../../functions/lib/stream-event-shapes.js';
import { LOCAL_ACCOUNT_ID, MAX_RECORDS_PER_READ } from './constants.js';
import { EventSourceNotFoundError } from './errors.js';
import {
  accountIdOf,
  classifyAwsError,
  type IteratorPosition,
  type ShardDescription,
  type StreamSource,
  serializedSize,
} from './stream-source.js';
import { SourceKind } from './types.js';

export interface KinesisSourceOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  /** The execution role Lambda reports as invokeIdentityArn. */
  readonly invokeIdentityArn?: string;
  readonly functionName: string;
}

function describeShard(shard: Shard): ShardDescription {
  return {
    shardId: shard.ShardId ?? '',
    parentShardIds: [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => Boolean(id)),
    closed: Boolean(shard.SequenceNumberRange?.EndingSequenceNumber),
  };
}

/** A Kinesis data stream as a source; resolves the stream's ARN first, so a missing stream fails at once. */
export async function createKinesisSource(options: KinesisSourceOptions): Promise<StreamSource<KinesisStreamRecord>> {
  const { client, streamName } = options;
  let eventSourceArn: string | undefined;
  try {
    const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    eventSourceArn = summary.StreamDescriptionSummary?.StreamARN;
  } catch (error) {
    if (classifyAwsError(error) === 'not-found') {
      throw new EventSourceNotFoundError(`Kinesis stream ${streamName} does not exist`, { cause: error });
    }
    throw error;
  }
  if (!eventSourceArn) throw new EventSourceNotFoundError(`Kinesis stream ${streamName} has no ARN`);
  const region = await client.config.region();
  const accountId = accountIdOf(eventSourceArn, LOCAL_ACCOUNT_ID);
  const eventContext = {
    eventSourceArn,
    awsRegion: region,
    invokeIdentityArn: options.invokeIdentityArn ?? `arn:aws:iam::${accountId}:role/${options.functionName}-role`,
  };

  return {
    kind: SourceKind.KINESIS,
    eventSourceArn,
    region,
    accountId,
    maxRecordsPerRead: MAX_RECORDS_PER_READ.kinesis,
    arrivalPrecisionMs: 0,

    async listShards() {
      const shards: ShardDescription[] = [];
      let exclusiveStartShardId: string | undefined;
      for (;;) {
        const { StreamDescription } = await client.send(
          new DescribeStreamCommand({ StreamName: streamName, ExclusiveStartShardId: exclusiveStartShardId }),
        );
        const page = StreamDescription?.Shards ?? [];
        shards.push(...page.map(describeShard));
        exclusiveStartShardId = page.at(-1)?.ShardId;
        if (!StreamDescription?.HasMoreShards || !exclusiveStartShardId) return shards;
      }
    },

    async getShardIterator(shardId: string, position: IteratorPosition) {
      const { ShardIterator } = await client.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: shardId,
          ShardIteratorType: position.type,
          StartingSequenceNumber: position.type === 'AFTER_SEQUENCE_NUMBER' ? position.sequenceNumber : undefined,
        }),
      );
      return ShardIterator;
    },

    async getRecords(shardId: string, iterator: string, limit: number) {
      const result = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
      const records = (result.Records ?? []).map((record) => {
        const eventRecord = toKinesisStreamRecord(record, { ...eventContext, shardId });
        return {
          sequenceNumber: eventRecord.kinesis.sequenceNumber,
          arrivalMs: record.ApproximateArrivalTimestamp?.getTime() ?? 0,
          sizeBytes: serializedSize(eventRecord),
          eventRecord,
        };
      });
      return { records, nextIterator: result.NextShardIterator };
    },

    classifyError: classifyAwsError,
  };
}
