import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { type DynamoDBStreamRecordInput, toDynamoDBStreamRecord } from '../../functions/lib/stream-event-shapes.js';
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

export interface DynamoDBStreamsSourceOptions {
  readonly dynamodb: DynamoDBClient;
  readonly dynamodbStreams: DynamoDBStreamsClient;
  readonly tableName: string;
}

/** DynamoDB Local rounds ApproximateCreationDateTime down to the minute (AWS: to the second). */
const CREATION_TIME_PRECISION_MS = 60_000;

/**
 * A table's stream as a source. The stream is the table's latest one (LatestStreamArn), as a CDK
 * DynamoEventSource maps it; shards come and go (rollover), and each child names its parent.
 */
export async function createDynamoDBStreamsSource(
  options: DynamoDBStreamsSourceOptions,
): Promise<StreamSource<DynamoDBRecord>> {
  const { dynamodb, dynamodbStreams, tableName } = options;
  let eventSourceArn: string | undefined;
  try {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    eventSourceArn = Table?.StreamSpecification?.StreamEnabled ? Table.LatestStreamArn : undefined;
  } catch (error) {
    if (classifyAwsError(error) === 'not-found') {
      throw new EventSourceNotFoundError(`DynamoDB table ${tableName} does not exist`, { cause: error });
    }
    throw error;
  }
  if (!eventSourceArn) throw new EventSourceNotFoundError(`DynamoDB table ${tableName} has no stream enabled`);
  const streamArn = eventSourceArn;
  const region = await dynamodbStreams.config.region();

  return {
    kind: SourceKind.DYNAMODB,
    eventSourceArn: streamArn,
    region,
    accountId: accountIdOf(streamArn, LOCAL_ACCOUNT_ID),
    maxRecordsPerRead: MAX_RECORDS_PER_READ.dynamodb,
    arrivalPrecisionMs: CREATION_TIME_PRECISION_MS,

    async listShards() {
      const shards: ShardDescription[] = [];
      let exclusiveStartShardId: string | undefined;
      do {
        const { StreamDescription } = await dynamodbStreams.send(
          new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
        );
        for (const shard of StreamDescription?.Shards ?? []) {
          if (!shard.ShardId) continue;
          shards.push({
            shardId: shard.ShardId,
            parentShardIds: shard.ParentShardId ? [shard.ParentShardId] : [],
            closed: Boolean(shard.SequenceNumberRange?.EndingSequenceNumber),
          });
        }
        exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
      } while (exclusiveStartShardId);
      return shards;
    },

    async getShardIterator(shardId: string, position: IteratorPosition) {
      const { ShardIterator } = await dynamodbStreams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ShardIteratorType: position.type,
          SequenceNumber: position.type === 'AFTER_SEQUENCE_NUMBER' ? position.sequenceNumber : undefined,
        }),
      );
      return ShardIterator;
    },

    async getRecords(_shardId: string, iterator: string, limit: number) {
      const result = await dynamodbStreams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
      const records = (result.Records ?? []).map((record) => {
        const eventRecord = toDynamoDBStreamRecord(record as DynamoDBStreamRecordInput, streamArn);
        return {
          sequenceNumber: eventRecord.dynamodb?.SequenceNumber ?? '',
          arrivalMs: record.dynamodb?.ApproximateCreationDateTime?.getTime() ?? 0,
          sizeBytes: serializedSize(eventRecord),
          eventRecord,
        };
      });
      return { records, nextIterator: result.NextShardIterator };
    },

    classifyError: classifyAwsError,
  };
}
