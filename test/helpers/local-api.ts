import { afterAll } from 'vitest';
import { OPS_SCOPES } from '../../definitions/api-routes.js';
import { type TableId, tableEnvVar, tables } from '../../definitions/resources.js';
import { loadApiHandlers, startHttpGateway } from '../../local/http-gateway.js';
import { LocalJwtAuthorizer } from '../../local/local-jwt-authorizer.js';
import { type LocalStackInfo, localStackEnvironment } from '../../local/local-stack.js';

export interface TestApi {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly authorizer: LocalJwtAuthorizer;
  /** A bearer token for `username` with these scopes (default: read and write). */
  token(username?: string, scopes?: readonly string[]): string;
  /** `fetch` against the API, with a bearer token unless `token: null`. */
  request(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
}

/**
 * The local HTTP API (the local API Gateway with the real handler modules) on the shared stack, its
 * handlers pointed at `tableOverrides` (scratch tables) where given. Handler modules read their
 * tables once, at import, so a suite calls this once, before anything imports them; stopped after the suite.
 */
export async function startTestApi(
  stack: LocalStackInfo,
  tableOverrides: Partial<Record<TableId, string>> = {},
  options: { storefrontOrigins?: readonly string[] } = {},
): Promise<TestApi> {
  Object.assign(process.env, localStackEnvironment(stack));
  for (const [id, name] of Object.entries(tableOverrides)) process.env[tableEnvVar(tables[id as TableId])] = name;
  const authorizer = new LocalJwtAuthorizer();
  const gateway = await startHttpGateway({ handlers: await loadApiHandlers(), authorizer, ...options });
  afterAll(() => gateway.stop());
  const token = (username = 'test-ops', scopes: readonly string[] = [OPS_SCOPES.read, OPS_SCOPES.write]) =>
    authorizer.issue({ username, scopes });
  const defaultToken = token();
  return {
    url: gateway.url,
    authorizer,
    token,
    request(path, init = {}) {
      const { token: bearer = defaultToken, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (bearer !== null && !headers.has('authorization')) headers.set('authorization', `Bearer ${bearer}`);
      return fetch(`${gateway.url}${path}`, { ...rest, headers });
    },
  };
}
