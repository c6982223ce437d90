import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Jittered exponential backoff before retry `attempt` (1, 2, …), at most 200 ms: writers racing on
 * one item must not retry in lockstep.
 */
export function backoff(attempt: number): Promise<void> {
  return sleep(Math.random() * Math.min(200, 10 * 2 ** attempt));
}
