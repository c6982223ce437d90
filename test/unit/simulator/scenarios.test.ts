import { describe, expect, it } from 'vitest';
import { parseClickEvent } from '../../../functions/domain/click-event.js';
import { InvalidSimulationOptionError } from '../../../simulator/errors.js';
import type { SimulatedRecord } from '../../../simulator/records.js';
import { arrivals, CATALOGUE, modelOf, START, scenarioOf, takeUntil } from './fixtures.js';

/** Arrivals per second of one category (or all) inside [fromMs, toMs) after the start. */
function arrivalRate(records: readonly SimulatedRecord[], fromMs: number, toMs: number, category?: string) {
  const count = arrivals(records).filter(
    (record) =>
      record.atMs >= START + fromMs &&
      record.atMs < START + toMs &&
      (category === undefined || record.event?.category === category),
  ).length;
  return count / ((toMs - fromMs) / 1000);
}

describe('scenario: steady', () => {
  it('keeps arrivals flat: the second half within 10 % of the first', () => {
    const run = takeUntil(modelOf({ seed: 21, eventsPerSecond: 400 }), 60_000);
    expect(arrivalRate(run, 30_000, 60_000) / arrivalRate(run, 0, 30_000)).toBeGreaterThan(0.9);
    expect(arrivalRate(run, 30_000, 60_000) / arrivalRate(run, 0, 30_000)).toBeLessThan(1.1);
  });
});

describe('scenario: flash-sale', () => {
  const scenario = scenarioOf('flash-sale', 21, { flashSale: { startSeconds: 20, durationSeconds: 30 } });
  const sale = scenario.flashSale;
  const run = takeUntil(modelOf({ seed: 21, eventsPerSecond: 400, scenario }), 60_000);

  it('multiplies one category’s arrivals by 10 during the sale (8–12), and only during it', () => {
    const category = sale?.category as string;
    const before = arrivalRate(run, 0, 20_000, category);
    const during = arrivalRate(run, 20_000, 50_000, category);
    const after = arrivalRate(run, 52_000, 60_000, category);
    expect(during / before).toBeGreaterThan(8);
    expect(during / before).toBeLessThan(12);
    expect(after / before).toBeLessThan(2);
  });

  it('leaves the other categories’ arrivals alone (within 15 %)', () => {
    const others = [...new Set(CATALOGUE.map((product) => product.category))].filter((c) => c !== sale?.category);
    const count = (from: number, to: number) =>
      others.reduce((sum, category) => sum + arrivalRate(run, from, to, category), 0);
    expect(count(20_000, 50_000) / count(0, 20_000)).toBeGreaterThan(0.85);
    expect(count(20_000, 50_000) / count(0, 20_000)).toBeLessThan(1.15);
  });

  it('picks the category from the seed unless one is given, and refuses one not in the catalogue', () => {
    expect(scenarioOf('flash-sale', 21).flashSale?.category).toBe(sale?.category);
    expect(scenarioOf('flash-sale', 21, { flashSale: { category: 'books' } }).flashSale?.category).toBe('books');
    expect(() => scenarioOf('flash-sale', 21, { flashSale: { category: 'yachts' } })).toThrow(
      InvalidSimulationOptionError,
    );
  });
});

describe('scenario: black-friday', () => {
  const scenario = scenarioOf('black-friday', 5, { durationMs: 240_000 });

  it('ramps all traffic from ×1 to ×10 over the ramp, then swings between ×10 and ×20', () => {
    expect(scenario.trafficMultiplier(0)).toBe(1);
    expect(scenario.trafficMultiplier(60_000)).toBeCloseTo(10, 6);
    const after = Array.from({ length: 240 }, (_, second) => scenario.trafficMultiplier(60_000 + second * 1000));
    expect(Math.min(...after)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...after)).toBeLessThanOrEqual(20);
    expect(Math.max(...after)).toBeGreaterThan(19.9);
  });

  it('begins at its start: usual traffic before it, the same ramp and waves after it', () => {
    const later = scenarioOf('black-friday', 5, { durationMs: 3_840_000, blackFriday: { startSeconds: 3_600 } });
    expect(later.trafficMultiplier(0)).toBe(1);
    expect(later.trafficMultiplier(3_600_000)).toBe(1);
    // The ramp fits the quarter of the run after the start, as it fits a quarter of a run from 0.
    expect(later.trafficMultiplier(3_630_000)).toBeCloseTo(scenario.trafficMultiplier(30_000), 9);
    for (let second = 0; second <= 240; second += 7) {
      expect(later.trafficMultiplier(3_600_000 + second * 1000)).toBeCloseTo(
        scenario.trafficMultiplier(second * 1000),
        9,
      );
    }
    expect(later.description).toMatch(/^from 3600 s, all traffic ramps/);
  });

  it('refuses a start before the run', () => {
    expect(() => scenarioOf('black-friday', 5, { blackFriday: { startSeconds: -1 } })).toThrow(/black-friday start/);
  });

  it('brings 10–20 times the sessions once ramped up', () => {
    const run = takeUntil(modelOf({ seed: 5, eventsPerSecond: 50, scenario }), 120_000);
    const ratio = arrivalRate(run, 60_000, 120_000) / arrivalRate(run, -1, 10_000);
    expect(ratio).toBeGreaterThan(8);
    expect(ratio).toBeLessThan(22);
  });
});

describe('scenario: bot-attack', () => {
  const scenario = scenarioOf('bot-attack', 9, { botAttack: { startSeconds: 5, sessions: 4 } });
  const run = takeUntil(modelOf({ seed: 9, eventsPerSecond: 100, scenario }), 150_000);
  const bots = run.filter((record) => record.kind === 'bot');

  it('floods the chosen products with views and cart adds from a few sessions, never buying', () => {
    const targets = new Set(scenario.bots?.productIds);
    expect(targets.size).toBe(3);
    expect(bots.length).toBeGreaterThan(1000);
    for (const record of bots) {
      expect(['product_view', 'add_to_cart']).toContain(record.event?.eventType);
      expect(targets.has(record.event?.productId as string)).toBe(true);
      expect(parseClickEvent(record.data).ok).toBe(true);
      expect(record.order).toBeNull();
    }
    expect(bots[0]?.atMs).toBeGreaterThanOrEqual(START + 5_000);
  });

  it('fires more than 200 events per minute in every bot session, and rotates session ids', () => {
    const bySession = new Map<string, number[]>();
    for (const record of bots)
      bySession.set(record.partitionKey, [...(bySession.get(record.partitionKey) ?? []), record.atMs]);
    // 145 s of attack with 60 s sessions: each of the 4 slots rotates at least twice.
    expect(bySession.size).toBeGreaterThanOrEqual(12);
    for (const times of bySession.values()) {
      if (times.length < 10) continue; // a session cut by the end of the run
      const minutes = ((times.at(-1) as number) - (times[0] as number)) / 60_000;
      expect((times.length - 1) / minutes).toBeGreaterThan(200);
    }
  });

  it('does not change a single shopper event (bots draw from their own generator)', () => {
    const steady = takeUntil(modelOf({ seed: 9, eventsPerSecond: 100 }), 150_000);
    const shoppers = run.filter((record) => record.kind === 'valid');
    // Session numbers are shared with bots, so compare what the shoppers did, not their ids.
    const shape = (records: readonly SimulatedRecord[]) =>
      records.map((record) => `${record.atMs} ${record.event?.eventType} ${record.event?.productId ?? ''}`);
    expect(shape(shoppers)).toEqual(shape(steady));
  });

  it('attacks the products it is given and refuses unknown ones', () => {
    const chosen = scenarioOf('bot-attack', 9, { botAttack: { productIds: ['P00001'] } });
    expect(chosen.bots?.productIds).toEqual(['P00001']);
    expect(() => scenarioOf('bot-attack', 9, { botAttack: { productIds: ['NOPE'] } })).toThrow(/NOPE/);
  });
});

describe('scenario: sustained-shift', () => {
  const scenario = scenarioOf('sustained-shift', 8, { sustainedShift: { startSeconds: 30, durationSeconds: 30 } });
  const shift = scenario.shift;
  const run = takeUntil(modelOf({ seed: 8, eventsPerSecond: 400, scenario }), 90_000);

  it('doubles one category’s arrivals while it lasts (1.6–2.4), then brings them back', () => {
    const category = shift?.category as string;
    const before = arrivalRate(run, 0, 30_000, category);
    expect(arrivalRate(run, 30_000, 60_000, category) / before).toBeGreaterThan(1.6);
    expect(arrivalRate(run, 30_000, 60_000, category) / before).toBeLessThan(2.4);
    expect(arrivalRate(run, 60_000, 90_000, category) / before).toBeLessThan(1.3);
  });

  it('starts after an hour of usual demand and lasts two hours unless told otherwise', () => {
    expect(scenarioOf('sustained-shift', 8).shift).toMatchObject({
      startMs: 3_600_000,
      endMs: 3 * 3_600_000,
      multiplier: 2,
    });
    expect(scenarioOf('sustained-shift', 8).supplyShare).toBe(1);
  });
});

describe('scenario: scarce-stock', () => {
  it('keeps steady traffic and has the supplier deliver 60 % of the usual restock', () => {
    const scenario = scenarioOf('scarce-stock', 4);
    expect(scenario).toMatchObject({ supplyShare: 0.6, shift: null, flashSale: null, peakMultiplier: 1 });
    expect(scenarioOf('scarce-stock', 4, { scarceStock: { supplyShare: 0.3 } }).supplyShare).toBe(0.3);
    expect(() => scenarioOf('scarce-stock', 4, { scarceStock: { supplyShare: 0 } })).toThrow(
      InvalidSimulationOptionError,
    );
  });
});
