/**
 * Applying an automated pricing decision: read the product (and, in the same round trip, the
 * history row this trigger would write), run the policy, then record a shadow row or commit the
 * change in the store's one transaction. A replayed trigger finds its row and changes nothing; a
 * lost version race re-reads and re-decides.
 */

import { ConflictError, NotFoundError } from '../domain/errors.js';
import type { ChangeSource, PriceChange } from '../domain/price-change.js';
import { changeKeyOf, changeRowOf, changesTodayAt } from '../domain/price-history.js';
import { decide, type PriceDecision, type PricingSignals, type ReferenceUpdate } from '../domain/pricing-policy.js';
import { backoff } from '../lib/backoff.js';
import type { PriceStore, ProductChanges } from '../store/price-store.js';
import { cancellationCodes, isConditionFailure } from '../store/transaction-errors.js';

/** What triggered an automated decision. Both the id and the time come from the trigger, never the clock. */
export interface PricingTrigger {
  /** An aggregate key, or shard + sequence number: a replayed trigger has the same id. */
  readonly decisionId: string;
  /** When the trigger happened (record arrival, window end): the decision's `now` and its changedAt. */
  readonly at: string;
  readonly source: Exclude<ChangeSource, 'ops'>;
  readonly signals: PricingSignals;
}

/** What became of a trigger. */
export type ApplyResult =
  | { readonly outcome: 'applied'; readonly change: PriceChange; readonly attempts: number }
  /** The policy left the price alone; in shadow mode `change` is the recorded shadow row. */
  | {
      readonly outcome: 'no_change';
      readonly decision: PriceDecision;
      readonly change: PriceChange | null;
      readonly attempts: number;
    }
  /** This trigger was applied before: nothing was written. */
  | { readonly outcome: 'duplicate'; readonly change: PriceChange; readonly attempts: number };

/** Attempts at one decision before giving up on a product that keeps changing underneath it. */
export const DECISION_ATTEMPTS = 5;

/** What a decision's reference update writes: nothing, a new reference, or none. */
function referenceChange(update: ReferenceUpdate): Pick<ProductChanges, 'demandReference'> {
  if (update.kind === 'keep') return {};
  return { demandReference: update.kind === 'set' ? update.reference : null };
}

/**
 * Runs the pricing policy for a trigger and applies its decision. A kill switch or shadow mode
 * turned on after the config was read stops the write in the transaction itself.
 */
export async function applyDecision(
  store: PriceStore,
  productId: string,
  trigger: PricingTrigger,
  maxAttempts = DECISION_ATTEMPTS,
): Promise<ApplyResult> {
  const changeId = changeKeyOf(trigger.at, trigger.decisionId);
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const { product, existing } = await store.readForDecision(productId, changeId);
    if (existing) return { outcome: 'duplicate', change: existing, attempts: attempt };
    if (!product) throw new NotFoundError('product', productId);

    const config = await store.config.get();
    const decision = decide(product, trigger.signals, config, trigger.at, {
      decisionId: trigger.decisionId,
      changesToday: changesTodayAt(product.changesToday, trigger.at),
    });
    // The row's time is the trigger's, so a replay of this trigger produces the same row key.
    const attribution = { changedAt: trigger.at, source: trigger.source, actor: 'pricing-policy' } as const;

    if (decision.kind === 'no_change') {
      if (decision.reason !== 'shadow_mode' || decision.proposed === null) {
        return { outcome: 'no_change', decision, change: null, attempts: attempt };
      }
      const shadow = changeRowOf({
        ...decision,
        ...attribution,
        action: 'shadow',
        newPrice: product.price,
        proposedPrice: decision.proposed.newPrice,
        reasonCode: decision.proposed.reasonCode,
        guardrail: decision.proposed.guardrail,
        version: product.version,
      });
      await store.recordShadow(shadow);
      return { outcome: 'no_change', decision, change: shadow, attempts: attempt };
    }

    const change = changeRowOf({ ...decision, ...attribution, action: 'price', version: product.version + 1 });
    try {
      const changes = { price: decision.newPrice, ...referenceChange(decision.reference) };
      await store.commit(product, changes, change, { automated: true });
      return { outcome: 'applied', change, attempts: attempt };
    } catch (error) {
      // The transaction's items are product, history row, config check (PriceStore.commit).
      const codes = cancellationCodes(error);
      if (codes?.[1] === 'ConditionalCheckFailed') {
        const existingRow = await store.history.get(productId, changeId, true);
        if (existingRow) return { outcome: 'duplicate', change: existingRow, attempts: attempt };
      }
      if (codes?.[2] === 'ConditionalCheckFailed') store.config.invalidate();
      if (!isConditionFailure(error)) throw error;
      await backoff(attempt);
    }
  }
  throw new ConflictError(`product ${productId} kept changing; gave up after ${maxAttempts} attempts`);
}
