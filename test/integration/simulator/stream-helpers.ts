import {
  DeleteStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { onTestFinished } from 'vitest';
import { clicksStream, tables } from '../../../definitions/resources.js';
import type { LocalClients } from '../../../local/clients.js';
import { ensureStream, ensureTable } from '../../../local/create-resources.js';
import { uniqueName } from '../../helpers/local-stack.js';

/** One record as read back from a shard. */
export interface StoredRecord {
  readonly shardId: string;
  readonly partitionKey: string;
  readonly data: Buffer;
}

/**
 * A stream of this suite's own, shaped like the clicks stream (same shard count). Made in a test, it
 * is deleted when the test ends: the shared kinesalite allows 50 shards across every suite of a run.
 * Made outside a test (a beforeAll), it is kept until the stack stops.
 */
export async function scratchStream(clients: LocalClients, prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  await ensureStream(clients.kinesis, clicksStream, name);
  try {
    onTestFinished(async () => {
      await clients.kinesis.send(new DeleteStreamCommand({ StreamName: name })).catch(() => undefined);
    });
  } catch {
    // Not inside a test: nothing to hang the deletion on.
  }
  return name;
}

/** Scratch products and orders tables, built from the catalogue definitions. */
export async function scratchTables(clients: LocalClients, prefix: string) {
  const products = uniqueName(`${prefix}-products`);
  const orders = uniqueName(`${prefix}-orders`);
  await Promise.all([
    ensureTable(clients.dynamodb, tables.products, products),
    ensureTable(clients.dynamodb, tables.orders, orders),
  ]);
  return { products, orders };
}

/** Every record on every shard of a stream, shard by shard, each shard in sequence order. */
export async function readStream(client: KinesisClient, streamName: string): Promise<StoredRecord[]> {
  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: streamName }));
  const records: StoredRecord[] = [];
  for (const shard of Shards) {
    const shardId = shard.ShardId as string;
    let { ShardIterator: iterator } = await client.send(
      new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    while (iterator) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) {
        records.push({ shardId, partitionKey: record.PartitionKey as string, data: Buffer.from(record.Data ?? []) });
      }
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return records;
}

/** Records grouped by shard, keeping each shard's order. */
export function byShard<T extends { shardId: string }>(records: readonly T[]): Map<string, T[]> {
  const shards = new Map<string, T[]>();
  for (const record of records) {
    const shard = shards.get(record.shardId) ?? [];
    shard.push(record);
    shards.set(record.shardId, shard);
  }
  return shards;
}
