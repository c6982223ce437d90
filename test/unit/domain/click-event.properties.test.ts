import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clickEventSchema, parseClickEvent } from '../../../functions/domain/click-event.js';
import { anyFields, eventTime, nearValidEvent, validEvent } from './click-event-arbitraries.js';

/*
 * parseClickEvent, the reference reading of a record (its bytes decoded, JSON.parse, the zod shape,
 * then the cross-field rules as plain code, each with its field), must accept exactly what the zod
 * schema accepts for the same JSON, with the same value, for the events of click-event-arbitraries.ts.
 * (The fast path's byte reader is held to parseClickEvent in click-reader/byte-reader.properties.)
 */

function expectAgreement(input: unknown): void {
  const text = JSON.stringify(input);
  if (text === undefined) return;
  const parsed = parseClickEvent(text);
  const zod = clickEventSchema.safeParse(JSON.parse(text));
  expect(parsed.ok).toBe(zod.success);
  if (parsed.ok && zod.success) {
    expect(parsed.value).toStrictEqual(zod.data);
    // Same key order, so both serialise to the same JSON.
    expect(Object.keys(parsed.value)).toEqual(Object.keys(zod.data));
  }
}

describe('parseClickEvent (the reference reading of a click)', () => {
  it('accepts every valid event, with exactly the schema output', () => {
    fc.assert(fc.property(validEvent, expectAgreement), { numRuns: 3_000 });
  });

  it('accepts exactly what the schema accepts when one to three fields are mutated, missing, null or extra', () => {
    fc.assert(fc.property(nearValidEvent, expectAgreement), { numRuns: 10_000 });
  });

  it('accepts exactly what the schema accepts for fields drawn independently', () => {
    fc.assert(fc.property(anyFields, expectAgreement), { numRuns: 5_000 });
  });

  it('agrees on timestamps at the edges of the schema datetime regex', () => {
    fc.assert(
      fc.property(validEvent, eventTime, (event, time) => expectAgreement({ ...event, eventTime: time })),
      { numRuns: 5_000 },
    );
  });

  it('agrees on values that are not objects', () => {
    for (const input of [null, 1, 'x', [], [{}], true]) expectAgreement(input);
  });

  it('names the field of a broken cross-field rule, as the schema does', () => {
    const event = { ...fc.sample(validEvent, { numRuns: 1, seed: 3 })[0], eventType: 'purchase', quantity: null };
    const parsed = parseClickEvent(JSON.stringify(event));
    expect(parsed).toMatchObject({ ok: false, field: 'quantity' });
    expect(clickEventSchema.safeParse(event).error?.issues.map((issue) => issue.path.join('.'))).toContain('quantity');
  });

  it('rejects a non-date eventTime with a reason instead of throwing', () => {
    const event = { ...fc.sample(validEvent, { numRuns: 1, seed: 1 })[0], eventTime: 'garbage' };
    expect(parseClickEvent(JSON.stringify(event))).toEqual({
      ok: false,
      field: 'eventTime',
      reason: 'eventTime: Invalid ISO datetime',
    });
  });
});
