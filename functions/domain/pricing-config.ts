import * as z from 'zod/mini';
import { categorySlug } from './fields.js';
import { DEFAULT_CATEGORY_PARAMETERS } from './pricing-defaults.js';

const percent = (max: number) => z.number().check(z.gte(0), z.lte(max));
const weight = z.number().check(z.gte(0), z.lte(1_000));

/** A price ending such as `.99`: prices end in `remainder` modulo `modulus` cents. */
export const priceEndingSchema = z
  .strictObject({
    modulus: z.number().check(z.int(), z.gte(2), z.lte(100_000)),
    remainder: z.number().check(z.int(), z.gte(0)),
  })
  .check(
    z.refine((ending) => ending.remainder < ending.modulus, {
      message: 'remainder must be below modulus',
      path: ['remainder'],
    }),
  );

/** A category's prior demand: rates per period, and how many periods of data it weighs as. */
export const demandPriorSchema = z.strictObject({
  viewsPerPeriod: z.number().check(z.gte(0), z.lte(1e6)),
  cartsPerPeriod: z.number().check(z.gte(0), z.lte(1e6)),
  purchasesPerPeriod: z.number().check(z.gte(0), z.lte(1e6)),
  unitsPerPeriod: z.number().check(z.gte(0), z.lte(1e6)),
  weightPeriods: z.number().check(z.gt(0), z.lte(240)),
});

// One shape, used whole (merged parameters) and partial (overrides), so a field is declared once.
const parameterShape = {
  /** The most one change may move a price, in % of the current price. @default 10 */
  maxStepPct: z.number().check(z.gt(0), z.lte(50)),
  /** Least time between two automated changes of one product. @default 600 */
  cooldownSeconds: z.number().check(z.int(), z.gte(0), z.lte(7 * 24 * 3600)),
  /** Most automated changes of one product per UTC day. @default 24 */
  maxChangesPerDay: z.number().check(z.int(), z.gte(0), z.lte(1_440)),
  /** Demand moves smaller than this, in % of the current price, are not made. @default 2 */
  deadBandPct: percent(50),
  /** Price move in % per unit of demand ratio away from 1 (ratio 1.5 → +10% at 20). @default 20 */
  demandResponsePct: percent(1_000),
  /** Ending applied to every automated price; `null` for none. @default { modulus: 100, remainder: 99 } */
  priceEnding: z.nullable(priceEndingSchema),
  /**
   * Chance that one evaluation of a product declares a demand change when its rate did not change.
   * @default 1e-6
   */
  falseAlarmLevel: z.number().check(z.gt(0), z.lte(0.1)),
  /** Periods (minutes, windows) before a tested span that form its baseline. @default 60 */
  baselinePeriods: z.number().check(z.int(), z.gte(2), z.lte(240)),
  /** Periods of history (prior weight included) before any demand-driven change. @default 10 */
  minBaselinePeriods: z.number().check(z.int(), z.gte(2), z.lte(240)),
  /** Lengths in periods of the recent spans tested, ascending. @default [1, 2, 5, 10] */
  detectionSpans: z.readonly(
    z.array(z.number().check(z.int(), z.gte(1), z.lte(60))).check(
      z.minLength(1),
      z.maxLength(8),
      z.refine((spans) => spans.every((span, index) => index === 0 || span > (spans[index - 1] as number)), {
        message: 'detectionSpans must be strictly ascending',
      }),
    ),
  ),
  /** A prior for a young product of the category: rates per period and the periods of data it weighs as at first (it fades as the product's own accrue). @default null */
  demandPrior: z.nullable(demandPriorSchema),
  /** A demand move stops being read against its reference after this long. @default 360 */
  referenceMaxMinutes: z.number().check(z.int(), z.gte(1), z.lte(7 * 24 * 60)),
  /**
   * Stock is scarce when it sells out before the product's next delivery (its `restockAt`), or, with
   * no delivery known, within this many minutes: the price may rise, never fall. @default 60
   */
  lowStockCoverMinutes: z.number().check(z.gte(0), z.lte(7 * 24 * 60)),
  /** How sure the policy must be that stock sells out first to ration it by price. @default 0.9 */
  lowStockConfidence: z.number().check(z.gt(0), z.lte(1)),
  /** How sure, to keep a price from falling (below lowStockConfidence: hysteresis). @default 0.1 */
  lowStockHoldConfidence: z.number().check(z.gt(0), z.lte(1)),
  /** Periods of sales history before stock is read at all (no stock move in a fresh stack's first minutes). @default 30 */
  minSalesPeriods: z.number().check(z.int(), z.gte(1), z.lte(240)),
  /** Scarcity lifts the price up to base + this %. @default 25 */
  lowStockPremiumPct: percent(100),
  /** The most one stock move changes a price, in % of the current price. @default 5 */
  inventoryStepPct: z.number().check(z.gt(0), z.lte(50)),
  /** Stock that lasts longer than this many days at the current rate is overstock (with overstockUnits). @default 30 */
  overstockCoverDays: z.number().check(z.gt(0), z.lte(3_650)),
  /** Overstock also needs more units than this. @default 1000 */
  overstockUnits: z.number().check(z.int(), z.gte(0)),
  /** Overstock lowers the price down to base − this %. @default 10 */
  overstockDiscountPct: percent(90),
  /**
   * No automated price below unit cost + this %; negative allows a loss, `null` turns the margin floor off.
   * @default 10
   */
  minMarginPct: z.nullable(z.number().check(z.gte(-100), z.lte(1_000))),
  /** Weight of a product view in the demand ratio. @default 1 */
  viewWeight: weight,
  /** Weight of an add-to-cart. @default 5 */
  cartWeight: weight,
  /** Weight of a purchase (one order). @default 20 */
  purchaseWeight: weight,
  /** Extra weight per unit ordered. @default 5 */
  unitWeight: weight,
};

/** The complete parameters one category is priced with. */
export const categoryParametersSchema = z.strictObject(parameterShape).check(
  z.superRefine((params, ctx) => {
    // The architecture's promise: orders say more than carts, carts more than views.
    if (!(params.viewWeight < params.cartWeight && params.cartWeight < params.purchaseWeight)) {
      ctx.addIssue({
        code: 'custom',
        path: ['cartWeight'],
        message: 'weights must rank viewWeight < cartWeight < purchaseWeight',
      });
    }
    if (params.lowStockCoverMinutes >= params.overstockCoverDays * 24 * 60) {
      ctx.addIssue({
        code: 'custom',
        path: ['lowStockCoverMinutes'],
        message: 'lowStockCoverMinutes must be below overstockCoverDays',
      });
    }
    if (params.lowStockHoldConfidence > params.lowStockConfidence) {
      ctx.addIssue({
        code: 'custom',
        path: ['lowStockHoldConfidence'],
        message: 'lowStockHoldConfidence must not exceed lowStockConfidence',
      });
    }
    if (params.demandPrior !== null && params.demandPrior.weightPeriods > params.baselinePeriods) {
      ctx.addIssue({
        code: 'custom',
        path: ['demandPrior', 'weightPeriods'],
        message: 'demandPrior.weightPeriods must not exceed baselinePeriods: a prior stands in for a baseline',
      });
    }
    if (params.minBaselinePeriods > params.baselinePeriods) {
      ctx.addIssue({
        code: 'custom',
        path: ['minBaselinePeriods'],
        message: 'minBaselinePeriods must not exceed baselinePeriods',
      });
    }
    if (params.deadBandPct > params.maxStepPct) {
      ctx.addIssue({ code: 'custom', path: ['deadBandPct'], message: 'deadBandPct must not exceed maxStepPct' });
    }
  }),
);
export type CategoryParameters = z.output<typeof categoryParametersSchema>;

/** Overrides of some parameters; a misspelled name fails validation instead of being ignored. */
export const categoryOverridesSchema = z.partial(z.strictObject(parameterShape));
export type CategoryOverrides = z.output<typeof categoryOverridesSchema>;

/** The pricing-config table's content: the switches and the parameters. */
export const pricingConfigSchema = z
  .strictObject({
    /** Stops every automated change. @default false */
    killSwitch: z._default(z.boolean(), false),
    /** Decides and reports, but changes no price. @default false */
    shadowMode: z._default(z.boolean(), false),
    /** Overrides of the built-in defaults, for every category. @default {} */
    defaults: z._default(categoryOverridesSchema, {}),
    /** Overrides per category slug, applied over `defaults`. @default {} */
    categories: z._default(z.record(categorySlug, categoryOverridesSchema), {}),
  })
  .check(
    z.superRefine((config, ctx) => {
      // Overrides are partial, so cross-field rules can only be checked once merged.
      const scopes: [string[], CategoryOverrides[]][] = [
        [['defaults'], [config.defaults]],
        ...Object.entries(config.categories).map(([slug, overrides]): [string[], CategoryOverrides[]] => [
          ['categories', slug],
          [config.defaults, overrides],
        ]),
      ];
      for (const [path, layers] of scopes) {
        // A field a layer sets wrongly is reported once, where it is set: not again for each merge
        // that includes it (a bad `defaults` value is no fault of every category).
        const ownIssues = new Set(
          layers.flatMap((layer) => categoryOverridesSchema.safeParse(layer).error?.issues ?? []).map(issueKey),
        );
        const result = categoryParametersSchema.safeParse(merge(layers));
        for (const issue of result.success ? [] : result.error.issues) {
          if (ownIssues.has(issueKey(issue))) continue;
          ctx.addIssue({ code: 'custom', path: [...path, ...issue.path], message: issue.message });
        }
      }
    }),
  );
export type PricingConfig = z.output<typeof pricingConfigSchema>;
export type PricingConfigInput = z.input<typeof pricingConfigSchema>;

/** No overrides, no switches: the built-in defaults everywhere. */
export const DEFAULT_PRICING_CONFIG: PricingConfig = pricingConfigSchema.parse({});

function issueKey(issue: { readonly path: readonly PropertyKey[]; readonly message: string }): string {
  return `${issue.path.map(String).join('.')}: ${issue.message}`;
}

function merge(layers: readonly CategoryOverrides[]): CategoryParameters {
  const merged: Record<string, unknown> = { ...DEFAULT_CATEGORY_PARAMETERS };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      // An explicit `undefined` means "not overridden", not "unset the default".
      if (value !== undefined) merged[key] = value;
    }
  }
  return merged as CategoryParameters;
}

/**
 * The parameters `category` is priced with: built-in defaults, then `config.defaults`, then the
 * category's overrides. `config` is expected to have passed `pricingConfigSchema`, which checks every
 * such merge.
 */
export function parametersFor(config: PricingConfig, category: string): CategoryParameters {
  const categoryOverrides = config.categories[category];
  return merge(categoryOverrides === undefined ? [config.defaults] : [config.defaults, categoryOverrides]);
}
