import { describe, expect, it } from 'vitest';
import { type Evidence, evidenceOf } from '../../../dashboard/evidence.js';
import type { PriceChange } from '../../../functions/domain/api-types.js';
import { assessDemand, type PeriodCounts } from '../../../functions/domain/demand-evidence.js';
import { evidenceSnapshot } from '../../../functions/domain/demand-evidence-report.js';
import { changeRowOf } from '../../../functions/domain/price-history.js';
import { DEFAULT_CATEGORY_PARAMETERS } from '../../../functions/domain/pricing-defaults.js';

type Row = Pick<PriceChange, 'source' | 'signals' | 'reasonCode'>;

/** What every automated decision records, whatever its evidence (pricing-policy.ts, snapshotOf). */
const STATE = { price: 2199, basePrice: 1999, floor: 1500, ceiling: 3000, inventory: 120, changesToday: 2 };

/** A fast-path surge: views 34 in the last two minutes against 120 in 30 of the busier half. */
const FAST_SURGE: Row = {
  source: 'fast-path',
  reasonCode: 'demand_surge',
  signals: {
    ...STATE,
    historyPeriods: 64,
    demandDirection: 1,
    demandRatio: 4.1234,
    threshold: 6.25e-8,
    falseAlarmLevel: 1e-6,
    testsPerEvaluation: 16,
    ordersConfirm: 0,
    againstReference: 0,
    baselinePeriods: 60,
    baselineViews: 230,
    baselineCarts: 22,
    baselinePurchases: 0,
    baselineUnits: 0,
    viewsUpCount: 34,
    viewsUpExposure: 2,
    viewsUpExpected: 8.2133,
    viewsUpBaselineCount: 120,
    viewsUpBaselinePeriods: 30,
    viewsUpPValue: 3.1e-9,
  },
};

/** A rich-path rise of carts, with purchases that rose too, on a product with a unit cost. */
const RICH_RISE: Row = {
  source: 'rich-path',
  reasonCode: 'demand_high',
  signals: {
    ...STATE,
    unitCost: 1200,
    salesPerHour: 12.5,
    coverMinutes: 576,
    historyPeriods: 70,
    demandDirection: 1,
    demandRatio: 3.27,
    threshold: 3.125e-8,
    falseAlarmLevel: 1e-6,
    testsPerEvaluation: 32,
    ordersConfirm: 1,
    againstReference: 0,
    baselinePeriods: 48,
    baselineViews: 960,
    baselineCarts: 110,
    baselinePurchases: 9,
    baselineUnits: 11,
    cartsUpCount: 41,
    cartsUpExposure: 5,
    cartsUpExpected: 12.4,
    cartsUpBaselineCount: 60,
    cartsUpBaselinePeriods: 24,
    cartsUpPValue: 2.04e-11,
  },
};

/** A rich-path fall: 3 views in ten windows where 21.5 were expected. */
const RICH_FALL: Row = {
  source: 'rich-path',
  reasonCode: 'demand_low',
  signals: {
    ...STATE,
    historyPeriods: 80,
    demandDirection: -1,
    demandRatio: 0.1395,
    threshold: 3.125e-8,
    falseAlarmLevel: 1e-6,
    testsPerEvaluation: 32,
    ordersConfirm: 0,
    againstReference: 0,
    baselinePeriods: 60,
    baselineViews: 140,
    baselineCarts: 14,
    baselinePurchases: 1,
    baselineUnits: 1,
    viewsDownCount: 3,
    viewsDownExposure: 10,
    viewsDownExpected: 21.5,
    viewsDownBaselineCount: 65,
    viewsDownBaselinePeriods: 30,
    viewsDownPValue: 4.2e-9,
  },
};

/** Back to base: demand read against the reference of the rise is where it was before. */
const STEADY_DECAY: Row = {
  source: 'rich-path',
  reasonCode: 'decay_to_base',
  signals: {
    ...STATE,
    historyPeriods: 90,
    demandDirection: 0,
    demandRatio: 1.08,
    threshold: 3.125e-8,
    falseAlarmLevel: 1e-6,
    testsPerEvaluation: 32,
    ordersConfirm: 0,
    againstReference: 1,
    baselinePeriods: 40,
    baselineViews: 97,
    baselineCarts: 9,
    baselinePurchases: 1,
    baselineUnits: 1,
    viewsUpCount: 14,
    viewsUpExposure: 5,
    viewsUpExpected: 12.1,
    viewsUpBaselineCount: 97,
    viewsUpBaselinePeriods: 40,
    viewsUpPValue: 0.31,
  },
};

const WARMING_UP: Row = {
  source: 'fast-path',
  reasonCode: 'low_stock',
  signals: {
    ...STATE,
    inventory: 6,
    salesPerHour: 4,
    coverMinutes: 90,
    warmingUp: 1,
    historyPeriods: 4,
    neededPeriods: 10,
  },
};

function described(row: Row, currency = 'EUR'): Evidence {
  const evidence = evidenceOf(row, currency);
  if (evidence === null) throw new Error('expected evidence');
  return evidence;
}

const textOf = (evidence: Evidence, kind: string) => evidence.lines.find((line) => line.kind === kind)?.text;

describe('evidenceOf: a fast-path surge', () => {
  it('says the decisive count, over how many minutes, against what the baseline expects', () => {
    expect(textOf(described(FAST_SURGE), 'test')).toBe(
      'views 34 in the last 2 min, 8.2 expected (baseline 120 in 30 min)',
    );
  });

  it('compares the p-value with the threshold and the false-alarm level it comes from, and calls it significant', () => {
    const evidence = described(FAST_SURGE);
    expect(textOf(evidence, 'threshold')).toBe('P = 3.1e-9 ≤ threshold 6.2e-8 (false-alarm level 1e-6 over 16 tests)');
    expect(evidence.verdict).toEqual({ significant: true, text: 'significant' });
  });

  it('sums up a rise the fast path saw in clicks only', () => {
    const evidence = described(FAST_SURGE);
    expect(evidence.summary).toBe('demand up ×4.1 · clicks only');
    expect(evidence.summaryKind).toBe('demand');
    expect(evidence.lines.map((line) => line.kind)).toEqual(['test', 'threshold', 'demand', 'stock']);
  });

  it('gives the share of the current minute the span covered', () => {
    const partMinute = { ...FAST_SURGE, signals: { ...FAST_SURGE.signals, viewsUpExposure: 1.4 } };
    expect(textOf(described(partMinute), 'test')).toMatch(/^views 34 in the last 1\.4 min,/);
  });
});

describe('evidenceOf: a rich-path rise confirmed by orders', () => {
  it('counts in windows, names the type that rose, and says orders confirmed it', () => {
    const evidence = described(RICH_RISE);
    expect(textOf(evidence, 'test')).toBe('carts 41 in the last 5 windows, 12.4 expected (baseline 60 in 24 windows)');
    expect(textOf(evidence, 'threshold')).toBe('P = 2e-11 ≤ threshold 3.1e-8 (false-alarm level 1e-6 over 32 tests)');
    expect(evidence.summary).toBe('demand up ×3.3 · confirmed by orders');
    expect(evidence.verdict?.text).toBe('significant');
  });

  it('names one window in the singular', () => {
    const oneWindow = { ...RICH_RISE, signals: { ...RICH_RISE.signals, cartsUpExposure: 1 } };
    expect(textOf(described(oneWindow), 'test')).toMatch(/^carts 41 in the last 1 window, /);
  });

  it('reads the stock as cover at the current sales rate', () => {
    expect(textOf(described(RICH_RISE), 'stock')).toBe('120 in stock · 12.5 sold/h · 9.6 h of cover');
    const busy = { ...RICH_RISE, signals: { ...RICH_RISE.signals, salesPerHour: 230.8, coverMinutes: 57.2 } };
    expect(textOf(described(busy), 'stock')).toBe('120 in stock · 231 sold/h · 57 min of cover');
  });

  it('gives the unit cost in the product’s currency, as the dashboard writes money', () => {
    expect(textOf(described(RICH_RISE, 'EUR'), 'margin')).toMatch(/^unit cost €\s?12[.,]00$/);
    expect(textOf(described(RICH_RISE, 'JPY'), 'margin')).toMatch(/^unit cost (¥|￥)\s?1,?200$/);
  });
});

describe('evidenceOf: a fall', () => {
  it('reads the quieter count against its expectation, with no clicks-or-orders note', () => {
    const evidence = described(RICH_FALL);
    expect(textOf(evidence, 'test')).toBe('views 3 in the last 10 windows, 21.5 expected (baseline 65 in 30 windows)');
    expect(textOf(evidence, 'threshold')).toBe('P = 4.2e-9 ≤ threshold 3.1e-8 (false-alarm level 1e-6 over 32 tests)');
    expect(evidence.summary).toBe('demand down ×0.14');
    expect(evidence.verdict?.text).toBe('significant');
  });
});

describe('evidenceOf: steady demand, the price decaying to base', () => {
  it('shows the test closest to firing as not significant, read against the last move’s reference', () => {
    const evidence = described(STEADY_DECAY);
    expect(textOf(evidence, 'test')).toBe('views 14 in the last 5 windows, 12.1 expected (baseline 97 in 40 windows)');
    expect(textOf(evidence, 'threshold')).toBe('P = 0.31 > threshold 3.1e-8 (false-alarm level 1e-6 over 32 tests)');
    expect(evidence.verdict).toEqual({ significant: false, text: 'not significant' });
    expect(textOf(evidence, 'demand')).toBe('demand steady ×1.1 · against the reference of the last move');
    expect(evidence.summary).toBe('demand steady ×1.1');
  });

  it('says so when no count was even above its expectation', () => {
    const signals = Object.fromEntries(
      Object.entries(STEADY_DECAY.signals).filter(([key]) => !key.startsWith('viewsUp')),
    );
    const evidence = described({ ...STEADY_DECAY, signals: { ...signals, againstReference: 0 } });
    expect(textOf(evidence, 'test')).toBe('no count above its expectation');
    expect(textOf(evidence, 'threshold')).toBe('threshold 3.1e-8 (false-alarm level 1e-6 over 32 tests)');
    expect(textOf(evidence, 'demand')).toBe('demand steady ×1.1');
    expect(evidence.verdict?.text).toBe('not significant');
  });
});

describe('evidenceOf: warming up', () => {
  it('counts the history so far in the source’s periods, and makes no verdict', () => {
    const evidence = described(WARMING_UP);
    expect(textOf(evidence, 'warmup')).toBe('warming up: 4 of 10 minutes of history');
    expect(evidence.verdict).toBeNull();
    expect(evidence.lines.map((line) => line.kind)).toEqual(['warmup', 'stock']);
    const rich = described({ ...WARMING_UP, source: 'rich-path', reasonCode: 'demand_high' });
    expect(rich.summary).toBe('warming up: 4 of 10 windows of history');
  });

  it('leads with the stock when the price moved on stock', () => {
    const evidence = described(WARMING_UP);
    expect(evidence.summary).toBe('6 in stock · 4 sold/h · 1.5 h of cover');
    expect(evidence.summaryKind).toBe('stock');
  });
});

describe('evidenceOf: a p-value too small to store', () => {
  it('reads a stored 0 as below the smallest value a row keeps, and as significant', () => {
    const row = changeRowOf({
      productId: 'P00001',
      changedAt: '2026-01-05T14:02:31.000Z',
      decisionId: 'agg-P00001-1',
      action: 'price',
      oldPrice: 1999,
      newPrice: 2199,
      reasonCode: 'demand_surge',
      signals: { ...FAST_SURGE.signals, viewsUpPValue: 1e-150 },
      explanation: 'test',
      policyVersion: 'v1',
      source: 'fast-path',
      actor: 'fast-path',
      version: 2,
    });
    expect(row.signals.viewsUpPValue).toBe(0);
    const evidence = described(row);
    expect(textOf(evidence, 'threshold')).toBe('P < 1e-100 ≤ threshold 6.2e-8 (false-alarm level 1e-6 over 16 tests)');
    expect(evidence.verdict?.text).toBe('significant');
  });
});

describe('evidenceOf: rows without evidence', () => {
  it('says nothing of a row written before decisions recorded their evidence', () => {
    const old: Row = {
      source: 'rich-path',
      reasonCode: 'demand_high',
      signals: { ...STATE, demandSessions: 40, demandIndex: 1.8, demandClickIndex: 1.9, demandOrderIndex: 1.2 },
    };
    expect(evidenceOf(old, 'EUR')).toBeNull();
    expect(evidenceOf({ ...old, signals: {} }, 'EUR')).toBeNull();
  });

  it('leaves out what a row lacks, never printing undefined or NaN', () => {
    const partial: Row = {
      source: 'rich-path',
      reasonCode: 'demand_high',
      signals: { demandDirection: 1, viewsUpCount: 9 },
    };
    const evidence = described(partial);
    expect(evidence.lines).toEqual([
      { kind: 'test', text: 'views 9' },
      { kind: 'demand', text: 'demand up' },
    ]);
    expect(evidence.verdict?.text).toBe('significant');
    const warming = described({ source: 'fast-path', reasonCode: 'demand_surge', signals: { warmingUp: 1 } });
    expect(warming.lines).toEqual([{ kind: 'warmup', text: 'warming up' }]);
  });

  it('says nothing of an ops action, whatever its signals', () => {
    expect(evidenceOf({ source: 'ops', reasonCode: 'manual_price', signals: {} }, 'EUR')).toBeNull();
    expect(evidenceOf({ ...FAST_SURGE, source: 'ops', reasonCode: 'rollback' }, 'EUR')).toBeNull();
  });
});

describe('evidenceOf: reads what the domain records', () => {
  it('describes the evidence snapshot of a real assessment by its decisive test', () => {
    const at = (views: number): PeriodCounts => ({ views, carts: Math.round(views / 10), purchases: 0, units: 0 });
    const periods = [...Array.from({ length: 70 }, () => at(20)), at(200)];
    const assessed = assessDemand(
      { source: 'minutes', periodSeconds: 60, periods, lastPeriodFraction: 1 },
      null,
      DEFAULT_CATEGORY_PARAMETERS,
    );
    const evidence = described({
      source: 'fast-path',
      reasonCode: 'demand_surge',
      signals: evidenceSnapshot(assessed),
    });
    expect(textOf(evidence, 'test')).toMatch(
      /^views 200 in the last 1 min, 2\d(\.\d)? expected \(baseline \d+ in 30 min\)$/,
    );
    // 1e-6 over 2 types × 4 spans, one direction (the fast path reads rises only), at each of the
    // filling minute's 6 looks.
    expect(textOf(evidence, 'threshold')).toMatch(
      /^P = \S+ ≤ threshold 2\.1e-8 \(false-alarm level 1e-6 over 48 tests\)$/,
    );
    expect(evidence.verdict?.text).toBe('significant');
    expect(evidence.summary).toMatch(/^demand up ×\d+(\.\d)? over 1 min · clicks only$/);
  });
});
