/** A local stack that cannot start, with a message that says what to do about it. */
export class LocalStackError extends Error {
  override name = 'LocalStackError';
}
