import * as z from 'zod';
import { LIMITS } from './limits.js';

/**
 * Field schemas shared by the entity schemas. Identifiers exclude `#`, which the tables use to join
 * parts of a sort key (`changedAt#decisionId`), so no id can forge a key boundary.
 */
export const identifier = z
  .string()
  .min(1)
  .max(LIMITS.idLength)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'letters, digits and _ . : - only');

/** A category slug such as `home-garden`. */
export const categorySlug = z
  .string()
  .min(1)
  .max(LIMITS.categoryLength)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case slug');

/** Money: integer minor units (cents). */
export const cents = z.number().int('must be integer cents').min(0).max(LIMITS.maxCents);

/** ISO-8601 UTC timestamp, normalised to the canonical millisecond form (see time.ts). */
export const utcTimestamp = z.iso.datetime().transform((value) => new Date(value).toISOString());

export const quantity = z.number().int().min(1).max(LIMITS.maxQuantity);

export const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code such as EUR');

export const actor = z.string().min(1).max(LIMITS.actorLength);

export const reasonText = z.string().min(1).max(LIMITS.reasonLength);
