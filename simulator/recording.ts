import { once } from 'node:events';
import type { WriteStream } from 'node:fs';
import { access, constants, open, readFile, stat } from 'node:fs/promises';
import * as z from 'zod/mini';
import { orderSchema } from '../functions/domain/order.js';
import { RecordingFileError, ReplayFileError } from './errors.js';
import type { RecordKind, SimulatedRecord } from './records.js';

/**
 * One line of a recording (JSONL): a record exactly as the stream accepted it, what it is, and when
 * in the run it was generated and sent. Lines are in acceptance order (per shard, the stored order). `data` is the record's text verbatim (all the simulator's records are
 * UTF-8 text), so a replay puts byte-identical data; `order` is the order a valid purchase placed.
 *
 *   {"seq":0,"atMs":12,"kind":"valid","partitionKey":"s-7-…","data":"{\"eventId\":…}"}
 */
export interface RecordedLine {
  readonly seq: number;
  /** Milliseconds after the run's start. */
  readonly atMs: number;
  readonly kind: RecordKind;
  readonly partitionKey: string;
  readonly data: string;
  readonly order?: SimulatedRecord['order'];
}

const recordedLineSchema = z.object({
  seq: z.number().check(z.int(), z.gte(0)),
  atMs: z.number().check(z.gte(0)),
  kind: z.string().check(z.regex(/^(valid|bot|duplicate|bad:[a-z-]+)$/, 'valid, bot, duplicate or bad:<kind>')),
  partitionKey: z.string().check(z.minLength(1), z.maxLength(256)),
  data: z.string(),
  order: z.optional(z.nullable(orderSchema)),
});

/** Appends records to a JSONL file; the simulator writes each one when the stream has accepted it. */
export class RecordingWriter {
  private seq = 0;
  private failure: Error | null = null;

  private constructor(
    private readonly stream: WriteStream,
    readonly path: string,
    private readonly startTime: number,
  ) {
    stream.on('error', (error) => {
      this.failure = error;
    });
  }

  /** Creates (or truncates) `path`; fails at once, naming the file, if it cannot be written. */
  static async create(path: string, startTime: number): Promise<RecordingWriter> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'w');
    } catch (error) {
      throw new RecordingFileError(`cannot write recording ${path}: ${(error as Error).message}`, { cause: error });
    }
    return new RecordingWriter(handle.createWriteStream(), path, startTime);
  }

  /** Writes one line. When it returns false the file is behind: await drained() before writing much more. */
  write(record: SimulatedRecord): boolean {
    if (this.failure) throw new RecordingFileError(`cannot write recording ${this.path}: ${this.failure.message}`);
    const line: RecordedLine = {
      seq: this.seq++,
      atMs: Math.max(0, record.atMs - this.startTime),
      kind: record.kind,
      partitionKey: record.partitionKey,
      data: record.data,
      ...(record.order ? { order: record.order } : {}),
    };
    return this.stream.write(`${JSON.stringify(line)}\n`);
  }

  /** Resolves once the file has caught up, so a slow disk slows the run instead of filling memory. */
  async drained(): Promise<void> {
    if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
  }

  get linesWritten(): number {
    return this.seq;
  }

  async close(): Promise<void> {
    if (this.stream.closed) return;
    this.stream.end();
    await once(this.stream, 'close');
    if (this.failure) throw new RecordingFileError(`cannot write recording ${this.path}: ${this.failure.message}`);
  }
}

/**
 * Reads a whole recording and checks every line before anything is sent, so a damaged file is
 * refused up front rather than half-replayed.
 */
export async function readRecording(path: string): Promise<RecordedLine[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ReplayFileError(`cannot read replay file ${path}: ${(error as Error).message}`, path, null, {
      cause: error,
    });
  }
  const lines: RecordedLine[] = [];
  const rows = text.split('\n');
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index] as string;
    if (row.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(row);
    } catch {
      throw new ReplayFileError(`replay file ${path}, line ${index + 1}: not JSON`, path, index + 1);
    }
    const parsed = recordedLineSchema.safeParse(json);
    if (!parsed.success) {
      const reason = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
      throw new ReplayFileError(
        `replay file ${path}, line ${index + 1}: not a recorded record (${reason})`,
        path,
        index + 1,
      );
    }
    lines.push(parsed.data as RecordedLine);
  }
  if (lines.length === 0) throw new ReplayFileError(`replay file ${path} holds no records`, path, null);
  return lines;
}

/** Fails at once, naming the file, unless `path` is a readable file: a replay is checked before anything starts. */
export async function assertReplayReadable(path: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
    if (!(await stat(path)).isFile()) throw new Error('not a file');
  } catch (error) {
    throw new ReplayFileError(`cannot read replay file ${path}: ${(error as Error).message}`, path, null, {
      cause: error,
    });
  }
}
