import { describe, expect, it } from 'vitest';
import { parseClickEvent } from '../../../functions/domain/click-event.js';
import { zipfWeights } from '../../../simulator/distributions.js';
import { DEFAULT_FUNNEL, purchaseProbability } from '../../../simulator/funnel.js';
import type { SimulatedRecord } from '../../../simulator/records.js';
import { basePriceSource } from '../../../simulator/traffic-model.js';
import { arrivals, CATALOGUE, countByType, modelOf, START, scenarioOf, take, takeUntil } from './fixtures.js';

/**
 * Statistical expectations are checked on one fixed-seed run of 100,000 events in steady state: a
 * warm-up of 50 simulated minutes covers the longest pause (45 min), so sessions of every age are
 * present from the first record. Each tolerance is stated next to its check and is at least 3
 * standard errors wide for this sample size.
 */
const STEADY = modelOf({ seed: 11, eventsPerSecond: 100, warmupMs: 50 * 60_000 });
const RUN = take(STEADY, 100_000);
const COUNTS = countByType(RUN);

describe('traffic model: determinism', () => {
  it('gives the same records for the same seed and start, and different ones for another seed', () => {
    const first = take(modelOf({ seed: 3 }), 5_000);
    const again = take(modelOf({ seed: 3 }), 5_000);
    const other = take(modelOf({ seed: 4 }), 5_000);

    expect(again).toEqual(first);
    expect(other.map((record) => record.data)).not.toEqual(first.map((record) => record.data));
  });

  it('does not depend on how the caller slices time (realtime ticks and fast runs agree)', () => {
    const whole = takeUntil(modelOf({ seed: 5 }), 60_000);
    const sliced = modelOf({ seed: 5 });
    const pieces = [];
    for (let offset = 25; offset <= 60_000; offset += 25) pieces.push(...takeUntil(sliced, offset));

    expect(pieces.map((record) => record.data)).toEqual(whole.map((record) => record.data));
  });

  it('emits records in time order, from the start on, each event valid and keyed by its session', () => {
    let previous = START;
    for (const record of RUN.slice(0, 20_000)) {
      expect(record.atMs).toBeGreaterThanOrEqual(previous);
      previous = record.atMs;
      expect(record.kind).toBe('valid');
      const parsed = parseClickEvent(record.data);
      expect(parsed.ok ? parsed.value.sessionId : parsed.reason).toBe(record.partitionKey);
    }
    expect(new Set(RUN.map((record) => record.event?.eventId)).size).toBe(RUN.length);
  });
});

describe('traffic model: rate and arrivals', () => {
  const seconds = ((RUN.at(-1)?.atMs ?? START) - START) / 1000;

  it('sends the target rate of events per second (100/s, within 3 %)', () => {
    expect(RUN.length / seconds).toBeGreaterThan(97);
    expect(RUN.length / seconds).toBeLessThan(103);
  });

  it('brings sessions in as a Poisson process: exponential gaps (CV 1 ± 0.05), counts per second with variance ≈ mean (± 15 %)', () => {
    const times = arrivals(RUN).map((record) => record.atMs);
    const gaps = times.slice(1).map((time, index) => time - (times[index] as number));
    const mean = gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((sum, gap) => sum + (gap - mean) ** 2, 0) / gaps.length);
    expect(sd / mean).toBeGreaterThan(0.95);
    expect(sd / mean).toBeLessThan(1.05);

    const perSecond = new Array<number>(Math.floor(seconds)).fill(0);
    for (const time of times) {
      const second = Math.floor((time - START) / 1000);
      if (second < perSecond.length) perSecond[second] = (perSecond[second] as number) + 1;
    }
    const countMean = perSecond.reduce((sum, count) => sum + count, 0) / perSecond.length;
    const variance = perSecond.reduce((sum, count) => sum + (count - countMean) ** 2, 0) / (perSecond.length - 1);
    expect(variance / countMean).toBeGreaterThan(0.85);
    expect(variance / countMean).toBeLessThan(1.15);
  });
});

describe('traffic model: funnel', () => {
  const funnel = DEFAULT_FUNNEL;

  it(`precedes ${funnel.search * 100} % of product views with a search (± 0.02)`, () => {
    expect(Math.abs(COUNTS.search / COUNTS.product_view - funnel.search)).toBeLessThan(0.02);
  });

  it(`adds ${funnel.addToCart * 100} % of viewed products to the cart, less those already in it (0.108–0.124)`, () => {
    const ratio = COUNTS.add_to_cart / COUNTS.product_view;
    expect(ratio).toBeGreaterThan(0.108);
    expect(ratio).toBeLessThan(0.124);
  });

  it(`removes ${funnel.removeFromCart * 100} % of cart lines again (± 0.02)`, () => {
    expect(Math.abs(COUNTS.remove_from_cart / COUNTS.add_to_cart - funnel.removeFromCart)).toBeLessThan(0.02);
  });

  it('checks out (1 − remove) × checkout of the cart lines (0.495 ± 0.04)', () => {
    const expected = (1 - funnel.removeFromCart) * funnel.checkout;
    expect(Math.abs(COUNTS.checkout_start / COUNTS.add_to_cart - expected)).toBeLessThan(0.04);
  });

  it(`buys ${funnel.purchase * 100} % of checked-out lines at base prices (± 0.04)`, () => {
    expect(Math.abs(COUNTS.purchase / COUNTS.checkout_start - funnel.purchase)).toBeLessThan(0.04);
  });

  it(`lets ${funnel.bounce * 100} % of arriving sessions bounce after the landing page (± 0.03)`, () => {
    const bySession = new Map<string, number>();
    for (const record of RUN) bySession.set(record.partitionKey, (bySession.get(record.partitionKey) ?? 0) + 1);
    // Sessions that arrived in the first half, so the rest of their walk is inside the run.
    const half = START + (((RUN.at(-1)?.atMs ?? START) - START) * 1) / 2;
    const early = arrivals(RUN).filter((record) => record.atMs < half);
    const bounced = early.filter((record) => bySession.get(record.partitionKey) === 1).length;
    expect(Math.abs(bounced / early.length - funnel.bounce)).toBeLessThan(0.03);
  });

  it('orders every purchase at the price the shopper saw, one order per purchase event', () => {
    const purchases = RUN.filter((record) => record.event?.eventType === 'purchase');
    expect(purchases.length).toBe(COUNTS.purchase);
    for (const record of purchases) {
      expect(record.order).toMatchObject({
        productId: record.event?.productId,
        sessionId: record.event?.sessionId,
        quantity: record.event?.quantity,
        unitPrice: record.event?.priceSeen,
        orderedAt: record.event?.eventTime,
      });
    }
    expect(RUN.filter((record) => record.order !== null).length).toBe(purchases.length);
  });
});

describe('traffic model: popularity', () => {
  it('views products by a Zipf law within categories: log-log slope −1.1 ± 0.1, bestseller share ± 10 %', () => {
    const byRank = new Array<number>(24).fill(0);
    for (const record of RUN) {
      if (record.event?.eventType !== 'product_view') continue;
      const rank = STEADY.popularityRank(record.event.productId as string) as number;
      byRank[rank - 1] = (byRank[rank - 1] as number) + 1;
    }
    const xs = byRank.map((_, index) => Math.log(index + 1));
    const ys = byRank.map((count) => Math.log(count));
    const meanX = xs.reduce((sum, x) => sum + x, 0) / xs.length;
    const meanY = ys.reduce((sum, y) => sum + y, 0) / ys.length;
    const slope =
      xs.reduce((sum, x, index) => sum + (x - meanX) * ((ys[index] as number) - meanY), 0) /
      xs.reduce((sum, x) => sum + (x - meanX) ** 2, 0);
    expect(Math.abs(slope - -1.1)).toBeLessThan(0.1);

    const views = byRank.reduce((sum, count) => sum + count, 0);
    const expectedTopShare = zipfWeights(24, 1.1)[0] as number;
    expect(Math.abs((byRank[0] as number) / views / expectedTopShare - 1)).toBeLessThan(0.1);
  });
});

describe('traffic model: elasticity', () => {
  it('lowers the purchase chance as the price rises above base, raises it below, and caps it', () => {
    const base = 10_000;
    expect(purchaseProbability(DEFAULT_FUNNEL, base, base)).toBe(DEFAULT_FUNNEL.purchase);
    expect(purchaseProbability(DEFAULT_FUNNEL, base, 11_000)).toBeCloseTo(0.7 * 1.1 ** -2.5, 10);
    expect(purchaseProbability(DEFAULT_FUNNEL, base, 12_500)).toBeLessThan(
      purchaseProbability(DEFAULT_FUNNEL, base, 11_000),
    );
    expect(purchaseProbability(DEFAULT_FUNNEL, base, 9_000)).toBeGreaterThan(DEFAULT_FUNNEL.purchase);
    expect(purchaseProbability(DEFAULT_FUNNEL, base, 1_000)).toBeLessThan(1);
  });

  it('feeds prices back into demand: at 1.25 × base, 0.7 × 1.25^−2.5 ≈ 40 % of checkouts buy (± 0.05), at the price seen', () => {
    const base = basePriceSource(CATALOGUE);
    const raised = { priceOf: (productId: string) => Math.round(base.priceOf(productId) * 1.25) };
    const run = take(modelOf({ seed: 11, prices: raised, warmupMs: 50 * 60_000 }), 60_000);
    const counts = countByType(run);

    expect(Math.abs(counts.purchase / counts.checkout_start - 0.7 * 1.25 ** -2.5)).toBeLessThan(0.05);
    for (const record of run.filter((candidate) => candidate.order !== null)) {
      expect(record.order?.unitPrice).toBe(raised.priceOf(record.order?.productId as string));
    }
  });
});

describe('traffic model: sessions', () => {
  it('never lets a session go 30 minutes without an event: a shopper back later carries on in a new session', () => {
    // Every gap a long pause (5–45 min), so many walks are cut into several sessions.
    const model = modelOf({ seed: 2, eventsPerSecond: 5, funnel: { longPause: 1 }, warmupMs: 60 * 60_000 });
    const run = takeUntil(model, 2 * 60 * 60_000);
    const sessions = new Map<string, SimulatedRecord[]>();
    for (const record of run) {
      const events = sessions.get(record.partitionKey) ?? [];
      events.push(record);
      sessions.set(record.partitionKey, events);
    }
    let longestGap = 0;
    for (const events of sessions.values()) {
      for (let index = 1; index < events.length; index++) {
        longestGap = Math.max(
          longestGap,
          (events[index] as SimulatedRecord).atMs - (events[index - 1] as SimulatedRecord).atMs,
        );
      }
    }
    expect(longestGap).toBeLessThan(DEFAULT_FUNNEL.inactivityTimeoutMs);
    expect(longestGap).toBeGreaterThan(5 * 60_000);
    // A fresh arrival browses after landing; a returning shopper lands, then picks up where they were.
    const resumed = [...sessions.values()].filter(
      (events) =>
        events[0]?.event?.eventType === 'page_view' &&
        ['add_to_cart', 'remove_from_cart', 'checkout_start', 'purchase'].includes(events[1]?.event?.eventType ?? ''),
    );
    expect(resumed.length).toBeGreaterThan(0);
  });
});

describe('traffic model: the same shoppers under other prices (common random numbers)', () => {
  const dearer = { priceOf: (productId: string) => Math.round((baseOf(productId) ?? 0) * 1.25) };
  const atBase = takeUntil(modelOf({ seed: 21 }), 20 * 60_000);
  const atDearer = takeUntil(modelOf({ seed: 21, prices: dearer }), 20 * 60_000);
  const bought = (records: readonly SimulatedRecord[]) =>
    new Set(
      records.filter((r) => r.event?.eventType === 'purchase').map((r) => `${r.partitionKey}|${r.event?.productId}`),
    );

  it('browses exactly as before: every event but the purchases is the same, at the same time', () => {
    const browsing = (records: readonly SimulatedRecord[]) =>
      records
        .filter((record) => record.event?.eventType !== 'purchase')
        .map((record) => [record.atMs, record.event?.eventId, record.event?.eventType, record.event?.productId]);
    expect(browsing(atDearer)).toEqual(browsing(atBase));
  });

  it('buys only what it bought at the lower prices, and fewer of them (1.25^−2.5 ≈ 0.57 of them, ± 0.08)', () => {
    const cheap = bought(atBase);
    const dear = bought(atDearer);
    for (const line of dear) expect(cheap.has(line)).toBe(true);
    expect(dear.size / cheap.size).toBeGreaterThan(1.25 ** -2.5 - 0.08);
    expect(dear.size / cheap.size).toBeLessThan(1.25 ** -2.5 + 0.08);
  });
});

describe('traffic model: stock', () => {
  it('sells only what the stock source lets go, and counts the purchases that found it sold out', () => {
    const left = new Map(CATALOGUE.map((product) => [product.productId, 2]));
    const stock = {
      take(productId: string, quantity: number) {
        const available = left.get(productId) ?? 0;
        if (available < quantity) return false;
        left.set(productId, available - quantity);
        return true;
      },
    };
    const model = modelOf({ seed: 5, stock, warmupMs: 0 });
    const records = takeUntil(model, 30 * 60_000);
    const units = new Map<string, number>();
    for (const record of records) {
      if (record.event?.eventType !== 'purchase') continue;
      const productId = record.event.productId as string;
      units.set(productId, (units.get(productId) ?? 0) + (record.event.quantity ?? 0));
    }
    for (const sold of units.values()) expect(sold).toBeLessThanOrEqual(2);
    expect(model.stats().lostPurchases).toBeGreaterThan(0);
    expect(model.stats().lostUnits).toBeGreaterThanOrEqual(model.stats().lostPurchases);
  });
});

describe('traffic model: ground truth', () => {
  it('knows each product’s true arrival multiplier: ×10 for the sale’s category during the sale, 1 elsewhere', () => {
    const scenario = scenarioOf('flash-sale', 3, { flashSale: { startSeconds: 60, durationSeconds: 120 } });
    const model = modelOf({ seed: 3, scenario });
    const inSale = CATALOGUE.find((product) => product.category === scenario.flashSale?.category)?.productId as string;
    const outside = CATALOGUE.find((product) => product.category !== scenario.flashSale?.category)?.productId as string;
    expect([30_000, 90_000, 200_000].map((at) => model.trueMultiplier(inSale, at))).toEqual([1, 10, 1]);
    expect(model.trueMultiplier(outside, 90_000)).toBe(1);
  });

  it('expects each product’s unit sales at base prices from its share of views (all products within 10 %, a bestseller within 15 %)', () => {
    const model = modelOf({ seed: 11, warmupMs: 50 * 60_000 });
    const minutes = 120;
    const sold = new Map<string, number>();
    for (const record of takeUntil(model, minutes * 60_000)) {
      if (record.event?.eventType !== 'purchase') continue;
      const productId = record.event.productId as string;
      sold.set(productId, (sold.get(productId) ?? 0) + (record.event.quantity ?? 0));
    }
    const expected = (productId: string) => model.expectedUnitsPerMinute(productId) * minutes;
    const total = [...sold.values()].reduce((sum, units) => sum + units, 0);
    const expectedTotal = CATALOGUE.reduce((sum, product) => sum + expected(product.productId), 0);
    expect(total / expectedTotal).toBeGreaterThan(0.9);
    expect(total / expectedTotal).toBeLessThan(1.1);
    const bestseller = [...sold.entries()].sort((a, b) => b[1] - a[1])[0] as [string, number];
    expect(bestseller[1] / expected(bestseller[0])).toBeGreaterThan(0.85);
    expect(bestseller[1] / expected(bestseller[0])).toBeLessThan(1.15);
  });
});

function baseOf(productId: string): number | undefined {
  return CATALOGUE.find((product) => product.productId === productId)?.basePrice;
}
