/**
 * A typed client for the whole ops API, over fetch: the ops CLI, scripts and tests use it. Every
 * method answers the JSON of functions/domain/api-types.ts; every non-2xx answer throws an OpsApiError with
 * the status and the error body (API Gateway's own 401/403/404 answers, `{"message": ...}`, are
 * given an `error` code too, so callers branch on one shape); a request that gets no answer at all
 * throws an OpsApiUnreachable saying why.
 */

import { errorBodyOf } from '../dashboard/api-errors.js';
import type { SurfaceRouteKey } from '../definitions/api-routes.js';
import type {
  ApiError,
  BoundsBody,
  ChangeFeed,
  ChangeFeedQuery,
  ConfigActionResult,
  ConfigToggleBody,
  DemandQuery,
  DemandSeries,
  DlqRedriveAnswer,
  FreezeBody,
  GlueRestartAnswer,
  HistoryPage,
  HistoryQuery,
  ManualPriceBody,
  PipelineHealth,
  PriceAt,
  PriceChange,
  PricingConfigView,
  ProductActionResult,
  ProductListQuery,
  ProductPage,
  ProductSummary,
  QuarantinePage,
  QuarantineQuery,
  RollbackBody,
  StreamConsumer,
  UnfreezeBody,
} from '../functions/domain/api-types.js';

/** A non-2xx answer of the ops API. */
export class OpsApiError extends Error {
  override name = 'OpsApiError';
  constructor(
    readonly status: number,
    readonly body: ApiError,
  ) {
    super(`${status} ${body.error}: ${body.message}`);
  }

  /** The input the API named as at fault (4xx), if it named one. */
  get field(): string | undefined {
    return this.body.field;
  }
}

/** No answer from the ops API: it could not be reached, or the connection broke before the answer was read. */
export class OpsApiUnreachable extends Error {
  override name = 'OpsApiUnreachable';
  constructor(
    readonly baseUrl: string,
    cause: unknown,
  ) {
    super(`cannot reach the ops API at ${baseUrl}: ${reasonOf(cause)}`, { cause });
  }
}

/**
 * fetch says only "fetch failed"; what went wrong is its cause (`connect ECONNREFUSED 127.0.0.1:9`),
 * or when every address of the host was tried, the causes inside an AggregateError with no message.
 */
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause ?? error;
  const inner = cause instanceof AggregateError ? cause.errors[0] : cause;
  const { message, code } = (inner ?? {}) as { message?: unknown; code?: unknown };
  // Ports such as 9 and 1 are on the Fetch standard's list of blocked ports; "bad port" says too little.
  if (message === 'bad port') return 'fetch will not connect to this port (the Fetch standard blocks it)';
  if (typeof message === 'string' && message !== '') return message;
  return typeof code === 'string' ? code : String(error);
}

export interface OpsClientOptions {
  /** The API's base URL, e.g. `http://127.0.0.1:3000` or the API Gateway stage URL; no trailing slash needed. */
  readonly baseUrl: string;
  /** A bearer access token, or a function returning one (called per request, so it may refresh). */
  readonly token: string | (() => string | Promise<string>);
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

type OpsRouteKey = SurfaceRouteKey<'ops'> | SurfaceRouteKey<'pipeline'>;
type Query = Record<string, string | number | undefined>;

export class OpsClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: OpsClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  // ---- reads (scope clickprice/ops.read) ----

  listProducts(query: ProductListQuery = {}): Promise<ProductPage> {
    return this.call('GET /ops/products', {}, { query: { ...query } });
  }

  /** Every product, following the cursor page by page. */
  async allProducts(query: Omit<ProductListQuery, 'cursor'> = {}): Promise<ProductSummary[]> {
    const products: ProductSummary[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listProducts({ ...query, cursor });
      products.push(...page.products);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return products;
  }

  getProduct(productId: string): Promise<ProductSummary> {
    return this.call('GET /ops/products/{productId}', { productId });
  }

  history(productId: string, query: HistoryQuery = {}): Promise<HistoryPage> {
    return this.call('GET /ops/products/{productId}/history', { productId }, { query: { ...query } });
  }

  /** A product's whole history in the range, newest first, following the cursor. */
  async allHistory(productId: string, query: Omit<HistoryQuery, 'cursor'> = {}): Promise<PriceChange[]> {
    const changes: PriceChange[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.history(productId, { ...query, cursor });
      changes.push(...page.changes);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return changes;
  }

  priceAt(productId: string, at: string): Promise<PriceAt> {
    return this.call('GET /ops/products/{productId}/price-at', { productId }, { query: { at } });
  }

  demand(productId: string, query: DemandQuery = {}): Promise<DemandSeries> {
    return this.call('GET /ops/products/{productId}/demand', { productId }, { query: { ...query } });
  }

  changes(query: ChangeFeedQuery = {}): Promise<ChangeFeed> {
    return this.call('GET /ops/changes', {}, { query: { ...query } });
  }

  quarantine(query: QuarantineQuery = {}): Promise<QuarantinePage> {
    return this.call('GET /ops/quarantine', {}, { query: { ...query } });
  }

  config(): Promise<PricingConfigView> {
    return this.call('GET /ops/config', {});
  }

  /** Each path's health: the Glue job's run, last batch and latest restart; the fast path's mapping, metrics and quarantine. */
  pipeline(): Promise<PipelineHealth> {
    return this.call('GET /ops/pipeline', {});
  }

  // ---- actions (scope clickprice/ops.write; the actor is the token's user) ----

  /** Restarts the Glue job: `status` 202 while the old run stops, 200 when a new run started at once. */
  restartGlue(body: { readonly reason: string }): Promise<GlueRestartAnswer> {
    return this.call('POST /ops/pipeline/glue/restart', {}, { body });
  }

  /** Redrives a stream consumer's dead letters from the stream by position; each letter's outcome. */
  redriveDeadLetters(body: {
    readonly consumer: StreamConsumer;
    readonly reason: string;
    readonly max?: number;
  }): Promise<DlqRedriveAnswer> {
    return this.call('POST /ops/pipeline/dlq/redrive', {}, { body });
  }

  freeze(productId: string, body: FreezeBody): Promise<ProductActionResult> {
    return this.call('POST /ops/products/{productId}/freeze', { productId }, { body });
  }

  unfreeze(productId: string, body: UnfreezeBody): Promise<ProductActionResult> {
    return this.call('POST /ops/products/{productId}/unfreeze', { productId }, { body });
  }

  setBounds(productId: string, body: BoundsBody): Promise<ProductActionResult> {
    return this.call('PUT /ops/products/{productId}/bounds', { productId }, { body });
  }

  setPrice(productId: string, body: ManualPriceBody): Promise<ProductActionResult> {
    return this.call('PUT /ops/products/{productId}/price', { productId }, { body });
  }

  rollback(productId: string, body: RollbackBody): Promise<ProductActionResult> {
    return this.call('POST /ops/products/{productId}/rollback', { productId }, { body });
  }

  setKillSwitch(body: ConfigToggleBody): Promise<ConfigActionResult> {
    return this.call('PUT /ops/config/kill-switch', {}, { body });
  }

  setShadowMode(body: ConfigToggleBody): Promise<ConfigActionResult> {
    return this.call('PUT /ops/config/shadow-mode', {}, { body });
  }

  /** One request to a route of the table in definitions/api-routes.ts (so a renamed route fails to compile here). */
  private async call<T>(
    routeKey: OpsRouteKey,
    pathParameters: Record<string, string>,
    request: { query?: Query; body?: unknown } = {},
  ): Promise<T> {
    const space = routeKey.indexOf(' ');
    const method = routeKey.slice(0, space);
    const path = routeKey.slice(space + 1).replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = pathParameters[name];
      if (value === undefined) throw new Error(`${routeKey}: no value for {${name}}`);
      return encodeURIComponent(value);
    });
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) search.set(name, String(value));
    }
    const url = `${this.baseUrl}${path}${search.size > 0 ? `?${search}` : ''}`;
    const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers,
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
      });
      text = await response.text();
    } catch (error) {
      // fetch rejects only when there is no answer (an HTTP error status is an answer, read below).
      throw new OpsApiUnreachable(this.baseUrl, error);
    }
    if (!response.ok) throw new OpsApiError(response.status, errorBodyOf(response.status, text));
    try {
      return JSON.parse(text) as T;
    } catch {
      // A 2xx that is not JSON: something else answers at that address (a web page, a proxy's notice).
      const start = text.slice(0, 60).replace(/\s+/g, ' ');
      throw new OpsApiUnreachable(
        this.baseUrl,
        new Error(`it answered ${response.status} with no JSON (${JSON.stringify(start)}): is this the ops API?`),
      );
    }
  }
}
