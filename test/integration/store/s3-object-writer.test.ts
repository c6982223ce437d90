/**
 * The S3 PutObject the clickstream function makes without the S3 client (s3-object-writer.ts),
 * checked against an independent implementation: botocore's S3 SigV4 signer (boto3's, the pinned
 * one of the Glue suites) must compute the very Authorization header the writer sent, for the same
 * request, credentials and instant. A loopback server takes the request as S3 would (path-style, as
 * for any endpoint override) and answers as S3 does, errors included.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectWriter, type SdkClientConfig } from '../../../functions/store/s3-object-writer.js';
import { type CapturedRequest, startCapturingServer } from '../../helpers/capturing-server.js';
import { requireGluePython, runsPythonSuites, warnSkipped } from '../../helpers/glue-python.js';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-of-the-function-role',
};
const SIGNED_AT = new Date('2026-12-06T05:30:00.000Z');
const KEY = 'quarantine/2026-12-06/clickstream/shardId-000000000001/49650000000000000000001.bin';

/** A DynamoDB client's resolved config, as the clickstream handler hands it over. */
function sdkConfig(): SdkClientConfig {
  return new DynamoDBClient({ region: 'eu-west-1', credentials: CREDENTIALS }).config as unknown as SdkClientConfig;
}

/** botocore's Authorization header for the request as sent (minus what the signer itself adds). */
function botocoreAuthorization(request: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}) {
  const script = `
import base64, datetime, json, sys
from unittest import mock
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
r = json.load(sys.stdin)
headers = {k: v for k, v in r['headers'].items() if k not in ('authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256')}
request = AWSRequest(method=r['method'], url=r['url'], headers=headers, data=base64.b64decode(r['body']))
signer = S3SigV4Auth(Credentials(r['accessKeyId'], r['secretAccessKey'], r['sessionToken']), 's3', 'eu-west-1')
with mock.patch('botocore.auth.get_current_datetime', return_value=datetime.datetime(2026, 12, 6, 5, 30, 0)):
    signer.add_auth(request)
print(request.headers['Authorization'])
`;
  const python = requireGluePython().python;
  const run = spawnSync(python, ['-c', script], {
    input: JSON.stringify({ ...request, body: request.body.toString('base64'), ...CREDENTIALS }),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`botocore signer failed: ${run.stderr}`);
  return run.stdout.trim();
}

const flatHeaders = (headers: IncomingHttpHeaders) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)]));

if (!runsPythonSuites) warnSkipped('s3-object-writer');

describe.skipIf(!runsPythonSuites)('S3ObjectWriter: PutObject signed as S3 verifies it', () => {
  let server: Awaited<ReturnType<typeof startCapturingServer>>;
  let endpoint: string;
  let requests: CapturedRequest[];

  beforeAll(async () => {
    server = await startCapturingServer({ status: 200, headers: { 'content-type': 'application/xml' }, body: '' });
    ({ endpoint, captured: requests } = server);
  });
  afterAll(() => server.close());

  it('puts the bytes path-style on an endpoint override, with the payload hash and a signature botocore agrees with', async () => {
    const body = Buffer.alloc(300 * 1024, 7);
    body.write('{"not":"json"', 0);
    const writer = new S3ObjectWriter(sdkConfig(), { bucket: 'spill-bucket', endpoint, clock: () => SIGNED_AT });

    const location = await writer.put(KEY, body);

    expect(location).toBe(`s3://spill-bucket/${KEY}`);
    const sent = requests.at(-1) as CapturedRequest;
    expect(sent.method).toBe('PUT');
    expect(sent.url).toBe(`/spill-bucket/${KEY}`);
    expect(sent.body.equals(body)).toBe(true);
    expect(sent.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(body).digest('hex'));
    expect(sent.headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);
    expect(sent.headers['x-amz-date']).toBe('20261206T053000Z');
    expect(sent.headers.authorization).toBe(
      botocoreAuthorization({ method: 'PUT', url: `${endpoint}${sent.url}`, headers: flatHeaders(sent.headers), body }),
    );
  });

  it("signs S3's regional virtual-hosted address as botocore does", async () => {
    const signed: { hostname: string; path: string; headers: Record<string, string>; body: Uint8Array }[] = [];
    const config = {
      ...sdkConfig(),
      requestHandler: {
        handle: async (request: (typeof signed)[number]) => {
          signed.push(request);
          return { response: { statusCode: 200, headers: {}, body: undefined } };
        },
      },
    } as unknown as SdkClientConfig;
    const body = Buffer.from('a'.repeat(1000));

    await new S3ObjectWriter(config, { bucket: 'spill-bucket', clock: () => SIGNED_AT }).put(KEY, body);

    const request = signed[0] as (typeof signed)[number];
    expect(request.hostname).toBe('spill-bucket.s3.eu-west-1.amazonaws.com');
    expect(request.path).toBe(`/${KEY}`);
    expect(request.headers.authorization).toBe(
      botocoreAuthorization({
        method: 'PUT',
        url: `https://spill-bucket.s3.eu-west-1.amazonaws.com/${KEY}`,
        headers: request.headers,
        body,
      }),
    );
  });

  it("fails with S3's error code, so the batch is retried and the record is not lost", async () => {
    server.answer({
      status: 403,
      headers: { 'content-type': 'application/xml' },
      body: '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>no</Message></Error>',
    });
    try {
      const writer = new S3ObjectWriter(sdkConfig(), { bucket: 'spill-bucket', endpoint });
      await expect(writer.put(KEY, Buffer.from('x'))).rejects.toThrow(/answered 403 AccessDenied/);
    } finally {
      server.answer({ status: 200, headers: { 'content-type': 'application/xml' }, body: '' });
    }
  });

  it('refuses a key it could not sign the way S3 reads it', async () => {
    const writer = new S3ObjectWriter(sdkConfig(), { bucket: 'spill-bucket', endpoint });
    await expect(writer.put('quarantine/a key with spaces', Buffer.from('x'))).rejects.toThrow(/does not sign/);
  });
});
