/**
 * The local stand-in for the ops user pool's domain, spoken to as the dashboard (or any public
 * client) speaks OAuth 2.0 to Cognito: authorization code with PKCE, refresh, revocation, sign-out.
 * Its tokens are the ones the local API Gateway's authorizer checks, with the scopes the pre-token
 * trigger would leave each person.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPS_SCOPES } from '../../../definitions/api-routes.js';
import { LOCAL_CLIENT_ID, LocalJwtAuthorizer } from '../../../local/local-jwt-authorizer.js';
import { type LocalSignIn, localPeople, s256, startLocalSignIn } from '../../../local/local-sign-in.js';

const REDIRECT = 'http://127.0.0.1:9/dashboard';
const SCOPES = ['openid', OPS_SCOPES.read, OPS_SCOPES.write].join(' ');
const [WRITER, READER] = localPeople('tester@local').map((person) => person.username) as [string, string];

describe('local ops sign-in (the user pool domain stand-in)', () => {
  const authorizer = new LocalJwtAuthorizer();
  let signIn: LocalSignIn;

  beforeAll(async () => {
    signIn = await startLocalSignIn({
      authorizer,
      redirectUris: [REDIRECT],
      people: localPeople('tester@local'),
      accessTokenTtlSeconds: 120,
    });
  });
  afterAll(() => signIn?.stop());

  const authorizeQuery = (challenge: string, extra: Record<string, string> = {}) =>
    new URLSearchParams({
      response_type: 'code',
      client_id: LOCAL_CLIENT_ID,
      redirect_uri: REDIRECT,
      scope: SCOPES,
      state: 'state-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    });

  /** Picks `username` on the sign-in page; returns where it redirects and the session cookie it sets. */
  async function signInAs(username: string, challenge: string) {
    const form = authorizeQuery(challenge);
    form.set('username', username);
    const response = await fetch(`${signIn.url}/login`, { method: 'POST', body: form, redirect: 'manual' });
    expect(response.status).toBe(302);
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] as string;
    return { location: new URL(response.headers.get('location') ?? ''), cookie };
  }

  const tokenRequest = (fields: Record<string, string>, origin = 'http://127.0.0.1:9') =>
    fetch(`${signIn.url}/oauth2/token`, {
      method: 'POST',
      headers: { origin },
      body: new URLSearchParams({ client_id: LOCAL_CLIENT_ID, ...fields }),
    });

  /** The code for tokens, as the dashboard exchanges it: with its redirect URI and PKCE verifier. */
  const exchange = (code: string, verifier: string) =>
    tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });

  const newVerifier = () => randomBytes(32).toString('base64url');

  it('shows the people to pick from, and sends the picked one back with a code and the state', async () => {
    const verifier = newVerifier();
    const page = await fetch(`${signIn.url}/oauth2/authorize?${authorizeQuery(s256(verifier))}`, {
      redirect: 'manual',
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(WRITER);
    expect(html).toContain(READER);

    const { location } = await signInAs(READER, s256(verifier));
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('state-1');
    expect(location.searchParams.get('code')).toMatch(/^[\w-]{20,}$/);
  });

  it('exchanges a code only with the verifier of its challenge, and only once', async () => {
    const verifier = newVerifier();
    const code = (await signInAs(WRITER, s256(verifier))).location.searchParams.get('code') as string;

    const wrong = await exchange(code, newVerifier());
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });

    // The failed attempt used the code up, as a stolen-code attempt must.
    const verifier2 = newVerifier();
    const code2 = (await signInAs(WRITER, s256(verifier2))).location.searchParams.get('code') as string;
    const right = await exchange(code2, verifier2);
    expect(right.status).toBe(200);
    expect(right.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:9');
    const tokens = (await right.json()) as Record<string, unknown>;
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 120 });
    expect(typeof tokens.refresh_token).toBe('string');
    const granted = authorizer.authorize(`Bearer ${tokens.access_token}`, OPS_SCOPES.write);
    expect(granted.ok && granted.authorization.claims.username).toBe(WRITER);

    const again = await exchange(code2, verifier2);
    expect(again.status).toBe(400);
    const usedFirst = await exchange(code, verifier);
    expect(usedFirst.status).toBe(400);
  });

  it('gives a reader ops.read only, whatever was asked for', async () => {
    const verifier = newVerifier();
    const code = (await signInAs(READER, s256(verifier))).location.searchParams.get('code') as string;
    const tokens = (await (await exchange(code, verifier)).json()) as { access_token: string };
    expect(authorizer.authorize(`Bearer ${tokens.access_token}`, OPS_SCOPES.read).ok).toBe(true);
    expect(authorizer.authorize(`Bearer ${tokens.access_token}`, OPS_SCOPES.write)).toMatchObject({
      ok: false,
      status: 403,
    });
  });

  it('renews the access token with the refresh token until the refresh token is revoked', async () => {
    const verifier = newVerifier();
    const code = (await signInAs(WRITER, s256(verifier))).location.searchParams.get('code') as string;
    const first = (await (await exchange(code, verifier)).json()) as { access_token: string; refresh_token: string };

    const renewed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(renewed.status).toBe(200);
    const second = (await renewed.json()) as { access_token: string; refresh_token?: string };
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).toBeUndefined();
    expect(authorizer.authorize(`Bearer ${second.access_token}`, OPS_SCOPES.write).ok).toBe(true);

    const revoked = await fetch(`${signIn.url}/oauth2/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ token: first.refresh_token, client_id: LOCAL_CLIENT_ID }),
    });
    expect(revoked.status).toBe(200);
    const refused = await tokenRequest({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('skips the page while signed in, and shows it again after sign-out', async () => {
    const { cookie } = await signInAs(WRITER, s256(newVerifier()));
    const silent = await fetch(`${signIn.url}/oauth2/authorize?${authorizeQuery(s256(newVerifier()))}`, {
      headers: { cookie },
      redirect: 'manual',
    });
    expect(silent.status).toBe(302);
    expect(new URL(silent.headers.get('location') ?? '').searchParams.get('code')).not.toBeNull();

    const logout = await fetch(
      `${signIn.url}/logout?${new URLSearchParams({ client_id: LOCAL_CLIENT_ID, logout_uri: REDIRECT })}`,
      { headers: { cookie }, redirect: 'manual' },
    );
    expect(logout.status).toBe(302);
    expect(logout.headers.get('location')).toBe(REDIRECT);
    const after = await fetch(`${signIn.url}/oauth2/authorize?${authorizeQuery(s256(newVerifier()))}`, {
      headers: { cookie },
      redirect: 'manual',
    });
    expect(after.status).toBe(200);
  });

  it('never redirects to an unregistered address, and tells a registered one what was wrong', async () => {
    const elsewhere = await fetch(
      `${signIn.url}/oauth2/authorize?${authorizeQuery(s256(newVerifier()), { redirect_uri: 'https://evil.example/cb' })}`,
      { redirect: 'manual' },
    );
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.headers.get('location')).toBeNull();
    expect(await elsewhere.text()).toContain('is not registered');

    const noPkce = await fetch(
      `${signIn.url}/oauth2/authorize?${authorizeQuery('', { code_challenge_method: 'plain' })}`,
      { redirect: 'manual' },
    );
    expect(noPkce.status).toBe(302);
    const back = new URL(noPkce.headers.get('location') ?? '');
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('state')).toBe('state-1');

    const badLogout = await fetch(
      `${signIn.url}/logout?${new URLSearchParams({ client_id: LOCAL_CLIENT_ID, logout_uri: 'https://evil.example/' })}`,
      { redirect: 'manual' },
    );
    expect(badLogout.status).toBe(400);
  });

  it('answers a wrong grant type or client as Cognito does', async () => {
    const password = await tokenRequest({ grant_type: 'password' });
    expect(password.status).toBe(400);
    expect(await password.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const client = await fetch(`${signIn.url}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: 'someone-else', grant_type: 'refresh_token', refresh_token: 'x' }),
    });
    expect(client.status).toBe(401);
    expect(await client.json()).toMatchObject({ error: 'invalid_client' });
    const json = await fetch(`${signIn.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: 'invalid_request' });
  });
});
