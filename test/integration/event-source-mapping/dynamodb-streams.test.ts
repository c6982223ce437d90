/**
 * A DynamoDB Streams mapping against DynamoDB Local: the records Lambda delivers, the aggregates
 * handler's filter (INSERT and MODIFY only), partial batch responses, and the on-failure record.
 */
import {
  type CreateTableCommandInput,
  DeleteItemCommand,
  DescribeTableCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, it } from 'vitest';
import { tables } from '../../../definitions/resources.js';
import { createTableInput } from '../../../local/create-resources.js';
import {
  type DynamoDBOnFailureRecord,
  InMemoryOnFailureDestination,
} from '../../../local/event-source-mapping/index.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { recordingDynamoDBHandler, scratchOf } from './helpers.js';

const stack = useLocalStack();

const NEW_AND_OLD_IMAGES_TABLE: Omit<CreateTableCommandInput, 'TableName'> = {
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
};

/** The scratch table's definition, taken from the aggregates table (NEW_IMAGE stream) minus its name. */
function aggregatesLikeTable() {
  const { TableName: _ignored, ...input } = createTableInput(tables.aggregates, 'unused');
  return input;
}

async function streamArnOf(tableName: string): Promise<string> {
  const { Table } = await stack.clients.dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
  return Table?.LatestStreamArn ?? '';
}

async function putAggregate(tableName: string, productId: string, views: number): Promise<void> {
  await stack.clients.dynamodb.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        productId: { S: productId },
        windowStart: { S: '2026-11-21T23:00:00.000Z' },
        views: { N: String(views) },
        status: { S: views > 10 ? 'hot' : 'cold' },
      },
    }),
  );
}

async function deleteAggregate(tableName: string, productId: string): Promise<void> {
  await stack.clients.dynamodb.send(
    new DeleteItemCommand({
      TableName: tableName,
      Key: { productId: { S: productId }, windowStart: { S: '2026-11-21T23:00:00.000Z' } },
    }),
  );
}

const namesOf = (event: DynamoDBStreamEvent) => event.Records.map((record) => record.eventName);

describe.concurrent('a DynamoDB Streams mapping', () => {
  it('delivers INSERT, MODIFY and REMOVE records shaped as Lambda delivers them', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const tableName = await scratch.createTable(NEW_AND_OLD_IMAGES_TABLE);
    const streamArn = await streamArnOf(tableName);
    const { dynamodb } = stack.clients;
    await dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: 'a' }, n: { N: '1' }, bytes: { B: new Uint8Array([1, 2, 3]) }, tags: { L: [{ S: 'x' }] } },
      }),
    );
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: 'a' } },
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': { N: '2' } },
      }),
    );
    await dynamodb.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: 'a' } } }));
    const { handler, invocations } = recordingDynamoDBHandler();
    // Act
    const mapping = await scratch.startDynamoDB({ tableName, handler, config: { startingPosition: 'TRIM_HORIZON' } });
    await mapping.waitForIdle();
    // Assess
    const event: DynamoDBStreamEvent = invocations[0]?.event ?? context.expect.unreachable();
    context.expect(invocations).toHaveLength(1);
    context.expect(namesOf(event)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    const [insert, modify, remove] = event.Records as [DynamoDBRecord, DynamoDBRecord, DynamoDBRecord];
    context
      .expect(Object.keys(insert))
      .toEqual(['eventID', 'eventName', 'eventVersion', 'eventSource', 'awsRegion', 'dynamodb', 'eventSourceARN']);
    const image = { pk: { S: 'a' }, n: { N: '1' }, bytes: { B: 'AQID' }, tags: { L: [{ S: 'x' }] } };
    context.expect(insert).toEqual({
      eventID: context.expect.any(String),
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: context.expect.any(String),
      dynamodb: {
        ApproximateCreationDateTime: context.expect.any(Number),
        Keys: { pk: { S: 'a' } },
        NewImage: image,
        SequenceNumber: context.expect.any(String),
        SizeBytes: context.expect.any(Number),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: streamArn,
    });
    // Epoch seconds, whole, as Lambda sends it.
    const created = insert.dynamodb?.ApproximateCreationDateTime ?? 0;
    context.expect(Number.isInteger(created)).toBe(true);
    context.expect(Math.abs(created - Date.now() / 1000)).toBeLessThan(120);
    context.expect(modify.dynamodb).toMatchObject({ OldImage: image, NewImage: { ...image, n: { N: '2' } } });
    context.expect(remove.dynamodb).toMatchObject({ OldImage: { ...image, n: { N: '2' } } });
    context.expect(remove.dynamodb).not.toHaveProperty('NewImage');
    context.expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  });

  it('with the aggregates filter {eventName: [INSERT, MODIFY]} skips REMOVE records and checkpoints past them', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const tableName = await scratch.createTable(aggregatesLikeTable());
    await putAggregate(tableName, 'p-1', 3);
    await deleteAggregate(tableName, 'p-1');
    await putAggregate(tableName, 'p-2', 4);
    await putAggregate(tableName, 'p-2', 5);
    await deleteAggregate(tableName, 'p-2');
    const { handler, invocations } = recordingDynamoDBHandler();
    // Act
    const mapping = await scratch.startDynamoDB({
      tableName,
      handler,
      config: {
        startingPosition: 'TRIM_HORIZON',
        filterCriteria: { Filters: [{ Pattern: '{"eventName":["INSERT","MODIFY"]}' }] },
      },
    });
    await mapping.waitForIdle();
    // Assess
    const delivered = invocations.flatMap((invocation) => invocation.event.Records);
    context.expect(delivered.map((record) => record.eventName)).toEqual(['INSERT', 'INSERT', 'MODIFY']);
    context.expect(delivered.every((record) => record.dynamodb?.StreamViewType === 'NEW_IMAGE')).toBe(true);
    context.expect(delivered.every((record) => record.dynamodb?.OldImage === undefined)).toBe(true);
    context.expect(mapping.stats()).toMatchObject({ recordsFiltered: 2 });
    // The checkpoint is past the last delivered record: at the REMOVE that followed it.
    const checkpoint = mapping.stats().shards[0]?.checkpoint ?? '0';
    context.expect(BigInt(checkpoint)).toBeGreaterThan(BigInt(delivered.at(-1)?.dynamodb?.SequenceNumber ?? '0'));
  });

  it('filters on dynamodb.NewImage attribute values', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const tableName = await scratch.createTable(aggregatesLikeTable());
    for (const [productId, views] of [
      ['p-1', 3],
      ['p-2', 30],
      ['x-3', 40],
    ] as const) {
      await putAggregate(tableName, productId, views);
    }
    const { handler, invocations } = recordingDynamoDBHandler();
    // Act
    const mapping = await scratch.startDynamoDB({
      tableName,
      handler,
      config: {
        startingPosition: 'TRIM_HORIZON',
        filterCriteria: {
          Filters: [
            {
              Pattern: JSON.stringify({
                dynamodb: { NewImage: { status: { S: ['hot'] }, productId: { S: [{ prefix: 'p-' }] } } },
              }),
            },
          ],
        },
      },
    });
    await mapping.waitForIdle();
    // Assess
    const delivered = invocations.flatMap((invocation) => invocation.event.Records);
    context.expect(delivered.map((record) => record.dynamodb?.Keys?.productId?.S)).toEqual(['p-2']);
  });

  it('retries a partial batch failure from the lowest failed dynamodb.SequenceNumber', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const tableName = await scratch.createTable(aggregatesLikeTable());
    for (const productId of ['p-1', 'p-2', 'p-3', 'p-4']) await putAggregate(tableName, productId, 1);
    const { handler, invocations } = recordingDynamoDBHandler((event, call) =>
      call === 1 ? { batchItemFailures: [{ itemIdentifier: event.Records[1]?.dynamodb?.SequenceNumber }] } : undefined,
    );
    // Act
    const mapping = await scratch.startDynamoDB({
      tableName,
      handler,
      config: { startingPosition: 'TRIM_HORIZON', reportBatchItemFailures: true },
    });
    await mapping.waitForIdle();
    // Assess
    const [first, retry] = invocations.map((invocation) => invocation.sequenceNumbers);
    context.expect(invocations).toHaveLength(2);
    context.expect(retry).toEqual(first?.slice(1));
  });

  it('sends a DDBStreamBatchInfo record to the destination when retries are exhausted', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const tableName = await scratch.createTable(aggregatesLikeTable());
    const streamArn = await streamArnOf(tableName);
    await putAggregate(tableName, 'p-1', 1);
    await putAggregate(tableName, 'p-2', 2);
    const destination = new InMemoryOnFailureDestination();
    const { handler, invocations } = recordingDynamoDBHandler(() => {
      throw new Error('cannot price');
    });
    // Act
    const mapping = await scratch.startDynamoDB({
      tableName,
      functionName: 'aggregates',
      handler,
      config: { startingPosition: 'TRIM_HORIZON', maximumRetryAttempts: 0, onFailure: destination },
    });
    await mapping.waitForIdle();
    // Assess
    const sequenceNumbers = invocations[0]?.sequenceNumbers ?? [];
    const shardId = mapping.stats().shards[0]?.shardId;
    const record = destination.records[0] as DynamoDBOnFailureRecord;
    context.expect(invocations).toHaveLength(1);
    context.expect(record).toEqual({
      requestContext: {
        requestId: invocations[0]?.context.awsRequestId,
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:aggregates',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 1,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: context.expect.any(String),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: sequenceNumbers[0],
        endSequenceNumber: sequenceNumbers[1],
        // Whole seconds, as in Lambda's DynamoDB example record.
        approximateArrivalOfFirstRecord: context.expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        approximateArrivalOfLastRecord: context.expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        batchSize: 2,
        streamArn,
      },
    });
    context.expect(shardId).toMatch(/^shardId-/);
  });

  it('with LATEST delivers only changes made after the mapping started', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const tableName = await scratch.createTable(aggregatesLikeTable());
    await putAggregate(tableName, 'before', 1);
    const { handler, invocations } = recordingDynamoDBHandler();
    // Act
    const mapping = await scratch.startDynamoDB({ tableName, handler, config: { startingPosition: 'LATEST' } });
    await putAggregate(tableName, 'after', 1);
    await mapping.waitForIdle();
    // Assess
    const delivered = invocations.flatMap((invocation) => invocation.event.Records);
    context.expect(delivered.map((record) => record.dynamodb?.Keys?.productId?.S)).toEqual(['after']);
  });
});

describe.concurrent('a DynamoDB Streams mapping on a missing source', () => {
  it('fails at start with the table named when the table has no stream', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const { StreamSpecification: _none, ...withoutStream } = NEW_AND_OLD_IMAGES_TABLE;
    const tableName = await scratch.createTable(withoutStream);
    // Act
    const starting = scratch.startDynamoDB({
      tableName,
      handler: async () => {},
      config: { startingPosition: 'LATEST' },
    });
    // Assess
    await context.expect(starting).rejects.toThrow(`DynamoDB table ${tableName} has no stream enabled`);
  });
});
