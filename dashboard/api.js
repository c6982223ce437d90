/**
 * The ops API as the page calls it: same origin as the page, the user's bearer token on every call,
 * the JSON of functions/domain/api-types.ts back. A non-2xx answer throws an ApiError carrying the API's
 * `{error, message, field}` (API Gateway's own `{message}` answers get a code too). Calls name their
 * route by its key in definitions/api-routes.ts, which the dashboard function serves as ./api-routes.js:
 * the page has no route table of its own.
 */
import { errorBodyOf } from './api-errors.js';
import { apiRoutes } from './api-routes.js';

export class ApiError extends Error {
  constructor(status, body) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.error;
    this.field = body.field ?? null;
  }

  /** The token is missing, invalid, expired (401) or lacks the scope (403). */
  get isAuth() {
    return this.status === 401 || this.status === 403;
  }
}

/**
 * `basePath` is where the API is mounted relative to the page: the page is served at
 * `<stage>/dashboard`, the API at `<stage>/ops/...`.
 */
export function createApi({ basePath, token, onAuthError }) {
  /**
   * `routeKey` as in definitions/api-routes.ts; `params` fill its `{name}` segments.
   * @param {string} routeKey
   * @param {{ params?: Record<string, string>, query?: Record<string, unknown>, body?: unknown }} [request]
   */
  async function call(routeKey, { params = {}, query, body } = {}) {
    if (!Object.hasOwn(apiRoutes, routeKey)) throw new Error(`no route ${routeKey}`);
    const [method, template = ''] = routeKey.split(' ');
    const path = template.replace(/\{(\w+)\}/g, (_, name) => {
      const value = params[name];
      if (value === undefined) throw new Error(`${routeKey} needs ${name}`);
      return encodeURIComponent(value);
    });
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
    }
    const url = `${basePath}${path}${search.size > 0 ? `?${search}` : ''}`;
    const headers = { accept: 'application/json' };
    const bearer = token();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        cache: 'no-store',
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new ApiError(0, { error: 'network', message: `The ops API did not answer (${why})` });
    }
    const text = await response.text();
    if (!response.ok) {
      const error = new ApiError(response.status, errorBodyOf(response.status, text));
      // A read refused for the token means the page cannot work: ask for another one. An action
      // refused (a read-only token, say) is reported in its dialog instead.
      if (error.isAuth && (method === 'GET' || error.status === 401)) onAuthError(error);
      throw error;
    }
    return JSON.parse(text);
  }

  const product = (productId) => ({ productId });

  return {
    listProducts: (query) => call('GET /ops/products', { query }),
    async allProducts() {
      const products = [];
      let cursor;
      do {
        const page = await call('GET /ops/products', { query: { limit: 100, cursor } });
        products.push(...page.products);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      return products;
    },
    getProduct: (productId) => call('GET /ops/products/{productId}', { params: product(productId) }),
    history: (productId, query) => call('GET /ops/products/{productId}/history', { params: product(productId), query }),
    demand: (productId, query) => call('GET /ops/products/{productId}/demand', { params: product(productId), query }),
    changes: (query) => call('GET /ops/changes', { query }),
    config: () => call('GET /ops/config'),
    pipeline: () => call('GET /ops/pipeline'),

    freeze: (productId, body) => call('POST /ops/products/{productId}/freeze', { params: product(productId), body }),
    unfreeze: (productId, body) =>
      call('POST /ops/products/{productId}/unfreeze', { params: product(productId), body }),
    setBounds: (productId, body) => call('PUT /ops/products/{productId}/bounds', { params: product(productId), body }),
    setPrice: (productId, body) => call('PUT /ops/products/{productId}/price', { params: product(productId), body }),
    rollback: (productId, body) =>
      call('POST /ops/products/{productId}/rollback', { params: product(productId), body }),
    setKillSwitch: (body) => call('PUT /ops/config/kill-switch', { body }),
    setShadowMode: (body) => call('PUT /ops/config/shadow-mode', { body }),
    restartGlue: (body) => call('POST /ops/pipeline/glue/restart', { body }),
    redriveDeadLetters: (body) => call('POST /ops/pipeline/dlq/redrive', { body }),
  };
}
