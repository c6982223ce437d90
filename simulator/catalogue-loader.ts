import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../definitions/resources.js';
import { type Product, productSchema } from '../functions/domain/product.js';
import { validate } from '../functions/domain/validation.js';
import { mapConcurrent } from '../functions/lib/map-concurrent.js';

export interface CatalogueLoadResult {
  readonly created: number;
  /** Products already in the table, left as they were (live prices are never reset by a re-seed). */
  readonly existing: number;
}

/**
 * Writes a catalogue into a products table, local or in AWS alike: each product is validated, then
 * put only if absent, so loading twice changes nothing and never overwrites a live price.
 */
export async function loadCatalogue(
  client: DynamoDBDocumentClient,
  tableName: string,
  products: readonly Product[],
): Promise<CatalogueLoadResult> {
  for (const product of products) {
    const checked = validate(productSchema, product);
    if (!checked.ok) throw new Error(`invalid product ${product.productId}: ${checked.reason}`);
  }
  const key = tables.products.partitionKey.name;
  const outcomes = await mapConcurrent(products, 16, async (product) => {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: product,
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: { '#key': key },
        }),
      );
      return 'created' as const;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'existing' as const;
      throw error;
    }
  });
  const created = outcomes.filter((outcome) => outcome === 'created').length;
  return { created, existing: outcomes.length - created };
}
