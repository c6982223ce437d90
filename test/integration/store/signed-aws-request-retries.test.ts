/**
 * Calls signed without their SDK clients (signed-aws-request.ts) retry as those clients retry: the
 * same answers from a loopback server get as many attempts from LambdaApi as from the Lambda client
 * itself, with the retry strategy of the client whose config signs them.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LambdaApi } from '../../../functions/store/lambda-api.js';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const REGION = 'eu-west-1';

interface Answer {
  readonly status: number;
  readonly type?: string;
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
        response.writeHead(answer.status, {
          'content-type': 'application/json',
          ...(answer.type ? { 'x-amzn-errortype': answer.type } : {}),
        });
        response.end(answer.status === 200 ? MAPPING : JSON.stringify({ message: `${answer.type}` }));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());
  beforeEach(() => {
    attempts = 0;
  });

  /** Attempts and outcome of one GetEventSourceMapping, ours or the SDK client's, on `sequence`. */
  async function call(
    who: 'ours' | 'sdk' | 'ours, signed with DynamoDB’s config',
    sequence: Answer[],
    maxAttempts?: number,
  ) {
    answers = [...sequence];
    attempts = 0;
    const options = { region: REGION, credentials: CREDENTIALS, ...(maxAttempts ? { maxAttempts } : {}) };
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
    return { attempts, outcome };
  }

  const cases: [string, Answer[], number | undefined, { attempts: number; outcome: string }][] = [
    [
      'two server errors, then the answer',
      [{ status: 503, type: 'ServiceException' }, { status: 200 }],
      undefined,
      {
        attempts: 2,
        outcome: 'ok Enabled',
      },
    ],
    [
      'throttled every time: the client’s attempts, then its error',
      [{ status: 429, type: 'TooManyRequestsException' }],
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
      'a client error: one attempt',
      [{ status: 404, type: 'ResourceNotFoundException' }],
      undefined,
      { attempts: 1, outcome: 'failed ResourceNotFoundException' },
    ],
    [
      'a client configured for one attempt',
      [{ status: 503, type: 'ServiceException' }, { status: 200 }],
      1,
      { attempts: 1, outcome: 'failed ServiceException' },
    ],
  ];

  for (const [name, sequence, maxAttempts, expected] of cases) {
    it(`${name}: as many attempts as the Lambda client makes`, { timeout: 30_000 }, async () => {
      const sdk = await call('sdk', sequence, maxAttempts);
      const ours = await call('ours', sequence, maxAttempts);
      expect(sdk).toEqual(expected);
      expect(ours).toEqual(expected);
      expect(sdk).toEqual(expected);
      expect(ours).toEqual(expected);
    });
  }

  it('retries as the client whose config signs: DynamoDB’s, which makes four attempts to Lambda’s three', {
    timeout: 30_000,
  }, async () => {
    const throttled = [{ status: 429, type: 'TooManyRequestsException' }];
    expect(await call('ours, signed with DynamoDB’s config', throttled)).toEqual({
      attempts: 4,
      outcome: 'failed TooManyRequestsException',
    });
  });
});
