import { tables } from '../../definitions/resources.js';
import {
  type CounterDelta,
  type CounterEntry,
  DEMAND_COUNTERS,
  type KeyContribution,
  sumDeltas,
} from '../domain/demand-counters.js';
import { padSequence } from '../domain/sequence-numbers.js';
import { expiryAfterDays } from '../domain/time.js';
import { batchPut } from './batch-put.js';
import { countsOf, DemandMinutes, type MinuteCounts } from './demand-minutes.js';
import { isConditionalCheckFailed } from './transaction-errors.js';

const PRODUCT_KEY = tables.demand.partitionKey.name;
const MINUTE_KEY = tables.demand.sortKey.name;
const TTL = tables.demand.ttl.attribute;

const RETENTION_DAYS = tables.demand.ttl.retentionDays;

/** What became of one key's contribution, with the item's counters after the write when it wrote. */
export interface CountResult {
  readonly outcome: CountOutcome;
  /** The minute's totals after this write; absent when nothing was written. */
  readonly totals?: MinuteCounts;
}

export type CountOutcome =
  /** The common path: one conditional write. */
  | 'counted'
  /** A redelivery overlapping what was counted: only the records above the watermark were added. */
  | 'counted_remainder'
  /** Every record had been counted already. */
  | 'already_counted';

/** The attribute holding a shard's watermark on an item: flat, so SET needs no parent map. */
export function watermarkAttribute(shardId: string): string {
  return `wm:${shardId}`;
}

/**
 * The fast path's counters, one item per (product, minute). Every write ADDs a batch's counts and
 * moves that shard's watermark (the highest sequence number counted) in one conditional UpdateItem,
 * so delivering the same records again can never count them twice. Reading the counters back is
 * DemandMinutes'.
 */
export class DemandStore extends DemandMinutes {
  /**
   * Counts one key's records. Common path: one write, conditioned on the stored watermark of this
   * shard being below the lowest sequence among the records. If that fails, the delivery overlaps
   * records already counted (a replay, or a partial-batch retry starting mid-batch): read the
   * watermark and add only the records above it, conditioned on the watermark read.
   */
  async count(contribution: KeyContribution): Promise<CountResult> {
    const { entries } = contribution;
    const first = entries[0];
    if (first === undefined) return { outcome: 'already_counted' };
    // Watermarks are zero-padded: they compare as strings in DynamoDB conditions.
    const lowest = padSequence(first.sequenceNumber);
    try {
      return { outcome: 'counted', totals: await this.write(contribution, entries, { below: lowest }) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    // The watermark can only move forward, and only this shard's single in-flight batch moves it, so
    // one re-read settles it; the loop guards against a concurrent duplicate invocation.
    for (let attempt = 0; attempt < 5; attempt++) {
      const watermark = await this.watermark(contribution);
      const remainder =
        watermark === undefined ? entries : entries.filter((entry) => padSequence(entry.sequenceNumber) > watermark);
      if (remainder.length === 0) return { outcome: 'already_counted' };
      try {
        return {
          outcome: 'counted_remainder',
          totals: await this.write(contribution, remainder, { equals: watermark }),
        };
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
    }
    throw new Error(`watermark of ${contribution.productId} ${contribution.minute} kept moving`);
  }

  /**
   * Writes counters of past minutes whole, counted by no shard (no watermark): history a fresh local
   * stack is seeded with (see local/seed-history.ts). Never for a minute a shard is counting.
   */
  async seedMinutes(
    minutes: readonly { readonly productId: string; readonly minute: string; readonly counts: Partial<MinuteCounts> }[],
  ): Promise<void> {
    const items = minutes.map(({ productId, minute, counts }) => ({
      ...Object.fromEntries(DEMAND_COUNTERS.map((counter) => [counter, counts[counter] ?? 0])),
      [PRODUCT_KEY]: productId,
      [MINUTE_KEY]: minute,
      [TTL]: expiryAfterDays(minute, RETENTION_DAYS),
    }));
    await batchPut(this.client, this.tableName, items);
  }

  private async watermark(contribution: KeyContribution): Promise<string | undefined> {
    const attribute = watermarkAttribute(contribution.shardId);
    const { Item } = await this.client.get({
      TableName: this.tableName,
      Key: this.key(contribution),
      ConsistentRead: true,
      ProjectionExpression: '#wm',
      ExpressionAttributeNames: { '#wm': attribute },
    });
    return Item?.[attribute] as string | undefined;
  }

  private async write(
    contribution: KeyContribution,
    entries: readonly CounterEntry[],
    condition: { below: string } | { equals: string | undefined },
  ): Promise<MinuteCounts> {
    const delta: CounterDelta = sumDeltas(entries);
    const names: Record<string, string> = { '#wm': watermarkAttribute(contribution.shardId), '#ttl': TTL };
    const highest = entries[entries.length - 1];
    const values: Record<string, unknown> = {
      ':highest': highest && padSequence(highest.sequenceNumber),
      ':ttl': expiryAfterDays(contribution.minute, RETENTION_DAYS),
    };
    const adds: string[] = [];
    for (const [counter, value] of Object.entries(delta)) {
      if (!value) continue;
      names[`#${counter}`] = counter;
      values[`:${counter}`] = value;
      adds.push(`#${counter} :${counter}`);
    }
    let conditionExpression: string;
    if ('below' in condition) {
      conditionExpression = 'attribute_not_exists(#wm) OR #wm < :lowest';
      values[':lowest'] = condition.below;
    } else if (condition.equals === undefined) {
      conditionExpression = 'attribute_not_exists(#wm)';
    } else {
      conditionExpression = '#wm = :read';
      values[':read'] = condition.equals;
    }
    const { Attributes } = await this.client.update({
      TableName: this.tableName,
      Key: this.key(contribution),
      UpdateExpression: `${adds.length > 0 ? `ADD ${adds.join(', ')} ` : ''}SET #wm = :highest, #ttl = :ttl`,
      ConditionExpression: conditionExpression,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      // The minute's totals come back with the write: the surge check needs no read of its own.
      ReturnValues: 'ALL_NEW',
    });
    return countsOf(Attributes, contribution.minute);
  }

  private key(contribution: Pick<KeyContribution, 'productId' | 'minute'>) {
    return { [PRODUCT_KEY]: contribution.productId, [MINUTE_KEY]: contribution.minute };
  }
}
