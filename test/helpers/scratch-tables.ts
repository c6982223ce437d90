import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type TableId, tables } from '../../definitions/resources.js';
import { ensureTable } from '../../local/create-resources.js';
import { uniqueName } from './local-stack.js';

/**
 * Fresh tables built from the catalogue definitions, for suites whose writes must not meet other
 * suites' (a kill switch, a config change, a product's whole history).
 */
export async function createScratchTables<T extends TableId>(
  client: DynamoDBClient,
  ids: readonly T[],
): Promise<Record<T, string>> {
  const names = Object.fromEntries(ids.map((id) => [id, uniqueName(tables[id].name)])) as Record<T, string>;
  await Promise.all(ids.map((id) => ensureTable(client, tables[id], names[id])));
  return names;
}
