import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkSequenceNumber,
  compareSequences,
  padSequence,
  SEQUENCE_WIDTH,
} from '../../../functions/domain/sequence-numbers.js';

/*
 * The fast path compares sequence numbers as Kinesis writes them and pads only what it stores. The
 * specification is the padded form: compareSequences must order any two sequence numbers, padded or
 * not, exactly as their padded strings compare, and checkSequenceNumber must accept what padSequence
 * accepts and throw its error otherwise.
 */

const sequenceNumber = fc.oneof(
  // Kinesis-like: 56 digits, no leading zero.
  fc.bigInt({ min: 10n ** 55n, max: 10n ** 56n - 1n }).map(String),
  // Any length 1..64, leading zeros included.
  fc.array(fc.constantFrom(...'0123456789'), { minLength: 1, maxLength: SEQUENCE_WIDTH }).map((d) => d.join('')),
  fc.nat().map(String),
);

/** Sometimes padded already, sometimes with a few extra leading zeros. */
const written = sequenceNumber.chain((value) =>
  fc.constantFrom(value, padSequence(value), value.padStart(Math.min(SEQUENCE_WIDTH, value.length + 3), '0')),
);

const sign = (value: number) => Math.sign(value);

describe('compareSequences', () => {
  it('orders two sequence numbers as their padded forms compare', () => {
    fc.assert(
      fc.property(written, written, (a, b) => {
        const padded = padSequence(a) < padSequence(b) ? -1 : padSequence(a) > padSequence(b) ? 1 : 0;
        expect(sign(compareSequences(a, b))).toBe(padded);
      }),
      { numRuns: 20_000 },
    );
  });

  it('orders neighbours and a number with its own padding', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 60n }), (n) => {
        const [a, b] = [String(n), String(n + 1n)];
        expect(compareSequences(a, b)).toBeLessThan(0);
        expect(compareSequences(b, padSequence(a))).toBeGreaterThan(0);
        expect(compareSequences(padSequence(a), a)).toBe(0);
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('checkSequenceNumber', () => {
  it('accepts exactly what padSequence accepts, with its error', () => {
    const candidates = fc.oneof(
      sequenceNumber,
      fc.string({ maxLength: 70 }),
      fc.constantFrom('', ' 1', '1 ', '-1', '1e5', '١٢', '0'.repeat(64), '1'.repeat(65), '12a'),
    );
    fc.assert(
      fc.property(candidates, (value) => {
        let expected: unknown;
        try {
          padSequence(value);
        } catch (error) {
          expected = error;
        }
        if (expected === undefined) expect(() => checkSequenceNumber(value)).not.toThrow();
        else expect(() => checkSequenceNumber(value)).toThrow(expected as Error);
      }),
      { numRuns: 10_000 },
    );
  });
});
