import { setTimeout as sleep } from 'node:timers/promises';
import { tables } from '../../definitions/resources.js';
import { dayOf, expiryAfterDays, toIso } from '../domain/time.js';
import { mergeNewestFirst, shardedKey, shardedKeys } from '../domain/write-shards.js';
import type { DynamoDbDocuments } from './dynamodb-documents.js';
import { queryCount } from './query-pages.js';
import { type RawSpill, spillKey } from './raw-spill.js';

const DAY_KEY = tables.quarantine.partitionKey.name;
const ID_KEY = tables.quarantine.sortKey.name;
const TTL = tables.quarantine.ttl.attribute;

/**
 * Raw data kept in the item: DynamoDB items are capped at 400 KB, Kinesis records at 1 MB. A bigger
 * record is kept whole in the spill (S3, locally a folder) and its first MAX_RAW_BYTES here.
 */
export const MAX_RAW_BYTES = 256 * 1024;
const RETENTION_DAYS = tables.quarantine.ttl.retentionDays;

/**
 * Write shards of a quarantine day (`2026-12-06#11`). A bad record may be 256 KB, 256 write units
 * of a partition's 1,000 a second: a day on one partition would take four such records a second;
 * sixteen shards take sixty-four, and a bot's burst of small bad records spreads the same way.
 */
export const QUARANTINE_DAY_SHARDS = 16;

/** A record that failed validation, and where it came from. */
export interface QuarantineEntry {
  /** Which consumer set it aside (the fast path, the Glue job). */
  readonly source: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly arrivedAt: string;
  readonly reason: string;
  readonly data: Uint8Array;
}

/** A quarantined record as stored and listed. */
export interface QuarantinedItem extends Omit<QuarantineEntry, 'data'> {
  readonly quarantineId: string;
  /** The raw bytes, base64; cut at MAX_RAW_BYTES (see `truncated`). */
  readonly rawBase64: string;
  readonly rawBytes: number;
  readonly truncated: boolean;
  /** Where the whole record is when it was cut (`s3://…`, locally `file://…`). */
  readonly rawLocation?: string;
  readonly quarantinedAt: string;
}

/**
 * Keeps bad records with their raw data, reason and stream position. The key is derived from the
 * record's position, so quarantining a redelivered record overwrites the same item (and the same
 * spilled object). Without a spill a record over MAX_RAW_BYTES keeps only its first MAX_RAW_BYTES.
 */
export class QuarantineStore {
  constructor(
    private readonly client: DynamoDbDocuments,
    private readonly tableName: string,
    private readonly clock: () => number = Date.now,
    private readonly spill: RawSpill | null = null,
  ) {}

  async put(entries: readonly QuarantineEntry[]): Promise<void> {
    // The spilled bytes first: an item never points at an object that is not there.
    const items = await Promise.all(entries.map((entry) => this.toItem(entry)));
    for (let start = 0; start < items.length; start += 25) {
      let requests = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 0) await sleep(Math.min(1_000, 20 * 2 ** attempt));
        if (attempt > 8) throw new Error(`quarantine writes still unprocessed after ${attempt} attempts`);
        const { UnprocessedItems } = await this.client.batchWrite({ RequestItems: { [this.tableName]: requests } });
        requests = (UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
    }
  }

  /** One day's quarantined records, newest first: every shard of the day, merged. */
  async list(day: string, limit = 100): Promise<QuarantinedItem[]> {
    const shards = await Promise.all(
      shardedKeys(day, QUARANTINE_DAY_SHARDS).map(async (key) => {
        const { Items } = await this.client.query({
          TableName: this.tableName,
          KeyConditionExpression: '#day = :day',
          ExpressionAttributeNames: { '#day': DAY_KEY },
          ExpressionAttributeValues: { ':day': key },
          ScanIndexForward: false,
          Limit: limit,
        });
        return (Items ?? []).map(({ [DAY_KEY]: _day, [ID_KEY]: quarantineId, [TTL]: _ttl, ...rest }) => ({
          ...(rest as Omit<QuarantinedItem, 'quarantineId'>),
          quarantineId: quarantineId as string,
        }));
      }),
    );
    return mergeNewestFirst(shards, (item) => item.quarantineId, limit);
  }

  /** How many records were quarantined from `since` (an instant within the last day) until now. */
  async countSince(since: string, now: string): Promise<number> {
    const days = [...new Set([dayOf(since), dayOf(now)])];
    const counts = await Promise.all(
      days.flatMap((day) =>
        shardedKeys(day, QUARANTINE_DAY_SHARDS).map((key) =>
          // The id starts with the record's arrival instant, so a range of ids is a range of time.
          queryCount(this.client, {
            TableName: this.tableName,
            KeyConditionExpression: '#day = :day AND #id >= :since',
            ExpressionAttributeNames: { '#day': DAY_KEY, '#id': ID_KEY },
            ExpressionAttributeValues: { ':day': key, ':since': since },
          }),
        ),
      ),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  private async toItem(entry: QuarantineEntry): Promise<Record<string, unknown>> {
    const truncated = entry.data.byteLength > MAX_RAW_BYTES;
    const quarantinedAt = toIso(this.clock());
    const quarantineId = `${entry.arrivedAt}#${entry.source}#${entry.shardId}#${entry.sequenceNumber}`;
    const rawLocation =
      truncated && this.spill !== null
        ? await this.spill.put(
            spillKey(dayOf(entry.arrivedAt), entry.source, entry.shardId, entry.sequenceNumber),
            entry.data,
          )
        : undefined;
    return {
      [DAY_KEY]: shardedKey(dayOf(entry.arrivedAt), quarantineId, QUARANTINE_DAY_SHARDS),
      [ID_KEY]: quarantineId,
      source: entry.source,
      shardId: entry.shardId,
      sequenceNumber: entry.sequenceNumber,
      arrivedAt: entry.arrivedAt,
      reason: entry.reason.slice(0, 1_000),
      rawBase64: Buffer.from(entry.data.subarray(0, MAX_RAW_BYTES)).toString('base64'),
      rawBytes: entry.data.byteLength,
      truncated,
      ...(rawLocation === undefined ? {} : { rawLocation }),
      quarantinedAt,
      [TTL]: expiryAfterDays(quarantinedAt, RETENTION_DAYS),
    };
  }
}
