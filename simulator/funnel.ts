/**
 * How shoppers walk the funnel: the probabilities of each step and the time they take between steps.
 * The defaults give store-like ratios (about 1 in 10 product views adds to cart, about a third of carts
 * are bought); every value can be overridden per run.
 *
 *   page_view ─(1 − bounce)→ [search?] product_view ─addToCart→ add_to_cart ─removeFromCart→ remove_from_cart
 *        ↑___________________ continueBrowsing ____________________|
 *   end of browsing, cart not empty ─checkout→ checkout_start (per line) ─purchase × elasticity→ purchase
 */
export interface FunnelConfig {
  /** Share of sessions that leave after the landing page view. @default 0.35 */
  readonly bounce: number;
  /** Chance that a product view is preceded by a search. @default 0.3 */
  readonly search: number;
  /** Chance that a viewed product (not yet in the cart) is added to the cart. @default 0.12 */
  readonly addToCart: number;
  /** Chance that a cart line is removed again before checkout. @default 0.1 */
  readonly removeFromCart: number;
  /** Chance of viewing another product after each product view. @default 0.65 */
  readonly continueBrowsing: number;
  /** Chance that a session with a non-empty cart starts checkout. @default 0.55 */
  readonly checkout: number;
  /** Chance that a checked-out line is bought when its price equals the base price. @default 0.7 */
  readonly purchase: number;
  /**
   * Price elasticity of purchase: the purchase chance is multiplied by (price / basePrice)^−elasticity,
   * so +10 % on the price costs about 21 % of purchases at the default. @default 2.5
   */
  readonly elasticity: number;
  /** Chance that a shopper switches category when picking the next product. @default 0.1 */
  readonly switchCategory: number;
  /** Share of sessions with a logged-in user. @default 0.3 */
  readonly loggedIn: number;
  /** Chance that any gap between two events is a long pause (5–45 min) instead of a think time. @default 0.005 */
  readonly longPause: number;
  /** A session ends after this much inactivity; a shopper who comes back later starts a new one. @default 30 min */
  readonly inactivityTimeoutMs: number;
}

export const DEFAULT_FUNNEL: FunnelConfig = {
  bounce: 0.35,
  search: 0.3,
  addToCart: 0.12,
  removeFromCart: 0.1,
  continueBrowsing: 0.65,
  checkout: 0.55,
  purchase: 0.7,
  elasticity: 2.5,
  switchCategory: 0.1,
  loggedIn: 0.3,
  longPause: 0.005,
  inactivityTimeoutMs: 30 * 60_000,
};

/** Mean time (ms) before the step that follows each kind of event: exponential think times. */
export const MEAN_GAP_MS = {
  landing: 8_000,
  search: 4_000,
  productView: 25_000,
  cartChange: 6_000,
  checkoutLine: 1_000,
  beforePayment: 40_000,
  betweenPurchases: 300,
} as const;

/** Long pauses are uniform in this range; those past the inactivity timeout end the session. */
export const LONG_PAUSE_MS = { min: 5 * 60_000, max: 45 * 60_000 } as const;

/** Upper bound on the purchase chance when a price is far below base, so it stays a probability. */
const MAX_PURCHASE_CHANCE = 0.98;

/**
 * The chance that a checked-out line is bought at `price`: the base rate scaled by a constant-
 * elasticity demand curve. Prices above base lower it, prices below raise it (capped).
 */
export function purchaseProbability(funnel: FunnelConfig, basePrice: number, price: number): number {
  if (basePrice <= 0 || price <= 0) return funnel.purchase;
  return Math.min(MAX_PURCHASE_CHANCE, funnel.purchase * (price / basePrice) ** -funnel.elasticity);
}

const PROBABILITY_FIELDS = [
  'bounce',
  'search',
  'addToCart',
  'removeFromCart',
  'continueBrowsing',
  'checkout',
  'purchase',
  'switchCategory',
  'loggedIn',
  'longPause',
] as const satisfies readonly (keyof FunnelConfig)[];

/** Merges overrides into the defaults; a probability outside [0, 1] (or ≥ 1 for continueBrowsing) is refused. */
export function funnelConfig(overrides: Partial<FunnelConfig> = {}): FunnelConfig {
  const funnel = { ...DEFAULT_FUNNEL, ...overrides };
  for (const field of PROBABILITY_FIELDS) {
    const value = funnel[field];
    if (!(value >= 0 && value <= 1)) throw new RangeError(`funnel.${field} must be in [0, 1], got ${value}`);
  }
  // A shopper who always continues never leaves: sessions would be endless.
  if (funnel.continueBrowsing >= 1) throw new RangeError('funnel.continueBrowsing must be below 1');
  if (!(funnel.elasticity >= 0)) throw new RangeError(`funnel.elasticity must be >= 0, got ${funnel.elasticity}`);
  if (!(funnel.inactivityTimeoutMs > 0)) throw new RangeError('funnel.inactivityTimeoutMs must be positive');
  return funnel;
}
