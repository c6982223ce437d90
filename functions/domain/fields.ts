import * as z from 'zod/mini';
import english from 'zod/v4/locales/en.js';
import { LIMITS } from './limits.js';

// zod/mini, the tree-shakable build, ships no messages: every schema module imports this one, which
// gives them the English messages classic zod has ("Too small: expected number to be >=1").
z.config(english());

/**
 * Field schemas shared by the entity schemas. Identifiers exclude `#`, which the tables use to join
 * parts of a sort key (`changedAt#decisionId`), so no id can forge a key boundary.
 */
export const identifier = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(LIMITS.idLength),
    z.regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'letters, digits and _ . : - only'),
  );

/** A category slug such as `home-garden`. */
export const categorySlug = z
  .string()
  .check(z.minLength(1), z.maxLength(LIMITS.categoryLength), z.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case slug'));

/** Money: integer minor units (cents). */
export const cents = z.number().check(z.int('must be integer cents'), z.gte(0), z.lte(LIMITS.maxCents));

/** ISO-8601 UTC timestamp, normalised to the canonical millisecond form (see time.ts). */
export const utcTimestamp = z.pipe(
  z.iso.datetime(),
  z.transform((value) => new Date(value).toISOString()),
);

export const quantity = z.number().check(z.int(), z.gte(1), z.lte(LIMITS.maxQuantity));

export const currencyCode = z.string().check(z.regex(/^[A-Z]{3}$/, 'ISO 4217 code such as EUR'));

export const actor = z.string().check(z.minLength(1), z.maxLength(LIMITS.actorLength));

/** Why an ops action was taken: required, so spaces alone are no reason. */
export const reasonText = z
  .string()
  .check(z.minLength(1), z.maxLength(LIMITS.reasonLength), z.regex(/\S/, 'must say why, not only spaces'));
