import type { ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../definitions/resources.js';
import { InvalidInputError } from '../domain/errors.js';
import type { Product } from '../domain/product.js';
import type { DynamoDbDocuments } from './dynamodb-documents.js';
import { decodeCursor, encodeCursor } from './pagination-cursor.js';

const PRODUCT_KEY = tables.products.partitionKey.name;

/** Items one Scan call evaluates when a category filter discards most of them. */
const FILTERED_SCAN_PAGE = 200;

export interface ProductListQuery {
  /** Only products of this category slug. */
  readonly category?: string;
  /** @default 50 */
  readonly limit?: number;
  /** From a previous page. */
  readonly cursor?: string;
}

/** One page of the listing; `cursor` is absent on the last page. */
export interface ProductListPage {
  readonly products: Product[];
  readonly cursor?: string;
}

/**
 * Lists the catalogue for pricing ops, page by page, in table order.
 *
 * A Scan, on purpose: the catalogue is hundreds to a few thousand small items, and this listing is
 * read by a handful of people from the ops surfaces, never on a shopper's request path, so reading a
 * page of it costs a few read units. A category filter evaluates (and pays for) the items it
 * discards; at a catalogue size where that matters, the products table should get a category index
 * (definitions/resources.ts) and this store a Query on it.
 */
export class ProductListingStore {
  constructor(
    private readonly client: DynamoDbDocuments,
    private readonly tableName: string,
  ) {}

  async list(query: ProductListQuery = {}): Promise<ProductListPage> {
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) {
      throw new InvalidInputError('limit', 'must be an integer from 1 to 1000');
    }
    const products: Product[] = [];
    let start = decodeCursor(query.cursor, { attributes: [PRODUCT_KEY] });
    // Filtered pages can come back short or empty: scan on until the page is full or the table ends.
    while (products.length < limit) {
      const wanted = limit - products.length;
      const input: ScanCommandInput = {
        TableName: this.tableName,
        ExclusiveStartKey: start,
        Limit: query.category === undefined ? wanted : Math.max(wanted, FILTERED_SCAN_PAGE),
        ...(query.category === undefined
          ? {}
          : {
              FilterExpression: '#category = :category',
              ExpressionAttributeNames: { '#category': 'category' },
              ExpressionAttributeValues: { ':category': query.category },
            }),
      };
      const { Items = [], LastEvaluatedKey } = await this.client.scan(input);
      if (Items.length > wanted) {
        // More matched than fit: the page ends at the last item kept, which is where the next resumes.
        products.push(...(Items.slice(0, wanted) as Product[]));
        const last = products[products.length - 1] as Product;
        return { products, cursor: encodeCursor({ [PRODUCT_KEY]: last.productId }) };
      }
      products.push(...(Items as Product[]));
      if (LastEvaluatedKey === undefined) return { products };
      start = LastEvaluatedKey;
    }
    return { products, cursor: encodeCursor(start) };
  }
}
