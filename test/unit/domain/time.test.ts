import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalInstant,
  canonicalInstantOfBytes,
  minuteOf,
  toEpochMs,
  toIso,
} from '../../../functions/domain/time.js';

/*
 * toEpochMs reads the canonical form's digits instead of calling Date.parse (the fast path calls it
 * once per click). It must still be Date.parse, for every string: canonical timestamps of any year
 * 0000–9999, and strings in the canonical layout that Date.parse treats specially (Feb 30 rolls
 * over, hour 24, lowercase t) or rejects.
 */

const digits = (count: number) =>
  fc.array(fc.constantFrom(...'0123456789'), { minLength: count, maxLength: count }).map((d) => d.join(''));

const canonical = fc
  .date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true })
  .map((date) => date.toISOString());

/** The canonical layout with any digits, and a separator or the zone now and then replaced. */
const layout = fc
  .tuple(
    fc.oneof(digits(4), fc.constantFrom('1970', '1969', '0000', '2000', '2100', '9999')),
    fc.oneof(digits(2), fc.constantFrom('00', '01', '02', '12', '13')),
    fc.oneof(digits(2), fc.constantFrom('00', '01', '28', '29', '30', '31', '32')),
    fc.oneof(digits(2), fc.constantFrom('00', '23', '24')),
    fc.oneof(digits(2), fc.constantFrom('00', '59', '60')),
    fc.oneof(digits(2), fc.constantFrom('00', '59', '60')),
    fc.oneof(digits(3), fc.constantFrom('000', '999', '1a2')),
    fc.constantFrom('-', '-', '-', '/', 'x'),
    fc.constantFrom('T', 'T', 'T', 't', ' '),
    fc.constantFrom('.', '.', '.', ','),
    fc.constantFrom('Z', 'Z', 'Z', 'z', '+'),
  )
  .map(
    ([year, month, day, hour, minute, second, milli, dash, t, dot, zone]) =>
      `${year}${dash}${month}-${day}${t}${hour}:${minute}:${second}${dot}${milli}${zone}`,
  );

describe('toEpochMs', () => {
  it('is Date.parse for every canonical timestamp', () => {
    fc.assert(
      fc.property(canonical, (iso) => {
        expect(toEpochMs(iso)).toBe(Date.parse(iso));
      }),
      { numRuns: 20_000 },
    );
  });

  it('is Date.parse for strings in the canonical layout, valid or not', () => {
    fc.assert(
      fc.property(layout, (text) => {
        expect(toEpochMs(text)).toBe(Date.parse(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it('is Date.parse for other forms and for anything else', () => {
    for (const text of [
      '2026-11-21T10:00:00Z',
      '2026-11-21T10:00:00.1Z',
      '2026-11-21T10:00:00.123456Z',
      '2026-11-21T10:00:00.000+01:00',
      '2026-11-21',
      '+002026-11-21T10:00:00.000Z',
      '2026-02-29T00:00:00.000Z',
      '2024-02-31T23:59:59.999Z',
      '2026-01-01T24:00:00.000Z',
      '',
      'garbage',
    ]) {
      expect(toEpochMs(text)).toBe(Date.parse(text));
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        expect(toEpochMs(text)).toBe(Date.parse(text));
      }),
      { numRuns: 2_000 },
    );
  });

  it('round-trips with toIso and minuteOf', () => {
    fc.assert(
      fc.property(canonical, (iso) => {
        expect(toIso(toEpochMs(iso))).toBe(iso);
        expect(Math.abs(toEpochMs(minuteOf(iso)) % 60_000)).toBe(0);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('canonicalInstant', () => {
  /** What it must answer: the instant when `text` is exactly what toISOString writes for it. */
  const expected = (text: string) => {
    const ms = Date.parse(text);
    return !Number.isNaN(ms) && ms >= Date.parse('0000-01-01T00:00:00.000Z') && new Date(ms).toISOString() === text
      ? ms
      : Number.NaN;
  };

  it('is the instant of a canonical timestamp of a real time, and NaN for anything else', () => {
    expect(canonicalInstant('2024-02-29T23:59:59.999Z')).toBe(Date.parse('2024-02-29T23:59:59.999Z'));
    expect(canonicalInstant('2026-02-29T00:00:00.000Z')).toBeNaN();
    expect(canonicalInstant('2100-02-29T00:00:00.000Z')).toBeNaN();
    expect(canonicalInstant('2000-02-29T00:00:00.000Z')).toBe(Date.parse('2000-02-29T00:00:00.000Z'));
    expect(canonicalInstant('2026-04-31T00:00:00.000Z')).toBeNaN();
    expect(canonicalInstant('2026-11-21T10:00:00Z')).toBeNaN();
    fc.assert(
      fc.property(fc.oneof(canonical, layout), (text) => {
        expect(canonicalInstant(text)).toBe(expected(text));
      }),
      { numRuns: 5_000 },
    );
  });

  it('answers each string for itself, however the strings before it were answered', () => {
    // It remembers the last string read: a sequence of questions must get the answers each would
    // get alone, equal strings included.
    fc.assert(
      fc.property(
        fc.array(fc.oneof(canonical, layout, fc.constantFrom('2026-11-21T10:00:00.000Z')), { maxLength: 8 }),
        (texts) => {
          for (const text of texts) expect(canonicalInstant(text)).toBe(expected(text));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('reads the same from the bytes of a timestamp, wherever they lie in a buffer', () => {
    fc.assert(
      fc.property(fc.oneof(canonical, layout), fc.nat(40), (text, at) => {
        const bytes = Buffer.alloc(at + 24 + 8, 0x39);
        bytes.write(text, at, 'latin1');
        expect(canonicalInstantOfBytes(bytes, at)).toBe(expected(text));
      }),
      { numRuns: 5_000 },
    );
  });
});
