import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../definitions/resources.js';
import { type Order, orderSchema } from '../domain/order.js';
import { orderTimeBucket, orderTimeBucketsBetween } from '../domain/order-buckets.js';
import { parseOrThrow } from '../domain/validation.js';
import { backoff } from '../lib/backoff.js';
import type { DynamoDbDocuments } from './dynamodb-documents.js';
import { queryPages } from './query-pages.js';
import { cancellationCodes, isConditionFailure } from './transaction-errors.js';

const ORDER_KEY = tables.orders.partitionKey.name;
const PRODUCT_KEY = tables.products.partitionKey.name;
/** A product's units in stock (an integer ≥ 0). */
const INVENTORY = 'inventory';
/** Placing an order retries a transaction that lost a race with another one on the same items. */
const MAX_PLACE_ATTEMPTS = 8;
const [TIME_BUCKET_INDEX] = tables.orders.globalIndexes;
/** The attribute the time-bucket index is keyed on; the store fills it, callers never do. */
const TIME_BUCKET = TIME_BUCKET_INDEX.partitionKey.name;
const ORDERED_AT = TIME_BUCKET_INDEX.sortKey.name;

/** What became of a put: written now, or already there from an earlier (retried or replayed) write. */
export type OrderPutOutcome = 'created' | 'existing';

/** What became of an order placed against stock: as a put, or refused for want of stock (nothing written). */
export type OrderPlaceOutcome = OrderPutOutcome | 'sold_out';

/**
 * Writes orders as the order system does: validated, indexed by time bucket, and at most once per
 * orderId — the put is conditioned on the order not existing, so a retried or replayed write can
 * never double an order, nor overwrite the one that was placed first.
 */
export class OrdersStore {
  constructor(
    private readonly client: DynamoDbDocuments,
    private readonly tableName: string,
    /** The products table whose inventory place() takes units from. */
    private readonly productsTableName?: string,
  ) {}

  /** Writes `order` unless an order with its id exists; throws InvalidInputError for an invalid order. */
  async put(order: Order): Promise<OrderPutOutcome> {
    const valid = parseOrThrow(orderSchema, order, 'order');
    try {
      await this.client.put({
        TableName: this.tableName,
        Item: { ...valid, [TIME_BUCKET]: orderTimeBucket(valid.orderId, valid.orderedAt) },
        ConditionExpression: 'attribute_not_exists(#key)',
        ExpressionAttributeNames: { '#key': ORDER_KEY },
      });
      return 'created';
    } catch (error) {
      if (isConditionFailure(error)) return 'existing';
      throw error;
    }
  }

  /**
   * Writes `order` and takes its quantity from the product's inventory, in one transaction: both or
   * neither. An order that exists already changes nothing ('existing', so a replayed order never
   * takes stock twice); a product with fewer units than the order's quantity (or no product) leaves
   * the order unwritten ('sold_out'). Throws InvalidInputError for an invalid order.
   */
  async place(order: Order): Promise<OrderPlaceOutcome> {
    const valid = parseOrThrow(orderSchema, order, 'order');
    if (this.productsTableName === undefined) throw new Error('OrdersStore.place needs the products table name');
    const write: TransactWriteCommandInput = {
      TransactItems: [
        {
          Put: {
            TableName: this.tableName,
            Item: { ...valid, [TIME_BUCKET]: orderTimeBucket(valid.orderId, valid.orderedAt) },
            ConditionExpression: 'attribute_not_exists(#key)',
            ExpressionAttributeNames: { '#key': ORDER_KEY },
          },
        },
        {
          Update: {
            TableName: this.productsTableName,
            Key: { [PRODUCT_KEY]: valid.productId },
            UpdateExpression: 'SET #inventory = #inventory - :quantity',
            ConditionExpression: '#inventory >= :quantity',
            ExpressionAttributeNames: { '#inventory': INVENTORY },
            ExpressionAttributeValues: { ':quantity': valid.quantity },
          },
        },
      ],
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.transactWrite(write);
        return 'created';
      } catch (error) {
        const codes = cancellationCodes(error);
        if (codes?.[0] === 'ConditionalCheckFailed') return 'existing';
        if (codes?.[1] === 'ConditionalCheckFailed') return 'sold_out';
        // Another transaction on the order or the product got in the way; the conditions make the same
        // write safe to send again. Jittered, so racing orders of one product do not retry in lockstep.
        if (!codes?.includes('TransactionConflict') || attempt >= MAX_PLACE_ATTEMPTS) throw error;
        await backoff(attempt);
      }
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
