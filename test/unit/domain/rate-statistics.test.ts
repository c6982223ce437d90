import { describe, expect, it } from 'vitest';
import {
  incompleteBeta,
  logGamma,
  predictiveLowerTail,
  predictiveMean,
  predictiveProbability,
  predictiveUpperTail,
} from '../../../functions/domain/rate-statistics.js';

/** ln of a binomial coefficient, from logGamma. */
const logChoose = (n: number, k: number) => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);

/** P(X = k) for the Gamma–Poisson predictive, summed term by term: the definition, as the oracle. */
function predictivePmf(k: number, shape: number, rate: number, exposure: number): number {
  const p = rate / (rate + exposure);
  return Math.exp(logGamma(k + shape) - logGamma(shape) - logGamma(k + 1) + shape * Math.log(p) + k * Math.log1p(-p));
}

function sum(from: number, to: number, term: (k: number) => number): number {
  let total = 0;
  for (let k = from; k <= to; k++) total += term(k);
  return total;
}

describe('logGamma', () => {
  it('gives ln((n − 1)!) for whole numbers and ln √π at ½', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(10)).toBeCloseTo(Math.log(362_880), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 14);
    expect(logGamma(171)).toBeCloseTo(
      sum(1, 170, (k) => Math.log(k)),
      9,
    );
  });

  it('refuses what is not positive', () => {
    expect(() => logGamma(0)).toThrow(RangeError);
  });
});

describe('incompleteBeta', () => {
  it('returns both sides, each to full precision, summing to one', () => {
    for (const [x, a, b] of [
      [0.03, 15, 61],
      [0.5, 2, 3],
      [0.97, 61, 15],
      [0.2, 2_000, 8_000],
    ] as const) {
      const [lower, upper] = incompleteBeta(x, a, b);
      expect(lower + upper).toBeCloseTo(1, 12);
      expect(lower).toBeGreaterThanOrEqual(0);
      expect(upper).toBeGreaterThanOrEqual(0);
    }
    // The far tail is computed directly: 1e-40 does not vanish into 1 − (1 − 1e-40).
    const [tiny] = incompleteBeta(0.01, 30, 30);
    expect(tiny).toBeGreaterThan(0);
    expect(tiny).toBeLessThan(1e-30);
  });
});

describe('Gamma–Poisson predictive tails', () => {
  it('match the summed distribution, from thin to busy products and deep into the tails', () => {
    for (const [k, shape, rate, exposure] of [
      [15, 61, 60, 2],
      [3, 2, 10, 1],
      [40, 1_000, 30, 1],
      [20, 31, 30, 1],
      [1, 0.5, 3, 1],
      [0, 5, 5, 0.25],
    ] as const) {
      const upper = sum(k, k + 20_000, (j) => predictivePmf(j, shape, rate, exposure));
      const lower = sum(0, k, (j) => predictivePmf(j, shape, rate, exposure));
      expect(predictiveUpperTail(k, { shape, rate }, exposure) / upper).toBeCloseTo(1, 9);
      expect(predictiveLowerTail(k, { shape, rate }, exposure) / lower).toBeCloseTo(1, 9);
    }
  });

  it('with shape C + 1 is exactly the conditional binomial test of two Poisson rates', () => {
    // X in t periods against C in T: under equal rates X | X + C ~ Binomial(X + C, t / (t + T)).
    const binomialUpper = (x: number, n: number, q: number) =>
      sum(x, n, (j) => Math.exp(logChoose(n, j) + j * Math.log(q) + (n - j) * Math.log1p(-q)));
    const binomialLower = (x: number, n: number, q: number) =>
      sum(0, x, (j) => Math.exp(logChoose(n, j) + j * Math.log(q) + (n - j) * Math.log1p(-q)));
    expect(predictiveUpperTail(15, { shape: 61, rate: 60 }, 2) / binomialUpper(15, 75, 2 / 62)).toBeCloseTo(1, 10);
    // And with shape C, the lower tail is the conditional test of a fall.
    expect(predictiveLowerTail(50, { shape: 1_200, rate: 30 }, 5) / binomialLower(50, 1_250, 5 / 35)).toBeCloseTo(1, 8);
  });

  it('give the probability of one count as the difference of neighbouring upper tails, no more than either tail', () => {
    for (const [k, shape, rate, exposure] of [
      [15, 61, 60, 2],
      [3, 2, 10, 1],
      [40, 1_000, 30, 1],
      [2, 120, 60, 1 / 60],
      [0, 5, 5, 0.25],
    ] as const) {
      const belief = { shape, rate };
      const probability = predictiveProbability(k, belief, exposure);
      const difference = predictiveUpperTail(k, belief, exposure) - predictiveUpperTail(k + 1, belief, exposure);
      expect(probability / difference).toBeCloseTo(1, 9);
      // Up to rounding: at k = 0 the lower tail is that one probability, computed by another route.
      expect(probability).toBeLessThanOrEqual(predictiveUpperTail(k, belief, exposure) * (1 + 1e-12));
      expect(probability).toBeLessThanOrEqual(predictiveLowerTail(k, belief, exposure) * (1 + 1e-12));
    }
    expect(predictiveProbability(-1, { shape: 3, rate: 1 }, 1)).toBe(0);
    expect(predictiveProbability(1.5, { shape: 3, rate: 1 }, 1)).toBe(0);
  });

  it('expects shape × exposure / rate', () => {
    expect(predictiveMean({ shape: 61, rate: 60 }, 2)).toBeCloseTo(2.0333, 4);
  });
});
