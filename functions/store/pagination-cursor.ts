import { InvalidInputError } from '../domain/errors.js';

/** An opaque pagination cursor: the key to resume after (a page's LastEvaluatedKey), base64url JSON. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

/** The key a listing's cursors hold: exactly these attributes, each a non-empty string, some fixed. */
export interface CursorKeyShape {
  readonly attributes: readonly string[];
  /** Attributes whose value the listing fixes (the product a history lists). */
  readonly fixed?: Readonly<Record<string, string>>;
}

/**
 * The key a cursor holds, when it has the shape of the keys this listing hands out; anything else
 * (an attribute missing, extra or mistyped) is a 400 naming `cursor`, never passed to DynamoDB, which
 * would answer a 500.
 */
export function decodeCursor(cursor: string | undefined, shape: CursorKeyShape): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (hasShape(key, shape)) return key;
  throw new InvalidInputError('cursor', 'is not a cursor returned by this listing');
}

function hasShape(key: unknown, { attributes, fixed = {} }: CursorKeyShape): key is Record<string, string> {
  if (typeof key !== 'object' || key === null || Array.isArray(key)) return false;
  const entries = Object.entries(key);
  return (
    entries.length === attributes.length &&
    entries.every(
      ([name, value]) =>
        attributes.includes(name) && typeof value === 'string' && value !== '' && (fixed[name] ?? value) === value,
    )
  );
}
