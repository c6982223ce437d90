import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  PutRecordsCommand,
  type PutRecordsResultEntry,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import type { Context, DynamoDBStreamEvent, KinesisStreamEvent } from 'aws-lambda';
import type { TestContext } from 'vitest';
import type { LocalClients } from '../../../local/clients.js';
import {
  type DynamoDBMappingOptions,
  type EventSourceMapping,
  type EventSourceMappingConfig,
  type KinesisMappingOptions,
  silentLogger,
  startEventSourceMapping,
} from '../../../local/event-source-mapping/index.js';
import { uniqueName } from '../../helpers/local-stack.js';

/** Fast polling so the suite stays quick; the Lambda semantics under test do not depend on it. */
export const FAST_POLLING = {
  pollIntervalMs: 20,
  retryDelayMs: 0,
  shardDiscoveryIntervalMs: 200,
} as const satisfies Partial<EventSourceMappingConfig>;

/**
 * What one test creates (its own streams and mappings), stopped and deleted when that test finishes,
 * pass or fail. Per test, so tests can run concurrently.
 */
export function scratchOf(clients: LocalClients, context: Pick<TestContext, 'onTestFinished'>) {
  const cleanups: (() => Promise<unknown>)[] = [];
  context.onTestFinished(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  return {
    /** A new stream of its own, so no other test's records reach it. */
    async createStream(shardCount = 1): Promise<string> {
      const streamName = uniqueName('esm');
      await clients.kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
      await waitUntilStreamExists(
        { client: clients.kinesis, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.2 },
        { StreamName: streamName },
      );
      cleanups.push(() => clients.kinesis.send(new DeleteStreamCommand({ StreamName: streamName })));
      return streamName;
    },

    /** Starts a Kinesis mapping with fast polling and a silent logger; stopped after the test. */
    async startKinesis(
      options: Omit<KinesisMappingOptions, 'clients' | 'source' | 'functionName' | 'logger'> & {
        readonly streamName: string;
        readonly functionName?: string;
      },
    ): Promise<EventSourceMapping> {
      const { streamName, config, ...rest } = options;
      const mapping = await startEventSourceMapping({
        functionName: 'esm-test',
        logger: silentLogger,
        ...rest,
        clients,
        source: { kind: 'kinesis', streamName },
        config: { ...FAST_POLLING, ...config },
      });
      cleanups.push(() => mapping.stop());
      return mapping;
    },

    /** A new table of its own, from `input` with a unique name; deleted after the test. */
    async createTable(input: Omit<CreateTableCommandInput, 'TableName'>): Promise<string> {
      const tableName = uniqueName('esm-table');
      await clients.dynamodb.send(new CreateTableCommand({ ...input, TableName: tableName }));
      await waitUntilTableExists(
        { client: clients.dynamodb, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.2 },
        { TableName: tableName },
      );
      cleanups.push(() => clients.dynamodb.send(new DeleteTableCommand({ TableName: tableName })));
      return tableName;
    },

    /** Starts a DynamoDB Streams mapping with fast polling and a silent logger; stopped after the test. */
    async startDynamoDB(
      options: Omit<DynamoDBMappingOptions, 'clients' | 'source' | 'functionName' | 'logger'> & {
        readonly tableName: string;
        readonly functionName?: string;
      },
    ): Promise<EventSourceMapping> {
      const { tableName, config, ...rest } = options;
      const mapping = await startEventSourceMapping({
        functionName: 'esm-test',
        logger: silentLogger,
        ...rest,
        clients,
        source: { kind: 'dynamodb', tableName },
        config: { ...FAST_POLLING, ...config },
      });
      cleanups.push(() => mapping.stop());
      return mapping;
    },

    /** Registers something else to undo after the test. */
    defer(cleanup: () => Promise<unknown>): void {
      cleanups.push(cleanup);
    },
  };
}

/** Puts JSON payloads in order on one partition key (so one shard), returning their sequence numbers. */
export async function putPayloads(
  clients: LocalClients,
  streamName: string,
  payloads: readonly unknown[],
  partitionKey = 'pk',
): Promise<string[]> {
  const { Records, FailedRecordCount } = await clients.kinesis.send(
    new PutRecordsCommand({
      StreamName: streamName,
      Records: payloads.map((payload) => ({
        Data: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
        PartitionKey: partitionKey,
      })),
    }),
  );
  if (FailedRecordCount) throw new Error(`${FailedRecordCount} records not put`);
  return (Records ?? []).map((entry: PutRecordsResultEntry) => entry.SequenceNumber ?? '');
}

/** One call of a recording handler. */
export interface RecordedInvocation<TEvent> {
  readonly event: TEvent;
  readonly context: Context;
  readonly sequenceNumbers: readonly string[];
  readonly startedAt: number;
}

/**
 * A handler that records every invocation and answers with `respond` (which may throw), by default
 * nothing (a complete success).
 */
export function recordingKinesisHandler(
  respond: (event: KinesisStreamEvent, call: number) => unknown = () => undefined,
) {
  const invocations: RecordedInvocation<KinesisStreamEvent>[] = [];
  const handler = async (event: KinesisStreamEvent, context: Context) => {
    invocations.push({
      event,
      context,
      sequenceNumbers: event.Records.map((record) => record.kinesis.sequenceNumber),
      startedAt: Date.now(),
    });
    return respond(event, invocations.length);
  };
  return { handler, invocations };
}

export function recordingDynamoDBHandler(
  respond: (event: DynamoDBStreamEvent, call: number) => unknown = () => undefined,
) {
  const invocations: RecordedInvocation<DynamoDBStreamEvent>[] = [];
  const handler = async (event: DynamoDBStreamEvent, context: Context) => {
    invocations.push({
      event,
      context,
      sequenceNumbers: event.Records.map((record) => record.dynamodb?.SequenceNumber ?? ''),
      startedAt: Date.now(),
    });
    return respond(event, invocations.length);
  };
  return { handler, invocations };
}

/** The JSON payloads of a Kinesis event, decoded. */
export function payloadsOf(event: KinesisStreamEvent): unknown[] {
  return event.Records.map((record) => JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')));
}

/** Polls `condition` until it holds, failing with `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Numbered payloads: { n: 0 }, { n: 1 }, ... */
export function numbered(count: number, from = 0): { n: number }[] {
  return Array.from({ length: count }, (_, index) => ({ n: from + index }));
}
