/**
 * Redrive of a stream consumer's dead-letter queue. Lambda's on-failure destination gets where a
 * discarded batch was in the stream, not its records; the records stay in the stream until they
 * expire. A redrive reads exactly that range again and invokes the consumer with it, as Lambda would
 * have: the same records under the same sequence numbers, so the handlers' exactly-once writes
 * (watermarks, conditional puts, decision ids) skip whatever the failed attempts had already done.
 * Putting the records on the stream again would give them new sequence numbers and count them twice.
 * A dead letter is removed only once its batch went through whole.
 */
import {
  type DeadLetter,
  type DeadLetterQueue,
  type DiscardedBatch,
  discardedBatchOf,
  type RedriveOutcome,
} from '../domain/dead-letters.js';
import type { ConsumerInvoker } from '../store/consumer-invoker.js';
import type { BatchReader } from '../store/stream-batch-reader.js';

export interface RedriveOptions {
  /** At most this many dead letters. */
  readonly max: number;
  /**
   * No new dead letter is begun after this many ms (a caller with a deadline, such as an API, keeps
   * its answer in time; the rest wait for the next redrive). @default no limit
   */
  readonly budgetMs?: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

/**
 * Redrives up to `max` dead letters, one batch at a time, oldest first as the queue gives them. Each is
 * taken from the queue just before its batch is read; those that fail again, or are no on-failure
 * record, are reported and released when the redrive ends (not before: it would take them again), so
 * none is left hidden for a visibility timeout.
 */
export async function redrive(
  queue: DeadLetterQueue,
  read: BatchReader,
  invoke: ConsumerInvoker,
  options: RedriveOptions,
): Promise<RedriveOutcome[]> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const outcomes: RedriveOutcome[] = [];
  const kept: DeadLetter[] = [];
  try {
    while (outcomes.length < options.max) {
      if (options.budgetMs !== undefined && clock() - started >= options.budgetMs) break;
      const letter = await queue.next();
      if (letter === null) break;
      const outcome = await redriveLetter(letter, read, invoke);
      if (outcome.outcome === 'replayed') await queue.remove(letter);
      // Kept in the queue: a batch that failed again, or a body for a person to look at.
      else kept.push(letter);
      outcomes.push(outcome);
    }
  } finally {
    for (const letter of kept) await queue.release(letter);
  }
  return outcomes;
}

/** Reads one dead letter's batch back from its stream and runs it through the consumer. */
async function redriveLetter(letter: DeadLetter, read: BatchReader, invoke: ConsumerInvoker): Promise<RedriveOutcome> {
  let batch: DiscardedBatch;
  try {
    batch = discardedBatchOf(letter.body);
  } catch (error) {
    return { id: letter.id, outcome: 'malformed', reason: (error as Error).message };
  }
  try {
    const event = await read(batch);
    const failures = batchItemFailures(await invoke(event));
    if (failures.length > 0) {
      return {
        id: letter.id,
        outcome: 'failed',
        batch,
        reason: `the consumer reported ${failures.length} of ${event.Records.length} records failed, from ${failures[0]}`,
      };
    }
    return { id: letter.id, outcome: 'replayed', batch, records: event.Records.length };
  } catch (error) {
    return { id: letter.id, outcome: 'failed', batch, reason: String((error as Error).message ?? error) };
  }
}

/** The item identifiers of a stream handler's partial batch response (none for any other response). */
function batchItemFailures(response: unknown): string[] {
  const failures = (response as { batchItemFailures?: unknown } | null)?.batchItemFailures;
  if (!Array.isArray(failures)) return [];
  return failures.map((failure) => String((failure as { itemIdentifier?: unknown }).itemIdentifier));
}
