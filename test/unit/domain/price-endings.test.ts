import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyPriceEnding,
  nextWithEnding,
  type PriceEnding,
  previousWithEnding,
} from '../../../functions/domain/price-endings.js';

const NINETY_NINE: PriceEnding = { modulus: 100, remainder: 99 };

const endingArb = fc.oneof(
  fc.constant(NINETY_NINE),
  fc
    .integer({ min: 2, max: 2_000 })
    .chain((modulus) =>
      fc.record({ modulus: fc.constant(modulus), remainder: fc.integer({ min: 0, max: modulus - 1 }) }),
    ),
);

/** A window [min, max] and a price inside it. */
const windowArb = fc
  .tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 5_000 }))
  .chain(([min, width]) =>
    fc.record({ min: fc.constant(min), max: fc.constant(min + width), price: fc.integer({ min, max: min + width }) }),
  );

function hasEnding(price: number, ending: PriceEnding): boolean {
  return price % ending.modulus === ending.remainder;
}

describe('applyPriceEnding', () => {
  it('rounds to the nearest .99 inside the window', () => {
    expect(applyPriceEnding(2037, NINETY_NINE, 1800, 2200)).toEqual({ price: 1999, outcome: 'applied' });
    expect(applyPriceEnding(2060, NINETY_NINE, 1800, 2200)).toEqual({ price: 2099, outcome: 'applied' });
  });

  it('takes a farther ending rather than leave the window', () => {
    expect(applyPriceEnding(2037, NINETY_NINE, 2000, 2200)).toEqual({ price: 2099, outcome: 'applied' });
    expect(applyPriceEnding(2180, NINETY_NINE, 2000, 2198)).toEqual({ price: 2099, outcome: 'applied' });
  });

  it('keeps the price when no price with the ending fits in the window', () => {
    expect(applyPriceEnding(2050, NINETY_NINE, 2000, 2098)).toEqual({ price: 2050, outcome: 'no_fit' });
  });

  it('breaks a tie toward the lower price', () => {
    expect(applyPriceEnding(2049, NINETY_NINE, 1900, 2200)).toEqual({ price: 1999, outcome: 'applied' });
  });

  it('leaves the price alone when no ending is configured', () => {
    expect(applyPriceEnding(2037, null, 2000, 2100)).toEqual({ price: 2037, outcome: 'not_configured' });
  });

  it('refuses a price outside its window', () => {
    expect(() => applyPriceEnding(2300, NINETY_NINE, 2000, 2200)).toThrow(RangeError);
  });

  it('property: never crosses a bound; applies the ending whenever one fits, the nearest one', () => {
    fc.assert(
      fc.property(windowArb, endingArb, ({ min, max, price }, ending) => {
        const result = applyPriceEnding(price, ending, min, max);
        expect(result.price).toBeGreaterThanOrEqual(min);
        expect(result.price).toBeLessThanOrEqual(max);
        const fits = nextWithEnding(min, ending) <= max;
        expect(result.outcome).toBe(fits ? 'applied' : 'no_fit');
        if (!fits) {
          expect(result.price).toBe(price);
          return;
        }
        expect(hasEnding(result.price, ending)).toBe(true);
        // No price with the ending inside the window is nearer.
        const distance = Math.abs(result.price - price);
        for (const other of [previousWithEnding(price, ending), nextWithEnding(price, ending)]) {
          if (other >= min && other <= max) expect(distance).toBeLessThanOrEqual(Math.abs(other - price));
        }
      }),
      { numRuns: 5_000 },
    );
  });

  it('property: a higher price never rounds lower (rounding keeps the policy monotone)', () => {
    fc.assert(
      fc.property(windowArb, fc.integer({ min: 0, max: 5_000 }), endingArb, ({ min, max, price }, extra, ending) => {
        const higher = Math.min(price + extra, max);
        expect(applyPriceEnding(higher, ending, min, max).price).toBeGreaterThanOrEqual(
          applyPriceEnding(price, ending, min, max).price,
        );
      }),
      { numRuns: 5_000 },
    );
  });
});
