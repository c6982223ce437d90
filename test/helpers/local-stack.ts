import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, inject } from 'vitest';
import { createLocalClients, type LocalClients } from '../../local/clients.js';
import type { LocalStackInfo } from '../../local/local-stack.js';

/** The run's shared local stack, with clients of this suite's own, closed after the suite. */
export function useLocalStack(): LocalStackInfo & { clients: LocalClients } {
  const info = inject('localStack');
  const clients = createLocalClients(info.endpoints);
  afterAll(() => clients.destroy());
  return { ...info, clients };
}

/** A name no other test uses, for scratch tables and keys. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** True while a process with this id exists. */
export function isRunning(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every item of a table, page by page (a Scan page stops at 1 MB). */
export async function scanAll(client: DynamoDBDocumentClient, tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
