import { randomUUID } from 'node:crypto';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { buildOnFailureRecord, OnFailureCondition, SourceKind } from '../../local/event-source-mapping/index.js';
import type { LocalPipeline } from '../../local/pipeline.js';
import { readWholeStream } from './stream-records.js';

/** A valid view of `productId`: now, by a session of its own, unless told otherwise. */
export function productView(
  productId: string,
  given: { readonly sessionId?: string; readonly eventId?: string; readonly eventTime?: string } = {},
) {
  return {
    eventId: given.eventId ?? randomUUID(),
    sessionId: given.sessionId ?? `s-${randomUUID().slice(0, 8)}`,
    eventType: 'product_view',
    productId,
    category: 'home-garden',
    priceSeen: 1999,
    trafficSource: 'organic',
    deviceType: 'desktop',
    userAgent: 'Mozilla/5.0',
    eventTime: given.eventTime ?? new Date().toISOString(),
  };
}

/** `count` valid views of `productId` at this instant, each of a session of its own. */
export function viewsNow(count: number, productId: string) {
  return Array.from({ length: count }, () => productView(productId));
}

/**
 * Sends the clickstream mapping's dead-letter queue the on-failure record of the stream's last `count`
 * records, as the mapping does when it gives up on a batch (after a throttled table, say): a batch
 * named by position only. Returns how many records it names.
 */
export async function discardLastRecords(
  pipeline: LocalPipeline,
  kinesis: KinesisClient,
  streamName: string,
  count: number,
): Promise<number> {
  const batch = (await readWholeStream(kinesis, streamName)).slice(-count);
  const mapping = pipeline.mappings[0];
  await pipeline.deadLetters.clickstream.send(
    buildOnFailureRecord({
      kind: SourceKind.KINESIS,
      shardId: batch[0]?.shardId ?? '',
      streamArn: mapping?.eventSourceArn ?? '',
      records: batch.map((record) => ({ sequenceNumber: record.sequenceNumber, arrivalMs: Date.now() })),
      condition: OnFailureCondition.RETRY_ATTEMPTS_EXHAUSTED,
      requestId: randomUUID(),
      functionArn: mapping?.functionArn ?? '',
      approximateInvokeCount: 3,
      timestampMs: Date.now(),
    }),
  );
  return batch.length;
}
