import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../definitions/resources.js';
import { padSequence } from '../domain/sequence-numbers.js';
import type { SessionLog, SessionLogEntry } from '../domain/session-activity.js';
import { expiryAfterDays, toIso } from '../domain/time.js';

import { queryPages } from './query-pages.js';
import { decodeSessionLogEntry, encodeSessionLogEntry } from './session-log-codec.js';

const SHARD = tables.sessionLog.partitionKey.name;
const SEQUENCE = tables.sessionLog.sortKey.name;
const TTL = tables.sessionLog.ttl;
/** Below DynamoDB's 400 KB item limit, with room for the key and the other attributes. */
const MAX_RECORDS_BYTES = 350_000;

/**
 * The session log in DynamoDB: one item per batch (shard, zero-padded last sequence) with the
 * batch's judged records (session-log-codec.ts) and the clock of its last one, so a reader going back
 * from the newest knows where the horizon ends without opening the records. Every read is strongly
 * consistent: an environment must see the entry the previous batch's environment wrote.
 */
export class SessionLogStore implements SessionLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async recent(shardId: string, position: string | undefined, horizonMs: number) {
    const read: SessionLogEntry[] = [];
    let newestClockMs: number | undefined;
    const names: Record<string, string> = { '#shard': SHARD };
    const values: Record<string, unknown> = { ':shard': shardId };
    let condition = '#shard = :shard';
    if (position !== undefined) {
      names['#sequence'] = SEQUENCE;
      values[':position'] = padSequence(position);
      condition += ' AND #sequence > :position';
    }
    const pages = queryPages(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
      ConsistentRead: true,
    });
    for await (const items of pages) {
      for (const item of items) {
        const clockMs = item.clockMs as number;
        newestClockMs ??= clockMs;
        // Every record of this entry and of older ones is a horizon behind the newest: forgotten.
        if (clockMs <= newestClockMs - horizonMs) return { entries: read.reverse(), complete: false };
        read.push(this.entryOf(item));
      }
    }
    return { entries: read.reverse(), complete: true };
  }

  async covering(shardId: string, from: string, to: string) {
    const covering: SessionLogEntry[] = [];
    const last = padSequence(to);
    const pages = queryPages(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#shard = :shard AND #sequence >= :from',
      ExpressionAttributeNames: { '#shard': SHARD, '#sequence': SEQUENCE },
      ExpressionAttributeValues: { ':shard': shardId, ':from': padSequence(from) },
      ConsistentRead: true,
    });
    for await (const items of pages) {
      for (const item of items) {
        covering.push(this.entryOf(item));
        if ((item[SEQUENCE] as string) >= last) return covering;
      }
    }
    return covering;
  }

  /**
   * One PutItem; an entry in several parts in one transaction, so that no reader ever sees some of
   * its parts (each part carries the bot memory after the whole entry, and a reader judges after it).
   */
  async append(entry: SessionLogEntry): Promise<void> {
    const puts = parts(entry).map((part) => ({
      TableName: this.tableName,
      Item: this.itemOf(part.entry, part.bytes),
      // A batch delivered again writes the same entry: the first one stays.
      ConditionExpression: 'attribute_not_exists(#sequence)',
      ExpressionAttributeNames: { '#sequence': SEQUENCE },
    }));
    try {
      if (puts.length === 1) await this.client.send(new PutCommand(puts[0] as (typeof puts)[number]));
      else await this.client.send(new TransactWriteCommand({ TransactItems: puts.map((Put) => ({ Put })) }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      if (error instanceof TransactionCanceledException && alreadyWritten(error)) return;
      throw error;
    }
  }

  private itemOf(entry: SessionLogEntry, bytes: Uint8Array): Record<string, unknown> {
    const clockMs = entry.records[entry.records.length - 1]?.clockMs ?? 0;
    return {
      [SHARD]: entry.shardId,
      [SEQUENCE]: padSequence(entry.lastSequence),
      clockMs,
      recordCount: entry.records.length,
      records: bytes,
      [TTL.attribute]: expiryAfterDays(toIso(clockMs), TTL.retentionDays),
    };
  }

  private entryOf(item: Record<string, unknown>): SessionLogEntry {
    return decodeSessionLogEntry(item[SHARD] as string, item[SEQUENCE] as string, item.records as Uint8Array);
  }
}

/**
 * The entry as items: one, unless its records pass the item limit (a batch of thousands of large
 * events), then halves until each fits, oldest first. Each part carries the bot memory after the
 * whole entry: a reader always applies the newest part last.
 */
function parts(entry: SessionLogEntry): { entry: SessionLogEntry; bytes: Uint8Array }[] {
  const bytes = encodeSessionLogEntry(entry);
  if (bytes.byteLength <= MAX_RECORDS_BYTES || entry.records.length < 2) return [{ entry, bytes }];
  const half = Math.ceil(entry.records.length / 2);
  const older = entry.records.slice(0, half);
  const newer = entry.records.slice(half);
  return [
    ...parts({ ...entry, records: older, lastSequence: (older[older.length - 1] as { sequence: string }).sequence }),
    ...parts({ ...entry, records: newer }),
  ];
}

/** A transaction refused only because its entry's parts exist: written before, by this batch's first delivery. */
function alreadyWritten(error: TransactionCanceledException): boolean {
  const reasons = error.CancellationReasons ?? [];
  return (
    reasons.length > 0 &&
    reasons.every((reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'None') &&
    reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')
  );
}
