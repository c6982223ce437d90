import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { tables } from '../../../definitions/resources.js';
import { InvalidInputError } from '../../../functions/domain/errors.js';
import type { Order } from '../../../functions/domain/order.js';
import { orderTimeBucket } from '../../../functions/domain/order-buckets.js';
import { OrdersStore } from '../../../functions/store/orders-store.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';
import { loadCatalogue } from '../../../simulator/catalogue-loader.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { scratchTables } from './stream-helpers.js';

const stack = useLocalStack();
const [byTimeBucket] = tables.orders.globalIndexes;
const ORDER_KEY = tables.orders.partitionKey.name;
const PRODUCT_KEY = tables.products.partitionKey.name;

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
    const store = new OrdersStore(stack.clients.documents, tableName);

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
    const store = new OrdersStore(stack.clients.documents, tableName);

    expect(await store.put(order)).toBe('created');
    expect(await store.put({ ...order, quantity: 5 })).toBe('existing');

    const { Item } = await stack.clients.documentClient.send(
      new GetCommand({ TableName: tableName, Key: { [tables.orders.partitionKey.name]: order.orderId } }),
    );
    expect(Item?.quantity).toBe(2);
  });

  it('refuses an invalid order, naming the field, and writes nothing', async () => {
    const { orders: tableName } = await scratchTables(stack.clients, 'orders-invalid');
    const store = new OrdersStore(stack.clients.documents, tableName);

    await expect(store.put({ ...order, unitPrice: 19.99 })).rejects.toThrow(InvalidInputError);
    await expect(store.put({ ...order, unitPrice: 19.99 })).rejects.toThrow(/unitPrice/);
    const { Item } = await stack.clients.documentClient.send(
      new GetCommand({ TableName: tableName, Key: { [tables.orders.partitionKey.name]: order.orderId } }),
    );
    expect(Item).toBeUndefined();
  });
});

describe('orders store: placing an order takes stock', () => {
  /** Scratch tables holding the order's product with `inventory` units, and a store placing into them. */
  async function stocked(prefix: string, inventory: number) {
    const names = await scratchTables(stack.clients, prefix);
    const [product] = generateCatalogue('2026-11-27T08:00:00.000Z', { productCount: 1 });
    await loadCatalogue(stack.clients.documentClient, names.products, [
      { ...(product as NonNullable<typeof product>), productId: order.productId, inventory },
    ]);
    const store = new OrdersStore(stack.clients.documents, names.orders, names.products);
    const inventoryNow = async () => {
      const { Item } = await stack.clients.documentClient.send(
        new GetCommand({ TableName: names.products, Key: { [PRODUCT_KEY]: order.productId } }),
      );
      return Item?.inventory;
    };
    const orderNow = async (orderId = order.orderId) => {
      const { Item } = await stack.clients.documentClient.send(
        new GetCommand({ TableName: names.orders, Key: { [ORDER_KEY]: orderId } }),
      );
      return Item;
    };
    return { store, inventoryNow, orderNow };
  }

  it('writes the order and takes its quantity from the product’s inventory', async () => {
    // Prepare
    const { store, inventoryNow, orderNow } = await stocked('place', 5);

    // Act
    const outcome = await store.place(order);

    // Assess
    expect(outcome).toBe('created');
    expect(await inventoryNow()).toBe(3);
    expect(await orderNow()).toMatchObject(order);
  });

  it('takes stock once for an order written twice, one after the other or at the same time', async () => {
    // Prepare
    const { store, inventoryNow } = await stocked('place-twice', 10);
    const other: Order = { ...order, orderId: 'o-test-2', quantity: 1 };

    // Act
    const sequential = [await store.place(order), await store.place(order)];
    const concurrent = await Promise.all(Array.from({ length: 6 }, () => store.place(other)));

    // Assess
    expect(sequential).toEqual(['created', 'existing']);
    expect(concurrent.filter((outcome) => outcome === 'created')).toHaveLength(1);
    expect(concurrent.filter((outcome) => outcome === 'existing')).toHaveLength(5);
    expect(await inventoryNow()).toBe(10 - order.quantity - other.quantity);
  });

  it('refuses an order for more than the stock: says sold_out, writes no order and leaves the stock alone', async () => {
    // Prepare
    const { store, inventoryNow, orderNow } = await stocked('place-sold-out', 1);

    // Act
    const outcome = await store.place(order);

    // Assess
    expect(outcome).toBe('sold_out');
    expect(await orderNow()).toBeUndefined();
    expect(await inventoryNow()).toBe(1);
  });

  it('lets concurrent orders of one product take exactly the stock there is, never more', async () => {
    // Prepare: 7 units, 12 orders of one unit each racing for them
    const { store, inventoryNow, orderNow } = await stocked('place-race', 7);
    const racing = Array.from(
      { length: 12 },
      (_, index): Order => ({ ...order, orderId: `o-race-${index}`, quantity: 1 }),
    );

    // Act
    const outcomes = await Promise.all(racing.map((each) => store.place(each)));

    // Assess
    expect(outcomes.filter((outcome) => outcome === 'created')).toHaveLength(7);
    expect(outcomes.filter((outcome) => outcome === 'sold_out')).toHaveLength(5);
    expect(await inventoryNow()).toBe(0);
    const written = await Promise.all(racing.map((each) => orderNow(each.orderId)));
    expect(written.filter(Boolean)).toHaveLength(7);
  });
});
