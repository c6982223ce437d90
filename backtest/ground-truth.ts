/**
 * Judging a run's demand-driven changes against what the simulator knows: each product's true
 * arrival multiplier at every instant (1 is its usual demand).
 *
 * - A rise is warranted when true demand was above usual, or rose, in the `lookbackMs` before it;
 *   a fall when it was below usual, or fell. Any other demand-driven change is a false change: bots
 *   and noise are not demand.
 * - An episode is a stretch in which a product's true demand is not its usual; it is detected by a
 *   demand-driven change in its direction between its start and `lookbackMs` after its end, and the
 *   detection delay is the time from its start to that change. An episode without one is missed.
 */
import type { ReasonCode } from '../functions/domain/price-change.js';
import type { BacktestChange } from './pricing-desk.js';

export const DEMAND_REASONS: ReadonlySet<ReasonCode> = new Set(['demand_surge', 'demand_high', 'demand_low']);
const RISES: ReadonlySet<ReasonCode> = new Set(['demand_surge', 'demand_high']);

/** The true multiplier of a product at an offset from the run's start. */
export type TrueDemand = (productId: string, offsetMs: number) => number;

export interface Episode {
  readonly productId: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly direction: 'up' | 'down';
  /** The product's usual views per minute: thin products can hardly show a change. */
  readonly baselineViewsPerMinute: number;
  /** The first demand-driven change in the episode's direction, ms after its start; null if missed. */
  readonly detectedAfterMs: number | null;
}

export interface Judgement {
  readonly demandDriven: number;
  readonly falseChanges: number;
  readonly falseByReason: Readonly<Partial<Record<ReasonCode, number>>>;
  readonly episodes: readonly Episode[];
}

/** How finely true demand is sampled to find episodes. */
const SAMPLE_MS = 10_000;

export function judgeChanges(
  changes: readonly BacktestChange[],
  truth: TrueDemand,
  products: readonly { readonly productId: string; readonly baselineViewsPerMinute: number }[],
  run: { readonly startMs: number; readonly durationMs: number; readonly lookbackMs: number },
): Judgement {
  const falseByReason: Partial<Record<ReasonCode, number>> = {};
  let demandDriven = 0;
  let falseChanges = 0;
  for (const change of changes) {
    if (!DEMAND_REASONS.has(change.reasonCode)) continue;
    demandDriven++;
    const offset = change.atMs - run.startMs;
    if (!warranted(change.reasonCode, change.productId, offset, truth, run.lookbackMs)) {
      falseChanges++;
      falseByReason[change.reasonCode] = (falseByReason[change.reasonCode] ?? 0) + 1;
    }
  }
  const episodes = products.flatMap((product) =>
    episodesOf(product.productId, truth, run.durationMs).map((episode) => {
      const found = changes.find(
        (change) =>
          change.productId === product.productId &&
          DEMAND_REASONS.has(change.reasonCode) &&
          RISES.has(change.reasonCode) === (episode.direction === 'up') &&
          change.atMs - run.startMs >= episode.startMs &&
          change.atMs - run.startMs <= episode.endMs + run.lookbackMs,
      );
      return {
        ...episode,
        baselineViewsPerMinute: product.baselineViewsPerMinute,
        detectedAfterMs: found === undefined ? null : found.atMs - run.startMs - episode.startMs,
      };
    }),
  );
  return { demandDriven, falseChanges, falseByReason, episodes };
}

function warranted(reason: ReasonCode, productId: string, offsetMs: number, truth: TrueDemand, lookbackMs: number) {
  const up = RISES.has(reason);
  let previous = truth(productId, Math.max(0, offsetMs - lookbackMs));
  for (let at = Math.max(0, offsetMs - lookbackMs); at <= offsetMs; at += SAMPLE_MS) {
    const now = truth(productId, at);
    if (up ? now > 1 || now > previous : now < 1 || now < previous) return true;
    previous = now;
  }
  return false;
}

/** The stretches of the run in which the product's true demand is not its usual. */
function episodesOf(
  productId: string,
  truth: TrueDemand,
  durationMs: number,
): Omit<Episode, 'baselineViewsPerMinute' | 'detectedAfterMs'>[] {
  const episodes: Omit<Episode, 'baselineViewsPerMinute' | 'detectedAfterMs'>[] = [];
  let open: { startMs: number; direction: 'up' | 'down' } | null = null;
  for (let at = 0; at <= durationMs; at += SAMPLE_MS) {
    const multiplier = truth(productId, at);
    const direction = multiplier > 1 ? 'up' : multiplier < 1 ? 'down' : null;
    if (open !== null && direction !== open.direction) {
      episodes.push({ productId, startMs: open.startMs, endMs: at, direction: open.direction });
      open = null;
    }
    if (open === null && direction !== null) open = { startMs: at, direction };
  }
  if (open !== null) episodes.push({ productId, startMs: open.startMs, endMs: durationMs, direction: open.direction });
  return episodes;
}
