import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { tables } from '../../definitions/resources.js';
import { type AggregateRow, aggregateRowSchema } from '../domain/aggregate.js';
import type { DemandObservation, PeriodCounts } from '../domain/demand-evidence.js';
import { NotFoundError } from '../domain/errors.js';
import { type CategoryParameters, parametersFor } from '../domain/pricing-config.js';
import { toEpochMs, toIso } from '../domain/time.js';
import { validate } from '../domain/validation.js';
import { mapConcurrent } from '../lib/map-concurrent.js';
import type { BaselineWindow } from '../store/aggregates-store.js';
import type { PriceStore } from '../store/price-store.js';
import { type ApplyResult, applyDecision } from '../use-cases/apply-decision.js';

/** The stream image's sort key, as stored: the baseline Query's upper bound. */
const WINDOW_KEY = tables.aggregates.sortKey.name;

/** Reads a product's earlier aggregate windows (AggregatesStore, on Lambda and locally). */
export interface AggregateBaselineReader {
  /**
   * The product's rows with `from <= windowStart < before`, newest first, at most `limit`.
   * `before` is the stored key of the triggering row, compared as DynamoDB compares strings.
   */
  previousWindows(productId: string, from: string, before: string, limit: number): Promise<BaselineWindow[]>;
}

/** What the rich-path pricing works with; the handler builds them once per execution environment. */
export interface AggregatesDependencies {
  readonly baseline: AggregateBaselineReader;
  readonly prices: PriceStore;
  /** Where skipped rows are reported. @default - nowhere */
  readonly logger?: { warn(message: string, attributes: Record<string, unknown>): void };
}

/** What became of one stream record that was not a failure. */
export type RecordOutcome = ApplyResult['outcome'] | 'ignored' | 'invalid' | 'unknown_product';

export interface AggregatesOutcome {
  /** Records to report as batch item failures (by dynamodb.SequenceNumber), with why. */
  readonly failures: Map<string, string>;
  readonly stats: { readonly records: number } & Readonly<Record<RecordOutcome, number>> & {
      /** Applied changes by reason code. */
      readonly changesByReason: Record<string, number>;
      /** End of the oldest window decided: where its window-close-to-price latency starts. */
      readonly oldestWindowEndMs: number | null;
    };
}

/**
 * The decision id of an aggregate row: the row's key. A redelivered (or re-written) row yields the
 * same id and the same `at`, hence the same price-history key, so it cannot apply twice. Identifiers
 * and canonical ISO timestamps hold neither `#` nor spaces, which decision ids must not.
 */
export function aggregateDecisionId(row: Pick<AggregateRow, 'productId' | 'windowStart'>): string {
  return `agg:${row.productId}:${row.windowStart}`;
}

/** A stream record's aggregate row, or why it is not one. */
type ParsedRecord =
  | { readonly kind: 'row'; readonly row: AggregateRow; readonly storedWindowStart: string }
  | { readonly kind: 'ignored' | 'invalid'; readonly reason: string };

function parseRecord(record: DynamoDBRecord): ParsedRecord {
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') {
    return { kind: 'ignored', reason: `${record.eventName ?? 'unnamed'} event` };
  }
  const image = record.dynamodb?.NewImage;
  if (!image) return { kind: 'ignored', reason: 'no NewImage (is the stream view NEW_IMAGE?)' };
  let item: Record<string, unknown>;
  try {
    // aws-lambda's AttributeValue and the SDK's differ only in how binary is typed (base64 vs bytes);
    // an aggregate row has no binary attribute.
    item = unmarshall(image as Record<string, never>);
  } catch (error) {
    return { kind: 'invalid', reason: `NewImage does not unmarshall: ${String(error)}` };
  }
  const validated = validate(aggregateRowSchema, item);
  if (!validated.ok) return { kind: 'invalid', reason: validated.reason };
  const row = validated.value;
  if (toEpochMs(row.windowEnd) <= toEpochMs(row.windowStart)) {
    return { kind: 'invalid', reason: `windowEnd ${row.windowEnd} is not after windowStart ${row.windowStart}` };
  }
  return { kind: 'row', row, storedWindowStart: String(item[WINDOW_KEY]) };
}

/**
 * The product's windows up to and including `row`, as the evidence reads them: as many earlier
 * windows of the row's size as the baseline and the longest tested span need, a window without a row
 * being a window without demand.
 */
async function windowsObserved(
  row: AggregateRow,
  storedWindowStart: string,
  params: Pick<CategoryParameters, 'baselinePeriods' | 'detectionSpans'>,
  reader: AggregateBaselineReader,
): Promise<DemandObservation> {
  const start = toEpochMs(row.windowStart);
  const size = toEpochMs(row.windowEnd) - start;
  const earlier = params.baselinePeriods + Math.max(...params.detectionSpans) - 1;
  const previous = await reader.previousWindows(
    row.productId,
    toIso(start - earlier * size),
    storedWindowStart,
    earlier,
  );
  const periods: PeriodCounts[] = Array.from({ length: earlier }, () => ({
    views: 0,
    carts: 0,
    purchases: 0,
    units: 0,
  }));
  for (const window of previous) {
    const index = earlier - Math.round((start - toEpochMs(window.windowStart)) / size);
    if (index >= 0 && index < earlier) periods[index] = countsOf(window);
  }
  periods.push(countsOf(row));
  return { source: 'windows', periodSeconds: size / 1000, periods, lastPeriodFraction: 1 };
}

function countsOf(window: Pick<AggregateRow, 'views' | 'carts' | 'purchases' | 'units'>): PeriodCounts {
  return { views: window.views, carts: window.carts, purchases: window.purchases, units: window.units };
}

/**
 * The rich path for one batch of aggregate-table stream records: each new or rewritten row →
 * the product's earlier windows → demand evidence and pricing policy → price store.
 *
 * - Exactly once: the decision id is the row's key and its time the row's windowEnd, so a redelivered
 *   record (or a row the Glue job wrote again) finds its history row and reports `duplicate`.
 * - It never triggers itself: it reads the aggregates table and writes only products and price
 *   history (through PriceStore), neither of which feeds this function.
 * - A row that is not an aggregate (REMOVE, TTL expiry, a schema violation) is logged and counted,
 *   never retried: a retry would fail the same way and hold the shard.
 * - A failure marks its record, and every later record of the same product in the batch, so one
 *   product's windows are never priced out of order; other products go on.
 */
export async function processAggregateRecords(
  records: readonly DynamoDBRecord[],
  deps: AggregatesDependencies,
): Promise<AggregatesOutcome> {
  const failures = new Map<string, string>();
  const counts: Record<RecordOutcome, number> = {
    applied: 0,
    no_change: 0,
    duplicate: 0,
    ignored: 0,
    invalid: 0,
    unknown_product: 0,
  };

  // One product's windows in stream order, products side by side.
  const byProduct = new Map<string, { sequenceNumber: string; row: AggregateRow; storedWindowStart: string }[]>();
  for (const record of records) {
    const sequenceNumber = record.dynamodb?.SequenceNumber ?? record.eventID ?? '';
    const parsed = parseRecord(record);
    if (parsed.kind !== 'row') {
      counts[parsed.kind]++;
      if (parsed.kind === 'invalid') {
        deps.logger?.warn('aggregate row skipped', { sequenceNumber, eventID: record.eventID, reason: parsed.reason });
      }
      continue;
    }
    const queue = byProduct.get(parsed.row.productId) ?? [];
    queue.push({ sequenceNumber, row: parsed.row, storedWindowStart: parsed.storedWindowStart });
    byProduct.set(parsed.row.productId, queue);
  }

  const changesByReason: Record<string, number> = {};
  let oldestWindowEndMs: number | null = null;
  const config = await deps.prices.config.get();
  await mapConcurrent([...byProduct.values()], 8, async (queue) => {
    for (const [index, { row, storedWindowStart }] of queue.entries()) {
      try {
        const params = parametersFor(config, row.category);
        const demand = await windowsObserved(row, storedWindowStart, params, deps.baseline);
        const result = await applyDecision(deps.prices, row.productId, {
          decisionId: aggregateDecisionId(row),
          at: row.windowEnd,
          source: 'rich-path',
          signals: { demand },
        });
        counts[result.outcome]++;
        if (result.outcome === 'applied') {
          changesByReason[result.change.reasonCode] = (changesByReason[result.change.reasonCode] ?? 0) + 1;
        }
        const windowEndMs = toEpochMs(row.windowEnd);
        if (oldestWindowEndMs === null || windowEndMs < oldestWindowEndMs) oldestWindowEndMs = windowEndMs;
      } catch (error) {
        // An aggregate of a product the catalogue no longer has: nothing to price.
        if (error instanceof NotFoundError) {
          counts.unknown_product++;
          continue;
        }
        for (const later of queue.slice(index)) {
          failures.set(later.sequenceNumber, `pricing ${row.productId} @ ${row.windowStart}: ${String(error)}`);
        }
        return;
      }
    }
  });

  return { failures, stats: { records: records.length, ...counts, changesByReason, oldestWindowEndMs } };
}
