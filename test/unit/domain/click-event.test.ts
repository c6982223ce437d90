import { describe, expect, it } from 'vitest';
import { type ClickEventInput, parseClickEvent } from '../../../functions/domain/click-event.js';
import { LIMITS } from '../../../functions/domain/limits.js';

const valid: ClickEventInput = {
  eventId: 'e-1',
  sessionId: 's-1',
  userId: null,
  eventType: 'add_to_cart',
  productId: 'P00042',
  category: 'electronics',
  priceSeen: 2499,
  quantity: 2,
  searchQuery: null,
  trafficSource: 'paid_search',
  deviceType: 'mobile',
  userAgent: 'Mozilla/5.0',
  eventTime: '2026-11-21T10:00:00.123Z',
};

function parse(value: unknown) {
  return parseClickEvent(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)));
}

describe('parseClickEvent', () => {
  it('accepts a valid event and fills omitted optional facts with null', () => {
    const { userId: _userId, searchQuery: _query, ...withoutOptionals } = valid;
    expect(parse(withoutOptionals)).toEqual({ ok: true, value: valid });
  });

  it('normalises eventTime to the canonical millisecond form', () => {
    const result = parse({ ...valid, eventTime: '2026-11-21T10:00:00Z' });
    expect(result.ok && result.value.eventTime).toBe('2026-11-21T10:00:00.000Z');
  });

  it('drops unknown fields instead of rejecting, so producers can add fields first', () => {
    const result = parse({ ...valid, campaignId: 'bf-2026' });
    expect(result.ok && 'campaignId' in result.value).toBe(false);
  });

  it.each([
    ['malformed JSON', '{"eventId": "e-1",', null, /not JSON/],
    ['a missing field', { ...valid, eventType: undefined }, 'eventType', /eventType/],
    ['a wrong type', { ...valid, quantity: '2' }, 'quantity', /quantity: Invalid input: expected number/],
    ['an unknown event type', { ...valid, eventType: 'hover' }, 'eventType', /eventType/],
    ['fractional cents', { ...valid, priceSeen: 24.99 }, 'priceSeen', /priceSeen: must be integer cents/],
    [
      'a product event without a product',
      { ...valid, productId: null },
      'productId',
      /productId: required for add_to_cart/,
    ],
    ['a cart event without a quantity', { ...valid, quantity: null }, 'quantity', /quantity: required/],
    ['a search without a query', { ...valid, eventType: 'search', productId: null }, 'searchQuery', /searchQuery/],
    ['an id with a key separator', { ...valid, productId: 'P1#x' }, 'productId', /productId/],
    ['a local time without a zone', { ...valid, eventTime: '2026-11-21T10:00:00' }, 'eventTime', /eventTime/],
    // Once a poison record: normalising it threw instead of rejecting, failing the whole batch.
    ['an eventTime that is not a date', { ...valid, eventTime: 'yesterday' }, 'eventTime', /eventTime: Invalid ISO/],
    ['a day that does not exist', { ...valid, eventTime: '2026-02-30T10:00:00Z' }, 'eventTime', /eventTime/],
    [
      'an over-long user agent',
      { ...valid, userAgent: 'x'.repeat(LIMITS.userAgentLength + 1) },
      'userAgent',
      /userAgent/,
    ],
  ])('rejects %s with a reason naming the field', (_name, input, field, reason) => {
    const result = parse(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.field).toBe(field);
    expect(result.reason).toMatch(reason);
  });

  it('rejects an oversized record before parsing it', () => {
    const result = parse({ ...valid, padding: 'x'.repeat(LIMITS.maxEventBytes) });
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/bytes; the limit is 8192/) });
  });

  it('rejects bytes that are not UTF-8', () => {
    expect(parseClickEvent(Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]))).toMatchObject({
      ok: false,
      reason: 'record is not valid UTF-8',
    });
  });
});
