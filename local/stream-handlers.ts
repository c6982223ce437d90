/**
 * The stream consumers' handler modules, the very modules Lambda runs: the local event-source
 * mappings and the local dead-letter redrive load them from here.
 */
import type { StreamConsumer } from '../functions/domain/dead-letters.js';
import type { StreamHandler } from './event-source-mapping/index.js';

const MODULES: Readonly<Record<StreamConsumer, URL>> = {
  clickstream: new URL('../functions/handlers/clickstream.js', import.meta.url),
  aggregates: new URL('../functions/handlers/aggregates.js', import.meta.url),
};

/** Fresh module instances loaded so far: each one's URL carries its number, unique in the process. */
let freshInstances = 0;

/**
 * A stream consumer's handler; it reads its tables and endpoints from the environment when first
 * loaded, so the environment must be set before. With `fresh`, a module instance of its own (an
 * execution environment's): module-scope state is shared with no other instance, as on Lambda, and it
 * reads the environment as it is now.
 */
export async function loadStreamHandler<TEvent>(
  consumer: StreamConsumer,
  options: { readonly fresh?: boolean } = {},
): Promise<StreamHandler<TEvent>> {
  const url = new URL(MODULES[consumer]);
  if (options.fresh) url.searchParams.set('environment', String(++freshInstances));
  const module = (await import(url.href)) as { handler: unknown };
  return module.handler as StreamHandler<TEvent>;
}
