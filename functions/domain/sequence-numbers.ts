/**
 * Kinesis sequence numbers are decimal strings of varying length (up to 56 digits here, larger in
 * principle). Left-padded to a fixed width they compare as strings, which is how DynamoDB conditions
 * compare them. They are ordered within a shard only: never compare two shards' numbers.
 *
 * The fast path keeps them as Kinesis wrote them and pads only what it writes or remembers by key:
 * `checkSequenceNumber` accepts exactly what `padSequence` accepts, and `compareSequences` orders two
 * numbers exactly as their padded forms compare, padded or not.
 */
export const SEQUENCE_WIDTH = 64;

export function padSequence(sequenceNumber: string): string {
  checkSequenceNumber(sequenceNumber);
  return sequenceNumber.padStart(SEQUENCE_WIDTH, '0');
}

const SEQUENCE_NUMBER = /^\d{1,64}$/;

/** Throws padSequence's RangeError unless `sequenceNumber` is 1 to 64 decimal digits. */
export function checkSequenceNumber(sequenceNumber: string): void {
  // A regular expression: on the fast path (once per record) about twice as fast as a charCodeAt loop.
  if (!SEQUENCE_NUMBER.test(sequenceNumber)) throw new RangeError(`not a sequence number: ${sequenceNumber}`);
}

/**
 * Negative, zero or positive as `a` is below, equal to or above `b`, exactly as `padSequence(a)`
 * and `padSequence(b)` compare as strings; either may already be padded. Both must be sequence
 * numbers (see checkSequenceNumber).
 */
export function compareSequences(a: string, b: string): number {
  if (a.length === b.length) return a < b ? -1 : a > b ? 1 : 0;
  // Different lengths: compare what follows the leading zeros, digit by digit.
  let i = 0;
  let j = 0;
  while (i < a.length - 1 && a.charCodeAt(i) === 48) i++;
  while (j < b.length - 1 && b.charCodeAt(j) === 48) j++;
  const lengthA = a.length - i;
  const lengthB = b.length - j;
  if (lengthA !== lengthB) return lengthA - lengthB;
  for (; i < a.length; i++, j++) {
    const difference = a.charCodeAt(i) - b.charCodeAt(j);
    if (difference !== 0) return difference;
  }
  return 0;
}
