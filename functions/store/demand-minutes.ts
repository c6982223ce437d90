/**
 * The fast path's per-minute demand counters, read: a product's minutes as the demand table holds
 * them. Writing them (exactly once per record) is DemandStore's; what only reads demand (the ops API)
 * imports this alone.
 */

import { tables } from '../../definitions/resources.js';
import { DEMAND_COUNTERS, type DemandCounter } from '../domain/demand-counters.js';
import { toEpochMs, toIso } from '../domain/time.js';
import type { DynamoDbDocuments } from './dynamodb-documents.js';
import { queryPages } from './query-pages.js';

const PRODUCT_KEY = tables.demand.partitionKey.name;
const MINUTE_KEY = tables.demand.sortKey.name;

/** A product's counters in one minute. */
export type MinuteCounts = Record<DemandCounter, number> & { readonly minute: string };

export class DemandMinutes {
  constructor(
    protected readonly client: DynamoDbDocuments,
    protected readonly tableName: string,
  ) {}

  /** Counters of the `lookback` minutes up to and including `minute`, oldest first, zeros filled in. */
  async minutes(productId: string, minute: string, lookback: number): Promise<MinuteCounts[]> {
    const first = toIso(toEpochMs(minute) - (lookback - 1) * 60_000);
    // Only the counters: items also carry a watermark per shard. Every page: a day of minutes can
    // pass the 1 MB a Query page holds, and a missed page would read as minutes without demand.
    const names: Record<string, string> = { '#product': PRODUCT_KEY, '#minute': MINUTE_KEY };
    DEMAND_COUNTERS.forEach((counter, index) => {
      names[`#c${index}`] = counter;
    });
    const projection = ['#minute', ...DEMAND_COUNTERS.map((_, index) => `#c${index}`)].join(', ');
    const byMinute = new Map<string, Record<string, unknown>>();
    const pages = queryPages(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#product = :product AND #minute BETWEEN :first AND :last',
      ProjectionExpression: projection,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':product': productId, ':first': first, ':last': minute },
    });
    for await (const items of pages) {
      for (const item of items) byMinute.set(item[MINUTE_KEY] as string, item);
    }
    return Array.from({ length: lookback }, (_, index) => {
      const at = toIso(toEpochMs(first) + index * 60_000);
      return countsOf(byMinute.get(at), at);
    });
  }
}

/** An item's counters (zeros for those it lacks, or for no item). */
export function countsOf(item: Record<string, unknown> | undefined, minute: string): MinuteCounts {
  const counts = Object.fromEntries(DEMAND_COUNTERS.map((counter) => [counter, Number(item?.[counter] ?? 0)]));
  return { ...counts, minute } as MinuteCounts;
}
