/**
 * The local API Gateway (HTTP API, payload format 2.0): routes requests by the route table in
 * definitions/api-routes.ts, authorizes ops routes with the local JWT authorizer, builds the very event
 * API Gateway builds (routeKey, rawPath, lower-cased headers, comma-joined repeated query
 * parameters, decoded path parameters, requestContext with the authorizer's claims), invokes the
 * same handler module Lambda runs, and writes its structured or bare result back as API Gateway does.
 * Answers of its own mirror API Gateway's: 404 `{"message":"Not Found"}` for no route, 401/403 from
 * the authorizer, 500 when the function throws, 503 when it times out, CORS preflights for the
 * storefront origin (the configuration is API-wide, as in AWS).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import {
  type ApiSurface,
  apiRoutes,
  type RouteKey,
  routeKeys,
  splitRouteKey,
  storefrontCors,
} from '../definitions/api-routes.js';
import { invokeHandler, logStreamNameFor } from './event-source-mapping/index.js';
import type { LocalJwtAuthorizer } from './local-jwt-authorizer.js';
import { closeServer, listenOnLoopback, sendJson } from './loopback-server.js';
import { choosePort } from './ports.js';

/** An HTTP handler module's export, as Lambda calls it. */
export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export interface HttpGatewayOptions {
  readonly handlers: Readonly<Record<ApiSurface, HttpHandler>>;
  readonly authorizer: LocalJwtAuthorizer;
  /** @default a free port */
  readonly port?: number;
  /** Origins CORS requests are answered for (the storefront's). @default none */
  readonly storefrontOrigins?: readonly string[];
  /** API Gateway's integration timeout. @default 29 */
  readonly timeoutSeconds?: number;
  /** Called once per request, as API Gateway's access log. */
  readonly accessLog?: (entry: AccessLogEntry) => void;
}

export interface AccessLogEntry {
  readonly requestId: string;
  readonly routeKey: string;
  readonly status: number;
  readonly latencyMs: number;
}

export interface HttpGateway {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  stop(): Promise<void>;
}

/** API Gateway's payload limit for HTTP APIs. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
const API_ID = 'local';

interface CompiledRoute {
  readonly key: RouteKey;
  readonly method: string;
  readonly pattern: RegExp;
  readonly parameters: readonly string[];
  readonly literalSegments: number;
}

/** Routes, most specific first: API Gateway prefers a literal segment over a parameter. */
const compiledRoutes: readonly CompiledRoute[] = routeKeys
  .map((key) => {
    const { method, path } = splitRouteKey(key);
    const parameters: string[] = [];
    let literalSegments = 0;
    const source = path
      .split('/')
      .map((segment) => {
        const parameter = /^\{(\w+)\}$/.exec(segment);
        if (parameter) {
          parameters.push(parameter[1] as string);
          return '([^/]+)';
        }
        literalSegments++;
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    return { key, method, pattern: new RegExp(`^${source}$`), parameters, literalSegments };
  })
  .sort((a, b) => b.literalSegments - a.literalSegments);

/** The route API Gateway would choose for a request, with its decoded path parameters. */
export function matchRoute(
  method: string,
  path: string,
): { key: RouteKey; pathParameters: Record<string, string> } | null {
  for (const route of compiledRoutes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (!match) continue;
    const pathParameters: Record<string, string> = {};
    route.parameters.forEach((name, index) => {
      pathParameters[name] = safeDecode(match[index + 1] as string);
    });
    return { key: route.key, pathParameters };
  }
  return null;
}

/** Imports the handler modules Lambda runs; the environment (tables, endpoints) must be set first. */
export async function loadApiHandlers(): Promise<Record<ApiSurface, HttpHandler>> {
  const [storefront, ops, pipeline, dashboard] = await Promise.all([
    import('../functions/handlers/storefront-api.js'),
    import('../functions/handlers/ops-api.js'),
    import('../functions/handlers/pipeline-api.js'),
    import('../functions/handlers/dashboard.js'),
  ]);
  return {
    storefront: storefront.handler as unknown as HttpHandler,
    ops: ops.handler as unknown as HttpHandler,
    pipeline: pipeline.handler as unknown as HttpHandler,
    dashboard: dashboard.handler as unknown as HttpHandler,
  };
}

export async function startHttpGateway(options: HttpGatewayOptions): Promise<HttpGateway> {
  const port = await choosePort(options.port, 'the local HTTP API', '--api-port');
  const server = createServer((request, response) => {
    handle(request, response, options).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { message: 'Internal Server Error' });
      else response.destroy(error as Error);
    });
  });
  // Keep-alive as API Gateway offers it; storefront clients reuse connections.
  server.keepAliveTimeout = 60_000;
  return { url: await listenOnLoopback(server, port), stop: () => closeServer(server) };
}

async function handle(request: IncomingMessage, response: ServerResponse, options: HttpGatewayOptions): Promise<void> {
  const startedAt = Date.now();
  const requestId = randomUUID();
  const method = request.method ?? 'GET';
  const url = new URL(request.url ?? '/', 'http://localhost');
  let routeKey = '-';
  const finish = (status: number) => {
    options.accessLog?.({ requestId, routeKey, status, latencyMs: Date.now() - startedAt });
  };

  const declared = Number(request.headers['content-length'] ?? 0);
  const body = declared > MAX_REQUEST_BYTES ? null : await readBody(request);
  if (body === null) {
    // The rest of the body is left unread, so the connection cannot carry another request: close it,
    // or a keep-alive client's next request would wait behind bytes nobody reads.
    sendJson(response, 413, { message: 'Request Entity Too Large' }, { connection: 'close' });
    response.on('finish', () => request.socket.destroy());
    return finish(413);
  }

  const origin = request.headers.origin;
  const corsOrigin = origin !== undefined && (options.storefrontOrigins ?? []).includes(origin) ? origin : null;
  if (method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
    // API Gateway answers CORS preflights itself when the API has a CORS configuration.
    response.writeHead(204, corsOrigin === null ? {} : preflightHeaders(corsOrigin));
    response.end();
    return finish(204);
  }

  const route = matchRoute(method, url.pathname);
  if (route === null) {
    sendJson(response, 404, { message: 'Not Found' });
    return finish(404);
  }
  routeKey = route.key;
  const spec = apiRoutes[route.key];

  let authorizer: { jwt: { claims: Record<string, string>; scopes: string[] | null } } | undefined;
  if (spec.scope !== null) {
    const outcome = options.authorizer.authorize(headerText(request.headers.authorization), spec.scope);
    if (!outcome.ok) {
      sendJson(
        response,
        outcome.status,
        { message: outcome.status === 401 ? 'Unauthorized' : 'Forbidden' },
        {
          'www-authenticate': `Bearer error="${outcome.status === 401 ? 'invalid_token' : 'insufficient_scope'}", error_description="${outcome.reason}"`,
        },
      );
      return finish(outcome.status);
    }
    authorizer = { jwt: outcome.authorization };
  }

  const event = buildEvent({
    request,
    url,
    body,
    routeKey: route.key,
    pathParameters: route.pathParameters,
    requestId,
    authorizer,
  });
  const timeoutSeconds = options.timeoutSeconds ?? 29;
  let result: unknown;
  try {
    result = await invokeHandler(options.handlers[spec.surface], event, requestId, {
      functionName: `clickprice-${spec.surface}-api`,
      functionArn: `arn:aws:lambda:us-east-1:000000000000:function:clickprice-${spec.surface}-api`,
      memorySizeMb: 512,
      timeoutSeconds,
      logStreamName: logStreamNameFor(startedAt),
      clock: { now: Date.now },
    });
  } catch (error) {
    const timedOut = (error as Error).name === 'HandlerTimeoutError';
    const status = timedOut ? 503 : 500;
    sendJson(response, status, { message: timedOut ? 'Service Unavailable' : 'Internal Server Error' });
    return finish(status);
  }

  const answer = toHttpAnswer(result);
  const headers: Record<string, string | string[]> = { ...answer.headers, 'apigw-requestid': requestId };
  // API Gateway's CORS configuration is API-wide: every route's answer to an allowed origin carries it.
  if (corsOrigin !== null) {
    headers['access-control-allow-origin'] = corsOrigin;
    headers['access-control-expose-headers'] = storefrontCors.exposeHeaders.join(',');
    headers.vary = 'origin';
  }
  if (answer.cookies.length > 0) headers['set-cookie'] = [...answer.cookies];
  headers['content-length'] = String(answer.body.length);
  response.writeHead(answer.statusCode, headers);
  response.end(method === 'HEAD' ? undefined : answer.body);
  finish(answer.statusCode);
}

interface EventParts {
  readonly request: IncomingMessage;
  readonly url: URL;
  readonly body: Buffer;
  readonly routeKey: RouteKey;
  readonly pathParameters: Record<string, string>;
  readonly requestId: string;
  readonly authorizer: { jwt: { claims: Record<string, string>; scopes: string[] | null } } | undefined;
}

/** The payload-format-2.0 event API Gateway would send for this request. */
function buildEvent(parts: EventParts): APIGatewayProxyEventV2 {
  const { request, url, body } = parts;
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') cookies.push(...(Array.isArray(value) ? value : [value]).flatMap((c) => c.split(/;\s*/)));
    else headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const textual = isTextual(headers['content-type']);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: parts.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(parts.pathParameters).length > 0 ? { pathParameters: parts.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: API_ID,
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: (headers.host ?? '127').split('.')[0] as string,
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: parts.requestId,
      routeKey: parts.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(parts.authorizer ? { authorizer: parts.authorizer } : {}),
    } as APIGatewayProxyEventV2['requestContext'],
    ...(body.length > 0 ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !textual,
  };
}

interface HttpAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly cookies: readonly string[];
  readonly body: Buffer;
}

/**
 * API Gateway's reading of a payload-2.0 result: a structured result (with statusCode) is taken as
 * is; anything else is JSON for a 200.
 */
function toHttpAnswer(result: unknown): HttpAnswer {
  if (result !== null && typeof result === 'object' && 'statusCode' in result) {
    const structured = result as {
      statusCode: number;
      headers?: Record<string, string | number | boolean>;
      cookies?: string[];
      body?: string;
      isBase64Encoded?: boolean;
    };
    const headers = Object.fromEntries(
      Object.entries(structured.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    const body =
      structured.body === undefined
        ? Buffer.alloc(0)
        : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
    return { statusCode: structured.statusCode, headers, cookies: structured.cookies ?? [], body };
  }
  const body = Buffer.from(typeof result === 'string' ? result : (JSON.stringify(result) ?? ''));
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: [], body };
}

function preflightHeaders(origin: string): Record<string, string> {
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': storefrontCors.allowMethods.join(','),
    'access-control-allow-headers': storefrontCors.allowHeaders.join(','),
    'access-control-max-age': String(storefrontCors.maxAgeSeconds),
    vary: 'origin',
  };
}

/** The request body, or null when it exceeds API Gateway's limit. */
async function readBody(request: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function isTextual(contentType: string | undefined): boolean {
  return (
    contentType === undefined || /^(text\/|application\/(json|x-www-form-urlencoded|javascript|xml))/i.test(contentType)
  );
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
