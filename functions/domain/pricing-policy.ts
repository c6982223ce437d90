/**
 * The pricing policy: `decide` turns a product, its demand signals and the pricing config into one
 * decision. Pure: no clock, no randomness, no I/O, so the same inputs always give a deep-equal
 * decision, and a replayed trigger re-decides exactly what it decided before.
 *
 * The order of evaluation is the order of precedence:
 *
 * 1. Gates, which end the decision with "no change": kill switch, an active freeze, the cooldown, the
 *    daily cap.
 * 2. Rules, which say where the price should go:
 *    - demand (rich path): the demand index asks `demandResponsePct` % per unit away from 1; asks
 *      smaller than `deadBandPct` are not made;
 *    - surge (fast path): one step up;
 *    - decay: when the demand signal says demand has fallen away (too small a sample), back toward base;
 *    the highest ask wins, so a surge and a demand signal never pull against each other.
 *    Clicks-only evidence (every surge; a window without orders) cannot ask for more than one step
 *    above base, however long it lasts: a bot run moves a price by one step at most.
 * 3. Inventory: low stock never lets the price fall and lifts it toward base + `lowStockPremiumPct`;
 *    overstock never lets it rise and lowers it toward base − `overstockDiscountPct`.
 * 4. Guardrails: the price stays within [floor, ceiling] and within one step of the current price;
 *    then the price ending is applied inside that window, never past a bound, never past the resting
 *    price a decay or inventory move aims for, and never back onto the current price.
 * 5. Shadow mode turns a change into "no change" that carries what the change would have been.
 *
 * Every stage is monotone in demand (max and min with constants, clamps, nearest-ending rounding), so
 * more demand never gives a lower price, all else equal.
 */

import type { DemandSignal, SurgeSignal } from './demand-signals.js';
import { LIMITS } from './limits.js';
import type { Guardrail, NoChangeReason, ReasonCode } from './price-change.js';
import { applyPriceEnding, nextWithEnding, type PriceEnding, previousWithEnding } from './price-endings.js';
import { type CategoryParameters, type PricingConfig, parametersFor } from './pricing-config.js';
import type { Freeze, Product } from './product.js';
import { toEpochMs, toIso } from './time.js';

/** Recorded with every decision, so a price-history row names the rules that produced it. */
export const POLICY_VERSION = 'pricing-v1';

/** What the policy reads of a product. A `Product` is one. */
export type PricedProduct = Pick<
  Product,
  'productId' | 'category' | 'price' | 'basePrice' | 'floor' | 'ceiling' | 'inventory' | 'lastChangeAt'
> & { readonly freeze: Pick<Freeze, 'until'> | null };

/** The demand evidence of one trigger. `null` means this trigger did not measure that signal. */
export interface PricingSignals {
  /** From an aggregate window (rich path). */
  readonly demand: DemandSignal | null;
  /** From per-minute counters (fast path). */
  readonly surge: SurgeSignal | null;
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
  /** Inputs, the rule that fired and the guardrail that bound it, for people. */
  readonly explanation: string;
}

export interface PriceChangeDecision extends DecisionBase, ProposedChange {
  readonly kind: 'change';
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
  const inputs = describeInputs(product, signals, context);
  const base = {
    decisionId: context.decisionId,
    productId: product.productId,
    decidedAt: toIso(nowMs),
    policyVersion: POLICY_VERSION,
    oldPrice: product.price,
    signals: snapshotOf(product, signals, context),
  };
  const noChange = (
    reason: NoChangeReason,
    guardrail: Guardrail | null,
    text: string,
    proposed: ProposedChange | null = null,
  ): NoChangeDecision => ({
    ...base,
    kind: 'no_change',
    reason,
    guardrail,
    proposed,
    explanation: explain([inputs, text, `No change (${reason}).`]),
  });

  // Gates. The kill switch comes first: it is the one ops reaches for when something is wrong.
  if (config.killSwitch) return noChange('kill_switch', null, 'The kill switch is on.');
  if (freezeHolds(product.freeze, nowMs)) {
    const until = product.freeze?.until ?? null;
    return noChange('frozen', null, `Frozen ${until === null ? 'until unfrozen' : `until ${until}`}.`);
  }
  if (product.lastChangeAt !== null) {
    const sinceMs = nowMs - toEpochMs(product.lastChangeAt);
    if (sinceMs < params.cooldownSeconds * 1000) {
      return noChange(
        'cooldown',
        null,
        `Last changed at ${product.lastChangeAt}; the cooldown is ${params.cooldownSeconds} s.`,
      );
    }
  }
  if (context.changesToday >= params.maxChangesPerDay) {
    return noChange('daily_cap', null, `${context.changesToday} changes today; the cap is ${params.maxChangesPerDay}.`);
  }

  const outcome = evaluate(product, signals, params);
  if (outcome.kind === 'hold') return noChange(outcome.reason, outcome.guardrail, outcome.text);
  const proposed: ProposedChange = {
    newPrice: outcome.newPrice,
    reasonCode: outcome.reasonCode,
    guardrail: outcome.guardrail,
  };
  const result = `${product.price} → ${outcome.newPrice} (${outcome.reasonCode}).`;
  if (config.shadowMode)
    return noChange('shadow_mode', null, `${outcome.text} Shadow mode: would set ${result}`, proposed);
  return { ...base, kind: 'change', ...proposed, explanation: explain([inputs, outcome.text, `Price ${result}`]) };
}

/** What a rule asks for, before inventory and guardrails. */
type Ask =
  | { readonly kind: 'hold'; readonly because: 'dead_band' | 'no_signal'; readonly note: string }
  | {
      readonly kind: 'move';
      readonly reasonCode: ReasonCode;
      /** Where the rule wants the price; may be fractional. */
      readonly target: number;
      /** The target is a resting price (base, inventory rest): the price must not be carried past it. */
      readonly rest: boolean;
      /** Clicks-only evidence: the price may not rise above one step over base. */
      readonly clicksOnly: boolean;
      /** The clicks-only cap lowered the target. */
      readonly clickCapped: boolean;
      readonly note: string;
    };
type Move = Extract<Ask, { kind: 'move' }>;

type Outcome =
  | {
      readonly kind: 'hold';
      readonly reason: NoChangeReason;
      readonly guardrail: Guardrail | null;
      readonly text: string;
    }
  | {
      readonly kind: 'change';
      readonly newPrice: number;
      readonly reasonCode: ReasonCode;
      readonly guardrail: Guardrail | null;
      readonly text: string;
    };

function hold(because: 'dead_band' | 'no_signal', note: string): Ask {
  return { kind: 'hold', because, note };
}

function move(
  reasonCode: ReasonCode,
  target: number,
  note: string,
  options: { rest?: boolean; clicksOnly?: boolean } = {},
): Move {
  return {
    kind: 'move',
    reasonCode,
    target,
    rest: options.rest ?? false,
    clicksOnly: options.clicksOnly ?? false,
    clickCapped: false,
    note,
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

/** The largest move, in cents, that one change may make from `price`. */
function stepOf(price: number, params: CategoryParameters): number {
  // Floored, so a step never exceeds maxStepPct, even where the float product rounds up.
  return Math.floor((price * params.maxStepPct) / 100);
}

function evaluate(product: PricedProduct, signals: PricingSignals, params: CategoryParameters): Outcome {
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
      text: `The price lies outside [${floor}, ${ceiling}]: back to the ${bound}, whatever the step. Guardrail: ${bound}.`,
    };
  }
  const step = stepOf(price, params);
  // Prices computed from percentages of base are snapped to the ending (toward base), so a price can
  // land exactly on them instead of stopping one unrounded step short.
  const snap = (value: number) => snapTowardBase(value, basePrice, params.priceEnding);
  // Clicks-only evidence may lift a price at most one step above base: anchored on base rather than
  // on the current price, so repeating the evidence (a long bot run) cannot ratchet the price up.
  const clickCeiling = Math.min(snap(basePrice + stepOf(basePrice, params)), ceiling);
  const notes: string[] = [];

  const capClicks = (ask: Move | null): Move | null => {
    if (ask === null || !ask.clicksOnly || ask.target <= price) return ask;
    const cap = Math.max(price, clickCeiling);
    if (ask.target <= cap) return ask;
    return { ...ask, target: cap, clickCapped: true };
  };
  const demand = demandAsk(signals.demand, price, basePrice, params);
  const surge = capClicks(surgeAsk(signals.surge, price, step, params));
  const demandCapped = demand?.kind === 'move' ? capClicks(demand) : demand;
  const asked = strongest(demandCapped, surge, price) ?? quietAsk(signals.surge, params);
  notes.push(`Rule ${asked.kind === 'move' ? asked.reasonCode : asked.because}: ${asked.note}`);
  if (asked.kind === 'move' && asked.clickCapped) {
    notes.push(`Clicks-only evidence: capped at ${asked.target}, one step above base.`);
  }

  // Inventory is a max (low stock) or a min (overstock) with a constant: it keeps the outcome monotone
  // in demand, and at worst turns a move the wrong way into a hold.
  let winner: Ask = asked;
  const target = () => (winner.kind === 'move' ? winner.target : price);
  if (product.inventory < params.lowStockUnits) {
    const rest = clamp(snap(Math.round(basePrice * (1 + params.lowStockPremiumPct / 100))), floor, ceiling);
    const pull = Math.max(price, rest);
    if (pull > target()) {
      winner = move('low_stock', pull, `low stock (${product.inventory} < ${params.lowStockUnits} units)`, {
        rest: true,
      });
      notes.push(
        pull === price
          ? `Low stock (${product.inventory} < ${params.lowStockUnits} units): the price is not lowered.`
          : `Low stock (${product.inventory} < ${params.lowStockUnits} units): up toward ${rest}.`,
      );
    }
  } else if (product.inventory > params.overstockUnits) {
    const rest = clamp(snap(Math.round(basePrice * (1 - params.overstockDiscountPct / 100))), floor, ceiling);
    const pull = Math.min(price, rest);
    if (pull < target()) {
      winner = move('overstock', pull, `overstock (${product.inventory} > ${params.overstockUnits} units)`, {
        rest: true,
      });
      notes.push(
        pull === price
          ? `Overstock (${product.inventory} > ${params.overstockUnits} units): the price is not raised.`
          : `Overstock (${product.inventory} > ${params.overstockUnits} units): down toward ${rest}.`,
      );
    }
  }

  // Guardrails: bounds and step form one window; the price is clamped into it.
  const lo = clamp(price - step, floor, ceiling);
  const hi = clamp(price + step, floor, ceiling);
  notes.push(`Window [${lo}, ${hi}] (floor ${floor}, ceiling ${ceiling}, step ${step}).`);
  let guardrail: Guardrail | null = winner.kind === 'move' && winner.clickCapped ? 'clicks_only' : null;
  let unrounded = target();
  if (unrounded > hi) {
    unrounded = hi;
    guardrail = price + step >= ceiling ? 'ceiling' : 'max_step';
  } else if (unrounded < lo) {
    unrounded = lo;
    guardrail = price - step <= floor ? 'floor' : 'max_step';
  }
  const wanted = Math.round(unrounded);

  if (wanted === price) {
    if (winner.kind === 'hold') return { kind: 'hold', reason: winner.because, guardrail: null, text: notes.join(' ') };
    const inventoryHold = winner.reasonCode === 'low_stock' || winner.reasonCode === 'overstock';
    const reason: NoChangeReason = guardrail !== null || inventoryHold ? 'blocked' : 'dead_band';
    const tail = guardrail !== null ? ` Guardrail ${guardrail} leaves no room.` : '';
    return { kind: 'hold', reason, guardrail, text: `${notes.join(' ')}${tail}` };
  }
  if (winner.kind === 'hold') throw new Error('unreachable: a hold never moves the price');

  // The ending is applied inside the window, on the side of the move, never onto the current price.
  const up = wanted > price;
  let min = up ? price + 1 : lo;
  let max = up ? hi : price - 1;
  if (up && winner.clicksOnly) max = Math.min(max, Math.max(price, clickCeiling));
  if (winner.rest) {
    if (up) max = Math.min(max, winner.target);
    else min = Math.max(min, winner.target);
  }
  const ending = applyPriceEnding(wanted, params.priceEnding, min, max);
  if (ending.outcome === 'applied' && ending.price !== wanted) {
    notes.push(`Ending ${describeEnding(params.priceEnding)}: ${wanted} → ${ending.price}.`);
  } else if (ending.outcome === 'no_fit') {
    notes.push(`No price ending ${describeEnding(params.priceEnding)} fits in [${min}, ${max}]; kept ${wanted}.`);
    guardrail ??= 'price_ending';
  }
  notes.push(`Guardrail: ${guardrail ?? 'none'}.`);
  return { kind: 'change', newPrice: ending.price, reasonCode: winner.reasonCode, guardrail, text: notes.join(' ') };
}

function demandAsk(
  signal: DemandSignal | null,
  price: number,
  basePrice: number,
  params: CategoryParameters,
): Ask | null {
  if (signal === null) return null;
  if (signal.kind === 'none') {
    if (signal.reason === 'no_baseline') return hold('no_signal', 'no demand baseline yet.');
    const fallen = `${signal.sessions} sessions, under the minimum of ${params.minSessions}: demand has fallen away`;
    if (price === basePrice) return hold('no_signal', `${fallen}, and the price is at base.`);
    // Without evidence, the price returns to the one the merchant chose.
    return move('decay_to_base', basePrice, `${fallen}; back toward base ${basePrice}.`, { rest: true });
  }
  const pct = params.demandResponsePct * (signal.index - 1);
  const asks = `demand index ${signal.index.toFixed(3)} asks ${pct >= 0 ? '+' : ''}${pct.toFixed(2)}% (${params.demandResponsePct}% per unit of index)`;
  if (pct === 0 || Math.abs(pct) < params.deadBandPct) {
    return hold('dead_band', `${asks}, inside the ${params.deadBandPct}% dead band.`);
  }
  return move(pct > 0 ? 'demand_high' : 'demand_low', price * (1 + pct / 100), `${asks}.`, {
    clicksOnly: signal.clicksOnly,
  });
}

function surgeAsk(signal: SurgeSignal | null, price: number, step: number, params: CategoryParameters): Move | null {
  if (signal === null || signal.kind === 'none' || !signal.surging) return null;
  // A surge is click evidence only (the fast path does not see orders): one step, clicks-only.
  return move(
    'demand_surge',
    price + step,
    `velocity ${signal.velocity.toFixed(1)} is ${signal.ratio.toFixed(2)}× the baseline (surge at ${params.surgeRatio}×): one step up.`,
    { clicksOnly: true },
  );
}

/** The ask with the highest target; on a tie the demand ask, whose evidence includes orders. */
function strongest(demand: Ask | null, surge: Move | null, price: number): Ask | null {
  if (demand === null || surge === null) return demand ?? surge;
  const demandTarget = demand.kind === 'move' ? demand.target : price;
  return surge.target > demandTarget ? surge : demand;
}

/** The ask when no rule asked anything: hold, saying whether a surge was measured. */
function quietAsk(surge: SurgeSignal | null, params: CategoryParameters): Ask {
  if (surge?.kind === 'measured') {
    return hold('dead_band', `surge ratio ${surge.ratio.toFixed(2)} is under ${params.surgeRatio}×.`);
  }
  return hold('no_signal', 'no demand signal.');
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

function describeEnding(ending: PriceEnding | null): string {
  if (ending === null) return 'none';
  return `${ending.remainder} mod ${ending.modulus}`;
}

function describeInputs(product: PricedProduct, signals: PricingSignals, context: DecisionContext): string {
  const { demand, surge } = signals;
  const demandText =
    demand === null
      ? 'demand not measured'
      : demand.kind === 'none'
        ? `no demand signal (${demand.reason}, ${demand.sessions} sessions)`
        : `demand index ${demand.index.toFixed(3)} (clicks ${demand.clickIndex.toFixed(3)}, orders ${demand.orderIndex.toFixed(3)}, ${demand.sessions} sessions${demand.clicksOnly ? ', clicks only' : ''})`;
  const surgeText =
    surge === null
      ? 'surge not measured'
      : surge.kind === 'none'
        ? `no surge signal (${surge.reason}, ${surge.events} events)`
        : `surge ratio ${surge.ratio.toFixed(2)} (${surge.events} events)`;
  return (
    `Inputs: price ${product.price}, base ${product.basePrice}, bounds [${product.floor}, ${product.ceiling}], ` +
    `inventory ${product.inventory}, changes today ${context.changesToday}; ${demandText}; ${surgeText}.`
  );
}

function snapshotOf(product: PricedProduct, signals: PricingSignals, context: DecisionContext): Record<string, number> {
  const snapshot: Record<string, number> = {
    price: product.price,
    basePrice: product.basePrice,
    floor: product.floor,
    ceiling: product.ceiling,
    inventory: product.inventory,
    changesToday: context.changesToday,
  };
  const { demand, surge } = signals;
  if (demand !== null) {
    snapshot.demandSessions = demand.sessions;
    if (demand.kind === 'index') {
      snapshot.demandIndex = demand.index;
      snapshot.demandClickIndex = demand.clickIndex;
      snapshot.demandOrderIndex = demand.orderIndex;
      snapshot.demandClicksOnly = demand.clicksOnly ? 1 : 0;
    }
  }
  if (surge !== null) {
    snapshot.surgeEvents = surge.events;
    if (surge.kind === 'measured') {
      snapshot.surgeRatio = surge.ratio;
      snapshot.surgeVelocity = surge.velocity;
      snapshot.surgeBaselineVelocity = surge.baselineVelocity;
    }
  }
  return snapshot;
}

function explain(parts: readonly string[]): string {
  const text = parts.join(' ');
  return text.length <= LIMITS.explanationLength ? text : `${text.slice(0, LIMITS.explanationLength - 1)}…`;
}
