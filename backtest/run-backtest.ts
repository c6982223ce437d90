/**
 * A closed-loop backtest: the simulator's shoppers, the fast path's counters and evidence, the rich
 * path's SQL (DuckDB) and evidence, and the pricing policy, all in simulated time in one process,
 * with shoppers meeting the prices the policy sets and buying from stock that runs out and is
 * restocked. The same run with fixed prices is the counterfactual (`pricing: 'fixed'`): with the
 * same seed its shoppers browse exactly as the policy's do (see TrafficModel), so the difference is
 * the policy's.
 *
 * Cadence, as deployed: the fast path judges each second's events (Lambda's batching window is 1 s)
 * and reads the evidence of every product they touched; the rich path aggregates each 60 s window
 * when it closes and prices every product with a row. Decisions take effect at once.
 */
import { filledFraction, type PreparedEvidence, prepareEvidence } from '../functions/domain/demand-evidence.js';
import type { PricingConfig } from '../functions/domain/pricing-config.js';
import { type CategoryParameters, parametersFor } from '../functions/domain/pricing-config.js';
import type { Product } from '../functions/domain/product.js';
import { toIso } from '../functions/domain/time.js';
import type { SimulatedRecord } from '../simulator/records.js';
import { type ReplenishmentPlan, replenishmentPlan } from '../simulator/replenishment.js';
import {
  buildScenario,
  type Scenario,
  type ScenarioName,
  type ScenarioParameters,
  scenarioCatalogueOf,
} from '../simulator/scenarios.js';
import { TrafficModel } from '../simulator/traffic-model.js';
import { FastPathCounts } from './fast-path-counts.js';
import { type Economics, Market } from './market.js';
import { OraclePrices } from './oracle-prices.js';
import { type BacktestChange, PricingDesk } from './pricing-desk.js';
import { RichPathWindows } from './rich-path-windows.js';

const SECOND_MS = 1_000;
const MINUTE_MS = 60_000;

export interface BacktestOptions {
  readonly scenario: ScenarioName;
  readonly scenarioParameters?: ScenarioParameters;
  readonly hours: number;
  readonly seed: number;
  readonly catalogue: readonly Product[];
  /** Valid shopper events per second at multiplier 1. @default 100 */
  readonly rate?: number;
  /** The policy's config; ignored for fixed prices. */
  readonly config: PricingConfig;
  /** `oracle`: the yardstick of oracle-prices.ts, which knows the future. */
  readonly pricing: 'policy' | 'fixed' | 'oracle';
  readonly replenishment?: Partial<ReplenishmentPlan>;
  /** Simulated start. @default 2026-11-02T00:00:00Z (a Monday) */
  readonly startTime?: number;
  /** Minutes at which to record every product's price (for charts). @default none */
  readonly samplePricesEveryMinutes?: number;
}

export interface PriceSample {
  readonly offsetMs: number;
  readonly prices: Readonly<Record<string, number>>;
  readonly inventory: Readonly<Record<string, number>>;
}

export interface ArmResult {
  readonly pricing: BacktestOptions['pricing'];
  readonly economics: Economics;
  readonly changes: readonly BacktestChange[];
  readonly decisions: number;
  readonly events: number;
  readonly samples: readonly PriceSample[];
  readonly seconds: number;
}

/** The run's fixed parts: its scenario, model and shop, for the caller that judges it too. */
export interface BacktestWorld {
  readonly scenario: Scenario;
  readonly model: TrafficModel;
  readonly market: Market;
  readonly startTime: number;
  readonly durationMs: number;
}

export const DEFAULT_START = Date.parse('2026-11-02T00:00:00.000Z');

/** Builds the scenario, the shoppers and the shop a run (or its counterfactual) takes place in. */
export function buildWorld(options: BacktestOptions): BacktestWorld {
  const startTime = options.startTime ?? DEFAULT_START;
  const durationMs = options.hours * 3_600_000;
  const catalogue = options.catalogue;
  const scenario = buildScenario(options.scenario, scenarioCatalogueOf(catalogue), options.seed, {
    ...options.scenarioParameters,
    durationMs,
  });
  // The shop's prices and stock are the model's price and stock sources: made first, planned after.
  const market = new Market(
    catalogue,
    replenishmentPlan({ ...options.replenishment, supplyShare: scenario.supplyShare }),
  );
  const model = new TrafficModel({
    seed: options.seed,
    startTime,
    eventsPerSecond: options.rate ?? 100,
    catalogue,
    prices: market,
    stock: market,
    scenario,
    encode: false,
  });
  market.planStock((productId) => model.expectedUnitsPerMinute(productId));
  return { scenario, model, market, startTime, durationMs };
}

/** Runs one arm of a backtest in its world; the world's market and model are used up by it. */
export async function runArm(options: BacktestOptions, world: BacktestWorld): Promise<ArmResult> {
  const started = performance.now();
  const { model, market, startTime, durationMs } = world;
  market.deliverUntil(0);
  model.warmUp();
  const policy = options.pricing === 'policy';
  const desk = policy ? new PricingDesk(options.catalogue, options.config, market, startTime) : null;
  const parameters = new ParametersByCategory(options.config);
  const counts = policy ? new FastPathCounts() : null;
  const windows = policy ? await RichPathWindows.create(MINUTE_MS) : null;
  const fastPath = policy
    ? new FastPathEvaluator(parameters, options.catalogue, counts as FastPathCounts, desk as PricingDesk)
    : null;
  const oracle = options.pricing === 'oracle' ? new OraclePrices(options.catalogue, model, market) : null;
  oracle?.setPrices(0);
  const samples: PriceSample[] = [];
  const sampleEvery = (options.samplePricesEveryMinutes ?? 0) * MINUTE_MS;
  let events = 0;
  const touched = new Map<string, number>();
  try {
    for (let second = 1; second * SECOND_MS <= durationMs; second++) {
      const until = startTime + second * SECOND_MS;
      touched.clear();
      for (let record = model.next(until - 0.001); record !== null; record = model.next(until - 0.001)) {
        events++;
        const event = accept(record);
        if (event === null) continue;
        if (record.order) market.recordOrder(record.order);
        if (!policy) continue;
        windows?.addClick(event);
        if (record.order) windows?.addOrder(record.order);
        // A generated event's time is its record's; a producer's duplicate keeps the original's.
        const eventTimeMs = record.kind === 'duplicate' ? Date.parse(event.eventTime) : record.atMs;
        const productId = counts?.count(event, eventTimeMs);
        // The product's latest event time, as the handler keeps its latest minute of a batch: records
        // come in time order, but a producer's duplicate keeps its original's earlier time.
        if (productId && (record.kind !== 'duplicate' || !touched.has(productId))) touched.set(productId, eventTimeMs);
      }
      const offset = second * SECOND_MS;
      market.deliverUntil(offset);
      if (fastPath) fastPath.evaluate(touched, until);
      if (offset % MINUTE_MS === 0) {
        market.sampleSoldOut();
        oracle?.setPrices(offset);
        if (windows && desk) await closeWindow(windows, desk, parameters, options, market, until - MINUTE_MS);
      }
      if (sampleEvery > 0 && offset % sampleEvery === 0) samples.push(sampleOf(market, options.catalogue, offset));
    }
  } finally {
    windows?.dispose();
  }
  return {
    pricing: options.pricing,
    economics: market.economics(),
    changes: desk?.changes ?? [],
    decisions: desk?.decisions ?? 0,
    events,
    samples,
    seconds: (performance.now() - started) / 1000,
  };
}

/** A record's event if a consumer counts it (bad records go to quarantine and count nowhere). */
function accept(record: SimulatedRecord) {
  return record.kind === 'valid' || record.kind === 'bot' || record.kind === 'duplicate' ? record.event : null;
}

/** The rich path at a window's close: the SQL's rows, each priced against the product's earlier windows. */
async function closeWindow(
  windows: RichPathWindows,
  desk: PricingDesk,
  parameters: ParametersByCategory,
  options: BacktestOptions,
  market: Market,
  startMs: number,
): Promise<void> {
  const products = options.catalogue.map((product) => ({
    productId: product.productId,
    category: product.category,
    inventory: market.inventoryOf(product.productId),
    price: market.priceOf(product.productId),
  }));
  const rows = await windows.close(startMs, products);
  const windowEnd = toIso(startMs + windows.windowMs);
  for (const row of rows) {
    const periods = windows.windowsBefore(row.productId, startMs, parameters.of(row.category).lookback - 1);
    periods.push({ views: row.views, carts: row.carts, purchases: row.purchases, units: row.units });
    desk.decide(
      row.productId,
      windowEnd,
      'rich-path',
      { demand: { source: 'windows', periodSeconds: windows.windowMs / 1000, periods, lastPeriodFraction: 1 } },
      `agg:${row.productId}:${row.windowStart}`,
    );
  }
}

/**
 * The fast path's pricing step: for each product a second's events touched, the evidence of its
 * minutes (prepared once a minute, as the handler reads a product's earlier minutes once a minute),
 * and a decision only on a significant rise, as processClickRecords does.
 */
class FastPathEvaluator {
  private readonly prepared = new Map<string, { minuteMs: number; evidence: PreparedEvidence }>();
  /** The product's category (the fast path reads it off the product's events). */
  private readonly categories: ReadonlyMap<string, string>;

  constructor(
    private readonly parameters: ParametersByCategory,
    catalogue: readonly Product[],
    private readonly counts: FastPathCounts,
    private readonly desk: PricingDesk,
  ) {
    this.categories = new Map(catalogue.map((product) => [product.productId, product.category]));
  }

  evaluate(touched: ReadonlyMap<string, number>, nowMs: number): void {
    for (const [productId, eventTimeMs] of touched) {
      const category = this.categories.get(productId);
      if (category === undefined) continue;
      const { params, lookback } = this.parameters.of(category);
      // The handler's cooldown memory: a product in its cooldown is not even read.
      if (this.desk.lastChangeMs(productId) + params.cooldownSeconds * 1000 > nowMs) continue;
      // As the handler: the latest minute, or the current one if an event was stamped ahead of now.
      const minuteMs = Math.floor(Math.min(eventTimeMs, nowMs) / MINUTE_MS) * MINUTE_MS;
      let entry = this.prepared.get(productId);
      if (entry === undefined || entry.minuteMs !== minuteMs) {
        const earlier = this.counts.minutesBefore(productId, minuteMs, lookback - 1);
        entry = { minuteMs, evidence: prepareEvidence('minutes', 60, earlier, null, params) };
        this.prepared.set(productId, entry);
      }
      const current = this.counts.minute(productId, minuteMs);
      const fraction = filledFraction(minuteMs, nowMs, MINUTE_MS);
      if (fraction === null) continue;
      // The screen first: most seconds of most products cannot be a rise, and a tail costs a continued fraction.
      if (!entry.evidence.mayRise(current, fraction)) continue;
      const evidence = entry.evidence.assess(current, fraction);
      if (evidence.kind !== 'assessed' || evidence.direction !== 'up') continue;
      const periods = [...this.counts.minutesBefore(productId, minuteMs, lookback - 1), current];
      this.desk.decide(
        productId,
        toIso(nowMs),
        'fast-path',
        { demand: { source: 'minutes', periodSeconds: 60, periods, lastPeriodFraction: fraction } },
        `fast:${productId}:${nowMs}`,
      );
    }
  }
}

/**
 * A category's parameters and how many periods its evidence reads (the baseline and the longest
 * span), merged once per run: the config does not change during one, and the fast path asks each
 * second for every product touched.
 */
class ParametersByCategory {
  private readonly merged = new Map<string, { params: CategoryParameters; lookback: number }>();

  constructor(private readonly config: PricingConfig) {}

  of(category: string): { readonly params: CategoryParameters; readonly lookback: number } {
    let entry = this.merged.get(category);
    if (entry === undefined) {
      const params = parametersFor(this.config, category);
      entry = { params, lookback: params.baselinePeriods + Math.max(...params.detectionSpans) };
      this.merged.set(category, entry);
    }
    return entry;
  }
}

function sampleOf(market: Market, catalogue: readonly Product[], offsetMs: number): PriceSample {
  const prices: Record<string, number> = {};
  const inventory: Record<string, number> = {};
  for (const product of catalogue) {
    prices[product.productId] = market.priceOf(product.productId);
    inventory[product.productId] = market.inventoryOf(product.productId);
  }
  return { offsetMs, prices, inventory };
}
