/**
 * Where a mapping keeps its place in each shard, so a restarted local stack resumes where it stopped,
 * as Lambda resumes a disabled and re-enabled mapping from its last checkpoint.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointStoreError } from './errors.js';

/** A mapping's position in one shard. */
export interface ShardCheckpoint {
  /** Every record up to and including this sequence number is done with (processed, filtered or discarded). */
  readonly sequenceNumber?: string;
  /**
   * Set when the shard was started at LATEST before any record was read: the start time (epoch ms),
   * so a restart can read from TRIM_HORIZON and skip what came before instead of missing what
   * arrived while it was stopped.
   */
  readonly latestSince?: number;
  /** The shard is closed and every record of it is done with; its children may start. */
  readonly ended?: boolean;
}

export interface MappingCheckpoint {
  readonly version: 1;
  readonly mappingId: string;
  /** The stream the positions belong to; a checkpoint of another stream (a recreated table) is ignored. */
  readonly eventSourceArn: string;
  readonly updatedAt: string;
  readonly shards: Readonly<Record<string, ShardCheckpoint>>;
}

export interface CheckpointStore {
  load(mappingId: string): Promise<MappingCheckpoint | undefined>;
  save(checkpoint: MappingCheckpoint): Promise<void>;
}

/** Checkpoints that live as long as the process: the default, for an in-memory local stack. */
export class InMemoryCheckpointStore implements CheckpointStore {
  private readonly checkpoints = new Map<string, MappingCheckpoint>();

  async load(mappingId: string): Promise<MappingCheckpoint | undefined> {
    return this.checkpoints.get(mappingId);
  }

  async save(checkpoint: MappingCheckpoint): Promise<void> {
    this.checkpoints.set(checkpoint.mappingId, structuredClone(checkpoint));
  }
}

/** A file name that is safe on every platform for any mapping id. */
export function checkpointFileName(mappingId: string): string {
  return `${mappingId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
}

/**
 * One JSON file per mapping under a directory (e.g. `<data-dir>/checkpoints`). A save writes a
 * temporary file and renames it over the old one, so a process killed mid-save leaves the previous
 * checkpoint intact, never a torn file. (No fsync: surviving power loss is out of scope locally.)
 */
export class FileCheckpointStore implements CheckpointStore {
  private directoryReady: Promise<unknown> | undefined;
  private temporaryCounter = 0;

  constructor(readonly directory: string) {}

  pathOf(mappingId: string): string {
    return join(this.directory, checkpointFileName(mappingId));
  }

  async load(mappingId: string): Promise<MappingCheckpoint | undefined> {
    const path = this.pathOf(mappingId);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CheckpointStoreError(path, 'cannot be read', { cause: error });
    }
    let parsed: Partial<MappingCheckpoint>;
    try {
      parsed = JSON.parse(text) as Partial<MappingCheckpoint>;
    } catch (error) {
      throw new CheckpointStoreError(path, 'is not JSON; delete it to start the mapping afresh', { cause: error });
    }
    if (parsed.version !== 1 || typeof parsed.shards !== 'object' || typeof parsed.eventSourceArn !== 'string') {
      throw new CheckpointStoreError(path, 'is not a version 1 checkpoint; delete it to start the mapping afresh');
    }
    return parsed as MappingCheckpoint;
  }

  async save(checkpoint: MappingCheckpoint): Promise<void> {
    this.directoryReady ??= mkdir(this.directory, { recursive: true });
    await this.directoryReady;
    const path = this.pathOf(checkpoint.mappingId);
    this.temporaryCounter += 1;
    const temporary = `${path}.${process.pid}.${this.temporaryCounter}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`, 'utf8');
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw new CheckpointStoreError(path, 'cannot be written', { cause: error });
    }
  }
}
