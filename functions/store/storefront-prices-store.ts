import { setTimeout as sleep } from 'node:timers/promises';
import { tables } from '../../definitions/resources.js';
import { ClickpriceError } from '../domain/errors.js';
import type { Product } from '../domain/product.js';
import type { DynamoDbDocuments } from './dynamodb-documents.js';

const PRODUCT_KEY = tables.products.partitionKey.name;

/** The only product fields the storefront serves; reads project just these (smaller items, fewer bytes). */
export const STOREFRONT_PRICE_FIELDS = ['productId', 'price', 'currency', 'version', 'updatedAt', 'lowest30d'] as const;
export type StorefrontPrice = Pick<Product, (typeof STOREFRONT_PRICE_FIELDS)[number]>;

/** DynamoDB's limit on the keys of one BatchGetItem. */
export const BATCH_GET_MAX_KEYS = 100;

const projection = {
  ProjectionExpression: STOREFRONT_PRICE_FIELDS.map((_, index) => `#f${index}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(STOREFRONT_PRICE_FIELDS.map((field, index) => [`#f${index}`, field])),
};

export interface StorefrontPricesStoreOptions {
  /**
   * BatchGetItem calls for one batch read, the first included, before unprocessed keys are given up on.
   * @default 4
   */
  readonly maxAttempts?: number;
  /** Backoff before the first retry of unprocessed keys; doubles per retry, with full jitter. @default 10 */
  readonly baseDelayMs?: number;
  /** The longest backoff between two attempts. @default 200 */
  readonly maxDelayMs?: number;
}

/** DynamoDB kept answering some keys of a batch read as unprocessed (throttling) until the attempts ran out. */
export class UnprocessedKeysError extends ClickpriceError {
  override name = 'UnprocessedKeysError';
  constructor(
    /** The product ids still unread. */
    readonly productIds: readonly string[],
    readonly attempts: number,
  ) {
    super(`${productIds.length} product id(s) still unprocessed after ${attempts} BatchGetItem attempts`);
  }
}

/**
 * The storefront's read side of the products table: the current price of one product or of up to
 * 100, projected to the fields served.
 *
 * Reads are eventually consistent, on purpose: a storefront price is a display (checkout prices the
 * order again), answers may be cached for seconds anyway (Cache-Control), a replica lags the leader
 * by well under a second, and an eventually consistent read costs half a strongly consistent one —
 * the storefront is by far the busiest reader of the table.
 */
export class StorefrontPricesStore {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly client: DynamoDbDocuments,
    private readonly tableName: string,
    options: StorefrontPricesStoreOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 10;
    this.maxDelayMs = options.maxDelayMs ?? 200;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new RangeError(`maxAttempts must be a positive integer; got ${this.maxAttempts}`);
    }
  }

  /** One product's price, or null when there is no such product. */
  async get(productId: string): Promise<StorefrontPrice | null> {
    const { Item } = await this.client.get({
      TableName: this.tableName,
      Key: { [PRODUCT_KEY]: productId },
      ...projection,
    });
    return (Item as StorefrontPrice | undefined) ?? null;
  }

  /**
   * The prices of up to 100 distinct products (duplicates are read once), by product id; ids with no
   * product are absent from the map. Keys DynamoDB leaves unprocessed are read again after a
   * jittered exponential backoff, at most `maxAttempts` calls in all, then UnprocessedKeysError.
   */
  async getMany(productIds: readonly string[]): Promise<Map<string, StorefrontPrice>> {
    const distinct = [...new Set(productIds)];
    if (distinct.length > BATCH_GET_MAX_KEYS) {
      throw new RangeError(`a batch read takes at most ${BATCH_GET_MAX_KEYS} distinct ids; got ${distinct.length}`);
    }
    const found = new Map<string, StorefrontPrice>();
    let pending: Record<string, unknown>[] = distinct.map((productId) => ({ [PRODUCT_KEY]: productId }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) await sleep(this.backoffMs(attempt - 1));
      const { Responses, UnprocessedKeys } = await this.client.batchGet({
        RequestItems: { [this.tableName]: { Keys: pending, ...projection } },
      });
      for (const item of Responses?.[this.tableName] ?? []) {
        const price = item as StorefrontPrice;
        found.set(price.productId, price);
      }
      pending = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      if (pending.length > 0 && attempt >= this.maxAttempts) {
        throw new UnprocessedKeysError(
          pending.map((key) => String(key[PRODUCT_KEY])),
          attempt,
        );
      }
    }
    return found;
  }

  /** Full jitter: a random delay up to base·2^(retry−1), capped (AWS's advice for throttled retries). */
  private backoffMs(retry: number): number {
    return Math.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (retry - 1));
  }
}
