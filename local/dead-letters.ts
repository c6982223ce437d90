/**
 * The local stack's dead letters and their redrive: its dead-letter queues (a JSON-lines file with a
 * data dir, else the mapping's in-memory list) and its consumers (the very handler modules the local
 * event-source mapping invokes), for the same redrive use case AWS runs over SQS and Lambda.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, readFile, rename, rm } from 'node:fs/promises';
import type { DeadLetter, DeadLetterQueue, RedriveOutcome, StreamConsumer } from '../functions/domain/dead-letters.js';
import type { ConsumerInvoker } from '../functions/store/consumer-invoker.js';
import { type StreamApis, type StreamEvent, streamBatchReader } from '../functions/store/stream-batch-reader.js';
import { type RedriveOptions, redrive } from '../functions/use-cases/redrive-dead-letters.js';
import { LOCAL_CONSUMER_SETTINGS } from './consumer-settings.js';
import { type InMemoryOnFailureDestination, invokeHandler, logStreamNameFor } from './event-source-mapping/index.js';
import { loadStreamHandler } from './stream-handlers.js';

/** The on-failure records a JSON-lines dead-letter file holds, one a line (none when there is no file). */
export async function deadLetterLines(path: string): Promise<string[]> {
  if (!existsSync(path)) return [];
  return (await readFile(path, 'utf8')).split('\n').filter((line) => line.trim() !== '');
}

/**
 * The JSON-lines file the local event-source mapping appends an on-failure record to. A redrive first
 * claims the file by renaming it, so a batch discarded meanwhile goes to a fresh file and is neither
 * lost nor redriven half-read; at the end, the letters not removed are appended back to the live file (close).
 */
export class JsonLinesDeadLetterQueue implements DeadLetterQueue {
  private claimed: { path: string; letters: DeadLetter[] } | undefined;
  private readonly removed = new Set<string>();
  private handedOut = 0;

  constructor(readonly path: string) {}

  async next(): Promise<DeadLetter | null> {
    if (this.claimed === undefined) {
      if (!existsSync(this.path)) return null;
      const claimedPath = `${this.path}.redriving-${process.pid}-${Date.now()}`;
      await rename(this.path, claimedPath);
      const lines = await deadLetterLines(claimedPath);
      this.claimed = { path: claimedPath, letters: lines.map((body, index) => ({ id: `line ${index + 1}`, body })) };
    }
    return this.claimed.letters[this.handedOut++] ?? null;
  }

  async remove(letter: DeadLetter): Promise<void> {
    this.removed.add(letter.id);
  }

  /** Kept: every letter not removed goes back to the live file on close(). */
  async release(_letter: DeadLetter): Promise<void> {}

  /** Puts every letter not removed back into the live file and drops the claimed copy. */
  async close(): Promise<void> {
    if (this.claimed === undefined) return;
    const kept = this.claimed.letters.filter((letter) => !this.removed.has(letter.id));
    if (kept.length > 0) await appendFile(this.path, kept.map((letter) => `${letter.body}\n`).join(''), 'utf8');
    await rm(this.claimed.path, { force: true });
    this.claimed = undefined;
  }
}

/** The on-failure records a stack without a data dir keeps in memory: removed from the list once redriven. */
export class InMemoryDeadLetterQueue implements DeadLetterQueue {
  private readonly ids = new WeakMap<object, string>();
  private readonly handedOut = new Set<object>();
  private nextId = 1;

  constructor(private readonly destination: InMemoryOnFailureDestination) {}

  async next(): Promise<DeadLetter | null> {
    const record = this.destination.records.find((candidate) => !this.handedOut.has(candidate));
    if (record === undefined) return null;
    this.handedOut.add(record);
    if (!this.ids.has(record)) this.ids.set(record, `record ${this.nextId++}`);
    return { id: this.ids.get(record) as string, body: JSON.stringify(record) };
  }

  async remove(letter: DeadLetter): Promise<void> {
    const index = this.destination.records.findIndex((record) => this.ids.get(record) === letter.id);
    if (index >= 0) this.destination.records.splice(index, 1);
  }

  /** Kept in the list, where the next redrive finds it. */
  async release(_letter: DeadLetter): Promise<void> {}
}

/**
 * A consumer's handler, invoked as the local mapping invokes it, in an execution environment of its
 * own (a fresh module instance): never alongside a mapping's invocation in the same one. The
 * environment (tables, endpoints) must be set before.
 */
export async function localConsumerInvoker(consumer: StreamConsumer): Promise<ConsumerInvoker> {
  const handler = await loadStreamHandler<StreamEvent>(consumer, { fresh: true });
  return (event) =>
    invokeHandler(handler, event, randomUUID(), {
      functionName: consumer,
      functionArn: `arn:aws:lambda:local:000000000000:function:${consumer}`,
      memorySizeMb: 1024,
      timeoutSeconds: LOCAL_CONSUMER_SETTINGS[consumer].functionTimeoutSeconds,
      logStreamName: logStreamNameFor(Date.now()),
      clock: { now: () => Date.now() },
    });
}

/**
 * A local redrive: the redrive use case AWS runs (handlers/dlq-redrive.ts) over a local dead-letter
 * queue and the local consumer, the file queue put back in order when it is done.
 */
export async function redriveLocally(
  consumer: StreamConsumer,
  queue: JsonLinesDeadLetterQueue | InMemoryDeadLetterQueue,
  streams: StreamApis,
  options: RedriveOptions,
): Promise<RedriveOutcome[]> {
  try {
    return await redrive(queue, streamBatchReader(streams), await localConsumerInvoker(consumer), options);
  } finally {
    if (queue instanceof JsonLinesDeadLetterQueue) await queue.close();
  }
}
