import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidInputError, NotFoundError } from '../../../functions/domain/errors.js';
import { HttpError } from '../../../functions/handlers/http/http-error.js';
import type { HttpEvent } from '../../../functions/handlers/http/http-request.js';
import { httpRouter } from '../../../functions/handlers/http/http-router.js';

const context = { awsRequestId: 'request-1' } as Context;
const runtime = { logger: new Logger({ logLevel: 'SILENT' }), metrics: new Metrics({ namespace: 'test' }) };

function routerThrowing(error: unknown) {
  return httpRouter<'dashboard'>(
    {
      'GET /dashboard': async () => {
        throw error;
      },
      'GET /dashboard/{asset}': async () => ({ statusCode: 200, body: 'ok' }),
    },
    runtime,
  );
}

const event = (routeKey: string) => ({ routeKey }) as HttpEvent;

describe('httpRouter answers what a route throws', () => {
  it.each([
    [new InvalidInputError('floor', 'must not exceed ceiling'), 400, { error: 'invalid_request', field: 'floor' }],
    [new NotFoundError('product', 'P1'), 404, { error: 'not_found' }],
    [new ConflictError('not frozen'), 409, { error: 'conflict' }],
    [new HttpError(415, 'unsupported_media_type', 'json only', 'body'), 415, { field: 'body' }],
    [new HttpError(503, 'unavailable', 'throttled'), 503, { error: 'unavailable', message: 'throttled' }],
  ])('%s → %i with a JSON error', async (error, status, body) => {
    const answer = await routerThrowing(error)(event('GET /dashboard'), context);
    expect(answer.statusCode).toBe(status);
    expect(JSON.parse(answer.body ?? '')).toMatchObject(body);
  });

  it('answers anything else 500 with the request id and nothing of the error', async () => {
    const answer = await routerThrowing(new Error('secret table name'))(event('GET /dashboard'), context);
    expect(answer.statusCode).toBe(500);
    expect(answer.body).not.toContain('secret');
    expect(JSON.parse(answer.body ?? '')).toEqual({
      error: 'internal',
      message: 'internal error; see the logs',
      requestId: 'request-1',
    });
  });

  it('answers a route key it does not serve 404, and dispatches one it does', async () => {
    const router = routerThrowing(new Error('unused'));
    expect((await router(event('GET /elsewhere'), context)).statusCode).toBe(404);
    expect((await router(event('toString'), context)).statusCode).toBe(404);
    expect((await router(event('GET /dashboard/{asset}'), context)).body).toBe('ok');
  });
});
