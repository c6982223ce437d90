import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  baselineOf,
  type DemandBaseline,
  type DemandWindow,
  demandIndex,
  surgePossible,
  surgeSignal,
} from '../../../functions/domain/demand-signals.js';
import { DEFAULTS, windowArb } from './pricing-fixtures.js';

// A usual window for the product: 200 views, 20 carts, 4 orders of 5 units, over 40 sessions.
const usual: DemandWindow = { views: 200, carts: 20, purchases: 4, units: 5, sessions: 40 };
const baseline: DemandBaseline = { periods: 30, views: 200, carts: 20, purchases: 4, units: 5 };

function indexOf(window: DemandWindow, against: DemandBaseline = baseline): number {
  const signal = demandIndex(window, against, DEFAULTS);
  if (signal.kind !== 'index') throw new Error(`expected an index, got ${signal.reason}`);
  return signal.index;
}

describe('demandIndex', () => {
  it('is 1 for a window like the baseline', () => {
    expect(indexOf(usual)).toBeCloseTo(1, 10);
  });

  it('gives no signal below the minimum sample of sessions', () => {
    const signal = demandIndex({ ...usual, sessions: DEFAULTS.minSessions - 1 }, baseline, DEFAULTS);
    expect(signal).toEqual({ kind: 'none', reason: 'insufficient_sample', sessions: DEFAULTS.minSessions - 1 });
    expect(demandIndex({ ...usual, sessions: DEFAULTS.minSessions }, baseline, DEFAULTS).kind).toBe('index');
  });

  it('gives no signal without a baseline', () => {
    const signal = demandIndex(usual, baselineOf([], 0), DEFAULTS);
    expect(signal).toEqual({ kind: 'none', reason: 'no_baseline', sessions: usual.sessions });
  });

  it('moves more for purchases than for the same number of carts, and more for carts than for views', () => {
    const plusViews = indexOf({ ...usual, views: usual.views + 10 });
    const plusCarts = indexOf({ ...usual, carts: usual.carts + 10 });
    const plusPurchases = indexOf({ ...usual, purchases: usual.purchases + 10 });
    expect(plusViews).toBeGreaterThan(indexOf(usual));
    expect(plusCarts).toBeGreaterThan(plusViews);
    expect(plusPurchases).toBeGreaterThan(plusCarts);
  });

  it('caps what views and carts alone can add, and flags windows without orders as clicks-only', () => {
    const botRun = demandIndex(
      { views: 1_000_000, carts: 50_000, purchases: 0, units: 0, sessions: 500 },
      baseline,
      DEFAULTS,
    );
    expect(botRun).toMatchObject({ kind: 'index', index: DEFAULTS.clickIndexCap, clicksOnly: true });
    const withOrders = demandIndex({ ...usual, units: 1 }, baseline, DEFAULTS);
    expect(withOrders).toMatchObject({ kind: 'index', clicksOnly: false });
  });

  it('does not divide by a near-empty baseline: the baseline score is floored', () => {
    const idle = baselineOf([{ views: 1, carts: 0, purchases: 0, units: 0 }], 60);
    const signal = demandIndex({ views: 20, carts: 0, purchases: 0, units: 0, sessions: 15 }, idle, DEFAULTS);
    expect(signal).toMatchObject({ kind: 'index', index: 20 / DEFAULTS.minBaselineScore });
  });

  it('property: more of any count never lowers the index, and orders outweigh carts outweigh views', () => {
    fc.assert(
      fc.property(windowArb, windowArb, fc.integer({ min: 1, max: 50 }), (window, base, k) => {
        const sampled = { ...window, sessions: Math.max(window.sessions, DEFAULTS.minSessions) };
        const against = { ...base, periods: 10 };
        const at = (w: DemandWindow) => indexOf(w, against);
        const before = at(sampled);
        const views = at({ ...sampled, views: sampled.views + k });
        const carts = at({ ...sampled, carts: sampled.carts + k });
        const purchases = at({ ...sampled, purchases: sampled.purchases + k });
        expect(views).toBeGreaterThanOrEqual(before);
        expect(carts).toBeGreaterThanOrEqual(views);
        expect(purchases).toBeGreaterThan(carts);
      }),
      { numRuns: 3_000 },
    );
  });

  it('property: without units ordered, the index is at most the click cap plus the purchase part', () => {
    fc.assert(
      fc.property(windowArb, windowArb, (window, base) => {
        const signal = demandIndex({ ...window, units: 0, sessions: 100 }, { ...base, periods: 5 }, DEFAULTS);
        if (signal.kind !== 'index') throw new Error('expected an index');
        expect(signal.clicksOnly).toBe(true);
        expect(signal.clickIndex).toBeLessThanOrEqual(DEFAULTS.clickIndexCap);
        expect(signal.index).toBeCloseTo(signal.clickIndex + signal.orderIndex, 9);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('baselineOf', () => {
  it('averages over the look-back, counting periods without a row as zero', () => {
    const rows = [
      { views: 30, carts: 3, purchases: 1, units: 2 },
      { views: 10, carts: 1, purchases: 1 },
    ];
    expect(baselineOf(rows, 4)).toEqual({ periods: 4, views: 10, carts: 1, purchases: 0.5, units: 0.5 });
  });

  it('refuses a look-back shorter than the rows it holds', () => {
    expect(() => baselineOf([usual, usual], 1)).toThrow(RangeError);
  });
});

describe('surgeSignal', () => {
  const minutes = baselineOf([{ views: 40, carts: 4, purchases: 1 }], 1);
  const minuteWeight = 40 * DEFAULTS.viewWeight + 4 * DEFAULTS.cartWeight + DEFAULTS.purchaseWeight;

  it('surges when velocity reaches surgeRatio times the baseline', () => {
    const current = { views: 40 * 3, carts: 4 * 3, purchases: 3 };
    expect(surgeSignal(current, minutes, DEFAULTS)).toEqual({
      kind: 'measured',
      ratio: 3,
      velocity: 3 * minuteWeight,
      baselineVelocity: minuteWeight,
      events: 135,
      surging: true,
    });
    expect(surgeSignal({ views: 119, carts: 12, purchases: 3 }, minutes, DEFAULTS)).toMatchObject({ surging: false });
  });

  it('gives no signal below the minimum number of events in the minute', () => {
    const quiet = { views: DEFAULTS.surgeMinEvents - 1, carts: 0, purchases: 0 };
    expect(surgeSignal(quiet, minutes, DEFAULTS)).toEqual({
      kind: 'none',
      reason: 'insufficient_sample',
      events: DEFAULTS.surgeMinEvents - 1,
    });
  });

  it('gives no signal without baseline minutes', () => {
    expect(surgeSignal({ views: 500, carts: 0, purchases: 0 }, baselineOf([], 0), DEFAULTS)).toMatchObject({
      kind: 'none',
      reason: 'no_baseline',
    });
  });

  it('property: more events in the minute never lower the ratio nor stop a surge', () => {
    fc.assert(
      fc.property(windowArb, windowArb, windowArb, (current, extra, base) => {
        const bigger = {
          views: current.views + extra.views,
          carts: current.carts + extra.carts,
          purchases: current.purchases + extra.purchases,
        };
        const against = { ...base, periods: 3 };
        const before = surgeSignal(current, against, DEFAULTS);
        const after = surgeSignal(bigger, against, DEFAULTS);
        if (before.kind === 'measured') {
          expect(after.kind).toBe('measured');
          if (after.kind !== 'measured') return;
          expect(after.ratio).toBeGreaterThanOrEqual(before.ratio);
          if (before.surging) expect(after.surging).toBe(true);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('surgePossible', () => {
  const counts = fc.record({
    views: fc.nat({ max: 5_000 }),
    carts: fc.nat({ max: 1_000 }),
    purchases: fc.nat({ max: 200 }),
  });
  const baselines = fc.record({
    periods: fc.integer({ min: 0, max: 30 }),
    views: fc.double({ min: 0, max: 5_000, noNaN: true }),
    carts: fc.double({ min: 0, max: 1_000, noNaN: true }),
    purchases: fc.double({ min: 0, max: 200, noNaN: true }),
    units: fc.double({ min: 0, max: 400, noNaN: true }),
  });

  it('never rules out a minute that surges against some baseline (the fast path may skip its read)', () => {
    fc.assert(
      fc.property(counts, baselines, (current, baseline) => {
        const surge = surgeSignal(current, baseline, DEFAULTS);
        if (surge.kind === 'measured' && surge.surging) expect(surgePossible(current, DEFAULTS)).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });

  it('rules out a quiet minute, and keeps a busy one', () => {
    expect(surgePossible({ views: 5, carts: 0, purchases: 0 }, DEFAULTS)).toBe(false);
    expect(surgePossible({ views: 40, carts: 10, purchases: 0 }, DEFAULTS)).toBe(true);
  });
});
