import { expect } from 'vitest';

/** The error a call was rejected with; fails the test when the call succeeds instead. */
export async function rejection(call: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to be rejected, and it succeeded');
}
