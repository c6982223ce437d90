import { compareSequences } from '../../functions/domain/sequence-numbers.js';
import type { BotMark, SessionLog, SessionLogEntry, SessionLogWrite } from '../../functions/domain/session-activity.js';
import { BOT_BUCKETS, botBucketOf } from '../../functions/store/session-log-codec.js';

/**
 * A session log in memory, read as the DynamoDB store reads it (entries sorted by last sequence;
 * `recent` reads newest first and stops a horizon back), for tests of the rules' logic that need
 * thousands of runs. The store itself is tested against DynamoDB Local.
 */
export class InMemorySessionLog implements SessionLog {
  readonly entries = new Map<string, SessionLogEntry[]>();
  /**
   * Each shard's bot memory by item (botBucketOf), as the store keeps it: an entry rewrites the items
   * holding a session it marked, whole from its bot memory; the others keep what they had.
   */
  readonly botMemory = new Map<string, Map<number, readonly BotMark[]>>();
  /** Appends to fail from now on (a throttled or unreachable table). */
  failing = false;

  async recent(shardId: string, position: string | undefined, horizonMs: number) {
    const { entries, complete } = readBack(
      this.of(shardId).filter((entry) => position === undefined || compareSequences(entry.lastSequence, position) > 0),
      (clockMs, newestMs) => clockMs <= newestMs - horizonMs,
    );
    if (position !== undefined && complete) return { entries, complete };
    return { entries, complete, bots: [...(this.botMemory.get(shardId)?.values() ?? [])].flat() };
  }

  async before(shardId: string, sequence: string, spanMs: number) {
    return readBack(
      this.of(shardId).filter((entry) => compareSequences(entry.lastSequence, sequence) < 0),
      // Kept at exactly the span, as the store keeps it.
      (clockMs, newestMs) => clockMs < newestMs - spanMs,
    ).entries;
  }

  async covering(shardId: string, from: string, to: string) {
    const covering: SessionLogEntry[] = [];
    for (const entry of this.of(shardId)) {
      if (compareSequences(entry.lastSequence, from) < 0) continue;
      covering.push(entry);
      if (compareSequences(entry.lastSequence, to) >= 0) break;
    }
    return covering;
  }

  async append(entry: SessionLogWrite) {
    if (this.failing) throw new Error('session log unavailable');
    const entries = this.of(entry.shardId);
    if (entries.some((written) => written.lastSequence === entry.lastSequence)) return false;
    // A copy, as a table keeps one: the writer's objects are not the log.
    entries.push({
      ...entry,
      records: entry.records.map((record) => ({
        sequence: record.sequence,
        clockMs: record.clockMs,
        eventId: record.eventId,
        sessionId: record.sessionId,
        eventType: record.eventType,
        productId: record.productId,
        minute: record.minute,
        eventTimeMs: record.eventTimeMs,
        verdict: record.verdict,
      })),
      bots: entry.bots.map(([sessionId, until]) => [sessionId, until] as const),
    });
    const items = this.botMemory.get(entry.shardId) ?? new Map<number, readonly BotMark[]>();
    this.botMemory.set(entry.shardId, items);
    const touched = entry.wholeBotMemory
      ? new Set(Array.from({ length: BOT_BUCKETS }, (_, bucket) => bucket))
      : new Set(entry.bots.map(([sessionId]) => botBucketOf(sessionId)));
    for (const bucket of touched) {
      items.set(
        bucket,
        entry.botMemory
          .filter(([sessionId]) => botBucketOf(sessionId) === bucket)
          .map(([id, until]) => [id, until] as const),
      );
    }
    entries.sort((a, b) => compareSequences(a.lastSequence, b.lastSequence));
    return true;
  }

  private of(shardId: string): SessionLogEntry[] {
    let entries = this.entries.get(shardId);
    if (entries === undefined) {
      entries = [];
      this.entries.set(shardId, entries);
    }
    return entries;
  }
}

/** Entries (oldest first) read back from the newest until `beyond` says one is too far behind its clock. */
function readBack(
  oldestFirst: readonly SessionLogEntry[],
  beyond: (clockMs: number, newestClockMs: number) => boolean,
): { entries: SessionLogEntry[]; complete: boolean } {
  const newest = oldestFirst[oldestFirst.length - 1];
  const read: SessionLogEntry[] = [];
  for (let index = oldestFirst.length - 1; index >= 0; index--) {
    const entry = oldestFirst[index] as SessionLogEntry;
    if (newest !== undefined && beyond(clockOf(entry), clockOf(newest)))
      return { entries: read.reverse(), complete: false };
    read.push(entry);
  }
  return { entries: read.reverse(), complete: true };
}

function clockOf(entry: SessionLogEntry): number {
  return entry.records[entry.records.length - 1]?.clockMs ?? Number.NEGATIVE_INFINITY;
}
