/**
 * Session rules that survive execution environments. On Lambda a shard's batches run in whichever
 * environment is free, and environments are recycled, so the rules' memory (SessionActivity) cannot
 * live in module scope alone: each batch first brings it up to date from the shard's session log
 * (entries that other environments wrote since this one last did, or the whole horizon when it has
 * nothing of the shard, with the bots marked before it), and afterwards writes what it judged. The
 * module-scope memory is the fast copy: a warm environment that judged the shard's previous batch
 * reads an empty page and writes one item.
 */
import type { Judge, JudgedEvent, Judgement, SessionActivity, SessionLog } from '../domain/session-activity.js';

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
  // One Query (of as many pages as it holds); a second for the bot memory when the read from a
  // position found the horizon first (without one, the first Query reads the bot memory too).
  if (traffic) traffic.reads += position !== undefined && !complete ? 2 : 1;
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
  let written: boolean;
  try {
    written = await log.append(entry);
  } catch (error) {
    activity.forgetShard(shardId);
    throw error;
  }
  if (traffic) traffic.writes++;
  activity.logged(entry, written);
}

/**
 * For a batch with records the log says were never judged (their batch was given up on while the
 * log could not be read, and is now redriven): the shard's memory as it was just before the first of
 * them, rebuilt from the entries before it, read back as far as a bot mark can still judge (the
 * horizon, the bot memory, and how far ahead of its arrival an event time may be). Their verdicts
 * are the ones shard order gives them after the judged records before them; the records after them
 * were judged without them, and so is another batch never judged before them (its verdicts are
 * not logged). Nothing is written: the entries before them do not change, so a second redrive
 * judges alike.
 */
export async function memoryBefore(
  activity: SessionActivity,
  log: SessionLog,
  shardId: string,
  sequence: string,
  maxFutureSkewMs: number,
  traffic?: SessionLogTraffic,
): Promise<SessionActivity> {
  const entries = await log.before(shardId, sequence, activity.horizon + activity.botMemory + maxFutureSkewMs);
  if (traffic) traffic.reads++;
  const memory = activity.scratch();
  memory.applyLog(shardId, entries, { bots: [] });
  return memory;
}

/** Judges as `activity` does, keeping its answers in order: what judgingLate replays. */
export class RecordingJudge implements Judge {
  readonly answers: Judgement[] = [];

  constructor(private readonly activity: SessionActivity) {}

  judge(shardId: string, sequence: string, arrivalMs: number, event: JudgedEvent): Judgement {
    const answer = this.activity.judge(shardId, sequence, arrivalMs, event);
    this.answers.push(answer);
    return answer;
  }
}

/**
 * For a second pass over the same records: the first pass's answers again, in order, and a record it
 * never judged as `before` (from memoryBefore) does. Replayed, not asked again: the first pass may
 * have moved the clock past records it looked up.
 */
export function judgingLate(answers: readonly Judgement[], before: SessionActivity): Judge {
  let next = 0;
  return {
    judge(shardId, sequence, arrivalMs, event) {
      const answer = answers[next++];
      if (answer === undefined) throw new Error('judged more records than the first pass did');
      return answer === 'unjudged' ? before.judge(shardId, sequence, arrivalMs, event) : answer;
    },
  };
}
