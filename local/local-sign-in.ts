/**
 * The local stand-in for the ops user pool's domain (Cognito's sign-in pages and OAuth 2.0 endpoints),
 * so the dashboard signs in locally exactly as in AWS: authorization code grant with PKCE (S256) for
 * a public client, refresh, revocation and sign-out, on its own origin as Cognito's domain is.
 *
 * - `GET /oauth2/authorize`: with the sign-in cookie, straight back to the app with a code; without
 *   it, a page to pick one of the local people (the writer and the read-only reader `npm start`
 *   prints tokens for). Loopback only, so there is no password: the person at the keyboard owns the stack.
 * - `POST /oauth2/token`: `authorization_code` (code, redirect_uri and code_verifier checked, the
 *   code single-use and valid 5 minutes) and `refresh_token` grants, answering as Cognito does.
 * - `POST /oauth2/revoke`: ends a refresh token. `GET /logout`: forgets the sign-in cookie and
 *   returns to a registered URL.
 *
 * The people's scopes are what Cognito's pre-token trigger leaves them (opsScopesToSuppress).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { OPS_GROUPS, OPS_SCOPES, opsScopesToSuppress } from '../definitions/api-routes.js';
import { LOCAL_CLIENT_ID, type LocalJwtAuthorizer } from './local-jwt-authorizer.js';
import { closeServer, listenOnLoopback, sendJson } from './loopback-server.js';
import { choosePort } from './ports.js';

export interface LocalPerson {
  readonly username: string;
  readonly groups: readonly string[];
}

export interface LocalSignInOptions {
  readonly authorizer: LocalJwtAuthorizer;
  /** Where a code may be sent and a sign-out may land (the app client's callback and sign-out URLs). */
  readonly redirectUris: readonly string[];
  readonly people: readonly LocalPerson[];
  /** @default 3600, as the people app client's */
  readonly accessTokenTtlSeconds?: number;
  /** @default a free port */
  readonly port?: number;
}

export interface LocalSignIn {
  /** `http://127.0.0.1:PORT`: the OPS_SIGN_IN_URL of the dashboard. */
  readonly url: string;
  readonly clientId: string;
  stop(): Promise<void>;
}

/** The scopes a member of these groups ends up with, after the pre-token trigger (ops-token-scopes.ts). */
export function scopesOfGroups(groups: readonly string[]): string[] {
  const suppressed = opsScopesToSuppress(groups);
  return Object.values(OPS_SCOPES).filter((scope) => !suppressed.includes(scope));
}

/** The local stack's two people: the one running it (a writer) and a read-only reader. */
export function localPeople(actor: string): LocalPerson[] {
  return [
    { username: actor, groups: [OPS_GROUPS.writers] },
    { username: `${actor}-reader`, groups: [OPS_GROUPS.readers] },
  ];
}

const CODE_TTL_MS = 5 * 60_000;
const REFRESH_TTL_MS = 12 * 3600_000;
const SESSION_COOKIE = 'clickprice-local-sign-in';

interface PendingCode {
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly person: LocalPerson;
  readonly requestedScopes: readonly string[];
  readonly expiresAt: number;
}

interface Grant {
  readonly person: LocalPerson;
  readonly scopes: readonly string[];
  readonly expiresAt: number;
}

class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    description: string,
  ) {
    super(description);
  }
}

export async function startLocalSignIn(options: LocalSignInOptions): Promise<LocalSignIn> {
  const port = await choosePort(options.port, 'the local ops sign-in', '--sign-in-port');
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, Grant>();
  const sessions = new Map<string, LocalPerson>();
  const ttlSeconds = options.accessTokenTtlSeconds ?? 3600;

  // The chooser's form posts here and is redirected on to the app: CSP checks both.
  const formTargets = ["'self'", ...new Set(options.redirectUris.map((uri) => new URL(uri).origin))].join(' ');
  const personNamed = (username: string) => options.people.find((person) => person.username === username);

  /** The authorize request's parameters, checked; a bad redirect_uri is never redirected to. */
  function authorizeRequest(params: URLSearchParams) {
    const redirectUri = params.get('redirect_uri') ?? '';
    if (params.get('client_id') !== LOCAL_CLIENT_ID) throw new OAuthError(400, 'invalid_client', 'unknown client_id');
    if (!options.redirectUris.includes(redirectUri)) {
      throw new OAuthError(400, 'invalid_request', `redirect_uri ${JSON.stringify(redirectUri)} is not registered`);
    }
    const redirectError = (code: string, description: string) => {
      const target = new URL(redirectUri);
      target.searchParams.set('error', code);
      target.searchParams.set('error_description', description);
      const state = params.get('state');
      if (state !== null) target.searchParams.set('state', state);
      return target.toString();
    };
    if (params.get('response_type') !== 'code') {
      return { ok: false, to: redirectError('unsupported_response_type', 'response_type must be code') } as const;
    }
    const challenge = params.get('code_challenge') ?? '';
    if (params.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      return {
        ok: false,
        to: redirectError('invalid_request', 'a public client must send a code_challenge with method S256'),
      } as const;
    }
    const requestedScopes = (params.get('scope') ?? '').split(' ').filter((scope) => scope !== '');
    return { ok: true, redirectUri, challenge, requestedScopes, state: params.get('state') } as const;
  }

  function issueCode(
    request: { redirectUri: string; challenge: string; requestedScopes: readonly string[]; state: string | null },
    person: LocalPerson,
  ): string {
    const code = randomBytes(24).toString('base64url');
    codes.set(code, {
      redirectUri: request.redirectUri,
      codeChallenge: request.challenge,
      person,
      requestedScopes: request.requestedScopes,
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    const target = new URL(request.redirectUri);
    target.searchParams.set('code', code);
    if (request.state !== null) target.searchParams.set('state', request.state);
    return target.toString();
  }

  function accessTokenFor(grant: Grant) {
    return options.authorizer.issue({ username: grant.person.username, scopes: grant.scopes, ttlSeconds });
  }

  function token(form: URLSearchParams): Record<string, unknown> {
    if (form.get('client_id') !== LOCAL_CLIENT_ID) throw new OAuthError(401, 'invalid_client', 'unknown client_id');
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = form.get('code') ?? '';
      const pending = codes.get(code);
      codes.delete(code); // single use, whatever happens next
      if (pending === undefined || pending.expiresAt < Date.now())
        throw new OAuthError(400, 'invalid_grant', 'unknown, used or expired code');
      if (form.get('redirect_uri') !== pending.redirectUri)
        throw new OAuthError(400, 'invalid_grant', 'redirect_uri differs from the authorize request');
      const verifier = form.get('code_verifier') ?? '';
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || !sameText(s256(verifier), pending.codeChallenge)) {
        throw new OAuthError(400, 'invalid_grant', 'code_verifier does not match the code_challenge');
      }
      // Only the ops scopes asked for, minus what the person's groups withhold.
      const allowed = scopesOfGroups(pending.person.groups);
      const grant = {
        person: pending.person,
        scopes: allowed.filter((scope) => pending.requestedScopes.includes(scope)),
        expiresAt: Date.now() + REFRESH_TTL_MS,
      };
      const refreshToken = randomBytes(32).toString('base64url');
      refreshTokens.set(refreshToken, grant);
      return {
        access_token: accessTokenFor(grant),
        refresh_token: refreshToken,
        token_type: 'Bearer',
        expires_in: ttlSeconds,
      };
    }
    if (grantType === 'refresh_token') {
      const grant = refreshTokens.get(form.get('refresh_token') ?? '');
      if (grant === undefined || grant.expiresAt < Date.now())
        throw new OAuthError(400, 'invalid_grant', 'unknown, revoked or expired refresh token');
      return { access_token: accessTokenFor(grant), token_type: 'Bearer', expires_in: ttlSeconds };
    }
    throw new OAuthError(400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const origin = request.headers.origin;
    // Cognito's token and revoke endpoints answer cross-origin calls of single-page apps.
    const cors: Record<string, string> =
      origin === undefined ? {} : { 'access-control-allow-origin': origin, vary: 'origin' };
    try {
      if (method === 'OPTIONS') {
        response.writeHead(204, {
          ...cors,
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'content-type',
        });
        response.end();
        return;
      }
      if (method === 'GET' && url.pathname === '/oauth2/authorize') {
        const checked = authorizeRequest(url.searchParams);
        if (!checked.ok) return redirect(response, checked.to);
        const person = sessions.get(cookieOf(request) ?? '');
        if (person !== undefined) return redirect(response, issueCode(checked, person));
        return sendHtml(response, 200, chooserPage(url.searchParams, options.people), formTargets);
      }
      if (method === 'POST' && url.pathname === '/login') {
        const form = await readForm(request);
        const checked = authorizeRequest(form);
        if (!checked.ok) return redirect(response, checked.to);
        const person = personNamed(form.get('username') ?? '');
        if (person === undefined) throw new OAuthError(400, 'invalid_request', 'no such local person');
        const session = randomBytes(24).toString('base64url');
        sessions.set(session, person);
        return redirect(response, issueCode(checked, person), {
          'set-cookie': `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Lax`,
        });
      }
      if (method === 'POST' && url.pathname === '/oauth2/token') {
        return sendJson(response, 200, token(await readForm(request)), { ...cors, 'cache-control': 'no-store' });
      }
      if (method === 'POST' && url.pathname === '/oauth2/revoke') {
        const form = await readForm(request);
        if (form.get('client_id') !== LOCAL_CLIENT_ID) throw new OAuthError(400, 'invalid_client', 'unknown client_id');
        refreshTokens.delete(form.get('token') ?? '');
        response.writeHead(200, cors);
        response.end();
        return;
      }
      if (method === 'GET' && url.pathname === '/logout') {
        const target = url.searchParams.get('logout_uri') ?? '';
        if (url.searchParams.get('client_id') !== LOCAL_CLIENT_ID)
          throw new OAuthError(400, 'invalid_client', 'unknown client_id');
        if (!options.redirectUris.includes(target))
          throw new OAuthError(400, 'invalid_request', `logout_uri ${JSON.stringify(target)} is not registered`);
        sessions.delete(cookieOf(request) ?? '');
        return redirect(response, target, {
          'set-cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`,
        });
      }
      sendJson(response, 404, { error: 'not_found', error_description: `no ${method} ${url.pathname}` });
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      const body = { error: error.code, error_description: error.message };
      if (url.pathname.startsWith('/oauth2/') && method === 'POST') return sendJson(response, error.status, body, cors);
      sendHtml(
        response,
        error.status,
        page('Sign-in error', `<p role="alert">${escapeHtml(`${error.code}: ${error.message}`)}</p>`),
        formTargets,
      );
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: 'server_error', error_description: String(error) });
      else response.destroy(error as Error);
    });
  });
  return { url: await listenOnLoopback(server, port), clientId: LOCAL_CLIENT_ID, stop: () => closeServer(server) };
}

/** The PKCE S256 challenge of a verifier (RFC 7636). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function cookieOf(request: IncomingMessage): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value;
  }
  return undefined;
}

/** The pick-a-person page; each button posts the authorize request's parameters back with a username. */
function chooserPage(params: URLSearchParams, people: readonly LocalPerson[]): string {
  const hidden = [...params]
    .filter(([name]) => name !== 'username')
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const buttons = people
    .map(
      (person) =>
        `<button type="submit" name="username" value="${escapeHtml(person.username)}" data-testid="sign-in-as">${escapeHtml(person.username)} <small>(${escapeHtml(person.groups.join(', '))}: ${escapeHtml(scopesOfGroups(person.groups).join(' '))})</small></button>`,
    )
    .join('<br>');
  return page(
    'Sign in to clickprice ops (local)',
    `<p>The local stack's stand-in for the ops user pool's sign-in page. Pick who you are:</p><form method="post" action="/login">${hidden}${buttons}</form>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const type = request.headers['content-type'] ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    throw new OAuthError(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
  }
  let text = '';
  for await (const chunk of request) {
    text += chunk;
    if (text.length > 64 * 1024) throw new OAuthError(400, 'invalid_request', 'body too large');
  }
  return new URLSearchParams(text);
}

function redirect(response: ServerResponse, location: string, headers: Record<string, string> = {}) {
  response.writeHead(302, { location, 'cache-control': 'no-store', ...headers });
  response.end();
}

function sendHtml(response: ServerResponse, status: number, html: string, formTargets: string) {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `default-src 'none'; form-action ${formTargets}; frame-ancestors 'none'`,
    'cache-control': 'no-store',
  });
  response.end(html);
}
