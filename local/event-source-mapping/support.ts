import { pathToFileURL } from 'node:url';
import { EventSourceMappingError } from './errors.js';
import type { StreamHandler } from './invoke-handler.js';
import type { Clock, MappingLogger } from './types.js';

export const systemClock: Clock = { now: () => Date.now() };

/** Warnings and errors to the console; debug and info dropped. The default. */
export const consoleLogger: MappingLogger = {
  debug() {},
  info() {},
  warn: (message, attributes) => console.warn(`[event-source-mapping] ${message}`, attributes ?? ''),
  error: (message, attributes) => console.error(`[event-source-mapping] ${message}`, attributes ?? ''),
};

/** Logs nothing; for tests that provoke failures on purpose. */
export const silentLogger: MappingLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Resolves after `ms`, or at once when `signal` aborts; leaves no timer behind either way. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Imports a handler module as Lambda does from the function's Handler setting (`file.export`), so
 * the local stack runs the very module Lambda runs.
 */
export async function loadHandler<TEvent>(modulePath: string, exportName = 'handler'): Promise<StreamHandler<TEvent>> {
  const module = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
  const handler = module[exportName];
  if (typeof handler !== 'function') {
    throw new EventSourceMappingError(`${modulePath} has no function export named ${exportName}`);
  }
  return handler as StreamHandler<TEvent>;
}
