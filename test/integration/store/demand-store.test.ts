import { BatchWriteCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { toIso } from '../../../functions/domain/time.js';
import { DemandStore, watermarkAttribute } from '../../../functions/store/demand-store.js';
import type { DynamoDbDocuments } from '../../../functions/store/dynamodb-documents.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';

const stack = useLocalStack();
let table: string;
/** The real calls to DynamoDB Local, but Queries come back in pages of `limit` items, as a 1 MB page would cut them. */
const pagesOf = (limit: number) => {
  const queries: number[] = [];
  const documents = stack.clients.documents;
  const client: DynamoDbDocuments = Object.assign(Object.create(documents) as DynamoDbDocuments, {
    query(input: QueryCommandInput) {
      queries.push(1);
      return documents.query({ ...input, Limit: limit });
    },
  });
  return { queries, client };
};

const LAST_MINUTE = Date.UTC(2026, 10, 20, 12, 0);
const MINUTES = 30;

beforeAll(async () => {
  ({ demand: table } = await createScratchTables(stack.clients.dynamodb, ['demand'] as const));
  // 30 minutes of P1's counters, each item fat with shard watermarks, as the fast path leaves them.
  const items = Array.from({ length: MINUTES }, (_, index) => ({
    productId: 'P1',
    minute: toIso(LAST_MINUTE - index * 60_000),
    views: index + 1,
    carts: 1,
    purchases: index % 2,
    [watermarkAttribute('clicks/shardId-000000000000')]: '9'.repeat(64),
    [watermarkAttribute('clicks/shardId-000000000001')]: '8'.repeat(64),
  }));
  for (let start = 0; start < items.length; start += 25) {
    await stack.clients.documentClient.send(
      new BatchWriteCommand({
        RequestItems: { [table]: items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
});

describe('DemandStore.minutes', () => {
  it('reads every page of a long range: no minute with demand reads as zero', async () => {
    const { queries, client } = pagesOf(7);
    const store = new DemandStore(client, table);

    const minutes = await store.minutes('P1', toIso(LAST_MINUTE), MINUTES + 5);

    expect(queries.length).toBeGreaterThan(4);
    expect(minutes).toHaveLength(MINUTES + 5);
    expect(minutes.slice(0, 5).every((minute) => minute.views === 0)).toBe(true);
    // Oldest first: the 30th minute back had 30 views, the last minute 1.
    expect(minutes.slice(5).map((minute) => minute.views)).toEqual(
      Array.from({ length: MINUTES }, (_, index) => MINUTES - index),
    );
    expect(minutes.at(-1)).toMatchObject({ minute: toIso(LAST_MINUTE), views: 1, carts: 1, purchases: 0 });
  });
});
