/**
 * The local stack's HTTP API: the local API Gateway serving the storefront, ops and dashboard
 * handler modules, with an ops token for whoever runs `npm start`. With a data dir the signing key
 * is kept there, so a token printed by an earlier run stays valid after a restart.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { OPS_SIGN_IN_CLIENT_ID_ENV, OPS_SIGN_IN_URL_ENV } from '../functions/handlers/dashboard-sign-in.js';
import { type LocalApiDiscovery, removeDiscovery, writeDiscovery } from './api-discovery.js';
import { type AccessLogEntry, loadApiHandlers, startHttpGateway } from './http-gateway.js';
import { LocalJwtAuthorizer } from './local-jwt-authorizer.js';
import { type LocalPerson, localPeople, scopesOfGroups, startLocalSignIn } from './local-sign-in.js';

export interface LocalApiOptions {
  /** @default a free port */
  readonly port?: number;
  /** Keep the token signing key here. @default none (a new key, and new tokens, every run) */
  readonly dataDir?: string | null;
  /** Tell the ops CLI where the API is (see api-discovery.ts). @default true */
  readonly advertise?: boolean;
  /** Lifetime of the access tokens the local sign-in issues. @default 3600, as in AWS */
  readonly signInTokenTtlSeconds?: number;
  /** Advertised too: the stream consumers' environment and dead-letter directory. @default none */
  readonly pipeline?: LocalApiDiscovery['pipeline'];
}

export interface LocalApi {
  readonly url: string;
  /** The local stand-in for the ops user pool's sign-in domain (see local-sign-in.ts). */
  readonly signInUrl: string;
  /** The dashboard's address, carrying the ops token in its fragment (never sent to the server). */
  readonly dashboardUrl: string;
  /** A bearer token with both ops scopes, for the person running the stack (an ops-writers member). */
  readonly opsToken: string;
  /** A token with ops.read only, as an ops-readers member gets it in AWS (opsScopesToSuppress, definitions/api-routes.ts). */
  readonly opsReadToken: string;
  readonly actor: string;
  stats(): { requests: number; clientErrors: number; serverErrors: number };
  stop(): Promise<void>;
}

/** Starts the API; the handlers' environment (tables, endpoints) must already be set. */
export async function startLocalApi(options: LocalApiOptions = {}): Promise<LocalApi> {
  const authorizer = new LocalJwtAuthorizer(loadOrCreateKey(options.dataDir ?? null));
  const counts = { requests: 0, clientErrors: 0, serverErrors: 0 };
  const accessLog = (entry: AccessLogEntry) => {
    counts.requests++;
    if (entry.status >= 500) counts.serverErrors++;
    else if (entry.status >= 400) counts.clientErrors++;
  };
  const gateway = await startHttpGateway({
    handlers: await loadApiHandlers(),
    authorizer,
    port: options.port,
    accessLog,
  });
  const actor = `${userInfo().username}@local`;
  // The scopes Cognito's pre-token trigger leaves a writer and a reader (ops-token-scopes.ts).
  const [writer, reader] = localPeople(actor) as [LocalPerson, LocalPerson];
  const opsToken = authorizer.issue({ username: writer.username, scopes: scopesOfGroups(writer.groups) });
  const opsReadToken = authorizer.issue({ username: reader.username, scopes: scopesOfGroups(reader.groups) });
  // The dashboard signs in there as it does on the ops user pool's domain in AWS.
  const signIn = await startLocalSignIn({
    authorizer,
    redirectUris: [`${gateway.url}/dashboard`],
    people: [writer, reader],
    accessTokenTtlSeconds: options.signInTokenTtlSeconds,
  });
  process.env[OPS_SIGN_IN_URL_ENV] = signIn.url;
  process.env[OPS_SIGN_IN_CLIENT_ID_ENV] = signIn.clientId;
  const advertise = options.advertise ?? true;
  if (advertise)
    writeDiscovery({
      url: gateway.url,
      token: opsToken,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      ...(options.pipeline ? { pipeline: options.pipeline } : {}),
    });
  let stopped: Promise<void> | undefined;
  return {
    url: gateway.url,
    signInUrl: signIn.url,
    dashboardUrl: `${gateway.url}/dashboard#token=${opsToken}`,
    opsToken,
    opsReadToken,
    actor,
    stats: () => ({ ...counts }),
    stop() {
      stopped ??= (async () => {
        if (advertise) removeDiscovery(process.pid);
        await Promise.all([gateway.stop(), signIn.stop()]);
      })();
      return stopped;
    },
  };
}

function loadOrCreateKey(dataDir: string | null): string | undefined {
  if (dataDir === null) return undefined;
  const path = join(dataDir, 'api', 'jwt-signing-key.pem');
  if (existsSync(path)) return readFileSync(path, 'utf8');
  const key = new LocalJwtAuthorizer().privateKeyPem();
  mkdirSync(join(dataDir, 'api'), { recursive: true, mode: 0o700 });
  writeFileSync(path, key, { mode: 0o600 });
  return key;
}
