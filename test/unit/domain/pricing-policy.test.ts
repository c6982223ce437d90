import { describe, expect, it } from 'vitest';
import { priceChangeSchema } from '../../../functions/domain/price-change.js';
import { changeRowOf } from '../../../functions/domain/price-history.js';
import {
  decide,
  POLICY_VERSION,
  type PriceDecision,
  type PricedProduct,
  type PricingSignals,
} from '../../../functions/domain/pricing-policy.js';
import { toEpochMs, toIso } from '../../../functions/domain/time.js';
import { aConfig, aProduct, DEFAULTS, NOW, observed, STEADY } from './pricing-fixtures.js';

const config = aConfig();
const context = { decisionId: 'agg:sku-1:2026-11-21T11:59:00.000Z', changesToday: 0 };
const minutesAfter = (minutes: number, from = NOW) => toIso(toEpochMs(from) + minutes * 60_000);
/** A busy product's windows (10,000 views a period, 1% bought) whose last 10 are `factor` times that. */
const windows = (factor: number) => observed({ rate: 10_000, factor });
/** The same as the fast path reads it: minutes, the last one half gone, clicks only. */
const surge = observed({ rate: 10_000, factor: 10, recentPeriods: 2, source: 'minutes', lastPeriodFraction: 0.5 });

function decideFor(product: PricedProduct, signals: PricingSignals, options: Partial<typeof context> = {}) {
  return decide(product, signals, config, NOW, { ...context, ...options });
}

function expectChange(decision: PriceDecision) {
  if (decision.kind !== 'change') throw new Error(`expected a change, got ${decision.reason}: ${decision.explanation}`);
  return decision;
}

describe('decide: demand', () => {
  // The product: 19.99 at base, bounds [14.99, 29.99], 10% step (199 cents), .99 endings.
  it('raises on a significant rise confirmed by orders, to the nearest .99 ending', () => {
    // Ratio 1.3 asks +6% → 2118.94 → 2119 → 2099.
    expect(decideFor(aProduct(), windows(1.3))).toMatchObject({
      kind: 'change',
      oldPrice: 1999,
      newPrice: 2099,
      reasonCode: 'demand_high',
      guardrail: null,
      policyVersion: POLICY_VERSION,
      decisionId: context.decisionId,
    });
  });

  it('raises at most one step, and names max_step as the guardrail that bound it', () => {
    const decision = expectChange(decideFor(aProduct(), windows(3)));
    expect(decision).toMatchObject({ newPrice: 2099, reasonCode: 'demand_high', guardrail: 'max_step' });
  });

  it('lowers on a significant fall', () => {
    // Ratio 0.6 asks −8% → 1839 → the only .99 ending in [1800, 1998] is 1899.
    expect(decideFor(aProduct(), windows(0.6))).toMatchObject({
      kind: 'change',
      newPrice: 1899,
      reasonCode: 'demand_low',
    });
  });

  it('leaves the price alone when a significant change asks less than the dead band', () => {
    // Ratio 1.05 asks +1%, under the 2% dead band, though 105,000 views against 100,000 is far from chance.
    expect(decideFor(aProduct(), windows(1.05))).toMatchObject({ kind: 'no_change', reason: 'dead_band' });
  });

  it('does not read noise as demand: a rise within chance moves nothing', () => {
    // A product seen 5 times a period, 7 a period lately: 70 against about 50 expected is not rare.
    const decision = decideFor(aProduct({ inventory: 500 }), observed({ rate: 5, factor: 1.4, orderShare: 0 }));
    expect(decision).toMatchObject({ kind: 'no_change', reason: 'no_signal' });
    expect(decision.signals.demandDirection).toBe(0);
  });

  it('stops at the ceiling, and says the ceiling blocked it', () => {
    expect(decideFor(aProduct({ price: 2999 }), windows(2))).toMatchObject({
      kind: 'no_change',
      reason: 'blocked',
      guardrail: 'ceiling',
    });
  });

  it('moves one step on a fast-path surge, as clicks-only evidence', () => {
    expect(decideFor(aProduct(), surge)).toMatchObject({
      kind: 'change',
      newPrice: 2099,
      reasonCode: 'demand_surge',
    });
  });

  it('leaves the price where it is on a fast-path trigger without a rise: the rich path brings prices back', () => {
    const steadyMinutes = observed({ rate: 10_000, source: 'minutes', lastPeriodFraction: 0.5 });
    expect(decideFor(aProduct({ price: 2499 }), steadyMinutes)).toMatchObject({
      kind: 'no_change',
      reason: 'no_signal',
    });
    expect(decideFor(aProduct({ price: 2499 }), { demand: null })).toMatchObject({
      kind: 'no_change',
      reason: 'no_signal',
    });
  });

  it('uses the parameters of the product category', () => {
    const garden = decide(
      aProduct({ category: 'garden' }),
      windows(3),
      { ...aConfig(), categories: { garden: { maxStepPct: 5, priceEnding: null } } },
      NOW,
      context,
    );
    // 5% of 1999 is 99.95: at most 99 cents, and no ending.
    expect(garden).toMatchObject({ kind: 'change', newPrice: 2098, guardrail: 'max_step' });
  });
});

describe('decide: cold start', () => {
  it('makes no demand-driven change until the product has its baseline', () => {
    // Three periods of history (the first dropped), then a tenfold burst: no baseline to judge it by.
    const fresh = observed({ rate: 10_000, factor: 10, history: 3, recentPeriods: 2 });
    const decision = decideFor(aProduct(), fresh);
    expect(decision).toMatchObject({ kind: 'no_change', reason: 'warming_up' });
    expect(decision.explanation).toContain('warming up');
    expect(decision.signals).toMatchObject({ warmingUp: 1, historyPeriods: 3, neededPeriods: 10, periodSeconds: 60 });
  });

  it('makes no stock move either, until a sales rate is known', () => {
    const fresh = observed({ rate: 10_000, history: 3, recentPeriods: 2 });
    expect(decideFor(aProduct({ inventory: 3 }), fresh)).toMatchObject({ kind: 'no_change', reason: 'warming_up' });
  });

  it('judges a new product by its category prior when ops give one', () => {
    const prior = {
      viewsPerPeriod: 10_000,
      cartsPerPeriod: 1_000,
      purchasesPerPeriod: 100,
      unitsPerPeriod: 100,
      weightPeriods: 30,
    };
    const withPrior = aConfig({ defaults: { demandPrior: prior } });
    const fresh = observed({ rate: 10_000, factor: 10, history: 3, recentPeriods: 2 });
    expect(decide(aProduct(), fresh, withPrior, NOW, context)).toMatchObject({
      kind: 'change',
      reasonCode: 'demand_high',
    });
  });
});

describe('decide: clicks alone', () => {
  /** Views and carts tenfold, purchases as usual: a bot run. */
  const botWindows = (source: 'minutes' | 'windows') =>
    observed({ rate: 10_000, factor: 10, orderShare: 0.01, source }).demand;
  const withUsualOrders = (signals: PricingSignals): PricingSignals => {
    const demand = signals.demand;
    if (demand === null) return signals;
    const usual = demand.periods[0];
    return {
      demand: {
        ...demand,
        periods: demand.periods.map((p) => ({ ...p, purchases: usual?.purchases ?? 0, units: usual?.units ?? 0 })),
      },
    };
  };

  it('cannot move a price more than one step, however long the attack runs', () => {
    let product: PricedProduct = aProduct();
    let changes = 0;
    // A day of bot traffic: a decision every 11 minutes (past the cooldown), from both paths in turn.
    for (let i = 1; i <= 130; i++) {
      const now = minutesAfter(11 * i);
      const signals = withUsualOrders({ demand: botWindows(i % 2 === 0 ? 'windows' : 'minutes') });
      const decision = decide(product, signals, config, now, { decisionId: `bot-${i}`, changesToday: changes });
      if (decision.kind === 'change') {
        changes += 1;
        const reference = decision.reference.kind === 'set' ? decision.reference.reference : product.demandReference;
        product = { ...product, price: decision.newPrice, lastChangeAt: now, demandReference: reference ?? null };
      }
    }
    expect(changes).toBe(1);
    expect(product.price).toBe(2099);
  });

  it('names clicks_only as the guardrail that held the price', () => {
    const decision = decideFor(aProduct({ price: 2099 }), surge);
    expect(decision).toMatchObject({ kind: 'no_change', reason: 'blocked', guardrail: 'clicks_only' });
  });

  it('does not let the price ending carry a clicks-only raise past one step over base', () => {
    // Endings at …990, 1140, 1290: none lies within one step (100) over a base of 1000.
    const oddEndings = aConfig({ defaults: { priceEnding: { modulus: 150, remainder: 90 } } });
    const product = aProduct({ basePrice: 1000, price: 1090, floor: 900, ceiling: 2000 });
    const decision = decide(product, surge, oddEndings, NOW, context);
    expect(decision).toMatchObject({ kind: 'change', newPrice: 1100, guardrail: 'clicks_only' });
  });

  it('lets orders take the price further than clicks could', () => {
    const decision = decideFor(aProduct({ price: 2099 }), windows(2));
    expect(decision).toMatchObject({ kind: 'change', newPrice: 2299, reasonCode: 'demand_high' });
    expect(decision.signals.ordersConfirm).toBe(1);
  });
});

describe('decide: back toward base', () => {
  it('moves toward base on steady demand and never past it, from above and from below', () => {
    for (const start of [2899, 2299, 1599]) {
      let price = start;
      const path = [price];
      for (let i = 0; i < 10 && price !== 1999; i++) {
        const decision = decideFor(aProduct({ price }), STEADY);
        const next = expectChange(decision).newPrice;
        expect(decision).toMatchObject({ reasonCode: 'decay_to_base' });
        expect(Math.abs(next - 1999)).toBeLessThan(Math.abs(price - 1999));
        expect(Math.sign(next - 1999)).not.toBe(-Math.sign(start - 1999));
        price = next;
        path.push(price);
      }
      expect(price, `path ${path.join(' → ')}`).toBe(1999);
    }
  });

  it('lands exactly on a base price without the ending, reporting that the ending gave way', () => {
    const decision = decideFor(aProduct({ price: 2099, basePrice: 2000 }), STEADY);
    expect(decision).toMatchObject({ kind: 'change', newPrice: 2000, guardrail: 'price_ending' });
  });

  it('does nothing at base on steady demand', () => {
    expect(decideFor(aProduct(), STEADY)).toMatchObject({ kind: 'no_change', reason: 'no_signal' });
  });
});

describe('decide: the reference of a demand move', () => {
  it('keeps the baseline a rise was read against, through the return to base', () => {
    const rise = expectChange(decideFor(aProduct(), windows(2)));
    expect(rise.reference).toEqual({
      kind: 'set',
      reference: {
        periods: 60,
        periodSeconds: 60,
        views: 600_000,
        carts: 60_000,
        purchases: 6_000,
        units: 6_000,
        since: NOW,
      },
    });
    const reference = rise.reference.kind === 'set' ? rise.reference.reference : null;
    const raised = aProduct({ price: rise.newPrice, demandReference: reference });

    // Two hours on, the rolling baseline has filled with the higher demand; against the reference it
    // is still a doubling, so the price is not brought back.
    const stillHigh = observed({ rate: 20_000 });
    const later = decide(raised, stillHigh, config, minutesAfter(120), context);
    expect(later).toMatchObject({ kind: 'change', reasonCode: 'demand_high' });
    expect(later.signals.againstReference).toBe(1);
    expect(decide(aProduct({ price: rise.newPrice }), stillHigh, config, minutesAfter(120), context)).toMatchObject({
      reasonCode: 'decay_to_base',
    });

    // Demand back at its old level: back toward base, the reference kept.
    const back = expectChange(decide(raised, STEADY, config, minutesAfter(120), context));
    expect(back).toMatchObject({ reasonCode: 'decay_to_base', newPrice: 1999, reference: { kind: 'keep' } });

    // At base, after two hours of doubled demand just ended: the rolling baseline is the doubled
    // demand, and against it usual demand looks like a fall; against the reference it is usual.
    const afterShift = observed({ rate: 20_000, factor: 0.5 });
    const atBase = aProduct({ demandReference: reference });
    expect(decide(atBase, afterShift, config, minutesAfter(130), context)).toMatchObject({
      kind: 'no_change',
      reason: 'no_signal',
    });
    expect(decide(aProduct(), afterShift, config, minutesAfter(130), context)).toMatchObject({
      reasonCode: 'demand_low',
    });
  });

  it('lets a reference lapse after referenceMaxMinutes', () => {
    const old = {
      periods: 60,
      periodSeconds: 60,
      views: 60,
      carts: 6,
      purchases: 1,
      units: 1,
      since: minutesAfter(-361),
    };
    const decision = decideFor(aProduct({ price: 2099, demandReference: old }), STEADY);
    expect(decision).toMatchObject({ kind: 'change', reasonCode: 'decay_to_base', reference: { kind: 'clear' } });
    expect(decision.signals.againstReference).toBe(0);
  });
});

describe('decide: inventory', () => {
  // The examples sell 100 units a period: 30 in stock last 18 seconds, 50,000 at 1 a period 35 days.
  it('raises toward base + 25% on scarce stock, 5% at a time, even with usual demand', () => {
    expect(decideFor(aProduct({ inventory: 30 }), STEADY)).toMatchObject({
      kind: 'change',
      newPrice: 2099,
      reasonCode: 'low_stock',
    });
  });

  it('raises on scarce stock even as demand falls', () => {
    expect(decideFor(aProduct({ inventory: 30 }), windows(0.4))).toMatchObject({
      kind: 'change',
      newPrice: 2099,
      reasonCode: 'low_stock',
    });
  });

  it('never lowers on scarce stock', () => {
    expect(decideFor(aProduct({ inventory: 30, price: 2599 }), windows(0.4))).toMatchObject({
      kind: 'no_change',
      reason: 'blocked',
      guardrail: null,
    });
  });

  it('lowers toward base − 10% on overstock, 5% at a time', () => {
    const slowSeller = observed({ rate: 10_000, unitsPerPeriod: 1 });
    const first = expectChange(decideFor(aProduct({ inventory: 50_000 }), slowSeller));
    expect(first).toMatchObject({ newPrice: 1899, reasonCode: 'overstock' });
    const second = decideFor(aProduct({ inventory: 50_000, price: 1899 }), slowSeller);
    expect(second).toMatchObject({ kind: 'change', newPrice: 1799, reasonCode: 'overstock' });
  });

  it('never raises on overstock, not even on a rise', () => {
    const risingSlowSeller = observed({ rate: 10_000, factor: 2, unitsPerPeriod: 1 });
    expect(decideFor(aProduct({ inventory: 50_000, price: 1799 }), risingSlowSeller)).toMatchObject({
      kind: 'no_change',
      reason: 'blocked',
    });
  });
});

describe('decide: margin floor', () => {
  it('never prices below unit cost + minMarginPct, and names the guardrail', () => {
    // Cost 19.00 + 10% = 20.90: a steep fall from 22.99 stops at 20.99, not at the step.
    const costly = aProduct({ price: 2299, unitCost: 1900 });
    expect(decideFor(costly, windows(0.3))).toMatchObject({
      kind: 'change',
      newPrice: 2099,
      reasonCode: 'demand_low',
      guardrail: 'margin_floor',
    });
    expect(decideFor(aProduct({ price: 2090, unitCost: 1900 }), windows(0.3))).toMatchObject({
      kind: 'no_change',
      reason: 'blocked',
      guardrail: 'margin_floor',
    });
  });

  it('goes below it when ops turn the margin floor off', () => {
    const noMarginFloor = aConfig({ defaults: { minMarginPct: null } });
    const decision = decide(aProduct({ price: 2299, unitCost: 1900 }), windows(0.3), noMarginFloor, NOW, context);
    expect(decision).toMatchObject({ kind: 'change', newPrice: 2099, guardrail: 'max_step' });
  });

  it('leaves a price ops set under the margin floor where it is, only lower it does not', () => {
    const underCost = aProduct({ unitCost: 2000 });
    expect(decideFor(underCost, windows(0.3))).toMatchObject({ kind: 'no_change', guardrail: 'margin_floor' });
    expect(decideFor(underCost, STEADY)).toMatchObject({ kind: 'no_change', reason: 'no_signal' });
  });
});

describe('decide: gates', () => {
  const highDemand = windows(1.5);

  it('never changes a frozen product', () => {
    const forever = { reason: 'launch', actor: 'ops', frozenAt: NOW, until: null };
    expect(decideFor(aProduct({ freeze: forever }), highDemand)).toMatchObject({ kind: 'no_change', reason: 'frozen' });
    const untilTonight = { ...forever, until: minutesAfter(60) };
    expect(decideFor(aProduct({ freeze: untilTonight }), highDemand)).toMatchObject({ reason: 'frozen' });
  });

  it('prices a product again once its freeze has expired', () => {
    const expired = { reason: 'launch', actor: 'ops', frozenAt: minutesAfter(-120), until: minutesAfter(-1) };
    expect(decideFor(aProduct({ freeze: expired }), highDemand)).toMatchObject({ kind: 'change' });
    const endsNow = { ...expired, until: NOW };
    expect(decideFor(aProduct({ freeze: endsNow }), highDemand)).toMatchObject({ kind: 'change' });
  });

  it('holds a second change inside the cooldown, and allows it once the cooldown has passed', () => {
    const justChanged = aProduct({ lastChangeAt: minutesAfter(-9) });
    expect(decideFor(justChanged, highDemand)).toMatchObject({ kind: 'no_change', reason: 'cooldown' });
    const cooledDown = aProduct({ lastChangeAt: minutesAfter(-DEFAULTS.cooldownSeconds / 60) });
    expect(decideFor(cooledDown, highDemand)).toMatchObject({ kind: 'change' });
  });

  it('stops the N+1th change of the day at the daily cap', () => {
    const cap = DEFAULTS.maxChangesPerDay;
    expect(decideFor(aProduct(), highDemand, { changesToday: cap - 1 })).toMatchObject({ kind: 'change' });
    expect(decideFor(aProduct(), highDemand, { changesToday: cap })).toMatchObject({
      kind: 'no_change',
      reason: 'daily_cap',
    });
  });

  it('changes nothing with the kill switch on', () => {
    const decision = decide(aProduct(), highDemand, aConfig({ killSwitch: true, shadowMode: true }), NOW, context);
    expect(decision).toMatchObject({ kind: 'no_change', reason: 'kill_switch', proposed: null });
  });

  it('in shadow mode, changes nothing but records what it would have done', () => {
    const live = expectChange(decideFor(aProduct(), highDemand));
    const shadow = decide(aProduct(), highDemand, aConfig({ shadowMode: true }), NOW, context);
    expect(shadow).toMatchObject({
      kind: 'no_change',
      reason: 'shadow_mode',
      proposed: { newPrice: live.newPrice, reasonCode: live.reasonCode, guardrail: live.guardrail },
    });
    expect(shadow.explanation).toContain(`would set 1999 → ${live.newPrice}`);
  });
});

describe('decide: the decision record', () => {
  it('explains the evidence (counts, baseline, statistic, threshold), the rule and the guardrail', () => {
    const decision = decideFor(aProduct(), windows(1.5));
    expect(decision.explanation).toMatch(
      /Evidence \(rich-path windows, against the rolling baseline\): views \d+ in the last \d+ periods?, [\d.]+ expected from \d+ in \d+ periods of baseline: P\(≥ \d+\) [=<] [\d.e-]+; threshold 6\.2e-8 = false-alarm level 1\.0e-6 over 16 tests: demand up ×1\.50 over the last \d+ periods?, confirmed by orders\./,
    );
    expect(decision.explanation).toContain('Rule demand_high');
    expect(decision.explanation).toContain('Guardrail: max_step');
    expect(decision.explanation).toContain('Price 1999 → 2099');
  });

  it('carries everything a price-history row needs, the evidence among its signals', () => {
    const decision = expectChange(decideFor(aProduct({ unitCost: 1200 }), windows(1.5)));
    const row = priceChangeSchema.safeParse(
      changeRowOf({
        ...decision,
        changedAt: decision.decidedAt,
        action: 'price',
        source: 'rich-path',
        actor: 'pricing-policy',
        version: 2,
      }),
    );
    expect(row.error).toBeUndefined();
    expect(decision.signals).toMatchObject({
      price: 1999,
      inventory: 100_000,
      unitCost: 1200,
      demandDirection: 1,
      ordersConfirm: 1,
      threshold: 1e-6 / 16,
      baselinePeriods: 60,
      viewsUpExpected: expect.any(Number),
    });
    expect(decision.signals.demandRatio).toBeCloseTo(1.5, 2);
    expect(decision.signals.viewsUpPValue).toBeLessThan(decision.signals.threshold as number);
    // 100 units a period, 150 in the last ten; the first period is left out (it may be partial).
    expect(decision.signals.salesPerHour).toBeCloseTo(((69 * 100 + 10 * 150) / 79) * 60, 6);
  });

  it('records a p-value too small for DynamoDB (under 1e-100) as 0', () => {
    const decision = expectChange(decideFor(aProduct(), windows(3)));
    expect(decision.signals.viewsUpPValue).toBeLessThan(1e-100);
    const row = changeRowOf({
      ...decision,
      changedAt: decision.decidedAt,
      action: 'price',
      source: 'rich-path',
      actor: 'pricing-policy',
      version: 2,
    });
    expect(row.signals.viewsUpPValue).toBe(0);
    expect(row.signals.demandRatio).toBe(decision.signals.demandRatio);
  });

  it('brings a price outside its bounds back to the nearest bound, bounds before step', () => {
    const narrowed = aProduct({ price: 3999, ceiling: 2999 });
    expect(decideFor(narrowed, STEADY)).toMatchObject({
      kind: 'change',
      newPrice: 2999,
      reasonCode: 'bounds_change',
      guardrail: 'ceiling',
    });
  });

  it('refuses a decisionId that could forge a history key', () => {
    expect(() => decideFor(aProduct(), windows(1.5), { decisionId: 'a#b' })).toThrow(RangeError);
  });
});

describe('decide: scarcity against the next delivery', () => {
  // STEADY sells 100 units a minute: 9,000 in stock last 90 minutes, give or take very little.
  const inMinutes = (minutes: number) => minutesAfter(minutes);
  /** One unit a minute, seen over 79 minutes: 60 minutes sell 60 ± 8. */
  const slowSeller = observed({ rate: 10_000, unitsPerPeriod: 1 });

  it('rations stock that will sell out before its next delivery, whatever the fixed line says', () => {
    const decision = decideFor(aProduct({ inventory: 9_000, restockAt: inMinutes(120) }), STEADY);
    expect(decision).toMatchObject({ kind: 'change', reasonCode: 'low_stock', newPrice: 2099 });
    expect(decision.signals).toMatchObject({ minutesToRestock: 120, sellOutChance: 1 });
  });

  it('leaves stock alone that lasts until its delivery, and brings its price back to base', () => {
    expect(decideFor(aProduct({ inventory: 9_000, restockAt: inMinutes(30) }), STEADY)).toMatchObject({
      kind: 'no_change',
      reason: 'no_signal',
    });
    expect(decideFor(aProduct({ price: 2299, inventory: 9_000, restockAt: inMinutes(30) }), STEADY)).toMatchObject({
      kind: 'change',
      reasonCode: 'decay_to_base',
    });
  });

  it('rations only when nine chances in ten the stock sells out first, judging the rate by how much it has seen', () => {
    // 40 units against 60 ± 8 expected: 98% likely to sell out. 50: 85%, not sure enough.
    expect(decideFor(aProduct({ inventory: 40, restockAt: inMinutes(60) }), slowSeller)).toMatchObject({
      reasonCode: 'low_stock',
    });
    expect(decideFor(aProduct({ inventory: 50, restockAt: inMinutes(60) }), slowSeller)).toMatchObject({
      kind: 'no_change',
    });
  });

  it('holds a rationed price until selling out first is unlikely: no back and forth', () => {
    // 65 units: 32% likely to sell out first. Not enough to raise, too much to come down.
    const rationed = aProduct({ price: 2299, inventory: 65, restockAt: inMinutes(60) });
    expect(decideFor(rationed, slowSeller)).toMatchObject({ kind: 'no_change', reason: 'blocked' });
    // 80 units: 3.5%. Back toward base.
    expect(decideFor({ ...rationed, inventory: 80 }, slowSeller)).toMatchObject({ reasonCode: 'decay_to_base' });
  });
});
