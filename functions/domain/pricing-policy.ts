/**
 * The pricing policy: `decide` turns a product, its demand observation and the pricing config into one
 * decision. Pure: no clock, no randomness, no I/O, so the same inputs always give a deep-equal
 * decision, and a replayed trigger re-decides exactly what it decided before.
 *
 * The order of evaluation is the order of precedence:
 *
 * 1. Gates, which end the decision with "no change": kill switch, an active freeze, the cooldown, the
 *    daily cap.
 * 2. Demand (demand-evidence.ts): a move only when the evidence says the product's rate changed at the
 *    configured false-alarm level, none while the product warms up. A rise asks `demandResponsePct` %
 *    per unit of demand ratio above 1, a fall the same below; asks smaller than `deadBandPct` are not
 *    made. With no significant change, a rich-path decision brings the price back toward base.
 *    Clicks-only evidence (every fast-path rise; a rise orders do not confirm) cannot ask for more
 *    than one step above base, however long it lasts: a bot run moves a price by one step at most.
 * 3. Inventory, read as cover (units in stock over units sold per minute): stock that sells out within
 *    `lowStockCoverMinutes` never lets the price fall and lifts it toward base + `lowStockPremiumPct`;
 *    overstock never lets it rise and lowers it toward base − `overstockDiscountPct`; both by at most
 *    `inventoryStepPct` per change, and only once a sales rate is known (no jump at start).
 * 4. Guardrails: the price stays within [floor, ceiling], at or above unit cost + `minMarginPct`, and
 *    within one step of the current price; then the price ending is applied inside that window, never
 *    past a bound, never past the resting price a decay or inventory move aims for, and never back onto
 *    the current price.
 * 5. Shadow mode turns a change into "no change" that carries what the change would have been.
 *
 * Each stage returns data: its outcome and notes of what it read and asked (decision-explanation.ts),
 * which become the history row's explanation only once the decision is made.
 *
 * Every stage is monotone in demand (more counts only raise significance and ratios; max and min with
 * constants, clamps, nearest-ending rounding), so more demand never gives a lower price, all else equal.
 */

import { type DecisionInputs, explanationOf, type Note, type Reading } from './decision-explanation.js';
import {
  assessDemand,
  type CountsOver,
  type DemandEvidence,
  type DemandObservation,
  type DemandReference,
  salesRate,
  sellOutChance,
} from './demand-evidence.js';
import { evidenceSnapshot } from './demand-evidence-report.js';
import type { Guardrail, NoChangeReason, ReasonCode } from './price-change.js';
import { applyPriceEnding, nextWithEnding, type PriceEnding, previousWithEnding } from './price-endings.js';
import { type CategoryParameters, type PricingConfig, parametersFor } from './pricing-config.js';
import type { Freeze, Product } from './product.js';
import { toEpochMs, toIso } from './time.js';

/** Recorded with every decision, so a price-history row names the rules that produced it. */
export const POLICY_VERSION = 'pricing-v2';

/** What the policy reads of a product. A `Product` is one. */
export type PricedProduct = Pick<
  Product,
  'productId' | 'category' | 'price' | 'basePrice' | 'floor' | 'ceiling' | 'inventory' | 'lastChangeAt'
> & {
  readonly freeze: Pick<Freeze, 'until'> | null;
  /** Unknown (null or absent): no margin floor. */
  readonly unitCost?: number | null;
  /** The next delivery, if the order system says; unknown (null or absent): a fixed cover line. */
  readonly restockAt?: string | null;
  /** The baseline of the demand move under way, if one is. */
  readonly demandReference?: DemandReference | null;
};

/** The demand a trigger observed. `null` means this trigger did not measure demand. */
export interface PricingSignals {
  readonly demand: DemandObservation | null;
}

/** What the caller knows about the trigger and the product's recent history. */
export interface DecisionContext {
  /**
   * Derived from what triggered the decision (an aggregate key, a shard + sequence number), never
   * from the clock, so a replayed trigger gets the same id and its history row collides. No `#`.
   */
  readonly decisionId: string;
  /** Automated price changes of this product already made in the UTC day of `now`. */
  readonly changesToday: number;
}

/** What a change does to the product's demand reference (see demand-evidence.ts). */
export type ReferenceUpdate =
  | { readonly kind: 'keep' }
  | { readonly kind: 'set'; readonly reference: DemandReference }
  | { readonly kind: 'clear' };

/** A change the policy makes (or, in shadow mode, would make). */
export interface ProposedChange {
  readonly newPrice: number;
  readonly reasonCode: ReasonCode;
  /** The guardrail that bound the new price, if one did. */
  readonly guardrail: Guardrail | null;
}

interface DecisionBase {
  readonly decisionId: string;
  readonly productId: string;
  /** `now`, canonicalised. */
  readonly decidedAt: string;
  readonly policyVersion: string;
  readonly oldPrice: number;
  /** The numbers the decision saw, for the history row. */
  readonly signals: Readonly<Record<string, number>>;
  /** Inputs, the evidence, the rule that fired and the guardrail that bound it, for people. */
  readonly explanation: string;
}

export interface PriceChangeDecision extends DecisionBase, ProposedChange {
  readonly kind: 'change';
  /** Written with the change, in the same transaction. */
  readonly reference: ReferenceUpdate;
}

export interface NoChangeDecision extends DecisionBase {
  readonly kind: 'no_change';
  readonly reason: NoChangeReason;
  /** For `blocked`: the guardrail that left no room, if it was one (inventory holds name none). */
  readonly guardrail: Guardrail | null;
  /** For `shadow_mode`: the change the policy would have made. */
  readonly proposed: ProposedChange | null;
}

export type PriceDecision = PriceChangeDecision | NoChangeDecision;

/** Whether `freeze` holds at `nowMs`: a freeze lapses at its `until`; `until: null` holds until unfrozen. */
export function freezeHolds(freeze: Pick<Freeze, 'until'> | null, nowMs: number): boolean {
  return freeze !== null && (freeze.until === null || toEpochMs(freeze.until) > nowMs);
}

/** The reference a decision reads against: the product's, unless it has lapsed or counts other periods. */
export function activeReference(
  product: PricedProduct,
  observation: DemandObservation | null,
  params: Pick<CategoryParameters, 'referenceMaxMinutes'>,
  nowMs: number,
): DemandReference | null {
  const reference = product.demandReference ?? null;
  if (reference === null || observation === null) return null;
  if (reference.periodSeconds !== observation.periodSeconds) return null;
  return nowMs - toEpochMs(reference.since) < params.referenceMaxMinutes * 60_000 ? reference : null;
}

/** Everything the rules read: the product's parameters, its evidence, its stock cover. */
interface Situation {
  readonly product: PricedProduct;
  readonly params: CategoryParameters;
  readonly source: DemandObservation['source'] | null;
  readonly evidence: DemandEvidence | null;
  readonly reference: DemandReference | null;
  /** Minutes the stock lasts at the current sales rate; null while no rate is known. */
  readonly coverMinutes: number | null;
  /** Minutes to the next delivery, when one is known and due. */
  readonly minutesToRestock: number | null;
  /** The chance the stock sells out before the next delivery (or the configured line); null while no rate is known. */
  readonly sellOutChance: number | null;
  /** Units sold per hour, as cover reads it. */
  readonly salesPerHour: number | null;
}

function situationOf(
  product: PricedProduct,
  signals: PricingSignals,
  params: CategoryParameters,
  nowMs: number,
): Situation {
  const observation = signals.demand;
  const reference = activeReference(product, observation, params, nowMs);
  const evidence = observation === null ? null : assessDemand(observation, reference, params);
  // Stock is read on the sales of `minSalesPeriods` periods at least: its own warm-up.
  const salesParams = { minBaselinePeriods: Math.max(params.minBaselinePeriods, params.minSalesPeriods) };
  const perPeriod = observation === null ? null : salesRate(observation, salesParams);
  const salesPerHour =
    perPeriod === null || observation === null ? null : (perPeriod * 3600) / observation.periodSeconds;
  const coverMinutes =
    salesPerHour === null
      ? null
      : salesPerHour > 0
        ? (product.inventory / salesPerHour) * 60
        : Number.POSITIVE_INFINITY;
  const restockAt = product.restockAt ?? null;
  const minutesToRestock =
    restockAt === null || toEpochMs(restockAt) <= nowMs ? null : (toEpochMs(restockAt) - nowMs) / 60_000;
  return {
    product,
    params,
    source: observation?.source ?? null,
    evidence,
    reference,
    coverMinutes,
    salesPerHour,
    minutesToRestock,
    sellOutChance:
      observation === null
        ? null
        : sellOutChance(
            observation,
            salesParams,
            product.inventory,
            ((minutesToRestock ?? params.lowStockCoverMinutes) * 60) / observation.periodSeconds,
          ),
  };
}

/** Decides the price of `product` at `now` (an ISO timestamp, see time.ts). */
export function decide(
  product: PricedProduct,
  signals: PricingSignals,
  config: PricingConfig,
  now: string,
  context: DecisionContext,
): PriceDecision {
  const nowMs = toEpochMs(now);
  if (Number.isNaN(nowMs)) throw new RangeError(`now is not a timestamp: ${now}`);
  if (!/^[^#]{1,200}$/.test(context.decisionId)) {
    throw new RangeError('decisionId must be 1 to 200 characters without #');
  }
  if (product.floor > product.ceiling) {
    throw new RangeError(`product ${product.productId} has floor ${product.floor} above ceiling ${product.ceiling}`);
  }
  const params = parametersFor(config, product.category);
  const situation = situationOf(product, signals, params, nowMs);
  const inputs = inputsOf(situation, context);
  const base = {
    decisionId: context.decisionId,
    productId: product.productId,
    decidedAt: toIso(nowMs),
    policyVersion: POLICY_VERSION,
    oldPrice: product.price,
    signals: snapshotOf(situation, context),
  };
  const noChange = (
    reason: NoChangeReason,
    guardrail: Guardrail | null,
    notes: readonly Note[],
    proposed: ProposedChange | null = null,
  ): NoChangeDecision => ({
    ...base,
    kind: 'no_change',
    reason,
    guardrail,
    proposed,
    explanation: explanationOf(inputs, [...notes, { kind: 'no_change', reason }]),
  });

  // Gates. The kill switch comes first: it is the one ops reaches for when something is wrong.
  if (config.killSwitch) return noChange('kill_switch', null, [{ kind: 'kill_switch' }]);
  if (freezeHolds(product.freeze, nowMs)) {
    return noChange('frozen', null, [{ kind: 'frozen', until: product.freeze?.until ?? null }]);
  }
  if (product.lastChangeAt !== null) {
    const sinceMs = nowMs - toEpochMs(product.lastChangeAt);
    if (sinceMs < params.cooldownSeconds * 1000) {
      const { lastChangeAt } = product;
      return noChange('cooldown', null, [{ kind: 'cooldown', lastChangeAt, cooldownSeconds: params.cooldownSeconds }]);
    }
  }
  if (context.changesToday >= params.maxChangesPerDay) {
    const cap = params.maxChangesPerDay;
    return noChange('daily_cap', null, [{ kind: 'daily_cap', changesToday: context.changesToday, cap }]);
  }

  const outcome = evaluate(situation);
  if (outcome.kind === 'hold') return noChange(outcome.reason, outcome.guardrail, outcome.notes);
  const proposed: ProposedChange = {
    newPrice: outcome.newPrice,
    reasonCode: outcome.reasonCode,
    guardrail: outcome.guardrail,
  };
  const result = (shadow: boolean): Note => ({
    kind: 'price',
    shadow,
    from: product.price,
    to: outcome.newPrice,
    reasonCode: outcome.reasonCode,
  });
  if (config.shadowMode) return noChange('shadow_mode', null, [...outcome.notes, result(true)], proposed);
  return {
    ...base,
    kind: 'change',
    ...proposed,
    reference: referenceUpdate(situation, proposed, now),
    explanation: explanationOf(inputs, [...outcome.notes, result(false)]),
  };
}

const DEMAND_MOVES: ReadonlySet<ReasonCode> = new Set(['demand_surge', 'demand_high', 'demand_low']);

/**
 * A demand move starts a reference (its baseline) unless one is under way; the reference then lasts
 * until it lapses (`referenceMaxMinutes`), the price back at base included: right after a long shift
 * the rolling baseline is the shift itself, and read against it the return to usual demand would look
 * like a fall. A lapsed reference is cleared by the next change.
 */
function referenceUpdate(situation: Situation, change: ProposedChange, now: string): ReferenceUpdate {
  const { product, evidence, reference } = situation;
  if (DEMAND_MOVES.has(change.reasonCode) && reference === null && evidence?.kind === 'assessed') {
    return { kind: 'set', reference: referenceOf(evidence.baseline, evidence, now) };
  }
  if (reference === null && (product.demandReference ?? null) !== null) return { kind: 'clear' };
  return { kind: 'keep' };
}

function referenceOf(
  baseline: CountsOver,
  evidence: Extract<DemandEvidence, { kind: 'assessed' }>,
  now: string,
): DemandReference {
  return {
    periods: baseline.periods,
    periodSeconds: evidence.periodSeconds,
    views: baseline.views,
    carts: baseline.carts,
    purchases: baseline.purchases,
    units: baseline.units,
    since: now,
  };
}

/** What a rule asks for, before inventory and guardrails. */
type Ask =
  | { readonly kind: 'hold'; readonly because: 'dead_band' | 'no_signal' | 'warming_up'; readonly reading: Reading }
  | Move;

interface Move {
  readonly kind: 'move';
  readonly reasonCode: ReasonCode;
  /** Where the rule wants the price; may be fractional. */
  readonly target: number;
  /** A resting price (base, an inventory rest) the move aims for: the price is never carried past it. */
  readonly restAt: number | null;
  /** Clicks-only evidence: the price may not rise above one step over base. */
  readonly clicksOnly: boolean;
  /** The clicks-only cap lowered the target. */
  readonly clickCapped: boolean;
  readonly reading: Reading;
}

type Outcome =
  | {
      readonly kind: 'hold';
      readonly reason: NoChangeReason;
      readonly guardrail: Guardrail | null;
      readonly notes: readonly Note[];
    }
  | {
      readonly kind: 'change';
      readonly newPrice: number;
      readonly reasonCode: ReasonCode;
      readonly guardrail: Guardrail | null;
      readonly notes: readonly Note[];
    };

function hold(because: 'dead_band' | 'no_signal' | 'warming_up', reading: Reading): Ask {
  return { kind: 'hold', because, reading };
}

function move(
  reasonCode: ReasonCode,
  target: number,
  reading: Reading,
  options: { restAt?: number; clicksOnly?: boolean } = {},
): Move {
  return {
    kind: 'move',
    reasonCode,
    target,
    restAt: options.restAt ?? null,
    clicksOnly: options.clicksOnly ?? false,
    clickCapped: false,
    reading,
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

/** The largest move, in cents, that `pct` % of `price` allows. */
function stepOf(price: number, pct: number): number {
  // Floored, so a step never exceeds the percentage, even where the float product rounds up.
  return Math.floor((price * pct) / 100);
}

/** The lowest price an automated decision may set: the floor, or unit cost + margin if higher. */
function lowestAllowed(product: PricedProduct, params: CategoryParameters): { price: number; byMargin: boolean } {
  const cost = product.unitCost ?? null;
  if (cost === null || params.minMarginPct === null) return { price: product.floor, byMargin: false };
  const marginFloor = Math.min(Math.ceil(cost * (1 + params.minMarginPct / 100)), product.ceiling);
  return marginFloor > product.floor
    ? { price: marginFloor, byMargin: true }
    : { price: product.floor, byMargin: false };
}

/** The rules' shared view of one decision: the step, the snapping, the clicks-only ceiling. */
interface Frame {
  readonly situation: Situation;
  readonly step: number;
  /** A price computed from a percentage of base, snapped to the ending toward base. */
  readonly snap: (value: number) => number;
  /** Clicks-only evidence may lift a price at most to here. */
  readonly clickCeiling: number;
}

function evaluate(situation: Situation): Outcome {
  const { product, params } = situation;
  const { price, basePrice, floor, ceiling } = product;
  if (price < floor || price > ceiling) {
    // productSchema rules this out, but should bounds ever be narrowed past the price, the bounds come
    // first: the price goes straight to the nearest bound, however far that is.
    const bound = price < floor ? 'floor' : 'ceiling';
    return {
      kind: 'change',
      newPrice: product[bound],
      reasonCode: 'bounds_change',
      guardrail: bound,
      notes: [
        { kind: 'outside_bounds', floor, ceiling, bound },
        { kind: 'guardrail', guardrail: bound },
      ],
    };
  }
  // Prices computed from percentages of base are snapped to the ending (toward base), so a price can
  // land exactly on them instead of stopping one unrounded step short.
  const snap = (value: number) => snapTowardBase(value, basePrice, params.priceEnding);
  const frame: Frame = {
    situation,
    step: stepOf(price, params.maxStepPct),
    snap,
    // Anchored on base rather than on the current price, so repeating clicks-only evidence (a long
    // bot run) cannot ratchet the price up.
    clickCeiling: Math.min(snap(basePrice + stepOf(basePrice, params.maxStepPct)), ceiling),
  };
  // Each rule's ask is carried through the guardrails and the ending on its own, and the outcomes are
  // combined by price (max for what may only raise, min for what may only lower): every outcome is
  // monotone in its target, so the combination keeps the whole decision monotone in demand.
  return inventoryOutcome(frame, demandOutcome(frame));
}

/**
 * What the demand evidence asks, as an outcome. A fall asks at most what "steady" asks, a rise at
 * least, and within each, a larger ratio asks a higher price.
 */
function demandOutcome(frame: Frame): Outcome {
  const { product, params, evidence, source } = frame.situation;
  const { price, basePrice } = product;
  if (evidence === null) return guarded(frame, hold('no_signal', { kind: 'unmeasured' }));
  if (evidence.kind === 'warming_up') return guarded(frame, hold('warming_up', { kind: 'evidence', evidence }));
  // With no significant change, a rich-path decision (it sees every window) returns the price toward
  // the one the merchant chose; the fast path only ever reads rises.
  const toBase = guarded(
    frame,
    source === 'windows' && price !== basePrice
      ? move('decay_to_base', basePrice, { kind: 'toward_base', evidence, basePrice }, { restAt: basePrice })
      : hold('no_signal', { kind: 'evidence', evidence }),
  );
  if (evidence.direction === 'steady') return toBase;

  const pct = params.demandResponsePct * (evidence.ratio - 1);
  const inBand = Math.abs(pct) < params.deadBandPct;
  const asks: Reading = {
    kind: 'ask',
    evidence,
    pct,
    responsePct: params.demandResponsePct,
    deadBandPct: inBand ? params.deadBandPct : null,
  };
  const raw = guarded(
    frame,
    inBand
      ? hold('dead_band', asks)
      : evidence.direction === 'up'
        ? move(source === 'minutes' ? 'demand_surge' : 'demand_high', price * (1 + pct / 100), asks, {
            clicksOnly: source === 'minutes' || !evidence.ordersConfirm,
          })
        : move('demand_low', price * (1 + pct / 100), asks),
  );
  return evidence.direction === 'up' ? higher(raw, toBase, price) : lower(raw, toBase, price);
}

/**
 * Inventory, combined with the demand outcome as a max (scarce stock: never lower, lift toward the
 * premium) or a min (overstock: never higher, lower toward the discount), by at most
 * `inventoryStepPct` per change.
 */
function inventoryOutcome(frame: Frame, demand: Outcome): Outcome {
  const { product, params, coverMinutes, minutesToRestock, sellOutChance } = frame.situation;
  if (coverMinutes === null || sellOutChance === null) return demand;
  const { price, basePrice, floor, ceiling, inventory } = product;
  const stockStep = stepOf(price, params.inventoryStepPct);
  if (sellOutChance >= params.lowStockHoldConfidence) {
    const odds = {
      inventory,
      coverMinutes,
      sellOutChance,
      minutesToRestock,
      coverLineMinutes: params.lowStockCoverMinutes,
    };
    const notLowered = inventoryHold({ kind: 'low_stock', odds, towardPrice: null });
    if (sellOutChance < params.lowStockConfidence) return withDemandNote(higher(demand, notLowered, price), demand);
    const rest = clamp(frame.snap(Math.round(basePrice * (1 + params.lowStockPremiumPct / 100))), floor, ceiling);
    if (rest <= price) return withDemandNote(higher(demand, notLowered, price), demand);
    const reading: Reading = { kind: 'low_stock', odds, towardPrice: rest };
    const pull = guarded(frame, move('low_stock', Math.min(rest, price + stockStep), reading, { restAt: rest }));
    return withDemandNote(higher(higher(demand, pull, price), notLowered, price), demand);
  }
  if (coverMinutes > params.overstockCoverDays * 1440 && inventory > params.overstockUnits) {
    const rest = clamp(frame.snap(Math.round(basePrice * (1 - params.overstockDiscountPct / 100))), floor, ceiling);
    const overstock = (towardPrice: number | null): Reading => ({
      kind: 'overstock',
      inventory,
      coverMinutes,
      overstockCoverDays: params.overstockCoverDays,
      towardPrice,
    });
    const notRaised = inventoryHold(overstock(null));
    if (rest >= price) return withDemandNote(lower(demand, notRaised, price), demand);
    const pull = guarded(
      frame,
      move('overstock', Math.max(rest, price - stockStep), overstock(rest), { restAt: rest }),
    );
    return withDemandNote(lower(lower(demand, pull, price), notRaised, price), demand);
  }
  return demand;
}

/** An inventory rule that holds the price where it is: a hold, blocked by the inventory rule. */
function inventoryHold(reading: Reading): Outcome {
  return { kind: 'hold', reason: 'blocked', guardrail: null, notes: [{ kind: 'rule', rule: 'inventory', reading }] };
}

/** A stock outcome that won still says what demand asked, so ops see both. */
function withDemandNote(outcome: Outcome, demand: Outcome): Outcome {
  if (outcome === demand) return outcome;
  return { ...outcome, notes: [...outcome.notes, { kind: 'demand_alone', notes: demand.notes }] };
}

function priceOf(outcome: Outcome, price: number): number {
  return outcome.kind === 'change' ? outcome.newPrice : price;
}

/** The outcome with the higher price; on a tie the first. */
function higher(first: Outcome, second: Outcome, price: number): Outcome {
  return priceOf(second, price) > priceOf(first, price) ? second : first;
}

/** The outcome with the lower price; on a tie the first. */
function lower(first: Outcome, second: Outcome, price: number): Outcome {
  return priceOf(second, price) < priceOf(first, price) ? second : first;
}

/**
 * One ask carried through the guardrails: bounds, margin and step form one window the price is
 * clamped into, then the price ending is applied inside it, on the side of the move.
 */
function guarded(frame: Frame, asked: Ask): Outcome {
  const { product, params } = frame.situation;
  const { price, floor, ceiling } = product;
  const { step, clickCeiling } = frame;
  const notes: Note[] = [
    { kind: 'rule', rule: asked.kind === 'move' ? asked.reasonCode : asked.because, reading: asked.reading },
  ];
  let ask = asked;
  if (ask.kind === 'move' && ask.clicksOnly && ask.target > price) {
    const cap = Math.max(price, clickCeiling);
    if (ask.target > cap) {
      ask = { ...ask, target: cap, clickCapped: true };
      notes.push({ kind: 'click_cap', cap });
    }
  }
  const lowest = lowestAllowed(product, params);
  // A price already under the margin floor (an ops decision) is not pushed up, only kept from falling.
  const lo = price < lowest.price ? price : clamp(price - step, lowest.price, ceiling);
  const hi = clamp(price + step, floor, ceiling);
  const marginFloor = lowest.byMargin ? lowest.price : null;
  notes.push({ kind: 'window', lo, hi, floor, marginFloor, ceiling, step });
  let guardrail: Guardrail | null = ask.kind === 'move' && ask.clickCapped ? 'clicks_only' : null;
  let unrounded = ask.kind === 'move' ? ask.target : price;
  if (unrounded > hi) {
    unrounded = hi;
    guardrail = price + step >= ceiling ? 'ceiling' : 'max_step';
  } else if (unrounded < lo) {
    unrounded = lo;
    guardrail =
      price - step > lowest.price && price >= lowest.price ? 'max_step' : lowest.byMargin ? 'margin_floor' : 'floor';
  }
  const wanted = Math.round(unrounded);

  if (wanted === price) {
    if (ask.kind === 'hold') return { kind: 'hold', reason: ask.because, guardrail: null, notes };
    const inventoryHold = ask.reasonCode === 'low_stock' || ask.reasonCode === 'overstock';
    const reason: NoChangeReason = guardrail !== null || inventoryHold ? 'blocked' : 'dead_band';
    if (guardrail !== null) notes.push({ kind: 'no_room', guardrail });
    return { kind: 'hold', reason, guardrail, notes };
  }
  if (ask.kind === 'hold') throw new Error('unreachable: a hold never moves the price');

  // The ending never lands back on the current price, never past a resting price, never past the
  // clicks-only ceiling.
  const up = wanted > price;
  let min = up ? price + 1 : lo;
  let max = up ? hi : price - 1;
  if (up && ask.clicksOnly) max = Math.min(max, Math.max(price, clickCeiling));
  if (ask.restAt !== null) {
    if (up) max = Math.min(max, Math.max(ask.restAt, min));
    else min = Math.max(min, Math.min(ask.restAt, max));
  }
  const ending = applyPriceEnding(wanted, params.priceEnding, min, max);
  if (ending.outcome === 'applied' && ending.price !== wanted) {
    notes.push({ kind: 'ending', ending: params.priceEnding, from: wanted, to: ending.price });
  } else if (ending.outcome === 'no_fit') {
    notes.push({ kind: 'no_ending_fits', ending: params.priceEnding, min, max, kept: wanted });
    guardrail ??= 'price_ending';
  }
  notes.push({ kind: 'guardrail', guardrail });
  return { kind: 'change', newPrice: ending.price, reasonCode: ask.reasonCode, guardrail, notes };
}

/**
 * `value` moved to the nearest price with `ending` on the way to base, unless that would reach or
 * pass base (then `value` itself): 2198 above a base of 1999 becomes 2099, 1799.1 below it 1799.
 */
function snapTowardBase(value: number, basePrice: number, ending: PriceEnding | null): number {
  if (ending === null || value === basePrice) return value;
  const snapped = value > basePrice ? previousWithEnding(value, ending) : nextWithEnding(value, ending);
  return (value > basePrice ? snapped > basePrice : snapped < basePrice) ? snapped : value;
}

function inputsOf(situation: Situation, context: DecisionContext): DecisionInputs {
  const { product, coverMinutes, salesPerHour } = situation;
  return {
    price: product.price,
    basePrice: product.basePrice,
    floor: product.floor,
    ceiling: product.ceiling,
    unitCost: product.unitCost ?? null,
    inventory: product.inventory,
    salesPerHour,
    coverMinutes,
    changesToday: context.changesToday,
  };
}

function snapshotOf(situation: Situation, context: DecisionContext): Record<string, number> {
  const { product, evidence, coverMinutes, salesPerHour } = situation;
  const snapshot: Record<string, number> = {
    price: product.price,
    basePrice: product.basePrice,
    floor: product.floor,
    ceiling: product.ceiling,
    inventory: product.inventory,
    changesToday: context.changesToday,
  };
  if (product.unitCost != null) snapshot.unitCost = product.unitCost;
  if (salesPerHour !== null) snapshot.salesPerHour = salesPerHour;
  if (coverMinutes !== null && Number.isFinite(coverMinutes)) snapshot.coverMinutes = coverMinutes;
  if (situation.minutesToRestock !== null) snapshot.minutesToRestock = situation.minutesToRestock;
  if (situation.sellOutChance !== null) snapshot.sellOutChance = situation.sellOutChance;
  return evidence === null ? snapshot : Object.assign(snapshot, evidenceSnapshot(evidence));
}
