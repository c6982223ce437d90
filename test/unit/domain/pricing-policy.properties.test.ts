import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DemandObservation, salesRate, sellOutChance } from '../../../functions/domain/demand-evidence.js';
import type { CategoryParameters } from '../../../functions/domain/pricing-config.js';
import { decide, type PricedProduct } from '../../../functions/domain/pricing-policy.js';
import { toEpochMs, toIso } from '../../../functions/domain/time.js';
import {
  configFor,
  everydayProductArb,
  NOW,
  observationArb,
  observed,
  parametersArb,
  periodArb,
  priceAfter,
  productArb,
  proposedPrice,
  signalsArb,
  withLowerBaseline,
  withMoreNow,
} from './pricing-fixtures.js';

const RUNS = { numRuns: 5_000 };
const context = { decisionId: 'agg:sku-1:2026-11-21T11:59:00.000Z', changesToday: 0 };

/** Open gates most of the time, closed some of the time, so the gated paths are exercised too. */
const gatesArb = fc.record({
  lastChangeAt: fc.oneof(
    { weight: 4, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 7_200 }).map((s) => toIso(toEpochMs(NOW) - s * 1000)) },
  ),
  changesToday: fc.oneof(
    { weight: 4, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 30 }) },
  ),
  shadowMode: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

/** A step bound checked the way it is stated: |new − old| ≤ old × maxStepPct / 100. */
function withinStep(oldPrice: number, newPrice: number, maxStepPct: number): boolean {
  return Math.abs(newPrice - oldPrice) <= (oldPrice * maxStepPct) / 100;
}

describe('pricing policy properties', () => {
  it('never leaves [floor, ceiling], never steps more than maxStepPct, always integer cents', () => {
    let changed = 0;
    let runs = 0;
    fc.assert(
      fc.property(productArb, signalsArb, parametersArb, gatesArb, (product, signals, params, gates) => {
        runs += 1;
        const subject = { ...product, lastChangeAt: gates.lastChangeAt };
        const config = configFor(params, { shadowMode: gates.shadowMode });
        const decision = decide(subject, signals, config, NOW, { ...context, changesToday: gates.changesToday });
        const price = proposedPrice(subject, decision);
        if (price !== product.price) changed += 1;
        expect(Number.isInteger(price)).toBe(true);
        expect(price).toBeGreaterThanOrEqual(product.floor);
        expect(price).toBeLessThanOrEqual(product.ceiling);
        expect(withinStep(product.price, price, params.maxStepPct)).toBe(true);
        if (decision.kind === 'no_change' && decision.reason !== 'shadow_mode') expect(decision.proposed).toBeNull();
      }),
      RUNS,
    );
    // Guard against a vacuous property: plenty of the runs must actually move a price.
    expect(changed / runs).toBeGreaterThan(0.25);
  });

  it('applies the price ending, or shows the window of allowed moves it could not fit in, and names a guardrail', () => {
    let missed = 0;
    fc.assert(
      fc.property(productArb, signalsArb, parametersArb, (product, signals, params) => {
        const decision = decide(product, signals, configFor(params), NOW, context);
        if (decision.kind !== 'change' || params.priceEnding === null) return;
        const { modulus, remainder } = params.priceEnding;
        // The change's own notes: what demand alone asked, when stock won, follows them.
        const [own = ''] = decision.explanation.split(' Demand alone: ');
        const noFit = /No price ending .+? fits in \[(\d+), (\d+)\]; kept (\d+)\./.exec(own);
        if (decision.newPrice % modulus === remainder) {
          expect(noFit).toBeNull();
          return;
        }
        missed += 1;
        expect(decision.guardrail).not.toBeNull();
        expect(noFit, own).not.toBeNull();
        const [min, max, kept] = (noFit as RegExpExecArray).slice(1).map(Number) as [number, number, number];
        expect(kept).toBe(decision.newPrice);
        expect(min <= kept && kept <= max).toBe(true);
        // The window is one the guardrails allow, and truly holds no price with the ending.
        expect(min).toBeGreaterThanOrEqual(product.floor);
        expect(max).toBeLessThanOrEqual(product.ceiling);
        expect(withinStep(product.price, min, params.maxStepPct)).toBe(true);
        expect(withinStep(product.price, max, params.maxStepPct)).toBe(true);
        expect(max - min + 1).toBeLessThan(modulus);
        for (let cents = min; cents <= max; cents++) expect(cents % modulus).not.toBe(remainder);
      }),
      RUNS,
    );
    // Guard against a vacuous property: some changes must have had no ending fit.
    expect(missed).toBeGreaterThan(0);
  });

  it('never lowers a price on stock likely to run short, never raises one on overstock', () => {
    fc.assert(
      fc.property(productArb, signalsArb, parametersArb, (product, signals, params) => {
        const after = priceAfter(product, decide(product, signals, configFor(params), NOW, context));
        const observation = signals.demand;
        if (observation === null) return;
        const horizon = (params.lowStockCoverMinutes * 60) / observation.periodSeconds;
        const salesParams = { minBaselinePeriods: Math.max(params.minBaselinePeriods, params.minSalesPeriods) };
        const chance = sellOutChance(observation, salesParams, product.inventory, horizon);
        if (chance !== null && chance >= params.lowStockHoldConfidence)
          expect(after).toBeGreaterThanOrEqual(product.price);
        const cover = coverMinutes(product, observation, params);
        if (cover !== null && cover > params.overstockCoverDays * 1440 && product.inventory > params.overstockUnits) {
          expect(after).toBeLessThanOrEqual(product.price);
        }
      }),
      RUNS,
    );
  });

  it('never prices below unit cost + minMarginPct, nor lowers a price already under it', () => {
    fc.assert(
      fc.property(productArb, signalsArb, parametersArb, (product, signals, params) => {
        const after = proposedPrice(product, decide(product, signals, configFor(params), NOW, context));
        if (product.unitCost == null || params.minMarginPct === null || after === product.price) return;
        const marginFloor = Math.min(Math.ceil(product.unitCost * (1 + params.minMarginPct / 100)), product.ceiling);
        expect(after).toBeGreaterThanOrEqual(Math.min(marginFloor, product.price));
      }),
      RUNS,
    );
  });

  it('never changes the price of a frozen product', () => {
    const activeFreezeArb = fc.oneof(
      fc.constant(null),
      fc.integer({ min: 1, max: 10 * 24 * 3600 }).map((s) => toIso(toEpochMs(NOW) + s * 1000)),
    );
    fc.assert(
      fc.property(productArb, signalsArb, parametersArb, activeFreezeArb, (product, signals, params, until) => {
        const frozen = { ...product, freeze: { until } };
        const decision = decide(frozen, signals, configFor(params), NOW, context);
        expect(decision).toMatchObject({ kind: 'no_change', reason: 'frozen', proposed: null });
      }),
      { numRuns: 2_000 },
    );
  });

  it('never changes a price with the kill switch on, shadow mode or not', () => {
    fc.assert(
      fc.property(productArb, signalsArb, parametersArb, fc.boolean(), (product, signals, params, shadowMode) => {
        const decision = decide(product, signals, configFor(params, { killSwitch: true, shadowMode }), NOW, context);
        expect(decision).toMatchObject({ kind: 'no_change', reason: 'kill_switch', proposed: null });
      }),
      { numRuns: 2_000 },
    );
  });

  it('never gives a lower price for more views, carts, purchases or units now, all else equal', () => {
    fc.assert(
      fc.property(productArb, observationArb, periodArb, parametersArb, (product, observation, extra, params) => {
        if (observation.periods.length === 0) return;
        const config = configFor(params);
        const low = decide(product, { demand: observation }, config, NOW, context);
        const high = decide(product, { demand: withMoreNow(observation, extra) }, config, NOW, context);
        expect(priceAfter(product, high)).toBeGreaterThanOrEqual(priceAfter(product, low));
      }),
      RUNS,
    );
  });

  it('never gives a lower price against a lower baseline, all else equal', () => {
    fc.assert(
      fc.property(productArb, observationArb, periodArb, parametersArb, (product, observation, fewer, params) => {
        const config = configFor(params);
        const lower = withLowerBaseline(observation, fewer, Math.max(...params.detectionSpans));
        const usual = decide(product, { demand: observation }, config, NOW, context);
        const low = decide(product, { demand: lower }, config, NOW, context);
        expect(priceAfter(product, low)).toBeGreaterThanOrEqual(priceAfter(product, usual));
      }),
      RUNS,
    );
  });

  it('is deterministic: the same inputs give a deep-equal decision', () => {
    fc.assert(
      fc.property(productArb, signalsArb, parametersArb, gatesArb, (product, signals, params, gates) => {
        const config = configFor(params, { shadowMode: gates.shadowMode });
        const first = decide(product, signals, config, NOW, context);
        const again = decide(
          structuredClone(product),
          structuredClone(signals),
          structuredClone(config),
          NOW,
          structuredClone(context),
        );
        expect(again).toEqual(first);
      }),
      { numRuns: 2_000 },
    );
  });

  it('on steady demand, moves toward base without ever passing it', () => {
    fc.assert(
      fc.property(productArb, fc.integer({ min: 1, max: 10_000 }), parametersArb, (product, rate, params) => {
        const steady = observed({ rate, orderShare: 0.05 });
        // No reference: against one, the same counts may well be a change.
        const subject = withNormalStock(
          { ...product, demandReference: null },
          steady.demand as DemandObservation,
          params,
        );
        if (subject === null) return;
        const after = priceAfter(subject, decide(subject, steady, configFor(params), NOW, context));
        expect(after).toBeGreaterThanOrEqual(Math.min(subject.price, subject.basePrice));
        expect(after).toBeLessThanOrEqual(Math.max(subject.price, subject.basePrice));
      }),
      RUNS,
    );
  });

  it('never lets clicks-only evidence lift a price above one step over base', () => {
    const clicksOnlyArb = observationArb.map((observation) =>
      observation.source === 'minutes'
        ? observation
        : { ...observation, periods: observation.periods.map((period) => ({ ...period, units: 0 })) },
    );
    fc.assert(
      fc.property(everydayProductArb, clicksOnlyArb, parametersArb, (product, demand, params) => {
        // Stock rules off: scarcity may lift a price, and that is not click evidence.
        const stockRulesOff = { ...params, lowStockCoverMinutes: 0 };
        const after = priceAfter(product, decide(product, { demand }, configFor(stockRulesOff), NOW, context));
        const oneStepOverBase = product.basePrice + Math.floor((product.basePrice * params.maxStepPct) / 100);
        expect(after).toBeLessThanOrEqual(Math.max(product.price, oneStepOverBase));
      }),
      RUNS,
    );
  });
});

/** Minutes the product's stock lasts at the observation's sales rate; null when no rate is known. */
function coverMinutes(
  product: PricedProduct,
  observation: DemandObservation | null,
  params: CategoryParameters,
): number | null {
  if (observation === null) return null;
  const perPeriod = salesRate(observation, {
    minBaselinePeriods: Math.max(params.minBaselinePeriods, params.minSalesPeriods),
  });
  if (perPeriod === null) return null;
  const perMinute = (perPeriod * 60) / observation.periodSeconds;
  return perMinute > 0 ? product.inventory / perMinute : Number.POSITIVE_INFINITY;
}

/** The product with stock neither scarce nor over, at the observation's sales rate; null if none fits. */
function withNormalStock(
  product: PricedProduct,
  observation: DemandObservation,
  params: CategoryParameters,
): PricedProduct | null {
  const perPeriod = salesRate(observation, {
    minBaselinePeriods: Math.max(params.minBaselinePeriods, params.minSalesPeriods),
  });
  if (perPeriod === null || perPeriod === 0) return null;
  // Four times what the scarcity horizon sells, at least 10 units: short stock is then most unlikely.
  const inventory = Math.max(
    10,
    Math.ceil(((perPeriod * 60) / observation.periodSeconds) * 4 * (params.lowStockCoverMinutes + 1)),
  );
  const subject = { ...product, inventory };
  const horizon = (params.lowStockCoverMinutes * 60) / observation.periodSeconds;
  const salesParams = { minBaselinePeriods: Math.max(params.minBaselinePeriods, params.minSalesPeriods) };
  if ((sellOutChance(observation, salesParams, inventory, horizon) ?? 0) >= params.lowStockHoldConfidence) return null;
  const cover = coverMinutes(subject, observation, params) as number;
  const over = cover > params.overstockCoverDays * 1440 && inventory > params.overstockUnits;
  return over ? null : subject;
}
