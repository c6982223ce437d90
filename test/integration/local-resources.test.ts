import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand as DescribeTableStreamCommand,
  GetShardIteratorCommand as GetTableStreamIteratorCommand,
  GetRecordsCommand as GetTableStreamRecordsCommand,
} from '@aws-sdk/client-dynamodb-streams';
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { clicksStream, type TableId, tableIds, tables } from '../../definitions/resources.js';
import { useLocalStack } from '../helpers/local-stack.js';

const stack = useLocalStack();

describe.each(tableIds.map((id) => [id]))('local table %s', (id: TableId) => {
  const table = tables[id];

  it('exists with the keys, indexes and stream the catalogue defines', async () => {
    const { Table } = await stack.clients.dynamodb.send(new DescribeTableCommand({ TableName: stack.tableNames[id] }));

    expect(Table?.KeySchema).toEqual([
      { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
      ...('sortKey' in table ? [{ AttributeName: table.sortKey.name, KeyType: 'RANGE' }] : []),
    ]);
    expect((Table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index.KeySchema])).toEqual(
      table.globalIndexes.map((index) => [
        index.indexName,
        [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' }] : []),
        ],
      ]),
    );
    const stream = 'stream' in table ? table.stream : undefined;
    expect(Table?.StreamSpecification?.StreamEnabled ?? false).toBe(stream !== undefined);
    expect(Table?.StreamSpecification?.StreamViewType).toBe(stream);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('expires items by the catalogue TTL attribute, if it has one', async () => {
    const { TimeToLiveDescription } = await stack.clients.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: stack.tableNames[id] }),
    );
    const ttlAttribute = 'ttl' in table ? table.ttl.attribute : undefined;
    expect(TimeToLiveDescription?.AttributeName).toBe(ttlAttribute);
    expect(TimeToLiveDescription?.TimeToLiveStatus).toBe(ttlAttribute ? 'ENABLED' : 'DISABLED');
  });
});

describe('local clicks stream', () => {
  it('has the catalogue shard count and is active', async () => {
    const { StreamDescriptionSummary } = await stack.clients.kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: stack.streamName }),
    );
    expect(StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE');
    expect(StreamDescriptionSummary?.OpenShardCount).toBe(clicksStream.shardCount);
  });

  it('returns every record put, byte for byte, at the sequence number PutRecords reported', async () => {
    // Prepare
    const payloads = Array.from({ length: 20 }, (_, index) =>
      JSON.stringify({ eventId: randomUUID(), sessionId: `round-trip-${index % 5}`, index }),
    );
    // Act
    const put = await stack.clients.kinesis.send(
      new PutRecordsCommand({
        StreamName: stack.streamName,
        Records: payloads.map((payload, index) => ({
          Data: Buffer.from(payload),
          PartitionKey: `round-trip-${index % 5}`,
        })),
      }),
    );
    // Assess
    expect(put.FailedRecordCount ?? 0).toBe(0);
    const results = put.Records ?? [];
    for (const [index, result] of results.entries()) {
      const { ShardIterator } = await stack.clients.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: stack.streamName,
          ShardId: result.ShardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          StartingSequenceNumber: result.SequenceNumber,
        }),
      );
      const { Records } = await stack.clients.kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 1 }));
      expect(Records?.[0]?.SequenceNumber).toBe(result.SequenceNumber);
      expect(Buffer.from(Records?.[0]?.Data ?? []).toString()).toBe(payloads[index]);
      expect(Records?.[0]?.PartitionKey).toBe(`round-trip-${index % 5}`);
    }
  });
});

describe('aggregates table stream', () => {
  it('delivers a new row as an INSERT record carrying the NEW_IMAGE', async () => {
    // Prepare
    const productId = `stream-${randomUUID().slice(0, 8)}`;
    const windowStart = '2026-11-21T12:00:00.000Z';
    const { Table } = await stack.clients.dynamodb.send(
      new DescribeTableCommand({ TableName: stack.tableNames.aggregates }),
    );
    // Act
    await stack.clients.documentClient.send(
      new PutCommand({ TableName: stack.tableNames.aggregates, Item: { productId, windowStart, views: 7 } }),
    );
    // Assess: read every shard from the start until our record shows up.
    const { StreamDescription } = await stack.clients.dynamodbStreams.send(
      new DescribeTableStreamCommand({ StreamArn: Table?.LatestStreamArn }),
    );
    const found = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      let { ShardIterator } = await stack.clients.dynamodbStreams.send(
        new GetTableStreamIteratorCommand({
          StreamArn: Table?.LatestStreamArn,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      while (ShardIterator) {
        const page = await stack.clients.dynamodbStreams.send(new GetTableStreamRecordsCommand({ ShardIterator }));
        found.push(...(page.Records ?? []).filter((record) => record.dynamodb?.Keys?.productId?.S === productId));
        if ((page.Records ?? []).length === 0) break;
        ShardIterator = page.NextShardIterator;
      }
    }
    expect(found).toHaveLength(1);
    expect(found[0]?.eventName).toBe('INSERT');
    expect(found[0]?.dynamodb?.StreamViewType).toBe('NEW_IMAGE');
    expect(found[0]?.dynamodb?.NewImage).toEqual({
      productId: { S: productId },
      windowStart: { S: windowStart },
      views: { N: '7' },
    });
    expect(found[0]?.dynamodb?.OldImage).toBeUndefined();
  });
});
