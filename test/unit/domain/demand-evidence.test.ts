import { describe, expect, it } from 'vitest';
import {
  assessDemand,
  type DemandEvidence,
  type DemandObservation,
  type EvidenceParams,
  type PeriodCounts,
  salesRate,
} from '../../../functions/domain/demand-evidence.js';
import { DEFAULT_CATEGORY_PARAMETERS } from '../../../functions/domain/pricing-defaults.js';
import { logGamma } from '../../../functions/domain/rate-statistics.js';

const logChoose = (n: number, k: number) => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);

const PARAMS: EvidenceParams = DEFAULT_CATEGORY_PARAMETERS;

/** `views` views a period, a tenth as many carts, none bought. */
const at = (views: number, purchases = 0): PeriodCounts => ({
  views,
  carts: Math.round(views / 10),
  purchases,
  units: purchases,
});
const repeat = (count: number, period: PeriodCounts) => Array.from({ length: count }, () => period);

function observe(periods: PeriodCounts[], overrides: Partial<DemandObservation> = {}): DemandObservation {
  return { source: 'windows', periodSeconds: 60, periods, lastPeriodFraction: 1, ...overrides };
}

function assessed(evidence: DemandEvidence) {
  if (evidence.kind !== 'assessed') throw new Error(`expected an assessment, got ${evidence.kind}`);
  return evidence;
}

describe('assessDemand: warm-up', () => {
  it('tests nothing before the product has minBaselinePeriods of history', () => {
    // Ten periods with data before the current one, the first of which may be partial: nine of history.
    const young = observe([...repeat(10, at(20)), at(400)]);
    expect(assessDemand(young, null, PARAMS)).toEqual({
      kind: 'warming_up',
      source: 'windows',
      periodSeconds: 60,
      historyPeriods: 9,
      neededPeriods: 10,
    });
    const ofAge = observe([...repeat(11, at(20)), at(400)]);
    expect(assessed(assessDemand(ofAge, null, PARAMS)).direction).toBe('up');
  });

  it('counts history from the first period with data, not from the quiet zeros before it', () => {
    // A fresh stack: sixty empty minutes read back from the table, then a few minutes of traffic.
    const fresh = observe([...repeat(60, at(0)), ...repeat(5, at(20)), at(400)], { source: 'minutes' });
    expect(assessDemand(fresh, null, PARAMS)).toMatchObject({ kind: 'warming_up', historyPeriods: 4 });
  });

  it('judges a new product by a configured prior instead of waiting', () => {
    const demandPrior = {
      viewsPerPeriod: 20,
      cartsPerPeriod: 2,
      purchasesPerPeriod: 0,
      unitsPerPeriod: 0,
      weightPeriods: 30,
    };
    const fresh = observe([at(20), at(20), at(400)]);
    expect(assessed(assessDemand(fresh, null, { ...PARAMS, demandPrior })).direction).toBe('up');
    expect(assessed(assessDemand(observe([at(20), at(20), at(20)]), null, { ...PARAMS, demandPrior })).direction).toBe(
      'steady',
    );
  });

  it('lets a prior stand in for a span’s missing baseline only as far as it is missing: no ratio without one', () => {
    // A prior of 10 periods and 12 of the product's own: its 10-period span has a baseline of 2 periods
    // and what is left of the prior (8), never nothing at all.
    const demandPrior = {
      viewsPerPeriod: 20,
      cartsPerPeriod: 2,
      purchasesPerPeriod: 0,
      unitsPerPeriod: 0,
      weightPeriods: 10,
    };
    for (const length of [3, 12, 13, 25]) {
      const evidence = assessDemand(observe(repeat(length, at(20))), null, { ...PARAMS, demandPrior });
      if (evidence.kind === 'assessed') expect(Number.isFinite(evidence.ratio), `${length} periods`).toBe(true);
    }
  });
});

describe('assessDemand: rises and falls', () => {
  const history = repeat(70, at(20));

  it('finds a tenfold rise in one period, and reads the ratio against the baseline', () => {
    const evidence = assessed(assessDemand(observe([...history, at(200)]), null, PARAMS));
    expect(evidence).toMatchObject({
      direction: 'up',
      ordersConfirm: false,
      threshold: 1e-6 / 16,
      testsPerEvaluation: 16,
    });
    expect(evidence.ratio).toBeCloseTo(10, 0);
    expect(evidence.decisive).toMatchObject({ direction: 'up', spanPeriods: 1, count: 200 });
    expect(evidence.decisive?.pValue).toBeLessThan(evidence.threshold);
  });

  it('does not call a rise that chance explains: 27 views against 20 expected', () => {
    const evidence = assessed(assessDemand(observe([...history, at(27)]), null, PARAMS));
    expect(evidence.direction).toBe('steady');
    expect(evidence.decisive?.pValue).toBeGreaterThan(0.01);
  });

  it('reads the fast path’s current minute by the share of it that has passed', () => {
    // 100 views in the first half of a minute is 200 a minute: tenfold.
    const halfMinute = observe([...history, at(100)], { source: 'minutes', lastPeriodFraction: 0.5 });
    expect(assessed(assessDemand(halfMinute, null, PARAMS)).direction).toBe('up');
    // The same 20 views a minute, half a minute in: nothing.
    const usual = observe([...history, at(10)], { source: 'minutes', lastPeriodFraction: 0.5 });
    expect(assessed(assessDemand(usual, null, PARAMS)).direction).toBe('steady');
  });

  it('sizes a rise by the share of the minute gone, though its test reads the minute at the next sixth', () => {
    // 34 views in the first 0.17 of a minute is 200 a minute, ten times the usual 20: the ratio says so,
    // not half that (0.17 read as the look at 1/3).
    const early = observe([...history, at(34)], { source: 'minutes', lastPeriodFraction: 0.17 });
    const evidence = assessed(assessDemand(early, null, PARAMS));
    expect(evidence).toMatchObject({ direction: 'up', ratioSpanPeriods: 1 });
    expect(evidence.ratio).toBeGreaterThan(8);
    expect(evidence.decisive?.exposure).toBeCloseTo(1 / 3, 9);
  });

  it('splits the fast path’s level over its tests and the six looks at its filling minute: 1e-6 over 48', () => {
    // Rises only (2 types × 4 spans) at each of 6 looks. The stationary property tests hold far below
    // their level (Bonferroni over overlapping tests is conservative), so they would not see this halved.
    const evidence = assessed(assessDemand(observe([...history, at(20)], { source: 'minutes' }), null, PARAMS));
    expect(evidence).toMatchObject({ threshold: 1e-6 / 48, testsPerEvaluation: 48, falseAlarmLevel: 1e-6 });
  });

  it('reads falls from whole windows only: the fast path’s minute is still filling', () => {
    const fallen = [...history, ...repeat(10, at(2))];
    expect(assessed(assessDemand(observe(fallen), null, PARAMS)).direction).toBe('down');
    expect(assessed(assessDemand(observe(fallen, { source: 'minutes' }), null, PARAMS)).direction).toBe('steady');
  });

  it('does not read the end of an earlier burst as a fall', () => {
    // A three-minute sale twenty minutes ago inflates the whole baseline's mean by 45%; the half
    // without it shows demand is where it was.
    const afterSale = [...repeat(40, at(200)), ...repeat(3, at(2_000)), ...repeat(27, at(200)), ...repeat(10, at(200))];
    expect(assessed(assessDemand(observe(afterSale), null, PARAMS)).direction).toBe('steady');
  });

  it('confirms a rise by orders only when purchases rose too, with units ordered', () => {
    const withOrders = [...repeat(70, at(20, 1)), at(200, 12)];
    expect(assessed(assessDemand(observe(withOrders), null, PARAMS)).ordersConfirm).toBe(true);
    const clicksOnly = [...repeat(70, at(20, 1)), at(200, 1)];
    expect(assessed(assessDemand(observe(clicksOnly), null, PARAMS))).toMatchObject({
      direction: 'up',
      ordersConfirm: false,
    });
    // Purchase events without orders behind them (units 0) confirm nothing.
    const forged = [...repeat(70, at(20, 1)), { ...at(200, 12), units: 0 }];
    expect(assessed(assessDemand(observe(forged), null, PARAMS)).ordersConfirm).toBe(false);
  });
});

describe('assessDemand: the statistic', () => {
  it('is the exact conditional binomial test of the span against the busier half of its baseline', () => {
    // 45 views now against 20 a period: given 45 + C views in all, the span's share is Binomial(45 + C, t / (t + T)).
    const periods = [...repeat(40, at(20)), ...repeat(30, at(21)), at(45)];
    const evidence = assessed(
      assessDemand(observe(periods), null, { ...PARAMS, detectionSpans: [1], falseAlarmLevel: 0.1 }),
    );
    const busier = 30 * 21;
    const n = 45 + busier;
    const q = 1 / 31;
    let tail = 0;
    for (let k = 45; k <= n; k++) tail += Math.exp(logChoose(n, k) + k * Math.log(q) + (n - k) * Math.log1p(-q));
    expect(evidence.decisive).toMatchObject({
      type: 'views',
      direction: 'up',
      count: 45,
      baselineCount: busier,
      baselinePeriods: 30,
    });
    expect((evidence.decisive?.pValue ?? 0) / tail).toBeCloseTo(1, 9);
  });
});

describe('assessDemand: against a reference', () => {
  it('reads demand against the reference instead of a rolling baseline that has absorbed the move', () => {
    const doubled = observe(repeat(80, at(40)));
    expect(assessed(assessDemand(doubled, null, PARAMS)).direction).toBe('steady');
    const reference = {
      periods: 60,
      periodSeconds: 60,
      views: 1_200,
      carts: 120,
      purchases: 0,
      units: 0,
      since: '2026-11-21T10:00:00.000Z',
    };
    const evidence = assessed(assessDemand(doubled, reference, PARAMS));
    expect(evidence).toMatchObject({ direction: 'up', againstReference: true });
    expect(evidence.ratio).toBeCloseTo(2, 1);
  });

  it('keeps as reference the baseline from before the rise', () => {
    const evidence = assessed(assessDemand(observe([...repeat(70, at(20)), ...repeat(10, at(60))]), null, PARAMS));
    expect(evidence.baseline).toMatchObject({ periods: 60, views: 1_200, carts: 120 });
  });

  it('keeps the baseline least mixed with a surge that speeds up, not the largest ratio’s', () => {
    // 20 views a period, then 9 periods at 40, then 100: the last period alone has the largest
    // ratio, but its baseline holds the 9 periods at 40; the 10-period span's holds none.
    const evidence = assessed(
      assessDemand(observe([...repeat(70, at(20)), ...repeat(9, at(40)), at(100)]), null, PARAMS),
    );
    expect(evidence).toMatchObject({ direction: 'up', ratioSpanPeriods: 1 });
    expect(evidence.baseline).toMatchObject({ periods: 60, views: 1_200, carts: 120 });
    // Usual demand, read against it later, is no fall.
    const reference = { ...evidence.baseline, periodSeconds: 60, since: '2026-11-21T10:00:00.000Z' };
    const usual = assessed(assessDemand(observe(repeat(80, at(20))), reference, PARAMS));
    expect(usual.direction).toBe('steady');
  });
});

describe('salesRate', () => {
  it('is units per period over the usable history, the current period by its elapsed share', () => {
    const periods = [at(10, 5), ...repeat(20, at(10, 2)), at(10, 1)];
    expect(salesRate(observe(periods, { lastPeriodFraction: 0.5 }), PARAMS)).toBeCloseTo(41 / 20.5, 10);
    expect(salesRate(observe(repeat(3, at(10, 2))), PARAMS)).toBeNull();
  });
});
