/**
 * One product's counts by period (a fast-path minute, a rich-path window), kept for the last
 * PERIODS_KEPT periods in a ring indexed by period number: a read is an array access, where a Map
 * by start time hashed a boxed number (the backtest reads ~70 periods per product per minute).
 */
import type { PeriodCounts } from '../functions/domain/demand-evidence.js';

/**
 * More than the longest reach of any policy: a baseline of up to 240 periods before a span of up to
 * 60, and the current period (see pricing-config.ts). A power of two, so a slot is a mask away.
 */
export const PERIODS_KEPT = 512;

export class PeriodRing<T extends PeriodCounts> {
  /** Each slot's period start (epoch ms); NaN while empty. */
  private readonly starts = new Float64Array(PERIODS_KEPT).fill(Number.NaN);
  private readonly values: (T | undefined)[] = new Array(PERIODS_KEPT).fill(undefined);

  constructor(private readonly periodMs: number) {}

  /** The period's counts if kept: undefined when it had none, or is more than PERIODS_KEPT back. */
  get(startMs: number): T | undefined {
    const slot = this.slotOf(startMs);
    return this.starts[slot] === startMs ? this.values[slot] : undefined;
  }

  /**
   * Keeps `value` for the period, in place of what the slot held PERIODS_KEPT periods before; a
   * period older than the one its slot holds is no longer kept, and is not stored.
   */
  set(startMs: number, value: T): void {
    const slot = this.slotOf(startMs);
    if ((this.starts[slot] as number) > startMs) return;
    this.starts[slot] = startMs;
    this.values[slot] = value;
  }

  private slotOf(startMs: number): number {
    return Math.floor(startMs / this.periodMs) & (PERIODS_KEPT - 1);
  }
}

/**
 * The `count` periods before the one starting at `startMs`, oldest first, from a product's ring
 * (undefined: it has none); a period not kept reads as zeros.
 */
export function periodsBefore(
  ring: PeriodRing<PeriodCounts> | undefined,
  periodMs: number,
  startMs: number,
  count: number,
): PeriodCounts[] {
  const periods: PeriodCounts[] = new Array(count);
  for (let index = 0; index < count; index++) {
    periods[index] = ring?.get(startMs - (count - index) * periodMs) ?? ZERO;
  }
  return periods;
}

/** A period without counts. */
export const ZERO: PeriodCounts = Object.freeze({ views: 0, carts: 0, purchases: 0, units: 0 });
