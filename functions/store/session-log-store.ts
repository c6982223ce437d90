import { tables } from '../../definitions/resources.js';
import { padSequence, SEQUENCE_WIDTH } from '../domain/sequence-numbers.js';
import type { BotMark, SessionLog, SessionLogEntry, SessionLogWrite } from '../domain/session-activity.js';
import { expiryAfterDays, toIso } from '../domain/time.js';
import type { DynamoDbDocuments } from './dynamodb-documents.js';

import { queryPages } from './query-pages.js';
import { BOT_BUCKETS, botBucketOf, decodeSessionLogEntry, encodeSessionLogEntry } from './session-log-codec.js';
import { cancellationCodes, isConditionalCheckFailed } from './transaction-errors.js';

const SHARD = tables.sessionLog.partitionKey.name;
const SEQUENCE = tables.sessionLog.sortKey.name;
const TTL = tables.sessionLog.ttl;
/** Below DynamoDB's 400 KB item limit, with room for the key and the other attributes. */
const MAX_RECORDS_BYTES = 350_000;

/**
 * The session log in DynamoDB: one item per batch (shard, zero-padded last sequence) with the
 * batch's judged records (session-log-codec.ts) and the clock of its last one, so a reader going back
 * from the newest knows where the horizon ends without opening the records. Beside them in the
 * shard's partition, the shard's bot memory in 32 items (botBucketOf) (`bots-00`…, after every padded
 * sequence in key order), written in the entry's transaction: a reader of a whole horizon reads
 * newest first from the partition's end, bot memory then entries, in one Query. Every read is
 * strongly consistent: an environment must see the entry the previous batch's environment wrote.
 */
export class SessionLogStore implements SessionLog {
  constructor(
    private readonly client: DynamoDbDocuments,
    private readonly tableName: string,
  ) {}

  async recent(shardId: string, position: string | undefined, horizonMs: number): ReturnType<SessionLog['recent']> {
    // An entry a horizon behind the newest holds only forgotten records (and so do older ones).
    const beyond = (clockMs: number, newestMs: number) => clockMs <= newestMs - horizonMs;
    if (position === undefined) {
      return this.readBack({ condition: '#shard = :shard', values: { ':shard': shardId } }, beyond);
    }
    const read = await this.readBack(
      {
        condition: '#shard = :shard AND #sequence BETWEEN :after AND :last',
        // Just after the position: longer than it and shorter than any later one.
        values: { ':shard': shardId, ':after': `${padSequence(position)}0`, ':last': LAST_ENTRY_KEY },
      },
      beyond,
    );
    if (read.complete) return { entries: read.entries, complete: true };
    return { ...read, bots: await this.botMemory(shardId) };
  }

  async before(shardId: string, sequence: string, spanMs: number) {
    const { entries } = await this.readBack(
      {
        condition: '#shard = :shard AND #sequence < :sequence',
        values: { ':shard': shardId, ':sequence': padSequence(sequence) },
      },
      // Kept at exactly the span: a mark is forgotten only once the clock is past its end.
      (clockMs, newestMs) => clockMs < newestMs - spanMs,
    );
    return entries;
  }

  /**
   * The Query's items, newest first: bot memory items into `bots`, entries until `beyond` says one is
   * too far behind the newest's clock; the entries oldest first. `complete`: the Query ended first.
   */
  private async readBack(
    query: { readonly condition: string; readonly values: Record<string, unknown> },
    beyond: (clockMs: number, newestClockMs: number) => boolean,
  ): Promise<{ entries: SessionLogEntry[]; complete: boolean; bots: BotMark[] }> {
    const entries: SessionLogEntry[] = [];
    const bots: BotMark[] = [];
    let newestClockMs: number | undefined;
    const pages = queryPages(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: query.condition,
      ExpressionAttributeNames: query.condition.includes('#sequence')
        ? { '#shard': SHARD, '#sequence': SEQUENCE }
        : { '#shard': SHARD },
      ExpressionAttributeValues: query.values,
      ScanIndexForward: false,
      ConsistentRead: true,
    });
    for await (const items of pages) {
      for (const item of items) {
        if (isBotMemory(item)) {
          bots.push(...marksOf(item));
          continue;
        }
        const clockMs = item.clockMs as number;
        newestClockMs ??= clockMs;
        if (beyond(clockMs, newestClockMs)) return { entries: entries.reverse(), complete: false, bots };
        entries.push(this.entryOf(item));
      }
    }
    return { entries: entries.reverse(), complete: true, bots };
  }

  /** The shard's bot memory, as the newest entry that marked a bot left it. */
  private async botMemory(shardId: string): Promise<BotMark[]> {
    const marks: BotMark[] = [];
    const pages = queryPages(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#shard = :shard AND begins_with(#sequence, :bots)',
      ExpressionAttributeNames: { '#shard': SHARD, '#sequence': SEQUENCE },
      ExpressionAttributeValues: { ':shard': shardId, ':bots': BOT_MEMORY_PREFIX },
      ConsistentRead: true,
    });
    for await (const items of pages) for (const item of items) marks.push(...marksOf(item));
    return marks;
  }

  async covering(shardId: string, from: string, to: string) {
    const covering: SessionLogEntry[] = [];
    const last = padSequence(to);
    const pages = queryPages(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#shard = :shard AND #sequence BETWEEN :from AND :last',
      ExpressionAttributeNames: { '#shard': SHARD, '#sequence': SEQUENCE },
      ExpressionAttributeValues: { ':shard': shardId, ':from': padSequence(from), ':last': LAST_ENTRY_KEY },
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
   * One PutItem; an entry in several parts, or one that marked bots, in one transaction, so that no
   * reader ever sees some of its parts, or its marks without the bot memory after it (its marks are
   * in the newest part, which a reader applies last).
   */
  async append(entry: SessionLogWrite): Promise<boolean> {
    const entryPuts = parts(entry).map((part) => ({
      TableName: this.tableName,
      Item: this.itemOf(part.entry, part.bytes),
      // A batch delivered again writes the same entry: the first one stays.
      ConditionExpression: 'attribute_not_exists(#sequence)',
      ExpressionAttributeNames: { '#sequence': SEQUENCE },
    }));
    const puts = [...entryPuts, ...this.botItemsOf(entry)];
    try {
      if (puts.length === 1) await this.client.put(puts[0] as (typeof puts)[number]);
      else await this.client.transactWrite({ TransactItems: puts.map((Put) => ({ Put })) });
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      if (alreadyWritten(cancellationCodes(error))) return false;
      throw error;
    }
  }

  /** The bot memory's items that hold a session the entry marked, each whole as the memory is now. */
  private botItemsOf(entry: SessionLogWrite): { TableName: string; Item: Record<string, unknown> }[] {
    if (entry.bots.length === 0 && !entry.wholeBotMemory) return [];
    const touched = entry.wholeBotMemory
      ? new Set(Array.from({ length: BOT_BUCKETS }, (_, bucket) => bucket))
      : new Set(entry.bots.map(([sessionId]) => botBucketOf(sessionId)));
    const buckets = new Map<number, Record<string, number>>([...touched].map((bucket) => [bucket, {}]));
    for (const [sessionId, until] of entry.botMemory) {
      const marks = buckets.get(botBucketOf(sessionId));
      if (marks !== undefined) marks[sessionId] = until;
    }
    return [...buckets].map(([bucket, marks]) => ({
      TableName: this.tableName,
      Item: {
        [SHARD]: entry.shardId,
        [SEQUENCE]: `${BOT_MEMORY_PREFIX}${String(bucket).padStart(2, '0')}`,
        marks,
        [TTL.attribute]: expiryAfterDays(toIso(clockOf(entry)), TTL.retentionDays),
      },
    }));
  }

  private itemOf(entry: SessionLogEntry, bytes: Uint8Array): Record<string, unknown> {
    const clockMs = clockOf(entry);
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

/** An entry's clock: its last record's. */
function clockOf(entry: SessionLogEntry): number {
  return entry.records[entry.records.length - 1]?.clockMs ?? 0;
}

/** The sort key of the bot memory's items: after every entry's (digits) in key order. */
const BOT_MEMORY_PREFIX = 'bots-';
/** The highest sort key an entry can have. */
const LAST_ENTRY_KEY = '9'.repeat(SEQUENCE_WIDTH);

function isBotMemory(item: Record<string, unknown>): boolean {
  return (item[SEQUENCE] as string).startsWith(BOT_MEMORY_PREFIX);
}

function marksOf(item: Record<string, unknown>): BotMark[] {
  return Object.entries(item.marks as Record<string, number>);
}

/**
 * The entry as items: one, unless its records pass the item limit (a batch of thousands of large
 * events), then halves until each fits, oldest first. The marks go with the newest part, which a
 * reader applies last.
 */
function parts(entry: SessionLogEntry): { entry: SessionLogEntry; bytes: Uint8Array }[] {
  const bytes = encodeSessionLogEntry(entry);
  if (bytes.byteLength <= MAX_RECORDS_BYTES || entry.records.length < 2) return [{ entry, bytes }];
  const half = Math.ceil(entry.records.length / 2);
  const older = entry.records.slice(0, half);
  const newer = entry.records.slice(half);
  return [
    ...parts({
      shardId: entry.shardId,
      records: older,
      lastSequence: (older[older.length - 1] as { sequence: string }).sequence,
      bots: [],
    }),
    ...parts({ ...entry, records: newer }),
  ];
}

/** A transaction refused only because its entry's parts exist: written before, by this batch's first delivery. */
function alreadyWritten(codes: string[] | null): boolean {
  return (
    codes !== null &&
    codes.length > 0 &&
    codes.every((code) => code === 'ConditionalCheckFailed' || code === 'None') &&
    codes.some((code) => code === 'ConditionalCheckFailed')
  );
}
