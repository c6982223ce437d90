import * as z from 'zod/mini';
import { actor, categorySlug, cents, currencyCode, identifier, reasonText, utcTimestamp } from './fields.js';
import { LIMITS } from './limits.js';

/** Why and until when a product's price is held; automated changes are refused while it holds. */
export const freezeSchema = z.object({
  reason: reasonText,
  actor,
  frozenAt: utcTimestamp,
  /** The freeze lapses at this instant; `null` holds until an explicit unfreeze. */
  until: z.nullable(utcTimestamp),
});
export type Freeze = z.output<typeof freezeSchema>;

const count = z.number().check(z.int(), z.gte(0));

/**
 * The baseline a demand-driven move was read against (see demand-evidence.ts), kept while the move
 * lasts so later evidence is compared with demand before the move, not with the move's own demand.
 */
export const demandReferenceSchema = z.object({
  periods: z.number().check(z.int(), z.gte(1)),
  periodSeconds: z.number().check(z.int(), z.gte(1)),
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
    name: z.string().check(z.minLength(1), z.maxLength(LIMITS.nameLength)),
    category: categorySlug,
    currency: currencyCode,
    basePrice: cents,
    price: cents,
    floor: cents,
    ceiling: cents,
    inventory: z.number().check(z.int(), z.gte(0), z.lte(LIMITS.maxInventory)),
    /** What one unit costs the merchant, for margins and the margin floor; `null` when unknown. */
    unitCost: z._default(z.nullable(cents), null),
    /**
     * When the order system expects the next delivery, if it says: stock is scarce when it sells out
     * before then. `null`: unknown (scarcity is then read from a fixed cover).
     */
    restockAt: z._default(z.nullable(utcTimestamp), null),
    /** Incremented by every price or bounds change; writers condition on the version they read. */
    version: z.number().check(z.int(), z.gte(1)),
    /**
     * The lowest price in effect during the 30 days before the current price took effect: the prior
     * price EU price-indication rules require beside an announced reduction.
     */
    lowest30d: cents,
    freeze: z.nullable(freezeSchema),
    /** When the price last changed, for cooldowns; `null` if never since seeding. */
    lastChangeAt: z.nullable(utcTimestamp),
    /** Automated price changes in one UTC day, for the daily cap; kept by the price store's transaction. */
    changesToday: z._default(
      z.nullable(
        z.object({ day: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)), count: z.number().check(z.int(), z.gte(0)) }),
      ),
      null,
    ),
    /** Set by a demand-driven move; lasts `referenceMaxMinutes` (see demand-evidence.ts). */
    demandReference: z._default(z.nullable(demandReferenceSchema), null),
    updatedAt: utcTimestamp,
  })
  .check(
    z.superRefine((product, ctx) => {
      if (product.floor > product.ceiling) {
        ctx.addIssue({ code: 'custom', path: ['floor'], message: 'floor must not exceed ceiling' });
      }
      for (const field of ['price', 'basePrice'] as const) {
        if (product[field] < product.floor || product[field] > product.ceiling) {
          ctx.addIssue({ code: 'custom', path: [field], message: `${field} must lie within [floor, ceiling]` });
        }
      }
    }),
  );

export type Product = z.output<typeof productSchema>;
