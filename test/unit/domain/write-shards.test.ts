import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { orderTimeBucket } from '../../../functions/domain/order-buckets.js';
import { mergeNewestFirst, shardedKey, shardedKeys, writeShardOf } from '../../../functions/domain/write-shards.js';

describe('write shards of a time-keyed partition', () => {
  it('gives an id the same shard every time, within range', () => {
    for (const id of ['a', 'P00042', randomUUID()]) {
      expect(writeShardOf(id, 8)).toBe(writeShardOf(id, 8));
      expect(writeShardOf(id, 8)).toBeGreaterThanOrEqual(0);
      expect(writeShardOf(id, 8)).toBeLessThan(8);
    }
    expect(shardedKey('2026-12-06T03', 'x', 8)).toBe(`2026-12-06T03#${writeShardOf('x', 8)}`);
  });

  it('spreads many ids evenly: no shard takes more than 1.1 / N of 16,000 ids', () => {
    const counts = new Array(16).fill(0);
    for (let index = 0; index < 16_000; index++)
      counts[writeShardOf(`2026-12-06T03:00:00.000Z#fast-path:${index}`, 16)]++;

    expect(Math.max(...counts) / 16_000).toBeLessThanOrEqual(1.1 / 16);
    expect(Math.min(...counts) / 16_000).toBeGreaterThanOrEqual(0.9 / 16);
  });

  it('lists every shard of a period, and merges shards newest first up to a limit', () => {
    expect(shardedKeys('2026-12-06', 3)).toEqual(['2026-12-06#0', '2026-12-06#1', '2026-12-06#2']);
    const merged = mergeNewestFirst([['c', 'a'], ['d', 'b'], []], (key) => key, 3);

    expect(merged).toEqual(['d', 'c', 'b']);
  });

  it('keeps the orders index’s buckets as they were (the Glue job computes the same)', () => {
    expect(orderTimeBucket('o-1', '2026-11-21T23:01:30.000Z')).toBe(`2026-11-21T23:01#${writeShardOf('o-1', 4)}`);
  });
});
