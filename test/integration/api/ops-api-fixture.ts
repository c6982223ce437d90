import { OpsApiError, OpsClient } from '../../../clients/ops-client.js';
import { OPS_SCOPES } from '../../../definitions/api-routes.js';
import type { Product } from '../../../functions/domain/product.js';
import { PriceStore } from '../../../functions/store/price-store.js';
import { PricingConfigStore } from '../../../functions/store/pricing-config-store.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';
import { loadCatalogue } from '../../../simulator/catalogue-loader.js';
import { startTestApi, type TestApi } from '../../helpers/local-api.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';

export const SEEDED_AT = '2026-11-01T00:00:00.000Z';
const OPS_TABLES = ['products', 'priceHistory', 'pricingConfig', 'demand', 'aggregates', 'quarantine'] as const;
type OpsTable = (typeof OPS_TABLES)[number];

export interface OpsApiFixture {
  readonly stack: ReturnType<typeof useLocalStack>;
  readonly names: Record<OpsTable, string>;
  readonly catalogue: readonly Product[];
  readonly api: TestApi;
  /** A client as `alice`, with read and write scopes. */
  readonly client: OpsClient;
  /** A client for any user and scopes. */
  clientAs(username: string, scopes?: readonly string[]): OpsClient;
  /** A product no other test of the file has touched. */
  freshProduct(): Product;
  /** The price store on the same tables, as the pipelines use it (for automated decisions and audits). */
  readonly prices: PriceStore;
}

/**
 * The ops API on the shared local stack, over scratch tables holding a small seeded catalogue. Called
 * once per file, at the top level (the handler modules read their table names once, at import).
 */
export async function startOpsApi(productCount = 30): Promise<OpsApiFixture> {
  const stack = useLocalStack();
  const names = await createScratchTables(stack.clients.dynamodb, OPS_TABLES);
  const catalogue = generateCatalogue(SEEDED_AT, { seed: 7, productCount });
  await loadCatalogue(stack.clients.documentClient, names.products, catalogue);
  const api = await startTestApi(stack, names);
  const clientAs = (username: string, scopes: readonly string[] = [OPS_SCOPES.read, OPS_SCOPES.write]) =>
    new OpsClient({ baseUrl: api.url, token: api.token(username, scopes) });
  const configStore = new PricingConfigStore(stack.clients.documents, names, { cacheTtlMs: 0 });
  let next = 0;
  return {
    stack,
    names,
    catalogue,
    api,
    client: clientAs('alice'),
    clientAs,
    freshProduct() {
      const product = catalogue[next++];
      if (!product) throw new Error('catalogue exhausted: raise productCount');
      return product;
    },
    prices: new PriceStore(stack.clients.documents, names, { configStore }),
  };
}

/** The OpsApiError a call fails with (fails the test if it succeeds or throws something else). */
export async function apiError(call: Promise<unknown>): Promise<OpsApiError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof OpsApiError) return error;
    throw error;
  }
  throw new Error('expected the call to fail with an OpsApiError');
}

/** Status and JSON body of a raw response. */
export async function answer(response: Response): Promise<{ status: number; body: Record<string, unknown> }> {
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
