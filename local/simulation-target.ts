/**
 * The simulator's target on the local runtime: a running stack's stream and tables, or an embedded
 * stack started, seeded and stopped for one `npm run simulate` (its --local). Here, above the
 * simulator, so that the simulator never imports the stack that runs it.
 */
import { toIso } from '../functions/domain/time.js';
import { generateCatalogue } from '../simulator/catalogue.js';
import { loadCatalogue } from '../simulator/catalogue-loader.js';
import type { SimulationTarget } from '../simulator/run-simulation.js';
import type { OpenTarget } from '../simulator/targets.js';
import { type LocalStack, startLocalStack } from './local-stack.js';

/** The simulator's target on a running local stack: its stream, products and orders tables. */
export function localStackTarget(stack: Pick<LocalStack, 'clients' | 'streamName' | 'tableNames'>): SimulationTarget {
  return {
    kinesis: stack.clients.kinesis,
    streamName: stack.streamName,
    documentClient: stack.clients.documentClient,
    documents: stack.clients.documents,
    productsTable: stack.tableNames.products,
    ordersTable: stack.tableNames.orders,
  };
}

export interface EmbeddedStackOptions {
  /** The seed catalogue's seed. @default 42 */
  readonly catalogueSeed?: number;
  /** @default 240 */
  readonly productCount?: number;
}

/** The catalogue an embedded stack is seeded with: known before it starts, so flags can be checked against it. */
export function embeddedCatalogue(options: EmbeddedStackOptions = {}, now = Date.now()) {
  return generateCatalogue(toIso(now), {
    seed: options.catalogueSeed ?? 42,
    productCount: options.productCount ?? 240,
  });
}

/** Starts an embedded stack seeded with the catalogue; closing the target stops it. */
export async function openEmbeddedTarget(options: EmbeddedStackOptions = {}): Promise<OpenTarget> {
  const stack = await startLocalStack();
  try {
    await loadCatalogue(stack.clients.documentClient, stack.tableNames.products, embeddedCatalogue(options));
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return {
    target: localStackTarget(stack),
    description: `embedded local stack (kinesis ${stack.endpoints.kinesis}, dynamodb ${stack.endpoints.dynamodb})`,
    close: () => stack.stop(),
  };
}
