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
 *   (per category) stands in for a young product's missing history and fades as its own accrues.
 * - Reference: once demand moved the price, later evidence is read against the baseline of that
 *   change (stored on the product) for a few hours (`referenceMaxMinutes`), the return to base
 *   included, so a long shift does not become the new normal and its end is read as a return, not
 *   as a fall.
 * - Views and carts decide the direction (they do not depend on the price in a way that feeds back);
 *   purchases only confirm a rise as real orders, which lets it go past the clicks-only cap.
 */
import {
  type GammaRate,
  predictiveLowerTail,
  predictiveMean,
  predictiveProbability,
  predictiveUpperTail,
} from './rate-statistics.js';

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
      /** The span `ratio` is read over, in periods (not always the decisive test's: see verdict). */
      readonly ratioSpanPeriods: number;
      /** The p-value a test must reach: falseAlarmLevel split over the evaluation's tests. */
      readonly threshold: number;
      readonly falseAlarmLevel: number;
      readonly testsPerEvaluation: number;
      /** The most significant test in the direction found (for steady: the closest to firing). */
      readonly decisive: RateTest | null;
      /** Read against the stored reference of an earlier move, not the rolling baseline. */
      readonly againstReference: boolean;
      /**
       * What a move made on this evidence keeps as its reference: of the spans that rose, the baseline
       * with the lowest rate (of those that fell, the highest), the one least mixed with the move.
       */
      readonly baseline: CountsOver;
      readonly historyPeriods: number;
    };

const DECIDING_TYPES = ['views', 'carts'] as const;
/** Where each tested type sits in SpanBaselines' per-type halves. */
const HALF_INDEX: Record<RateTest['type'], number> = { views: 0, carts: 1, purchases: 2 };
/** Half a count: keeps a rate estimate of a product never seen above zero. */
const RATE_PSEUDO_COUNT = 0.5;

/**
 * Prefix sums per type, so any range of periods sums in O(1). One flat array per evaluation and no
 * closures: the backtest evaluates millions of times (see bench/pricing-quality).
 */
class PrefixSums {
  private readonly sums: Float64Array;

  constructor(periods: readonly PeriodCounts[]) {
    const sums = new Float64Array((periods.length + 1) * 4);
    for (let index = 0; index < periods.length; index++) {
      const period = periods[index] as PeriodCounts;
      const at = index * 4;
      sums[at + 4] = (sums[at] as number) + period.views;
      sums[at + 5] = (sums[at + 1] as number) + period.carts;
      sums[at + 6] = (sums[at + 2] as number) + period.purchases;
      sums[at + 7] = (sums[at + 3] as number) + period.units;
    }
    this.sums = sums;
  }

  /** Counts over periods [from, to). */
  over(from: number, to: number): CountsOver {
    const sums = this.sums;
    const a = from * 4;
    const b = to * 4;
    return {
      periods: to - from,
      views: (sums[b] as number) - (sums[a] as number),
      carts: (sums[b + 1] as number) - (sums[a + 1] as number),
      purchases: (sums[b + 2] as number) - (sums[a + 2] as number),
      units: (sums[b + 3] as number) - (sums[a + 3] as number),
    };
  }
}

/**
 * A category's prior stands in for the history a young product's baseline lacks: worth its
 * `weightPeriods` at first, a period less for each of the baseline's own periods, gone once it has
 * that many (the schema keeps a prior no heavier than a baseline can be). Kept whole beside the
 * baseline, it never faded: one wrong about a product (a bestseller in a quiet category) made it
 * read a change at nearly every evaluation, however long its history.
 */
export function fadedPrior(prior: DemandPrior | null, ownPeriods: number): DemandPrior | null {
  if (prior === null) return null;
  const weightPeriods = prior.weightPeriods - ownPeriods;
  return weightPeriods > 0 ? { ...prior, weightPeriods } : null;
}

const NO_PRIOR = { pseudoCounts: 0, weight: 0 } as const;

function priorRate(prior: DemandPrior | null, type: CountedType): { pseudoCounts: number; weight: number } {
  if (prior === null) return NO_PRIOR;
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

/** A baseline's weighted rate per period, with the span's prior. */
function baselineRate(baseline: CountsOver, prior: DemandPrior | null, params: EvidenceParams): number {
  const rates = {
    views: ratePerPeriod(baseline, 'views', prior),
    carts: ratePerPeriod(baseline, 'carts', prior),
    purchases: ratePerPeriod(baseline, 'purchases', prior),
    units: ratePerPeriod(baseline, 'units', prior),
  };
  return weightedRate(rates, params);
}

/**
 * A span's weighted rate over its baseline's, the current period by the share of it that has passed
 * (not the look's share the tests read it at: that would halve a rise just after a sixth).
 */
function ratioOf(span: SpanBaselines, params: EvidenceParams): number {
  return weightedRate(span.recent, params) / span.elapsed / baselineRate(span.whole, span.prior, params);
}

/** A span with its baseline: the whole, and the halves the tests read (or the reference for both). */
interface SpanBaselines {
  readonly spanPeriods: number;
  /** The periods the tests read the span over: the current one by its look's share (lookFraction). */
  readonly exposure: number;
  /** The periods that have passed in the span: the current one by the share of it gone. */
  readonly elapsed: number;
  /** The category's prior as far as it stands in for this span's baseline (fadedPrior), or none. */
  readonly prior: DemandPrior | null;
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

/**
 * The belief a test reads `count` against, over `exposure` periods; null when there is none, or when
 * the count is on the near side of its expectation (it cannot be in the far tail). One definition for
 * the tests and for the rise screen (PreparedEvidence.mayRise), so the screen skips no test that could fire.
 */
function farSideBelief(
  baseline: CountsOver,
  count: number,
  exposure: number,
  type: RateTest['type'],
  direction: 'up' | 'down',
  prior: DemandPrior | null,
): GammaRate | null {
  const belief = beliefOf(baseline, type, prior, direction);
  if (belief.shape <= 0 || belief.rate <= 0) return null;
  const expected = predictiveMean(belief, exposure);
  return (direction === 'up' ? count < expected : count > expected) ? null : belief;
}

/**
 * The fast path reads its filling minute at every batch, as often as events come. Each read is taken
 * as a look at the next of these points of the minute (its share gone rounded up), where the count
 * could only be higher: so all the reads of a minute declare a rise no more often than the looks at
 * these points would, and the level is split over the looks as over the tests (Bonferroni). Without
 * it, a product read at each of its events went past its level several times over.
 */
export const LOOKS_PER_FILLING_PERIOD = 6;

/** The share of the current period a test reads it at: for a filling one, the next look's (see above). */
function lookFraction(source: DemandObservation['source'], lastPeriodFraction: number): number {
  if (source === 'windows') return lastPeriodFraction;
  // The margin keeps a look's own point (1/6 computed as 0.1666…67) from rounding to the next one.
  return Math.ceil(lastPeriodFraction * LOOKS_PER_FILLING_PERIOD - 1e-9) / LOOKS_PER_FILLING_PERIOD;
}

/**
 * How much of a filling period has passed at `atMs`, in (0, 1], for `lastPeriodFraction`; null when
 * it has not begun (an event stamped ahead by a client's clock), which is no reading of it at all.
 * At least a second has passed once it has begun; read after its end, the period is whole.
 */
export function filledFraction(periodStartMs: number, atMs: number, periodMs: number): number | null {
  if (atMs < periodStartMs) return null;
  return Math.min(1, Math.max(1_000 / periodMs, (atMs - periodStartMs) / periodMs));
}

/** A span's exposure in periods: its complete periods, and the current one by the share of it read. */
function exposureOf(spanPeriods: number, lastPeriodFraction: number): number {
  return spanPeriods - 1 + lastPeriodFraction;
}

/** One test, or null when the count is on the near side of its expectation (it cannot be in the far tail). */
function rateTest(span: SpanBaselines, type: RateTest['type'], direction: 'up' | 'down'): RateTest | null {
  const baseline = (direction === 'up' ? span.forRise : span.forFall)[HALF_INDEX[type]] as CountsOver;
  const count = span.recent[type];
  const belief = farSideBelief(baseline, count, span.exposure, type, direction, span.prior);
  if (belief === null) return null;
  const expected = predictiveMean(belief, span.exposure);
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
  const first = periods.findIndex(hasCounts);
  return first < 0 ? null : first + 1;
}

/**
 * How many tests the level is split over, for the Bonferroni split: the two deciding types, every
 * span, both directions when falls are read; on the fast path, at each look of its filling minute.
 */
export function testsPerEvaluation(source: DemandObservation['source'], params: EvidenceParams): number {
  const perLook = DECIDING_TYPES.length * params.detectionSpans.length;
  return source === 'windows' ? perLook * 2 : perLook * LOOKS_PER_FILLING_PERIOD;
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
  const { periods, source, periodSeconds } = observation;
  const current = periods[periods.length - 1];
  if (current === undefined) {
    return { kind: 'warming_up', source, periodSeconds, historyPeriods: 0, neededPeriods: params.minBaselinePeriods };
  }
  return prepareEvidence(source, periodSeconds, periods.slice(0, -1), reference, params).assess(
    current,
    observation.lastPeriodFraction,
  );
}

/** The part of an assessment fixed by the periods before the current one (see prepareEvidence). */
export interface PreparedEvidence {
  /** assessDemand of the earlier periods followed by `current`, a `lastPeriodFraction` of it gone. */
  assess(current: PeriodCounts, lastPeriodFraction: number): DemandEvidence;
  /**
   * A cheap screen for a caller that acts only on rises (the backtest's fast path, each second):
   * false means assess(current, lastPeriodFraction) is not an 'up'; true means it may be. A rise
   * needs a test whose count reaches its expectation with P(X ≥ count) ≤ threshold, and the tail is
   * at least P(X = count), so a count more probable than the threshold on its own is no rise.
   */
  mayRise(current: PeriodCounts, lastPeriodFraction: number): boolean;
}

/** A span read against one baseline for rises and falls alike: a reference, or a baseline too short to split. */
function unsplitSpan(
  spanPeriods: number,
  earlierCounts: CountsOver,
  prior: DemandPrior | null,
  whole: CountsOver,
): PreparedSpan {
  return { spanPeriods, earlierCounts, prior, whole, forRise: [whole, whole, whole], forFall: [whole, whole, whole] };
}

/** One span's baselines and the counts of its complete periods, before the current one is added. */
interface PreparedSpan extends Omit<SpanBaselines, 'recent' | 'exposure' | 'elapsed'> {
  readonly earlierCounts: CountsOver;
}

/**
 * Everything an assessment needs from the periods before the current one: within a period they do
 * not change, so the fast path (and the backtest, millions of times) prepares them once a minute and
 * assesses each batch with only the current minute's counts.
 */
export function prepareEvidence(
  source: DemandObservation['source'],
  periodSeconds: number,
  earlier: readonly PeriodCounts[],
  reference: DemandReference | null,
  params: EvidenceParams,
): PreparedEvidence {
  const firstWithData = earlier.findIndex(hasCounts);
  const start = firstWithData < 0 ? null : firstWithData + 1;
  const n = earlier.length + 1;
  // The complete periods before the current one, the first with data dropped: what a baseline is built from.
  const historyPeriods = start === null ? 0 : Math.max(0, n - 1 - start);
  // A prior stands in for history a span's baseline lacks: with it, the baseline weighs its own
  // periods or the prior's, whichever is more (fadedPrior), and that is what the warm-up asks of.
  const priorWeight = params.demandPrior?.weightPeriods ?? 0;
  const neededPeriods = params.minBaselinePeriods;
  const sums = new PrefixSums(earlier);
  const referenceCounts: CountsOver | null =
    reference === null ? null : { ...pickCounts(reference), periods: reference.periods };

  const spans: PreparedSpan[] = [];
  // Ascending, as the config schema requires: the last span built is the longest.
  for (const spanPeriods of params.detectionSpans) {
    const spanStart = n - spanPeriods;
    if (spanStart < 0) continue;
    const earlierCounts = sums.over(spanStart, n - 1);
    if (referenceCounts !== null) {
      const prior = fadedPrior(params.demandPrior, referenceCounts.periods);
      spans.push(unsplitSpan(spanPeriods, earlierCounts, prior, referenceCounts));
      continue;
    }
    const from = Math.max(start ?? n, spanStart - params.baselinePeriods);
    const length = Math.max(0, spanStart - from);
    if (Math.max(length, priorWeight) < neededPeriods) continue;
    const half = Math.floor(length / 2);
    const whole = sums.over(spanStart - 2 * half, spanStart);
    const prior = fadedPrior(params.demandPrior, 2 * half);
    if (half === 0) {
      // Too little history to split: the prior alone (it passed the warm-up).
      spans.push(unsplitSpan(spanPeriods, earlierCounts, prior, whole));
      continue;
    }
    const older = sums.over(spanStart - 2 * half, spanStart - half);
    const newer = sums.over(spanStart - half, spanStart);
    spans.push({
      spanPeriods,
      earlierCounts,
      prior,
      whole,
      forRise: [busier(older, newer, 'views'), busier(older, newer, 'carts'), busier(older, newer, 'purchases')],
      forFall: [quieter(older, newer, 'views'), quieter(older, newer, 'carts'), quieter(older, newer, 'purchases')],
    });
  }
  const tests = testsPerEvaluation(source, params);
  const threshold = params.falseAlarmLevel / tests;

  return {
    mayRise(current, lastPeriodFraction) {
      checkFraction(lastPeriodFraction);
      const fraction = lookFraction(source, lastPeriodFraction);
      for (const prepared of spans) {
        const exposure = exposureOf(prepared.spanPeriods, fraction);
        for (const type of DECIDING_TYPES) {
          const count = prepared.earlierCounts[type] + current[type];
          const baseline = prepared.forRise[HALF_INDEX[type]] as CountsOver;
          const belief = farSideBelief(baseline, count, exposure, type, 'up', prepared.prior);
          if (belief === null) continue;
          // The margin absorbs rounding: the pmf and the tail are computed by different routes.
          if (predictiveProbability(count, belief, exposure) > threshold * (1 + 1e-9)) continue;
          return true;
        }
      }
      return false;
    },

    assess(current, lastPeriodFraction) {
      checkFraction(lastPeriodFraction);
      if (spans.length === 0) return { kind: 'warming_up', source, periodSeconds, historyPeriods, neededPeriods };
      const fraction = lookFraction(source, lastPeriodFraction);
      const found: Findings = { rises: [], falls: [], closest: null };
      let ordersConfirm = false;
      let longest: SpanBaselines | null = null;
      for (const prepared of spans) {
        // Built field by field, not spread: assess runs millions of times in a backtest.
        const span: SpanBaselines = {
          spanPeriods: prepared.spanPeriods,
          exposure: exposureOf(prepared.spanPeriods, fraction),
          elapsed: exposureOf(prepared.spanPeriods, lastPeriodFraction),
          prior: prepared.prior,
          recent: plus(prepared.earlierCounts, current),
          whole: prepared.whole,
          forRise: prepared.forRise,
          forFall: prepared.forFall,
        };
        longest = span;
        for (const type of DECIDING_TYPES) {
          consider(found, rateTest(span, type, 'up'), span, threshold);
          if (source === 'windows') {
            consider(found, rateTest(span, type, 'down'), span, threshold);
          }
        }
        if (source === 'windows' && span.recent.units > 0) {
          const purchases = rateTest(span, 'purchases', 'up');
          if (purchases !== null && purchases.pValue <= threshold) ordersConfirm = true;
        }
      }
      return verdict(
        found,
        ordersConfirm,
        longest as SpanBaselines,
        {
          kind: 'assessed',
          source,
          periodSeconds,
          threshold,
          falseAlarmLevel: params.falseAlarmLevel,
          testsPerEvaluation: tests,
          againstReference: reference !== null,
          historyPeriods,
        },
        params,
      );
    },
  };
}

function checkFraction(lastPeriodFraction: number): void {
  if (!(lastPeriodFraction > 0 && lastPeriodFraction <= 1)) {
    throw new RangeError(`lastPeriodFraction must be in (0, 1], got ${lastPeriodFraction}`);
  }
}

type AssessedCommon = Pick<
  Extract<DemandEvidence, { kind: 'assessed' }>,
  | 'kind'
  | 'source'
  | 'periodSeconds'
  | 'threshold'
  | 'falseAlarmLevel'
  | 'testsPerEvaluation'
  | 'againstReference'
  | 'historyPeriods'
>;

/** The evaluation's answer from the tests that passed (see the module comment for the rules). */
function verdict(
  found: Findings,
  ordersConfirm: boolean,
  longest: SpanBaselines,
  common: AssessedCommon,
  params: EvidenceParams,
): DemandEvidence {
  const { rises, falls } = found;
  let direction: 'up' | 'down' | 'steady' = 'steady';
  let ratio: number;
  let ratioSpanPeriods: number;
  let decisive: RateTest | null;
  let baseline: CountsOver;
  // A rise wins over a fall seen in another span: more evidence of demand never reads as less.
  if (rises.length > 0) {
    // The largest ratio among the spans that rose (more counts can only add spans or raise ratios).
    // Views or carts rose; fewer orders may still pull the weighted ratio below 1: a rise asks no fall.
    const largest = extremeSpan(rises, (span) => ratioOf(span, params), Math.max);
    direction = 'up';
    ratio = Math.max(1, largest.value);
    ratioSpanPeriods = largest.span.spanPeriods;
    decisive = strongest(rises).test;
    // Not the largest ratio's baseline: in a surge that speeds up, the shortest span's has the
    // first minutes of the surge in it, and usual demand would later read as a fall against it.
    baseline = extremeSpan(rises, (span) => baselineRate(span.whole, span.prior, params), Math.min).span.whole;
  } else if (falls.length > 0) {
    const smallest = extremeSpan(falls, (span) => ratioOf(span, params), Math.min);
    direction = 'down';
    ratio = Math.min(1, smallest.value);
    ratioSpanPeriods = smallest.span.spanPeriods;
    decisive = strongest(falls).test;
    baseline = extremeSpan(falls, (span) => baselineRate(span.whole, span.prior, params), Math.max).span.whole;
  } else {
    ratio = ratioOf(longest, params);
    ratioSpanPeriods = longest.spanPeriods;
    decisive = found.closest;
    baseline = longest.whole;
  }
  return {
    kind: 'assessed',
    source: common.source,
    periodSeconds: common.periodSeconds,
    direction,
    ordersConfirm: direction === 'up' && ordersConfirm,
    ratio,
    ratioSpanPeriods,
    threshold: common.threshold,
    falseAlarmLevel: common.falseAlarmLevel,
    testsPerEvaluation: common.testsPerEvaluation,
    decisive,
    againstReference: common.againstReference,
    baseline,
    historyPeriods: common.historyPeriods,
  };
}

function hasCounts(period: PeriodCounts): boolean {
  return period.views + period.carts + period.purchases + period.units > 0;
}

function plus(counts: CountsOver, current: PeriodCounts): CountsOver {
  return {
    periods: counts.periods + 1,
    views: counts.views + current.views,
    carts: counts.carts + current.carts,
    purchases: counts.purchases + current.purchases,
    units: counts.units + current.units,
  };
}

/** The tests of one evaluation that passed the threshold, each direction, and the one nearest to it. */
interface Findings {
  readonly rises: { test: RateTest; span: SpanBaselines }[];
  readonly falls: { test: RateTest; span: SpanBaselines }[];
  /** The test with the smallest p-value: for a steady verdict, the one nearest to firing. */
  closest: RateTest | null;
}

function consider(found: Findings, test: RateTest | null, span: SpanBaselines, threshold: number): void {
  if (test === null) return;
  if (found.closest === null || test.pValue < found.closest.pValue) found.closest = test;
  if (test.pValue > threshold) return;
  (test.direction === 'up' ? found.rises : found.falls).push({ test, span });
}

/** The passing test with the smallest p-value. */
function strongest(passed: readonly { test: RateTest; span: SpanBaselines }[]): {
  test: RateTest;
  span: SpanBaselines;
} {
  let best = passed[0] as { test: RateTest; span: SpanBaselines };
  for (const candidate of passed) if (candidate.test.pValue < best.test.pValue) best = candidate;
  return best;
}

function busier(older: CountsOver, newer: CountsOver, type: RateTest['type']): CountsOver {
  return older[type] >= newer[type] ? older : newer;
}

function quieter(older: CountsOver, newer: CountsOver, type: RateTest['type']): CountsOver {
  return older[type] <= newer[type] ? older : newer;
}

/** Of the spans found, the one whose `measure` is the largest (or smallest, by `pick`), with that value. */
function extremeSpan(
  found: readonly { readonly span: SpanBaselines }[],
  measure: (span: SpanBaselines) => number,
  pick: (...values: number[]) => number,
): { value: number; span: SpanBaselines } {
  const values = found.map(({ span }) => ({ span, value: measure(span) }));
  const value = pick(...values.map((entry) => entry.value));
  return values.find((entry) => entry.value === value) as { value: number; span: SpanBaselines };
}

function pickCounts(counts: PeriodCounts): PeriodCounts {
  return { views: counts.views, carts: counts.carts, purchases: counts.purchases, units: counts.units };
}

/** Purchases and units over the observation's usable history, and the periods they cover; null in warm-up. */
function salesHistory(
  observation: DemandObservation,
  params: Pick<EvidenceParams, 'minBaselinePeriods'>,
): { purchases: number; units: number; periods: number } | null {
  const start = historyStart(observation.periods);
  if (start === null) return null;
  const n = observation.periods.length;
  const periods = n - start - 1 + observation.lastPeriodFraction;
  if (n - start < params.minBaselinePeriods || !(periods > 0)) return null;
  let purchases = 0;
  let units = 0;
  for (let index = start; index < n; index++) {
    const period = observation.periods[index] as PeriodCounts;
    purchases += period.purchases;
    units += period.units;
  }
  return { purchases, units, periods };
}

/**
 * Units sold per period over the observation's usable history (the sales rate at the prices shown),
 * or null during the warm-up: what stock cover is shown with.
 */
export function salesRate(
  observation: DemandObservation,
  params: Pick<EvidenceParams, 'minBaselinePeriods'>,
): number | null {
  const history = salesHistory(observation, params);
  return history === null ? null : history.units / history.periods;
}

/**
 * The chance that `inventory` units sell out within `horizonPeriods` at the rate the observation's
 * sales show, the rate's own uncertainty included: purchases are the Poisson events (a purchase may
 * take several units), so it is the Gamma–Poisson predictive of purchases reaching the stock divided
 * by the units a purchase takes. A thin product's few sales say little, and must not read as a run
 * on its stock. Null in warm-up.
 */
export function sellOutChance(
  observation: DemandObservation,
  params: Pick<EvidenceParams, 'minBaselinePeriods'>,
  inventory: number,
  horizonPeriods: number,
): number | null {
  const history = salesHistory(observation, params);
  if (history === null) return null;
  if (horizonPeriods <= 0) return 0;
  if (inventory <= 0) return 1;
  if (history.purchases === 0 || history.units === 0) return 0;
  const purchasesToSellOut = Math.ceil(inventory / (history.units / history.purchases));
  return predictiveUpperTail(purchasesToSellOut, { shape: history.purchases, rate: history.periods }, horizonPeriods);
}
