/**
 * What a stream handler's response means to Lambda (pure).
 *
 * From Lambda's "Configuring partial batch response" guide for Kinesis and DynamoDB Streams:
 * - complete success: an empty or null `batchItemFailures` list, an empty or null response;
 * - complete failure: an `itemIdentifier` that is an empty string, null, or under a wrong key name
 *   (and, here, one that names no record of the batch), or the function throwing;
 * - otherwise Lambda checkpoints before the lowest failed sequence number and retries from it.
 * Without ReportBatchItemFailures the response is ignored: only a thrown error fails the batch.
 */

export const BatchOutcomeKind = {
  SUCCESS: 'success',
  PARTIAL: 'partial',
  FAILURE: 'failure',
} as const;

export type BatchOutcome =
  | { readonly kind: typeof BatchOutcomeKind.SUCCESS }
  | {
      readonly kind: typeof BatchOutcomeKind.PARTIAL;
      /** Index in the batch of the lowest failed record: records before it succeeded. */
      readonly lowestFailedIndex: number;
      readonly failedItemIdentifiers: readonly string[];
    }
  | { readonly kind: typeof BatchOutcomeKind.FAILURE; readonly reason: string };

const SUCCESS: BatchOutcome = { kind: BatchOutcomeKind.SUCCESS };

const failure = (reason: string): BatchOutcome => ({ kind: BatchOutcomeKind.FAILURE, reason });

/**
 * The response as Lambda receives it: the runtime JSON-serializes what the handler returned, so
 * undefined members vanish and toJSON() applies. Throws when it cannot be serialized, which Lambda
 * reports as a function error.
 */
export function serializeResponse(response: unknown): unknown {
  if (response === undefined) return null;
  const json = JSON.stringify(response);
  return json === undefined ? null : (JSON.parse(json) as unknown);
}

/**
 * Interprets a (serialized) response for a batch whose records have these item identifiers (their
 * sequence numbers), in stream order.
 */
export function interpretBatchResponse(
  response: unknown,
  itemIdentifiers: readonly string[],
  reportBatchItemFailures: boolean,
): BatchOutcome {
  if (!reportBatchItemFailures) return SUCCESS;
  // A response that is not an object carries no failures: Lambda finds no batchItemFailures in it.
  if (response === null || typeof response !== 'object' || Array.isArray(response)) return SUCCESS;

  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return SUCCESS;
  if (!Array.isArray(failures)) return failure(`batchItemFailures is not a list: ${JSON.stringify(failures)}`);
  if (failures.length === 0) return SUCCESS;

  const positions = new Map(itemIdentifiers.map((identifier, index) => [identifier, index]));
  let lowestFailedIndex = Number.POSITIVE_INFINITY;
  const failedItemIdentifiers: string[] = [];
  for (const item of failures) {
    const identifier =
      item !== null && typeof item === 'object' ? (item as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (identifier === undefined || identifier === null) {
      return failure(`batch item failure without itemIdentifier: ${JSON.stringify(item)}`);
    }
    if (typeof identifier !== 'string' || identifier === '') {
      return failure(`invalid itemIdentifier ${JSON.stringify(identifier)}`);
    }
    const index = positions.get(identifier);
    if (index === undefined) return failure(`itemIdentifier ${identifier} is not a record of the batch`);
    failedItemIdentifiers.push(identifier);
    lowestFailedIndex = Math.min(lowestFailedIndex, index);
  }
  return { kind: BatchOutcomeKind.PARTIAL, lowestFailedIndex, failedItemIdentifiers };
}
