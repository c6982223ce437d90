/**
 * A tiny typed client of the storefront price API, for browser and server storefront code alike:
 * plain `fetch`, no Node-only APIs.
 *
 *   const storefront = new StorefrontClient({ baseUrl: 'https://api.example.com' });
 *   const { price, currency } = await storefront.getPrice('sku-1');
 *   const { prices, unknown } = await storefront.getPrices(idsOnThePage);
 */
import { MAX_PRICE_IDS } from '../definitions/api-routes.js';
import type { ApiError, PriceBatch, PriceView } from '../functions/domain/api-types.js';

export type { ApiError, PriceBatch, PriceView };

export interface StorefrontClientOptions {
  /** The API's base URL, e.g. `https://api.example.com` (a trailing slash is fine). */
  readonly baseUrl: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /**
   * Keep each answer with its ETag and revalidate with If-None-Match, so an unchanged price costs a
   * bodiless 304. Browsers' HTTP cache already does this for `fetch`; it helps server-side code.
   * @default false
   */
  readonly etagCache?: boolean;
  /** Answers the ETag cache holds at most (oldest dropped first). @default 1000 */
  readonly etagCacheSize?: number;
  /** Chunk requests in flight at once when `getPrices` is given more than 100 ids. @default 4 */
  readonly concurrency?: number;
}

export interface RequestOptions {
  readonly signal?: AbortSignal;
}

/** A non-2xx answer: its status and the API's error body (or one made up for a non-JSON answer). */
export class StorefrontApiError extends Error {
  override name = 'StorefrontApiError';
  constructor(
    readonly status: number,
    readonly body: ApiError,
  ) {
    super(`storefront API ${status}: ${body.message}`);
  }
}

interface CachedAnswer {
  readonly etag: string;
  readonly body: unknown;
}

export class StorefrontClient {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly cache: Map<string, CachedAnswer> | null;
  private readonly cacheSize: number;
  private readonly concurrency: number;

  constructor(options: StorefrontClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    // Bound to globalThis: browsers refuse a `fetch` called as a method of another object.
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.cache = options.etagCache ? new Map() : null;
    this.cacheSize = options.etagCacheSize ?? 1_000;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
  }

  /** One product's price; a StorefrontApiError with status 404 when there is no such product. */
  async getPrice(productId: string, options: RequestOptions = {}): Promise<PriceView> {
    return (await this.get(`/prices/${encodeURIComponent(productId)}`, options)) as PriceView;
  }

  /**
   * The prices of any number of products: duplicates asked once, split into requests of at most 100
   * ids. Prices come in first-seen order; ids with no product are listed in `unknown`.
   */
  async getPrices(productIds: readonly string[], options: RequestOptions = {}): Promise<PriceBatch> {
    const distinct = [...new Set(productIds)];
    const chunks: string[][] = [];
    for (let start = 0; start < distinct.length; start += MAX_PRICE_IDS) {
      chunks.push(distinct.slice(start, start + MAX_PRICE_IDS));
    }
    const answers = new Array<PriceBatch>(chunks.length);
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const index = next++;
        const query = new URLSearchParams({ ids: (chunks[index] as string[]).join(',') });
        answers[index] = (await this.get(`/prices?${query}`, options)) as PriceBatch;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, chunks.length) }, worker));
    return { prices: answers.flatMap((answer) => answer.prices), unknown: answers.flatMap((answer) => answer.unknown) };
  }

  private async get(path: string, options: RequestOptions): Promise<unknown> {
    const url = `${this.baseUrl}${path}`;
    const cached = this.cache?.get(url);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (cached) headers['if-none-match'] = cached.etag;
    const response = await this.fetch(url, { method: 'GET', headers, signal: options.signal ?? null });
    if (response.status === 304 && cached) {
      this.remember(url, cached);
      return cached.body;
    }
    if (!response.ok) throw new StorefrontApiError(response.status, await errorBody(response));
    const body: unknown = await response.json();
    const etag = response.headers.get('etag');
    if (etag !== null) this.remember(url, { etag, body });
    return body;
  }

  /** Most recently used last, so the first key is the one to drop. */
  private remember(url: string, answer: CachedAnswer): void {
    if (this.cache === null) return;
    this.cache.delete(url);
    this.cache.set(url, answer);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
  }
}

/** The API's ApiError body; API Gateway's own answers (`{"message": ...}`) and non-JSON ones are filled in. */
async function errorBody(response: Response): Promise<ApiError> {
  const fallback = `http_${response.status}`;
  const text = await response.text();
  try {
    const parsed = JSON.parse(text) as Partial<ApiError> | null;
    if (parsed !== null && typeof parsed === 'object') {
      if (typeof parsed.error === 'string' && typeof parsed.message === 'string') return parsed as ApiError;
      if (typeof parsed.message === 'string') return { error: fallback, message: parsed.message };
    }
  } catch {
    // not JSON: fall through
  }
  return { error: fallback, message: text.slice(0, 200) || response.statusText || fallback };
}
