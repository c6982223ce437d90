import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clickEventSchema, fastClickEvent, parseClickEvent } from '../../../functions/domain/click-event.js';
import { anyFields, eventTime, nearValidEvent, validEvent } from './click-event-arbitraries.js';

/*
 * The hand-compiled validator must accept exactly what the zod schema accepts, with the same output,
 * for the events of click-event-arbitraries.ts.
 */

function expectAgreement(input: unknown): void {
  const zod = clickEventSchema.safeParse(input);
  const fast = fastClickEvent(input);
  expect(fast !== undefined).toBe(zod.success);
  // The form that only checks (the fast path reads the fields it needs itself) agrees too.
  expect(fastClickEvent.accepts(input)).toBe(zod.success);
  if (zod.success) {
    expect(fast).toStrictEqual(zod.data);
    // Same key order, so both serialise to the same JSON.
    expect(Object.keys(fast ?? {})).toEqual(Object.keys(zod.data));
  }
}

describe('fastClickEvent (the hand-compiled click event validator)', () => {
  it('accepts every valid event, with exactly zod output', () => {
    fc.assert(fc.property(validEvent, expectAgreement), { numRuns: 5_000 });
  });

  it('accepts exactly what zod accepts when one to three fields are mutated, missing, null or extra', () => {
    fc.assert(fc.property(nearValidEvent, expectAgreement), { numRuns: 20_000 });
  });

  it('accepts exactly what zod accepts for fields drawn independently', () => {
    fc.assert(fc.property(anyFields, expectAgreement), { numRuns: 10_000 });
  });

  it('agrees on timestamps at the edges of zod datetime regex', () => {
    fc.assert(
      fc.property(validEvent, eventTime, (event, time) => expectAgreement({ ...event, eventTime: time })),
      { numRuns: 10_000 },
    );
  });

  it('agrees on values that are not objects', () => {
    for (const input of [null, undefined, 1, 'x', [], [{}], true]) expectAgreement(input);
  });

  it('keeps parseClickEvent accepting exactly what the schema accepts, with its value', () => {
    fc.assert(
      fc.property(nearValidEvent, (event) => {
        const result = parseClickEvent(JSON.stringify(event));
        const json: unknown = JSON.parse(JSON.stringify(event));
        const zod = clickEventSchema.safeParse(json);
        expect(result.ok).toBe(zod.success);
        if (result.ok && zod.success) expect(result.value).toStrictEqual(zod.data);
      }),
      { numRuns: 3_000 },
    );
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
