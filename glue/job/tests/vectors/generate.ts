/**
 * Writes the parity vectors the Python tests compare against, computed by the TypeScript code the Glue
 * job must agree with (parseClickEvent, orderTimeBucket, orderTimeBucketsBetween, expiryAfterDays), and
 * the key names of the tables it reads and writes (definitions/resources.ts).
 * Run after changing those rules, and commit the output (test/unit/glue-python.test.ts fails while the
 * committed file is stale):
 *
 *   node --import tsx glue/job/tests/vectors/generate.ts > glue/job/tests/vectors/ts-vectors.json
 *   npx biome format --write glue/job/tests/vectors
 */
import { tables } from '../../../../definitions/resources.js';
import { parseClickEvent } from '../../../../functions/domain/click-event.js';
import { orderTimeBucket, orderTimeBucketsBetween } from '../../../../functions/domain/order-buckets.js';
import { expiryAfterDays } from '../../../../functions/domain/time.js';
import { GLUE_SOURCE_COLUMNS } from '../../../local-engine/glue-source.js';

const base = {
  eventId: 'evt-0001',
  sessionId: 'sess-01',
  userId: 'user-7',
  eventType: 'product_view',
  productId: 'prod-0042',
  category: 'home-garden',
  priceSeen: 1999,
  quantity: null,
  searchQuery: null,
  trafficSource: 'organic',
  deviceType: 'mobile',
  userAgent: 'Mozilla/5.0',
  eventTime: '2026-11-21T23:01:10.123Z',
};

const json = (patch: Record<string, unknown>, omit: string[] = []): string => {
  const event: Record<string, unknown> = { ...base, ...patch };
  for (const key of omit) delete event[key];
  return JSON.stringify(event);
};

const text = (name: string, value: string): [string, Uint8Array] => [name, new TextEncoder().encode(value)];

/** Pads a valid event with an unknown field until it is exactly `size` bytes. */
const padded = (size: number): string => {
  const empty = json({ pad: '' });
  return json({ pad: 'x'.repeat(size - Buffer.byteLength(empty)) });
};

const cases: [string, Uint8Array][] = [
  text('valid product view', json({})),
  text(
    'valid page view, optionals omitted',
    json({ eventType: 'page_view' }, ['userId', 'productId', 'category', 'priceSeen', 'quantity', 'searchQuery']),
  ),
  text('valid search', json({ eventType: 'search', productId: null, searchQuery: 'garden chair' })),
  text('valid add_to_cart', json({ eventType: 'add_to_cart', quantity: 2 })),
  text(
    'valid purchase, quantity written 2.0',
    json({ eventType: 'purchase' }).replace('"quantity":null', '"quantity":2.0'),
  ),
  text(
    'valid purchase, max quantity and price',
    json({ eventType: 'purchase', quantity: 999, priceSeen: 10_000_000_000 }),
  ),
  text('valid, priceSeen 0', json({ priceSeen: 0 })),
  text('valid, priceSeen written 1.999e3', json({}).replace('"priceSeen":1999', '"priceSeen":1.999e3')),
  text('valid, unknown fields stripped', json({ extra: { nested: true }, another: 1 })),
  text('valid, 64-char identifier', json({ eventId: `a${'b'.repeat(63)}` })),
  text('valid, identifier punctuation', json({ eventId: 'A1_.:-z' })),
  text('valid, eventTime without ms', json({ eventTime: '2026-11-21T23:01:10Z' })),
  text('valid, eventTime 1 fraction digit', json({ eventTime: '2026-11-21T23:01:10.1Z' })),
  text('valid, eventTime 6 fraction digits', json({ eventTime: '2026-11-21T23:01:10.123456Z' })),
  text('valid, eventTime 4 fraction digits rounding edge', json({ eventTime: '2026-11-21T23:59:59.9999Z' })),
  text('valid, eventTime leap day', json({ eventTime: '2024-02-29T00:00:00Z' })),
  text('valid, eventTime 2000 leap day', json({ eventTime: '2000-02-29T12:00:00.5Z' })),
  text('valid, userAgent 512 chars', json({ userAgent: 'u'.repeat(512) })),
  text('valid, searchQuery 256 chars on page view', json({ eventType: 'page_view', searchQuery: 'q'.repeat(256) })),
  text(
    'valid, duplicate key last wins',
    json({}).replace('"eventId":"evt-0001"', '"eventId":"#bad","eventId":"evt-0002"'),
  ),
  text('valid, surrounding whitespace', ` \n\t${json({})}\r\n `),
  text('valid, exactly 8192 bytes', padded(8192)),
  ['valid, UTF-8 BOM', new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(json({}))])],
  text('valid, non-ASCII userAgent', json({ userAgent: 'Mozilla/5.0 (Résumé; 日本語)' })),
  text('valid, category single word', json({ category: 'toys' })),
  text('invalid, oversized 8193 bytes', padded(8193)),
  ['invalid, not UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d])],
  ['invalid, UTF-8 encoded surrogate', new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22])],
  text('invalid, empty record', ''),
  text('invalid, truncated JSON', '{"eventId":'),
  text('invalid, NaN literal', '{"priceSeen": NaN}'),
  text('invalid, Infinity literal', 'Infinity'),
  text('invalid, top-level array', '[]'),
  text('invalid, top-level null', 'null'),
  text('invalid, top-level string', '"hello"'),
  text('invalid, top-level number', '42'),
  text('invalid, empty object', '{}'),
  text('invalid, eventId empty', json({ eventId: '' })),
  text('invalid, eventId 65 chars', json({ eventId: 'a'.repeat(65) })),
  text('invalid, eventId with #', json({ eventId: 'evt#1' })),
  text('invalid, eventId leading underscore', json({ eventId: '_evt' })),
  text('invalid, eventId trailing newline', json({ eventId: 'evt\n' })),
  text('invalid, eventId number', json({ eventId: 12 })),
  text('invalid, eventId null', json({ eventId: null })),
  text('invalid, sessionId missing', json({}, ['sessionId'])),
  text('invalid, userId boolean', json({ userId: true })),
  text('invalid, eventType unknown', json({ eventType: 'click' })),
  text('invalid, eventType missing', json({}, ['eventType'])),
  text('invalid, category upper case', json({ category: 'Home' })),
  text('invalid, category double dash', json({ category: 'home--garden' })),
  text('invalid, category 41 chars', json({ category: 'a'.repeat(41) })),
  text('invalid, category empty', json({ category: '' })),
  text('invalid, priceSeen negative', json({ priceSeen: -1 })),
  text('invalid, priceSeen fractional', json({ priceSeen: 19.99 })),
  text('invalid, priceSeen too big', json({ priceSeen: 10_000_000_001 })),
  text('invalid, priceSeen string', json({ priceSeen: '1999' })),
  text('invalid, priceSeen boolean', json({ priceSeen: false })),
  text('invalid, priceSeen 1e400', json({}).replace('"priceSeen":1999', '"priceSeen":1e400')),
  text('invalid, priceSeen huge integer', json({}).replace('"priceSeen":1999', '"priceSeen":100000000000000000000')),
  text('invalid, priceSeen negative fractional', json({ priceSeen: -0.5 })),
  text('invalid, quantity zero', json({ eventType: 'add_to_cart', quantity: 0 })),
  text('invalid, quantity 1000', json({ eventType: 'add_to_cart', quantity: 1000 })),
  text('invalid, quantity fractional', json({ eventType: 'add_to_cart', quantity: 2.5 })),
  text('invalid, quantity array', json({ eventType: 'add_to_cart', quantity: [1] })),
  text('invalid, quantity object', json({ eventType: 'add_to_cart', quantity: { n: 1 } })),
  text('invalid, searchQuery empty', json({ searchQuery: '' })),
  text('invalid, searchQuery 257 chars', json({ searchQuery: 'q'.repeat(257) })),
  text('invalid, trafficSource unknown', json({ trafficSource: 'tv' })),
  text('invalid, deviceType missing', json({}, ['deviceType'])),
  text('invalid, userAgent empty', json({ userAgent: '' })),
  text('invalid, userAgent 513 chars', json({ userAgent: 'u'.repeat(513) })),
  text('invalid, userAgent 300 emoji (600 UTF-16 units)', json({ userAgent: '😀'.repeat(300) })),
  text('invalid, eventTime offset', json({ eventTime: '2026-11-21T23:01:10+01:00' })),
  text('invalid, eventTime lower-case z', json({ eventTime: '2026-11-21T23:01:10z' })),
  text('invalid, eventTime no seconds', json({ eventTime: '2026-11-21T23:01Z' })),
  text('invalid, eventTime hour 24', json({ eventTime: '2026-11-21T24:00:00Z' })),
  text('invalid, eventTime Feb 29 non-leap', json({ eventTime: '2023-02-29T00:00:00Z' })),
  text('invalid, eventTime 1900 Feb 29', json({ eventTime: '1900-02-29T00:00:00Z' })),
  text('invalid, eventTime April 31', json({ eventTime: '2026-04-31T00:00:00Z' })),
  text('invalid, eventTime space separator', json({ eventTime: '2026-11-21 23:01:10Z' })),
  text('invalid, eventTime date only', json({ eventTime: '2026-11-21' })),
  text('invalid, eventTime epoch number', json({ eventTime: 1_763_766_070_123 })),
  text('invalid, eventTime trailing dot', json({ eventTime: '2026-11-21T23:01:10.Z' })),
  text('invalid, product_view without productId', json({ productId: null })),
  text('invalid, purchase without productId and quantity', json({ eventType: 'purchase' }, ['productId'])),
  text('invalid, remove_from_cart without quantity', json({ eventType: 'remove_from_cart' })),
  text('invalid, checkout_start without productId', json({ eventType: 'checkout_start', productId: null })),
  text('invalid, search without searchQuery', json({ eventType: 'search' })),
  text('invalid, several fields', json({ eventId: '', priceSeen: -5, deviceType: 'tv', eventTime: 'yesterday' })),
  text(
    'invalid, several fields, parseable eventTime',
    json({ eventId: '', priceSeen: -5, deviceType: 'tv', eventTime: '2026-11-21T23:01Z' }),
  ),
  text('invalid, eventId too long and bad character', json({ eventId: `#${'a'.repeat(64)}` })),
  text('invalid, eventType number', json({ eventType: 3 })),
  text(
    'invalid, priceSeen huge negative integer',
    json({}).replace('"priceSeen":1999', '"priceSeen":-100000000000000000000'),
  ),
  text('invalid, priceSeen -1e400', json({}).replace('"priceSeen":1999', '"priceSeen":-1e400')),
  text(
    'invalid, quantity huge integer',
    json({ eventType: 'purchase' }).replace('"quantity":null', '"quantity":100000000000000000000'),
  ),
  text('invalid, quantity 1e400', json({ eventType: 'purchase' }).replace('"quantity":null', '"quantity":1e400')),
  text('valid, userAgent 512 emoji (1024 UTF-16 units)', json({ userAgent: '😀'.repeat(512) })),
  text('invalid, userAgent 513 emoji', json({ userAgent: '😀'.repeat(513) })),
  text(
    'valid, userAgent lone surrogate escape',
    json({}).replace('"userAgent":"Mozilla/5.0"', '"userAgent":"\\ud800x"'),
  ),
  text('valid, searchQuery one emoji', json({ eventType: 'search', searchQuery: '😀' })),
  text('invalid, category nested object', json({ category: { slug: 'toys' } })),
  text('invalid, userAgent number', json({ userAgent: 5 })),
  text('invalid, shape error hides cross-field rule', json({ eventType: 'purchase', userAgent: '' })),
];

/**
 * Should parseClickEvent ever throw (it once did, with a RangeError, for an unparseable eventTime), the
 * vector records `thrown` instead of aborting the run, and the Python test shows the divergence.
 */
const parseOrThrown = (bytes: Uint8Array): ReturnType<typeof parseClickEvent> | { thrown: string } => {
  try {
    return parseClickEvent(bytes);
  } catch (error) {
    return { thrown: String(error) };
  }
};

const parse = cases.map(([name, bytes]) => ({
  name,
  rawBase64: Buffer.from(bytes).toString('base64'),
  result: parseOrThrown(bytes),
}));

const orderIds = ['ord-1', 'ord-2', 'ord-00042', 'o', 'order:2026-11-21:0001', 'ÄÖÜ-utf8', 'x'.repeat(64)];
const orderedAts = ['2026-11-21T23:01:10.123Z', '2026-11-21T23:59:59.999Z', '2024-02-29T00:00:00.000Z'];
const buckets = orderIds.flatMap((orderId) =>
  orderedAts.map((orderedAt) => ({ orderId, orderedAt, bucket: orderTimeBucket(orderId, orderedAt) })),
);

const ranges: [string, string][] = [
  ['2026-11-21T23:01:00.000Z', '2026-11-21T23:02:00.000Z'],
  ['2026-11-21T23:01:30.000Z', '2026-11-21T23:02:30.000Z'],
  ['2026-11-21T23:59:00.000Z', '2026-11-22T00:01:00.000Z'],
  ['2026-11-21T23:01:00.000Z', '2026-11-21T23:01:00.000Z'],
  ['2026-11-21T23:01:59.999Z', '2026-11-21T23:02:00.001Z'],
  ['2026-12-31T23:58:10.000Z', '2027-01-01T00:00:00.000Z'],
];
const bucketRanges = ranges.map(([start, end]) => ({ start, end, buckets: orderTimeBucketsBetween(start, end) }));

const expiries = ['2026-11-21T23:01:00.000Z', '2026-11-21T23:01:10.999Z', '2024-02-28T12:00:00.000Z'].map((iso) => ({
  iso,
  days: 7,
  expiresAt: expiryAfterDays(iso, 7),
}));

// The orders table's one index, the one the job reads windows of orders through.
const [ordersByTime, ...otherIndexes] = tables.orders.globalIndexes;
if (ordersByTime === undefined || otherIndexes.length > 0)
  throw new Error('expected the orders table to have one index');
const tableKeys = {
  aggregates: {
    partitionKey: tables.aggregates.partitionKey.name,
    sortKey: tables.aggregates.sortKey?.name,
    ttlAttribute: tables.aggregates.ttl?.attribute,
  },
  ordersByTime: {
    indexName: ordersByTime?.indexName,
    partitionKey: ordersByTime?.partitionKey.name,
    sortKey: ordersByTime?.sortKey?.name,
  },
};

// The columns the DuckDB engine reads a record into, which must be those the job asks Glue for.
const glueSourceColumns = GLUE_SOURCE_COLUMNS;

process.stdout.write(
  `${JSON.stringify({ parse, buckets, bucketRanges, expiries, tableKeys, glueSourceColumns }, null, 1)}\n`,
);
