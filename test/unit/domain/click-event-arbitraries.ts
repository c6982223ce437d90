import fc from 'fast-check';
import {
  type ClickEventInput,
  clickEventSchema,
  DEVICE_TYPES,
  EVENT_TYPES,
  TRAFFIC_SOURCES,
} from '../../../functions/domain/click-event.js';
import { LIMITS } from '../../../functions/domain/limits.js';

/*
 * Click events for property tests of the readers of a click (the byte reader, and parseClickEvent against the schema): valid events, and
 * events with one or more fields replaced by a near-miss — the boundaries of every length and range,
 * every character class of every pattern, wrong types, null, missing fields, extra keys, and
 * timestamps zod's datetime regex treats specially.
 */

const ALNUM = 'abcxyzABCXYZ0189';
/** Characters around the edges of the id and slug patterns. */
const EDGE_CHARS = [...ALNUM, '_', '.', ':', '-', '#', '|', ' ', '/', '@', 'é', 'Z', '\u0000', '٣', '\n'];

const edgeString = (maxLength: number) =>
  fc.oneof(
    fc.array(fc.constantFrom(...EDGE_CHARS), { minLength: 0, maxLength }).map((chars) => chars.join('')),
    fc.string({ maxLength }),
  );

export const identifierValid = fc
  .tuple(
    fc.constantFrom(...ALNUM),
    fc.array(fc.constantFrom(...ALNUM, '_', '.', ':', '-'), { maxLength: LIMITS.idLength - 1 }),
  )
  .map(([first, rest]) => first + rest.join(''));

export const slugValid = fc
  .array(fc.array(fc.constantFrom(...'az09'), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.map((part) => part.join('')).join('-'))
  .filter((slug) => slug.length <= LIMITS.categoryLength);

/** Values of the wrong type, or at the edges of a type zod might treat specially. */
export const junk = fc.constantFrom<unknown>(
  null,
  undefined,
  true,
  false,
  0,
  -0,
  1,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  2 ** 53,
  '',
  ' ',
  '1',
  'null',
  [],
  ['a'],
  {},
  { a: 1 },
);

const lengthEdges = (limit: number) =>
  fc
    .constantFrom(0, 1, limit - 1, limit, limit + 1)
    .chain((length) => fc.constantFrom('x', 'é', ' ').map((char) => char.repeat(Math.max(0, length))));

const integerEdges = (min: number, max: number) =>
  fc.oneof(
    fc.constantFrom(min - 1, min, min + 1, max - 1, max, max + 1, min - 0.5, max + 0.5, min + 0.000001),
    fc.integer({ min: min - 5, max: Math.min(max + 5, 2 ** 31) }),
    fc.double({ noNaN: false }),
  );

const digits = (count: number) =>
  fc.array(fc.constantFrom(...'0123456789'), { minLength: count, maxLength: count }).map((d) => d.join(''));

/** Timestamps: real ones in every form, and digit soup in the datetime layout (Feb 30, hour 24…). */
export const eventTime = fc.oneof(
  fc
    .date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true })
    .map((date) => date.toISOString())
    .filter((iso) => iso.length === 24),
  fc
    .tuple(
      fc.oneof(digits(4), fc.constantFrom('2024', '2026', '2100', '2000', '1900', '0000', '0004', '1600')),
      fc.oneof(digits(2), fc.constantFrom('01', '02', '04', '12', '13', '00')),
      fc.oneof(digits(2), fc.constantFrom('28', '29', '30', '31', '32', '00', '01')),
      fc.oneof(digits(2), fc.constantFrom('00', '23', '24')),
      fc.oneof(digits(2), fc.constantFrom('00', '59', '60')),
      fc.oneof(digits(2), fc.constantFrom('00', '59', '60')),
      fc.constantFrom('', '.', '.1', '.12', '.123', '.1234', '.999999999', '.12a', ',123'),
      fc.constantFrom('Z', 'Z', 'Z', 'z', '', '+01:00', '-00:00', '+0100', 'ZZ', ' Z', 'Z '),
      fc.constantFrom('-', '-', '-', '/'),
      fc.constantFrom('T', 'T', 'T', 't', ' '),
    )
    .map(
      ([year, month, day, hour, minute, second, fraction, zone, sep, t]) =>
        `${year}${sep}${month}-${day}${t}${hour}:${minute}:${second}${fraction}${zone}`,
    ),
  // A real timestamp with one part replaced by a near miss.
  fc
    .tuple(
      fc.date({
        min: new Date('0000-01-01T00:00:00.000Z'),
        max: new Date('9999-12-31T23:59:59.999Z'),
        noInvalidDate: true,
      }),
      fc.constantFrom<[number, number]>(
        [0, 4],
        [5, 7],
        [8, 10],
        [11, 13],
        [14, 16],
        [17, 19],
        [19, 23],
        [23, 24],
        [4, 5],
        [10, 11],
        [13, 14],
        [19, 20],
      ),
      fc.oneof(
        digits(1),
        digits(2),
        digits(4),
        fc.constantFrom('', '.', 'Z', 'z', '.Z', '+01:00', '29', '30', '31', '24', '60', '-', ':', 'T', ' '),
      ),
    )
    .map(([date, [from, to], part]) => {
      const iso = date.toISOString();
      return iso.slice(0, from) + part + iso.slice(to);
    }),
  // February 29th and month ends, in any year: the leap-year rule of zod's regex.
  fc
    .tuple(digits(4), fc.constantFrom('02-28', '02-29', '02-30', '04-30', '04-31', '12-31', '11-31'))
    .map(([year, monthDay]) => `${year}-${monthDay}T12:00:00Z`),
  fc.constantFrom(
    '2026-02-30T00:00:00Z',
    '2024-02-29T00:00:00Z',
    '2100-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z',
    '2026-11-21T10:00:00.1234Z',
    '2026-11-21T10:00:00+01:00',
    '2026-11-21T10:00:00z',
    '2026-11-21T10:00Z',
    '2026-11-21T10:00:00',
    '2026-11-21',
    '+012026-11-21T10:00:00Z',
    '2026-11-21T10:00:00.000Z\n',
    'garbage',
  ),
  edgeString(30),
);

export const fields: { [K in keyof Required<ClickEventInput>]: fc.Arbitrary<unknown> } = {
  eventId: fc.oneof(identifierValid, edgeString(LIMITS.idLength + 2), lengthEdges(LIMITS.idLength), junk),
  sessionId: fc.oneof(identifierValid, edgeString(LIMITS.idLength + 2), lengthEdges(LIMITS.idLength), junk),
  userId: fc.oneof(identifierValid, edgeString(LIMITS.idLength + 2), junk),
  eventType: fc.oneof(fc.constantFrom(...EVENT_TYPES), fc.constantFrom('hover', 'Page_view', 'purchase '), junk),
  productId: fc.oneof(identifierValid, edgeString(LIMITS.idLength + 2), lengthEdges(LIMITS.idLength), junk),
  category: fc.oneof(
    slugValid,
    edgeString(LIMITS.categoryLength + 2),
    fc.constantFrom('-a', 'a-', 'a--b', 'A', 'a_b', 'home-garden'),
    lengthEdges(LIMITS.categoryLength),
    junk,
  ),
  priceSeen: fc.oneof(integerEdges(0, LIMITS.maxCents), junk),
  quantity: fc.oneof(integerEdges(1, LIMITS.maxQuantity), junk),
  searchQuery: fc.oneof(edgeString(20), lengthEdges(LIMITS.searchQueryLength), junk),
  trafficSource: fc.oneof(fc.constantFrom(...TRAFFIC_SOURCES), fc.constantFrom('Organic', 'tv'), junk),
  deviceType: fc.oneof(fc.constantFrom(...DEVICE_TYPES), fc.constantFrom('watch', 'MOBILE'), junk),
  userAgent: fc.oneof(edgeString(20), lengthEdges(LIMITS.userAgentLength), junk),
  eventTime,
};

export const validEvent: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    eventId: identifierValid,
    sessionId: identifierValid,
    userId: fc.option(identifierValid),
    eventType: fc.constantFrom(...EVENT_TYPES),
    productId: identifierValid,
    category: fc.option(slugValid),
    priceSeen: fc.option(fc.integer({ min: 0, max: LIMITS.maxCents })),
    quantity: fc.integer({ min: 1, max: LIMITS.maxQuantity }),
    searchQuery: fc.string({ minLength: 1, maxLength: 30 }),
    trafficSource: fc.constantFrom(...TRAFFIC_SOURCES),
    deviceType: fc.constantFrom(...DEVICE_TYPES),
    userAgent: fc.string({ minLength: 1, maxLength: 60 }),
    eventTime: eventTime.filter((time) => clickEventSchema.shape.eventTime.safeParse(time).success),
  })
  .map((event) => ({ ...event }));

/** A valid event with some fields replaced, removed, or joined by unknown keys. */
export const nearValidEvent = fc
  .tuple(
    validEvent,
    fc.subarray(Object.keys(fields) as (keyof typeof fields)[], { minLength: 1, maxLength: 3 }),
    fc.constantFrom('replace', 'replace', 'replace', 'delete', 'null'),
    fc.option(fc.dictionary(fc.constantFrom('extra', 'eventid', '__proto__', 'constructor', 'x'), junk)),
  )
  .chain(([event, keys, how, extra]) =>
    fc.tuple(...keys.map((key) => fields[key])).map((values) => {
      const mutated: Record<string, unknown> = { ...event };
      keys.forEach((key, index) => {
        if (how === 'delete') delete mutated[key];
        else mutated[key] = how === 'null' ? null : values[index];
      });
      return extra ? { ...mutated, ...extra } : mutated;
    }),
  );

/** Fields drawn independently: mostly invalid events, but every combination of field kinds. */
export const anyFields = fc.record(fields, { requiredKeys: [] });
