import { describe, expect, it } from 'vitest';
import { demandIndex } from '../../../functions/domain/demand-signals.js';
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
import { aConfig, aProduct, DEFAULTS, demandOnly, indexSignal, NOW, SURGING } from './pricing-fixtures.js';

const config = aConfig();
const context = { decisionId: 'agg:sku-1:2026-11-21T11:59:00.000Z', changesToday: 0 };
const fallenAway: PricingSignals = demandOnly({ kind: 'none', reason: 'insufficient_sample', sessions: 3 });
const minutesAfter = (minutes: number, from = NOW) => toIso(toEpochMs(from) + minutes * 60_000);

function decideFor(product: PricedProduct, signals: PricingSignals, options: Partial<typeof context> = {}) {
  return decide(product, signals, config, NOW, { ...context, ...options });
}

function expectChange(decision: PriceDecision) {
  if (decision.kind !== 'change') throw new Error(`expected a change, got ${decision.reason}: ${decision.explanation}`);
  return decision;
}

describe('decide: demand', () => {
  // The product: 19.99 at base, bounds [14.99, 29.99], 10% step (199 cents), .99 endings.
  it('raises on high demand, to the nearest .99 ending', () => {
    // Index 1.3 asks +6% → 2118.94 → 2119 → 2099.
    expect(decideFor(aProduct(), demandOnly(indexSignal(1.3)))).toMatchObject({
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
    const decision = expectChange(decideFor(aProduct(), demandOnly(indexSignal(3))));
    expect(decision).toMatchObject({ newPrice: 2099, reasonCode: 'demand_high', guardrail: 'max_step' });
  });

  it('lowers on low demand', () => {
    // Index 0.6 asks −8% → 1839 → the only .99 ending in [1800, 1998] is 1899.
    expect(decideFor(aProduct(), demandOnly(indexSignal(0.6)))).toMatchObject({
      kind: 'change',
      newPrice: 1899,
      reasonCode: 'demand_low',
    });
  });

  it('leaves the price alone inside the dead band', () => {
    // Index 1.05 asks +1%, under the 2% dead band.
    expect(decideFor(aProduct(), demandOnly(indexSignal(1.05)))).toMatchObject({
      kind: 'no_change',
      reason: 'dead_band',
    });
  });

  it('stops at the ceiling, and says the ceiling blocked it', () => {
    const atCeiling = aProduct({ price: 2999 });
    expect(decideFor(atCeiling, demandOnly(indexSignal(2)))).toMatchObject({
      kind: 'no_change',
      reason: 'blocked',
      guardrail: 'ceiling',
    });
  });

  it('moves one step on a fast-path surge', () => {
    expect(decideFor(aProduct(), { demand: null, surge: SURGING })).toMatchObject({
      kind: 'change',
      newPrice: 2099,
      reasonCode: 'demand_surge',
    });
  });

  it('does nothing on a fast-path trigger without a surge', () => {
    expect(
      decideFor(aProduct({ price: 2499 }), { demand: null, surge: { ...SURGING, ratio: 1.2, surging: false } }),
    ).toMatchObject({ kind: 'no_change', reason: 'dead_band' });
    expect(decideFor(aProduct({ price: 2499 }), { demand: null, surge: null })).toMatchObject({
      kind: 'no_change',
      reason: 'no_signal',
    });
  });

  it('uses the parameters of the product category', () => {
    const perCategory = aConfig({ killSwitch: false });
    const garden = decide(
      aProduct({ category: 'garden' }),
      demandOnly(indexSignal(3)),
      { ...perCategory, categories: { garden: { maxStepPct: 5, priceEnding: null } } },
      NOW,
      context,
    );
    // 5% of 1999 is 99.95: at most 99 cents, and no ending.
    expect(garden).toMatchObject({ kind: 'change', newPrice: 2098, guardrail: 'max_step' });
  });
});

describe('decide: clicks alone', () => {
  const botWindow = { views: 1_000_000, carts: 40_000, purchases: 0, units: 0, sessions: 900 };
  const usualBaseline = { periods: 30, views: 200, carts: 20, purchases: 4, units: 5 };

  it('cannot move a price more than one step, however long the attack runs', () => {
    let product = aProduct();
    let changes = 0;
    // A day of bot traffic: a decision every 11 minutes (past the cooldown), on both paths.
    for (let i = 1; i <= 130; i++) {
      const now = minutesAfter(11 * i);
      const signals = { demand: demandIndex(botWindow, usualBaseline, DEFAULTS), surge: SURGING };
      const decision = decide(product, signals, config, now, { decisionId: `bot-${i}`, changesToday: changes });
      if (decision.kind === 'change') {
        changes += 1;
        product = { ...product, price: decision.newPrice, lastChangeAt: now };
      }
    }
    expect(changes).toBe(1);
    expect(product.price).toBe(2099);
    expect(product.price - 1999).toBeLessThanOrEqual(Math.floor(1999 * 0.1));
  });

  it('names clicks_only as the guardrail that held the price', () => {
    const decision = decideFor(aProduct({ price: 2099 }), { demand: null, surge: SURGING });
    expect(decision).toMatchObject({ kind: 'no_change', reason: 'blocked', guardrail: 'clicks_only' });
  });

  it('does not let the price ending carry a clicks-only raise past one step over base', () => {
    // Endings at …990, 1140, 1290: none lies within one step (100) over a base of 1000.
    const oddEndings = aConfig({ defaults: { priceEnding: { modulus: 150, remainder: 90 } } });
    const product = aProduct({ basePrice: 1000, price: 1090, floor: 900, ceiling: 2000 });
    const decision = decide(product, { demand: null, surge: SURGING }, oddEndings, NOW, context);
    expect(decision).toMatchObject({ kind: 'change', newPrice: 1100, guardrail: 'clicks_only' });
  });

  it('lets orders take the price further than clicks could', () => {
    const decision = decideFor(aProduct({ price: 2099 }), demandOnly(indexSignal(2)));
    expect(decision).toMatchObject({ kind: 'change', newPrice: 2299, reasonCode: 'demand_high' });
  });
});

describe('decide: decay', () => {
  it('moves toward base and never past it, from above and from below', () => {
    for (const start of [2899, 2299, 1599]) {
      let price = start;
      const path = [price];
      for (let i = 0; i < 10 && price !== 1999; i++) {
        const decision = decideFor(aProduct({ price }), fallenAway);
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
    const decision = decideFor(aProduct({ price: 2099, basePrice: 2000 }), fallenAway);
    expect(decision).toMatchObject({ kind: 'change', newPrice: 2000, guardrail: 'price_ending' });
  });

  it('does nothing at base without a signal, nor without a baseline', () => {
    expect(decideFor(aProduct(), fallenAway)).toMatchObject({ kind: 'no_change', reason: 'no_signal' });
    const noBaseline = demandOnly({ kind: 'none', reason: 'no_baseline', sessions: 40 });
    expect(decideFor(aProduct({ price: 2499 }), noBaseline)).toMatchObject({ kind: 'no_change', reason: 'no_signal' });
  });
});

describe('decide: inventory', () => {
  it('raises toward base + 5% on low stock, even with usual demand', () => {
    expect(decideFor(aProduct({ inventory: 3 }), demandOnly(indexSignal(1)))).toMatchObject({
      kind: 'change',
      newPrice: 2099,
      reasonCode: 'low_stock',
    });
  });

  it('raises toward base + 5% on low stock even as demand falls', () => {
    expect(decideFor(aProduct({ inventory: 3 }), demandOnly(indexSignal(0.4)))).toMatchObject({
      kind: 'change',
      newPrice: 2099,
      reasonCode: 'low_stock',
    });
  });

  it('never lowers on low stock', () => {
    expect(decideFor(aProduct({ inventory: 3, price: 2299 }), demandOnly(indexSignal(0.4)))).toMatchObject({
      kind: 'no_change',
      reason: 'blocked',
      guardrail: null,
    });
  });

  it('lowers toward base − 10% on overstock, one step at a time', () => {
    const first = expectChange(decideFor(aProduct({ inventory: 5_000 }), demandOnly(indexSignal(1))));
    expect(first).toMatchObject({ newPrice: 1899, reasonCode: 'overstock' });
    const second = decideFor(aProduct({ inventory: 5_000, price: 1899 }), demandOnly(indexSignal(1)));
    expect(second).toMatchObject({ kind: 'change', newPrice: 1799, reasonCode: 'overstock' });
  });

  it('never raises on overstock, not even on a surge', () => {
    const atRest = aProduct({ inventory: 5_000, price: 1799 });
    expect(decideFor(atRest, { demand: indexSignal(2), surge: SURGING })).toMatchObject({
      kind: 'no_change',
      reason: 'blocked',
    });
  });
});

describe('decide: gates', () => {
  const highDemand = demandOnly(indexSignal(1.5));

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
  it('explains the inputs, the rule that fired and the guardrail that bound it', () => {
    const decision = decideFor(aProduct(), demandOnly(indexSignal(1.5)));
    expect(decision.explanation).toContain('demand index 1.500');
    expect(decision.explanation).toContain('Rule demand_high');
    expect(decision.explanation).toContain('Guardrail: max_step');
    expect(decision.explanation).toContain('Price 1999 → 2099');
  });

  it('carries everything a price-history row needs', () => {
    const decision = expectChange(decideFor(aProduct(), { demand: indexSignal(1.5), surge: SURGING }));
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
    expect(decision.signals).toMatchObject({ price: 1999, demandIndex: 1.5, surgeRatio: 10, inventory: 100 });
  });

  it('brings a price outside its bounds back to the nearest bound, bounds before step', () => {
    const narrowed = aProduct({ price: 3999, ceiling: 2999 });
    expect(decideFor(narrowed, demandOnly(indexSignal(1)))).toMatchObject({
      kind: 'change',
      newPrice: 2999,
      reasonCode: 'bounds_change',
      guardrail: 'ceiling',
    });
  });

  it('refuses a decisionId that could forge a history key', () => {
    expect(() => decideFor(aProduct(), demandOnly(indexSignal(1.5)), { decisionId: 'a#b' })).toThrow(RangeError);
  });
});
