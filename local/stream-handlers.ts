/**
 * The stream consumers' handler modules, the very modules Lambda runs: the local event-source
 * mappings and the local dead-letter redrive load them from here.
 */
import type { StreamConsumer } from '../functions/domain/dead-letters.js';
import type { StreamHandler } from './event-source-mapping/index.js';

/**
 * A stream consumer's handler; it reads its tables and endpoints from the environment when first
 * loaded, so the environment must be set before.
 */
export async function loadStreamHandler<TEvent>(consumer: StreamConsumer): Promise<StreamHandler<TEvent>> {
  const module = (
    consumer === 'clickstream'
      ? await import('../functions/handlers/clickstream.js')
      : await import('../functions/handlers/aggregates.js')
  ) as { handler: unknown };
  return module.handler as StreamHandler<TEvent>;
}
