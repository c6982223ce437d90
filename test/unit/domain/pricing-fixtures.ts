import fc from 'fast-check';
import type { DemandSignal, DemandWindow, SurgeSignal } from '../../../functions/domain/demand-signals.js';
import {
  type CategoryParameters,
  type PricingConfig,
  pricingConfigSchema,
} from '../../../functions/domain/pricing-config.js';
import { DEFAULT_CATEGORY_PARAMETERS } from '../../../functions/domain/pricing-defaults.js';
import type { PriceDecision, PricedProduct, PricingSignals } from '../../../functions/domain/pricing-policy.js';

/** Noon on a fixed day: every example decides at this instant unless it says otherwise. */
export const NOW = '2026-11-21T12:00:00.000Z';

export const DEFAULTS: CategoryParameters = { ...DEFAULT_CATEGORY_PARAMETERS };

/** A valid product at base price 19.99 with room both ways, normal stock, never changed, not frozen. */
export function aProduct(overrides: Partial<PricedProduct> = {}): PricedProduct {
  return {
    productId: 'sku-1',
    category: 'electronics',
    price: 1999,
    basePrice: 1999,
    floor: 1499,
    ceiling: 2999,
    inventory: 100,
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

/** A demand index signal with orders (not clicks-only). */
export function indexSignal(index: number, overrides: Partial<Extract<DemandSignal, { kind: 'index' }>> = {}) {
  return {
    kind: 'index',
    index,
    clickIndex: index / 2,
    orderIndex: index / 2,
    sessions: 50,
    clicksOnly: false,
    ...overrides,
  } as const satisfies DemandSignal;
}

export const SURGING = {
  kind: 'measured',
  ratio: 10,
  velocity: 500,
  baselineVelocity: 50,
  events: 400,
  surging: true,
} as const satisfies SurgeSignal;

export function demandOnly(demand: DemandSignal): PricingSignals {
  return { demand, surge: null };
}

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
    lowStockUnits: fc.integer({ min: 0, max: 15 }),
    lowStockPremiumPct: fc.integer({ min: 0, max: 30 }),
    overstockUnits: fc.integer({ min: 16, max: 2_000 }),
    overstockDiscountPct: fc.integer({ min: 0, max: 30 }),
    clickIndexCap: fc.double({ min: 0, max: 3, noNaN: true }),
  })
  .map(({ deadBandShare, ...rest }) => ({
    ...DEFAULTS,
    ...rest,
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

export const demandIndexSignalArb: fc.Arbitrary<DemandSignal> = fc.record({
  kind: fc.constant('index' as const),
  index: fc.oneof(fc.double({ min: 0, max: 3, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true })),
  clickIndex: fc.constant(0.5),
  orderIndex: fc.constant(0.5),
  sessions: fc.integer({ min: 10, max: 1_000 }),
  clicksOnly: fc.boolean(),
});

export const demandSignalArb: fc.Arbitrary<DemandSignal | null> = fc.oneof(
  demandIndexSignalArb,
  fc.record({
    kind: fc.constant('none' as const),
    reason: fc.constantFrom('no_baseline' as const, 'insufficient_sample' as const),
    sessions: fc.integer({ min: 0, max: 9 }),
  }),
  fc.constant(null),
);

export const surgeSignalArb: fc.Arbitrary<SurgeSignal | null> = fc.oneof(
  fc.constant(null),
  fc.record({
    kind: fc.constant('none' as const),
    reason: fc.constantFrom('no_baseline' as const, 'insufficient_sample' as const),
    events: fc.integer({ min: 0, max: 29 }),
  }),
  fc.double({ min: 0, max: 20, noNaN: true }).map(
    (ratio): SurgeSignal => ({
      kind: 'measured',
      ratio,
      velocity: ratio * 50,
      baselineVelocity: 50,
      events: 100,
      surging: ratio >= 3,
    }),
  ),
);

export const signalsArb: fc.Arbitrary<PricingSignals> = fc.record({ demand: demandSignalArb, surge: surgeSignalArb });

/** One aggregate window's demand counts. */
export const windowArb: fc.Arbitrary<DemandWindow> = fc.record({
  views: fc.integer({ min: 0, max: 5_000 }),
  carts: fc.integer({ min: 0, max: 500 }),
  purchases: fc.integer({ min: 0, max: 100 }),
  units: fc.integer({ min: 0, max: 150 }),
  sessions: fc.integer({ min: 0, max: 2_000 }),
});
