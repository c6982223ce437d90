/**
 * Session rules that survive execution environments. On Lambda a shard's batches run in whichever
 * environment is free, and environments are recycled, so the rules' memory (SessionActivity) cannot
 * live in module scope alone: each batch first brings it up to date from the shard's session log
 * (entries that other environments wrote since this one last did, or the whole horizon when it has
 * nothing of the shard, with the bots marked before it), and afterwards writes what it judged. The
 * module-scope memory is the fast copy: a warm environment that judged the shard's previous batch
 * reads an empty page and writes one item.
 */
import type { SessionActivity, SessionLog } from '../domain/session-activity.js';

/** Requests a batch made to the log, for the bench and the metrics. */
export interface SessionLogTraffic {
  reads: number;
  writes: number;
}

/**
 * Before judging a batch of one shard (its records' first and last sequence): the memory as the
 * log has it. One read on the common path. A batch redelivered from further back than the horizon
 * (a dead-letter redrive, a long retry) also reads its records' verdicts.
 */
export async function catchUpSessionState(
  activity: SessionActivity,
  log: SessionLog,
  shardId: string,
  batch: { readonly firstSequence: string; readonly lastSequence: string },
  traffic?: SessionLogTraffic,
): Promise<void> {
  const position = activity.logPosition(shardId);
  const { entries, complete, bots } = await log.recent(shardId, position, activity.horizon);
  // A whole horizon is two Queries (the entries, the bot memory), each of as many pages as it holds.
  if (traffic) traffic.reads += position === undefined || !complete ? 2 : 1;
  // Without a position this memory has nothing of the log; with one the log has moved on past it by
  // more than a horizon: either way the entries read are the whole horizon, and the bots marked
  // before it come from the log's bot memory.
  if (position === undefined || !complete) {
    if (bots === undefined) throw new Error(`the session log of ${shardId} gave a horizon without its bot memory`);
    activity.applyLog(shardId, entries, { bots });
  } else if (entries.length > 0) {
    activity.applyLog(shardId, entries);
  }
  if (activity.mayHaveForgotten(shardId, batch.firstSequence)) {
    activity.recall(shardId, await log.covering(shardId, batch.firstSequence, batch.lastSequence));
    if (traffic) traffic.reads++;
  }
}

/**
 * After judging a batch: what it judged goes into the log (nothing when it judged nothing new). When
 * the write fails the memory of the shard is dropped, so that it never holds records the log lacks:
 * the batch fails, and whichever environment takes it again judges it from the log.
 */
export async function recordSessionState(
  activity: SessionActivity,
  log: SessionLog,
  shardId: string,
  traffic?: SessionLogTraffic,
): Promise<void> {
  const entry = activity.takeLogEntry(shardId);
  if (entry === undefined) return;
  try {
    await log.append(entry);
  } catch (error) {
    activity.forgetShard(shardId);
    throw error;
  }
  if (traffic) traffic.writes++;
  activity.logged(entry);
}
