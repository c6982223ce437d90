import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InternedAscii } from '../../../../functions/domain/click-reader/interned-ascii.js';

/*
 * InternedAscii hands out strings for runs of ASCII bytes, reusing ones it made before. Whatever it
 * holds or has emptied, and however the runs collide in its table, the string must be the bytes'.
 */

const asciiRun = fc.array(fc.integer({ min: 0, max: 0x7f }), { maxLength: 40 });

describe('InternedAscii', () => {
  it('gives the string of the bytes, for any sequence of runs, with the table filling and emptying', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(asciiRun, fc.nat(8), fc.nat(8)), { maxLength: 200 }),
        fc.integer(),
        (runs, seed) => {
          // 16 slots: it empties every 8 strings, and runs collide all the time.
          const interned = new InternedAscii(16, seed);
          for (const [codes, before, after] of runs) {
            const bytes = Buffer.alloc(before + codes.length + after, 0x41);
            Buffer.from(codes).copy(bytes, before);
            const expected = String.fromCharCode(...codes);
            expect(interned.stringOf(bytes, before, before + codes.length)).toBe(expected);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('tells apart runs that share their first bytes, their length or their hash slot', () => {
    const interned = new InternedAscii(16, 1);
    const texts = ['P00001', 'P00002', 'P0000', 'P000010', '', 'Q00001', 'p00001'];
    for (let round = 0; round < 3; round++) {
      for (const text of texts) expect(interned.stringOf(Buffer.from(text), 0, text.length)).toBe(text);
    }
    // More distinct runs than any probe sequence walks: each still gets its own string.
    for (let index = 0; index < 1_000; index++) {
      const text = `s-${index}`;
      expect(interned.stringOf(Buffer.from(text), 0, text.length)).toBe(text);
    }
  });

  it('holds each new string until half full, then empties and holds the one that did not fit', () => {
    const interned = new InternedAscii(16, 3);
    const sizes: number[] = [];
    for (let index = 0; index < 10; index++) {
      const text = `product-${index}`;
      interned.stringOf(Buffer.from(text), 0, text.length);
      sizes.push(interned.size);
    }
    expect(sizes).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 1, 2]);
    // Both are held: asking again finds them, and the table does not grow.
    for (const text of ['product-8', 'product-9']) interned.stringOf(Buffer.from(text), 0, text.length);
    expect(interned.size).toBe(2);
  });
});
