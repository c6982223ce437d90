import fc from 'fast-check';
import type { DemandObservation, DemandReference, PeriodCounts } from '../../../functions/domain/demand-evidence.js';
import {
  type CategoryParameters,
  type PricingConfig,
  pricingConfigSchema,
} from '../../../functions/domain/pricing-config.js';
import { DEFAULT_CATEGORY_PARAMETERS } from '../../../functions/domain/pricing-defaults.js';
import type { PriceDecision, PricedProduct, PricingSignals } from '../../../functions/domain/pricing-policy.js';
import { toEpochMs, toIso } from '../../../functions/domain/time.js';

/** Noon on a fixed day: every example decides at this instant unless it says otherwise. */
export const NOW = '2026-11-21T12:00:00.000Z';

export const DEFAULTS: CategoryParameters = { ...DEFAULT_CATEGORY_PARAMETERS };

/** A valid product at base price 19.99 with room both ways, ample stock, no known cost, never changed, not frozen. */
export function aProduct(overrides: Partial<PricedProduct> = {}): PricedProduct {
  return {
    productId: 'sku-1',
    category: 'electronics',
    price: 1999,
    basePrice: 1999,
    floor: 1499,
    ceiling: 2999,
    // Plenty: at the examples' sales rate (100 units a period) this lasts over 16 hours.
    inventory: 100_000,
    freeze: null,
    lastChangeAt: null,
    ...overrides,
  };
}

/** A config built through the schema, as the config table's content would be. */
export function aConfig(
  input: { killSwitch?: boolean; shadowMode?: boolean; defaults?: Partial<CategoryParameters> } = {},
): PricingConfig {
  return pricingConfigSchema.parse(input);
}

/** What each period of an observation holds at `rate` views: carts, purchases and units follow. */
export interface ObservationShape {
  /** Views per period before the recent span. */
  readonly rate: number;
  /** The recent span's counts as a multiple of the rate (1: steady). @default 1 */
  readonly factor?: number;
  /** Periods the factor applies to, at the end. @default 10 */
  readonly recentPeriods?: number;
  /** Periods before the recent span. @default 70 */
  readonly history?: number;
  /** Purchases and units per view; 0 for clicks only. @default 0.01 */
  readonly orderShare?: number;
  /** Units per period, whatever the rate (for cover). @default as orderShare gives */
  readonly unitsPerPeriod?: number;
  readonly source?: DemandObservation['source'];
  /** How much of the last period has passed; its counts are that share of a whole period's. @default 1 */
  readonly lastPeriodFraction?: number;
}

/**
 * An observation with no noise: every period exactly at its rate, so the evidence is deterministic
 * (large rates make small ratios significant, for examples of the price arithmetic).
 */
export function observed(shape: ObservationShape): PricingSignals {
  const { rate, factor = 1, recentPeriods = 10, history = 70, orderShare = 0.01 } = shape;
  const period = (scale: number): PeriodCounts => {
    const views = Math.round(rate * scale);
    // A given unit rate is one unit per purchase.
    const purchases =
      shape.unitsPerPeriod === undefined ? Math.round(views * orderShare) : Math.round(shape.unitsPerPeriod * scale);
    return { views, carts: Math.round(views / 10), purchases, units: purchases };
  };
  const fraction = shape.lastPeriodFraction ?? 1;
  const periods = [
    ...Array.from({ length: history }, () => period(1)),
    ...Array.from({ length: recentPeriods }, (_, index) =>
      period(factor * (index === recentPeriods - 1 ? fraction : 1)),
    ),
  ];
  return {
    demand: {
      source: shape.source ?? 'windows',
      periodSeconds: 60,
      periods,
      lastPeriodFraction: fraction,
    },
  };
}

/** Steady demand at a busy product's rate, with orders. */
export const STEADY = observed({ rate: 10_000 });

/** The price a decision leaves the product at. */
export function priceAfter(product: PricedProduct, decision: PriceDecision): number {
  return decision.kind === 'change' ? decision.newPrice : product.price;
}

/** The price a decision sets or, in shadow mode, would set. */
export function proposedPrice(product: PricedProduct, decision: PriceDecision): number {
  if (decision.kind === 'change') return decision.newPrice;
  return decision.proposed?.newPrice ?? product.price;
}

// ---- fast-check arbitraries ------------------------------------------------------------------------

/** A demand move's reference, from minutes to hours old. */
const referenceArb: fc.Arbitrary<DemandReference> = fc.record({
  periods: fc.integer({ min: 5, max: 60 }),
  periodSeconds: fc.constant(60),
  views: fc.integer({ min: 0, max: 20_000 }),
  carts: fc.integer({ min: 0, max: 2_000 }),
  purchases: fc.integer({ min: 0, max: 400 }),
  units: fc.integer({ min: 0, max: 500 }),
  since: fc.integer({ min: 1, max: 600 }).map((minutes) => toIso(toEpochMs(NOW) - minutes * 60_000)),
});

/** Valid products: integer cents, floor ≤ basePrice, price ≤ ceiling, within the given sizes. */
function productsUpTo(maxFloor: number, maxSpread: number): fc.Arbitrary<PricedProduct> {
  return fc
    .record({
      floor: fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: maxFloor })),
      spread: fc.oneof(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 0, max: maxSpread })),
    })
    .chain(({ floor, spread }) =>
      fc.integer({ min: floor, max: floor + spread }).chain((basePrice) =>
        fc.record({
          productId: fc.constant('sku-1'),
          category: fc.constantFrom('electronics', 'garden'),
          floor: fc.constant(floor),
          ceiling: fc.constant(floor + spread),
          basePrice: fc.constant(basePrice),
          // Often near base, where the clicks-only cap and the resting prices interact with the ending.
          price: fc.oneof(
            fc.integer({ min: floor, max: floor + spread }),
            fc
              .integer({ min: -20, max: 20 })
              .map((pct) => Math.min(Math.max(basePrice + Math.round((basePrice * pct) / 100), floor), floor + spread)),
          ),
          inventory: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 3_000 })),
          freeze: fc.constant(null),
          lastChangeAt: fc.constant(null),
          unitCost: fc.oneof(
            fc.constant(null),
            fc.double({ min: 0.3, max: 1.1, noNaN: true }).map((share) => Math.round(basePrice * share)),
          ),
          demandReference: fc.oneof(
            { weight: 3, arbitrary: fc.constant(null) },
            { weight: 1, arbitrary: referenceArb },
          ),
        }),
      ),
    );
}

/** Valid products from a few cents to tens of thousands of major units. */
export const productArb = productsUpTo(5_000_000, 5_000_000);

/** Valid products of everyday prices, where steps are as small as the spacing of price endings. */
export const everydayProductArb = productsUpTo(5_000, 5_000);

/** Valid category parameters across their range, the cross-field rules kept. */
export const parametersArb: fc.Arbitrary<CategoryParameters> = fc
  .record({
    maxStepPct: fc.oneof(
      fc.constant(10),
      fc.integer({ min: 1, max: 50 }),
      fc.double({ min: 0.5, max: 50, noNaN: true }),
    ),
    deadBandShare: fc.double({ min: 0, max: 1, noNaN: true }),
    demandResponsePct: fc.oneof(fc.constant(20), fc.integer({ min: 0, max: 100 })),
    priceEnding: fc.oneof(
      fc.constant({ modulus: 100, remainder: 99 }),
      fc.constant(null),
      fc
        .integer({ min: 2, max: 1_000 })
        .chain((modulus) =>
          fc.record({ modulus: fc.constant(modulus), remainder: fc.integer({ min: 0, max: modulus - 1 }) }),
        ),
    ),
    falseAlarmLevel: fc.constantFrom(1e-6, 1e-3, 0.05),
    minBaselinePeriods: fc.integer({ min: 2, max: 20 }),
    lowStockCoverMinutes: fc.constantFrom(0, 60, 600),
    confidences: fc.constantFrom([0.9, 0.5], [0.99, 0.9], [0.6, 0.6]),
    lowStockPremiumPct: fc.integer({ min: 0, max: 30 }),
    inventoryStepPct: fc.constantFrom(1, 5, 10),
    overstockCoverDays: fc.constantFrom(1, 30),
    overstockUnits: fc.integer({ min: 0, max: 2_000 }),
    overstockDiscountPct: fc.integer({ min: 0, max: 30 }),
    minMarginPct: fc.constantFrom(null, 0, 10),
  })
  .map(({ deadBandShare, confidences, ...rest }) => ({
    ...DEFAULTS,
    ...rest,
    lowStockConfidence: confidences[0] as number,
    lowStockHoldConfidence: confidences[1] as number,
    deadBandPct: deadBandShare * rest.maxStepPct,
  }));

/**
 * A config around generated parameters. Built directly rather than parsed, because parsing thousands
 * of configs would dominate the property runs; `parametersArb` is checked against the schema once.
 */
export function configFor(
  params: CategoryParameters,
  switches: { killSwitch?: boolean; shadowMode?: boolean } = {},
): PricingConfig {
  return {
    killSwitch: switches.killSwitch ?? false,
    shadowMode: switches.shadowMode ?? false,
    defaults: params,
    categories: {},
  };
}

/** One period's counts, from idle to busy. */
export const periodArb: fc.Arbitrary<PeriodCounts> = fc
  .record({
    views: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 500 })),
    carts: fc.integer({ min: 0, max: 50 }),
    purchases: fc.integer({ min: 0, max: 10 }),
    extraUnits: fc.integer({ min: 0, max: 5 }),
  })
  .map(({ extraUnits, ...counts }) => ({ ...counts, units: counts.purchases > 0 ? counts.purchases + extraUnits : 0 }));

/** Observations of any source and length (warm-ups included), periods of a product's typical size. */
export const observationArb: fc.Arbitrary<DemandObservation> = fc
  .record({
    source: fc.constantFrom('minutes' as const, 'windows' as const),
    // A typical period repeated with noise, so significance is sometimes reached and sometimes not.
    typical: periodArb,
    length: fc.integer({ min: 0, max: 75 }),
    noise: fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: 75, maxLength: 75 }),
    lastPeriodFraction: fc.oneof(fc.constant(1), fc.double({ min: 0.02, max: 1, noNaN: true })),
  })
  .map(({ source, typical, length, noise, lastPeriodFraction }) => ({
    source,
    periodSeconds: 60,
    lastPeriodFraction,
    periods: Array.from({ length }, (_, index) => {
      const scale = noise[index] as number;
      const views = Math.round(typical.views * scale);
      const purchases = Math.round(typical.purchases * scale);
      return {
        views,
        carts: Math.round(typical.carts * scale),
        purchases,
        units: purchases > 0 ? purchases + Math.round(typical.units - typical.purchases) : 0,
      };
    }),
  }));

export const signalsArb: fc.Arbitrary<PricingSignals> = fc.oneof(
  { weight: 5, arbitrary: observationArb.map((demand) => ({ demand })) },
  { weight: 1, arbitrary: fc.constant({ demand: null }) },
);

/** Adds `extra` to the newest period, the one the trigger is in: more evidence of demand now. */
export function withMoreNow(observation: DemandObservation, extra: PeriodCounts): DemandObservation {
  const last = observation.periods.length - 1;
  return {
    ...observation,
    periods: observation.periods.map((period, index) => (index === last ? add(period, extra, 1) : period)),
  };
}

/**
 * Takes up to `fewer` views and carts from each period older than `recentPeriods` (the longest span
 * tested): a lower baseline, over the same history (the first period with data keeps its counts) and
 * the same sales (purchases and units, which stock is read with, stay).
 */
export function withLowerBaseline(
  observation: DemandObservation,
  fewer: PeriodCounts,
  recentPeriods: number,
): DemandObservation {
  const first = observation.periods.findIndex(
    (period) => period.views + period.carts + period.purchases + period.units > 0,
  );
  const end = observation.periods.length - recentPeriods;
  return {
    ...observation,
    periods: observation.periods.map((period, index) =>
      index <= first || index >= end ? period : add(period, { ...fewer, purchases: 0, units: 0 }, -1),
    ),
  };
}

function add(period: PeriodCounts, extra: PeriodCounts, sign: 1 | -1): PeriodCounts {
  return {
    views: Math.max(0, period.views + sign * extra.views),
    carts: Math.max(0, period.carts + sign * extra.carts),
    purchases: Math.max(0, period.purchases + sign * extra.purchases),
    units: Math.max(0, period.units + sign * extra.units),
  };
}
