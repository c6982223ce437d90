/**
 * How the simulated shop restocks: a periodic order-up-to policy, as a merchant plans it. Every
 * `everyMinutes` a delivery brings each product up to `coverMinutes` of its expected sales at base
 * prices and usual demand (the plan knows the usual, not the scenario: a sustained shift or a flash
 * sale is a surprise to it), times the scenario's supply share (scarce stock: the supplier sends less).
 */
export interface ReplenishmentPlan {
  /** Minutes between deliveries. @default 240 */
  readonly everyMinutes: number;
  /** A delivery fills stock up to this many minutes of expected sales: a cycle plus an hour of safety. @default 300 */
  readonly coverMinutes: number;
  /** The share of the planned level the supplier delivers. @default 1 */
  readonly supplyShare: number;
}

export const DEFAULT_REPLENISHMENT: ReplenishmentPlan = { everyMinutes: 240, coverMinutes: 300, supplyShare: 1 };

/** Merges overrides into the defaults, refusing values that make no plan. */
export function replenishmentPlan(overrides: Partial<ReplenishmentPlan> = {}): ReplenishmentPlan {
  const plan = { ...DEFAULT_REPLENISHMENT, ...overrides };
  if (!(plan.everyMinutes > 0))
    throw new RangeError(`replenishment.everyMinutes must be positive, got ${plan.everyMinutes}`);
  if (!(plan.coverMinutes >= 0))
    throw new RangeError(`replenishment.coverMinutes must be >= 0, got ${plan.coverMinutes}`);
  if (!(plan.supplyShare > 0 && plan.supplyShare <= 1)) {
    throw new RangeError(`replenishment.supplyShare must be in (0, 1], got ${plan.supplyShare}`);
  }
  return plan;
}

/** The units a delivery brings a product up to, from its expected sales per minute. */
export function restockLevel(expectedUnitsPerMinute: number, plan: ReplenishmentPlan): number {
  return Math.ceil(expectedUnitsPerMinute * plan.coverMinutes * plan.supplyShare);
}

/** What a delivery adds to a product that has `inventory` units: never takes any away. */
export function deliveryFor(inventory: number, level: number): number {
  return Math.max(0, level - inventory);
}

/** Offsets (ms from the run's start) of the deliveries in (fromMs, toMs]; the first is at the start. */
export function deliveriesBetween(fromMs: number, toMs: number, plan: ReplenishmentPlan): number[] {
  const every = plan.everyMinutes * 60_000;
  const times: number[] = [];
  for (let at = Math.max(0, Math.floor(fromMs / every) + 1) * every; at <= toMs; at += every) times.push(at);
  return times;
}
