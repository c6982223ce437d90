/**
 * Price endings ("charm prices" such as 19.99): pure rounding inside a window the guardrails allow.
 * The window comes first and the ending second, so an ending can never carry a price past a bound.
 */

/** Prices end in `remainder` modulo `modulus` cents: `{ modulus: 100, remainder: 99 }` is `.99`. */
export interface PriceEnding {
  readonly modulus: number;
  readonly remainder: number;
}

/**
 * `applied`: the price carries the ending. `no_fit`: no price with the ending lies inside the window,
 * so the price was kept as it was. `not_configured`: there is no ending to apply.
 */
export type EndingOutcome = 'applied' | 'no_fit' | 'not_configured';

export interface EndingResult {
  readonly price: number;
  readonly outcome: EndingOutcome;
}

/** The smallest price at or above `cents` that has `ending`. */
export function nextWithEnding(cents: number, ending: PriceEnding): number {
  return Math.ceil((cents - ending.remainder) / ending.modulus) * ending.modulus + ending.remainder;
}

/** The largest price at or below `cents` that has `ending`. */
export function previousWithEnding(cents: number, ending: PriceEnding): number {
  return Math.floor((cents - ending.remainder) / ending.modulus) * ending.modulus + ending.remainder;
}

/**
 * The price with `ending` nearest to `price` within `[min, max]`; on a tie, the lower one (the shopper
 * gets the benefit of the doubt). When no price with the ending lies in the window, `price` itself.
 * The choice never decreases as `price` increases, so rounding keeps the policy monotone in demand.
 */
export function applyPriceEnding(price: number, ending: PriceEnding | null, min: number, max: number): EndingResult {
  if (!(Number.isInteger(price) && Number.isInteger(min) && Number.isInteger(max) && min <= price && price <= max)) {
    throw new RangeError(`price ${price} must be an integer within [${min}, ${max}]`);
  }
  if (ending === null) return { price, outcome: 'not_configured' };
  const first = nextWithEnding(min, ending);
  const last = previousWithEnding(max, ending);
  if (first > last) return { price, outcome: 'no_fit' };
  const below = Math.min(Math.max(previousWithEnding(price, ending), first), last);
  const above = Math.min(Math.max(nextWithEnding(price, ending), first), last);
  return { price: price - below <= above - price ? below : above, outcome: 'applied' };
}
