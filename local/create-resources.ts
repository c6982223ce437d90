import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  type KinesisClient,
  ResourceInUseException as StreamInUseException,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import type { KeyAttribute, StreamDefinition, TableDefinition } from '../definitions/resources.js';

/** The CreateTable request for a catalogue table; pure, so tests can compare it with the catalogue. */
export function createTableInput(table: TableDefinition, tableName: string): CreateTableCommandInput {
  const keyAttributes: KeyAttribute[] = [table.partitionKey];
  if (table.sortKey) keyAttributes.push(table.sortKey);
  for (const index of table.globalIndexes) {
    keyAttributes.push(index.partitionKey);
    if (index.sortKey) keyAttributes.push(index.sortKey);
  }
  const definitions = new Map<string, AttributeDefinition>();
  for (const key of keyAttributes) definitions.set(key.name, { AttributeName: key.name, AttributeType: key.type });

  const keySchema = (partitionKey: KeyAttribute, sortKey?: KeyAttribute) => [
    { AttributeName: partitionKey.name, KeyType: 'HASH' as const },
    ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
  ];

  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...definitions.values()],
    KeySchema: keySchema(table.partitionKey, table.sortKey),
    GlobalSecondaryIndexes:
      table.globalIndexes.length === 0
        ? undefined
        : table.globalIndexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: index.projection },
          })),
    StreamSpecification: table.stream ? { StreamEnabled: true, StreamViewType: table.stream } : undefined,
  };
}

/** Creates a table unless it exists (a persisted data dir keeps tables across restarts). */
export async function ensureTable(client: DynamoDBClient, table: TableDefinition, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(table, tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 0.1, maxDelay: 0.5 }, { TableName: tableName });
  if (table.ttl) {
    try {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { Enabled: true, AttributeName: table.ttl.attribute },
        }),
      );
    } catch (error) {
      // Enabling TTL twice is rejected ("already enabled"): fine on a restart with persisted data.
      if (!/already enabled/i.test((error as Error).message)) throw error;
    }
  }
}

/** Creates the stream unless it exists, and waits until it is ACTIVE. */
export async function ensureStream(client: KinesisClient, stream: StreamDefinition, streamName: string): Promise<void> {
  try {
    await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: stream.shardCount }));
  } catch (error) {
    if (!(error instanceof StreamInUseException)) throw error;
  }
  await waitUntilStreamExists({ client, maxWaitTime: 30, minDelay: 0.1, maxDelay: 0.5 }, { StreamName: streamName });
}
