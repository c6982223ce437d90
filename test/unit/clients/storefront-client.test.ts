import { describe, expect, it } from 'vitest';
import { StorefrontApiError, StorefrontClient } from '../../../clients/storefront-client.js';
import type { PriceBatch, PriceView } from '../../../functions/domain/api-types.js';

const BASE = 'https://api.example.com';

function priceOf(productId: string, version = 1): PriceView {
  return { productId, price: 1999, currency: 'EUR', version, updatedAt: '2026-11-01T00:00:00.000Z', lowest30d: 1999 };
}

interface Call {
  readonly url: string;
  readonly headers: Headers;
  readonly signal: AbortSignal | null | undefined;
}

/** A fetch that records each call and answers with `answer(url, headers)`. */
function fakeFetch(answer: (url: URL, headers: Headers) => Response) {
  const calls: Call[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    calls.push({ url: String(input), headers, signal: init?.signal });
    return answer(new URL(String(input)), headers);
  };
  return { fetch, calls };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** Answers every batch from its ids: ids starting with `P` exist. */
function batchAnswer(url: URL): Response {
  const ids = url.searchParams.get('ids')?.split(',') ?? [];
  const batch: PriceBatch = {
    prices: ids.filter((id) => id.startsWith('P')).map((id) => priceOf(id)),
    unknown: ids.filter((id) => !id.startsWith('P')),
  };
  return json(200, batch);
}

describe('StorefrontClient', () => {
  it('joins the base URL without a doubled slash and encodes the id', async () => {
    const { fetch, calls } = fakeFetch(() => json(200, priceOf('P1')));

    await new StorefrontClient({ baseUrl: `${BASE}//`, fetch }).getPrice('a/b c');

    expect(calls.map((call) => call.url)).toEqual([`${BASE}/prices/a%2Fb%20c`]);
  });

  it('splits distinct ids into requests of at most 100, answered in first-seen order', async () => {
    const { fetch, calls } = fakeFetch(batchAnswer);
    const ids = Array.from({ length: 250 }, (_, i) => (i % 50 === 7 ? `missing-${i}` : `P${i}`));

    const batch = await new StorefrontClient({ baseUrl: BASE, fetch, concurrency: 2 }).getPrices([...ids, ...ids]);

    expect(calls.map((call) => new URL(call.url).searchParams.get('ids')?.split(',').length)).toEqual([100, 100, 50]);
    expect(batch.prices.map((price) => price.productId)).toEqual(ids.filter((id) => id.startsWith('P')));
    expect(batch.unknown).toEqual(ids.filter((id) => !id.startsWith('P')));
  });

  it.each([
    ['an ApiError body', json(400, { error: 'invalid_request', message: 'ids: bad', field: 'ids' }), 'invalid_request'],
    ["API Gateway's own answer", json(404, { message: 'Not Found' }), 'http_404'],
    ['a non-JSON body', new Response('<html>bad gateway</html>', { status: 502 }), 'http_502'],
  ])('turns %s into a StorefrontApiError', async (_, response, code) => {
    const { fetch } = fakeFetch(() => response);

    const error = await new StorefrontClient({ baseUrl: BASE, fetch }).getPrice('P1').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StorefrontApiError);
    expect(error).toMatchObject({ status: response.status, body: { error: code } });
    expect((error as StorefrontApiError).body.message).not.toBe('');
  });

  it('sends no conditional header without its ETag cache', async () => {
    const { fetch, calls } = fakeFetch(() => json(200, priceOf('P1'), { etag: '"P1@1"' }));
    const client = new StorefrontClient({ baseUrl: BASE, fetch });

    await client.getPrice('P1');
    await client.getPrice('P1');

    expect(calls.map((call) => call.headers.get('if-none-match'))).toEqual([null, null]);
  });

  it('keeps at most etagCacheSize answers, dropping the least recently used', async () => {
    const { fetch, calls } = fakeFetch((url, headers) => {
      const id = url.pathname.split('/').at(-1) as string;
      const etag = `"${id}@1"`;
      return headers.get('if-none-match') === etag
        ? new Response(null, { status: 304 })
        : json(200, priceOf(id), { etag });
    });
    const client = new StorefrontClient({ baseUrl: BASE, fetch, etagCache: true, etagCacheSize: 2 });

    for (const id of ['P1', 'P2', 'P1', 'P3', 'P1', 'P2']) await client.getPrice(id);

    // P2 was the least recently used when P3 came in, so it is asked for again unconditionally.
    expect(calls.map((call) => call.headers.get('if-none-match'))).toEqual([
      null,
      null,
      '"P1@1"',
      null,
      '"P1@1"',
      null,
    ]);
  });

  it('passes the abort signal on', async () => {
    const { fetch, calls } = fakeFetch(() => json(200, priceOf('P1')));
    const controller = new AbortController();

    await new StorefrontClient({ baseUrl: BASE, fetch }).getPrice('P1', { signal: controller.signal });

    expect(calls[0]?.signal).toBe(controller.signal);
  });
});
