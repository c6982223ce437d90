import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { tables } from '../../../definitions/resources.js';
import { StockStore } from '../../../functions/store/stock-store.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';
import { loadCatalogue } from '../../../simulator/catalogue-loader.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { scratchTables } from './stream-helpers.js';

const stack = useLocalStack();
const PRODUCT_KEY = tables.products.partitionKey.name;

/** A scratch products table holding one product with `inventory` units, and a stock store on it. */
async function stocked(prefix: string, inventory: number) {
  const names = await scratchTables(stack.clients, prefix);
  const [product] = generateCatalogue('2026-11-27T08:00:00.000Z', { productCount: 1 });
  const productId = (product as NonNullable<typeof product>).productId;
  await loadCatalogue(stack.clients.documentClient, names.products, [
    { ...(product as NonNullable<typeof product>), inventory },
  ]);
  const item = async () => {
    const { Item } = await stack.clients.documentClient.send(
      new GetCommand({ TableName: names.products, Key: { [PRODUCT_KEY]: productId } }),
    );
    return Item;
  };
  return { store: new StockStore(stack.clients.documents, names.products), productId, item, names };
}

describe('stock store: deliveries', () => {
  it('adds a delivery’s units to the inventory, each delivery once however often it is written', async () => {
    // Prepare
    const { store, productId, item } = await stocked('deliver', 3);

    // Act
    const first = await store.deliver(productId, 7, 'run-a@0');
    const again = await store.deliver(productId, 7, 'run-a@0');
    const next = await store.deliver(productId, 5, 'run-a@60000');

    // Assess
    expect([first, again, next]).toEqual(['delivered', 'already_delivered', 'delivered']);
    expect((await item())?.inventory).toBe(3 + 7 + 5);
  });

  it('adds nothing, and creates no item, for a product that is not in the table', async () => {
    // Prepare
    const { store, productId, item, names } = await stocked('deliver-missing', 3);
    await stack.clients.documentClient.send(
      new DeleteCommand({ TableName: names.products, Key: { [PRODUCT_KEY]: productId } }),
    );

    // Act
    const outcome = await store.deliver(productId, 7, 'run-b@0');

    // Assess
    expect(outcome).toBe('no_product');
    expect(await item()).toBeUndefined();
  });

  it('tells the product when the next delivery is due, with or without units for it', async () => {
    const { store, productId, item } = await stocked('deliver-next', 3);

    await store.deliver(productId, 0, 'run-d@0', '2026-11-02T04:00:00.000Z');
    const atLevel = await item();
    await store.deliver(productId, 4, 'run-d@14400000', '2026-11-02T08:00:00.000Z');

    expect(atLevel).toMatchObject({ inventory: 3, restockAt: '2026-11-02T04:00:00.000Z' });
    expect(await item()).toMatchObject({ inventory: 7, restockAt: '2026-11-02T08:00:00.000Z' });
  });

  it('refuses a delivery of fewer than no units or of part of one', async () => {
    const { store, productId } = await stocked('deliver-invalid', 3);
    await expect(store.deliver(productId, -1, 'run-c@0')).rejects.toThrow(RangeError);
    await expect(store.deliver(productId, 1.5, 'run-c@0')).rejects.toThrow(/integer of at least 0/);
  });
});
