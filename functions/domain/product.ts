import * as z from 'zod';
import { actor, categorySlug, cents, currencyCode, identifier, reasonText, utcTimestamp } from './fields.js';
import { LIMITS } from './limits.js';

/** Why and until when a product's price is held; automated changes are refused while it holds. */
export const freezeSchema = z.object({
  reason: reasonText,
  actor,
  frozenAt: utcTimestamp,
  /** The freeze lapses at this instant; `null` holds until an explicit unfreeze. */
  until: utcTimestamp.nullable(),
});
export type Freeze = z.output<typeof freezeSchema>;

const count = z.number().int().min(0);

/**
 * The baseline a demand-driven move was read against (see demand-evidence.ts), kept while the move
 * lasts so later evidence is compared with demand before the move, not with the move's own demand.
 */
export const demandReferenceSchema = z.object({
  periods: z.number().int().min(1),
  periodSeconds: z.number().int().min(1),
  views: count,
  carts: count,
  purchases: count,
  units: count,
  since: utcTimestamp,
});

/** A catalogue item as the products table holds it. All money in cents of `currency`. */
export const productSchema = z
  .object({
    productId: identifier,
    name: z.string().min(1).max(LIMITS.nameLength),
    category: categorySlug,
    currency: currencyCode,
    basePrice: cents,
    price: cents,
    floor: cents,
    ceiling: cents,
    inventory: z.number().int().min(0).max(LIMITS.maxInventory),
    /** What one unit costs the merchant, for margins and the margin floor; `null` when unknown. */
    unitCost: cents.nullable().default(null),
    /**
     * When the order system expects the next delivery, if it says: stock is scarce when it sells out
     * before then. `null`: unknown (scarcity is then read from a fixed cover).
     */
    restockAt: utcTimestamp.nullable().default(null),
    /** Incremented by every price or bounds change; writers condition on the version they read. */
    version: z.number().int().min(1),
    /**
     * The lowest price in effect during the 30 days before the current price took effect: the prior
     * price EU price-indication rules require beside an announced reduction.
     */
    lowest30d: cents,
    freeze: freezeSchema.nullable(),
    /** When the price last changed, for cooldowns; `null` if never since seeding. */
    lastChangeAt: utcTimestamp.nullable(),
    /** Automated price changes in one UTC day, for the daily cap; kept by the price store's transaction. */
    changesToday: z
      .object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), count: z.number().int().min(0) })
      .nullable()
      .default(null),
    /** Set by a demand-driven move; lasts `referenceMaxMinutes` (see demand-evidence.ts). */
    demandReference: demandReferenceSchema.nullable().default(null),
    updatedAt: utcTimestamp,
  })
  .superRefine((product, ctx) => {
    if (product.floor > product.ceiling) {
      ctx.addIssue({ code: 'custom', path: ['floor'], message: 'floor must not exceed ceiling' });
    }
    for (const field of ['price', 'basePrice'] as const) {
      if (product[field] < product.floor || product[field] > product.ceiling) {
        ctx.addIssue({ code: 'custom', path: [field], message: `${field} must lie within [floor, ceiling]` });
      }
    }
  });

export type Product = z.output<typeof productSchema>;
