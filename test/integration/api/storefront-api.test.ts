import type { BatchGetCommandInput } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { StorefrontApiError, StorefrontClient } from '../../../clients/storefront-client.js';
import { MAX_PRICE_IDS } from '../../../definitions/api-routes.js';
import type { ApiError, PriceBatch, PriceView } from '../../../functions/domain/api-types.js';
import type { Product } from '../../../functions/domain/product.js';
import type { DynamoDbDocuments } from '../../../functions/store/dynamodb-documents.js';
import { PriceStore } from '../../../functions/store/price-store.js';
import { StorefrontPricesStore, UnprocessedKeysError } from '../../../functions/store/storefront-prices-store.js';
import { OpsActions } from '../../../functions/use-cases/ops-actions.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';
import { loadCatalogue } from '../../../simulator/catalogue-loader.js';
import { startTestApi } from '../../helpers/local-api.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';

const SEEDED_AT = '2026-11-01T00:00:00.000Z';
const SHOP = 'https://shop.example';
const stack = useLocalStack();
const names = await createScratchTables(stack.clients.dynamodb, ['products', 'priceHistory', 'pricingConfig']);
// Handler modules read their table names at import: the API starts after the scratch tables exist.
const api = await startTestApi(stack, names, { storefrontOrigins: [SHOP] });
const catalogue: Product[] = generateCatalogue(SEEDED_AT, { seed: 11, productCount: 150 });
/** Products no test changes (the first ten), and the ones tests may change, one each. */
const STABLE = 10;
let nextProduct = STABLE;

/** A product no other test here touches. */
function freshProduct(): Product {
  const product = catalogue[nextProduct++];
  if (!product) throw new Error('catalogue exhausted: raise productCount');
  return product;
}

function viewOf(product: Product): PriceView {
  const { productId, price, currency, version, updatedAt, lowest30d } = product;
  return { productId, price, currency, version, updatedAt, lowest30d };
}

/** A storefront request, as a shopper's browser makes it: no token. */
function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return api.request(path, { token: null, headers });
}

async function expectError(response: Response, status: number, error: string, field?: string): Promise<ApiError> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as ApiError;
  expect(body.error).toBe(error);
  expect(body.field).toBe(field);
  return body;
}

beforeAll(async () => {
  await loadCatalogue(stack.clients.documentClient, names.products, catalogue);
});

describe('GET /prices/{productId}', () => {
  it('answers exactly the served fields, with an ETag of id@version and a short Cache-Control', async () => {
    const product = freshProduct();

    const response = await get(`/prices/${product.productId}`);

    expect(response.status).toBe(200);
    expect(await response.json()).toStrictEqual(viewOf(product));
    expect(response.headers.get('etag')).toBe(`"${product.productId}@1"`);
    expect(response.headers.get('cache-control')).toBe('public, max-age=5');
  });

  it('answers 304 to If-None-Match with the current ETag, and the new price once the version moves', async () => {
    const product = freshProduct();
    const etag = `"${product.productId}@1"`;

    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const revalidated = await get(`/prices/${product.productId}`, { 'if-none-match': ifNoneMatch });
      expect(revalidated.status, ifNoneMatch).toBe(304);
      expect(revalidated.headers.get('etag')).toBe(etag);
      expect(await revalidated.text()).toBe('');
    }

    await new OpsActions(new PriceStore(stack.clients.documents, names)).setManualPrice(product.productId, {
      actor: 'test',
      reason: 'storefront ETag test',
      price: product.floor,
    });
    const changed = await get(`/prices/${product.productId}`, { 'if-none-match': etag });

    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).toBe(`"${product.productId}@2"`);
    const view = (await changed.json()) as PriceView;
    expect(view).toMatchObject({ price: product.floor, version: 2, lowest30d: product.price });
    expect(view.updatedAt).not.toBe(product.updatedAt);
  });

  it('answers an unknown id with a 404 JSON error naming it', async () => {
    const body = await expectError(await get('/prices/no-such-product'), 404, 'not_found');

    expect(body.message).toContain('no-such-product');
  });

  it.each([
    ['a key-joining #', encodeURIComponent('bad#id')],
    ['a space', 'bad%20id'],
    ['a leading dash', '-bad'],
    ['a slash', encodeURIComponent('a/b')],
    ['65 characters', 'x'.repeat(65)],
  ])('refuses an id with %s with a 400 naming productId', async (_, segment) => {
    await expectError(await get(`/prices/${segment}`), 400, 'invalid_request', 'productId');
  });
});

describe('GET /prices?ids=', () => {
  it('answers each distinct id once, in first-seen order, and lists unknown ids', async () => {
    const [a, b, c] = [freshProduct(), freshProduct(), freshProduct()];
    const ids = [c.productId, a.productId, 'missing-1', c.productId, b.productId, 'missing-1', 'missing-2'];

    const response = await get(`/prices?ids=${ids.join(',')}`);

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=5');
    expect(await response.json()).toStrictEqual({
      prices: [viewOf(c), viewOf(a), viewOf(b)],
      unknown: ['missing-1', 'missing-2'],
    } satisfies PriceBatch);
  });

  it('takes repeated ids parameters, which API Gateway joins with commas', async () => {
    const [a, b] = [freshProduct(), freshProduct()];

    const response = await get(`/prices?ids=${a.productId}&ids=${b.productId}`);

    expect(((await response.json()) as PriceBatch).prices.map((price) => price.productId)).toEqual([
      a.productId,
      b.productId,
    ]);
  });

  it(`answers ${MAX_PRICE_IDS} ids in one request`, async () => {
    const ids = catalogue.slice(0, MAX_PRICE_IDS).map((product) => product.productId);

    const response = await get(`/prices?ids=${ids.join(',')}`);

    expect(response.status).toBe(200);
    const batch = (await response.json()) as PriceBatch;
    expect(batch.prices.map((price) => price.productId)).toEqual(ids);
    expect(batch.unknown).toEqual([]);
  });

  it('revalidates a batch by its ETag until a listed product changes', async () => {
    const [a, b] = [freshProduct(), freshProduct()];
    const path = `/prices?ids=${a.productId},${b.productId},missing-3`;
    const etag = (await get(path)).headers.get('etag') as string;
    expect(etag).toMatch(/^"[\w-]+"$/);

    expect((await get(path, { 'if-none-match': etag })).status).toBe(304);
    expect((await get(`/prices?ids=${b.productId},${a.productId}`, { 'if-none-match': etag })).status).toBe(200);

    await new OpsActions(new PriceStore(stack.clients.documents, names)).setManualPrice(b.productId, {
      actor: 'test',
      reason: 'storefront batch ETag test',
      price: b.floor,
    });
    const changed = await get(path, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it.each([
    ['no ids parameter', '/prices'],
    ['an empty ids parameter', '/prices?ids='],
    [
      `${MAX_PRICE_IDS + 1} ids`,
      `/prices?ids=${Array.from({ length: MAX_PRICE_IDS + 1 }, (_, i) => `P${i}`).join(',')}`,
    ],
    [
      `${MAX_PRICE_IDS + 1} ids, even if some repeat`,
      `/prices?ids=${Array(MAX_PRICE_IDS + 1)
        .fill('P00001')
        .join(',')}`,
    ],
    ['an empty id in the list', '/prices?ids=P00001,,P00002'],
    ['a trailing comma', '/prices?ids=P00001,'],
    ['a malformed id in the list', `/prices?ids=P00001,${encodeURIComponent('bad#id')}`],
  ])('refuses %s with a 400 naming ids', async (_, path) => {
    await expectError(await get(path), 400, 'invalid_request', 'ids');
  });

  it('names the position of a malformed id', async () => {
    const body = await expectError(await get('/prices?ids=P00001,P00002,bad%20id'), 400, 'invalid_request', 'ids');

    expect(body.message).toContain('position 3');
  });
});

describe('the storefront surface', () => {
  it.each([
    ['no Authorization header', {}],
    ['a bogus bearer token', { authorization: 'Bearer not-a-jwt' }],
    ['a non-bearer scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
  ])('needs no auth and ignores %s', async (_, headers: Record<string, string>) => {
    const product = catalogue[0] as Product;

    expect((await get(`/prices/${product.productId}`, headers)).status).toBe(200);
    expect((await get(`/prices?ids=${product.productId}`, headers)).status).toBe(200);
  });

  it('answers CORS preflights for an allowed origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${api.url}/prices/P00001`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'if-none-match' },
      });

    const allowed = await preflight(SHOP);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(allowed.headers.get('access-control-allow-methods')).toBe('GET');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('if-none-match');

    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows an allowed origin to read the answer and its ETag', async () => {
    const allowed = await get('/prices/P00001', { origin: SHOP });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(allowed.headers.get('access-control-expose-headers')).toContain('etag');

    const other = await get('/prices/P00001', { origin: 'https://evil.example' });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it.each([
    ['POST', '/prices/P00001'],
    ['PUT', '/prices/P00001'],
    ['DELETE', '/prices/P00001'],
    ['POST', '/prices'],
    ['GET', '/prices/P00001/history'],
  ])('answers %s %s, which is not routed, with 404', async (method, path) => {
    const response = await api.request(path, {
      token: null,
      method,
      ...(method === 'GET' ? {} : { body: '{}', headers: { 'content-type': 'application/json' } }),
    });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
  });
});

describe('StorefrontPricesStore batch reads', () => {
  /** A real DynamoDB Local client whose BatchGetItem answers leave `withhold(call, keys)` keys unprocessed. */
  function throttledClient(withhold: (call: number, keys: number) => number) {
    const documents = stack.clients.documents;
    const calls: number[] = [];
    // The real calls, but BatchGetItem's answer names the withheld keys unprocessed.
    const client: DynamoDbDocuments = Object.assign(Object.create(documents) as DynamoDbDocuments, {
      async batchGet(input: BatchGetCommandInput) {
        const [table, request] = Object.entries(input.RequestItems ?? {})[0] ?? [];
        if (table === undefined || request === undefined) return documents.batchGet(input);
        const keys = request.Keys ?? [];
        calls.push(keys.length);
        const kept = keys.slice(0, keys.length - withhold(calls.length, keys.length));
        const unprocessed = keys.slice(kept.length);
        const output =
          kept.length > 0
            ? await documents.batchGet({ ...input, RequestItems: { [table]: { ...request, Keys: kept } } })
            : { Responses: { [table]: [] } };
        return {
          ...output,
          UnprocessedKeys: unprocessed.length > 0 ? { [table]: { ...request, Keys: unprocessed } } : {},
        };
      },
    });
    return { client, calls };
  }

  it('reads again the keys DynamoDB left unprocessed, until every key is answered', async () => {
    const { client, calls } = throttledClient((call, keys) => (call === 1 ? keys - 1 : 0));
    const store = new StorefrontPricesStore(client, names.products, { baseDelayMs: 1 });
    const ids = [...catalogue.slice(100, 140).map((product) => product.productId), 'missing-4'];

    const found = await store.getMany(ids);

    expect(calls).toEqual([41, 40]);
    expect([...found.keys()].sort()).toEqual(ids.slice(0, 40).sort());
  });

  it('gives up after maxAttempts, naming the ids still unread', async () => {
    const { client, calls } = throttledClient(() => 2);
    const store = new StorefrontPricesStore(client, names.products, { maxAttempts: 3, baseDelayMs: 1 });
    const ids = catalogue.slice(140, 150).map((product) => product.productId);

    const failure = store.getMany(ids);

    await expect(failure).rejects.toBeInstanceOf(UnprocessedKeysError);
    await expect(failure).rejects.toMatchObject({ attempts: 3, productIds: ids.slice(8) });
    expect(calls).toEqual([10, 2, 2]);
  });

  it('reads duplicates once and refuses more than 100 distinct ids', async () => {
    const { client, calls } = throttledClient(() => 0);
    const store = new StorefrontPricesStore(client, names.products);
    const id = (catalogue[0] as Product).productId;

    expect([...(await store.getMany([id, id, id])).keys()]).toEqual([id]);
    expect(calls).toEqual([1]);
    await expect(store.getMany(Array.from({ length: 101 }, (_, i) => `P${i}`))).rejects.toThrow(RangeError);
  });
});

describe('StorefrontClient against the API', () => {
  function client(options: { etagCache?: boolean } = {}) {
    const requests: { url: string; status?: number }[] = [];
    const storefront = new StorefrontClient({
      baseUrl: `${api.url}/`,
      ...options,
      fetch: async (input, init) => {
        const request: { url: string; status?: number } = { url: String(input) };
        requests.push(request);
        const response = await fetch(input, init);
        request.status = response.status;
        return response;
      },
    });
    return { storefront, requests };
  }

  it('reads one price', async () => {
    const product = catalogue[1] as Product;

    expect(await client().storefront.getPrice(product.productId)).toStrictEqual(viewOf(product));
  });

  it('throws a StorefrontApiError with the status and the ApiError body', async () => {
    const { storefront } = client();

    const unknown = await storefront.getPrice('no-such-product').catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(StorefrontApiError);
    expect(unknown).toMatchObject({ status: 404, body: { error: 'not_found' } });

    const malformed = await storefront.getPrice('bad#id').catch((error: unknown) => error);
    expect(malformed).toMatchObject({ status: 400, body: { error: 'invalid_request', field: 'productId' } });
  });

  it('splits more than 100 ids into requests of at most 100 and keeps first-seen order', async () => {
    const { storefront, requests } = client();
    const known = catalogue.slice(0, 140).map((product) => product.productId);
    const ids = [...known.slice(0, 70), 'missing-5', ...known.slice(70), known[3] as string, 'missing-6'];

    const batch = await storefront.getPrices(ids);

    expect(requests.map((request) => new URL(request.url).searchParams.get('ids')?.split(',').length)).toEqual([
      100, 42,
    ]);
    expect(batch.prices.map((price) => price.productId)).toEqual(known);
    expect(batch.unknown).toEqual(['missing-5', 'missing-6']);
  });

  it('asks nothing for no ids', async () => {
    const { storefront, requests } = client();

    expect(await storefront.getPrices([])).toEqual({ prices: [], unknown: [] });
    expect(requests).toEqual([]);
  });

  it('revalidates with If-None-Match when its ETag cache is on', async () => {
    const { storefront, requests } = client({ etagCache: true });
    const product = catalogue[2] as Product;

    const first = await storefront.getPrice(product.productId);
    const second = await storefront.getPrice(product.productId);
    await storefront.getPrices([product.productId, 'missing-7']);
    const batch = await storefront.getPrices([product.productId, 'missing-7']);

    expect(second).toStrictEqual(first);
    expect(batch).toEqual({ prices: [viewOf(product)], unknown: ['missing-7'] });
    expect(requests.map((request) => request.status)).toEqual([200, 304, 200, 304]);
  });
});
