/**
 * The ops dashboard's Lambda: serves the page and its scripts (functions/handlers/dashboard-assets.ts) as public static
 * files. It reads no table: everything the page shows it fetches from the ops API with the user's
 * token. Files are read once per execution environment and answered with a content-hash ETag.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiRoutes } from '../../definitions/api-routes.js';
import {
  DASHBOARD_ASSETS_DIR_ENV,
  type DashboardAsset,
  type DashboardAssetFile,
  dashboardAssets,
} from './dashboard-assets.js';
import { type SignInConfig, signInConfigFromEnv, signInConfigModule } from './dashboard-sign-in.js';
import { HttpError } from './http/http-error.js';
import { type HttpEvent, headerValue, pathParameter } from './http/http-request.js';
import type { HttpResult } from './http/http-response.js';
import { httpRouter } from './http/http-router.js';
import { createInstrumentation, instrumented } from './instrumentation.js';

const runtime = createInstrumentation('dashboard');

interface LoadedAsset {
  readonly body: string;
  readonly contentType: string;
  readonly etag: string;
}

const loaded = new Map<DashboardAsset, LoadedAsset>();

/** The page may fetch from its own API and, when sign-in is configured, the sign-in domain's token endpoint. */
function contentSecurityPolicy(signIn: SignInConfig | null): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    signIn === null ? "connect-src 'self'" : `connect-src 'self' ${signIn.authority}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** On Lambda, CDK copies the assets flat into DASHBOARD_ASSETS_DIR; locally they are read in place. */
function pathOf(asset: DashboardAsset): string {
  const flatDir = process.env[DASHBOARD_ASSETS_DIR_ENV];
  if (flatDir) return join(flatDir, asset);
  const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  return join(repoRoot, fileOf(asset).source);
}

function load(asset: DashboardAsset): LoadedAsset {
  let entry = loaded.get(asset);
  if (entry === undefined) {
    const body = readFileSync(pathOf(asset), 'utf8');
    entry = { body, contentType: fileOf(asset).contentType, etag: etagOf(body) };
    loaded.set(asset, entry);
  }
  return entry;
}

/**
 * The route table, as an ES module the page imports: the dashboard names routes by their keys and
 * has no table of its own to drift from definitions/api-routes.ts.
 */
const ROUTES_MODULE = 'api-routes.js';
let routesAsset: LoadedAsset | undefined;
function routesModule(): LoadedAsset {
  if (routesAsset === undefined) {
    const body = `// Generated from definitions/api-routes.ts by the dashboard function.\nexport const apiRoutes = ${JSON.stringify(apiRoutes)};\n`;
    routesAsset = { body, contentType: 'text/javascript; charset=utf-8', etag: etagOf(body) };
  }
  return routesAsset;
}

/** Read per request: the local stack sets the sign-in server's address after the handler is imported. */
const SIGN_IN_MODULE = 'sign-in-config.js';
function signInAsset(signIn: SignInConfig | null): LoadedAsset {
  const body = signInConfigModule(signIn);
  return { body, contentType: 'text/javascript; charset=utf-8', etag: etagOf(body) };
}

function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

function serve(event: HttpEvent, asset: DashboardAsset): HttpResult {
  return serveLoaded(event, asset, load(asset));
}

function serveLoaded(event: HttpEvent, asset: string, { body, contentType, etag }: LoadedAsset): HttpResult {
  // The page must pick up a new deployment at once; the scripts revalidate cheaply by ETag.
  const headers = {
    'content-type': contentType,
    etag,
    'cache-control': asset === 'index.html' ? 'no-cache' : 'public, max-age=60',
    'x-content-type-options': 'nosniff',
    // The page holds a write-scoped token: nothing but its own files and its own API may run or be
    // reached, and no other site may frame it.
    'content-security-policy': contentSecurityPolicy(signInConfigFromEnv()),
    'referrer-policy': 'no-referrer',
  };
  if (headerValue(event, 'if-none-match') === etag) return { statusCode: 304, headers };
  return { statusCode: 200, headers, body };
}

function isAsset(name: string): name is DashboardAsset {
  return Object.hasOwn(dashboardAssets, name);
}

/** A listed asset's file (callers checked the name with isAsset). */
function fileOf(asset: DashboardAsset): DashboardAssetFile {
  return dashboardAssets[asset] as DashboardAssetFile;
}

export const handler = instrumented(
  httpRouter<'dashboard'>(
    {
      'GET /dashboard': async (event) => serve(event, 'index.html'),
      'GET /dashboard/{asset}': async (event) => {
        const name = pathParameter(event, 'asset');
        if (name === ROUTES_MODULE) return serveLoaded(event, ROUTES_MODULE, routesModule());
        if (name === SIGN_IN_MODULE) return serveLoaded(event, SIGN_IN_MODULE, signInAsset(signInConfigFromEnv()));
        if (!isAsset(name)) throw new HttpError(404, 'not_found', `no dashboard file ${name}`, 'asset');
        return serve(event, name);
      },
    },
    runtime,
  ),
  runtime,
);
