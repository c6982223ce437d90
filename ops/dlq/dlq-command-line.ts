/**
 * What `npm run ops` knows of `dlq` before it runs one: usage, flags and the failure it reports. Kept
 * apart from the command, whose SDK clients took a third of a second to load: every other command,
 * and `dlq --help`, starts without them (0.37 s against 0.75 s for `ops products extra`).
 */
export const DLQ_USAGE =
  'dlq redrive clickstream|aggregates [--max N] [--queue-url URL --function-name NAME [--region R]]';

export const DLQ_SUMMARY = [
  'replay a stream consumer’s discarded batches from the stream by position (in AWS: its SQS',
  'dead-letter queue and function; locally: the stack `npm start -- --data-dir DIR` runs)',
];

/** A redrive in AWS that AWS stopped (unreachable, no credentials, access denied): one line, exit 1. */
export class RedriveFailed extends Error {
  override name = 'RedriveFailed';
}

export const DLQ_OPTIONS = {
  max: { type: 'string' },
  'queue-url': { type: 'string' },
  'function-name': { type: 'string' },
  region: { type: 'string' },
} as const;
