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

/** Redrives up to `max` dead letters, one batch at a time, oldest first as the queue gives them. */
export async function redrive(
  queue: DeadLetterQueue,
  read: BatchReader,
  invoke: ConsumerInvoker,
  options: RedriveOptions,
): Promise<RedriveOutcome[]> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const outcomes: RedriveOutcome[] = [];
  for (const letter of await queue.receive(options.max)) {
    if (options.budgetMs !== undefined && clock() - started >= options.budgetMs) break;
    let batch: DiscardedBatch;
    try {
      batch = discardedBatchOf(letter.body);
    } catch (error) {
      // Kept in the queue: it is for a person to look at, not to be dropped by a tool.
      outcomes.push({ id: letter.id, outcome: 'malformed', reason: (error as Error).message });
      continue;
    }
    try {
      const event = await read(batch);
      const failures = batchItemFailures(await invoke(event));
      if (failures.length > 0) {
        outcomes.push({
          id: letter.id,
          outcome: 'failed',
          batch,
          reason: `the consumer reported ${failures.length} of ${event.Records.length} records failed, from ${failures[0]}`,
        });
        continue;
      }
      await queue.remove(letter);
      outcomes.push({ id: letter.id, outcome: 'replayed', batch, records: event.Records.length });
    } catch (error) {
      outcomes.push({ id: letter.id, outcome: 'failed', batch, reason: String((error as Error).message ?? error) });
    }
  }
  return outcomes;
}

/** The item identifiers of a stream handler's partial batch response (none for any other response). */
function batchItemFailures(response: unknown): string[] {
  const failures = (response as { batchItemFailures?: unknown } | null)?.batchItemFailures;
  if (!Array.isArray(failures)) return [];
  return failures.map((failure) => String((failure as { itemIdentifier?: unknown }).itemIdentifier));
}
