/**
 * The distributions demand evidence is read with: counts of independent events are Poisson, and a
 * rate known only from past counts is Gamma-distributed, which makes the next count negative
 * binomial (the Gamma–Poisson predictive). Pure numerics, no dependencies.
 *
 * Tail probabilities are what a test compares with its threshold, often 1e-8 or smaller: each tail
 * is computed directly (never as 1 minus its complement, which would round to 0 or lose every digit).
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation; relative error about 1e-15). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  if (x < 0.5) {
    // Reflection keeps the series in its accurate range.
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let index = 1; index < LANCZOS.length; index++) sum += (LANCZOS[index] as number) / (z + index);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln B(a, b). */
function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

const TINY = 1e-300;
const EPSILON = 1e-15;
const MAX_ITERATIONS = 10_000;

/** The continued fraction of I_x(a, b) (modified Lentz), good for x < (a + 1) / (a + b + 2). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) return h;
  }
  throw new Error(`incomplete beta did not converge for x=${x}, a=${a}, b=${b}`);
}

/**
 * The regularised incomplete beta function and its complement, [I_x(a, b), 1 − I_x(a, b)], each to
 * full relative precision: the side below the distribution's bulk comes from the continued fraction,
 * the other from the symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
 */
export function incompleteBeta(x: number, a: number, b: number): [number, number] {
  if (!(a > 0 && b > 0)) throw new RangeError(`incompleteBeta needs a, b > 0, got a=${a}, b=${b}`);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`incompleteBeta needs 0 <= x <= 1, got ${x}`);
  if (x === 0) return [0, 1];
  if (x === 1) return [1, 0];
  const logFront = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) {
    const lower = (Math.exp(logFront) * betaContinuedFraction(x, a, b)) / a;
    return [lower, 1 - lower];
  }
  const upper = (Math.exp(logFront) * betaContinuedFraction(1 - x, b, a)) / b;
  return [1 - upper, upper];
}

/**
 * The predictive distribution of a count over `exposure` periods when the rate per period is
 * Gamma(shape, rate): negative binomial. Parameters are what a test needs, nothing more.
 */
export interface GammaRate {
  /** Counts seen (plus the prior's pseudo-counts). */
  readonly shape: number;
  /** Periods they were seen over (plus the prior's pseudo-periods). */
  readonly rate: number;
}

/** Expected count over `exposure` periods under `belief`. */
export function predictiveMean(belief: GammaRate, exposure: number): number {
  return (belief.shape * exposure) / belief.rate;
}

/**
 * P(X = count) for X the Gamma–Poisson predictive count over `exposure` periods: a lower bound of
 * either tail that costs three logGammas and no continued fraction (see PreparedEvidence.mayRise).
 */
export function predictiveProbability(count: number, belief: GammaRate, exposure: number): number {
  if (count < 0 || !Number.isInteger(count)) return 0;
  const p = belief.rate / (belief.rate + exposure);
  return Math.exp(
    logGamma(count + belief.shape) -
      logGamma(belief.shape) -
      logGamma(count + 1) +
      belief.shape * Math.log(p) +
      count * Math.log1p(-p),
  );
}

/** P(X ≥ count) for X the Gamma–Poisson predictive count over `exposure` periods. */
export function predictiveUpperTail(count: number, belief: GammaRate, exposure: number): number {
  if (count <= 0) return 1;
  // X ~ NegBin(shape, p = rate / (rate + exposure)): P(X ≥ k) = I_{1−p}(k, shape).
  return incompleteBeta(exposure / (belief.rate + exposure), count, belief.shape)[0];
}

/** P(X ≤ count) for X the Gamma–Poisson predictive count over `exposure` periods. */
export function predictiveLowerTail(count: number, belief: GammaRate, exposure: number): number {
  if (count < 0) return 0;
  // P(X ≤ k) = I_p(shape, k + 1).
  return incompleteBeta(belief.rate / (belief.rate + exposure), belief.shape, count + 1)[0];
}
