/**
 * Signing in on the ops user pool's pages (Cognito's hosted UI in AWS, the local stack's stand-in
 * locally): OAuth 2.0 authorization code grant with PKCE, as a public client that keeps no secret.
 * The access token goes where the page reads it (sessionStorage, TOKEN_KEY); the refresh token
 * renews it before it expires; signing out revokes the refresh token and ends the pool's session.
 * Everything lives in sessionStorage: closing the tab forgets it.
 */
import { TOKEN_KEY } from './access.js';
import { signInConfig } from './sign-in-config.js';

const REFRESH_KEY = 'clickprice.opsRefreshToken';
const REFRESH_AT_KEY = 'clickprice.opsRefreshAt';
const PENDING_KEY = 'clickprice.opsSignIn';
/** Renew once this share of the token's lifetime has passed, leaving slack for a slow answer. */
const RENEW_AFTER = 0.8;

/** Whether this deployment has a sign-in domain (without one the page takes a pasted token). */
export const signInAvailable = signInConfig !== null;

/** The page's own address, registered as the app client's callback and sign-out URL. */
const redirectUri = () => `${window.location.origin}${window.location.pathname}`;

function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

const randomText = (byteCount) => base64url(crypto.getRandomValues(new Uint8Array(byteCount)));

/** Goes to the sign-in page; it comes back to this page with `?code=…&state=…`. */
export async function beginSignIn() {
  if (signInConfig === null) throw new Error('No sign-in is configured for this dashboard');
  const verifier = randomText(32);
  const state = randomText(16);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ state, verifier, hash: window.location.hash }));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: signInConfig.clientId,
    redirect_uri: redirectUri(),
    scope: signInConfig.scopes.join(' '),
    state,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: 'S256',
  });
  window.location.assign(`${signInConfig.authority}/oauth2/authorize?${query}`);
}

/**
 * Finishes a sign-in the page started, when the address carries its answer: exchanges the code for
 * tokens and takes the answer out of the address bar. Resolves to false when there was nothing to
 * finish; throws with the reason when the answer is an error or not for this page.
 */
export async function completeSignIn() {
  const params = new URLSearchParams(window.location.search);
  if (signInConfig === null || (!params.has('code') && !params.has('error'))) return false;
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null');
  sessionStorage.removeItem(PENDING_KEY);
  window.history.replaceState(null, '', `${window.location.pathname}${pending?.hash || '#/products'}`);
  if (params.has('error')) {
    throw new Error(`Sign-in failed: ${params.get('error')} (${params.get('error_description') ?? 'no description'})`);
  }
  if (pending === null || pending.state !== params.get('state')) {
    throw new Error('This sign-in answer is not for a sign-in this page started: sign in again.');
  }
  keep(
    await tokenRequest({
      grant_type: 'authorization_code',
      client_id: signInConfig.clientId,
      code: params.get('code') ?? '',
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  );
  return true;
}

/** Whether the token in use came from a sign-in that can be renewed (and signed out of). */
export function hasSession() {
  return signInConfig !== null && sessionStorage.getItem(REFRESH_KEY) !== null;
}

let renewing = null;
let renewTimer;

/**
 * A new access token from the refresh token; resolves to false (and forgets the session) when the
 * pool refuses it: revoked, expired, or the person removed. Concurrent callers share one request.
 */
export function renew() {
  const refreshToken = sessionStorage.getItem(REFRESH_KEY);
  if (signInConfig === null || refreshToken === null) return Promise.resolve(false);
  renewing ??= tokenRequest({
    grant_type: 'refresh_token',
    client_id: signInConfig.clientId,
    refresh_token: refreshToken,
  })
    .then((tokens) => {
      keep(tokens);
      return true;
    })
    .catch(() => {
      forgetSession();
      return false;
    })
    .finally(() => {
      renewing = null;
    });
  return renewing;
}

/**
 * Keeps the session's token fresh: renews it when RENEW_AFTER of its lifetime has passed, then again
 * for the next one. `onLost` is told when renewing fails.
 */
export function keepFresh(onLost) {
  clearTimeout(renewTimer);
  if (!hasSession()) return;
  const due = Number(sessionStorage.getItem(REFRESH_AT_KEY) ?? 0) - Date.now();
  renewTimer = setTimeout(
    async () => {
      if (await renew()) keepFresh(onLost);
      else onLost();
    },
    Math.max(0, due),
  );
}

/** Forgets the tokens without telling the pool (a pasted token replaces them, say). */
export function forgetSession() {
  clearTimeout(renewTimer);
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(REFRESH_KEY);
  sessionStorage.removeItem(REFRESH_AT_KEY);
}

/** Revokes the refresh token, forgets the tokens, and ends the pool's session, landing back on this page. */
export async function signOut() {
  const refreshToken = sessionStorage.getItem(REFRESH_KEY);
  forgetSession();
  if (signInConfig === null) return;
  if (refreshToken !== null) {
    try {
      await postForm('/oauth2/revoke', { token: refreshToken, client_id: signInConfig.clientId });
    } catch {
      // The pool's session still ends below; the refresh token then only expires.
    }
  }
  const query = new URLSearchParams({ client_id: signInConfig.clientId, logout_uri: redirectUri() });
  window.location.assign(`${signInConfig.authority}/logout?${query}`);
}

function keep(tokens) {
  sessionStorage.setItem(TOKEN_KEY, tokens.access_token);
  if (tokens.refresh_token) sessionStorage.setItem(REFRESH_KEY, tokens.refresh_token);
  const lifetimeMs = Number(tokens.expires_in) * 1000;
  sessionStorage.setItem(REFRESH_AT_KEY, String(Date.now() + lifetimeMs * RENEW_AFTER));
}

async function postForm(path, fields) {
  if (signInConfig === null) throw new Error('No sign-in is configured for this dashboard');
  return fetch(`${signInConfig.authority}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
    cache: 'no-store',
  });
}

async function tokenRequest(fields) {
  const response = await postForm('/oauth2/token', fields);
  const body = await response.json().catch(() => ({}));
  if (!response.ok || typeof body.access_token !== 'string') {
    throw new Error(
      `The sign-in service refused: ${body.error ?? response.status} (${body.error_description ?? 'no description'})`,
    );
  }
  return body;
}
