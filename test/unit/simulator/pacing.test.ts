import { describe, expect, it } from 'vitest';
import { hashKeyOf, ShardMap } from '../../../simulator/shard-map.js';
import { TokenBucket } from '../../../simulator/token-bucket.js';

describe('token bucket', () => {
  it('starts full, refills at its rate, and never holds more than its capacity', () => {
    const bucket = new TokenBucket(1_000, 200, 0);
    expect(bucket.available(0)).toBe(200);
    bucket.take(200, 0);
    expect(bucket.available(100)).toBeCloseTo(100, 6);
    expect(bucket.available(10_000)).toBe(200);
  });

  it('says how long until a batch fits, and lets a debt be waited out', () => {
    const bucket = new TokenBucket(1_000, 200, 0);
    bucket.take(200, 0);
    expect(bucket.msUntil(150, 0)).toBe(150);
    expect(bucket.msUntil(500, 0)).toBe(200); // never more than a full bucket is waited for
    bucket.take(100, 0); // a record bigger than the allowance went anyway
    expect(bucket.msUntil(1, 0)).toBe(101);
  });

  it('paces a steady producer to its rate over a simulated minute (within 1 %)', () => {
    const bucket = new TokenBucket(1_000, 200, 0);
    let sent = 0;
    for (let now = 0; now < 60_000; now += 7) {
      const batch = Math.min(500, Math.floor(bucket.available(now)));
      if (batch > 0 && bucket.msUntil(batch, now) === 0) {
        bucket.take(batch, now);
        sent += batch;
      }
    }
    expect(sent / 60).toBeGreaterThan(990);
    expect(sent / 60).toBeLessThanOrEqual(1_000 + 200 / 60);
  });
});

describe('shard map', () => {
  it('hashes a partition key as Kinesis does: MD5 as an unsigned 128-bit integer', () => {
    // md5("a") = 0cc175b9c0f1b6a831c399e269772661
    expect(hashKeyOf('a')).toBe(0x0cc175b9c0f1b6a831c399e269772661n);
  });

  it('finds the shard whose hash key range holds the key, at the edges too', () => {
    const half = 2n ** 127n;
    const map = new ShardMap([
      { shardId: 'shardId-000000000001', startingHashKey: half, endingHashKey: 2n ** 128n - 1n },
      { shardId: 'shardId-000000000000', startingHashKey: 0n, endingHashKey: half - 1n },
    ]);
    expect(map.shards.map((shard) => shard.shardId)).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    const low = ['a', 'b', 'c', 'd', 'e', 'f'].find((key) => hashKeyOf(key) < half) as string;
    const high = ['a', 'b', 'c', 'd', 'e', 'f'].find((key) => hashKeyOf(key) >= half) as string;
    expect(map.shardIndexOf(low)).toBe(0);
    expect(map.shardIndexOf(high)).toBe(1);
  });
});
