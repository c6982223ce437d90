import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/domain/errors.js';
import type { Order } from '../../../functions/domain/order.js';
import { orderTimeBucket } from '../../../functions/domain/order-buckets.js';
import { OrdersStore } from '../../../functions/store/orders-store.js';
import { tables } from '../../../infra/resources.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { scratchTables } from './stream-helpers.js';

const stack = useLocalStack();
const [byTimeBucket] = tables.orders.globalIndexes;

const order: Order = {
  orderId: 'o-test-1',
  productId: 'P00042',
  sessionId: 's-test-1',
  userId: null,
  quantity: 2,
  unitPrice: 1_999,
  currency: 'EUR',
  orderedAt: '2026-11-27T09:15:42.123Z',
};

describe('orders store', () => {
  it('writes an order with its time bucket, readable through the time-bucket index', async () => {
    const { orders: tableName } = await scratchTables(stack.clients, 'orders-store');
    const store = new OrdersStore(stack.clients.documentClient, tableName);

    expect(await store.put(order)).toBe('created');

    const { Item } = await stack.clients.documentClient.send(
      new GetCommand({ TableName: tableName, Key: { [tables.orders.partitionKey.name]: order.orderId } }),
    );
    const bucket = orderTimeBucket(order.orderId, order.orderedAt);
    expect(Item).toEqual({ ...order, [byTimeBucket.partitionKey.name]: bucket });
    const { Items } = await stack.clients.documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: byTimeBucket.indexName,
        KeyConditionExpression: '#bucket = :bucket',
        ExpressionAttributeNames: { '#bucket': byTimeBucket.partitionKey.name },
        ExpressionAttributeValues: { ':bucket': bucket },
      }),
    );
    expect(Items?.map((item) => item.orderId)).toEqual([order.orderId]);
  });

  it('writes an order once: a retried or replayed put changes nothing', async () => {
    const { orders: tableName } = await scratchTables(stack.clients, 'orders-once');
    const store = new OrdersStore(stack.clients.documentClient, tableName);

    expect(await store.put(order)).toBe('created');
    expect(await store.put({ ...order, quantity: 5 })).toBe('existing');

    const { Item } = await stack.clients.documentClient.send(
      new GetCommand({ TableName: tableName, Key: { [tables.orders.partitionKey.name]: order.orderId } }),
    );
    expect(Item?.quantity).toBe(2);
  });

  it('refuses an invalid order, naming the field, and writes nothing', async () => {
    const { orders: tableName } = await scratchTables(stack.clients, 'orders-invalid');
    const store = new OrdersStore(stack.clients.documentClient, tableName);

    await expect(store.put({ ...order, unitPrice: 19.99 })).rejects.toThrow(InvalidInputError);
    await expect(store.put({ ...order, unitPrice: 19.99 })).rejects.toThrow(/unitPrice/);
    const { Item } = await stack.clients.documentClient.send(
      new GetCommand({ TableName: tableName, Key: { [tables.orders.partitionKey.name]: order.orderId } }),
    );
    expect(Item).toBeUndefined();
  });
});
