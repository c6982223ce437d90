/**
 * The one definition of clickprice's HTTP API: every route, the Lambda surface that serves it and the
 * authorization it needs. CDK builds the API Gateway HTTP API from it, the local gateway routes and
 * authorizes with it, and each handler maps exactly these route keys (API Gateway hands a Lambda the
 * matched `routeKey`, so handlers dispatch on it rather than re-parsing paths).
 *
 * Pure data: no AWS or CDK imports, so handlers, CDK and the local stack can all read it.
 */

/** The Lambda functions behind the API. */
export const API_SURFACES = ['storefront', 'ops', 'pipeline', 'dashboard'] as const;
export type ApiSurface = (typeof API_SURFACES)[number];

/**
 * OAuth scopes of the ops API (a Cognito resource server in AWS, the local authorizer locally):
 * reading needs `ops.read`, any action that changes a price or the pricing config needs `ops.write`.
 */
export const OPS_SCOPES = {
  read: 'clickprice/ops.read',
  write: 'clickprice/ops.write',
} as const;
export type OpsScope = (typeof OPS_SCOPES)[keyof typeof OPS_SCOPES];

/** The ops user pool's groups: who may only read, and who may also act. */
export const OPS_GROUPS = {
  readers: 'ops-readers',
  writers: 'ops-writers',
} as const;

/**
 * The ops scopes left out of a person's access token, by the groups they are in: only `ops-writers`
 * may act. Anyone else (`ops-readers`, or a person in no group yet) reads: write access is granted by
 * adding someone to a group, never by forgetting to. Cognito applies it in its pre-token trigger
 * (functions/handlers/ops-token-scopes.ts); the local stack issues its tokens by it.
 */
export function opsScopesToSuppress(groups: readonly string[]): OpsScope[] {
  return groups.includes(OPS_GROUPS.writers) ? [] : [OPS_SCOPES.write];
}

export interface ApiRoute {
  readonly surface: ApiSurface;
  /** `null`: public. Otherwise the JWT authorizer must pass and the token must carry this scope. */
  readonly scope: OpsScope | null;
}

const storefront = { surface: 'storefront', scope: null } as const;
const opsRead = { surface: 'ops', scope: OPS_SCOPES.read } as const;
const opsWrite = { surface: 'ops', scope: OPS_SCOPES.write } as const;
/**
 * Pipeline health and control: ops routes of their own function, so only it carries the Glue client
 * and the Glue permissions.
 */
const pipelineRead = { surface: 'pipeline', scope: OPS_SCOPES.read } as const;
const pipelineWrite = { surface: 'pipeline', scope: OPS_SCOPES.write } as const;
/** The dashboard's page and scripts are public static files; every byte of data it shows comes from the ops API. */
const dashboard = { surface: 'dashboard', scope: null } as const;

/** Every route, by API Gateway route key (`METHOD /path/{param}`). */
export const apiRoutes = {
  'GET /prices/{productId}': storefront,
  'GET /prices': storefront,

  'GET /ops/products': opsRead,
  'GET /ops/products/{productId}': opsRead,
  'GET /ops/products/{productId}/history': opsRead,
  'GET /ops/products/{productId}/price-at': opsRead,
  'GET /ops/products/{productId}/demand': opsRead,
  'GET /ops/changes': opsRead,
  'GET /ops/quarantine': opsRead,
  'GET /ops/config': opsRead,

  'POST /ops/products/{productId}/freeze': opsWrite,
  'POST /ops/products/{productId}/unfreeze': opsWrite,
  'PUT /ops/products/{productId}/bounds': opsWrite,
  'PUT /ops/products/{productId}/price': opsWrite,
  'POST /ops/products/{productId}/rollback': opsWrite,
  'PUT /ops/config/kill-switch': opsWrite,
  'PUT /ops/config/shadow-mode': opsWrite,

  'GET /ops/pipeline': pipelineRead,
  'POST /ops/pipeline/glue/restart': pipelineWrite,
  'POST /ops/pipeline/dlq/redrive': pipelineWrite,

  'GET /dashboard': dashboard,
  'GET /dashboard/{asset}': dashboard,
} as const satisfies Record<string, ApiRoute>;

export type RouteKey = keyof typeof apiRoutes;
/** The route keys one surface serves; a handler's route table must cover exactly these. */
export type SurfaceRouteKey<S extends ApiSurface> = {
  [K in RouteKey]: (typeof apiRoutes)[K]['surface'] extends S ? K : never;
}[RouteKey];

export const routeKeys = Object.keys(apiRoutes) as RouteKey[];

/** `GET /ops/products/{productId}` → `{ method: 'GET', path: '/ops/products/{productId}' }`. */
export function splitRouteKey(key: RouteKey): { method: string; path: string } {
  const space = key.indexOf(' ');
  return { method: key.slice(0, space), path: key.slice(space + 1) };
}

/**
 * CORS for the storefront's browser code. The ops dashboard is served from the API's own origin and
 * needs none. The storefront origin is a deployment setting (CDK context `storefrontOrigin`).
 */
export const storefrontCors = {
  allowMethods: ['GET'],
  allowHeaders: ['content-type', 'if-none-match'],
  exposeHeaders: ['etag'],
  maxAgeSeconds: 600,
} as const;

/**
 * Stage throttling applied to every route (steady requests/s and burst). The storefront reads
 * prices per page view; ops traffic is a handful of people.
 */
export const apiThrottling = { rateLimit: 1000, burstLimit: 2000 } as const;

/** The storefront's batch read takes at most this many ids (one BatchGetItem holds 100 keys). */
export const MAX_PRICE_IDS = 100;
