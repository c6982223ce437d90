import { describe, expect, it } from 'vitest';
import { PERIODS_KEPT, PeriodRing, periodsBefore } from '../../../backtest/period-ring.js';
import {
  DEFAULT_PRICING_CONFIG,
  parametersFor,
  pricingConfigSchema,
} from '../../../functions/domain/pricing-config.js';

const MINUTE = 60_000;
const START = Date.parse('2026-11-02T00:00:00.000Z');
const views = (count: number) => ({ views: count, carts: 0, purchases: 0, units: 0 });
const zero = views(0);

/** A ring with one count per minute for `minutes` minutes from START: minute i has i + 1 views. */
function filled(minutes: number): PeriodRing<ReturnType<typeof views>> {
  const ring = new PeriodRing<ReturnType<typeof views>>(MINUTE);
  for (let index = 0; index < minutes; index++) ring.set(START + index * MINUTE, views(index + 1));
  return ring;
}

describe('the backtest’s periods of a product', () => {
  it('keeps every period the longest baseline and span a policy may set reach back to', () => {
    // The config's bounds: 240 baseline periods before a span of 60, and the current one.
    const longest = pricingConfigSchema.parse({
      ...DEFAULT_PRICING_CONFIG,
      defaults: { ...DEFAULT_PRICING_CONFIG.defaults, baselinePeriods: 240, detectionSpans: [1, 60] },
    });
    const params = parametersFor(longest, 'any');
    const reach = params.baselinePeriods + Math.max(...params.detectionSpans);
    expect(reach).toBeLessThan(PERIODS_KEPT);
    expect(() =>
      pricingConfigSchema.parse({
        ...DEFAULT_PRICING_CONFIG,
        defaults: { ...DEFAULT_PRICING_CONFIG.defaults, baselinePeriods: 241 },
      }),
    ).toThrow();

    const ring = filled(reach + 1);
    const now = START + reach * MINUTE;
    const periods = periodsBefore(ring, MINUTE, now, reach);
    expect(periods).toHaveLength(reach);
    expect(periods[0]).toEqual(views(1));
    expect(periods.at(-1)).toEqual(views(reach));
  });

  it('reads a period it never had, or one more than PERIODS_KEPT back (its slot reused), as zeros', () => {
    const ring = filled(PERIODS_KEPT + 3);
    expect(ring.get(START)).toBeUndefined();
    expect(ring.get(START + 2 * MINUTE)).toBeUndefined();
    expect(ring.get(START + 3 * MINUTE)).toEqual(views(4));
    expect(ring.get(START - MINUTE)).toBeUndefined();
    expect(periodsBefore(ring, MINUTE, START + 3 * MINUTE, 2)).toEqual([zero, zero]);
    expect(periodsBefore(undefined, MINUTE, START, 3)).toEqual([zero, zero, zero]);
  });

  it('does not let a period older than PERIODS_KEPT take the slot of a newer one', () => {
    const ring = filled(PERIODS_KEPT + 1);
    ring.set(START, views(99));
    expect(ring.get(START)).toBeUndefined();
    expect(ring.get(START + PERIODS_KEPT * MINUTE)).toEqual(views(PERIODS_KEPT + 1));
  });

  it('gives the oldest first, with gaps as zeros, for any period length', () => {
    const window = 30_000;
    const ring = new PeriodRing<ReturnType<typeof views>>(window);
    ring.set(START, views(5));
    ring.set(START + 2 * window, views(7));
    expect(periodsBefore(ring, window, START + 3 * window, 4)).toEqual([zero, views(5), zero, views(7)]);
  });
});
