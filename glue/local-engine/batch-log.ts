/**
 * The local engine's offset and commit logs, as Spark keeps them for a streaming query: a batch's
 * plan is made durable before any of its effects, and a commit entry is written after its rows are,
 * so a batch planned but not committed is re-run exactly as planned after a crash.
 *
 *   <stateDir>/offsets/<batchId>.json   the plan: window and per-shard sequence range
 *   <stateDir>/commits/<batchId>.json   written once the batch's rows are in the aggregates table
 */
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** One shard's slice of a batch: the records after `after` up to and including `through`. */
export interface ShardRange {
  readonly shardId: string;
  /** The last sequence number of earlier batches; null reads from TRIM_HORIZON. */
  readonly after: string | null;
  /** The last sequence number of this batch; null when the shard had nothing new at plan time. */
  readonly through: string | null;
}

export interface BatchPlan {
  readonly version: 1;
  readonly batchId: number;
  readonly streamName: string;
  /** The window the batch's rows are keyed by: fixed at plan time, so a re-run writes the same keys. */
  readonly windowStart: string;
  readonly windowEnd: string;
  /**
   * The orders it counts, by orderedAt: from the previous plan's ordersEnd to orderGraceSeconds before
   * windowEnd, so consecutive batches count every order once (glue/window-config.ts).
   */
  readonly ordersStart: string;
  readonly ordersEnd: string;
  readonly plannedAt: string;
  readonly shards: readonly ShardRange[];
}

export interface BatchCommit {
  readonly version: 1;
  readonly batchId: number;
  readonly windowStart: string;
  readonly recordsRead: number;
  readonly eventsAggregated: number;
  /** Records the click rules rejected (the fast path quarantines them; this path reads parsed fields only). */
  readonly recordsRejected: number;
  readonly ordersRead: number;
  readonly rowsWritten: number;
  readonly committedAt: string;
}

/** Plans and commits kept; older ones are deleted, as Spark's minBatchesToRetain does. */
const BATCHES_RETAINED = 100;

function fileName(batchId: number): string {
  return `${String(batchId).padStart(12, '0')}.json`;
}

/**
 * Writes `data` so a reader sees the old file or the new one, never a torn one: a temporary file,
 * fsynced, renamed over the target, and the directory fsynced so the rename itself survives.
 */
async function writeDurably(directory: string, name: string, data: unknown): Promise<void> {
  const target = join(directory, name);
  const temporary = `${target}.${process.pid}.tmp`;
  const file = await open(temporary, 'w');
  try {
    await file.writeFile(`${JSON.stringify(data, null, 2)}\n`, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, target);
  const dir = await open(directory, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

async function batchIds(directory: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .filter((name) => /^\d{12}\.json$/.test(name))
    .map((name) => Number(name.slice(0, 12)))
    .sort((a, b) => a - b);
}

async function readEntry<T extends { version: number }>(path: string): Promise<T> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as T;
  if (parsed.version !== 1) throw new Error(`${path} is not a version 1 batch log entry`);
  return parsed;
}

export class BatchLog {
  readonly offsetsDir: string;
  readonly commitsDir: string;

  constructor(readonly stateDir: string) {
    this.offsetsDir = join(stateDir, 'offsets');
    this.commitsDir = join(stateDir, 'commits');
  }

  /** The newest plan, and whether it was committed; undefined before the first batch. */
  async latest(): Promise<{ plan: BatchPlan; committed: boolean } | undefined> {
    const id = (await batchIds(this.offsetsDir)).at(-1);
    if (id === undefined) return undefined;
    const plan = await readEntry<BatchPlan>(join(this.offsetsDir, fileName(id)));
    const committed = (await batchIds(this.commitsDir)).includes(id);
    return { plan, committed };
  }

  async plans(): Promise<BatchPlan[]> {
    const ids = await batchIds(this.offsetsDir);
    return Promise.all(ids.map((id) => readEntry<BatchPlan>(join(this.offsetsDir, fileName(id)))));
  }

  async commits(): Promise<BatchCommit[]> {
    const ids = await batchIds(this.commitsDir);
    return Promise.all(ids.map((id) => readEntry<BatchCommit>(join(this.commitsDir, fileName(id)))));
  }

  async writePlan(plan: BatchPlan): Promise<void> {
    await mkdir(this.offsetsDir, { recursive: true });
    await writeDurably(this.offsetsDir, fileName(plan.batchId), plan);
  }

  async writeCommit(commit: BatchCommit): Promise<void> {
    await mkdir(this.commitsDir, { recursive: true });
    await writeDurably(this.commitsDir, fileName(commit.batchId), commit);
    await this.purgeBefore(commit.batchId - BATCHES_RETAINED + 1);
  }

  private async purgeBefore(batchId: number): Promise<void> {
    for (const directory of [this.commitsDir, this.offsetsDir]) {
      for (const id of await batchIds(directory)) {
        if (id < batchId) await rm(join(directory, fileName(id)), { force: true });
      }
    }
  }
}
