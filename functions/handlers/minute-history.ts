import type { PeriodCounts } from '../domain/demand-evidence.js';

/**
 * A product's complete minutes before the current one, as last read from the demand table, kept per
 * execution environment: within a minute they change only by late events, so the fast path reads a
 * product's history once a minute instead of once a batch. An optimisation only: a miss reads again.
 */
export class MinuteHistoryCache {
  private readonly entries = new Map<string, { readonly minute: string; readonly periods: readonly PeriodCounts[] }>();

  /** @param capacity products remembered; the oldest entry is forgotten first. */
  constructor(private readonly capacity = 10_000) {}

  /** The minutes before `minute` (oldest first), if they were read for this very minute. */
  get(productId: string, minute: string): readonly PeriodCounts[] | undefined {
    const entry = this.entries.get(productId);
    return entry?.minute === minute ? entry.periods : undefined;
  }

  set(productId: string, minute: string, periods: readonly PeriodCounts[]): void {
    this.entries.delete(productId);
    this.entries.set(productId, { minute, periods });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
