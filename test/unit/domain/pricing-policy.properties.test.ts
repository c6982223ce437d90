import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DemandSignal, demandIndex } from '../../../functions/domain/demand-signals.js';
import { decide, type PricedProduct, type PricingSignals } from '../../../functions/domain/pricing-policy.js';
import { toEpochMs, toIso } from '../../../functions/domain/time.js';
import {
  configFor,
  demandIndexSignalArb,
  everydayProductArb,
  NOW,
  parametersArb,
  priceAfter,
  productArb,
  proposedPrice,
  signalsArb,
  surgeSignalArb,
  windowArb,
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

  it('applies the price ending, or reports the guardrail that kept it from fitting', () => {
    fc.assert(
      fc.property(productArb, signalsArb, parametersArb, (product, signals, params) => {
        const decision = decide(product, signals, configFor(params), NOW, context);
        if (decision.kind !== 'change' || params.priceEnding === null) return;
        const { modulus, remainder } = params.priceEnding;
        if (decision.newPrice % modulus !== remainder) expect(decision.guardrail).not.toBeNull();
      }),
      RUNS,
    );
  });

  it('never lowers a price on low stock, never raises one on overstock', () => {
    fc.assert(
      fc.property(productArb, signalsArb, parametersArb, (product, signals, params) => {
        const after = priceAfter(product, decide(product, signals, configFor(params), NOW, context));
        if (product.inventory < params.lowStockUnits) expect(after).toBeGreaterThanOrEqual(product.price);
        if (product.inventory > params.overstockUnits) expect(after).toBeLessThanOrEqual(product.price);
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

  it('never gives a lower price for a higher demand index, all else equal', () => {
    fc.assert(
      fc.property(
        productArb,
        demandIndexSignalArb,
        demandIndexSignalArb,
        surgeSignalArb,
        parametersArb,
        (product, a, b, surge, params) => {
          if (a.kind !== 'index' || b.kind !== 'index') return;
          // Order the two: `more` has the higher index, and is clicks-only only if `less` is too.
          const less: DemandSignal = {
            ...a,
            index: Math.min(a.index, b.index),
            clicksOnly: a.clicksOnly || b.clicksOnly,
          };
          const more: DemandSignal = {
            ...b,
            index: Math.max(a.index, b.index),
            clicksOnly: a.clicksOnly && b.clicksOnly,
          };
          const config = configFor(params);
          const low = decide(product, { demand: less, surge }, config, NOW, context);
          const high = decide(product, { demand: more, surge }, config, NOW, context);
          expect(priceAfter(product, high)).toBeGreaterThanOrEqual(priceAfter(product, low));
        },
      ),
      RUNS,
    );
  });

  it('never gives a lower price for more views, carts, purchases or units in the window, all else equal', () => {
    const sampledWindowArb = windowArb.map((w) => ({ ...w, sessions: w.sessions + 10 }));
    fc.assert(
      fc.property(
        productArb,
        sampledWindowArb,
        windowArb,
        windowArb,
        parametersArb,
        (product, window, extra, baseline, params) => {
          const more = {
            ...window,
            views: window.views + extra.views,
            carts: window.carts + extra.carts,
            purchases: window.purchases + extra.purchases,
            units: window.units + extra.units,
          };
          const against = { ...baseline, periods: 10 };
          const config = configFor(params);
          const signalsOf = (w: typeof window): PricingSignals => ({
            demand: demandIndex(w, against, params),
            surge: null,
          });
          const low = decide(product, signalsOf(window), config, NOW, context);
          const high = decide(product, signalsOf(more), config, NOW, context);
          expect(priceAfter(product, high)).toBeGreaterThanOrEqual(priceAfter(product, low));
        },
      ),
      RUNS,
    );
  });

  it('never gives a lower price with a surge than without, all else equal', () => {
    fc.assert(
      fc.property(productArb, signalsArb, parametersArb, (product, signals, params) => {
        const config = configFor(params);
        const surging = { kind: 'measured', ratio: 9, velocity: 450, baselineVelocity: 50, events: 300, surging: true };
        const quiet = { ...surging, ratio: 1, velocity: 50, surging: false };
        const without = decide(product, { ...signals, surge: { ...quiet, kind: 'measured' } }, config, NOW, context);
        const withSurge = decide(
          product,
          { ...signals, surge: { ...surging, kind: 'measured' } },
          config,
          NOW,
          context,
        );
        expect(priceAfter(product, withSurge)).toBeGreaterThanOrEqual(priceAfter(product, without));
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

  it('decays toward base without ever passing it', () => {
    const fallenAway: PricingSignals = {
      demand: { kind: 'none', reason: 'insufficient_sample', sessions: 2 },
      surge: null,
    };
    const normalStock = (p: PricedProduct, lowStockUnits: number, overstockUnits: number) => ({
      ...p,
      inventory: Math.max(lowStockUnits, Math.min(p.inventory, overstockUnits)),
    });
    fc.assert(
      fc.property(productArb, parametersArb, (product, params) => {
        const subject = normalStock(product, params.lowStockUnits, params.overstockUnits);
        const after = priceAfter(subject, decide(subject, fallenAway, configFor(params), NOW, context));
        expect(after).toBeGreaterThanOrEqual(Math.min(subject.price, subject.basePrice));
        expect(after).toBeLessThanOrEqual(Math.max(subject.price, subject.basePrice));
      }),
      RUNS,
    );
  });

  it('never lets clicks-only evidence lift a price above one step over base', () => {
    const clicksOnlyArb = fc.oneof(
      demandIndexSignalArb.map((s) => (s.kind === 'index' ? { ...s, clicksOnly: true } : s)),
      fc.constant(null),
    );
    fc.assert(
      fc.property(
        everydayProductArb,
        clicksOnlyArb,
        surgeSignalArb,
        parametersArb,
        (product, demand, surge, params) => {
          const subject = { ...product, inventory: params.lowStockUnits };
          const after = priceAfter(subject, decide(subject, { demand, surge }, configFor(params), NOW, context));
          const oneStepOverBase = subject.basePrice + Math.floor((subject.basePrice * params.maxStepPct) / 100);
          expect(after).toBeLessThanOrEqual(Math.max(subject.price, oneStepOverBase));
        },
      ),
      RUNS,
    );
  });
});
