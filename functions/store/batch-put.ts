import { setTimeout as sleep } from 'node:timers/promises';
import { mapConcurrent } from '../lib/map-concurrent.js';
import type { DynamoDbDocuments } from './dynamodb-documents.js';

const BATCH_WRITE_LIMIT = 25;
const MAX_ATTEMPTS = 10;
/** BatchWriteItem calls in flight: a burst of items lands in a few round trips without flooding the table. */
const CONCURRENCY = 8;

/** Puts every item with BatchWriteItem, 25 at a time, retrying unprocessed items with backoff. */
export async function batchPut(
  client: DynamoDbDocuments,
  tableName: string,
  items: readonly Record<string, unknown>[],
): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let start = 0; start < items.length; start += BATCH_WRITE_LIMIT) {
    chunks.push(items.slice(start, start + BATCH_WRITE_LIMIT));
  }
  await mapConcurrent(chunks, CONCURRENCY, async (chunk) => {
    let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS)
        throw new Error(`writes to ${tableName} still unprocessed after ${attempt} attempts`);
      if (attempt > 0) await sleep(Math.min(1_000, 20 * 2 ** attempt));
      const { UnprocessedItems } = await client.batchWrite({ RequestItems: { [tableName]: requests } });
      requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  });
}
