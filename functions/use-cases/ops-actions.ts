/**
 * Pricing ops' actions on one product: freeze, unfreeze, bounds, a manual price, a rollback. Each
 * validates its request with the domain schemas, plans the change against the product as read, and
 * commits it with its history row in the store's one transaction; a lost version race re-reads and
 * re-plans, bounded like automated decisions.
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors.js';
import {
  type BoundsRequest,
  boundsRequestSchema,
  type FreezeRequest,
  freezeRequestSchema,
  type ManualPriceRequest,
  manualPriceRequestSchema,
  type RollbackRequest,
  rollbackRequestSchema,
  type UnfreezeRequest,
  unfreezeRequestSchema,
} from '../domain/ops-requests.js';
import type { PriceChange } from '../domain/price-change.js';
import { type ChangeRowInput, changeRowOf } from '../domain/price-history.js';
import { POLICY_VERSION } from '../domain/pricing-policy.js';
import type { Freeze, Product } from '../domain/product.js';
import { toIso } from '../domain/time.js';
import { parseOrThrow } from '../domain/validation.js';
import { backoff } from '../lib/backoff.js';
import type { PriceStore, ProductChanges } from '../store/price-store.js';
import { isConditionFailure } from '../store/transaction-errors.js';
import { DECISION_ATTEMPTS } from './apply-decision.js';

export class OpsActions {
  constructor(
    private readonly store: PriceStore,
    private readonly maxAttempts = DECISION_ATTEMPTS,
  ) {}

  /** Holds the price: automated changes are refused until `until` (or an unfreeze). */
  async freeze(productId: string, input: FreezeRequest): Promise<PriceChange> {
    const request = parseOrThrow(freezeRequestSchema, input);
    return this.act(productId, (product, at) => {
      if (request.until !== null && request.until <= at) {
        throw new InvalidInputError('until', `must be in the future (now is ${at})`);
      }
      const freeze: Freeze = { reason: request.reason, actor: request.actor, frozenAt: at, until: request.until };
      return {
        changes: { freeze },
        row: {
          action: 'freeze',
          reasonCode: 'freeze',
          actor: request.actor,
          explanation: `Frozen ${request.until === null ? 'until unfrozen' : `until ${request.until}`} at ${product.price}: ${request.reason}`,
        },
      };
    });
  }

  async unfreeze(productId: string, input: UnfreezeRequest): Promise<PriceChange> {
    const request = parseOrThrow(unfreezeRequestSchema, input);
    return this.act(productId, (product) => {
      if (product.freeze === null) throw new ConflictError(`product ${productId} is not frozen`);
      return {
        changes: { freeze: null },
        row: {
          action: 'unfreeze',
          reasonCode: 'unfreeze',
          actor: request.actor,
          explanation: `Unfrozen: ${request.reason}`,
        },
      };
    });
  }

  /**
   * Sets the floor and ceiling. The base price must stay inside them; a current price outside them
   * is brought to the nearest bound, recorded in the same row.
   */
  async setBounds(productId: string, input: BoundsRequest): Promise<PriceChange> {
    const request = parseOrThrow(boundsRequestSchema, input);
    return this.act(productId, (product) => {
      if (product.basePrice < request.floor) {
        throw new InvalidInputError('floor', `must not exceed the base price ${product.basePrice}`);
      }
      if (product.basePrice > request.ceiling) {
        throw new InvalidInputError('ceiling', `must not be below the base price ${product.basePrice}`);
      }
      const price = Math.min(Math.max(product.price, request.floor), request.ceiling);
      return {
        changes: { floor: request.floor, ceiling: request.ceiling, price },
        row: {
          action: 'bounds',
          reasonCode: 'bounds_change',
          actor: request.actor,
          guardrail: price === product.price ? null : price === request.floor ? 'floor' : 'ceiling',
          explanation: `Bounds [${product.floor}, ${product.ceiling}] → [${request.floor}, ${request.ceiling}]${price === product.price ? '' : `; price ${product.price} → ${price}`}: ${request.reason}`,
        },
      };
    });
  }

  /** Sets a price by hand, inside the product's bounds (frozen products included: a freeze holds automation). */
  async setManualPrice(productId: string, input: ManualPriceRequest): Promise<PriceChange> {
    const request = parseOrThrow(manualPriceRequestSchema, input);
    return this.act(productId, (product) => {
      assertWithinBounds(product, request.price, 'price');
      return {
        // A price set by hand is no longer a demand move: later evidence reads the rolling baseline.
        changes: { price: request.price, demandReference: null },
        row: {
          action: 'price',
          reasonCode: 'manual_price',
          actor: request.actor,
          explanation: `Manual price ${product.price} → ${request.price}: ${request.reason}`,
        },
      };
    });
  }

  /** Returns the price to what it was just before the change `toChangeId`. */
  async rollback(productId: string, input: RollbackRequest): Promise<PriceChange> {
    const request = parseOrThrow(rollbackRequestSchema, input);
    const target = await this.store.history.get(productId, request.toChangeId, true);
    if (!target) throw new NotFoundError(`price change of ${productId}`, request.toChangeId);
    return this.act(productId, (product) => {
      if (target.oldPrice === product.price) {
        throw new ConflictError(
          `product ${productId} is already at ${product.price}, the price before ${request.toChangeId}`,
        );
      }
      assertWithinBounds(product, target.oldPrice, 'toChangeId');
      return {
        changes: { price: target.oldPrice, demandReference: null },
        row: {
          action: 'price',
          reasonCode: 'rollback',
          actor: request.actor,
          explanation: `Rollback to ${target.oldPrice}, the price before ${request.toChangeId} (${target.oldPrice} → ${target.newPrice}); was ${product.price}: ${request.reason}`,
        },
      };
    });
  }

  /** An ops action: re-read and re-validate on a lost version race, bounded like automated ones. */
  private async act(
    productId: string,
    plan: (
      product: Product,
      at: string,
    ) => {
      changes: ProductChanges;
      row: Pick<ChangeRowInput, 'action' | 'reasonCode' | 'actor' | 'explanation' | 'guardrail'>;
    },
  ): Promise<PriceChange> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const product = await this.store.getProduct(productId);
      if (!product) throw new NotFoundError('product', productId);
      const at = toIso(this.store.clock());
      const { changes, row } = plan(product, at);
      const change = changeRowOf({
        ...row,
        productId,
        changedAt: at,
        decisionId: `ops-${randomUUID()}`,
        oldPrice: product.price,
        newPrice: changes.price ?? product.price,
        signals: {},
        policyVersion: POLICY_VERSION,
        source: 'ops',
        version: product.version + 1,
      });
      try {
        await this.store.commit(product, changes, change, { automated: false });
        return change;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        await backoff(attempt);
      }
    }
    throw new ConflictError(`product ${productId} kept changing; try again`);
  }
}

function assertWithinBounds(product: Product, price: number, field: string): void {
  if (price < product.floor || price > product.ceiling) {
    throw new InvalidInputError(field, `price ${price} is outside the bounds [${product.floor}, ${product.ceiling}]`);
  }
}
