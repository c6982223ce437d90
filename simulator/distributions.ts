import type { Random } from './random.js';

/** Zipf weights for ranks 1..count: weight(k) = 1 / k^exponent, normalised to sum to 1. */
export function zipfWeights(count: number, exponent: number): number[] {
  const raw = Array.from({ length: count }, (_, index) => 1 / (index + 1) ** exponent);
  const total = raw.reduce((sum, weight) => sum + weight, 0);
  return raw.map((weight) => weight / total);
}

/**
 * Draws an index with probability proportional to its weight, by binary search over the cumulative
 * weights: O(log n) per draw and no allocation, which matters at 100k+ events per second.
 */
export class WeightedSampler {
  private readonly cumulative: Float64Array;

  constructor(weights: readonly number[]) {
    if (weights.length === 0) throw new RangeError('a sampler needs at least one weight');
    this.cumulative = new Float64Array(weights.length);
    let total = 0;
    weights.forEach((weight, index) => {
      if (!(weight >= 0)) throw new RangeError(`weight ${index} is ${weight}; weights must be >= 0`);
      total += weight;
      this.cumulative[index] = total;
    });
    if (total <= 0) throw new RangeError('at least one weight must be positive');
  }

  get size(): number {
    return this.cumulative.length;
  }

  sample(random: Random): number {
    const cumulative = this.cumulative;
    const target = random.next() * (cumulative[cumulative.length - 1] as number);
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((cumulative[middle] as number) > target) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}

/** A seeded Fisher–Yates shuffle (a copy; the input is left alone). */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random.next() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

/** Draws from an exponential distribution with the given mean (Poisson-process gaps, think times). */
export function exponential(random: Random, mean: number): number {
  // 1 - next() is in (0, 1], so the log is finite.
  return -Math.log(1 - random.next()) * mean;
}
