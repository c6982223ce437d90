import { tables } from '../../definitions/resources.js';
import type { DemandReference } from '../domain/demand-evidence.js';
import type { PriceChange } from '../domain/price-change.js';
import { changesTodayAt, lowestPriceBefore } from '../domain/price-history.js';
import type { Freeze, Product } from '../domain/product.js';
import { backoff } from '../lib/backoff.js';
import type { DynamoDbDocuments } from './dynamodb-documents.js';
import { fromHistoryItem, historyKey, historyPut, PriceHistoryStore } from './price-history-store.js';
import { PricingConfigStore } from './pricing-config-store.js';
import { isConditionFailure } from './transaction-errors.js';

const PRODUCT_KEY = tables.products.partitionKey.name;

export interface PriceStoreOptions {
  /** The clock of ops actions (automated decisions take their time from the trigger). @default Date.now */
  readonly clock?: () => number;
  /** Shares a config store (and its cache) with other users. */
  readonly configStore?: PricingConfigStore;
}

/** What a commit changes on the product, besides version and timestamps. */
export interface ProductChanges {
  readonly price?: number;
  readonly floor?: number;
  readonly ceiling?: number;
  /** A freeze to set, or null to clear one. */
  readonly freeze?: Freeze | null;
  /** The demand reference to keep from now on (see demand-evidence.ts), or null to end it. */
  readonly demandReference?: DemandReference | null;
}

/**
 * The price store: the one way prices and pricing state change. Every change is ONE transaction:
 * the product update, conditioned on the version read, and its history row, conditioned on not
 * existing — so there is never a price without its history row, or a row without its price.
 * What is written is decided above it: functions/use-cases/ (applying a decision, ops actions).
 */
export class PriceStore {
  readonly history: PriceHistoryStore;
  readonly config: PricingConfigStore;
  /** The clock ops actions are timed by. */
  readonly clock: () => number;

  constructor(
    private readonly client: DynamoDbDocuments,
    private readonly tableNames: {
      readonly products: string;
      readonly priceHistory: string;
      readonly pricingConfig: string;
    },
    options: PriceStoreOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.history = new PriceHistoryStore(client, tableNames.priceHistory);
    this.config = options.configStore ?? new PricingConfigStore(client, tableNames, { clock: this.clock });
  }

  /** A product, read consistently, or null. */
  async getProduct(productId: string): Promise<Product | null> {
    const { Item } = await this.client.get({
      TableName: this.tableNames.products,
      Key: { [PRODUCT_KEY]: productId },
      ConsistentRead: true,
    });
    return (Item as Product | undefined) ?? null;
  }

  /** Reads the product and, in the same round trip, the history row this decision would write. */
  async readForDecision(
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
      if (attempt > 0) await backoff(attempt);
      const { Responses, UnprocessedKeys } = await this.client.batchGet({ RequestItems: requests });
      product = (Responses?.[this.tableNames.products]?.[0] as Product | undefined) ?? product;
      const row = Responses?.[this.tableNames.priceHistory]?.[0];
      if (row) existing = fromHistoryItem(row);
      requests = UnprocessedKeys as typeof requests;
    }
    return { product, existing };
  }

  /**
   * The one write: product update + history row (+ for automated changes, the config check), in one
   * TransactWriteItems. Items are in that order, which applyDecision relies on to read cancellations.
   */
  async commit(
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

    await this.client.transactWrite({
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
    });
  }

  /** Shadow rows are written alone: they change no product, and a replay finds its row already there. */
  async recordShadow(row: PriceChange): Promise<void> {
    try {
      await this.client.transactWrite({ TransactItems: [historyPut(this.tableNames.priceHistory, row)] });
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
