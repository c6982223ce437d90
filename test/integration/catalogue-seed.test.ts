import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { tables } from '../../definitions/resources.js';
import { productSchema } from '../../functions/domain/product.js';
import { ensureTable } from '../../local/create-resources.js';
import { generateCatalogue } from '../../simulator/catalogue.js';
import { loadCatalogue } from '../../simulator/catalogue-loader.js';
import { uniqueName, useLocalStack } from '../helpers/local-stack.js';

const NOW = '2026-11-21T12:00:00.000Z';
const stack = useLocalStack();

describe('seed catalogue', () => {
  it('is the same catalogue for the same seed, and a different one for another seed', () => {
    expect(generateCatalogue(NOW, { seed: 7 })).toEqual(generateCatalogue(NOW, { seed: 7 }));
    expect(generateCatalogue(NOW, { seed: 8 })).not.toEqual(generateCatalogue(NOW, { seed: 7 }));
  });

  it('has at least 200 valid products across at least 8 categories, priced inside their bounds', () => {
    const catalogue = generateCatalogue(NOW);
    expect(catalogue.length).toBeGreaterThanOrEqual(200);
    expect(new Set(catalogue.map((product) => product.category)).size).toBeGreaterThanOrEqual(8);
    expect(new Set(catalogue.map((product) => product.productId)).size).toBe(catalogue.length);
    for (const product of catalogue) {
      expect(productSchema.safeParse(product).error).toBeUndefined();
      expect(product.floor).toBeLessThan(product.basePrice);
      expect(product.ceiling).toBeGreaterThan(product.basePrice);
      expect(product.basePrice % 100).toBe(99);
    }
  });

  it('loads into a products table once: a second load creates nothing and keeps live prices', async () => {
    // Prepare: a scratch table built from the products definition, so other suites are unaffected.
    const tableName = uniqueName('seed-products');
    await ensureTable(stack.clients.dynamodb, tables.products, tableName);
    const catalogue = generateCatalogue(NOW, { seed: 11, productCount: 60 });

    // Act
    const first = await loadCatalogue(stack.clients.documentClient, tableName, catalogue);
    const target = catalogue[3];
    await stack.clients.documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { productId: target?.productId },
        UpdateExpression: 'SET price = :price, version = :version',
        ExpressionAttributeValues: { ':price': target?.ceiling, ':version': 2 },
      }),
    );
    const second = await loadCatalogue(stack.clients.documentClient, tableName, catalogue);

    // Assess
    expect(first).toEqual({ created: 60, existing: 0 });
    expect(second).toEqual({ created: 0, existing: 60 });
    const { Items } = await stack.clients.documentClient.send(new ScanCommand({ TableName: tableName }));
    const stored = new Map((Items ?? []).map((item) => [item.productId, item]));
    expect(stored.size).toBe(60);
    for (const product of catalogue) {
      const expected = product === target ? { ...product, price: product.ceiling, version: 2 } : product;
      expect(stored.get(product.productId)).toEqual(expected);
    }
  });

  it('refuses an invalid product before writing anything', async () => {
    const tableName = uniqueName('seed-invalid');
    await ensureTable(stack.clients.dynamodb, tables.products, tableName);
    const [good, bad] = generateCatalogue(NOW, { productCount: 2 });
    if (!good || !bad) throw new Error('catalogue too small');

    await expect(
      loadCatalogue(stack.clients.documentClient, tableName, [good, { ...bad, floor: bad.ceiling + 1 }]),
    ).rejects.toThrow(/P00002: floor: floor must not exceed ceiling/);
    const { Items } = await stack.clients.documentClient.send(new ScanCommand({ TableName: tableName }));
    expect(Items).toEqual([]);
  });
});
