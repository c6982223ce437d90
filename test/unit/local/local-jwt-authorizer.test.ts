import { createPrivateKey, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LocalJwtAuthorizer } from '../../../local/local-jwt-authorizer.js';

/** A token with these exact header and payload texts, signed by the authorizer's own key. */
function signedToken(authorizer: LocalJwtAuthorizer, headerJson: string, payloadJson: string): string {
  const input = `${Buffer.from(headerJson).toString('base64url')}.${Buffer.from(payloadJson).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(input), createPrivateKey(authorizer.privateKeyPem()));
  return `${input}.${signature.toString('base64url')}`;
}

describe('the local JWT authorizer, given tokens that are not what they claim', () => {
  const authorizer = new LocalJwtAuthorizer();
  const good = authorizer.issue({ username: 'ops', scopes: ['clickprice/ops.read'] });
  const [, goodPayload = '', goodSignature = ''] = good.split('.');

  it.each(['null', '[]', '7', '"RS256"'])('answers 401 (not a crash) for a header segment of %s', (headerJson) => {
    const token = `${Buffer.from(headerJson).toString('base64url')}.${goodPayload}.${goodSignature}`;

    expect(authorizer.authorize(`Bearer ${token}`, 'clickprice/ops.read')).toEqual({
      ok: false,
      status: 401,
      reason: 'token header and payload must be JSON objects',
    });
  });

  it('answers 401 for a correctly signed token whose payload is null', () => {
    const token = signedToken(authorizer, '{"alg":"RS256","typ":"JWT","kid":"clickprice-local"}', 'null');

    expect(authorizer.authorize(`Bearer ${token}`, 'clickprice/ops.read')).toMatchObject({ ok: false, status: 401 });
  });

  it('still accepts the tokens it issues', () => {
    expect(authorizer.authorize(`Bearer ${good}`, 'clickprice/ops.read')).toMatchObject({ ok: true });
  });
});
