/**
 * Demand evidence: whether a product's demand RATE has changed, read from its counts per period (the
 * fast path's minutes, the rich path's windows) like a statistician would read them.
 *
 * - Counts of independent shoppers' events are Poisson. The rate before the change is known only from
 *   the baseline's counts, so the count expected in the recent span is Gamma–Poisson (negative
 *   binomial). A change is declared only when the recent count is in that distribution's tail at the
 *   configured false-alarm level. With no prior this is exactly the conditional (binomial) test of
 *   two Poisson rates: valid whatever the rate, for thin products as for bestsellers.
 * - Sequential: at every evaluation the last 1, 2, 5 and 10 periods (`detectionSpans`) are each tested
 *   against the periods before them, a window-limited scan for a change point; the false-alarm level
 *   is split over every test an evaluation makes (Bonferroni), so one evaluation declares a change
 *   with probability at most `falseAlarmLevel` when nothing changed.
 * - Robust baseline: the baseline is split in two halves of equal length; a rise is tested against
 *   the busier half and a fall against the quieter one. Each is as strict as a test against either
 *   half alone, and a burst in one half (an earlier sale) cannot fake a fall afterwards.
 * - Warm-up: no test until the product has `minBaselinePeriods` periods of history (the first period
 *   with data is dropped: the stack may have started in its middle), or a configured prior. A prior
 *   (per category) shrinks thin products' baselines toward the category's rate.
 * - Reference: once demand moved the price, later evidence is read against the baseline of that
 *   change (stored on the product) until the price is back at base, so a long shift does not become
 *   the new normal and its end is read as a return, not as a fall.
 * - Views and carts decide the direction (they do not depend on the price in a way that feeds back);
 *   purchases only confirm a rise as real orders, which lets it go past the clicks-only cap.
 */
import { type GammaRate, predictiveLowerTail, predictiveMean, predictiveUpperTail } from './rate-statistics.js';

/** Counts of one product in one period (a minute, a window). */
export interface PeriodCounts {
  readonly views: number;
  readonly carts: number;
  /** Purchase events (the fast path) or purchases with their orders (the rich path). */
  readonly purchases: number;
  readonly units: number;
}

export const COUNTED_TYPES = ['views', 'carts', 'purchases', 'units'] as const;
export type CountedType = (typeof COUNTED_TYPES)[number];

/** What a trigger observed of one product: its counts per period up to now. */
export interface DemandObservation {
  /**
   * `minutes`: the fast path's per-minute counters, clicks only, its last minute still filling, so
   * only rises are read. `windows`: the rich path's aggregate windows, with orders, read both ways.
   */
  readonly source: 'minutes' | 'windows';
  /** Length of one period. */
  readonly periodSeconds: number;
  /** Consecutive periods, oldest first, ending with the one the trigger is in; quiet periods are zeros. */
  readonly periods: readonly PeriodCounts[];
  /** How much of the last period had passed at the trigger, in (0, 1]. */
  readonly lastPeriodFraction: number;
}

/** The baseline a demand move was read against, kept on the product while the move lasts. */
export interface DemandReference extends PeriodCounts {
  /** Periods the counts cover. */
  readonly periods: number;
  readonly periodSeconds: number;
  /** When the move was made. */
  readonly since: string;
}

/** A category's prior rates per period, and how many periods of data it weighs as. */
export interface DemandPrior {
  readonly viewsPerPeriod: number;
  readonly cartsPerPeriod: number;
  readonly purchasesPerPeriod: number;
  readonly unitsPerPeriod: number;
  readonly weightPeriods: number;
}

/** What assessDemand needs; the category parameters of pricing-config.ts satisfy it. */
export interface EvidenceParams {
  /** Chance that one evaluation declares a change when the rate did not change. */
  readonly falseAlarmLevel: number;
  /** Periods before a span that form its baseline. */
  readonly baselinePeriods: number;
  /** Fewest periods of baseline (prior weight included) for a test. */
  readonly minBaselinePeriods: number;
  /** Lengths, in periods, of the recent spans tested. */
  readonly detectionSpans: readonly number[];
  readonly demandPrior: DemandPrior | null;
  readonly viewWeight: number;
  readonly cartWeight: number;
  readonly purchaseWeight: number;
  readonly unitWeight: number;
}

/** One test: a type's count in a recent span against its baseline. */
export interface RateTest {
  readonly type: 'views' | 'carts' | 'purchases';
  readonly direction: 'up' | 'down';
  readonly spanPeriods: number;
  /** Periods the span covers (its last one partly). */
  readonly exposure: number;
  readonly count: number;
  /** The count the baseline expects over the exposure. */
  readonly expected: number;
  readonly baselineCount: number;
  readonly baselinePeriods: number;
  /** The tail probability of `count` under the baseline: the p-value. */
  readonly pValue: number;
}

/** Counts summed over some periods. */
export interface CountsOver extends PeriodCounts {
  readonly periods: number;
}

export type DemandEvidence =
  | {
      readonly kind: 'warming_up';
      readonly source: DemandObservation['source'];
      readonly periodSeconds: number;
      /** Periods of history so far, and how many a test needs. */
      readonly historyPeriods: number;
      readonly neededPeriods: number;
    }
  | {
      readonly kind: 'assessed';
      readonly source: DemandObservation['source'];
      readonly periodSeconds: number;
      readonly direction: 'up' | 'down' | 'steady';
      /** Purchases rose too, with orders behind them: the rise is not clicks alone. */
      readonly ordersConfirm: boolean;
      /**
       * Weighted recent rate over weighted baseline rate: the largest among the spans that rose
       * significantly (up), the smallest among those that fell (down), the longest span's (steady).
       */
      readonly ratio: number;
      /** The p-value a test must reach: falseAlarmLevel split over the evaluation's tests. */
      readonly threshold: number;
      readonly falseAlarmLevel: number;
      readonly testsPerEvaluation: number;
      /** The most significant test in the direction found (for steady: the closest to firing). */
      readonly decisive: RateTest | null;
      /** Read against the stored reference of an earlier move, not the rolling baseline. */
      readonly againstReference: boolean;
      /** The baseline of the decisive span: what a move made on this evidence keeps as its reference. */
      readonly baseline: CountsOver;
      readonly historyPeriods: number;
    };

const DECIDING_TYPES = ['views', 'carts'] as const;
/** The types a baseline is split for, and where each sits in SpanBaselines' per-type halves. */
const HALF_TYPES = ['views', 'carts', 'purchases'] as const;
const HALF_INDEX: Record<RateTest['type'], number> = { views: 0, carts: 1, purchases: 2 };
/** Half a count: keeps a rate estimate of a product never seen above zero. */
const RATE_PSEUDO_COUNT = 0.5;

function total(counts: PeriodCounts): number {
  return counts.views + counts.carts + counts.purchases + counts.units;
}

/** Prefix sums per type, so any range of periods sums in O(1). */
class PrefixSums {
  private readonly sums: Record<CountedType, Float64Array>;

  constructor(periods: readonly PeriodCounts[]) {
    const make = () => new Float64Array(periods.length + 1);
    this.sums = { views: make(), carts: make(), purchases: make(), units: make() };
    periods.forEach((period, index) => {
      for (const type of COUNTED_TYPES) {
        const sums = this.sums[type];
        sums[index + 1] = (sums[index] as number) + period[type];
      }
    });
  }

  /** Counts over periods [from, to). */
  over(from: number, to: number): CountsOver {
    const sum = (type: CountedType) => (this.sums[type][to] as number) - (this.sums[type][from] as number);
    return {
      periods: to - from,
      views: sum('views'),
      carts: sum('carts'),
      purchases: sum('purchases'),
      units: sum('units'),
    };
  }
}

function priorRate(prior: DemandPrior | null, type: CountedType): { pseudoCounts: number; weight: number } {
  if (prior === null) return { pseudoCounts: 0, weight: 0 };
  const perPeriod = {
    views: prior.viewsPerPeriod,
    carts: prior.cartsPerPeriod,
    purchases: prior.purchasesPerPeriod,
    units: prior.unitsPerPeriod,
  }[type];
  return { pseudoCounts: perPeriod * prior.weightPeriods, weight: prior.weightPeriods };
}

/** Expected rate per period of each type under a baseline, for ratios and sales rates. */
export function ratePerPeriod(baseline: CountsOver, type: CountedType, prior: DemandPrior | null): number {
  const { pseudoCounts, weight } = priorRate(prior, type);
  const periods = baseline.periods + weight;
  return periods > 0 ? (baseline[type] + pseudoCounts + RATE_PSEUDO_COUNT) / periods : 0;
}

function weightedRate(counts: PeriodCounts, params: EvidenceParams): number {
  return (
    params.viewWeight * counts.views +
    params.cartWeight * counts.carts +
    params.purchaseWeight * counts.purchases +
    params.unitWeight * counts.units
  );
}

/** The recent span's weighted rate over the baseline's. */
function ratioOf(recent: CountsOver, exposure: number, baseline: CountsOver, params: EvidenceParams): number {
  const rates = {
    views: ratePerPeriod(baseline, 'views', params.demandPrior),
    carts: ratePerPeriod(baseline, 'carts', params.demandPrior),
    purchases: ratePerPeriod(baseline, 'purchases', params.demandPrior),
    units: ratePerPeriod(baseline, 'units', params.demandPrior),
  };
  return weightedRate(recent, params) / exposure / weightedRate(rates, params);
}

/** A span with its baseline: the whole, and the halves the tests read (or the reference for both). */
interface SpanBaselines {
  readonly spanPeriods: number;
  readonly exposure: number;
  readonly recent: CountsOver;
  readonly whole: CountsOver;
  /** For rises: per type, the busier half; for falls, the quieter one. Equal to `whole` with a reference. */
  readonly forRise: CountsOver[];
  readonly forFall: CountsOver[];
}

function beliefOf(
  baseline: CountsOver,
  type: CountedType,
  prior: DemandPrior | null,
  direction: 'up' | 'down',
): GammaRate {
  const { pseudoCounts, weight } = priorRate(prior, type);
  // Shape C + 1 for rises and C for falls: with no prior, exactly the conditional binomial test of
  // two Poisson rates (see rate-statistics.ts), which holds its level whatever the true rate.
  return { shape: baseline[type] + pseudoCounts + (direction === 'up' ? 1 : 0), rate: baseline.periods + weight };
}

function rateTest(
  span: SpanBaselines,
  type: RateTest['type'],
  direction: 'up' | 'down',
  prior: DemandPrior | null,
): RateTest | null {
  const baseline = (direction === 'up' ? span.forRise : span.forFall)[HALF_INDEX[type]] as CountsOver;
  const belief = beliefOf(baseline, type, prior, direction);
  if (belief.shape <= 0 || belief.rate <= 0) return null;
  const count = span.recent[type];
  const expected = predictiveMean(belief, span.exposure);
  // A count on the near side of its expectation cannot be in the far tail: skip the numerics.
  if (direction === 'up' ? count < expected : count > expected) return null;
  const pValue =
    direction === 'up'
      ? predictiveUpperTail(count, belief, span.exposure)
      : predictiveLowerTail(count, belief, span.exposure);
  return {
    type,
    direction,
    spanPeriods: span.spanPeriods,
    exposure: span.exposure,
    count,
    expected,
    baselineCount: baseline[type],
    baselinePeriods: baseline.periods,
    pValue,
  };
}

/** Where usable history starts: after the first period with any count (it may have begun mid-period). */
function historyStart(periods: readonly PeriodCounts[]): number | null {
  const first = periods.findIndex((period) => total(period) > 0);
  return first < 0 ? null : first + 1;
}

/**
 * How many tests one evaluation makes at most, for the Bonferroni split: the two deciding types,
 * every span, both directions when falls are read.
 */
export function testsPerEvaluation(source: DemandObservation['source'], params: EvidenceParams): number {
  return DECIDING_TYPES.length * params.detectionSpans.length * (source === 'windows' ? 2 : 1);
}

/**
 * Reads `observation` for a change in the product's demand rate, against `reference` when a move is
 * under way (see the module comment), else against each span's rolling baseline.
 */
export function assessDemand(
  observation: DemandObservation,
  reference: DemandReference | null,
  params: EvidenceParams,
): DemandEvidence {
  const { periods, source } = observation;
  const fraction = observation.lastPeriodFraction;
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`lastPeriodFraction must be in (0, 1], got ${fraction}`);
  const start = historyStart(periods);
  const priorWeight = params.demandPrior?.weightPeriods ?? 0;
  const neededPeriods = params.minBaselinePeriods;
  const sums = new PrefixSums(periods);
  const n = periods.length;

  const spans: SpanBaselines[] = [];
  for (const spanPeriods of [...params.detectionSpans].sort((a, b) => a - b)) {
    const spanStart = n - spanPeriods;
    if (spanStart < 0) continue;
    const recent = sums.over(spanStart, n);
    const exposure = spanPeriods - 1 + fraction;
    if (reference !== null) {
      const whole: CountsOver = { ...pickCounts(reference), periods: reference.periods };
      spans.push({
        spanPeriods,
        exposure,
        recent,
        whole,
        forRise: [whole, whole, whole],
        forFall: [whole, whole, whole],
      });
      continue;
    }
    const from = Math.max(start ?? n, spanStart - params.baselinePeriods);
    const length = Math.max(0, spanStart - from);
    if (length + priorWeight < neededPeriods) continue;
    const half = Math.floor(length / 2);
    const whole = sums.over(spanStart - 2 * half, spanStart);
    if (half === 0) {
      // Too little history to split: the prior alone (length + priorWeight passed the warm-up).
      spans.push({
        spanPeriods,
        exposure,
        recent,
        whole,
        forRise: [whole, whole, whole],
        forFall: [whole, whole, whole],
      });
      continue;
    }
    const older = sums.over(spanStart - 2 * half, spanStart - half);
    const newer = sums.over(spanStart - half, spanStart);
    spans.push({
      spanPeriods,
      exposure,
      recent,
      whole,
      forRise: HALF_TYPES.map((type) => (older[type] >= newer[type] ? older : newer)),
      forFall: HALF_TYPES.map((type) => (older[type] <= newer[type] ? older : newer)),
    });
  }

  const historyPeriods = start === null ? 0 : Math.max(0, n - start);
  const periodSeconds = observation.periodSeconds;
  if (spans.length === 0) return { kind: 'warming_up', source, periodSeconds, historyPeriods, neededPeriods };

  const tests = testsPerEvaluation(source, params);
  const threshold = params.falseAlarmLevel / tests;
  const rises: { test: RateTest; span: SpanBaselines }[] = [];
  const falls: { test: RateTest; span: SpanBaselines }[] = [];
  let closest: RateTest | null = null;
  let ordersConfirm = false;
  const consider = (test: RateTest | null, span: SpanBaselines) => {
    if (test === null) return;
    if (closest === null || test.pValue < closest.pValue) closest = test;
    if (test.pValue > threshold) return;
    (test.direction === 'up' ? rises : falls).push({ test, span });
  };
  for (const span of spans) {
    for (const type of DECIDING_TYPES) {
      consider(rateTest(span, type, 'up', params.demandPrior), span);
      if (source === 'windows') consider(rateTest(span, type, 'down', params.demandPrior), span);
    }
    if (source === 'windows' && span.recent.units > 0) {
      const purchases = rateTest(span, 'purchases', 'up', params.demandPrior);
      if (purchases !== null && purchases.pValue <= threshold) ordersConfirm = true;
    }
  }

  const common = {
    kind: 'assessed' as const,
    source,
    periodSeconds,
    threshold,
    falseAlarmLevel: params.falseAlarmLevel,
    testsPerEvaluation: tests,
    againstReference: reference !== null,
    historyPeriods,
  };
  const strongest = (found: { test: RateTest; span: SpanBaselines }[]) =>
    found.reduce((best, candidate) => (candidate.test.pValue < best.test.pValue ? candidate : best));
  // A rise wins over a fall seen in another span: more evidence of demand never reads as less.
  if (rises.length > 0) {
    // The largest ratio among the spans that rose (more counts can only add spans or raise ratios),
    // and its baseline, the one least mixed with the rise itself, as the reference a move keeps.
    const { ratio, span } = extreme(rises, Math.max, params);
    // Views or carts rose; fewer orders may still pull the weighted ratio below 1: a rise asks no fall.
    return {
      ...common,
      direction: 'up',
      ordersConfirm,
      ratio: Math.max(1, ratio),
      decisive: strongest(rises).test,
      baseline: span.whole,
    };
  }
  if (falls.length > 0) {
    const { ratio, span } = extreme(falls, Math.min, params);
    return {
      ...common,
      direction: 'down',
      ordersConfirm: false,
      ratio: Math.min(1, ratio),
      decisive: strongest(falls).test,
      baseline: span.whole,
    };
  }
  const longest = spans[spans.length - 1] as SpanBaselines;
  return {
    ...common,
    direction: 'steady',
    ordersConfirm: false,
    ratio: ratioOf(longest.recent, longest.exposure, longest.whole, params),
    decisive: closest,
    baseline: longest.whole,
  };
}

/** The span whose ratio is the largest (or smallest) of those found, with that ratio. */
function extreme(
  found: readonly { readonly span: SpanBaselines }[],
  pick: (...values: number[]) => number,
  params: EvidenceParams,
): { ratio: number; span: SpanBaselines } {
  const ratios = found.map(({ span }) => ({ span, ratio: ratioOf(span.recent, span.exposure, span.whole, params) }));
  const ratio = pick(...ratios.map((entry) => entry.ratio));
  return ratios.find((entry) => entry.ratio === ratio) as { ratio: number; span: SpanBaselines };
}

function pickCounts(counts: PeriodCounts): PeriodCounts {
  return { views: counts.views, carts: counts.carts, purchases: counts.purchases, units: counts.units };
}

/**
 * Units sold per period over the observation's usable history (the sales rate at the prices shown),
 * or null during the warm-up: the rate inventory cover is read with.
 */
export function salesRate(
  observation: DemandObservation,
  params: Pick<EvidenceParams, 'minBaselinePeriods'>,
): number | null {
  const start = historyStart(observation.periods);
  if (start === null) return null;
  const n = observation.periods.length;
  const exposure = n - start - 1 + observation.lastPeriodFraction;
  if (n - start < params.minBaselinePeriods) return null;
  let units = 0;
  for (let index = start; index < n; index++) units += (observation.periods[index] as PeriodCounts).units;
  return exposure > 0 ? units / exposure : null;
}
