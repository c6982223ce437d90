/**
 * Calls signed without their SDK clients (signed-aws-request.ts) retry as SDK clients retry: the
 * same answers from a loopback server get as many attempts from LambdaApi as from the Lambda client
 * itself, given its config, and wait as long; a call that must not be made twice (Glue's
 * StartJobRun) is retried only when the service surely did not act on it.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlueJobRuns } from '../../../functions/store/glue-job-runs.js';
import { LambdaApi } from '../../../functions/store/lambda-api.js';
import { S3ObjectWriter } from '../../../functions/store/s3-object-writer.js';
import {
  AwsServiceError,
  type SdkClientConfig,
  SignedAwsRequests,
} from '../../../functions/store/signed-aws-request.js';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const REGION = 'eu-west-1';

interface Answer {
  readonly status: number;
  /** The error type, in `x-amzn-errortype` and the JSON body. */
  readonly type?: string;
  readonly headers?: Record<string, string>;
  /** @default a mapping (200) or the error */
  readonly body?: string;
  /** Drop the connection instead of answering. */
  readonly reset?: boolean;
  /** Never answer. */
  readonly hang?: boolean;
}

const MAPPING = JSON.stringify({ UUID: 'a1b2', State: 'Enabled' });

describe('signed calls retry as their SDK client does', () => {
  let endpoint: string;
  let close: () => Promise<void>;
  /** What the server answers next, in order; the last one again once they run out. */
  let answers: Answer[] = [];
  let attempts = 0;

  beforeAll(async () => {
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        attempts++;
        const answer = (answers.length > 1 ? answers.shift() : answers[0]) as Answer;
        if (answer.reset) {
          request.socket.destroy();
          return;
        }
        if (answer.hang) return;
        response.writeHead(answer.status, {
          'content-type': 'application/json',
          ...(answer.type ? { 'x-amzn-errortype': answer.type } : {}),
          ...answer.headers,
        });
        response.end(answer.body ?? (answer.status === 200 ? MAPPING : JSON.stringify({ message: `${answer.type}` })));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
  });
  afterAll(() => close());

  type Caller = 'ours' | 'sdk' | 'ours, signed with DynamoDB’s config';

  /** Attempts, outcome and time taken of one GetEventSourceMapping, ours or the SDK client's, on `sequence`. */
  async function call(who: Caller, sequence: Answer[], maxAttempts?: number) {
    answers = [...sequence];
    attempts = 0;
    const options = { region: REGION, credentials: CREDENTIALS, ...(maxAttempts ? { maxAttempts } : {}) };
    const started = performance.now();
    let outcome: string;
    if (who !== 'sdk') {
      const config = who === 'ours' ? new LambdaClient(options).config : new DynamoDBClient(options).config;
      const api = new LambdaApi(config, endpoint);
      outcome = await api.getEventSourceMapping('a1b2').then(
        (mapping) => `ok ${mapping.State}`,
        (error: Error) => `failed ${error.name}`,
      );
    } else {
      const client = new LambdaClient({ ...options, endpoint });
      outcome = await client.send(new GetEventSourceMappingCommand({ UUID: 'a1b2' })).then(
        (mapping) => `ok ${mapping.State}`,
        (error: Error) => `failed ${error.name}`,
      );
      client.destroy();
    }
    return { attempts, outcome, ms: performance.now() - started };
  }

  const serverError = { status: 503, type: 'ServiceException' };
  const throttled = { status: 429, type: 'TooManyRequestsException' };
  const cases: [string, Answer[], number | undefined, { attempts: number; outcome: string }][] = [
    [
      'a server error, then the answer',
      [serverError, { status: 200 }],
      undefined,
      { attempts: 2, outcome: 'ok Enabled' },
    ],
    [
      'throttled every time: the client’s attempts, then its error',
      [throttled],
      undefined,
      { attempts: 3, outcome: 'failed TooManyRequestsException' },
    ],
    [
      'a throttling error type in a 400',
      [{ status: 400, type: 'ThrottlingException' }, { status: 200 }],
      undefined,
      { attempts: 2, outcome: 'ok Enabled' },
    ],
    [
      'a dropped connection, then the answer',
      [{ status: 0, reset: true }, { status: 200 }],
      undefined,
      {
        attempts: 2,
        outcome: 'ok Enabled',
      },
    ],
    [
      'a client error: one attempt',
      [{ status: 404, type: 'ResourceNotFoundException' }],
      undefined,
      { attempts: 1, outcome: 'failed ResourceNotFoundException' },
    ],
    [
      'a client configured for one attempt',
      [serverError, { status: 200 }],
      1,
      {
        attempts: 1,
        outcome: 'failed ServiceException',
      },
    ],
  ];

  for (const [name, sequence, maxAttempts, expected] of cases) {
    it(`${name}: as many attempts as the Lambda client makes`, { timeout: 30_000 }, async () => {
      const { ms: _sdkMs, ...sdk } = await call('sdk', sequence, maxAttempts);
      const { ms: _oursMs, ...ours } = await call('ours', sequence, maxAttempts);
      expect(sdk).toEqual(expected);
      expect(ours).toEqual(expected);
    });
  }

  it('waits as long as the service’s Retry-After asks, as the client does', { timeout: 30_000 }, async () => {
    const sequence = [{ ...throttled, headers: { 'retry-after': '2' } }, { status: 200 }];
    const sdk = await call('sdk', sequence);
    const ours = await call('ours', sequence);
    expect(sdk).toMatchObject({ attempts: 2, outcome: 'ok Enabled' });
    expect(ours).toMatchObject({ attempts: 2, outcome: 'ok Enabled' });
    // Without the hint, the first retry of a throttled call waits about a second at most.
    expect(sdk.ms).toBeGreaterThan(1_900);
    expect(ours.ms).toBeGreaterThan(1_900);
  });

  it('makes as many attempts as the signing client: DynamoDB’s four, to Lambda’s three', {
    timeout: 30_000,
  }, async () => {
    expect(await call('ours, signed with DynamoDB’s config', [throttled])).toMatchObject({
      attempts: 4,
      outcome: 'failed TooManyRequestsException',
    });
  });

  it('starts a Glue run again only when Glue surely did not start it', { timeout: 30_000 }, async () => {
    const runs = new GlueJobRuns(
      { config: new LambdaClient({ region: REGION, credentials: CREDENTIALS }).config, endpoint },
      'job',
    );
    const started = { status: 200, body: JSON.stringify({ JobRunId: 'jr_1' }) };

    answers = [serverError, started];
    attempts = 0;
    await expect(runs.start()).rejects.toMatchObject({ name: 'ServiceException' });
    expect(attempts).toBe(1);

    answers = [{ status: 400, type: 'ThrottlingException' }, started];
    attempts = 0;
    expect(await runs.start()).toBe('jr_1');
    expect(attempts).toBe(2);

    // A listing may be asked again; its times are Glue's epoch seconds, read to the millisecond.
    const listed = { JobRuns: [{ Id: 'jr_1', JobRunState: 'RUNNING', StartedOn: 1_796_535_000.1234 }] };
    answers = [serverError, { status: 200, body: JSON.stringify(listed) }];
    attempts = 0;
    expect(await runs.latest()).toMatchObject({ id: 'jr_1', startedAt: '2026-12-06T05:30:00.123Z', completedAt: null });
    expect(attempts).toBe(2);
  });

  it('reads S3’s XML errors, and retries those the SDK retries', { timeout: 30_000 }, async () => {
    const slowDown = '<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Reduce your rate.</Message></Error>';
    const error = AwsServiceError.of({ statusCode: 503, headers: {}, body: Buffer.from(slowDown) });
    expect(error).toMatchObject({ name: 'SlowDown', statusCode: 503, message: 'SlowDown (503): Reduce your rate.' });

    const writer = new S3ObjectWriter(new LambdaClient({ region: REGION, credentials: CREDENTIALS }).config, {
      bucket: 'spill',
      endpoint,
    });
    // A 400 is retried only when its code is read: S3's RequestTimeout is transient.
    const requestTimeout =
      '<Error><Code>RequestTimeout</Code><Message>Your socket connection timed out.</Message></Error>';
    answers = [
      { status: 400, body: requestTimeout },
      { status: 200, body: '' },
    ];
    attempts = 0;
    expect(await writer.put('raw/a.bin', Buffer.from('x'))).toBe('s3://spill/raw/a.bin');
    expect(attempts).toBe(2);
  });

  it('gives up an attempt that gets no answer in time, and tries again if the call may be made again', {
    timeout: 30_000,
  }, async () => {
    const config = new LambdaClient({ region: REGION, credentials: CREDENTIALS, maxAttempts: 2 }).config;
    const requests = new SignedAwsRequests(config, 'lambda');
    const url = new URL(`${endpoint}/2015-03-31/event-source-mappings/a1b2`);

    answers = [{ status: 0, hang: true }];
    attempts = 0;
    await expect(requests.send({ method: 'GET', url }, 300)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(attempts).toBe(2);

    attempts = 0;
    await expect(requests.send({ method: 'POST', url, idempotent: false }, 300)).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(attempts).toBe(1);
  });

  it('sends a call that must not be made twice again after a refused connection, not after a reset one', async () => {
    /** A handler that fails its first request with `code`, then answers 200. */
    const failingOnce = (code: string) => {
      let calls = 0;
      return {
        calls: () => calls,
        config: {
          ...new LambdaClient({ region: REGION, credentials: CREDENTIALS }).config,
          requestHandler: {
            handle: async () => {
              calls++;
              if (calls === 1) throw Object.assign(new Error(`connect ${code}`), { code });
              return { response: { statusCode: 200, headers: {}, body: undefined } };
            },
          },
        } as unknown as SdkClientConfig,
      };
    };
    const url = new URL(`${endpoint}/`);
    const refused = failingOnce('ECONNREFUSED');
    expect(
      (await new SignedAwsRequests(refused.config, 'glue').send({ method: 'POST', url, idempotent: false })).statusCode,
    ).toBe(200);
    expect(refused.calls()).toBe(2);

    const reset = failingOnce('ECONNRESET');
    await expect(
      new SignedAwsRequests(reset.config, 'glue').send({ method: 'POST', url, idempotent: false }),
    ).rejects.toMatchObject({
      code: 'ECONNRESET',
    });
    expect(reset.calls()).toBe(1);
    // The same reset, on a call that may be made again: retried.
    const again = failingOnce('ECONNRESET');
    expect((await new SignedAwsRequests(again.config, 'glue').send({ method: 'POST', url })).statusCode).toBe(200);
    expect(again.calls()).toBe(2);
  });
});
