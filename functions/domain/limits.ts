/**
 * Size limits on everything clickprice accepts. Every string has one: a click event is shopper-
 * controlled input, and DynamoDB items are capped at 400 KB.
 */
export const LIMITS = {
  /** Largest encoded click event accepted; anything bigger is quarantined before it is parsed. */
  maxEventBytes: 8 * 1024,
  idLength: 64,
  categoryLength: 40,
  nameLength: 200,
  searchQueryLength: 256,
  userAgentLength: 512,
  reasonLength: 500,
  explanationLength: 2_000,
  actorLength: 128,
  /** Largest quantity on one event or order line. */
  maxQuantity: 999,
  maxInventory: 10_000_000,
  /** Largest amount in cents: 100 million in major units, far inside Number.MAX_SAFE_INTEGER. */
  maxCents: 10_000_000_000,
  /**
   * Signals nearer zero than this are recorded as 0: a p-value can be 1e-300, and DynamoDB's numbers
   * stop at 1e-130.
   */
  smallestSignal: 1e-100,
} as const;
