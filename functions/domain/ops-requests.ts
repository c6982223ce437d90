import * as z from 'zod/mini';
import { MAX_REDRIVE_LETTERS, STREAM_CONSUMERS } from './dead-letters.js';
import { actor, cents, reasonText, utcTimestamp } from './fields.js';

/**
 * What pricing ops may ask for, validated before anything is read or written. The ops API and CLI
 * parse their input with these, so a bad request is rejected with the field it got wrong.
 */
const attribution = { actor, reason: reasonText };

export const freezeRequestSchema = z.strictObject({
  ...attribution,
  /** The freeze lapses at this instant; absent or null holds until an explicit unfreeze. */
  until: z._default(z.nullable(utcTimestamp), null),
});
export type FreezeRequest = z.input<typeof freezeRequestSchema>;

export const unfreezeRequestSchema = z.strictObject(attribution);
export type UnfreezeRequest = z.input<typeof unfreezeRequestSchema>;

export const boundsRequestSchema = z.strictObject({ ...attribution, floor: cents, ceiling: cents }).check(
  z.refine((request) => request.floor <= request.ceiling, {
    path: ['floor'],
    message: 'floor must not exceed ceiling',
  }),
);
export type BoundsRequest = z.input<typeof boundsRequestSchema>;

export const manualPriceRequestSchema = z.strictObject({ ...attribution, price: cents });
export type ManualPriceRequest = z.input<typeof manualPriceRequestSchema>;

export const rollbackRequestSchema = z.strictObject({
  ...attribution,
  /** The change to undo: the price returns to what it was just before it. */
  toChangeId: z.string().check(z.minLength(26), z.maxLength(225)),
});
export type RollbackRequest = z.input<typeof rollbackRequestSchema>;

export const configToggleRequestSchema = z.strictObject({ ...attribution, enabled: z.boolean() });
export type ConfigToggleRequest = z.input<typeof configToggleRequestSchema>;

/** POST /ops/pipeline/glue/restart: why (required, as for every ops action), and who. */
export const glueRestartRequestSchema = z.strictObject({ ...attribution });
export type GlueRestartRequest = z.input<typeof glueRestartRequestSchema>;

/** POST /ops/pipeline/dlq/redrive: whose dead letters, how many at most (default 10), why, and who. */
export const dlqRedriveRequestSchema = z.strictObject({
  ...attribution,
  consumer: z.enum(STREAM_CONSUMERS),
  max: z.optional(z.int().check(z.gte(1), z.lte(MAX_REDRIVE_LETTERS))),
});
export type DlqRedriveRequest = z.input<typeof dlqRedriveRequestSchema>;
