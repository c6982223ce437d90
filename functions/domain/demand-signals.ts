/**
 * Demand signals: pure functions that turn counts into the two inputs of the pricing policy.
 *
 * - `demandIndex` (rich path): one aggregate window against the product's recent baseline.
 * - `surgeSignal` (fast path): the current minute's counters against the product's recent minutes.
 *
 * Both weigh events by how much they say about willingness to pay: an order says more than a cart, a
 * cart more than a view. Views and carts cost a bot nothing, so their share of the index is capped and
 * a window without orders is flagged `clicksOnly`; the policy never lets such evidence lift a price
 * more than one step above base (see pricing-policy.ts).
 */

/** Click-derived counts of one product in one period (a window or a minute). */
export interface ClickCounts {
  readonly views: number;
  readonly carts: number;
  readonly purchases: number;
}

/** Counts of one product in one period, with units ordered (from the orders table). */
export interface DemandCounts extends ClickCounts {
  readonly units: number;
}

/** One aggregate window, as far as demand is concerned. An `AggregateRow` is one. */
export interface DemandWindow extends DemandCounts {
  /** Distinct sessions in the window: the sample size. */
  readonly sessions: number;
}

/** Mean counts per period over the product's recent periods. */
export interface DemandBaseline extends DemandCounts {
  /** How many periods the means are over; 0 means there is no history to compare with. */
  readonly periods: number;
}

/** Event weights. Validated config keeps `viewWeight < cartWeight < purchaseWeight`. */
export interface DemandWeights {
  readonly viewWeight: number;
  readonly cartWeight: number;
  readonly purchaseWeight: number;
  /** Added per unit ordered, on top of the purchase weight, so a 3-unit order says more than a 1-unit one. */
  readonly unitWeight: number;
}

/** What `demandIndex` needs; the category parameters of pricing-config.ts satisfy it. */
export interface DemandIndexParams extends DemandWeights {
  readonly minSessions: number;
  readonly minBaselineScore: number;
  readonly clickIndexCap: number;
}

/** What `surgeSignal` needs; the category parameters of pricing-config.ts satisfy it. */
export interface SurgeParams extends Omit<DemandWeights, 'unitWeight'> {
  readonly minBaselineScore: number;
  readonly surgeRatio: number;
  readonly surgeMinEvents: number;
}

/** Why a signal could not be computed. */
export type NoSignalReason = 'no_baseline' | 'insufficient_sample';

/**
 * The demand index of one window. `index` is weighted demand over baseline demand: 1 is a usual
 * window, 2 twice the usual, 0 nothing at all. It is the sum of a click part (views and carts, capped)
 * and an order part (purchases and units, uncapped).
 */
export type DemandSignal =
  | { readonly kind: 'none'; readonly reason: NoSignalReason; readonly sessions: number }
  | {
      readonly kind: 'index';
      readonly index: number;
      readonly clickIndex: number;
      readonly orderIndex: number;
      readonly sessions: number;
      /** No units were ordered in the window: the evidence is clicks only. */
      readonly clicksOnly: boolean;
    };

/**
 * The surge signal of one minute. `ratio` is weighted velocity over baseline velocity. Every fast-path
 * signal is click evidence (the fast path does not see orders), so the policy treats a surge as
 * clicks-only.
 */
export type SurgeSignal =
  | { readonly kind: 'none'; readonly reason: NoSignalReason; readonly events: number }
  | {
      readonly kind: 'measured';
      readonly ratio: number;
      readonly velocity: number;
      readonly baselineVelocity: number;
      readonly events: number;
      readonly surging: boolean;
    };

/**
 * Mean counts per period of `rows` over `periods` periods. Pass the length of the look-back (say 30
 * minutes) as `periods`, not the number of rows found: a period without a row had no demand, and
 * skipping it would inflate the baseline.
 */
export function baselineOf(
  rows: readonly (ClickCounts & { readonly units?: number })[],
  periods: number = rows.length,
): DemandBaseline {
  if (!Number.isInteger(periods) || periods < rows.length) {
    throw new RangeError(`periods (${periods}) must be an integer of at least the number of rows (${rows.length})`);
  }
  let views = 0;
  let carts = 0;
  let purchases = 0;
  let units = 0;
  for (const row of rows) {
    views += row.views;
    carts += row.carts;
    purchases += row.purchases;
    units += row.units ?? 0;
  }
  if (periods === 0) return { periods, views: 0, carts: 0, purchases: 0, units: 0 };
  return {
    periods,
    views: views / periods,
    carts: carts / periods,
    purchases: purchases / periods,
    units: units / periods,
  };
}

function clickScore(counts: ClickCounts, weights: Omit<DemandWeights, 'unitWeight'>): number {
  return weights.viewWeight * counts.views + weights.cartWeight * counts.carts;
}

function orderScore(counts: DemandCounts, weights: DemandWeights): number {
  return weights.purchaseWeight * counts.purchases + weights.unitWeight * counts.units;
}

/**
 * The demand index of `window` against `baseline`, or no signal when the baseline is empty or the
 * window has fewer than `minSessions` sessions (a handful of sessions is noise, not demand).
 *
 * Revenue is deliberately left out: it is price × units, so a price rise would raise "demand" by
 * itself and feed back into the next rise. The baseline score is floored at `minBaselineScore` so a
 * product that was nearly idle does not turn its first few views into an enormous index.
 */
export function demandIndex(window: DemandWindow, baseline: DemandBaseline, params: DemandIndexParams): DemandSignal {
  if (baseline.periods < 1) return { kind: 'none', reason: 'no_baseline', sessions: window.sessions };
  if (window.sessions < params.minSessions) {
    return { kind: 'none', reason: 'insufficient_sample', sessions: window.sessions };
  }
  const denominator = Math.max(clickScore(baseline, params) + orderScore(baseline, params), params.minBaselineScore);
  // Views and carts are cheap to fake, so however many there are, they add at most `clickIndexCap`.
  const clickIndex = Math.min(clickScore(window, params) / denominator, params.clickIndexCap);
  const orderIndex = orderScore(window, params) / denominator;
  return {
    kind: 'index',
    index: clickIndex + orderIndex,
    clickIndex,
    orderIndex,
    sessions: window.sessions,
    // Units come from the orders table; click events alone (purchase events included) cannot forge them.
    clicksOnly: window.units === 0,
  };
}

/** The weighted velocity of a minute, as the surge signal weighs it. */
function surgeVelocity(counts: ClickCounts, params: SurgeParams): number {
  return clickScore(counts, params) + params.purchaseWeight * counts.purchases;
}

/**
 * Whether the `current` minute could surge against ANY baseline: the baseline's velocity is floored
 * at `minBaselineScore`, so a minute below `surgeRatio` times that floor (or below the minimum sample)
 * never surges. Lets the fast path skip reading a baseline it cannot need.
 */
export function surgePossible(current: ClickCounts, params: SurgeParams): boolean {
  const events = current.views + current.carts + current.purchases;
  return (
    events >= params.surgeMinEvents && surgeVelocity(current, params) >= params.surgeRatio * params.minBaselineScore
  );
}

/**
 * The surge signal of the `current` minute against the `baseline` minutes: the weighted velocity
 * ratio, surging when it reaches `surgeRatio`. Below `surgeMinEvents` events in the minute there is no
 * signal, so a quiet product's two views after an idle hour are not a surge.
 */
export function surgeSignal(current: ClickCounts, baseline: DemandBaseline, params: SurgeParams): SurgeSignal {
  const events = current.views + current.carts + current.purchases;
  if (baseline.periods < 1) return { kind: 'none', reason: 'no_baseline', events };
  if (events < params.surgeMinEvents) return { kind: 'none', reason: 'insufficient_sample', events };
  const velocity = surgeVelocity(current, params);
  const baselineVelocity = surgeVelocity(baseline, params);
  const ratio = velocity / Math.max(baselineVelocity, params.minBaselineScore);
  return { kind: 'measured', ratio, velocity, baselineVelocity, events, surging: ratio >= params.surgeRatio };
}
