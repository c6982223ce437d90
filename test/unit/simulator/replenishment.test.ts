import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REPLENISHMENT,
  deliveriesBetween,
  deliveryFor,
  replenishmentPlan,
  restockLevel,
} from '../../../simulator/replenishment.js';

describe('replenishment', () => {
  it('stocks up to a cycle plus an hour of expected sales, scaled by the supply share', () => {
    expect(restockLevel(2, DEFAULT_REPLENISHMENT)).toBe(600);
    expect(restockLevel(2, replenishmentPlan({ supplyShare: 0.6 }))).toBe(360);
    expect(restockLevel(0.001, DEFAULT_REPLENISHMENT)).toBe(1);
  });

  it('delivers what is missing up to the level, never taking stock away', () => {
    expect(deliveryFor(150, 600)).toBe(450);
    expect(deliveryFor(800, 600)).toBe(0);
  });

  it('delivers every everyMinutes, each delivery once across consecutive intervals', () => {
    const plan = replenishmentPlan({ everyMinutes: 60 });
    const hour = 3_600_000;
    expect(deliveriesBetween(-1, 0, plan)).toEqual([0]);
    expect(deliveriesBetween(0, 3 * hour, plan)).toEqual([hour, 2 * hour, 3 * hour]);
    expect(deliveriesBetween(hour, hour + 1, plan)).toEqual([]);
  });

  it('refuses a plan that is not one', () => {
    expect(() => replenishmentPlan({ everyMinutes: 0 })).toThrow(/everyMinutes/);
    expect(() => replenishmentPlan({ supplyShare: 1.5 })).toThrow(/supplyShare/);
  });
});
