import { describe, expect, it } from 'vitest';
import { OpsClient } from '../../../clients/ops-client.js';
import {
  apiRoutes,
  OPS_SCOPES,
  routeKeys,
  type SurfaceRouteKey,
  splitRouteKey,
} from '../../../definitions/api-routes.js';
import { GLOBAL_HISTORY_ID } from '../../../functions/domain/price-history.js';
import { LocalJwtAuthorizer } from '../../../local/local-jwt-authorizer.js';
import { answer, apiError, startOpsApi } from './ops-api-fixture.js';

const ops = await startOpsApi(10);
const product = ops.freshProduct();
/** An authorizer with a key of its own: what it signs, the API's authorizer must refuse. */
const otherIssuer = new LocalJwtAuthorizer();

type OpsRouteKey = SurfaceRouteKey<'ops'>;
const opsRouteKeys = routeKeys.filter((key): key is OpsRouteKey => apiRoutes[key].surface === 'ops');
const readRoutes = opsRouteKeys.filter((key) => apiRoutes[key].scope === OPS_SCOPES.read);
const writeRoutes = opsRouteKeys.filter((key) => apiRoutes[key].scope === OPS_SCOPES.write);

/** A valid body for each action, so only authorization can refuse it. */
const validBodies: Partial<Record<OpsRouteKey, unknown>> = {
  'POST /ops/products/{productId}/freeze': { reason: 'auth test' },
  'POST /ops/products/{productId}/unfreeze': { reason: 'auth test' },
  'PUT /ops/products/{productId}/bounds': { reason: 'auth test', floor: product.floor, ceiling: product.ceiling },
  'PUT /ops/products/{productId}/price': { reason: 'auth test', price: product.basePrice },
  'POST /ops/products/{productId}/rollback': { reason: 'auth test', toChangeId: `${product.updatedAt}#nothing-here` },
  'PUT /ops/config/kill-switch': { reason: 'auth test', enabled: false },
  'PUT /ops/config/shadow-mode': { reason: 'auth test', enabled: false },
};

/** A request that reaches `key`'s handler when authorized. */
function requestOf(key: OpsRouteKey, token: string | null): Promise<Response> {
  const { method, path } = splitRouteKey(key);
  const query = key.endsWith('/price-at') ? `?at=${encodeURIComponent(product.updatedAt)}` : '';
  const body = validBodies[key];
  return ops.api.request(`${path.replace('{productId}', product.productId)}${query}`, {
    method,
    token,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
}

/** Every history row of the product and of the global config: nothing may be written by a refused request. */
async function historySize(): Promise<number> {
  const [productRows, configRows] = await Promise.all([
    ops.prices.history.all(product.productId),
    ops.prices.history.all(GLOBAL_HISTORY_ID),
  ]);
  return productRows.length + configRows.length;
}

describe('ops API authentication', () => {
  it('covers every ops route of the route table here', () => {
    expect(readRoutes.length + writeRoutes.length).toBe(opsRouteKeys.length);
    expect(Object.keys(validBodies).sort()).toEqual([...writeRoutes].sort());
  });

  it.each(opsRouteKeys)('%s answers 401 without a token', async (key) => {
    const response = await requestOf(key, null);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/invalid_token/);
  });

  it.each(opsRouteKeys)('%s answers 401 to a token signed by another key', async (key) => {
    const forged = otherIssuer.issue({ username: 'mallory', scopes: Object.values(OPS_SCOPES) });

    expect((await requestOf(key, forged)).status).toBe(401);
  });

  it.each(opsRouteKeys)('%s answers 401 to an expired token', async (key) => {
    const expired = ops.api.authorizer.issue(
      { username: 'alice', scopes: Object.values(OPS_SCOPES), ttlSeconds: 60 },
      Date.now() - 3_600_000,
    );

    expect((await requestOf(key, expired)).status).toBe(401);
  });

  it('answers 401 to a token whose scope was edited after signing, and to a token that is not a JWT', async () => {
    const readOnly = ops.api.token('alice', [OPS_SCOPES.read]);
    const [header, payload, signature] = readOnly.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: Object.values(OPS_SCOPES).join(' ') })).toString(
      'base64url',
    );

    expect((await requestOf('PUT /ops/products/{productId}/price', `${header}.${widened}.${signature}`)).status).toBe(
      401,
    );
    expect((await requestOf('GET /ops/products', 'not-a-jwt')).status).toBe(401);
  });

  it.each(writeRoutes)('%s answers 403 to a read-only token, and writes nothing', async (key) => {
    const before = await historySize();

    const response = await requestOf(key, ops.api.token('reader', [OPS_SCOPES.read]));

    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(/insufficient_scope/);
    expect(await historySize()).toBe(before);
  });

  it.each(readRoutes)('%s answers 403 to a token without the read scope', async (key) => {
    expect((await requestOf(key, ops.api.token('writer', [OPS_SCOPES.write]))).status).toBe(403);
  });

  it.each(readRoutes)('%s answers 200 to a read-only token', async (key) => {
    const response = await requestOf(key, ops.api.token('reader', [OPS_SCOPES.read]));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it("records the token's sub as the actor when the token has no username", async () => {
    const token = ops.api.authorizer.issue({ username: '', scopes: Object.values(OPS_SCOPES) });
    const sub = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')).sub;

    const { status, body } = await answer(
      await ops.api.request(`/ops/products/${product.productId}/freeze`, {
        method: 'POST',
        token,
        body: JSON.stringify({ reason: 'service account' }),
        headers: { 'content-type': 'application/json' },
      }),
    );

    expect(status).toBe(200);
    expect(typeof sub).toBe('string');
    expect((body.change as { actor: string }).actor).toBe(sub);
  });
});

describe('the ops client', () => {
  it("turns the gateway's 401 and 403 into OpsApiErrors with a code", async () => {
    const expired = new OpsClient({
      baseUrl: ops.api.url,
      token: ops.api.authorizer.issue({ username: 'alice', scopes: [OPS_SCOPES.read], ttlSeconds: 1 }, 0),
    });
    const reader = ops.clientAs('reader', [OPS_SCOPES.read]);

    const unauthorized = await apiError(expired.config());
    const forbidden = await apiError(reader.setKillSwitch({ reason: 'x', enabled: true }));

    expect({ status: unauthorized.status, error: unauthorized.body.error }).toEqual({
      status: 401,
      error: 'unauthorized',
    });
    expect({ status: forbidden.status, error: forbidden.body.error }).toEqual({ status: 403, error: 'forbidden' });
    expect((await reader.config()).killSwitch).toBe(false);
  });
});

describe('unknown routes', () => {
  it.each([
    ['GET', '/ops/nothing'],
    ['GET', '/ops/products/P00001/nothing'],
    ['DELETE', `/ops/products/P00001`],
    ['GET', '/ops/products/P00001/freeze'],
    ['POST', '/ops/products'],
    ['PUT', '/ops/config'],
    ['GET', '/ops'],
  ])('%s %s answers 404, token or not', async (method, path) => {
    for (const token of [undefined, null]) {
      const { status, body } = await answer(await ops.api.request(path, { method, token }));
      expect(status).toBe(404);
      expect(body).toEqual({ message: 'Not Found' });
    }
  });
});
