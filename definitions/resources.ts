/**
 * The resource catalogue: the one definition of clickprice's stream and tables.
 *
 * The CDK stacks, the embedded local stack and the store adapters are all built from these objects,
 * so a key name, index name or table name is written here and nowhere else. Plain data, no AWS
 * imports, so Lambda bundles can include it for free.
 */

/** DynamoDB scalar types used by keys. */
export type KeyAttributeType = 'S' | 'N';

/** One key attribute of a table or index. */
export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyAttributeType;
}

/** A global secondary index. */
export interface GlobalIndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** Readers of every index here need whole items, so ALL is the only projection used. */
  readonly projection: 'ALL';
}

/** DynamoDB Streams view types, as both CloudFormation and the DynamoDB API spell them. */
export type StreamViewType = 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY';

/** One DynamoDB table. */
export interface TableDefinition {
  /** Construct id in CDK and the key of `tables`. */
  readonly id: string;
  /** Short name: the local table is `clickprice-<name>`; in AWS CloudFormation names it. */
  readonly name: string;
  readonly description: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalIndexes: readonly GlobalIndexDefinition[];
  /** Stream view type; absent when nothing consumes the table's changes. */
  readonly stream?: StreamViewType;
  /**
   * Items expire: `attribute` holds the expiry in epoch seconds (the unit DynamoDB TTL requires), set
   * `retentionDays` after the moment the item is about. Every writer (TypeScript stores, the Glue job,
   * which gets it as a job argument) takes the number from here.
   */
  readonly ttl?: TtlDefinition;
}

export interface TtlDefinition {
  readonly attribute: string;
  readonly retentionDays: number;
}

/** The Kinesis data stream of click events. */
export interface StreamDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly shardCount: number;
  readonly retentionHours: number;
  /** The event field used as partition key, so one session's events stay ordered on one shard. */
  readonly partitionKeyField: 'sessionId';
}

/** Prefix of every physical name the local stack creates. */
export const LOCAL_NAME_PREFIX = 'clickprice-';

export const clicksStream: StreamDefinition = {
  id: 'ClicksStream',
  name: 'clicks',
  description: 'Shopper click events, one JSON event per record',
  shardCount: 2,
  retentionHours: 24,
  partitionKeyField: 'sessionId',
};

const products = {
  id: 'products',
  name: 'products',
  description: 'Catalogue: base price, current price and version, bounds, inventory, freeze, lowest30d',
  partitionKey: { name: 'productId', type: 'S' },
  globalIndexes: [],
} as const satisfies TableDefinition;

const orders = {
  id: 'orders',
  name: 'orders',
  description: 'Orders written by the order system; the time-bucket index serves window reads',
  partitionKey: { name: 'orderId', type: 'S' },
  globalIndexes: [
    {
      // A bucket is one minute plus a write shard (see functions/domain/order-buckets.ts), so a busy
      // minute spreads over several index partitions instead of one hot one.
      indexName: 'byTimeBucket',
      partitionKey: { name: 'timeBucket', type: 'S' },
      sortKey: { name: 'orderedAt', type: 'S' },
      projection: 'ALL',
    },
  ],
} as const satisfies TableDefinition;

const aggregates = {
  id: 'aggregates',
  name: 'aggregates',
  description: 'One immutable row per product per window, written whole by the Glue job',
  partitionKey: { name: 'productId', type: 'S' },
  sortKey: { name: 'windowStart', type: 'S' },
  globalIndexes: [],
  stream: 'NEW_IMAGE',
  // Read by pricing within minutes (baselines, references) and by ops investigating a change for weeks.
  ttl: { attribute: 'expiresAt', retentionDays: 30 },
} as const satisfies TableDefinition;

const demand = {
  id: 'demand',
  name: 'demand',
  description: 'Fast-path counters per product per minute, with per-shard sequence watermarks',
  partitionKey: { name: 'productId', type: 'S' },
  sortKey: { name: 'minute', type: 'S' },
  globalIndexes: [],
  // Long enough for baselines and investigations.
  ttl: { attribute: 'expiresAt', retentionDays: 7 },
} as const satisfies TableDefinition;

const priceHistory = {
  id: 'priceHistory',
  name: 'price-history',
  description: 'Every price change and ops action, with reason, guardrail, signals and actor',
  partitionKey: { name: 'productId', type: 'S' },
  // changedAt#decisionId: sorts by time, and the decisionId makes a replayed decision collide.
  sortKey: { name: 'changeKey', type: 'S' },
  globalIndexes: [
    {
      // Live feed across products: one partition per hour, newest-first within it.
      indexName: 'byChangeHour',
      partitionKey: { name: 'changeHour', type: 'S' },
      sortKey: { name: 'changeKey', type: 'S' },
      projection: 'ALL',
    },
  ],
} as const satisfies TableDefinition;

const pricingConfig = {
  id: 'pricingConfig',
  name: 'pricing-config',
  description: 'Kill switch, shadow mode and per-category policy parameters',
  partitionKey: { name: 'configKey', type: 'S' },
  globalIndexes: [],
} as const satisfies TableDefinition;

const quarantine = {
  id: 'quarantine',
  name: 'quarantine',
  description: 'Events that failed validation, kept with their raw data, reason and stream position',
  partitionKey: { name: 'quarantineDay', type: 'S' },
  sortKey: { name: 'quarantineId', type: 'S' },
  globalIndexes: [],
  ttl: { attribute: 'expiresAt', retentionDays: 30 },
} as const satisfies TableDefinition;

const sessionLog = {
  id: 'sessionLog',
  name: 'session-log',
  description:
    "The fast path's judged records per shard, one item per batch: the session rules' memory, in any execution environment",
  partitionKey: { name: 'shardId', type: 'S' },
  // The batch's highest sequence number, zero-padded: the log in shard order.
  sortKey: { name: 'lastSequence', type: 'S' },
  globalIndexes: [],
  // The rules read 10 minutes back; a dead-letter redrive reads verdicts back to the stream's retention (24 h).
  ttl: { attribute: 'expiresAt', retentionDays: 2 },
} as const satisfies TableDefinition;

/** Every table, by id. */
export const tables = {
  products,
  orders,
  aggregates,
  demand,
  priceHistory,
  pricingConfig,
  quarantine,
  sessionLog,
} as const;

export type TableId = keyof typeof tables;

export const tableIds = Object.keys(tables) as TableId[];

/** The physical table name the local stack uses. */
export function localTableName(table: TableDefinition): string {
  return `${LOCAL_NAME_PREFIX}${table.name}`;
}

/** The physical stream name the local stack uses. */
export function localStreamName(stream: StreamDefinition = clicksStream): string {
  return `${LOCAL_NAME_PREFIX}${stream.name}`;
}

/**
 * The environment variable that carries a table's physical name to code that runs on Lambda
 * (CDK sets it from the deployed table) or locally (the local stack sets it).
 */
export function tableEnvVar(table: TableDefinition): string {
  return `TABLE_${table.name.toUpperCase().replace(/-/g, '_')}`;
}

/** The environment variable that carries the clicks stream's name. */
export const STREAM_ENV_VAR = 'CLICKS_STREAM_NAME';
