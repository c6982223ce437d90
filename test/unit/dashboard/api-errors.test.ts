import { describe, expect, it } from 'vitest';
import { errorBodyOf } from '../../../dashboard/api-errors.js';

describe('reading an ops API error answer (ops client and dashboard alike)', () => {
  it("keeps the API's own error, message, field and request id", () => {
    const text = JSON.stringify({ error: 'validation', message: 'price: too low', field: 'price', requestId: 'r-1' });

    expect(errorBodyOf(400, text)).toEqual({
      error: 'validation',
      message: 'price: too low',
      field: 'price',
      requestId: 'r-1',
    });
  });

  it.for([
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [413, 'payload_too_large'],
    [500, 'internal'],
    [503, 'unavailable'],
    [502, 'http_502'],
  ] as const)("gives API Gateway's own %i answer the code %s", ([status, code]) => {
    expect(errorBodyOf(status, JSON.stringify({ message: 'Gateway says no' }))).toEqual({
      error: code,
      message: 'Gateway says no',
    });
  });

  it('quotes a body that is not JSON, up to 500 characters, or names the status when it is empty', () => {
    expect(errorBodyOf(502, `<html>${'x'.repeat(600)}</html>`).message).toHaveLength(500);
    expect(errorBodyOf(504, '')).toEqual({ error: 'http_504', message: 'HTTP 504' });
  });

  it('drops fields of the wrong type instead of passing them on', () => {
    expect(
      errorBodyOf(409, JSON.stringify({ error: 'conflict', message: 'stale', field: 7, requestId: null })),
    ).toEqual({ error: 'conflict', message: 'stale' });
  });
});
