/**
 * The storefront's Lambda: public, read-only prices (GET /prices/{productId}, GET /prices?ids=a,b,c).
 * Answers follow functions/domain/api-types.ts: a price carries the ETag `"<productId>@<version>"` (every
 * change of a served field bumps the version) and may be cached for five seconds; a batch answers
 * each distinct id once, in first-seen order, and lists the ids with no product.
 */
import { createHash } from 'node:crypto';
import { MAX_PRICE_IDS } from '../../definitions/api-routes.js';
import type { PriceBatch, PriceView } from '../domain/api-types.js';
import { InvalidInputError, NotFoundError } from '../domain/errors.js';
import { identifier } from '../domain/fields.js';
import { type StorefrontPrice, StorefrontPricesStore, UnprocessedKeysError } from '../store/storefront-prices-store.js';
import { HttpError } from './http/http-error.js';
import { type HttpEvent, headerValue, pathParameter, queryParameter } from './http/http-request.js';
import { type HttpResult, jsonResponse } from './http/http-response.js';
import { httpRouter } from './http/http-router.js';
import { instrumented } from './instrumentation.js';
import { createHandlerRuntime } from './runtime.js';

const runtime = createHandlerRuntime('storefront-api');
const prices = new StorefrontPricesStore(runtime.documents, runtime.tableNames.products);

/** Short: a price may move within seconds of a demand surge. */
const CACHE_CONTROL = 'public, max-age=5';

/** A well-formed product id, or a 400 naming `field` (and the position, in a list). */
function productIdOf(value: string, field: string, position?: number): string {
  const checked = identifier.safeParse(value);
  if (checked.success) return checked.data;
  const where = position === undefined ? '' : ` (position ${position + 1})`;
  const why = checked.error.issues[0]?.message ?? 'invalid';
  throw new InvalidInputError(field, `${JSON.stringify(value)}${where} is not a product id: ${why}`);
}

/** The `ids` query parameter: 1 to MAX_PRICE_IDS comma-separated ids (API Gateway joins repeats with commas). */
function requestedIds(event: HttpEvent): string[] {
  const raw = queryParameter(event, 'ids');
  if (raw === undefined) throw new InvalidInputError('ids', `is required: 1 to ${MAX_PRICE_IDS} comma-separated ids`);
  const ids = raw.split(',');
  if (ids.length > MAX_PRICE_IDS) {
    throw new InvalidInputError('ids', `at most ${MAX_PRICE_IDS} ids per request; got ${ids.length}`);
  }
  return ids.map((id, position) => productIdOf(id, 'ids', position));
}

/** The served fields in a fixed order, so equal versions give byte-equal bodies (strong ETags). */
function priceView(price: StorefrontPrice): PriceView {
  const { productId, currency, version, updatedAt, lowest30d } = price;
  return { productId, price: price.price, currency, version, updatedAt, lowest30d };
}

/** If-None-Match (weak comparison, lists, `*`) against the current ETag. */
function notModified(event: HttpEvent, etag: string): boolean {
  const header = headerValue(event, 'if-none-match');
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const candidate = tag.trim().replace(/^W\//, '');
    return candidate === '*' || candidate === etag;
  });
}

function cacheable(event: HttpEvent, body: unknown, etag: string): HttpResult {
  const headers = { etag, 'cache-control': CACHE_CONTROL };
  if (notModified(event, etag)) return { statusCode: 304, headers };
  return jsonResponse(200, body, headers);
}

export const handler = instrumented(
  httpRouter<'storefront'>(
    {
      'GET /prices/{productId}': async (event) => {
        const productId = productIdOf(pathParameter(event, 'productId'), 'productId');
        const price = await prices.get(productId);
        if (price === null) throw new NotFoundError('product', productId);
        return cacheable(event, priceView(price), `"${productId}@${price.version}"`);
      },
      'GET /prices': async (event) => {
        const ids = [...new Set(requestedIds(event))];
        const found = await prices.getMany(ids).catch((error: unknown) => {
          // DynamoDB kept throttling part of the batch: the client may retry the same request.
          if (error instanceof UnprocessedKeysError) throw new HttpError(503, 'unavailable', error.message);
          throw error;
        });
        const batch: PriceBatch = { prices: [], unknown: [] };
        for (const id of ids) {
          const price = found.get(id);
          if (price === undefined) batch.unknown.push(id);
          else batch.prices.push(priceView(price));
        }
        // The answer is a function of the ids asked, in order, and each one's version.
        const state = ids.map((id) => `${id}@${found.get(id)?.version ?? '-'}`).join(',');
        const etag = `"${createHash('sha256').update(state).digest('base64url').slice(0, 22)}"`;
        return cacheable(event, batch, etag);
      },
    },
    runtime,
  ),
  runtime,
);
