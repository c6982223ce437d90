/**
 * A set of the most recent strings: it remembers up to `capacity` of them and forgets the oldest
 * first (insertion order is age; adding a present string changes nothing).
 *
 * Why not a Set: the fast path adds every event's eventId, a string fresh from JSON.parse. A Set
 * first has V8 compute that string's hash, then grows and rehashes its table as it fills, and keeps
 * its age order only by walking past deleted entries; on the fast-path bench that was over a quarter
 * of the time spent above a bare decode-and-parse loop. Here the hash is computed in JavaScript
 * (FNV-1a over the UTF-16 code units, a loop of one multiply per character), and the table is typed
 * arrays of integers: no object per entry.
 *
 * The hash is seeded at random per instance: eventIds come from shoppers' browsers, so a bot could
 * otherwise pick ids that all land in one probe cluster and make every add walk it (V8 seeds its own
 * string hash for the same reason).
 *
 * Layout: the strings sit in a ring (`keys`, oldest at `head`), with their hashes beside them; an
 * open-addressing index (linear probing, at most half full) maps a hash to the ring position + 1.
 * Evicting the oldest removes its index slot with backward-shift deletion, so no tombstones build
 * up and a lookup never walks further than the cluster it hashes into.
 */
export class RecentStrings {
  private readonly capacity: number;
  /** The ring: a power of two long, grown by doubling up to the first power of two ≥ capacity. */
  private keys: (string | undefined)[];
  private keyHashes: Int32Array;
  /** Ring position + 1 of the string hashing to each slot; 0 is empty. Twice the ring's length. */
  private index: Int32Array;
  private head = 0;
  size = 0;

  private readonly seed: number;

  /** `seed` picks the hash function; random unless given (tests give one to know where keys land). */
  constructor(capacity: number, seed = randomSeed()) {
    this.seed = seed;
    // A capacity of 0 behaves as 1, as it always did for the memories this replaces.
    this.capacity = Math.max(1, capacity);
    const ring = Math.min(1024, ringLengthFor(this.capacity));
    this.keys = new Array(ring).fill(undefined);
    this.keyHashes = new Int32Array(ring);
    this.index = new Int32Array(ring * 2);
  }

  has(key: string): boolean {
    return this.slotOf(key, hashOf(key, this.seed)) >= 0;
  }

  /** Adds `key` unless present (then nothing changes); whether it was added. */
  addIfAbsent(key: string): boolean {
    const hash = hashOf(key, this.seed);
    let slot = this.slotOf(key, hash);
    if (slot >= 0) return false;
    if (this.size === this.capacity) {
      this.evictOldest();
      // The eviction may have shifted the free slot found above: look again.
      slot = this.slotOf(key, hash);
    } else if (this.size === this.keys.length) {
      this.grow();
      slot = this.slotOf(key, hash);
    }
    const mask = this.keys.length - 1;
    const position = (this.head + this.size) & mask;
    this.keys[position] = key;
    this.keyHashes[position] = hash;
    this.index[~slot] = position + 1;
    this.size++;
    return true;
  }

  /**
   * The index slot holding `key` (≥ 0), or, when it is absent, the bitwise complement of the empty
   * slot where it would go (< 0).
   */
  private slotOf(key: string, hash: number): number {
    const index = this.index;
    const mask = index.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = index[slot] as number;
      if (entry === 0) return ~slot;
      const position = entry - 1;
      if (this.keyHashes[position] === hash && this.keys[position] === key) return slot;
    }
  }

  private evictOldest(): void {
    const position = this.head;
    const index = this.index;
    const mask = index.length - 1;
    let slot = (this.keyHashes[position] as number) & mask;
    while (index[slot] !== position + 1) slot = (slot + 1) & mask;
    // Backward-shift deletion: pull later members of the cluster into the hole when their home slot
    // does not lie (cyclically) between the hole and where they sit.
    let hole = slot;
    for (let next = (hole + 1) & mask; index[next] !== 0; next = (next + 1) & mask) {
      const home = (this.keyHashes[(index[next] as number) - 1] as number) & mask;
      const fromHomeToNext = (next - home) & mask;
      const fromHoleToNext = (next - hole) & mask;
      if (fromHomeToNext >= fromHoleToNext) {
        index[hole] = index[next] as number;
        hole = next;
      }
    }
    index[hole] = 0;
    this.keys[position] = undefined;
    this.head = (position + 1) & (this.keys.length - 1);
    this.size--;
  }

  /** Doubles the ring (oldest first from position 0) and rebuilds the index for it. */
  private grow(): void {
    const length = this.keys.length * 2;
    const keys: (string | undefined)[] = new Array(length).fill(undefined);
    const keyHashes = new Int32Array(length);
    const oldMask = this.keys.length - 1;
    for (let age = 0; age < this.size; age++) {
      const from = (this.head + age) & oldMask;
      keys[age] = this.keys[from];
      keyHashes[age] = this.keyHashes[from] as number;
    }
    const index = new Int32Array(length * 2);
    const mask = index.length - 1;
    for (let position = 0; position < this.size; position++) {
      let slot = (keyHashes[position] as number) & mask;
      while (index[slot] !== 0) slot = (slot + 1) & mask;
      index[slot] = position + 1;
    }
    this.keys = keys;
    this.keyHashes = keyHashes;
    this.index = index;
    this.head = 0;
  }
}

/** The smallest power of two ≥ capacity. */
function ringLengthFor(capacity: number): number {
  let length = 1;
  while (length < capacity) length *= 2;
  return length;
}

function randomSeed(): number {
  return crypto.getRandomValues(new Int32Array(1))[0] as number;
}

/**
 * 32-bit FNV-1a over the string's UTF-16 code units from a seeded start, then a final avalanche
 * (MurmurHash3's finaliser) so the low bits that pick a slot depend on every character.
 */
export function hashOf(key: string, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) | 0;
  for (let at = 0; at < key.length; at++) hash = Math.imul(hash ^ key.charCodeAt(at), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}
