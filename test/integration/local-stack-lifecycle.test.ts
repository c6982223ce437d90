import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetRecordsCommand, GetShardIteratorCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalStackError } from '../../local/errors.js';
import { parseJavaMajor } from '../../local/java.js';
import { startLocalStack } from '../../local/local-stack.js';
import { isRunning } from '../helpers/local-stack.js';

function listenOn(port = 0): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(port, () => resolve(server));
  });
}

describe('local stack start-up checks', () => {
  it('refuses a requested port that is taken, naming the flag to change', async () => {
    const server = await listenOn();
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      await expect(startLocalStack({ kinesisPort: port })).rejects.toThrow(
        new RegExp(`Port ${port} for kinesalite is not available.*--kinesis-port`),
      );
      await expect(startLocalStack({ dynamodbPort: port })).rejects.toBeInstanceOf(LocalStackError);
    } finally {
      server.close();
    }
  });

  it('refuses to start without Java, saying what to install', async () => {
    const saved = process.env.JAVA_HOME;
    process.env.JAVA_HOME = '/nonexistent-java-home';
    try {
      await expect(startLocalStack()).rejects.toThrow(/needs Java.*default-jre-headless/);
    } finally {
      if (saved === undefined) delete process.env.JAVA_HOME;
      else process.env.JAVA_HOME = saved;
    }
  });

  it('reads the Java major version from both version schemes', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajor('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajor('no version here')).toBeNull();
  });
});

describe('local stack with --data-dir', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'clickprice-data-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps DynamoDB items and Kinesis records across a restart, and leaves no process behind', async () => {
    // Prepare: write an item and a record, then stop.
    const first = await startLocalStack({ dataDir });
    const key = { configKey: { S: 'persistence-check' } };
    let sequenceNumber: string | undefined;
    let shardId: string | undefined;
    try {
      await first.clients.dynamodb.send(
        new PutItemCommand({ TableName: first.tableNames.pricingConfig, Item: { ...key, value: { S: 'kept' } } }),
      );
      const put = await first.clients.kinesis.send(
        new PutRecordCommand({ StreamName: first.streamName, PartitionKey: 'p', Data: Buffer.from('kept') }),
      );
      sequenceNumber = put.SequenceNumber;
      shardId = put.ShardId;
    } finally {
      await first.stop();
    }
    expect(isRunning(first.processIds.dynamodb)).toBe(false);
    expect(isRunning(first.processIds.kinesis)).toBe(false);

    // Act
    const second = await startLocalStack({ dataDir });
    try {
      // Assess
      const { Item } = await second.clients.dynamodb.send(
        new GetItemCommand({ TableName: second.tableNames.pricingConfig, Key: key }),
      );
      expect(Item?.value).toEqual({ S: 'kept' });
      const { ShardIterator } = await second.clients.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: second.streamName,
          ShardId: shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          StartingSequenceNumber: sequenceNumber,
        }),
      );
      const { Records } = await second.clients.kinesis.send(new GetRecordsCommand({ ShardIterator }));
      expect(Buffer.from(Records?.[0]?.Data ?? []).toString()).toBe('kept');
    } finally {
      await second.stop();
    }
    expect(isRunning(second.processIds.dynamodb)).toBe(false);
    expect(isRunning(second.processIds.kinesis)).toBe(false);
  });
});
