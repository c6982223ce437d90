/**
 * Reads one shard's slice of a batch from Kinesis. Kinesis has no "latest sequence number" call, so
 * a new batch finds its end by reading what is there (`readToLatest`); a re-run reads exactly the
 * planned range again (`readRange`).
 */
import {
  type _Record,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { padSequence } from '../../functions/domain/sequence-numbers.js';

/** Records per GetRecords call: the Kinesis maximum, so a large window costs few round trips. */
const RECORDS_PER_READ = 10_000;

export interface ShardRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly arrivedAt: number;
  readonly data: Uint8Array;
}

export async function listShardIds(client: KinesisClient, streamName: string): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      nextToken ? new ListShardsCommand({ NextToken: nextToken }) : new ListShardsCommand({ StreamName: streamName }),
    );
    ids.push(...(page.Shards ?? []).map((shard) => shard.ShardId ?? ''));
    nextToken = page.NextToken;
  } while (nextToken);
  return ids.sort();
}

async function iteratorAfter(
  client: KinesisClient,
  streamName: string,
  shardId: string,
  after: string | null,
): Promise<string | undefined> {
  const { ShardIterator } = await client.send(
    new GetShardIteratorCommand(
      after === null
        ? { StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }
        : {
            StreamName: streamName,
            ShardId: shardId,
            ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
            StartingSequenceNumber: after,
          },
    ),
  );
  return ShardIterator;
}

function toShardRecord(shardId: string, record: _Record): ShardRecord {
  return {
    shardId,
    sequenceNumber: record.SequenceNumber ?? '',
    arrivedAt: record.ApproximateArrivalTimestamp?.getTime() ?? 0,
    data: record.Data ?? new Uint8Array(),
  };
}

/** Everything after `after` that the shard holds now. */
export async function readToLatest(
  client: KinesisClient,
  streamName: string,
  shardId: string,
  after: string | null,
): Promise<ShardRecord[]> {
  const records: ShardRecord[] = [];
  let iterator = await iteratorAfter(client, streamName, shardId, after);
  while (iterator) {
    const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: RECORDS_PER_READ }));
    const got = page.Records ?? [];
    records.push(...got.map((record) => toShardRecord(shardId, record)));
    if (got.length === 0 && (page.MillisBehindLatest ?? 0) === 0) break;
    iterator = page.NextShardIterator;
  }
  return records;
}

/** Exactly the records after `after` up to and including `through`. */
export async function readRange(
  client: KinesisClient,
  streamName: string,
  shardId: string,
  after: string | null,
  through: string,
): Promise<ShardRecord[]> {
  const end = padSequence(through);
  const records: ShardRecord[] = [];
  let iterator = await iteratorAfter(client, streamName, shardId, after);
  let emptyPages = 0;
  while (iterator) {
    const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: RECORDS_PER_READ }));
    for (const record of page.Records ?? []) {
      if (padSequence(record.SequenceNumber ?? '0') > end) return records;
      records.push(toShardRecord(shardId, record));
      if (record.SequenceNumber === through) return records;
    }
    emptyPages = (page.Records ?? []).length === 0 ? emptyPages + 1 : 0;
    // The range was read once, so its records exist; many empty pages mean they have expired.
    if (emptyPages > 100) break;
    iterator = page.NextShardIterator;
  }
  throw new Error(`shard ${shardId} ended before sequence ${through}: the planned range is no longer readable`);
}
