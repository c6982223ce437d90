/**
 * The built-in pricing parameters, as plain data: what every category gets unless the pricing-config
 * table overrides it (globally under `defaults`, or per category). The schema and its documentation
 * are in pricing-config.ts; the reasons for the values are here.
 */
export const DEFAULT_CATEGORY_PARAMETERS = {
  // 10% is large enough to follow real demand within a few changes, small enough that one wrong
  // decision is cheap to undo.
  maxStepPct: 10,
  // Ten minutes is ten rich-path windows: the next decision sees demand at the new price.
  cooldownSeconds: 600,
  // With the cooldown this still allows a busy day of changes, but stops a product oscillating all day.
  maxChangesPerDay: 24,
  // Index noise of ±0.1 (with the response below) is normal window-to-window variation; not worth a change.
  deadBandPct: 2,
  // An index of 1.5 (half again the usual demand) asks for one full step.
  demandResponsePct: 20,
  priceEnding: { modulus: 100, remainder: 99 },
  lowStockUnits: 10,
  lowStockPremiumPct: 5,
  overstockUnits: 1_000,
  overstockDiscountPct: 10,
  // One order of one unit (20 + 5) weighs as much as 5 carts or 25 views.
  viewWeight: 1,
  cartWeight: 5,
  purchaseWeight: 20,
  unitWeight: 5,
  minSessions: 10,
  // Twenty views per period: below this, a baseline is too thin to divide by.
  minBaselineScore: 20,
  // Views and carts alone can lift the index to 1.5 at most, which asks for at most one step.
  clickIndexCap: 1.5,
  surgeRatio: 3,
  surgeMinEvents: 30,
} as const;
