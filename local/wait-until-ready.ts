import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalStackError } from './errors.js';

/**
 * Polls `probe` until it succeeds. Fails early, with the child's own output, if the child exits
 * first (a bad flag, a port taken between check and bind), and after `timeoutMs` otherwise.
 */
export async function waitUntilReady(
  service: string,
  child: ChildProcess,
  output: () => string,
  probe: () => Promise<unknown>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new LocalStackError(
        `${service} exited during start-up (${child.exitCode ?? child.signalCode}). Its output:\n${output()}`,
      );
    }
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error;
      await sleep(100);
    }
  }
  throw new LocalStackError(
    `${service} did not answer within ${timeoutMs / 1000} s (last error: ${(lastError as Error)?.message}). Its output:\n${output()}`,
  );
}
