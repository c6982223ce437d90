import type {
  ChangeFeed,
  DemandSeries,
  HistoryPage,
  HistoryQuery,
  PriceAt,
  PricingConfigView,
  ProductPage,
  ProductSummary,
  QuarantinePage,
  RecentDemand,
} from '../domain/api-types.js';
import { InvalidInputError, NotFoundError } from '../domain/errors.js';
import type { PriceChange } from '../domain/price-change.js';
import { freezeHolds } from '../domain/pricing-policy.js';
import type { Freeze, Product } from '../domain/product.js';
import { minuteOf, toEpochMs, toIso } from '../domain/time.js';
import { mapConcurrent } from '../lib/map-concurrent.js';
import { AggregatesStore } from './aggregates-store.js';
import { DemandMinutes } from './demand-minutes.js';
import type { DynamoDbDocuments } from './dynamodb-documents.js';
import { PriceHistoryStore } from './price-history-store.js';
import type { PriceStore } from './price-store.js';
import type { PricingConfigStore } from './pricing-config-store.js';
import { ProductListingStore, type ProductListQuery } from './product-listing-store.js';
import { QuarantineStore } from './quarantine-store.js';
import type { TableNames } from './table-names.js';

/** Minutes of fast-path demand a product summary sums, the current minute included. */
export const SUMMARY_DEMAND_MINUTES = 15;
/** Newest history rows a summary reads for its last change and sparkline. */
const SUMMARY_HISTORY_ROWS = 50;
const SPARKLINE_POINTS = 20;
/**
 * The longest demand series one request may ask for: a day, plus an hour's room so that a day's view
 * asked with `from` = now − 24 h (and `to` left to the server's clock) is never refused.
 */
export const MAX_DEMAND_RANGE_MS = 25 * 60 * 60_000;
/** Products whose summaries are built at once (each is two small Queries). */
const SUMMARY_CONCURRENCY = 16;

/**
 * What the ops API reads, in the shapes of functions/domain/api-types.ts: product summaries (product, recent
 * demand, last change, sparkline), history, time travel, demand series, the change feed, quarantine
 * and the pricing config. Writes go through the ops actions (use-cases/) and PricingConfigStore, never
 * through here.
 */
export class OpsQueries {
  private readonly listing: ProductListingStore;
  private readonly history: PriceHistoryStore;
  private readonly demand: DemandMinutes;
  private readonly aggregates: AggregatesStore;
  private readonly quarantineStore: QuarantineStore;

  constructor(
    client: DynamoDbDocuments,
    tableNames: TableNames,
    private readonly prices: PriceStore,
    private readonly config: PricingConfigStore,
    private readonly clock: () => number = Date.now,
  ) {
    this.listing = new ProductListingStore(client, tableNames.products);
    this.history = new PriceHistoryStore(client, tableNames.priceHistory);
    this.demand = new DemandMinutes(client, tableNames.demand);
    this.aggregates = new AggregatesStore(client, tableNames.aggregates);
    this.quarantineStore = new QuarantineStore(client, tableNames.quarantine);
  }

  async products(query: ProductListQuery): Promise<ProductPage> {
    const page = await this.listing.list(query);
    const now = toIso(this.clock());
    const products = await mapConcurrent(page.products, SUMMARY_CONCURRENCY, (product) => this.summaryOf(product, now));
    return { products, nextCursor: page.cursor ?? null };
  }

  /** A product as ops see it, read consistently (so it shows an action just taken). */
  async product(productId: string): Promise<ProductSummary> {
    return this.summaryOf(await this.existing(productId), toIso(this.clock()));
  }

  /**
   * The product just after an ops action wrote `change`. The product is read consistently, but its
   * history through a Query, which in DynamoDB may not list a row written a moment ago: the row the
   * action wrote is the newest one, so it is put in its place if the Query missed it.
   */
  async productAfter(productId: string, change: PriceChange): Promise<ProductSummary> {
    const summary = await this.product(productId);
    if (summary.lastChange !== null && summary.lastChange.changeId >= change.changeId) return summary;
    const point: [string, number] = [change.changedAt, change.newPrice];
    return {
      ...summary,
      lastChange: change,
      sparkline: changedPrice(change) ? [...summary.sparkline, point].slice(-SPARKLINE_POINTS) : summary.sparkline,
    };
  }

  async productHistory(productId: string, query: HistoryQuery): Promise<HistoryPage> {
    await this.existing(productId);
    try {
      const page = await this.history.list(productId, query);
      return { productId, changes: page.changes, nextCursor: page.cursor ?? null };
    } catch (error) {
      // A cursor of this product's listing, sent with a range that excludes where it stopped.
      if (error instanceof Error && error.name === 'ValidationException' && /starting key/i.test(error.message)) {
        throw new InvalidInputError('cursor', 'lies outside from..to: send it with the range of the page it came from');
      }
      throw error;
    }
  }

  async priceAt(productId: string, at: string): Promise<PriceAt> {
    const product = await this.existing(productId);
    const price = await this.history.priceAt(productId, at, product.price);
    return { productId, at, price, currency: product.currency };
  }

  /** Rich-path windows starting in [from, to] and fast-path minutes from from's minute to to's. */
  async demandSeries(productId: string, range: { from?: string; to?: string }): Promise<DemandSeries> {
    const to = range.to ?? toIso(this.clock());
    const from = range.from ?? toIso(toEpochMs(to) - 60 * 60_000);
    if (from > to) throw new InvalidInputError('from', 'must not be after to');
    if (toEpochMs(to) - toEpochMs(from) > MAX_DEMAND_RANGE_MS) {
      throw new InvalidInputError('from', 'the range from..to must be at most 25 hours');
    }
    await this.existing(productId);
    const lookback = (toEpochMs(minuteOf(to)) - toEpochMs(minuteOf(from))) / 60_000 + 1;
    const [windows, minutes] = await Promise.all([
      this.aggregates.windows(productId, from, to),
      this.demand.minutes(productId, minuteOf(to), lookback),
    ]);
    return {
      productId,
      from,
      to,
      windows: windows.map(({ windowStart, windowEnd, views, carts, purchases, units, revenue }) => ({
        windowStart,
        windowEnd,
        views,
        carts,
        purchases,
        units,
        revenue,
      })),
      minutes: minutes.map(({ minute, views, carts, purchases }) => ({ minute, views, carts, purchases })),
    };
  }

  async changes(minutes: number, limit: number): Promise<ChangeFeed> {
    const now = this.clock();
    const changes = await this.history.recent(minutes, toIso(now), limit);
    return { since: toIso(now - minutes * 60_000), changes };
  }

  async quarantine(day: string | undefined, limit: number): Promise<QuarantinePage> {
    const listed = day ?? toIso(this.clock()).slice(0, 10);
    return { day: listed, records: await this.quarantineStore.list(listed, limit) };
  }

  async pricingConfig(): Promise<PricingConfigView> {
    const { config, version } = await this.config.getStored();
    const { killSwitch, shadowMode, ...rest } = config;
    return { killSwitch, shadowMode, version, config: rest };
  }

  private async existing(productId: string): Promise<Product> {
    const product = await this.prices.getProduct(productId);
    if (product === null) throw new NotFoundError('product', productId);
    return product;
  }

  private async summaryOf(product: Product, now: string): Promise<ProductSummary> {
    const [recent, demand] = await Promise.all([
      this.history.list(product.productId, { limit: SUMMARY_HISTORY_ROWS }),
      this.recentDemand(product.productId, now),
    ]);
    const sparkline = recent.changes
      .filter(changedPrice)
      .slice(0, SPARKLINE_POINTS)
      .reverse()
      .map((change): [string, number] => [change.changedAt, change.newPrice]);
    return {
      productId: product.productId,
      name: product.name,
      category: product.category,
      currency: product.currency,
      price: product.price,
      basePrice: product.basePrice,
      floor: product.floor,
      ceiling: product.ceiling,
      inventory: product.inventory,
      version: product.version,
      lowest30d: product.lowest30d,
      freeze: freezeInForce(product.freeze, now),
      updatedAt: product.updatedAt,
      lastChangeAt: product.lastChangeAt,
      lastChange: recent.changes[0] ?? null,
      demand,
      sparkline,
    };
  }

  private async recentDemand(productId: string, now: string): Promise<RecentDemand> {
    const minutes = await this.demand.minutes(productId, minuteOf(now), SUMMARY_DEMAND_MINUTES);
    const total = { views: 0, carts: 0, purchases: 0 };
    for (const minute of minutes) {
      total.views += minute.views;
      total.carts += minute.carts;
      total.purchases += minute.purchases;
    }
    return { since: minutes[0]?.minute ?? minuteOf(now), minutes: SUMMARY_DEMAND_MINUTES, ...total };
  }
}

/** A freeze past its `until` no longer holds (automated changes pass it), so ops are shown none. */
function freezeInForce(freeze: Freeze | null, now: string): Freeze | null {
  return freezeHolds(freeze, toEpochMs(now)) ? freeze : null;
}

/** History rows that moved the price (shadow rows never do; freeze and config rows leave it). */
function changedPrice(change: PriceChange): boolean {
  return change.action !== 'shadow' && change.newPrice !== change.oldPrice;
}
