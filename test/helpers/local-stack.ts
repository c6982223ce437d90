import { afterAll, inject } from 'vitest';
import { createLocalClients, type LocalClients } from '../../infra/local/clients.js';
import type { LocalStackInfo } from '../../infra/local/local-stack.js';

/** The run's shared local stack, with clients of this suite's own, closed after the suite. */
export function useLocalStack(): LocalStackInfo & { clients: LocalClients } {
  const info = inject('localStack');
  const clients = createLocalClients(info.endpoints);
  afterAll(() => clients.destroy());
  return { ...info, clients };
}

/** A name no other test uses, for scratch tables and keys. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** True while a process with this id exists. */
export function isRunning(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
