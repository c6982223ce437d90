import { createHash } from 'node:crypto';
import { type KinesisClient, ListShardsCommand, type Shard } from '@aws-sdk/client-kinesis';
import { NoOpenShardsError, StreamWriteError } from './errors.js';

/** Kinesis' hash of a partition key: its MD5 digest read as an unsigned 128-bit integer. */
export function hashKeyOf(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

function listShards(client: KinesisClient, streamName: string, nextToken: string | undefined) {
  // ListShards refuses StreamName together with NextToken.
  return client.send(new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: streamName }));
}

/** An open shard and the hash keys it owns (both ends inclusive). */
export interface ShardRange {
  readonly shardId: string;
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
}

/**
 * Which open shard a partition key lands on, computed as Kinesis does, so records can be paced per
 * shard before they are sent (the per-shard limits are what PutRecords throttles on).
 */
export class ShardMap {
  readonly shards: readonly ShardRange[];

  constructor(shards: readonly ShardRange[]) {
    if (shards.length === 0) throw new NoOpenShardsError('the stream has no open shard');
    this.shards = [...shards].sort((a, b) => (a.startingHashKey < b.startingHashKey ? -1 : 1));
  }

  /** Reads the stream's open shards with ListShards (paginated). */
  static async load(client: KinesisClient, streamName: string): Promise<ShardMap> {
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
      let page: Awaited<ReturnType<typeof listShards>>;
      try {
        page = await listShards(client, streamName, nextToken);
      } catch (error) {
        const { name, message } = error as Error;
        throw new StreamWriteError(`cannot list the shards of stream ${streamName}: ${name}: ${message}`, {
          cause: error,
        });
      }
      shards.push(...(page.Shards ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    const open = shards.filter((shard) => shard.SequenceNumberRange?.EndingSequenceNumber === undefined);
    if (open.length === 0) throw new NoOpenShardsError(`stream ${streamName} has no open shard to write to`);
    return new ShardMap(
      open.map((shard) => ({
        shardId: shard.ShardId as string,
        startingHashKey: BigInt(shard.HashKeyRange?.StartingHashKey ?? '0'),
        endingHashKey: BigInt(shard.HashKeyRange?.EndingHashKey ?? '0'),
      })),
    );
  }

  /** The index (into `shards`) of the shard owning `partitionKey`. */
  shardIndexOf(partitionKey: string): number {
    const hash = hashKeyOf(partitionKey);
    let low = 0;
    let high = this.shards.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.shards[middle] as ShardRange).startingHashKey <= hash) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}
