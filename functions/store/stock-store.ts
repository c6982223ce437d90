import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/resources.js';
import { isConditionFailure } from './transaction-errors.js';

const PRODUCT_KEY = tables.products.partitionKey.name;
/** A product's units in stock (an integer ≥ 0). */
const INVENTORY = 'inventory';
/** The id of the last delivery added to a product: what makes a delivery's write safe to send again. */
const LAST_DELIVERY = 'lastDeliveryId';

/**
 * What became of a delivery: added now; already added (an earlier attempt of the same delivery got
 * through, e.g. the SDK retried a write whose answer was lost); or no such product, so nothing added.
 */
export type DeliveryOutcome = 'delivered' | 'already_delivered' | 'no_product';

/** The stock side of the products table: deliveries add units to a product's inventory. */
export class StockStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly productsTableName: string,
  ) {}

  /**
   * Adds `units` (a positive integer) to the product's inventory, once per `deliveryId`: the product
   * remembers the id of its last delivery and the add is conditioned on it being another one, so a
   * retried write cannot add twice. Ids must be unique per delivery (a run and its offset).
   */
  async deliver(productId: string, units: number, deliveryId: string): Promise<DeliveryOutcome> {
    if (!(Number.isSafeInteger(units) && units > 0))
      throw new RangeError(`units must be a positive integer, got ${units}`);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.productsTableName,
          Key: { [PRODUCT_KEY]: productId },
          UpdateExpression: 'ADD #inventory :units SET #delivery = :delivery',
          ConditionExpression: 'attribute_exists(#key) AND (attribute_not_exists(#delivery) OR #delivery <> :delivery)',
          ExpressionAttributeNames: { '#key': PRODUCT_KEY, '#inventory': INVENTORY, '#delivery': LAST_DELIVERY },
          ExpressionAttributeValues: { ':units': units, ':delivery': deliveryId },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'delivered';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const item = (error as { Item?: Record<string, unknown> }).Item;
      return item === undefined ? 'no_product' : 'already_delivered';
    }
  }
}
