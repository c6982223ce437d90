import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../definitions/resources.js';
import type { HistoryQuery } from '../domain/api-types.js';
import { InvalidInputError } from '../domain/errors.js';
import type { PriceChange } from '../domain/price-change.js';
import { lastChangeKeyAt, lowestPriceWindowStart } from '../domain/price-history.js';
import { hourOf, toEpochMs, toIso } from '../domain/time.js';
import { mergeNewestFirst, shardedKey, shardedKeys } from '../domain/write-shards.js';
import type { DynamoDbDocuments } from './dynamodb-documents.js';
import { decodeCursor, encodeCursor } from './pagination-cursor.js';
import { queryPages } from './query-pages.js';
import { isConditionalCheckFailed } from './transaction-errors.js';

const HISTORY = tables.priceHistory;
const PRODUCT_KEY = HISTORY.partitionKey.name;
const CHANGE_KEY = HISTORY.sortKey.name;
const BY_HOUR = HISTORY.globalIndexes[0];
const HOUR_KEY = BY_HOUR.partitionKey.name;

/**
 * Write shards of the live feed's hour (`2026-12-06T03#5`). An index partition takes about 1,000
 * write units a second and a history row costs 2 there (1–2 KB): one partition per hour would cap
 * the whole catalogue near 500 changes a second, and its throttling would back up the price
 * transactions. Eight shards take 1,000 changes a second at a quarter of each one's limit.
 */
export const CHANGE_HOUR_SHARDS = 8;

/** The stored form of a row: the row, keyed, with its change id as sort key and its hour shard for the feed. */
export function toHistoryItem(row: PriceChange): Record<string, unknown> {
  const { changeId, ...rest } = row;
  return {
    ...rest,
    [CHANGE_KEY]: changeId,
    [HOUR_KEY]: shardedKey(hourOf(row.changedAt), changeId, CHANGE_HOUR_SHARDS),
  };
}

export function fromHistoryItem(item: Record<string, unknown>): PriceChange {
  const { [CHANGE_KEY]: changeId, [HOUR_KEY]: _hour, ...rest } = item;
  return { ...rest, changeId } as PriceChange;
}

/**
 * The transaction item that appends a row. Conditioned on the row not existing: its key holds the
 * decision id, so a replayed decision fails here instead of writing a second row.
 */
export function historyPut(tableName: string, row: PriceChange) {
  return {
    Put: {
      TableName: tableName,
      Item: toHistoryItem(row),
      ConditionExpression: 'attribute_not_exists(#change)',
      ExpressionAttributeNames: { '#change': CHANGE_KEY },
    },
  };
}

/** The key of one history row. */
export function historyKey(productId: string, changeId: string): Record<string, string> {
  return { [PRODUCT_KEY]: productId, [CHANGE_KEY]: changeId };
}

/**
 * One page of a product's rows as the table gives it (`cursor` absent on the last page); ops-queries.ts
 * makes the API's HistoryPage of it. The query's bounds are inclusive; `limit` defaults to 50.
 */
export interface HistoryRowsPage {
  readonly changes: PriceChange[];
  readonly cursor?: string;
}

/** Reads and queries price history. */
export class PriceHistoryStore {
  constructor(
    private readonly client: DynamoDbDocuments,
    private readonly tableName: string,
  ) {}

  /** One row by its change id, or null. */
  async get(productId: string, changeId: string, consistent = false): Promise<PriceChange | null> {
    const { Item } = await this.client.get({
      TableName: this.tableName,
      Key: historyKey(productId, changeId),
      ConsistentRead: consistent,
    });
    return Item ? fromHistoryItem(Item) : null;
  }

  /** A product's history in a time range, newest first, paginated. */
  async list(productId: string, query: HistoryQuery = {}): Promise<HistoryRowsPage> {
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      throw new InvalidInputError('limit', 'must be an integer from 1 to 500');
    }
    if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
      throw new InvalidInputError('from', 'must not be after to');
    }
    const input: QueryCommandInput = {
      TableName: this.tableName,
      KeyConditionExpression: '#product = :product AND #change BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#product': PRODUCT_KEY, '#change': CHANGE_KEY },
      ExpressionAttributeValues: {
        ':product': productId,
        // Digits sort after '!', so '0' bounds every timestamp from below.
        ':from': query.from ?? '0',
        ':to': lastChangeKeyAt(query.to ?? '9999-12-31T23:59:59.999Z'),
      },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(query.cursor, {
        attributes: [PRODUCT_KEY, CHANGE_KEY],
        fixed: { [PRODUCT_KEY]: productId },
      }),
    };
    const { Items, LastEvaluatedKey } = await this.client.query(input);
    return { changes: (Items ?? []).map(fromHistoryItem), cursor: encodeCursor(LastEvaluatedKey) };
  }

  /**
   * Time travel: the price in effect at `instant`. The newest change at or before it gives its new
   * price; before the first change, the first change's old price; with no history, `currentPrice`.
   */
  async priceAt(productId: string, instant: string, currentPrice: number): Promise<number> {
    const [before] = await this.queryAll(
      {
        KeyConditionExpression: '#product = :product AND #change <= :at',
        ExpressionAttributeValues: { ':product': productId, ':at': lastChangeKeyAt(instant) },
        ScanIndexForward: false,
        Limit: 1,
      },
      1,
    );
    if (before) return before.newPrice;
    const [first] = await this.queryAll(
      {
        KeyConditionExpression: '#product = :product',
        ExpressionAttributeValues: { ':product': productId },
        ScanIndexForward: true,
        Limit: 1,
      },
      1,
    );
    return first ? first.oldPrice : currentPrice;
  }

  /** Every change across products since `minutes` ago, newest first (the live feed). */
  async recent(minutes: number, now: string, limit = 200): Promise<PriceChange[]> {
    if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 7 * 24 * 60) {
      throw new InvalidInputError('minutes', 'must be a number of minutes from 1 to 10080 (7 days)');
    }
    const since = toIso(toEpochMs(now) - minutes * 60_000);
    const firstHour = toEpochMs(`${hourOf(since)}:00:00.000Z`);
    const changes: PriceChange[] = [];
    // The index's hours, newest first, until the window or the limit is exhausted; each hour's
    // shards read side by side and merged newest first.
    for (let hour = toEpochMs(now); changes.length < limit && hour >= firstHour; hour -= 3_600_000) {
      const wanted = limit - changes.length;
      const shards = await Promise.all(
        shardedKeys(hourOf(toIso(hour)), CHANGE_HOUR_SHARDS).map(async (key) => {
          const { Items } = await this.client.query({
            TableName: this.tableName,
            IndexName: BY_HOUR.indexName,
            KeyConditionExpression: '#hour = :hour AND #change >= :since',
            ExpressionAttributeNames: { '#hour': HOUR_KEY, '#change': CHANGE_KEY },
            ExpressionAttributeValues: { ':hour': key, ':since': since },
            ScanIndexForward: false,
            Limit: wanted,
          });
          return (Items ?? []).map(fromHistoryItem);
        }),
      );
      changes.push(...mergeNewestFirst(shards, (change) => change.changeId, wanted));
    }
    return changes;
  }

  /** Old and new prices of a product's changes inside the lowest-price window ending at `at`. */
  async changesInLowestPriceWindow(productId: string, at: string): Promise<PriceChange[]> {
    return this.queryAll(
      {
        KeyConditionExpression: '#product = :product AND #change >= :since',
        ExpressionAttributeValues: { ':product': productId, ':since': lowestPriceWindowStart(at) },
        ConsistentRead: true,
      },
      Number.POSITIVE_INFINITY,
    );
  }

  /**
   * Appends a row that changes nothing else (an ops action on the pipeline): once, by its key. A row
   * already there is this one (its key holds its decision id): a retry whose first answer was lost.
   */
  async append(row: PriceChange): Promise<void> {
    try {
      await this.client.put(historyPut(this.tableName, row).Put);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /** Every row of a product, oldest first (for audits and tests). */
  async all(productId: string): Promise<PriceChange[]> {
    return this.queryAll(
      {
        KeyConditionExpression: '#product = :product',
        ExpressionAttributeValues: { ':product': productId },
        ConsistentRead: true,
      },
      Number.POSITIVE_INFINITY,
    );
  }

  private async queryAll(
    input: Omit<QueryCommandInput, 'TableName' | 'ExpressionAttributeNames'>,
    max: number,
  ): Promise<PriceChange[]> {
    const rows: PriceChange[] = [];
    const pages = queryPages(this.client, {
      ...input,
      TableName: this.tableName,
      // DynamoDB rejects names an expression does not use.
      ExpressionAttributeNames: {
        '#product': PRODUCT_KEY,
        ...(input.KeyConditionExpression?.includes('#change') ? { '#change': CHANGE_KEY } : {}),
      },
    });
    for await (const items of pages) {
      rows.push(...items.map(fromHistoryItem));
      if (rows.length >= max) break;
    }
    return rows;
  }
}
