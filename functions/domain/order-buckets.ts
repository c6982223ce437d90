import { minuteOf, toEpochMs, toIso } from './time.js';
import { shardedKey, shardedKeys } from './write-shards.js';

/**
 * Orders are indexed by time bucket so a window's orders can be read with a few Queries instead of a
 * Scan. A bucket is one minute plus a write shard (`2026-11-21T23:01#2`): a flash sale's orders then
 * spread over ORDER_BUCKET_SHARDS index partitions instead of one hot one, and a reader queries each
 * shard of each minute.
 */
export const ORDER_BUCKET_SHARDS = 4;

/** The time bucket an order is indexed under. */
export function orderTimeBucket(orderId: string, orderedAt: string): string {
  return shardedKey(minuteOf(orderedAt).slice(0, 16), orderId, ORDER_BUCKET_SHARDS);
}

/** Every bucket that can hold an order placed in [start, end): each minute, each shard. */
export function orderTimeBucketsBetween(start: string, end: string): string[] {
  const buckets: string[] = [];
  for (let minute = toEpochMs(minuteOf(start)); minute < toEpochMs(end); minute += 60_000) {
    buckets.push(...shardedKeys(toIso(minute).slice(0, 16), ORDER_BUCKET_SHARDS));
  }
  return buckets;
}
