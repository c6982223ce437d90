import * as z from 'zod/mini';
import { categorySlug, cents, identifier, utcTimestamp } from './fields.js';

const count = z.number().check(z.int(), z.gte(0));
const ratio = z.number().check(z.gte(0));

/**
 * One product's demand in one window, as the Glue job (or the local engine) writes it: counts from
 * clicks after dedup and bot removal, units and revenue from orders, and a snapshot of the product.
 */
export const aggregateRowSchema = z.object({
  productId: identifier,
  windowStart: utcTimestamp,
  windowEnd: utcTimestamp,
  views: count,
  carts: count,
  removes: count,
  checkouts: count,
  purchases: count,
  units: count,
  revenue: cents,
  sessions: count,
  /** carts / views; 0 when there were no views. */
  viewToCart: ratio,
  /** purchases / views; 0 when there were no views. */
  viewToPurchase: ratio,
  category: categorySlug,
  inventory: count,
  price: cents,
  botEventsDropped: count,
});

export type AggregateRow = z.output<typeof aggregateRowSchema>;
