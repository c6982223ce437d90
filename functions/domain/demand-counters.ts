/**
 * What a demand item (one product's minute) counts, and what one batch adds to it: the fast path's
 * classifyBatch (click-batch.ts) makes the additions, the demand store applies them exactly once and
 * reads the counts back. Kept apart from click-batch.ts, so what only reads demand (the ops API) does
 * not bundle the click reader.
 */

/** The counters of a demand item; `ADD`ed per batch. */
export const DEMAND_COUNTERS = [
  'views',
  'carts',
  'removes',
  'checkouts',
  'purchases',
  'units',
  'botEventsExcluded',
  'cappedEvents',
  'duplicateEvents',
] as const;
export type DemandCounter = (typeof DEMAND_COUNTERS)[number];
export type CounterDelta = Partial<Record<DemandCounter, number>>;

/** One record's effect on one (product, minute) demand item. */
export interface CounterEntry {
  /**
   * As Kinesis wrote it: what a batch item failure names. Checked to be a sequence number; the
   * store pads it where it compares it with the item's watermark for this shard.
   */
  readonly sequenceNumber: string;
  readonly delta: CounterDelta;
}

/** Everything one batch adds to one (product, minute) item, record by record, in shard order. */
export interface KeyContribution {
  readonly productId: string;
  readonly minute: string;
  readonly shardId: string;
  readonly entries: CounterEntry[];
}

/** The sum of entries' deltas. */
export function sumDeltas(entries: readonly CounterEntry[]): CounterDelta {
  const total: CounterDelta = {};
  for (const { delta } of entries) {
    for (const [counter, value] of Object.entries(delta) as [DemandCounter, number][]) {
      total[counter] = (total[counter] ?? 0) + value;
    }
  }
  return total;
}
