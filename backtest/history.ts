/**
 * Demand history, simulated: what the fast path's counters and the rich path's windows would hold
 * after the shop had traded for a while at usual demand. A fresh local stack is seeded with it, so
 * its demand evidence has a baseline from the start instead of ten minutes of warm-up.
 */
import type { AggregateRow } from '../functions/domain/aggregate.js';
import type { PeriodCounts } from '../functions/domain/demand-evidence.js';
import type { Product } from '../functions/domain/product.js';
import { buildScenario, scenarioCatalogueOf } from '../simulator/scenarios.js';
import { TrafficModel } from '../simulator/traffic-model.js';
import { FastPathCounts } from './fast-path-counts.js';
import { RichPathWindows } from './rich-path-windows.js';

const MINUTE_MS = 60_000;

export interface SimulatedHistory {
  /** Each product's counted events per minute, as the demand table holds them (quiet minutes left out). */
  readonly minutes: readonly { readonly productId: string; readonly minuteMs: number; readonly counts: PeriodCounts }[];
  /** The rich path's rows of every window, as the aggregates table holds them. */
  readonly rows: readonly AggregateRow[];
}

/** Steady traffic from `startMs` to `endMs` (whole minutes), counted as both paths count it. */
export async function simulateHistory(options: {
  readonly catalogue: readonly Product[];
  readonly seed: number;
  readonly rate: number;
  readonly startMs: number;
  readonly endMs: number;
}): Promise<SimulatedHistory> {
  const { catalogue, startMs, endMs } = options;
  if (startMs % MINUTE_MS !== 0 || endMs % MINUTE_MS !== 0 || endMs <= startMs) {
    throw new RangeError('history runs over whole minutes');
  }
  const scenario = buildScenario('steady', scenarioCatalogueOf(catalogue), options.seed);
  const model = new TrafficModel({
    seed: options.seed,
    startTime: startMs,
    eventsPerSecond: options.rate,
    catalogue,
    scenario,
    encode: false,
  });
  model.warmUp();
  const counts = new FastPathCounts();
  const windows = await RichPathWindows.create(MINUTE_MS);
  const rows: AggregateRow[] = [];
  const minutes: SimulatedHistory['minutes'][number][] = [];
  const products = catalogue.map((product) => ({
    productId: product.productId,
    category: product.category,
    inventory: product.inventory,
    price: product.price,
  }));
  try {
    for (let windowStart = startMs; windowStart < endMs; windowStart += MINUTE_MS) {
      const until = windowStart + MINUTE_MS - 0.001;
      for (let record = model.next(until); record !== null; record = model.next(until)) {
        const event = record.event;
        if (event === null) continue;
        windows.addClick(event);
        if (record.order) windows.addOrder(record.order);
        counts.count(event, record.atMs);
      }
      rows.push(...(await windows.close(windowStart, products)));
      // Each minute as it ends (every event counts in its own arrival minute): the counters keep
      // only the last few hours, and a history may be longer.
      for (const product of catalogue) {
        const period = counts.minute(product.productId, windowStart);
        if (period.views + period.carts + period.purchases + period.units > 0) {
          minutes.push({ productId: product.productId, minuteMs: windowStart, counts: period });
        }
      }
    }
  } finally {
    windows.dispose();
  }
  return { minutes, rows };
}
