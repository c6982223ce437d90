/**
 * Redrive of a stream consumer's dead-letter queue. Lambda's on-failure destination gets where a
 * discarded batch was in the stream (shard, first and last sequence number), not its records; the
 * records stay in the stream until they expire. A redrive reads exactly that range again and invokes
 * the consumer with it, as Lambda would have: the same records under the same sequence numbers, so the
 * handlers' exactly-once writes (watermarks, conditional puts, decision ids) skip whatever the failed
 * attempts had already done. Putting the records on the stream again would give them new sequence
 * numbers and count them twice. A dead letter is removed only once its batch went through whole.
 */
import type { DynamoDBStreamEvent, KinesisStreamEvent } from 'aws-lambda';

/** Where a discarded batch lies, from an on-failure record's KinesisBatchInfo or DDBStreamBatchInfo. */
export interface DiscardedBatch {
  readonly source: 'kinesis' | 'dynamodb';
  readonly streamArn: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
}

export class DeadLetterFormatError extends Error {
  constructor(message: string) {
    super(`not an on-failure record: ${message}`);
    this.name = 'DeadLetterFormatError';
  }
}

/** The batch a dead letter names; a body that is not a Lambda on-failure record is a DeadLetterFormatError. */
export function discardedBatchOf(body: string): DiscardedBatch {
  let record: unknown;
  try {
    record = JSON.parse(body);
  } catch {
    throw new DeadLetterFormatError('the body is not JSON');
  }
  const envelope = (typeof record === 'object' && record !== null ? record : {}) as Record<string, unknown>;
  const [source, info] =
    envelope.KinesisBatchInfo !== undefined
      ? (['kinesis', envelope.KinesisBatchInfo] as const)
      : (['dynamodb', envelope.DDBStreamBatchInfo] as const);
  if (typeof info !== 'object' || info === null) {
    throw new DeadLetterFormatError('it has neither KinesisBatchInfo nor DDBStreamBatchInfo');
  }
  const fields = info as Record<string, unknown>;
  for (const name of ['streamArn', 'shardId', 'startSequenceNumber', 'endSequenceNumber']) {
    if (typeof fields[name] !== 'string' || fields[name] === '') {
      throw new DeadLetterFormatError(`its batch info has no ${name}`);
    }
  }
  return {
    source,
    streamArn: fields.streamArn as string,
    shardId: fields.shardId as string,
    startSequenceNumber: fields.startSequenceNumber as string,
    endSequenceNumber: fields.endSequenceNumber as string,
    batchSize: typeof fields.batchSize === 'number' ? fields.batchSize : 0,
  };
}

export interface DeadLetter {
  readonly id: string;
  readonly body: string;
}

/** An SQS queue in AWS, a JSON-lines file locally. */
export interface DeadLetterQueue {
  /** Up to `max` dead letters, each once per redrive. */
  receive(max: number): Promise<DeadLetter[]>;
  remove(letter: DeadLetter): Promise<void>;
}

export type StreamEvent = KinesisStreamEvent | DynamoDBStreamEvent;

/** Reads a discarded batch's records from its stream, as the event Lambda would have delivered. */
export type BatchReader = (batch: DiscardedBatch) => Promise<StreamEvent>;

/** Invokes the consumer with an event; resolves to its response, rejects when the function failed. */
export type ConsumerInvoker = (event: StreamEvent) => Promise<unknown>;

export type RedriveOutcome =
  | { readonly id: string; readonly outcome: 'replayed'; readonly batch: DiscardedBatch; readonly records: number }
  | { readonly id: string; readonly outcome: 'failed'; readonly batch: DiscardedBatch; readonly reason: string }
  | { readonly id: string; readonly outcome: 'malformed'; readonly reason: string };

/** Redrives up to `max` dead letters, one batch at a time, oldest first as the queue gives them. */
export async function redrive(
  queue: DeadLetterQueue,
  read: BatchReader,
  invoke: ConsumerInvoker,
  max: number,
): Promise<RedriveOutcome[]> {
  const outcomes: RedriveOutcome[] = [];
  for (const letter of await queue.receive(max)) {
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
