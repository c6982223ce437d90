/**
 * Signing in to the ops dashboard in headless Chromium, as in AWS: the page sends the person to the
 * sign-in domain (the local stand-in for the ops user pool's hosted UI), comes back with a code,
 * exchanges it with its PKCE verifier, renews the access token before it expires, and signs out
 * (refresh token revoked, the domain's session ended). A read-only person sees every action
 * disabled; a writer does not. The local API runs the real handler modules on the shared stack, its
 * sign-in issuing 6-second access tokens so that a renewal happens within the test.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '../../local/local-api.js';
import { LOCAL_CLIENT_ID } from '../../local/local-jwt-authorizer.js';
import { localStackEnvironment } from '../../local/local-stack.js';
import { type BrowserPage, openBrowserPage, skipBrowserSuite } from '../helpers/chromium.js';
import { useLocalStack } from '../helpers/local-stack.js';

const TOKEN_TTL_SECONDS = 6;
const ACCESS_TOKEN = `sessionStorage.getItem('clickprice.opsToken')`;
const REFRESH_TOKEN = `sessionStorage.getItem('clickprice.opsRefreshToken')`;

describe.skipIf(skipBrowserSuite('ops-sign-in.browser'))('ops sign-in in headless Chromium', () => {
  const stack = useLocalStack();
  let api: LocalApi;
  let ui: BrowserPage | undefined;
  let page: Page;

  beforeAll(async () => {
    Object.assign(process.env, localStackEnvironment(stack));
    api = await startLocalApi({ advertise: false, signInTokenTtlSeconds: TOKEN_TTL_SECONDS });
    ui = await openBrowserPage();
    page = ui.page;
  }, 60_000);

  afterAll(async () => {
    await ui?.browser.close().catch(() => undefined);
    await api?.stop();
  }, 30_000);

  const personButton = (username: string) =>
    page
      .getByTestId('sign-in-as')
      .filter({ hasText: new RegExp(`^${username.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `) });
  const running = () => page.locator('body[data-state=running]').waitFor();

  it('sends a person without a token to the sign-in page and back, signed in with a code and PKCE', async () => {
    await page.goto(`${api.url}/dashboard`);
    await page.getByTestId('sign-in').click();
    await page.waitForURL((url) => url.origin === api.signInUrl && url.pathname === '/oauth2/authorize');
    const authorize = new URL(page.url());
    expect(authorize.searchParams.get('client_id')).toBe(LOCAL_CLIENT_ID);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${api.url}/dashboard`);

    await personButton(`${api.actor}-reader`).click();
    await running();
    // The code and state are gone from the address bar; the page is on its products view.
    expect(page.url()).toBe(`${api.url}/dashboard#/products`);
    expect(await page.evaluate(REFRESH_TOKEN)).toEqual(expect.any(String));
    await expect.poll(() => page.getByTestId('sign-out').isVisible()).toBe(true);
    expect(await page.getByTestId('change-token').isVisible()).toBe(false);
  }, 60_000);

  it('shows a read-only person every header action disabled', async () => {
    await page.getByTestId('kill-switch-toggle').waitFor();
    expect(await page.getByTestId('kill-switch-toggle').isDisabled()).toBe(true);
    expect(await page.getByTestId('shadow-mode-toggle').isDisabled()).toBe(true);
  });

  it('renews the access token before it expires, and keeps reading the API with the new one', async () => {
    const first = (await page.evaluate(ACCESS_TOKEN)) as string;
    await expect
      .poll(() => page.evaluate(ACCESS_TOKEN), { timeout: TOKEN_TTL_SECONDS * 2_000, interval: 250 })
      .not.toBe(first);
    // Past the first token's expiry the page still reads: the feed's poll succeeds with the new one.
    await page.waitForTimeout(TOKEN_TTL_SECONDS * 1_000);
    expect(await page.locator('body').getAttribute('data-state')).toBe('running');
    const polledAt = Date.now();
    await expect
      .poll(
        async () =>
          (await page.getByTestId('live-status').getAttribute('data-state')) === 'ok' && Date.now() > polledAt + 2_500,
        {
          timeout: 10_000,
        },
      )
      .toBe(true);
  }, 40_000);

  it('signs out: the refresh token is revoked and the next sign-in asks who you are again', async () => {
    const refreshToken = (await page.evaluate(REFRESH_TOKEN)) as string;
    await page.getByTestId('sign-out').click();
    await page.waitForURL(`${api.url}/dashboard`);
    await page.getByTestId('sign-in').waitFor();
    expect(await page.evaluate(ACCESS_TOKEN)).toBeNull();
    expect(await page.evaluate(REFRESH_TOKEN)).toBeNull();
    const refused = await fetch(`${api.signInUrl}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: LOCAL_CLIENT_ID,
        refresh_token: refreshToken,
      }),
    });
    expect(refused.status).toBe(400);

    await page.getByTestId('sign-in').click();
    await personButton(api.actor).click();
    await running();
    await page.getByTestId('kill-switch-toggle').waitFor();
    expect(await page.getByTestId('kill-switch-toggle').isDisabled()).toBe(false);
  }, 60_000);

  it('does all of it under the dashboard Content-Security-Policy, which lets the page reach only its API and the sign-in domain', async () => {
    const response = await fetch(`${api.url}/dashboard`);
    expect(response.headers.get('content-security-policy')).toContain(`connect-src 'self' ${api.signInUrl};`);
    expect(ui?.policyViolations).toEqual([]);
  });
});
