import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiRoutes, OPS_SCOPES } from '../../../definitions/api-routes.js';
import { dashboardAssets } from '../../../functions/handlers/dashboard-assets.js';
import { OPS_SIGN_IN_CLIENT_ID_ENV, OPS_SIGN_IN_URL_ENV } from '../../../functions/handlers/dashboard-sign-in.js';
import { startTestApi } from '../../helpers/local-api.js';
import { useLocalStack } from '../../helpers/local-stack.js';

/** The dashboard function, behind the local API Gateway: public static files, and the route table. */
const api = await startTestApi(useLocalStack());

describe('the dashboard function', () => {
  it('serves the page without a token, under a strict Content-Security-Policy', async () => {
    const response = await api.request('/dashboard', { token: null });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(await response.text()).toContain('<script type="module"');
  });

  it('serves every listed asset with its content type, and 304 for a matching ETag', async () => {
    for (const [name, { contentType }] of Object.entries(dashboardAssets)) {
      const response = await api.request(`/dashboard/${name}`, { token: null });
      expect(response.status, name).toBe(200);
      expect(response.headers.get('content-type')).toBe(contentType);
      const again = await api.request(`/dashboard/${name}`, {
        token: null,
        headers: { 'if-none-match': response.headers.get('etag') ?? '' },
      });
      expect(again.status, name).toBe(304);
    }
  });

  it('serves the route table the page calls the ops API by, exactly as definitions/api-routes.ts defines it', async () => {
    const response = await api.request('/dashboard/api-routes.js', { token: null });
    expect(response.status).toBe(200);
    const source = await response.text();
    const module = await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);
    expect(module.apiRoutes).toEqual(apiRoutes);
  });

  it('serves the sign-in its environment configures, and lets the page reach that domain and no other', async () => {
    const saved = { url: process.env[OPS_SIGN_IN_URL_ENV], client: process.env[OPS_SIGN_IN_CLIENT_ID_ENV] };
    try {
      process.env[OPS_SIGN_IN_URL_ENV] = 'https://clickprice-dev-1.auth.eu-west-1.amazoncognito.com/';
      process.env[OPS_SIGN_IN_CLIENT_ID_ENV] = 'people-client';
      const configured = await api.request('/dashboard/sign-in-config.js', { token: null });
      const module = await import(
        `data:text/javascript;base64,${Buffer.from(await configured.text()).toString('base64')}`
      );
      expect(module.signInConfig).toEqual({
        authority: 'https://clickprice-dev-1.auth.eu-west-1.amazoncognito.com',
        clientId: 'people-client',
        scopes: ['openid', OPS_SCOPES.read, OPS_SCOPES.write],
      });
      const page = await api.request('/dashboard', { token: null });
      expect(page.headers.get('content-security-policy')).toContain(
        "connect-src 'self' https://clickprice-dev-1.auth.eu-west-1.amazoncognito.com;",
      );

      delete process.env[OPS_SIGN_IN_URL_ENV];
      const none = await api.request('/dashboard/sign-in-config.js', { token: null });
      expect(await none.text()).toContain('export const signInConfig = null;');
      const bare = await api.request('/dashboard', { token: null });
      expect(bare.headers.get('content-security-policy')).toContain("connect-src 'self';");
    } finally {
      for (const [name, value] of [
        [OPS_SIGN_IN_URL_ENV, saved.url],
        [OPS_SIGN_IN_CLIENT_ID_ENV, saved.client],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('names in its calls only routes of the table, so a renamed route cannot go unnoticed', () => {
    const dashboardDir = new URL('../../../dashboard/', import.meta.url);
    const called = readdirSync(dashboardDir)
      .filter((file) => file.endsWith('.js'))
      .flatMap((file) => [...readFileSync(new URL(file, dashboardDir), 'utf8').matchAll(/call\('([A-Z]+ \/[^']*)'/g)])
      .map((match) => match[1]);
    expect(called.length).toBeGreaterThanOrEqual(13);
    expect(called.filter((key) => !Object.hasOwn(apiRoutes, key as string))).toEqual([]);
  });

  it('lists every module the page imports, so none is missing beside the bundle on Lambda', () => {
    const dashboardDir = new URL('../../../dashboard/', import.meta.url);
    const imported = readdirSync(dashboardDir)
      .filter((file) => file.endsWith('.js'))
      .flatMap((file) => [...readFileSync(new URL(file, dashboardDir), 'utf8').matchAll(/from '\.\/([^']+)'/g)])
      .map((match) => match[1] as string);
    expect(imported).toContain('evidence.js');
    // api-routes.js and sign-in-config.js are made by the dashboard function (tested here).
    const generated = ['api-routes.js', 'sign-in-config.js'];
    const unlisted = imported.filter((name) => !generated.includes(name) && !Object.hasOwn(dashboardAssets, name));
    expect([...new Set(unlisted)]).toEqual([]);
  });

  it('answers a file it does not have 404, naming the asset', async () => {
    const response = await api.request('/dashboard/secrets.env', { token: null });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found', field: 'asset' });
  });
});
