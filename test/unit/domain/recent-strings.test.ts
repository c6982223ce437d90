import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashOf, RecentStrings } from '../../../functions/domain/recent-strings.js';

/** What RecentStrings must behave as: a set that forgets its oldest member past capacity. */
class ReferenceRecentStrings {
  private readonly members = new Set<string>();
  private readonly order: string[] = [];
  constructor(private readonly capacity: number) {}
  has(key: string): boolean {
    return this.members.has(key);
  }
  addIfAbsent(key: string): boolean {
    if (this.members.has(key)) return false;
    this.members.add(key);
    this.order.push(key);
    if (this.order.length > Math.max(1, this.capacity)) this.members.delete(this.order.shift() as string);
    return true;
  }
  get size(): number {
    return this.members.size;
  }
}

type Operation = { add: boolean; key: string };

// A small alphabet makes repeats, and so duplicates and re-additions after forgetting, frequent.
const keys = fc.oneof(
  fc.constantFrom('', 'a', 'b', 'ab', 'ba', 'é', '😀', 'x'.repeat(64)),
  fc.string({ maxLength: 3 }),
  fc.uuid(),
);
const operations = fc.array(fc.record({ add: fc.boolean(), key: keys }), { maxLength: 400 }) as fc.Arbitrary<
  Operation[]
>;

function replay(capacity: number, ops: Operation[]): void {
  const recent = new RecentStrings(capacity);
  const reference = new ReferenceRecentStrings(capacity);
  for (const [at, { add, key }] of ops.entries()) {
    const got = add ? recent.addIfAbsent(key) : recent.has(key);
    const expected = add ? reference.addIfAbsent(key) : reference.has(key);
    if (got !== expected)
      throw new Error(`operation ${at} (${add ? 'add' : 'has'} ${JSON.stringify(key)}) gave ${got}`);
    expect(recent.size).toBe(reference.size);
  }
}

describe('RecentStrings', () => {
  it('answers every add and lookup as a set that forgets its oldest member past capacity', () => {
    // Tiny capacities keep the index small, so probe clusters form and evictions shift them.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 24 }), operations, (capacity, ops) => replay(capacity, ops)),
      { numRuns: 400 },
    );
  });

  it('keeps exactly the latest `capacity` of many distinct strings while its ring grows and wraps', () => {
    const capacity = 3_000;
    const recent = new RecentStrings(capacity);
    for (let index = 0; index < 10_000; index++) expect(recent.addIfAbsent(`event-${index}`)).toBe(true);
    expect(recent.size).toBe(capacity);
    for (let index = 0; index < 7_000; index++) expect(recent.has(`event-${index}`)).toBe(false);
    for (let index = 7_000; index < 10_000; index++) expect(recent.has(`event-${index}`)).toBe(true);
    // A forgotten string is new again; a remembered one is still a repeat.
    expect(recent.addIfAbsent('event-6999')).toBe(true);
    expect(recent.addIfAbsent('event-9999')).toBe(false);
  });

  it('finds strings whose hashes share their low bits, after members of their cluster are forgotten', () => {
    // Strings that all start probing at the same index slot of a small table form one long cluster:
    // forgetting its first members must keep the later ones reachable.
    const capacity = 8;
    const seed = 0;
    const recent = new RecentStrings(capacity, seed);
    const slotMask = 2 * capacity - 1;
    const colliding: string[] = [];
    for (let index = 0; colliding.length < 3 * capacity; index++) {
      const key = `k${index}`;
      if ((hashOf(key, seed) & slotMask) === 5) colliding.push(key);
    }
    const reference = new ReferenceRecentStrings(capacity);
    for (const key of colliding) {
      expect(recent.addIfAbsent(key)).toBe(reference.addIfAbsent(key));
      for (const seen of colliding) expect(recent.has(seen)).toBe(reference.has(seen));
    }
  });

  it('places strings by a seeded hash: ids that share one probe cluster under one seed spread under another', () => {
    // A bot choosing eventIds cannot know the seed of the function it sends them to.
    const slotMask = (1 << 11) - 1;
    const colliding: string[] = [];
    for (let index = 0; colliding.length < 64; index++) {
      const key = `id-${index}`;
      if ((hashOf(key, 0) & slotMask) === 7) colliding.push(key);
    }
    const slotsUnderAnotherSeed = new Set(colliding.map((key) => hashOf(key, 0x5eed) & slotMask));
    expect(slotsUnderAnotherSeed.size).toBeGreaterThan(48);
  });
});
