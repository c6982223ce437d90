/**
 * Kinesis sequence numbers are decimal strings of varying length (up to 56 digits here, larger in
 * principle). Left-padded to a fixed width they compare as strings, which is how DynamoDB conditions
 * compare them. They are ordered within a shard only: never compare two shards' numbers.
 */
export const SEQUENCE_WIDTH = 64;

export function padSequence(sequenceNumber: string): string {
  if (!/^\d{1,64}$/.test(sequenceNumber)) throw new RangeError(`not a sequence number: ${sequenceNumber}`);
  return sequenceNumber.padStart(SEQUENCE_WIDTH, '0');
}
