/**
 * Strings for runs of ASCII bytes, made once and handed out again: a batch names the same few
 * hundred products and a few thousand sessions over and over, and making a string from bytes is a
 * call into the runtime (about 100 ns) where finding the one already made is a hash and a compare.
 *
 * Bounded: a table of `capacity` slots, emptied whenever it is half full, so what it holds never
 * grows past it whatever the traffic. The hash is seeded at random per instance, and a lookup walks
 * at most MAX_PROBES slots: a run of bytes that would have to walk further (a crafted collision) gets
 * a string of its own, not interned, so the work per lookup stays bounded too.
 */
export class InternedAscii {
  private strings: (string | undefined)[];
  private readonly hashes: Int32Array;
  private readonly mask: number;
  /** Strings held. */
  size = 0;
  private readonly seed: number;

  /** `capacity` is rounded up to a power of two; `seed` picks the hash (tests give one). */
  constructor(capacity = 8_192, seed = crypto.getRandomValues(new Int32Array(1))[0] as number) {
    let slots = 16;
    while (slots < capacity) slots *= 2;
    this.strings = new Array(slots).fill(undefined);
    this.hashes = new Int32Array(slots);
    this.mask = slots - 1;
    this.seed = seed;
  }

  /** The string of `bytes` from `start` to `end`, which must all be ASCII (0x00–0x7F). */
  stringOf(bytes: Buffer, start: number, end: number): string {
    let hash = (0x811c9dc5 ^ this.seed) | 0;
    for (let at = start; at < end; at++) hash = Math.imul(hash ^ (bytes[at] as number), 0x01000193);
    hash ^= hash >>> 15;
    for (let probe = 0, slot = hash & this.mask; probe < MAX_PROBES; probe++, slot = (slot + 1) & this.mask) {
      const held = this.strings[slot];
      if (held === undefined) {
        const made = bytes.toString('latin1', start, end);
        if (this.size * 2 >= this.strings.length) {
          this.empty();
          // The table was emptied: the first slot is free.
          slot = hash & this.mask;
        }
        this.strings[slot] = made;
        this.hashes[slot] = hash;
        this.size++;
        return made;
      }
      if (this.hashes[slot] === hash && sameAscii(held, bytes, start, end)) return held;
    }
    return bytes.toString('latin1', start, end);
  }

  private empty(): void {
    this.strings = new Array(this.strings.length).fill(undefined);
    this.size = 0;
  }
}

/** Slots a lookup walks at most. */
const MAX_PROBES = 8;

function sameAscii(text: string, bytes: Buffer, start: number, end: number): boolean {
  if (text.length !== end - start) return false;
  for (let at = start; at < end; at++) if (text.charCodeAt(at - start) !== bytes[at]) return false;
  return true;
}
