import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/resources.js';
import { type Order, orderSchema } from '../domain/order.js';
import { orderTimeBucket, orderTimeBucketsBetween } from '../domain/order-buckets.js';
import { parseOrThrow } from '../domain/validation.js';
import { queryPages } from './query-pages.js';
import { isConditionFailure } from './transaction-errors.js';

const ORDER_KEY = tables.orders.partitionKey.name;
const [TIME_BUCKET_INDEX] = tables.orders.globalIndexes;
/** The attribute the time-bucket index is keyed on; the store fills it, callers never do. */
const TIME_BUCKET = TIME_BUCKET_INDEX.partitionKey.name;
const ORDERED_AT = TIME_BUCKET_INDEX.sortKey.name;

/** What became of a put: written now, or already there from an earlier (retried or replayed) write. */
export type OrderPutOutcome = 'created' | 'existing';

/**
 * Writes orders as the order system does: validated, indexed by time bucket, and at most once per
 * orderId — the put is conditioned on the order not existing, so a retried or replayed write can
 * never double an order, nor overwrite the one that was placed first.
 */
export class OrdersStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Writes `order` unless an order with its id exists; throws InvalidInputError for an invalid order. */
  async put(order: Order): Promise<OrderPutOutcome> {
    const valid = parseOrThrow(orderSchema, order, 'order');
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...valid, [TIME_BUCKET]: orderTimeBucket(valid.orderId, valid.orderedAt) },
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: { '#key': ORDER_KEY },
        }),
      );
      return 'created';
    } catch (error) {
      if (isConditionFailure(error)) return 'existing';
      throw error;
    }
  }

  /**
   * Every order placed in [start, end), read through the time-bucket index: one Query per bucket
   * (each minute, each write shard), page by page, so a window never needs a Scan.
   */
  async queryWindow(start: string, end: string): Promise<Order[]> {
    const pages = await Promise.all(
      orderTimeBucketsBetween(start, end).map((bucket) => this.queryBucket(bucket, start, end)),
    );
    return pages.flat().sort((a, b) => a.orderedAt.localeCompare(b.orderedAt) || a.orderId.localeCompare(b.orderId));
  }

  private async queryBucket(bucket: string, start: string, end: string): Promise<Order[]> {
    const orders: Order[] = [];
    const pages = queryPages(this.client, {
      TableName: this.tableName,
      IndexName: TIME_BUCKET_INDEX.indexName,
      // BETWEEN is inclusive at both ends; the window's end is exclusive, so it is dropped below.
      KeyConditionExpression: '#bucket = :bucket AND #at BETWEEN :start AND :end',
      ExpressionAttributeNames: { '#bucket': TIME_BUCKET, '#at': ORDERED_AT },
      ExpressionAttributeValues: { ':bucket': bucket, ':start': start, ':end': end },
    });
    for await (const items of pages) {
      for (const { [TIME_BUCKET]: _bucket, ...item } of items) {
        const order = item as Order;
        if (order.orderedAt < end) orders.push(order);
      }
    }
    return orders;
  }
}
