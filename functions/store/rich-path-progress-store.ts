/**
 * The rich path's last committed batch: one item beside the pricing config, written by the engine
 * after each batch's rows (the Glue job in Python, glue/job/clickprice/progress.py; the local engines
 * here), read by the pipeline API. A re-run of an older batch never moves it back.
 */

import { tables } from '../../definitions/resources.js';
import type { RichPathProgress } from '../domain/pipeline-health.js';
import type { DynamoDbDocuments } from './dynamodb-documents.js';
import { isConditionFailure } from './transaction-errors.js';

const CONFIG_KEY = tables.pricingConfig.partitionKey.name;
/** Its key in the pricing-config table, beside PRICING_CONFIG_ITEM and GLUE_RESTART_ITEM. */
export const RICH_PATH_PROGRESS_ITEM = 'rich-path-progress';

/** The item as both languages write it (glue/job/tests/vectors/rich-path-progress.json holds them to it). */
export function progressItem(progress: RichPathProgress): Record<string, unknown> {
  return { [CONFIG_KEY]: RICH_PATH_PROGRESS_ITEM, ...progress };
}

export class RichPathProgressStore {
  constructor(
    private readonly client: DynamoDbDocuments,
    private readonly tableName: string,
  ) {}

  async latest(): Promise<RichPathProgress | null> {
    const { Item } = await this.client.get({
      TableName: this.tableName,
      Key: { [CONFIG_KEY]: RICH_PATH_PROGRESS_ITEM },
    });
    if (Item === undefined) return null;
    const { [CONFIG_KEY]: _key, ...progress } = Item;
    return progress as RichPathProgress;
  }

  /** Records a committed batch; false when a later window is already recorded. */
  async record(progress: RichPathProgress): Promise<boolean> {
    try {
      await this.client.put({
        TableName: this.tableName,
        Item: progressItem(progress),
        ConditionExpression: 'attribute_not_exists(#key) OR #windowEnd <= :windowEnd',
        ExpressionAttributeNames: { '#key': CONFIG_KEY, '#windowEnd': 'windowEnd' },
        ExpressionAttributeValues: { ':windowEnd': progress.windowEnd },
      });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
