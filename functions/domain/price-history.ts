import { LIMITS } from './limits.js';
import type { ChangeAction, ChangeSource, Guardrail, PriceChange, ReasonCode } from './price-change.js';
import { DAY_MS, toEpochMs, toIso } from './time.js';

/**
 * Price-history keys and the arithmetic over history rows. A row's sort key is
 * `changedAt#decisionId`: it sorts by time, and because both parts are derived from what triggered
 * the change (never from the clock at write time), a replayed trigger produces the same key, which the
 * conditional Put then refuses.
 */

/** History rows of global actions (kill switch, shadow mode) use this partition: no product can. */
export const GLOBAL_HISTORY_ID = '_global';

/** The window of the EU price-indication rule: the lowest price of the previous 30 days. */
export const LOWEST_PRICE_WINDOW_DAYS = 30;

export function changeKeyOf(changedAt: string, decisionId: string): string {
  return `${changedAt}#${decisionId}`;
}

/**
 * The greatest change key at `instant`: decision ids are printable ASCII (below DEL), so every key
 * of a change made at or before `instant` sorts at or below this one.
 */
export function lastChangeKeyAt(instant: string): string {
  return `${instant}#\u007f`;
}

/** The first instant of the lowest-price window for a price that takes effect at `at`. */
export function lowestPriceWindowStart(at: string): string {
  return toIso(toEpochMs(at) - LOWEST_PRICE_WINDOW_DAYS * DAY_MS);
}

/**
 * The lowest price in effect during the 30 days before a new price takes effect: the price in effect
 * now, and both sides of every change made inside the window (the old side was in effect until the
 * change, the new side from it). This is the "prior price" a storefront must show beside an announced
 * reduction.
 */
export function lowestPriceBefore(
  currentPrice: number,
  changesInWindow: readonly { oldPrice: number; newPrice: number }[],
): number {
  let lowest = currentPrice;
  for (const change of changesInWindow) lowest = Math.min(lowest, change.oldPrice, change.newPrice);
  return lowest;
}

/** Automated changes already made in the UTC day of `at`, from the product's counter. */
export function changesTodayAt(counter: { day: string; count: number } | null, at: string): number {
  return counter !== null && counter.day === at.slice(0, 10) ? counter.count : 0;
}

/** Everything a history row says, less the key parts derived here. */
export interface ChangeRowInput {
  readonly productId: string;
  readonly changedAt: string;
  readonly decisionId: string;
  readonly action: ChangeAction;
  readonly oldPrice: number;
  readonly newPrice: number;
  readonly proposedPrice?: number | null;
  readonly reasonCode: ReasonCode;
  readonly guardrail?: Guardrail | null;
  readonly signals?: Readonly<Record<string, number>>;
  readonly explanation: string;
  readonly policyVersion: string;
  readonly source: ChangeSource;
  readonly actor: string;
  readonly version: number;
}

/** The one place a price-history row is built, by the policy's callers and by ops actions alike. */
export function changeRowOf(input: ChangeRowInput): PriceChange {
  return {
    productId: input.productId,
    changeId: changeKeyOf(input.changedAt, input.decisionId),
    changedAt: input.changedAt,
    decisionId: input.decisionId,
    action: input.action,
    oldPrice: input.oldPrice,
    newPrice: input.newPrice,
    proposedPrice: input.proposedPrice ?? null,
    reasonCode: input.reasonCode,
    guardrail: input.guardrail ?? null,
    signals: Object.fromEntries(
      Object.entries(input.signals ?? {}).map(([name, value]) => [
        name,
        Math.abs(value) < LIMITS.smallestSignal ? 0 : value,
      ]),
    ),
    explanation: input.explanation,
    policyVersion: input.policyVersion,
    source: input.source,
    actor: input.actor,
    version: input.version,
  };
}

/** A row of the global history (GLOBAL_HISTORY_ID): an ops action on the whole pipeline, not one product. */
export interface GlobalRowInput {
  readonly changedAt: string;
  /** `ops-<uuid>`: each request its own row. */
  readonly decisionId: string;
  readonly reasonCode: ReasonCode;
  readonly explanation: string;
  readonly policyVersion: string;
  readonly actor: string;
  /** The config's (or the restart count's) version after this action. */
  readonly version: number;
}

/** A config switch or a pipeline action, as a history row: no price, the ops actor, the reason. */
export function globalOpsRowOf(input: GlobalRowInput): PriceChange {
  return changeRowOf({
    ...input,
    productId: GLOBAL_HISTORY_ID,
    action: 'config',
    oldPrice: 0,
    newPrice: 0,
    source: 'ops',
  });
}
