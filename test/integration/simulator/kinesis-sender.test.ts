import { setTimeout as delay } from 'node:timers/promises';
import {
  DeleteStreamCommand,
  KinesisClient,
  type PutRecordsCommandOutput,
  type PutRecordsResultEntry,
} from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../definitions/local-services.js';
import { StreamWriteError } from '../../../simulator/errors.js';
import { KinesisSender, type OutgoingRecord } from '../../../simulator/kinesis-sender.js';
import { ShardMap } from '../../../simulator/shard-map.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { byShard, readStream, scratchStream } from './stream-helpers.js';

const stack = useLocalStack();

function records(count: number, sessions: number, prefix: string): OutgoingRecord[] {
  return Array.from({ length: count }, (_, index) => ({
    partitionKey: `${prefix}-session-${index % sessions}`,
    data: Buffer.from(JSON.stringify({ eventId: `${prefix}-${index}`, index })),
  }));
}

const key = (record: { partitionKey: string; data: Uint8Array }) =>
  `${record.partitionKey} ${Buffer.from(record.data).toString('utf8')}`;
const entryKey = (entry: { PartitionKey: string; Data: Uint8Array }) =>
  key({ partitionKey: entry.PartitionKey, data: entry.Data });

/**
 * A real Kinesis client for kinesalite whose PutRecords refuses some entries the way Kinesis does:
 * the chosen entries are taken out of the request (so the service never stores them) and put back
 * into the real response as failed entries. Each record is refused on its first `failFirst(record)`
 * attempts.
 */
function flakyKinesis(failFirst: (index: number) => number, errorCode: (index: number) => string) {
  const client = new KinesisClient({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: stack.endpoints.kinesis,
    requestHandler: stack.clients.kinesis.config.requestHandler,
  });
  const attempts = new Map<string, number>();
  const injected = { throttled: 0, other: 0, batchSizes: [] as number[] };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PutRecordsCommand') return next(args);
      const input = args.input as { Records: { PartitionKey: string; Data: Uint8Array }[] };
      injected.batchSizes.push(input.Records.length);
      const refused = new Map<number, string>();
      input.Records.forEach((entry, position) => {
        const index = JSON.parse(Buffer.from(entry.Data).toString('utf8')).index as number;
        const attempt = (attempts.get(entryKey(entry)) ?? 0) + 1;
        attempts.set(entryKey(entry), attempt);
        if (attempt <= failFirst(index)) refused.set(position, errorCode(index));
      });
      const accepted = input.Records.filter((_, position) => !refused.has(position));
      const result =
        accepted.length > 0
          ? await next({ ...args, input: { ...input, Records: accepted } })
          : { response: {}, output: { $metadata: {}, Records: [], FailedRecordCount: 0 } };
      const output = result.output as PutRecordsCommandOutput;
      const real = [...(output.Records ?? [])];
      const merged: PutRecordsResultEntry[] = input.Records.map((_, position) => {
        const code = refused.get(position);
        if (code === undefined) return real.shift() as PutRecordsResultEntry;
        if (code === 'ProvisionedThroughputExceededException') injected.throttled++;
        else injected.other++;
        return { ErrorCode: code, ErrorMessage: 'injected by the test' };
      });
      return { ...result, output: { ...output, Records: merged, FailedRecordCount: refused.size } };
    },
    { step: 'initialize', name: 'refuseSomeEntries' },
  );
  return { client, injected, attempts };
}

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Sends every record, noting each acceptance the sender reports, in the order it reports them. */
function sendAll(
  sender: KinesisSender,
  outgoing: readonly OutgoingRecord[],
  onAccepted?: (record: OutgoingRecord) => void,
) {
  const accepted: OutgoingRecord[] = [];
  for (const record of outgoing) {
    sender.send(record, () => {
      accepted.push(record);
      onAccepted?.(record);
    });
  }
  return accepted;
}

describe('kinesis sender', () => {
  it('puts every record exactly once, on the shard its key hashes to, in order per shard, ≤ 500 per call', async () => {
    // Prepare
    const streamName = await scratchStream(stack.clients, 'sender-order');
    const outgoing = records(1_800, 40, 'order');
    const { client, injected } = flakyKinesis(
      () => 0,
      () => '',
    );
    const sender = await KinesisSender.create({ client, streamName, shardLimits: null });

    // Act
    for (const record of outgoing) sender.send(record);
    await sender.drain();

    // Assess
    const stored = await readStream(stack.clients.kinesis, streamName);
    expect(stored.map(key).sort()).toEqual(outgoing.map(key).sort());
    const shards = sender.shardMap.shards.map((shard) => shard.shardId);
    for (const [shardId, onShard] of byShard(stored)) {
      const expected = outgoing.filter(
        (record) => shards[sender.shardMap.shardIndexOf(record.partitionKey)] === shardId,
      );
      expect(onShard.map(key)).toEqual(expected.map(key));
    }
    expect(byShard(stored).size).toBe(2);
    expect(Math.max(...injected.batchSizes)).toBeLessThanOrEqual(500);
    expect(sender.stats()).toMatchObject({ recordsSent: 1_800, lostRecords: 0, queuedRecords: 0, throttledEntries: 0 });
    sender.close();
    client.destroy();
  });

  it('retries only the refused entries, with backoff, until every record is stored once (none lost, none doubled)', async () => {
    // Prepare: every third record throttled once, every seventh refused twice with InternalFailure.
    const streamName = await scratchStream(stack.clients, 'sender-retry');
    const outgoing = records(1_500, 60, 'retry');
    const { client, injected } = flakyKinesis(
      (index) => (index % 7 === 0 ? 2 : index % 3 === 0 ? 1 : 0),
      (index) => (index % 7 === 0 ? 'InternalFailure' : 'ProvisionedThroughputExceededException'),
    );
    const sender = await KinesisSender.create({ client, streamName, shardLimits: null, baseBackoffMs: 5 });

    // Act
    for (const record of outgoing) sender.send(record);
    await sender.drain();

    // Assess
    const stored = await readStream(stack.clients.kinesis, streamName);
    expect(stored.length).toBe(outgoing.length);
    expect(stored.map(key).sort()).toEqual(outgoing.map(key).sort());
    const refusedTwice = outgoing.filter((_, index) => index % 7 === 0).length;
    const throttledOnce = outgoing.filter((_, index) => index % 7 !== 0 && index % 3 === 0).length;
    expect(injected.throttled).toBe(throttledOnce);
    expect(injected.other).toBe(2 * refusedTwice);
    expect(sender.stats()).toMatchObject({
      recordsSent: outgoing.length,
      throttledEntries: throttledOnce,
      failedEntries: 2 * refusedTwice,
      retriedEntries: throttledOnce + 2 * refusedTwice,
      lostRecords: 0,
      errorCodes: { ProvisionedThroughputExceededException: throttledOnce, InternalFailure: 2 * refusedTwice },
    });
    expect(sender.stats().backoffWaitMs).toBeGreaterThan(0);
    sender.close();
    client.destroy();
  });

  it('gives up on a record after maxAttempts and counts it lost', async () => {
    const streamName = await scratchStream(stack.clients, 'sender-lost');
    const outgoing = records(20, 5, 'lost');
    const { client } = flakyKinesis(
      (index) => (index === 4 ? 99 : 0),
      () => 'InternalFailure',
    );
    const sender = await KinesisSender.create({
      client,
      streamName,
      shardLimits: null,
      baseBackoffMs: 1,
      maxAttempts: 3,
    });

    const accepted = sendAll(sender, outgoing);
    await sender.drain();

    expect(sender.stats()).toMatchObject({ recordsSent: 19, lostRecords: 1, abandonedRecords: 0, failedEntries: 3 });
    expect(sender.stats().lostReason).toBe('not accepted in 3 attempts each (refusals in the run: InternalFailure 3)');
    expect((await readStream(stack.clients.kinesis, streamName)).length).toBe(19);
    // The lost record is never reported accepted; every other one is, once.
    expect(accepted.map(key).sort()).toEqual(
      outgoing
        .filter((_, index) => index !== 4)
        .map(key)
        .sort(),
    );
    sender.close();
    client.destroy();
  });

  it('reports each record accepted once, only after the stream accepted it, in the order each shard stored them', async () => {
    // Prepare: every fifth record refused twice with InternalFailure, every third throttled once.
    const streamName = await scratchStream(stack.clients, 'sender-accepted');
    const outgoing = records(1_200, 30, 'accepted');
    const failFirst = (index: number) => (index % 5 === 0 ? 2 : index % 3 === 0 ? 1 : 0);
    const { client, attempts } = flakyKinesis(failFirst, (index) =>
      index % 5 === 0 ? 'InternalFailure' : 'ProvisionedThroughputExceededException',
    );
    const sender = await KinesisSender.create({ client, streamName, shardLimits: null, baseBackoffMs: 2 });
    const attemptsWhenReported = new Map<string, number>();

    // Act
    const accepted = sendAll(sender, outgoing, (record) =>
      attemptsWhenReported.set(key(record), attempts.get(key(record)) ?? 0),
    );
    await sender.drain();

    // Assess: once each, and a refused record only once the attempt that the stream took was made.
    expect(accepted.length).toBe(outgoing.length);
    expect(new Set(accepted.map(key)).size).toBe(outgoing.length);
    outgoing.forEach((record, index) => {
      expect(attemptsWhenReported.get(key(record)), key(record)).toBe(failFirst(index) + 1);
    });
    // Per shard, the reported order is the stored order (not the order given): what a replay needs.
    const stored = await readStream(stack.clients.kinesis, streamName);
    const shards = sender.shardMap.shards.map((shard) => shard.shardId);
    for (const [shardId, onShard] of byShard(stored)) {
      const reported = accepted.filter(
        (record) => shards[sender.shardMap.shardIndexOf(record.partitionKey)] === shardId,
      );
      expect(reported.map(key)).toEqual(onShard.map(key));
    }
    sender.close();
    client.destroy();
  });

  it('close() abandons what is still queued: never reported accepted, counted abandoned (not lost), and waiters wake', async () => {
    // Prepare: one key (one shard) paced to 500 records/s, so 2,000 records need 4 s.
    const streamName = await scratchStream(stack.clients, 'sender-abandon');
    const outgoing = records(2_000, 1, 'abandon');
    const sender = await KinesisSender.create({
      client: stack.clients.kinesis,
      streamName,
      shardLimits: { recordsPerSecond: 500, bytesPerSecond: 1024 * 1024 },
    });
    const first = signal();

    // Act
    const accepted = sendAll(sender, outgoing, first.resolve);
    await first.promise;
    await delay(300);
    const room = sender.waitForRoom(0);
    sender.close();
    await room;
    await sender.drain();

    // Assess
    const stats = sender.stats();
    expect(stats.abandonedRecords).toBeGreaterThan(1_000);
    expect(stats).toMatchObject({ lostRecords: 0, lostReason: null, queuedRecords: 0 });
    expect(stats.recordsSent + stats.abandonedRecords).toBe(outgoing.length);
    expect(accepted.length).toBe(stats.recordsSent);
    // What was reported is on the stream, in order; a call cut short may have stored a few more.
    const stored = await readStream(stack.clients.kinesis, streamName);
    expect(stored.slice(0, accepted.length).map(key)).toEqual(accepted.map(key));
    expect(stored.length).toBeLessThan(outgoing.length);
    expect(() => sender.send(outgoing[0] as OutgoingRecord)).toThrow(StreamWriteError);
  });

  it('counts every record not yet accepted lost when the stream is deleted mid-run, and still drains', async () => {
    // Prepare: two shards paced to 250 records/s each, so 2,000 records need 4 s: more than half are
    // still queued when the stream goes, however slowly a busy machine deletes it (up to 2 s).
    const streamName = await scratchStream(stack.clients, 'sender-deleted');
    const outgoing = records(2_000, 20, 'deleted');
    const sender = await KinesisSender.create({
      client: stack.clients.kinesis,
      streamName,
      shardLimits: { recordsPerSecond: 250, bytesPerSecond: 1024 * 1024 },
    });
    const first = signal();

    // Act
    const accepted = sendAll(sender, outgoing, first.resolve);
    await first.promise;
    await stack.clients.kinesis.send(new DeleteStreamCommand({ StreamName: streamName }));
    await sender.drain();

    // Assess
    const stats = sender.stats();
    expect(sender.failure).toBeInstanceOf(StreamWriteError);
    expect(stats.lostReason).toMatch(`cannot write to stream ${streamName}: ResourceNotFoundException`);
    expect(stats.lostRecords).toBeGreaterThan(1_000);
    expect(stats).toMatchObject({ abandonedRecords: 0, queuedRecords: 0 });
    expect(stats.recordsSent + stats.lostRecords).toBe(outgoing.length);
    expect(accepted.length).toBe(stats.recordsSent);
    expect(() => sender.send(outgoing[0] as OutgoingRecord)).toThrow(/ResourceNotFoundException/);
    sender.close();
  });

  it('knows which shard Kinesis puts each key on', async () => {
    const streamName = await scratchStream(stack.clients, 'sender-shards');
    const map = await ShardMap.load(stack.clients.kinesis, streamName);
    const outgoing = records(200, 200, 'shards');
    const sender = await KinesisSender.create({ client: stack.clients.kinesis, streamName, shardMap: map });
    for (const record of outgoing) sender.send(record);
    await sender.drain();

    const stored = await readStream(stack.clients.kinesis, streamName);
    for (const record of stored) {
      expect(map.shards[map.shardIndexOf(record.partitionKey)]?.shardId).toBe(record.shardId);
    }
    sender.close();
  });

  it('paces a shard to its records-per-second limit (1,000 records at 500/s take ≥ 1.6 s)', async () => {
    const streamName = await scratchStream(stack.clients, 'sender-pace');
    const outgoing = records(1_000, 1, 'pace'); // one key: one shard
    const sender = await KinesisSender.create({
      client: stack.clients.kinesis,
      streamName,
      shardLimits: { recordsPerSecond: 500, bytesPerSecond: 1024 * 1024 },
    });
    const started = performance.now();
    for (const record of outgoing) sender.send(record);
    await sender.drain();

    // A full bucket (0.2 s worth) goes at once; the other 900 records need 1.8 s of allowance.
    expect(performance.now() - started).toBeGreaterThan(1_600);
    expect(sender.stats().pacingWaitMs).toBeGreaterThan(1_000);
    expect(sender.stats().recordsSent).toBe(1_000);
    sender.close();
  });

  it('fails with StreamWriteError, naming the stream, when the stream does not exist', async () => {
    await expect(
      KinesisSender.create({ client: stack.clients.kinesis, streamName: 'no-such-stream-here' }),
    ).rejects.toThrow(StreamWriteError);
    await expect(
      KinesisSender.create({ client: stack.clients.kinesis, streamName: 'no-such-stream-here' }),
    ).rejects.toThrow(/no-such-stream-here.*ResourceNotFoundException/);
  });
});
