/**
 * The local stand-in for the ops API's JWT authorizer (Cognito-issued access tokens in AWS): the
 * local stack holds an RSA key, issues RS256 access tokens shaped like Cognito's (`client_id`,
 * `username`, `scope`, `token_use: access`), and checks them as API Gateway's JWT authorizer does:
 * signature, issuer, audience (`aud` or `client_id`), expiry and not-before; then the route's scope.
 * The ops handler therefore reads the same `requestContext.authorizer.jwt` locally as on AWS.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';

/** What a verified token hands the handler, as API Gateway's payload format 2.0 puts it. */
export interface JwtAuthorization {
  readonly claims: Record<string, string>;
  readonly scopes: string[] | null;
}

export type AuthorizationOutcome =
  | { readonly ok: true; readonly authorization: JwtAuthorization }
  | { readonly ok: false; readonly status: 401 | 403; readonly reason: string };

export interface TokenRequest {
  readonly username: string;
  readonly scopes: readonly string[];
  /** @default 12 hours */
  readonly ttlSeconds?: number;
}

export const LOCAL_ISSUER = 'http://127.0.0.1/clickprice-local-issuer';
export const LOCAL_CLIENT_ID = 'clickprice-local-ops';

const KEY_ID = 'clickprice-local';

export class LocalJwtAuthorizer {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  /** A fresh key pair, or the PEM of one kept from an earlier run (so printed tokens stay valid). */
  constructor(privateKeyPem?: string) {
    if (privateKeyPem === undefined) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      this.privateKey = pair.privateKey;
      this.publicKey = pair.publicKey;
    } else {
      this.privateKey = createPrivateKey(privateKeyPem);
      this.publicKey = createPublicKey(this.privateKey);
    }
  }

  /** The private key, to keep beside the data dir. */
  privateKeyPem(): string {
    return this.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  /** An access token as Cognito's client-credentials or hosted-UI flow would issue it. */
  issue(request: TokenRequest, nowMs = Date.now()): string {
    const iat = Math.floor(nowMs / 1000);
    const header = { alg: 'RS256', typ: 'JWT', kid: KEY_ID };
    const payload = {
      iss: LOCAL_ISSUER,
      client_id: LOCAL_CLIENT_ID,
      sub: randomUUID(),
      username: request.username,
      token_use: 'access',
      scope: request.scopes.join(' '),
      iat,
      nbf: iat,
      exp: iat + (request.ttlSeconds ?? 12 * 3600),
      jti: randomUUID(),
    };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    const signature = sign('sha256', Buffer.from(signingInput), this.privateKey).toString('base64url');
    return `${signingInput}.${signature}`;
  }

  /**
   * Authorizes a request to a route that needs `scope`, given its Authorization header. 401 for a
   * missing, malformed, forged or expired token; 403 for a good token without the scope.
   */
  authorize(authorizationHeader: string | undefined, scope: string, nowMs = Date.now()): AuthorizationOutcome {
    if (authorizationHeader === undefined || authorizationHeader.trim() === '') {
      return { ok: false, status: 401, reason: 'missing Authorization header' };
    }
    const token = authorizationHeader.replace(/^Bearer\s+/i, '').trim();
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, status: 401, reason: 'not a JWT' };
    const [encodedHeader, encodedPayload, signature] = parts as [string, string, string];
    const header = decodeSegment(encodedHeader);
    const payload = decodeSegment(encodedPayload);
    if (header === undefined || payload === undefined) {
      return { ok: false, status: 401, reason: 'token header and payload must be JSON objects' };
    }
    if (header.alg !== 'RS256' || header.kid !== KEY_ID)
      return { ok: false, status: 401, reason: 'unknown signing key' };
    const signed = verify(
      'sha256',
      Buffer.from(`${encodedHeader}.${encodedPayload}`),
      this.publicKey,
      Buffer.from(signature, 'base64url'),
    );
    if (!signed) return { ok: false, status: 401, reason: 'bad signature' };
    const nowSeconds = Math.floor(nowMs / 1000);
    if (payload.iss !== LOCAL_ISSUER) return { ok: false, status: 401, reason: 'wrong issuer' };
    if (payload.aud !== LOCAL_CLIENT_ID && payload.client_id !== LOCAL_CLIENT_ID) {
      return { ok: false, status: 401, reason: 'wrong audience' };
    }
    if (typeof payload.exp !== 'number' || payload.exp <= nowSeconds)
      return { ok: false, status: 401, reason: 'token expired' };
    if (typeof payload.nbf === 'number' && payload.nbf > nowSeconds)
      return { ok: false, status: 401, reason: 'token not yet valid' };
    const scopes = typeof payload.scope === 'string' && payload.scope !== '' ? payload.scope.split(' ') : null;
    if (scopes === null || !scopes.includes(scope)) {
      return { ok: false, status: 403, reason: `token lacks scope ${scope}` };
    }
    // API Gateway passes every claim to the function as a string.
    const claims = Object.fromEntries(
      Object.entries(payload).map(([name, value]) => [name, typeof value === 'string' ? value : String(value)]),
    );
    return { ok: true, authorization: { claims, scopes } };
  }
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** A token segment's JSON object; undefined for anything else (bad base64url or JSON, `null`, an array, a number). */
function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
