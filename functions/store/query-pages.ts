import type { QueryCommandInput, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { DynamoDbDocuments } from './dynamodb-documents.js';

/** Every response of a Query, in order, following LastEvaluatedKey. The caller may stop early (`break`). */
async function* queryResponses(
  client: DynamoDbDocuments,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): AsyncGenerator<Omit<QueryCommandOutput, '$metadata'>> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.query({ ...input, ExclusiveStartKey: start });
    yield page;
    start = page.LastEvaluatedKey;
  } while (start);
}

/**
 * Every page of a Query, in order, following LastEvaluatedKey: a page stops at 1 MB, so a reader
 * that takes only the first one silently misses items. The caller may stop early (`break`).
 */
export async function* queryPages(
  client: DynamoDbDocuments,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): AsyncGenerator<Record<string, unknown>[]> {
  for await (const page of queryResponses(client, input)) yield page.Items ?? [];
}

/** How many items a Query matches (`Select: 'COUNT'`), over every page: a count stops at 1 MB read too. */
export async function queryCount(
  client: DynamoDbDocuments,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Select'>,
): Promise<number> {
  let count = 0;
  for await (const page of queryResponses(client, { ...input, Select: 'COUNT' })) count += page.Count ?? 0;
  return count;
}
