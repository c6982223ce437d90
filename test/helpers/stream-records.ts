import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';

/** One record as a test reads it back: where it sits on the stream and its text. */
export interface StreamRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly data: string;
  /** When the stream received it (ApproximateArrivalTimestamp), epoch ms. */
  readonly arrivedAtMs: number;
}

/** Every record of every shard, from TRIM_HORIZON to the latest, read with the SDK directly. */
export async function readWholeStream(kinesis: KinesisClient, streamName: string): Promise<StreamRecord[]> {
  const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  const records: StreamRecord[] = [];
  for (const shard of Shards ?? []) {
    const shardId = shard.ShardId ?? '';
    let { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    while (ShardIterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
      const got = page.Records ?? [];
      for (const record of got) {
        records.push({
          shardId,
          sequenceNumber: record.SequenceNumber ?? '',
          data: Buffer.from(record.Data ?? new Uint8Array()).toString('utf8'),
          arrivedAtMs: record.ApproximateArrivalTimestamp?.getTime() ?? 0,
        });
      }
      if (got.length === 0) break;
      ShardIterator = page.NextShardIterator;
    }
  }
  return records;
}
