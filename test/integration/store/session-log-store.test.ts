/**
 * The session log in DynamoDB Local: entries come back as they were written, a reader going back from
 * the newest stops a horizon back and gets the bot memory marked before it, a redelivered batch's
 * entry is written once, and an entry too large for one item is kept whole in several.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../../definitions/resources.js';
import { padSequence } from '../../../functions/domain/sequence-numbers.js';
import {
  type BotMark,
  type LoggedJudgement,
  SessionActivity,
  type SessionLogEntry,
  type SessionLogWrite,
  type Verdict,
} from '../../../functions/domain/session-activity.js';
import { encodeSessionLogEntry } from '../../../functions/store/session-log-codec.js';
import { SessionLogStore } from '../../../functions/store/session-log-store.js';
import { catchUpSessionState, recordSessionState } from '../../../functions/use-cases/session-state-sync.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';

const stack = useLocalStack();
let store: SessionLogStore;
let tableName: string;
const BASE_MS = Date.UTC(2026, 11, 6, 10);
const MINUTE_MS = 60_000;

beforeAll(async () => {
  const { sessionLog } = await createScratchTables(stack.clients.dynamodb, ['sessionLog']);
  tableName = sessionLog;
  store = new SessionLogStore(stack.clients.documents, sessionLog);
});

const VERDICTS: Verdict[] = ['count', 'duplicate', 'bot', 'over_session_cap'];

/** An entry of `count` records from sequence `first`, one a second from `clockMs`, marking s-3 a bot. */
function entry(shardId: string, first: number, count: number, clockMs: number, eventIdBytes = 36): SessionLogWrite {
  const records: LoggedJudgement[] = Array.from({ length: count }, (_, index) => {
    const eventTimeMs = clockMs + index * 1_000 - 30_000;
    return {
      // Kinesis-like: long, unpadded, varying only at the end.
      sequence: `4959033827149025660855969253836157109592157598913658${String(first + index).padStart(4, '0')}`,
      clockMs: clockMs + index * 1_000,
      eventId: eventIdBytes === 36 ? randomUUID() : randomBytes(eventIdBytes / 2).toString('hex'),
      sessionId: `s-${index % 7}`,
      eventType: index % 3 === 0 ? 'add_to_cart' : 'product_view',
      productId: index % 5 === 0 ? null : `P${String(index % 11).padStart(5, '0')}`,
      minute: new Date(Math.floor(eventTimeMs / MINUTE_MS) * MINUTE_MS).toISOString(),
      eventTimeMs,
      verdict: VERDICTS[index % 4] as Verdict,
    };
  });
  const mark: BotMark = ['s-3', clockMs + 30 * MINUTE_MS];
  return {
    shardId,
    lastSequence: (records[records.length - 1] as LoggedJudgement).sequence,
    records,
    bots: [mark],
    botMemory: [mark],
  };
}

/** An entry that marks no bot. */
function unmarked(written: SessionLogWrite): SessionLogWrite {
  return { ...written, bots: [], botMemory: [] };
}

const byId = (marks: readonly BotMark[] | undefined) => [...(marks ?? [])].sort(([a], [b]) => a.localeCompare(b));

/** What a reader compares: the records and bots (the last sequence comes back padded). */
const content = (entries: readonly SessionLogEntry[]) => entries.map(({ records, bots }) => ({ records, bots }));

describe('SessionLogStore', () => {
  it('gives back the entries after a position, oldest first, as they were written', async () => {
    const shard = `clicks/shard-${randomUUID()}`;
    const written = [entry(shard, 1, 500, BASE_MS), entry(shard, 501, 500, BASE_MS + 500_000)];
    for (const one of written) await store.append(one);

    const all = await store.recent(shard, undefined, 10 * MINUTE_MS);
    expect(all.complete).toBe(true);
    expect(content(all.entries)).toEqual(content(written));
    // After the first entry's position (as Kinesis wrote it, or padded) only the second comes.
    const after = await store.recent(shard, written[0]?.lastSequence, 10 * MINUTE_MS);
    expect(content(after.entries)).toEqual(content(written.slice(1)));
    const afterPadded = await store.recent(shard, all.entries[0]?.lastSequence, 10 * MINUTE_MS);
    expect(content(afterPadded.entries)).toEqual(content(written.slice(1)));
    // At the newest position: nothing, and nothing missed (so no bot memory either: the entries have it).
    expect(await store.recent(shard, written[1]?.lastSequence, 10 * MINUTE_MS)).toEqual({
      entries: [],
      complete: true,
    });
    expect(all.bots).toEqual([['s-3', BASE_MS + 500_000 + 30 * MINUTE_MS]]);
  });

  it('reads back from the newest entry no further than a horizon, and says it stopped', async () => {
    const shard = `clicks/shard-${randomUUID()}`;
    // Entries ending 20, 12, 6 and 0 minutes before the newest one's last record.
    const ends = [0, 8, 14, 20].map((minutes) => BASE_MS + minutes * MINUTE_MS);
    const written = ends.map((endMs, index) => entry(shard, index * 10 + 1, 10, endMs - 9_000));
    for (const one of written) await store.append(one);

    const recent = await store.recent(shard, undefined, 10 * MINUTE_MS);
    expect(recent.complete).toBe(false);
    expect(content(recent.entries)).toEqual(content(written.slice(2)));
    // From a position inside the horizon the read reaches it: complete.
    const fromInside = await store.recent(shard, written[2]?.lastSequence, 10 * MINUTE_MS);
    expect(fromInside.complete).toBe(true);
    expect(content(fromInside.entries)).toEqual(content(written.slice(3)));
  });

  it('gives a reader of a whole horizon the bots marked before it, from the entries that marked them', async () => {
    const shard = `clicks/shard-${randomUUID()}`;
    const marking = entry(shard, 1, 10, BASE_MS);
    const s3 = marking.bots[0] as BotMark;
    // 20 minutes of entries that mark nothing, then one marking s-9 while s-3 is still remembered.
    const quiet = [1, 2, 3, 4].map((index) =>
      unmarked(entry(shard, index * 10 + 1, 10, BASE_MS + index * 5 * MINUTE_MS)),
    );
    const s9: BotMark = ['s-9', BASE_MS + 50 * MINUTE_MS];
    const last = { ...unmarked(entry(shard, 51, 10, BASE_MS + 21 * MINUTE_MS)), bots: [s9], botMemory: [s3, s9] };
    for (const one of [marking, ...quiet]) await store.append(one);

    const beforeLast = await store.recent(shard, undefined, 10 * MINUTE_MS);
    expect(beforeLast.complete).toBe(false);
    expect(beforeLast.entries.some((one) => one.bots.length > 0)).toBe(false);
    expect(byId(beforeLast.bots)).toEqual([s3]);
    // A position more than a horizon back: the read stops at the horizon, and brings the bots too.
    expect(byId((await store.recent(shard, marking.lastSequence, 10 * MINUTE_MS)).bots)).toEqual([s3]);

    await store.append(last);
    expect(byId((await store.recent(shard, undefined, 10 * MINUTE_MS)).bots)).toEqual([s3, s9]);
  });

  it("keeps a bot memory of 12,000 sessions (an attack's 40 minutes at 1,000 records/s) with an entry that marks 500", async () => {
    const shard = `clicks/shard-${randomUUID()}`;
    const memory: BotMark[] = Array.from({ length: 12_000 }, (_, index) => [
      `bot-${index}-${randomUUID()}`,
      BASE_MS + 30 * MINUTE_MS + index,
    ]);
    await store.append({ ...entry(shard, 1, 500, BASE_MS), bots: memory.slice(-500), botMemory: memory });
    const { entries, bots } = await store.recent(shard, undefined, 10 * MINUTE_MS);
    expect(entries[0]?.bots).toHaveLength(500);
    expect(byId(bots)).toEqual(byId(memory));
  });

  it('gives the entries that hold a range of records, for a redelivery older than the horizon', async () => {
    const shard = `clicks/shard-${randomUUID()}`;
    const written = [0, 1, 2, 3].map((index) => entry(shard, index * 10 + 1, 10, BASE_MS + index * MINUTE_MS));
    for (const one of written) await store.append(one);
    const from = written[1]?.records[4]?.sequence as string;
    const to = written[2]?.records[2]?.sequence as string;
    expect(content(await store.covering(shard, from, to))).toEqual(content(written.slice(1, 3)));
  });

  it('gives the entries before a sequence, back a span from the newest of them: the memory before a record never judged', async () => {
    const shard = `clicks/shard-${randomUUID()}`;
    // Entries ending 0, 10, 20, 30 and 40 minutes after BASE_MS (their last record's clock).
    const written = [0, 1, 2, 3, 4].map((index) =>
      entry(shard, index * 10 + 1, 10, BASE_MS + index * 10 * MINUTE_MS - 9_000),
    );
    for (const one of written) await store.append(one);
    const gapStart = written[4]?.records[0]?.sequence as string;
    // Before the last entry: back 20 minutes from the entry ending at 30 is the one ending at 10, kept at exactly the span.
    expect(content(await store.before(shard, gapStart, 20 * MINUTE_MS))).toEqual(content(written.slice(1, 4)));
    expect(content(await store.before(shard, gapStart, 20 * MINUTE_MS - 1))).toEqual(content(written.slice(2, 4)));
    expect(await store.before(shard, written[0]?.records[0]?.sequence as string, 60 * MINUTE_MS)).toEqual([]);
  });

  it('writes a batch delivered again once: the first entry stays', async () => {
    const shard = `clicks/shard-${randomUUID()}`;
    const first = entry(shard, 1, 20, BASE_MS);
    expect(await store.append(first)).toBe(true);
    expect(await store.append({ ...first, records: first.records.slice(10) })).toBe(false);
    expect(content((await store.recent(shard, undefined, 10 * MINUTE_MS)).entries)).toEqual(content([first]));
  });

  it('keeps an entry too large for one item whole, in several written together, its marks in the newest', async () => {
    const shard = `clicks/shard-${randomUUID()}`;
    // 10,000 records (Kinesis's largest batch) with random 400-character event ids: megabytes compressed.
    const large = entry(shard, 1, 10_000, BASE_MS - 10_000_000, 400);
    await store.append(large);
    // Delivered again, the same entry: its parts are there, so the transaction's refusal is no error.
    await store.append(large);
    const { entries, complete } = await store.recent(shard, undefined, 24 * 60 * MINUTE_MS);
    expect(complete).toBe(true);
    expect(entries.length).toBeGreaterThan(1);
    expect(entries.flatMap((one) => one.records)).toEqual(large.records);
    expect(entries.map((one) => one.bots)).toEqual([...entries.slice(1).map(() => []), large.bots]);
  });

  it('takes over the bot memory of entries written before it was kept beside them (format 1)', async () => {
    const shard = `clicks/shard-${randomUUID()}`;
    // A batch logged by the earlier code: its bots were the whole bot memory, s-old among them.
    const legacy = entry(shard, 1, 10, BASE_MS);
    const columns = JSON.parse(brotliDecompressSync(encodeSessionLogEntry(legacy)).toString('utf8'));
    const bytes = brotliCompressSync(
      JSON.stringify({ ...columns, format: 1, bots: [['s-old', BASE_MS + 30 * MINUTE_MS]] }),
    );
    await stack.clients.documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          [tables.sessionLog.partitionKey.name]: shard,
          [tables.sessionLog.sortKey.name]: padSequence(legacy.lastSequence),
          clockMs: BASE_MS + 9_000,
          recordCount: 10,
          records: bytes,
        },
      }),
    );
    const sequence = (n: number) => `4959033827149025660855969253836157109592157598913658${String(n).padStart(4, '0')}`;
    const view = (sessionId: string, atMs: number) => ({
      eventId: randomUUID(),
      sessionId,
      eventType: 'product_view',
      productId: 'P00001',
      minute: new Date(Math.floor(atMs / MINUTE_MS) * MINUTE_MS).toISOString(),
      eventTimeMs: atMs,
    });
    // The first environment of the new code, 15 minutes on: it judges a shopper and writes its entry.
    const first = new SessionActivity({ sessionLog: true });
    const at15 = BASE_MS + 15 * MINUTE_MS;
    await catchUpSessionState(first, store, shard, { firstSequence: sequence(11), lastSequence: sequence(11) });
    expect(first.judge(shard, sequence(11), at15, view('s-new', at15))).toBe('count');
    await recordSessionState(first, store, shard);
    // A fresh one a minute later reads a horizon with no entry of the earlier format: s-old is still a bot.
    const second = new SessionActivity({ sessionLog: true });
    const at16 = BASE_MS + 16 * MINUTE_MS;
    await catchUpSessionState(second, store, shard, { firstSequence: sequence(12), lastSequence: sequence(12) });
    expect(second.judge(shard, sequence(12), at16, view('s-old', at16))).toBe('bot');
  });
});
