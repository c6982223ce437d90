import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { tables } from '../definitions/resources.js';
import { categorySlug, cents, currencyCode, identifier } from '../functions/domain/fields.js';
import { EmptyCatalogueError } from './errors.js';
import type { CatalogueProduct, PriceSource } from './traffic-model.js';

const PRODUCT_KEY = tables.products.partitionKey.name;

/** The part of a product the simulator shops with. */
const shoppableProductSchema = z.object({
  [PRODUCT_KEY]: identifier,
  category: categorySlug,
  name: z.string().check(z.minLength(1)),
  currency: currencyCode,
  basePrice: cents,
  price: cents,
  /** Missing counts as none: a product without an inventory cannot be sold. */
  inventory: z._default(z.number().check(z.int(), z.gte(0)), 0),
});

type ScannedProduct = CatalogueProduct & { price: number; inventory: number };

export interface PriceViewOptions {
  /** How often the prices are read again while refreshing. @default 2000 */
  readonly refreshIntervalMs?: number;
}

/**
 * The storefront's view of the products table: the catalogue and the current prices, read with a
 * Scan and refreshed every few seconds in the background — not per event, which would cost a read
 * per click. Shoppers therefore see a price change within one refresh interval, as a cached
 * storefront would show it. The first read also gives the inventories the order system starts from.
 */
export class PriceView implements PriceSource {
  private prices = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  /** Completed reads, and failed background reads (a failed refresh keeps the last prices). */
  refreshes = 0;
  refreshErrors = 0;
  lastRefreshError: string | null = null;

  private constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The catalogue as first read, sorted by product id. */
    readonly catalogue: readonly CatalogueProduct[],
    /** Each product's units in stock as first read: where the order system's count starts. */
    readonly inventories: ReadonlyMap<string, number>,
    private readonly options: PriceViewOptions,
  ) {}

  /** Reads the catalogue and its prices; throws EmptyCatalogueError when the table holds no product. */
  static async load(
    client: DynamoDBDocumentClient,
    tableName: string,
    options: PriceViewOptions = {},
  ): Promise<PriceView> {
    const products = await scanProducts(client, tableName);
    if (products.length === 0) {
      throw new EmptyCatalogueError(
        `products table ${tableName} holds no valid product: seed it first (npm run seed -- --table ${tableName})`,
      );
    }
    const catalogue = products.map(({ price: _price, inventory: _inventory, ...product }) => product);
    const inventories = new Map(products.map((product) => [product.productId, product.inventory]));
    const view = new PriceView(client, tableName, catalogue, inventories, options);
    view.apply(products);
    return view;
  }

  /** The current price in cents; the base price for a product that has disappeared since. */
  priceOf(productId: string): number {
    return this.prices.get(productId) ?? 0;
  }

  /** Reads the prices again now. */
  async refresh(): Promise<void> {
    this.refreshing ??= scanProducts(this.client, this.tableName)
      .then((products) => this.apply(products))
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  /** Refreshes in the background until stop(). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.refresh().catch((error: Error) => {
        this.refreshErrors++;
        this.lastRefreshError = `${error.name}: ${error.message}`;
      });
    }, this.options.refreshIntervalMs ?? 2_000);
    this.timer.unref();
  }

  /** Stops refreshing and waits for a read under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.refreshing?.catch(() => undefined);
  }

  private apply(products: readonly ScannedProduct[]): void {
    const prices = new Map(this.catalogue.map((product) => [product.productId, product.basePrice]));
    for (const product of products) prices.set(product.productId, product.price);
    this.prices = prices;
    this.refreshes++;
  }
}

async function scanProducts(client: DynamoDBDocumentClient, tableName: string): Promise<ScannedProduct[]> {
  const products: ScannedProduct[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        ProjectionExpression: '#key, category, #name, currency, basePrice, price, inventory',
        ExpressionAttributeNames: { '#key': PRODUCT_KEY, '#name': 'name' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const parsed = shoppableProductSchema.safeParse(item);
      if (parsed.success) {
        const { [PRODUCT_KEY]: productId, ...rest } = parsed.data;
        products.push({ productId: productId as string, ...rest } as ScannedProduct);
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return products.sort((a, b) => (a.productId < b.productId ? -1 : 1));
}
