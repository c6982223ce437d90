import { connect } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes, OPS_SCOPES, routeKeys } from '../../../definitions/api-routes.js';
import { type HttpGateway, type HttpHandler, matchRoute, startHttpGateway } from '../../../local/http-gateway.js';
import { LocalJwtAuthorizer } from '../../../local/local-jwt-authorizer.js';

/**
 * The local API Gateway is what makes the HTTP handlers run locally "as on AWS": these tests pin the
 * parts of API Gateway's behaviour the handlers rely on (route keys, payload-2.0 event shape, the JWT
 * authorizer's 401/403, its own error answers), with handlers that record what they were given.
 */
const seen: APIGatewayProxyEventV2[] = [];
const recording: HttpHandler = async (event) => {
  seen.push(event);
  return { statusCode: 200, headers: { 'Content-Type': 'application/json', 'X-Route': event.routeKey }, body: '{}' };
};
let behaviour: 'record' | 'throw' | 'bare' | 'slow' = 'record';
const configurable: HttpHandler = async (event, context) => {
  if (behaviour === 'throw') throw new Error('boom');
  if (behaviour === 'bare') return { hello: 'world' };
  if (behaviour === 'slow') await new Promise((resolve) => setTimeout(resolve, 3_000));
  return recording(event, context);
};

const authorizer = new LocalJwtAuthorizer();
let gateway: HttpGateway;
const readToken = authorizer.issue({ username: 'reader', scopes: [OPS_SCOPES.read] });
const writeToken = authorizer.issue({ username: 'writer', scopes: [OPS_SCOPES.read, OPS_SCOPES.write] });

beforeAll(async () => {
  gateway = await startHttpGateway({
    handlers: { storefront: configurable, ops: recording, pipeline: recording, dashboard: recording },
    authorizer,
    storefrontOrigins: ['https://shop.example'],
    timeoutSeconds: 1,
  });
});
afterAll(() => gateway.stop());

function lastEvent(): APIGatewayProxyEventV2 & {
  requestContext: { authorizer?: { jwt: { claims: Record<string, string> } } };
} {
  const event = seen.at(-1);
  if (!event) throw new Error('no event');
  return event as never;
}

describe('routing', () => {
  it('matches every route in the route table to its own key', () => {
    for (const key of routeKeys) {
      const [method, path] = key.split(' ') as [string, string];
      const concrete = path.replace(/\{(\w+)\}/g, 'X1');
      expect(matchRoute(method, concrete)?.key).toBe(key);
    }
  });

  it('prefers literal segments and does not let a parameter span a slash', () => {
    expect(matchRoute('GET', '/prices')?.key).toBe('GET /prices');
    expect(matchRoute('GET', '/prices/P1/extra')).toBeNull();
    expect(matchRoute('GET', '/ops/config')?.key).toBe('GET /ops/config');
    expect(matchRoute('DELETE', '/prices/P1')).toBeNull();
  });

  it('answers an unrouted path or method 404 as API Gateway does, without invoking anything', async () => {
    const before = seen.length;
    for (const [method, path] of [
      ['GET', '/nowhere'],
      ['DELETE', '/prices/P00001'],
    ] as const) {
      const response = await fetch(`${gateway.url}${path}`, { method });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ message: 'Not Found' });
    }
    expect(seen.length).toBe(before);
  });
});

describe('the payload-2.0 event', () => {
  it('carries the route key, decoded path parameters, joined repeated query parameters and lower-cased headers', async () => {
    behaviour = 'record';
    const response = await fetch(`${gateway.url}/prices/P%2000?ids=a,b&ids=c&empty=`, {
      headers: { 'X-Custom': 'Yes', Cookie: 'a=1; b=2' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-route')).toBe('GET /prices/{productId}');
    expect(response.headers.get('apigw-requestid')).toMatch(/[0-9a-f-]{36}/);
    const event = lastEvent();
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /prices/{productId}',
      rawPath: '/prices/P%2000',
      rawQueryString: 'ids=a,b&ids=c&empty=',
      pathParameters: { productId: 'P 00' },
      queryStringParameters: { ids: 'a,b,c', empty: '' },
      cookies: ['a=1', 'b=2'],
      isBase64Encoded: false,
      requestContext: { stage: '$default', http: { method: 'GET', path: '/prices/P%2000' } },
    });
    expect(event.headers['x-custom']).toBe('Yes');
    expect(event.requestContext.authorizer).toBeUndefined();
  });

  it('passes a JSON body as text and a binary body base64-encoded', async () => {
    await fetch(`${gateway.url}/ops/products/P1/freeze`, {
      method: 'POST',
      headers: { authorization: `Bearer ${writeToken}`, 'content-type': 'application/json' },
      body: '{"reason":"x"}',
    });
    expect(lastEvent()).toMatchObject({ body: '{"reason":"x"}', isBase64Encoded: false });
    await fetch(`${gateway.url}/ops/products/P1/freeze`, {
      method: 'POST',
      headers: { authorization: `Bearer ${writeToken}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0, 255, 1]),
    });
    expect(lastEvent()).toMatchObject({ body: Buffer.from([0, 255, 1]).toString('base64'), isBase64Encoded: true });
  });

  it("takes a result without statusCode as a 200 JSON body, as API Gateway's payload 2.0 does", async () => {
    behaviour = 'bare';
    const response = await fetch(`${gateway.url}/prices/P1`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ hello: 'world' });
    behaviour = 'record';
  });

  it('answers 500 when the function throws and 503 when it times out', async () => {
    behaviour = 'throw';
    expect((await fetch(`${gateway.url}/prices/P1`)).status).toBe(500);
    behaviour = 'slow';
    const slow = await fetch(`${gateway.url}/prices/P1`);
    expect(slow.status).toBe(503);
    expect(await slow.json()).toEqual({ message: 'Service Unavailable' });
    behaviour = 'record';
  });
});

describe('the JWT authorizer on ops routes', () => {
  const opsRoutes = routeKeys.filter((key) => apiRoutes[key].scope !== null);

  it('guards every ops route and no public one', () => {
    expect(opsRoutes.every((key) => key.includes(' /ops/'))).toBe(true);
    expect(routeKeys.filter((key) => key.includes(' /ops/')).length).toBe(opsRoutes.length);
  });

  it.each([
    ['no Authorization header', undefined],
    ['a token that is not a JWT', 'Bearer not-a-jwt'],
    [
      'a token signed by another key',
      `Bearer ${new LocalJwtAuthorizer().issue({ username: 'x', scopes: [OPS_SCOPES.read] })}`,
    ],
    [
      'an expired token',
      `Bearer ${authorizer.issue({ username: 'x', scopes: [OPS_SCOPES.read] }, Date.now() - 13 * 3600_000)}`,
    ],
  ])('answers 401 for %s, without invoking the function', async (_, authorization) => {
    const before = seen.length;
    const response = await fetch(`${gateway.url}/ops/products`, {
      headers: authorization === undefined ? {} : { authorization },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
    expect(seen.length).toBe(before);
  });

  it('answers 403 when the token lacks the route scope: a read token cannot act', async () => {
    const response = await fetch(`${gateway.url}/ops/config/kill-switch`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${readToken}` },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('insufficient_scope');
  });

  it("hands the function the token's claims and scopes, as API Gateway does", async () => {
    const response = await fetch(`${gateway.url}/ops/products`, { headers: { authorization: `Bearer ${readToken}` } });
    expect(response.status).toBe(200);
    const jwt = (lastEvent().requestContext.authorizer as { jwt: { claims: Record<string, string>; scopes: string[] } })
      .jwt;
    expect(jwt.claims.username).toBe('reader');
    expect(typeof jwt.claims.exp).toBe('string');
    expect(jwt.scopes).toEqual([OPS_SCOPES.read]);
  });
});

describe('CORS for the storefront origin', () => {
  it('answers a preflight from the storefront origin, and refuses others by omission', async () => {
    const allowed = await fetch(`${gateway.url}/prices/P1`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'GET' },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const other = await fetch(`${gateway.url}/prices/P1`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await fetch(`${gateway.url}/prices/P1`, { headers: { origin: 'https://shop.example' } });
    expect(simple.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(simple.headers.get('access-control-expose-headers')).toContain('etag');
  });
});

describe('a request over the payload limit', () => {
  it('answers 413 and closes the connection instead of leaving a keep-alive client waiting on it', async () => {
    // A raw keep-alive connection: the whole oversized body, then a second request on the same socket.
    const { port } = new URL(gateway.url);
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.on('data', (data) => {
      received += data.toString('latin1');
    });
    // Writing on after the server closed is the client's problem; the test reads what came back.
    socket.on('error', () => {});
    const closed = new Promise<boolean>((resolve) => {
      socket.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 5_000);
    });
    const size = 10 * 1024 * 1024 + 1;
    socket.write(`PUT /ops/config/kill-switch HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`);
    socket.write(Buffer.alloc(size, 'x'));
    socket.write('GET /prices/P1 HTTP/1.1\r\nHost: x\r\n\r\n');

    expect(await closed).toBe(true);
    socket.destroy();
    expect(received).toMatch(/^HTTP\/1\.1 413 .*\r\n(.*\r\n)*connection: close\r\n/i);
    expect((await fetch(`${gateway.url}/prices/P1`)).status).toBe(200);
  });
});
