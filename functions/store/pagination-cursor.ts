import { InvalidInputError } from '../domain/errors.js';

/** An opaque pagination cursor: the key to resume after (a page's LastEvaluatedKey), base64url JSON. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

/**
 * The key a cursor holds, when `isKeyOfListing` accepts it as one this listing handed out; anything
 * else is a 400 naming `cursor` (never passed to DynamoDB, which would answer a 500).
 */
export function decodeCursor(
  cursor: string | undefined,
  isKeyOfListing: (key: Record<string, unknown>) => boolean,
): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof key === 'object' && key !== null && isKeyOfListing(key as Record<string, unknown>)) {
      return key as Record<string, unknown>;
    }
  } catch {
    // reported below
  }
  throw new InvalidInputError('cursor', 'is not a cursor returned by this listing');
}
