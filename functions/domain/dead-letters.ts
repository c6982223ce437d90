/**
 * A stream consumer's dead letters, as Lambda's on-failure destination writes them: where a
 * discarded batch lies in its stream (shard, first and last sequence number), not its records. Pure:
 * parsing a dead letter and the outcomes of redriving it; the redrive itself is a use case
 * (use-cases/redrive-dead-letters.ts).
 */

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

/** An SQS queue in AWS; a JSON-lines file or a list locally. */
export interface DeadLetterQueue {
  /** The next dead letter not yet handed out by this queue object, or null when there is none. */
  next(): Promise<DeadLetter | null>;
  /** Its batch went through: the letter leaves the queue. */
  remove(letter: DeadLetter): Promise<void>;
  /** Not redriven (it failed again, or is no on-failure record): visible again to the next redrive at once. */
  release(letter: DeadLetter): Promise<void>;
}

export type RedriveOutcome =
  | { readonly id: string; readonly outcome: 'replayed'; readonly batch: DiscardedBatch; readonly records: number }
  | { readonly id: string; readonly outcome: 'failed'; readonly batch: DiscardedBatch; readonly reason: string }
  | { readonly id: string; readonly outcome: 'malformed'; readonly reason: string };

/** The stream consumers whose dead letters can be redriven, by the name of their handler module. */
export const STREAM_CONSUMERS = ['clickstream', 'aggregates'] as const;
export type StreamConsumer = (typeof STREAM_CONSUMERS)[number];

/** What the redrive function is invoked with: whose dead letters, how many at most, and its time budget. */
export interface RedriveInvocation {
  readonly consumer: StreamConsumer;
  readonly max: number;
  readonly budgetMs: number;
}

/** The redrive function answers with each dead letter's outcome. */
export interface RedriveAnswer {
  readonly outcomes: readonly RedriveOutcome[];
}

/** At most this many dead letters per invocation: each is a stream read and a consumer invocation. */
export const MAX_REDRIVE_LETTERS = 100;

/** An invocation's event, checked: a caller's mistake names the field. */
export function redriveInvocationOf(event: unknown): RedriveInvocation {
  const fields = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const { consumer, max, budgetMs } = fields;
  if (!STREAM_CONSUMERS.includes(consumer as StreamConsumer))
    throw new TypeError(`consumer must be one of ${STREAM_CONSUMERS.join(', ')}; got ${JSON.stringify(consumer)}`);
  if (!Number.isInteger(max) || (max as number) < 1 || (max as number) > MAX_REDRIVE_LETTERS)
    throw new TypeError(`max must be a whole number from 1 to ${MAX_REDRIVE_LETTERS}; got ${JSON.stringify(max)}`);
  if (typeof budgetMs !== 'number' || !(budgetMs > 0))
    throw new TypeError(`budgetMs must be a positive number; got ${JSON.stringify(budgetMs)}`);
  return { consumer: consumer as StreamConsumer, max: max as number, budgetMs };
}

/** The environment variables naming a consumer's dead-letter queue (URL) and function (name). */
export function redriveTargetEnv(consumer: StreamConsumer): {
  readonly queueUrl: string;
  readonly functionName: string;
} {
  const prefix = consumer.toUpperCase();
  return { queueUrl: `${prefix}_DLQ_URL`, functionName: `${prefix}_FUNCTION_NAME` };
}
