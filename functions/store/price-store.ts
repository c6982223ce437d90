import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../definitions/resources.js';
import type { DemandReference } from '../domain/demand-evidence.js';
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
import type { ChangeSource, PriceChange } from '../domain/price-change.js';
import {
  type ChangeRowInput,
  changeKeyOf,
  changeRowOf,
  changesTodayAt,
  lowestPriceBefore,
} from '../domain/price-history.js';
import {
  decide,
  POLICY_VERSION,
  type PriceDecision,
  type PricingSignals,
  type ReferenceUpdate,
} from '../domain/pricing-policy.js';
import type { Freeze, Product } from '../domain/product.js';
import { toIso } from '../domain/time.js';
import { parseOrThrow } from '../domain/validation.js';
import { fromHistoryItem, historyKey, historyPut, PriceHistoryStore } from './price-history-store.js';
import { PricingConfigStore } from './pricing-config-store.js';
import { cancellationCodes, isConditionFailure } from './transaction-errors.js';

const PRODUCT_KEY = tables.products.partitionKey.name;

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

export interface PriceStoreOptions {
  /**
   * Attempts at one decision before giving up on a product that keeps changing underneath it.
   * @default 5
   */
  readonly maxAttempts?: number;
  /** The clock of ops actions (automated decisions take their time from the trigger). @default Date.now */
  readonly clock?: () => number;
  /** Shares a config store (and its cache) with other users. */
  readonly configStore?: PricingConfigStore;
}

/** What a commit changes on the product, besides version and timestamps. */
interface ProductChanges {
  readonly price?: number;
  readonly floor?: number;
  readonly ceiling?: number;
  /** A freeze to set, or null to clear one. */
  readonly freeze?: Freeze | null;
  /** The demand reference to keep from now on (see demand-evidence.ts), or null to end it. */
  readonly demandReference?: DemandReference | null;
}

/** What a decision's reference update writes: nothing, a new reference, or none. */
function referenceChange(update: ReferenceUpdate): Pick<ProductChanges, 'demandReference'> {
  if (update.kind === 'keep') return {};
  return { demandReference: update.kind === 'set' ? update.reference : null };
}

/**
 * The price store: the one way prices and pricing state change. Every change is ONE transaction:
 * the product update, conditioned on the version read, and its history row, conditioned on not
 * existing — so there is never a price without its history row, or a row without its price.
 */
export class PriceStore {
  readonly history: PriceHistoryStore;
  readonly config: PricingConfigStore;
  private readonly maxAttempts: number;
  private readonly clock: () => number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableNames: {
      readonly products: string;
      readonly priceHistory: string;
      readonly pricingConfig: string;
    },
    options: PriceStoreOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.clock = options.clock ?? Date.now;
    this.history = new PriceHistoryStore(client, tableNames.priceHistory);
    this.config = options.configStore ?? new PricingConfigStore(client, tableNames, { clock: this.clock });
  }

  /** A product, read consistently, or null. */
  async getProduct(productId: string): Promise<Product | null> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableNames.products, Key: { [PRODUCT_KEY]: productId }, ConsistentRead: true }),
    );
    return (Item as Product | undefined) ?? null;
  }

  /**
   * Runs the pricing policy for a trigger and applies its decision. A replayed trigger finds its
   * history row and reports `duplicate`; a lost version race re-reads and re-decides, at most
   * `maxAttempts` times; a kill switch or shadow mode turned on after the config was read stops
   * the write in the transaction itself.
   */
  async applyDecision(productId: string, trigger: PricingTrigger): Promise<ApplyResult> {
    const changeId = changeKeyOf(trigger.at, trigger.decisionId);
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const { product, existing } = await this.readForDecision(productId, changeId);
      if (existing) return { outcome: 'duplicate', change: existing, attempts: attempt };
      if (!product) throw new NotFoundError('product', productId);

      const config = await this.config.get();
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
        await this.recordShadow(shadow);
        return { outcome: 'no_change', decision, change: shadow, attempts: attempt };
      }

      const change = changeRowOf({ ...decision, ...attribution, action: 'price', version: product.version + 1 });
      try {
        const changes = { price: decision.newPrice, ...referenceChange(decision.reference) };
        await this.commit(product, changes, change, { automated: true });
        return { outcome: 'applied', change, attempts: attempt };
      } catch (error) {
        const codes = cancellationCodes(error);
        if (codes?.[1] === 'ConditionalCheckFailed') {
          const existingRow = await this.history.get(productId, changeId, true);
          if (existingRow) return { outcome: 'duplicate', change: existingRow, attempts: attempt };
        }
        if (codes?.[2] === 'ConditionalCheckFailed') this.config.invalidate();
        if (!isConditionFailure(error)) throw error;
        await this.backoff(attempt);
      }
    }
    throw new ConflictError(`product ${productId} kept changing; gave up after ${this.maxAttempts} attempts`);
  }

  /** Holds the price: automated changes are refused until `until` (or an unfreeze). */
  async freeze(productId: string, input: FreezeRequest): Promise<PriceChange> {
    const request = parseOrThrow(freezeRequestSchema, input);
    return this.opsAction(productId, (product, at) => {
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
    return this.opsAction(productId, (product) => {
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
    return this.opsAction(productId, (product) => {
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
    return this.opsAction(productId, (product) => {
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
    const target = await this.history.get(productId, request.toChangeId, true);
    if (!target) throw new NotFoundError(`price change of ${productId}`, request.toChangeId);
    return this.opsAction(productId, (product) => {
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

  /** Reads the product and, in the same round trip, the history row this decision would write. */
  private async readForDecision(
    productId: string,
    changeId: string,
  ): Promise<{ product: Product | null; existing: PriceChange | null }> {
    let requests: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined = {
      [this.tableNames.products]: { Keys: [{ [PRODUCT_KEY]: productId }], ConsistentRead: true },
      [this.tableNames.priceHistory]: { Keys: [historyKey(productId, changeId)], ConsistentRead: true },
    };
    let product: Product | null = null;
    let existing: PriceChange | null = null;
    for (let attempt = 0; requests && Object.keys(requests).length > 0; attempt++) {
      if (attempt > 0) await this.backoff(attempt);
      const { Responses, UnprocessedKeys } = await this.client.send(new BatchGetCommand({ RequestItems: requests }));
      product = (Responses?.[this.tableNames.products]?.[0] as Product | undefined) ?? product;
      const row = Responses?.[this.tableNames.priceHistory]?.[0];
      if (row) existing = fromHistoryItem(row);
      requests = UnprocessedKeys as typeof requests;
    }
    return { product, existing };
  }

  /** An ops action: re-read and re-validate on a lost version race, bounded like automated ones. */
  private async opsAction(
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
      const product = await this.getProduct(productId);
      if (!product) throw new NotFoundError('product', productId);
      const at = toIso(this.clock());
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
        await this.commit(product, changes, change, { automated: false });
        return change;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        await this.backoff(attempt);
      }
    }
    throw new ConflictError(`product ${productId} kept changing; try again`);
  }

  /**
   * The one write: product update + history row (+ for automated changes, the config check), in one
   * TransactWriteItems. Items are in that order, which applyDecision relies on to read cancellations.
   */
  private async commit(
    product: Product,
    changes: ProductChanges,
    row: PriceChange,
    options: { automated: boolean },
  ): Promise<void> {
    const at = row.changedAt;
    const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':read': product.version, ':next': row.version, ':at': at };
    const sets = ['#version = :next', '#updatedAt = :at'];
    const set = (attribute: string, value: unknown) => {
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = value;
      sets.push(`#${attribute} = :${attribute}`);
    };

    if (changes.price !== undefined && changes.price !== product.price) {
      const window = await this.history.changesInLowestPriceWindow(product.productId, at);
      set('price', changes.price);
      set('lastChangeAt', at);
      set('lowest30d', lowestPriceBefore(product.price, window));
    }
    if (changes.floor !== undefined) set('floor', changes.floor);
    if (changes.ceiling !== undefined) set('ceiling', changes.ceiling);
    if (changes.freeze !== undefined) set('freeze', changes.freeze);
    if (changes.demandReference !== undefined) set('demandReference', changes.demandReference);
    if (options.automated) {
      set('changesToday', { day: at.slice(0, 10), count: changesTodayAt(product.changesToday, at) + 1 });
    }

    let condition = '#version = :read';
    if (options.automated) {
      // Automated changes never land on a frozen product, even one frozen after the read.
      names['#freeze'] = 'freeze';
      names['#until'] = 'until';
      values[':null'] = null;
      values[':string'] = 'S';
      condition +=
        ' AND (attribute_not_exists(#freeze) OR #freeze = :null OR (attribute_type(#freeze.#until, :string) AND #freeze.#until <= :at))';
    }

    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableNames.products,
              Key: { [PRODUCT_KEY]: product.productId },
              UpdateExpression: `SET ${sets.join(', ')}`,
              ConditionExpression: condition,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            },
          },
          historyPut(this.tableNames.priceHistory, row),
          ...(options.automated ? [this.config.automationAllowedCheck()] : []),
        ],
      }),
    );
  }

  /** Shadow rows are written alone: they change no product, and a replay finds its row already there. */
  private async recordShadow(row: PriceChange): Promise<void> {
    try {
      await this.client.send(
        new TransactWriteCommand({ TransactItems: [historyPut(this.tableNames.priceHistory, row)] }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Jittered exponential backoff: racing writers of one product must not retry in lockstep. */
  private backoff(attempt: number): Promise<void> {
    return sleep(Math.random() * Math.min(200, 10 * 2 ** attempt));
  }
}

function assertWithinBounds(product: Product, price: number, field: string): void {
  if (price < product.floor || price > product.ceiling) {
    throw new InvalidInputError(field, `price ${price} is outside the bounds [${product.floor}, ${product.ceiling}]`);
  }
}
