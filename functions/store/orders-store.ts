import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/resources.js';
import { type Order, orderSchema } from '../domain/order.js';
import { orderTimeBucket } from '../domain/order-buckets.js';
import { parseOrThrow } from '../domain/validation.js';
import { isConditionFailure } from './transaction-errors.js';

const ORDER_KEY = tables.orders.partitionKey.name;
const [TIME_BUCKET_INDEX] = tables.orders.globalIndexes;
/** The attribute the time-bucket index is keyed on; the store fills it, callers never do. */
const TIME_BUCKET = TIME_BUCKET_INDEX.partitionKey.name;

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
}
