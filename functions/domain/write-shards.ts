import { createHash } from 'node:crypto';

/**
 * Write sharding of a time-keyed partition (an hour of price changes, a day of quarantined records,
 * a minute of orders): the key gets a suffix `#<n>` stable for the item's id, so the writes of one
 * busy hour, day or minute spread over `shards` partitions instead of one hot one, and a reader
 * queries every shard of the period and merges them.
 */

/** The item's shard, 0 to shards − 1: stable for its id, so a rewrite keeps its key. */
export function writeShardOf(id: string, shards: number): number {
  return createHash('sha1').update(id).digest().readUInt32BE(0) % shards;
}

/** The sharded key of an item of `period`. */
export function shardedKey(period: string, id: string, shards: number): string {
  return `${period}#${writeShardOf(id, shards)}`;
}

/** Every sharded key of `period`, shard 0 first. */
export function shardedKeys(period: string, shards: number): string[] {
  return Array.from({ length: shards }, (_, shard) => `${period}#${shard}`);
}

/** The newest `limit` items of already newest-first lists, newest first, by `key` (descending). */
export function mergeNewestFirst<T>(lists: readonly (readonly T[])[], key: (item: T) => string, limit: number): T[] {
  return lists
    .flat()
    .sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0))
    .slice(0, limit);
}
