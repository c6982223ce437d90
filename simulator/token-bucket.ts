/**
 * A token bucket: `ratePerSecond` tokens flow in continuously, up to `capacity`. Time is passed in, so
 * pacing can be tested without a clock.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number,
    now: number,
  ) {
    if (!(ratePerSecond > 0 && capacity > 0)) throw new RangeError('a token bucket needs a positive rate and capacity');
    this.tokens = capacity;
    this.updatedAt = now;
  }

  /** Tokens available at `now`. */
  available(now: number): number {
    if (now > this.updatedAt) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) * this.ratePerSecond) / 1000);
      this.updatedAt = now;
    }
    return this.tokens;
  }

  /** Takes `count` tokens; the balance may go negative, which later requests then wait out. */
  take(count: number, now: number): void {
    this.available(now);
    this.tokens -= count;
  }

  /** Milliseconds from `now` until `count` tokens (at most the capacity) are available. */
  msUntil(count: number, now: number): number {
    const missing = Math.min(count, this.capacity) - this.available(now);
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.ratePerSecond);
  }
}
