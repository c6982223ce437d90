/**
 * Reading why DynamoDB refused a write. A canceled transaction lists one reason per item, in order
 * ('None' for items that were fine), which is how the price store tells a replayed decision (history
 * row exists) from a lost version race (product changed) from a kill switch (config check failed).
 */

interface CancellationReason {
  Code?: string;
}

/** The per-item codes of a canceled transaction, or null if `error` is not one. */
export function cancellationCodes(error: unknown): string[] | null {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return null;
  const reasons = (error as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
  return reasons.map((reason) => reason.Code ?? 'None');
}

/** A single write's condition failed (not a transaction's). */
export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** A condition failed or a concurrent transaction got in the way: re-read and try again. */
export function isConditionFailure(error: unknown): boolean {
  if (isConditionalCheckFailed(error)) return true;
  const codes = cancellationCodes(error);
  return codes?.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict') ?? false;
}
