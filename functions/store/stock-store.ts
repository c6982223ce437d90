import { tables } from '../../definitions/resources.js';
import type { DynamoDbDocuments } from './dynamodb-documents.js';
import { isConditionFailure } from './transaction-errors.js';

const PRODUCT_KEY = tables.products.partitionKey.name;
/** A product's units in stock (an integer ≥ 0). */
const INVENTORY = 'inventory';
/** The id of the last delivery added to a product: what makes a delivery's write safe to send again. */
const LAST_DELIVERY = 'lastDeliveryId';
/** When the next delivery is due: the pricing policy rations stock that would sell out before it. */
const RESTOCK_AT = 'restockAt';

/**
 * What became of a delivery: added now; already added (an earlier attempt of the same delivery got
 * through, e.g. the SDK retried a write whose answer was lost); or no such product, so nothing added.
 */
export type DeliveryOutcome = 'delivered' | 'already_delivered' | 'no_product';

/** The stock side of the products table: deliveries add units to a product's inventory. */
export class StockStore {
  constructor(
    private readonly client: DynamoDbDocuments,
    private readonly productsTableName: string,
  ) {}

  /**
   * Adds `units` (an integer ≥ 0) to the product's inventory, once per `deliveryId`: the product
   * remembers the id of its last delivery and the add is conditioned on it being another one, so a
   * retried write cannot add twice. Ids must be unique per delivery (a run and its offset). With
   * `nextDeliveryAt` the product also learns when the one after is due (its `restockAt`), null for
   * none known; a product at its level takes 0 units and learns just that.
   */
  async deliver(
    productId: string,
    units: number,
    deliveryId: string,
    nextDeliveryAt?: string | null,
  ): Promise<DeliveryOutcome> {
    if (!(Number.isSafeInteger(units) && units >= 0)) {
      throw new RangeError(`units must be an integer of at least 0, got ${units}`);
    }
    const names: Record<string, string> = { '#key': PRODUCT_KEY, '#delivery': LAST_DELIVERY };
    const values: Record<string, unknown> = { ':delivery': deliveryId };
    const sets = ['#delivery = :delivery'];
    if (nextDeliveryAt !== undefined) {
      names['#restockAt'] = RESTOCK_AT;
      values[':restockAt'] = nextDeliveryAt;
      sets.push('#restockAt = :restockAt');
    }
    let add = '';
    if (units > 0) {
      names['#inventory'] = INVENTORY;
      values[':units'] = units;
      add = 'ADD #inventory :units ';
    }
    try {
      await this.client.update({
        TableName: this.productsTableName,
        Key: { [PRODUCT_KEY]: productId },
        UpdateExpression: `${add}SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(#key) AND (attribute_not_exists(#delivery) OR #delivery <> :delivery)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return 'delivered';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const item = (error as { Item?: Record<string, unknown> }).Item;
      return item === undefined ? 'no_product' : 'already_delivered';
    }
  }
}
