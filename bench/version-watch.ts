import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tables } from '../definitions/resources.js';

/** Products whose version changed (a price change landed), and when the change became visible. */
export interface VersionWatch {
  /** productId → epoch ms at which its new version was first read. */
  readonly detectedAt: ReadonlyMap<string, number>;
  /** Resolves once every watched product has changed, or at `deadlineMs`. */
  settled(deadlineMs: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Polls the products table every `intervalMs` for version changes: what a storefront would see. The
 * latency benchmarks measure "visible" from here, so each sample may read up to `intervalMs` late.
 */
export function watchVersions(
  client: DynamoDBDocumentClient,
  tableName: string,
  versions: ReadonlyMap<string, number>,
  intervalMs = 20,
): VersionWatch {
  const detectedAt = new Map<string, number>();
  let watching = true;
  const loop = (async () => {
    while (watching && detectedAt.size < versions.size) {
      const pending = [...versions.keys()].filter((productId) => !detectedAt.has(productId));
      for (let start = 0; start < pending.length; start += 100) {
        const { Responses } = await client.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: pending
                  .slice(start, start + 100)
                  .map((productId) => ({ [tables.products.partitionKey.name]: productId })),
                ProjectionExpression: 'productId, version',
              },
            },
          }),
        );
        const now = Date.now();
        for (const item of Responses?.[tableName] ?? []) {
          if (item.version !== versions.get(item.productId)) detectedAt.set(item.productId, now);
        }
      }
      await sleep(intervalMs);
    }
  })();
  return {
    detectedAt,
    settled: async (deadlineMs) => {
      while (detectedAt.size < versions.size && Date.now() < deadlineMs) await sleep(intervalMs);
    },
    stop: async () => {
      watching = false;
      await loop;
    },
  };
}
