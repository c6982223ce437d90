import { setTimeout as sleep } from 'node:timers/promises';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/resources.js';
import { type AggregateRow, aggregateRowSchema } from '../domain/aggregate.js';
import { expiryAfterDays } from '../domain/time.js';
import { parseOrThrow } from '../domain/validation.js';
import { mapConcurrent } from '../lib/map-concurrent.js';
import { queryPages } from './query-pages.js';

const TTL = tables.aggregates.ttlAttribute;
const PRODUCT_KEY = tables.aggregates.partitionKey.name;
const WINDOW_KEY = tables.aggregates.sortKey.name;
/** A window's row is read by pricing within minutes and by ops for weeks; after that it expires. */
export const AGGREGATE_RETENTION_DAYS = 30;
const BATCH_WRITE_LIMIT = 25;
const MAX_ATTEMPTS = 10;
/** BatchWriteItem calls in flight: a window's rows land in a few round trips without flooding the table. */
const CONCURRENCY = 4;

/**
 * Writes window aggregates: each row whole (a Put, never an update), keyed by (productId,
 * windowStart), with an expiry derived from the window alone. A replayed batch therefore writes
 * byte-identical items over the same keys, which is what makes the rich path's writes idempotent.
 */
export class AggregatesStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Puts every row (validated first, so nothing is written when one is invalid), retrying unprocessed items. */
  async putAll(rows: readonly AggregateRow[]): Promise<void> {
    const items = rows.map((row) => {
      const valid = parseOrThrow(aggregateRowSchema, row, 'aggregate row');
      return { ...valid, [TTL]: expiryAfterDays(valid.windowStart, AGGREGATE_RETENTION_DAYS) };
    });
    const chunks: (typeof items)[] = [];
    for (let start = 0; start < items.length; start += BATCH_WRITE_LIMIT) {
      chunks.push(items.slice(start, start + BATCH_WRITE_LIMIT));
    }
    await mapConcurrent(chunks, CONCURRENCY, async (chunk) => {
      let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt >= MAX_ATTEMPTS) throw new Error(`aggregate writes still unprocessed after ${attempt} attempts`);
        if (attempt > 0) await sleep(Math.min(1_000, 20 * 2 ** attempt));
        const { UnprocessedItems } = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
        );
        requests = (UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
    });
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
}
