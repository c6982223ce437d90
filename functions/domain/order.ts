import * as z from 'zod/mini';
import { cents, currencyCode, identifier, quantity, utcTimestamp } from './fields.js';

/** An order line as the order system writes it: one product, the unit price the shopper paid. */
export const orderSchema = z.object({
  orderId: identifier,
  productId: identifier,
  sessionId: identifier,
  userId: z.nullable(identifier),
  quantity,
  unitPrice: cents,
  currency: currencyCode,
  orderedAt: utcTimestamp,
});

export type Order = z.output<typeof orderSchema>;
