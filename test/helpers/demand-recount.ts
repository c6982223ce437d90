/**
 * An independent recount of the fast path's demand counters: what is on the stream, with the session
 * rules applied in plain TypeScript (functions/domain/session-activity.ts has the fast copy), against
 * what the demand table holds. The e2e suites hold the pipeline to it.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { minuteOf } from '../../functions/domain/time.js';
import { scanAll } from './local-stack.js';
import type { StreamRecord } from './stream-records.js';

// The rules as the README states them (functions/domain/session-activity.ts has the fast copy).
const BOT_EVENTS_PER_MINUTE = 200;
const BOT_MEMORY_MS = 30 * 60_000;
const SESSION_CAP = 3;
const COUNTER_OF: Record<string, string> = {
  product_view: 'views',
  add_to_cart: 'carts',
  remove_from_cart: 'removes',
  checkout_start: 'checkouts',
  purchase: 'purchases',
};

interface SentEvent {
  eventId: string;
  sessionId: string;
  eventType: string;
  productId: string | null;
  quantity: number | null;
  eventTime: string;
}

export interface Recount {
  /** `productId|minute` → counters. */
  readonly counters: Map<string, Record<string, number>>;
  readonly excluded: { bot: number; capped: number; duplicate: number };
  /** Sessions the bot rule caught, with the shard and the sequence numbers of their records. */
  readonly botSessions: Map<string, { shardId: string; sequences: string[] }>;
}

/**
 * What the demand table must hold, recounted from the stream (every shard, in order) and the
 * recording's verdict on each record's bytes (bad ones are quarantined, never counted). The run lasts
 * far less than the rules' 10-minute horizon, so nothing here is forgotten.
 */
export function recount(records: readonly StreamRecord[], kindOf: ReadonlyMap<string, string>): Recount {
  const counters = new Map<string, Record<string, number>>();
  const excluded = { bot: 0, capped: 0, duplicate: 0 };
  const botSessions = new Map<string, { shardId: string; sequences: string[] }>();
  const seen = new Set<string>();
  const perSessionMinute = new Map<string, number>();
  const botUntil = new Map<string, number>();
  const perSessionKey = new Map<string, number>();
  for (const record of records) {
    const kind = kindOf.get(record.data);
    if (kind === undefined) throw new Error(`a record on the stream the recording does not have: ${record.data}`);
    if (kind.startsWith('bad:')) continue;
    const event = JSON.parse(record.data) as SentEvent;
    const counter = event.productId === null ? undefined : COUNTER_OF[event.eventType];
    if (seen.has(event.eventId)) {
      if (counter) excluded.duplicate++;
      continue;
    }
    seen.add(event.eventId);
    const minute = minuteOf(new Date(event.eventTime).toISOString());
    const eventTimeMs = Date.parse(event.eventTime);
    const inMinute = (perSessionMinute.get(`${event.sessionId}|${minute}`) ?? 0) + 1;
    perSessionMinute.set(`${event.sessionId}|${minute}`, inMinute);
    if (inMinute > BOT_EVENTS_PER_MINUTE) botUntil.set(event.sessionId, eventTimeMs + BOT_MEMORY_MS);
    if (eventTimeMs <= (botUntil.get(event.sessionId) ?? Number.NEGATIVE_INFINITY)) {
      if (counter) excluded.bot++;
      const bot = botSessions.get(event.sessionId) ?? { shardId: record.shardId, sequences: [] };
      bot.sequences.push(record.sequenceNumber);
      botSessions.set(event.sessionId, bot);
      continue;
    }
    const key = `${event.sessionId}|${event.productId}|${minute}|${event.eventType}`;
    const weight = (perSessionKey.get(key) ?? 0) + 1;
    perSessionKey.set(key, weight);
    if (weight > SESSION_CAP) {
      if (counter) excluded.capped++;
      continue;
    }
    if (!counter) continue;
    const counts = counters.get(`${event.productId}|${minute}`) ?? {};
    counts[counter] = (counts[counter] ?? 0) + 1;
    if (counter === 'purchases') counts.units = (counts.units ?? 0) + (event.quantity ?? 1);
    counters.set(`${event.productId}|${minute}`, counts);
  }
  return { counters, excluded, botSessions };
}

/** The demand table as the recount states it. */
export async function counted(
  client: DynamoDBDocumentClient,
  demandTable: string,
): Promise<Omit<Recount, 'botSessions'>> {
  const counters = new Map<string, Record<string, number>>();
  const excluded = { bot: 0, capped: 0, duplicate: 0 };
  for (const item of await scanAll(client, demandTable)) {
    const counts: Record<string, number> = {};
    for (const counter of ['views', 'carts', 'removes', 'checkouts', 'purchases', 'units']) {
      if (item[counter]) counts[counter] = item[counter] as number;
    }
    excluded.bot += (item.botEventsExcluded as number | undefined) ?? 0;
    excluded.capped += (item.cappedEvents as number | undefined) ?? 0;
    excluded.duplicate += (item.duplicateEvents as number | undefined) ?? 0;
    if (Object.keys(counts).length > 0) counters.set(`${item.productId}|${item.minute}`, counts);
  }
  return { counters, excluded };
}
