/**
 * The latest restart of the Glue job that ops asked for: one item beside the pricing config, written
 * with its audit row (a history row of the global history) in one transaction. A restart is begun
 * only when none is stopping, and finished once, by whoever sees the old run stop first.
 */

import { tables } from '../../definitions/resources.js';
import type { GlueRestart } from '../domain/api-types.js';
import type { PriceChange } from '../domain/price-change.js';
import type { DynamoDbDocuments } from './dynamodb-documents.js';
import { historyPut } from './price-history-store.js';
import { isConditionFailure } from './transaction-errors.js';

const CONFIG_KEY = tables.pricingConfig.partitionKey.name;
/** Its key in the pricing-config table, beside PRICING_CONFIG_ITEM. */
export const GLUE_RESTART_ITEM = 'glue-restart';

/** A restart as stored: with the count of restarts so far, the version of its audit rows. */
export interface StoredGlueRestart extends GlueRestart {
  readonly version: number;
}

export class GlueRestartStore {
  constructor(
    private readonly client: DynamoDbDocuments,
    private readonly tableNames: { readonly pricingConfig: string; readonly priceHistory: string },
  ) {}

  async latest(): Promise<StoredGlueRestart | null> {
    const { Item } = await this.client.get({
      TableName: this.tableNames.pricingConfig,
      Key: this.key(),
      ConsistentRead: true,
    });
    if (Item === undefined) return null;
    const { [CONFIG_KEY]: _key, ...restart } = Item;
    return restart as StoredGlueRestart;
  }

  /** Records a new restart and its audit row; false when another restart is still stopping. */
  async begin(restart: StoredGlueRestart, row: PriceChange): Promise<boolean> {
    return this.write(
      {
        Put: {
          TableName: this.tableNames.pricingConfig,
          Item: { ...restart, ...this.key() },
          ConditionExpression: 'attribute_not_exists(#key) OR #state <> :stopping',
          ExpressionAttributeNames: { '#key': CONFIG_KEY, '#state': 'state' },
          ExpressionAttributeValues: { ':stopping': 'stopping' },
        },
      },
      row,
    );
  }

  /** Ends the restart asked for at `requestedAt`, if it is still stopping; false when it is not. */
  async finish(
    requestedAt: string,
    outcome: Pick<GlueRestart, 'state' | 'newRunId' | 'finishedAt' | 'error'>,
    row: PriceChange | null,
  ): Promise<boolean> {
    return this.write(
      {
        Update: {
          TableName: this.tableNames.pricingConfig,
          Key: this.key(),
          UpdateExpression: 'SET #state = :state, newRunId = :run, finishedAt = :at, #error = :error',
          ConditionExpression: '#state = :stopping AND requestedAt = :requested',
          ExpressionAttributeNames: { '#state': 'state', '#error': 'error' },
          ExpressionAttributeValues: {
            ':state': outcome.state,
            ':run': outcome.newRunId,
            ':at': outcome.finishedAt,
            ':error': outcome.error,
            ':stopping': 'stopping',
            ':requested': requestedAt,
          },
        },
      },
      row,
    );
  }

  private async write(item: Record<string, unknown>, row: PriceChange | null): Promise<boolean> {
    try {
      await this.client.transactWrite({
        TransactItems: [item, ...(row === null ? [] : [historyPut(this.tableNames.priceHistory, row)])],
      });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private key() {
    return { [CONFIG_KEY]: GLUE_RESTART_ITEM };
  }
}
