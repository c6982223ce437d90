/**
 * Batching, starting position, event shape and shard handling of a Kinesis mapping against kinesalite.
 */
import { MergeShardsCommand, SplitShardCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { describe, it } from 'vitest';
import { FilterPatternError, startEventSourceMapping } from '../../../local/event-source-mapping/index.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { numbered, payloadsOf, putPayloads, recordingKinesisHandler, scratchOf, waitFor } from './helpers.js';

const stack = useLocalStack();

describe.concurrent('BatchSize', () => {
  it('is never exceeded, and records arrive in order, each once', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const seq = await putPayloads(stack.clients, streamName, numbered(25));
    const { handler, invocations } = recordingKinesisHandler();
    // Act
    const mapping = await scratch.startKinesis({
      streamName,
      handler,
      config: { startingPosition: 'TRIM_HORIZON', batchSize: 10 },
    });
    await mapping.waitForIdle();
    // Assess
    context.expect(invocations.map((invocation) => invocation.sequenceNumbers.length)).toEqual([10, 10, 5]);
    context.expect(invocations.flatMap((invocation) => invocation.sequenceNumbers)).toEqual(seq);
  });
});

describe.concurrent('MaximumBatchingWindowInSeconds', () => {
  it('delivers records that arrive within the window together, and the first waits no longer than the window', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const { handler, invocations } = recordingKinesisHandler();
    await scratch.startKinesis({
      streamName,
      handler,
      config: { startingPosition: 'LATEST', batchSize: 100, maximumBatchingWindowInSeconds: 3 },
    });
    // Act: one record, then two more 300 ms later, all inside one window.
    const putAt = Date.now();
    const first = await putPayloads(stack.clients, streamName, numbered(1));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const more = await putPayloads(stack.clients, streamName, numbered(2, 1));
    await waitFor('the batch', () => invocations.length > 0, 10_000);
    // Assess
    const [invocation] = invocations;
    context.expect(invocation?.sequenceNumbers).toEqual([...first, ...more]);
    const waited = (invocation?.startedAt ?? 0) - putAt;
    // At least the window; short of a second window (3 s of slack for polling and a busy CI machine).
    context.expect(waited).toBeGreaterThanOrEqual(2_900);
    context.expect(waited).toBeLessThan(5_900);
  });

  it('does not hold back a full batch', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const seq = await putPayloads(stack.clients, streamName, numbered(5));
    const { handler, invocations } = recordingKinesisHandler();
    // Act
    const startedAt = Date.now();
    await scratch.startKinesis({
      streamName,
      handler,
      config: { startingPosition: 'TRIM_HORIZON', batchSize: 5, maximumBatchingWindowInSeconds: 300 },
    });
    await waitFor('the full batch', () => invocations.length > 0, 5_000);
    // Assess
    context.expect(invocations[0]?.sequenceNumbers).toEqual(seq);
    // Far short of its 300 s window (slack for a busy CI machine).
    context.expect((invocations[0]?.startedAt ?? 0) - startedAt).toBeLessThan(4_000);
  });
});

describe.concurrent('StartingPosition', () => {
  it('TRIM_HORIZON delivers the records already in the stream', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const before = await putPayloads(stack.clients, streamName, numbered(3));
    const { handler, invocations } = recordingKinesisHandler();
    // Act
    const mapping = await scratch.startKinesis({ streamName, handler, config: { startingPosition: 'TRIM_HORIZON' } });
    const after = await putPayloads(stack.clients, streamName, numbered(2, 3));
    await mapping.waitForIdle();
    // Assess
    context.expect(invocations.flatMap((invocation) => invocation.sequenceNumbers)).toEqual([...before, ...after]);
  });

  it('LATEST delivers only records put after the mapping started', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    await putPayloads(stack.clients, streamName, numbered(3));
    const { handler, invocations } = recordingKinesisHandler();
    // Act
    const mapping = await scratch.startKinesis({ streamName, handler, config: { startingPosition: 'LATEST' } });
    const after = await putPayloads(stack.clients, streamName, numbered(2, 3));
    await mapping.waitForIdle();
    // Assess
    context.expect(invocations.flatMap((invocation) => invocation.sequenceNumbers)).toEqual(after);
  });
});

describe.concurrent('the event and context the handler receives', () => {
  it('are shaped as Lambda delivers them: a KinesisStreamEvent and a Lambda context', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const payload = { eventId: 'e-1', sessionId: 's-1', type: 'view', productId: 'p-1' };
    const before = Date.now();
    const [sequenceNumber] = await putPayloads(stack.clients, streamName, [payload], 's-1');
    const { handler, invocations } = recordingKinesisHandler();
    // Act
    const mapping = await scratch.startKinesis({
      streamName,
      functionName: 'clickstream',
      handler,
      config: { startingPosition: 'TRIM_HORIZON', functionTimeoutSeconds: 30, memorySizeMb: 512 },
    });
    await mapping.waitForIdle();
    // Assess
    const invocation = invocations[0] ?? context.expect.unreachable();
    const event: KinesisStreamEvent = invocation.event;
    context.expect(Object.keys(event)).toEqual(['Records']);
    const record: KinesisStreamRecord = event.Records[0] ?? context.expect.unreachable();
    context.expect(record).toEqual({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 's-1',
        sequenceNumber,
        data: Buffer.from(JSON.stringify(payload)).toString('base64'),
        approximateArrivalTimestamp: context.expect.any(Number),
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/clickstream-role',
      awsRegion: 'us-east-1',
      eventSourceARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${streamName}`,
    });
    // Epoch seconds with the milliseconds as a fraction, as Lambda sends it.
    const arrivalMs = record.kinesis.approximateArrivalTimestamp * 1000;
    context.expect(arrivalMs).toBeGreaterThanOrEqual(before - 1_000);
    context.expect(arrivalMs).toBeLessThanOrEqual(Date.now());
    context.expect(JSON.parse(JSON.stringify(event))).toEqual(event);

    const lambdaContext = invocation.context;
    context.expect(lambdaContext).toMatchObject({
      functionName: 'clickstream',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:clickstream',
      memoryLimitInMB: '512',
      logGroupName: '/aws/lambda/clickstream',
      callbackWaitsForEmptyEventLoop: true,
    });
    context
      .expect(lambdaContext.awsRequestId)
      .toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    context.expect(lambdaContext.logStreamName).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    context.expect(lambdaContext.getRemainingTimeInMillis()).toBeLessThanOrEqual(30_000);
  });

  it('a handler that outlives the function timeout fails its batch, which is retried', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const seq = await putPayloads(stack.clients, streamName, numbered(2));
    let remainingAtStart = 0;
    const { handler, invocations } = recordingKinesisHandler(async (_event, call) => {
      remainingAtStart = invocations.at(-1)?.context.getRemainingTimeInMillis() ?? 0;
      if (call === 1) await new Promise((resolve) => setTimeout(resolve, 1_500));
    });
    // Act
    const mapping = await scratch.startKinesis({
      streamName,
      handler,
      config: { startingPosition: 'TRIM_HORIZON', functionTimeoutSeconds: 1 },
    });
    await mapping.waitForIdle();
    // Assess
    context.expect(invocations.map((invocation) => invocation.sequenceNumbers)).toEqual([seq, seq]);
    context.expect(remainingAtStart).toBeGreaterThan(800);
    context.expect(remainingAtStart).toBeLessThanOrEqual(1_000);
  });

  it('a callback-style handler settles through its callback', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const seq = await putPayloads(stack.clients, streamName, numbered(3));
    const seen: string[][] = [];
    // Act
    const mapping = await scratch.startKinesis({
      streamName,
      handler: (event, _lambdaContext, callback) => {
        seen.push(event.Records.map((record) => record.kinesis.sequenceNumber));
        setTimeout(() => callback(seen.length === 1 ? new Error('first call fails') : null), 5);
      },
      config: { startingPosition: 'TRIM_HORIZON' },
    });
    await mapping.waitForIdle();
    // Assess
    context.expect(seen).toEqual([seq, seq]);
  });
});

describe.concurrent('shards', () => {
  it('are polled concurrently, with one batch in flight per shard and records in order within a shard', async (context) => {
    // Prepare: partition keys hash to both shards of a two-shard stream.
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream(2);
    const keys = Array.from({ length: 8 }, (_, index) => `session-${index}`);
    for (const key of keys)
      await putPayloads(
        stack.clients,
        streamName,
        numbered(5).map((p) => ({ ...p, key })),
        key,
      );
    const inFlight = new Map<string, number>();
    let mostInFlightPerShard = 0;
    const { handler, invocations } = recordingKinesisHandler(async (event) => {
      const shard = event.Records[0]?.eventID.split(':')[0] ?? '';
      inFlight.set(shard, (inFlight.get(shard) ?? 0) + 1);
      mostInFlightPerShard = Math.max(mostInFlightPerShard, inFlight.get(shard) ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 15));
      inFlight.set(shard, (inFlight.get(shard) ?? 0) - 1);
    });
    // Act
    const mapping = await scratch.startKinesis({
      streamName,
      handler,
      config: { startingPosition: 'TRIM_HORIZON', batchSize: 4 },
    });
    await mapping.waitForIdle();
    // Assess
    context.expect(mostInFlightPerShard).toBe(1);
    const shardsInvoked = new Set(invocations.map((invocation) => invocation.event.Records[0]?.eventID.split(':')[0]));
    context.expect(shardsInvoked.size).toBe(2);
    for (const key of keys) {
      const ns = invocations
        .flatMap((invocation) => payloadsOf(invocation.event) as { n: number; key: string }[])
        .filter((payload) => payload.key === key)
        .map((payload) => payload.n);
      context.expect(ns).toEqual([0, 1, 2, 3, 4]);
    }
  });

  it('after a split, a child shard is read only once its parent is read to the end', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream(1);
    const beforeSplit = await putPayloads(stack.clients, streamName, numbered(3));
    await stack.clients.kinesis.send(
      new SplitShardCommand({
        StreamName: streamName,
        ShardToSplit: 'shardId-000000000000',
        NewStartingHashKey: (2n ** 127n).toString(),
      }),
    );
    await waitUntilStreamExists(
      { client: stack.clients.kinesis, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.2 },
      { StreamName: streamName },
    );
    const afterSplit = await putPayloads(stack.clients, streamName, numbered(3, 3));
    const { handler, invocations } = recordingKinesisHandler();
    // Act
    const mapping = await scratch.startKinesis({ streamName, handler, config: { startingPosition: 'TRIM_HORIZON' } });
    await waitFor('the records after the split', () => invocations.flatMap((i) => i.sequenceNumbers).length === 6);
    await mapping.waitForIdle();
    // Assess
    const delivered = invocations.flatMap((invocation) => invocation.sequenceNumbers);
    context.expect(delivered.slice(0, 3)).toEqual(beforeSplit);
    context.expect(new Set(delivered.slice(3))).toEqual(new Set(afterSplit));
    context
      .expect(mapping.stats().shards.find((shard) => shard.shardId === 'shardId-000000000000')?.state)
      .toBe('ended');
  });

  it('after a merge, the merged shard waits for both parents', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream(2);
    const before = [
      ...(await putPayloads(stack.clients, streamName, numbered(2), 'a')),
      ...(await putPayloads(stack.clients, streamName, numbered(2, 2), 'b')),
    ];
    await stack.clients.kinesis.send(
      new MergeShardsCommand({
        StreamName: streamName,
        ShardToMerge: 'shardId-000000000000',
        AdjacentShardToMerge: 'shardId-000000000001',
      }),
    );
    await waitUntilStreamExists(
      { client: stack.clients.kinesis, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.2 },
      { StreamName: streamName },
    );
    const after = await putPayloads(stack.clients, streamName, numbered(2, 4), 'c');
    const { handler, invocations } = recordingKinesisHandler();
    // Act
    const mapping = await scratch.startKinesis({ streamName, handler, config: { startingPosition: 'TRIM_HORIZON' } });
    await waitFor('every record', () => invocations.flatMap((i) => i.sequenceNumbers).length === 6);
    await mapping.waitForIdle();
    // Assess
    const delivered = invocations.flatMap((invocation) => invocation.sequenceNumbers);
    context.expect(new Set(delivered.slice(0, 4))).toEqual(new Set(before));
    context.expect(delivered.slice(4)).toEqual(after);
  });
});

describe.concurrent('FilterCriteria on a Kinesis mapping', () => {
  it('matches patterns against the decoded data and skips non-matching records past the checkpoint', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const seq = await putPayloads(stack.clients, streamName, [
      { type: 'view', price: 5 },
      { type: 'purchase', price: 5 },
      'not json at all',
      { type: 'cart', price: 50 },
      { type: 'view', price: 500 },
    ]);
    const { handler, invocations } = recordingKinesisHandler();
    // Act
    const mapping = await scratch.startKinesis({
      streamName,
      handler,
      config: {
        startingPosition: 'TRIM_HORIZON',
        filterCriteria: {
          Filters: [
            { Pattern: JSON.stringify({ data: { type: ['purchase', { prefix: 'car' }] } }) },
            { Pattern: JSON.stringify({ data: { price: [{ numeric: ['>', 100] }] } }) },
          ],
        },
      },
    });
    await mapping.waitForIdle();
    // Assess
    context.expect(invocations.flatMap((invocation) => invocation.sequenceNumbers)).toEqual([seq[1], seq[3], seq[4]]);
    context.expect(mapping.stats()).toMatchObject({ recordsFiltered: 2 });
    context.expect(mapping.stats().shards[0]?.checkpoint).toBe(seq[4]);
  });

  it('checkpoints past a batch that was filtered out entirely', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    const seq = await putPayloads(stack.clients, streamName, numbered(4));
    const { handler, invocations } = recordingKinesisHandler();
    // Act
    const mapping = await scratch.startKinesis({
      streamName,
      handler,
      config: {
        startingPosition: 'TRIM_HORIZON',
        filterCriteria: { Filters: [{ Pattern: JSON.stringify({ partitionKey: ['another-key'] }) }] },
      },
    });
    await mapping.waitForIdle();
    // Assess
    context.expect(invocations).toEqual([]);
    context.expect(mapping.stats().shards[0]?.checkpoint).toBe(seq[3]);
  });

  it('rejects an operator the local filter does not implement when the mapping is created', async (context) => {
    // Prepare
    const scratch = scratchOf(stack.clients, context);
    const streamName = await scratch.createStream();
    // Act
    const starting = startEventSourceMapping({
      functionName: 'esm-test',
      clients: stack.clients,
      source: { kind: 'kinesis', streamName },
      handler: async () => {},
      config: {
        startingPosition: 'LATEST',
        filterCriteria: { Filters: [{ Pattern: JSON.stringify({ data: { path: [{ wildcard: '*/lib/*' }] } }) }] },
      },
    });
    // Assess
    await context.expect(starting).rejects.toThrow(FilterPatternError);
    await context.expect(starting).rejects.toThrow(/wildcard.*not supported/);
  });
});
