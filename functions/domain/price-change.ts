import * as z from 'zod/mini';
import { actor, cents, identifier, utcTimestamp } from './fields.js';
import { LIMITS } from './limits.js';
import { GLOBAL_HISTORY_ID } from './price-history.js';

/** What triggered a change: the two pipelines, or a person through the ops surfaces. */
export const CHANGE_SOURCES = ['fast-path', 'rich-path', 'ops'] as const;
export type ChangeSource = (typeof CHANGE_SOURCES)[number];

/** Why a price (or a product's pricing state) changed. */
export const REASON_CODES = [
  'demand_surge',
  'demand_high',
  'demand_low',
  'low_stock',
  'overstock',
  'decay_to_base',
  'manual_price',
  'rollback',
  'freeze',
  'unfreeze',
  'bounds_change',
  'kill_switch_on',
  'kill_switch_off',
  'shadow_mode_on',
  'shadow_mode_off',
  /** Ops asked for the rich path's Glue job to be restarted; and the new run started. */
  'glue_restart_requested',
  'glue_restarted',
  /** Ops asked for a stream consumer's dead letters to be redriven; and the redrive's tally. */
  'dlq_redrive_requested',
  'dlq_redriven',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/**
 * The guardrail that bound a price, when one did. `clicks_only`: the evidence was clicks without
 * orders, which may lift a price at most one step above base. `margin_floor`: the price may not go
 * below unit cost plus the configured margin.
 */
export const GUARDRAILS = ['floor', 'ceiling', 'max_step', 'price_ending', 'clicks_only', 'margin_floor'] as const;
export type Guardrail = (typeof GUARDRAILS)[number];

/**
 * Why a decision left the price as it was. `blocked`: a rule asked for a move, but a guardrail (named
 * in the decision) or the inventory rule (low stock never lowers, overstock never raises) left no room.
 * `warming_up`: the product has too little history for a demand baseline yet.
 */
export const NO_CHANGE_REASONS = [
  'frozen',
  'cooldown',
  'dead_band',
  'daily_cap',
  'kill_switch',
  'shadow_mode',
  'no_signal',
  'warming_up',
  'blocked',
] as const;
export type NoChangeReason = (typeof NO_CHANGE_REASONS)[number];

/**
 * The kinds of history row: a price change; an ops action on a product's pricing state; a global
 * config change (kill switch, shadow mode); or a shadow decision, recorded without changing the price.
 */
export const CHANGE_ACTIONS = ['price', 'freeze', 'unfreeze', 'bounds', 'config', 'shadow'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

/**
 * What identifies a decision: derived from its trigger (an aggregate key, a shard + sequence, an ops
 * request id). Printable ASCII without `#`, which separates it from the time in the history key.
 */
export const decisionIdSchema = z
  .string()
  .check(z.minLength(1), z.maxLength(200), z.regex(/^[!-"$-~]+$/, 'printable ASCII without spaces or #'));

/**
 * One row of price history. Rows are immutable; `changeId` (`changedAt#decisionId`) is the row's
 * sort key and the id ops use to refer to it (rollback), and a replayed cause collides with its row.
 */
export const priceChangeSchema = z.object({
  /** A product id, or GLOBAL_HISTORY_ID for config changes. */
  productId: z.union([identifier, z.literal(GLOBAL_HISTORY_ID)]),
  changeId: z.string().check(z.minLength(26), z.maxLength(225)),
  changedAt: utcTimestamp,
  decisionId: decisionIdSchema,
  action: z.enum(CHANGE_ACTIONS),
  /** Price before and after; equal for rows that did not change the price (freeze, shadow, config). */
  oldPrice: cents,
  newPrice: cents,
  /** For shadow rows: the price the policy would have set. */
  proposedPrice: z.nullable(cents),
  reasonCode: z.enum(REASON_CODES),
  guardrail: z.nullable(z.enum(GUARDRAILS)),
  /** The inputs the decision saw (demand index, velocity, inventory, ...). */
  signals: z.record(z.string().check(z.maxLength(64)), z.number()),
  explanation: z.string().check(z.maxLength(LIMITS.explanationLength)),
  policyVersion: z.string().check(z.minLength(1), z.maxLength(32)),
  source: z.enum(CHANGE_SOURCES),
  actor,
  /** The product's (or the config's) version after this change; for shadow rows, the version seen. */
  version: z.number().check(z.int(), z.gte(1)),
});

export type PriceChange = z.output<typeof priceChangeSchema>;
