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
  // A significant but small change in demand is not worth a price change.
  deadBandPct: 2,
  // Demand half again the usual (ratio 1.5) asks for one full step.
  demandResponsePct: 20,
  priceEnding: { modulus: 100, remainder: 99 },
  // One evaluation in a million declares a change where there was none: 240 products evaluated every
  // minute by each path (the fast path's reads of a filling minute together count as one, see
  // LOOKS_PER_FILLING_PERIOD) make about 0.7 such evaluations a day at most (Bonferroni is
  // conservative: the backtest measures far fewer), while a ×10 flash sale on a product seen once a
  // minute is found within two minutes.
  falseAlarmLevel: 1e-6,
  // An hour of minutes: enough counts for the test to see a doubling of a product viewed once a minute.
  baselinePeriods: 60,
  // Ten minutes of history before any demand-driven change: a fresh stack has no idea what usual is.
  minBaselinePeriods: 10,
  // The last 1, 2, 5 and 10 periods: a sudden surge shows in one, a doubling in ten.
  detectionSpans: [1, 2, 5, 10],
  // No prior: every product waits for its own baseline. Ops may give a category one.
  demandPrior: null,
  // A move read against its reference stops being one after six hours: by then it is the new normal.
  referenceMaxMinutes: 360,
  // Stock that will sell out before its next delivery is scarce: ration it by price. When the order
  // system gives no delivery time, stock that would sell out within the hour.
  lowStockCoverMinutes: 60,
  // Ration only when nine chances in ten the stock sells out first: a thin product's few sales must
  // not read as a run on it. Hold the rationed price until the chance is under one in ten (the next
  // delivery, mostly): a 5% rise cuts sales by 12% (elasticity 2.5), which alone can drop a busy
  // product's chance from 0.9 to 0.4, and a narrower band made rationing and return alternate.
  lowStockConfidence: 0.9,
  lowStockHoldConfidence: 0.1,
  // Half an hour of sales before any stock move: a burst of a few orders in a fresh stack's first
  // minutes is not a run on stock (it was, for a few thin products of each backtest).
  minSalesPeriods: 30,
  // Scarcity may lift a price up to a quarter above base (bounded by the ceiling).
  lowStockPremiumPct: 25,
  // Stock moves are small: 5% per change, so a price follows stock gradually, not in one jump.
  inventoryStepPct: 5,
  // Overstock is stock for more than 30 days at today's rate, and more than 1,000 units.
  overstockCoverDays: 30,
  overstockUnits: 1_000,
  overstockDiscountPct: 10,
  // No automated price below cost + 10%: a sale below cost needs a person's decision.
  minMarginPct: 10,
  // One order of one unit (20 + 5) weighs as much as 5 carts or 25 views.
  viewWeight: 1,
  cartWeight: 5,
  purchaseWeight: 20,
  unitWeight: 5,
} as const;
