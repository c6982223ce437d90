import { tables } from '../../definitions/resources.js';
import { type AggregateRow, aggregateRowSchema } from '../domain/aggregate.js';
import { expiryAfterDays } from '../domain/time.js';
import { parseOrThrow } from '../domain/validation.js';
import { batchPut } from './batch-put.js';
import type { DynamoDbDocuments } from './dynamodb-documents.js';
import { queryPages } from './query-pages.js';

const TTL = tables.aggregates.ttl.attribute;
const RETENTION_DAYS = tables.aggregates.ttl.retentionDays;
const PRODUCT_KEY = tables.aggregates.partitionKey.name;
const WINDOW_KEY = tables.aggregates.sortKey.name;

/** The demand counts of an earlier window of one product, as the rich path's baseline needs them. */
export type BaselineWindow = Pick<AggregateRow, 'windowStart' | 'views' | 'carts' | 'purchases' | 'units'>;

/**
 * Writes window aggregates: each row whole (a Put, never an update), keyed by (productId,
 * windowStart), with an expiry derived from the window alone. A replayed batch therefore writes
 * byte-identical items over the same keys, which is what makes the rich path's writes idempotent.
 */
export class AggregatesStore {
  constructor(
    private readonly client: DynamoDbDocuments,
    private readonly tableName: string,
  ) {}

  /** Puts every row (validated first, so nothing is written when one is invalid), retrying unprocessed items. */
  async putAll(rows: readonly AggregateRow[]): Promise<void> {
    const items = rows.map((row) => {
      const valid = parseOrThrow(aggregateRowSchema, row, 'aggregate row');
      return { ...valid, [TTL]: expiryAfterDays(valid.windowStart, RETENTION_DAYS) };
    });
    await batchPut(this.client, this.tableName, items);
  }

  /** A product's windows whose start lies in [from, to] (inclusive), oldest first, every page read. */
  async windows(productId: string, from: string, to: string): Promise<AggregateRow[]> {
    const rows: AggregateRow[] = [];
    const pages = queryPages(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#product = :product AND #window BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#product': PRODUCT_KEY, '#window': WINDOW_KEY },
      ExpressionAttributeValues: { ':product': productId, ':from': from, ':to': to },
    });
    for await (const items of pages) {
      for (const { [TTL]: _expiry, ...row } of items) rows.push(row as AggregateRow);
    }
    return rows;
  }

  /**
   * The product's rows with `from <= windowStart < before`, newest first, at most `limit`: one Query
   * of the product's partition, projected to the counts. `before` is the stored key of the triggering
   * row, compared as DynamoDB compares strings.
   */
  async previousWindows(productId: string, from: string, before: string, limit: number): Promise<BaselineWindow[]> {
    const { Items } = await this.client.query({
      TableName: this.tableName,
      // BETWEEN is inclusive: ask for one more row and drop the triggering window itself below.
      KeyConditionExpression: '#product = :product AND #window BETWEEN :from AND :before',
      ExpressionAttributeNames: {
        '#product': PRODUCT_KEY,
        '#window': WINDOW_KEY,
        '#views': 'views',
        '#carts': 'carts',
        '#purchases': 'purchases',
        '#units': 'units',
      },
      ExpressionAttributeValues: { ':product': productId, ':from': from, ':before': before },
      ProjectionExpression: '#window, #views, #carts, #purchases, #units',
      ScanIndexForward: false,
      Limit: limit + 1,
    });
    return (Items ?? [])
      .filter((item) => item[WINDOW_KEY] !== before)
      .slice(0, limit)
      .map((item) => ({
        windowStart: String(item[WINDOW_KEY]),
        views: Number(item.views ?? 0),
        carts: Number(item.carts ?? 0),
        purchases: Number(item.purchases ?? 0),
        units: Number(item.units ?? 0),
      }));
  }
}
