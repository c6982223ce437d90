import { KinesisClient, type PutRecordsCommandOutput, type PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../infra/local/clients.js';
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
  return { client, injected };
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

    for (const record of outgoing) sender.send(record);
    await sender.drain();

    expect(sender.stats()).toMatchObject({ recordsSent: 19, lostRecords: 1, failedEntries: 3 });
    expect((await readStream(stack.clients.kinesis, streamName)).length).toBe(19);
    sender.close();
    client.destroy();
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
