import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../../definitions/resources.js';
import type { AggregateRow } from '../../../functions/domain/aggregate.js';
import type { PriceChange } from '../../../functions/domain/price-change.js';
import type { Product } from '../../../functions/domain/product.js';
import { minuteOf, toEpochMs, toIso } from '../../../functions/domain/time.js';
import { AggregatesStore } from '../../../functions/store/aggregates-store.js';
import { PriceStore } from '../../../functions/store/price-store.js';
import { QuarantineStore } from '../../../functions/store/quarantine-store.js';
import { OpsActions } from '../../../functions/use-cases/ops-actions.js';
import { answer, startOpsApi } from './ops-api-fixture.js';

const ops = await startOpsApi(30);
const { client } = ops;
const MINUTE = 60_000;

/** Seven manual prices of one product, ten minutes apart, starting three hours ago (oldest first). */
const HISTORY_START = toEpochMs(minuteOf(toIso(Date.now() - 3 * 3_600_000)));
const historyProduct = ops.freshProduct();
let seeded: PriceChange[] = [];

beforeAll(async () => {
  for (let index = 0; index < 7; index++) {
    const at = HISTORY_START + index * 10 * MINUTE;
    const store = new PriceStore(ops.stack.clients.documents, ops.names, { clock: () => at });
    const price = index % 2 === 0 ? historyProduct.basePrice - 100 : historyProduct.basePrice;
    seeded.push(
      await new OpsActions(store).setManualPrice(historyProduct.productId, {
        actor: 'seed',
        reason: `step ${index}`,
        price,
      }),
    );
  }
  seeded = seeded.reverse(); // newest first, as the API lists them
});

/** Each product-scoped read route, with a valid query. */
const productReads: [string, (id: string) => string][] = [
  ['GET /ops/products/{productId}', (id) => `/ops/products/${id}`],
  ['GET /ops/products/{productId}/history', (id) => `/ops/products/${id}/history`],
  ['GET /ops/products/{productId}/price-at', (id) => `/ops/products/${id}/price-at?at=2026-11-21T00:00:00.000Z`],
  ['GET /ops/products/{productId}/demand', (id) => `/ops/products/${id}/demand`],
];

describe('product ids', () => {
  it.each(productReads)('%s answers 400 naming productId for a malformed id', async (_, route) => {
    for (const id of ['bad%23id', 'has%20space', 'x'.repeat(65), '_global']) {
      const { status, body } = await answer(await ops.api.request(route(id)));
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: 'invalid_request', field: 'productId' });
    }
  });

  it.each(productReads)('%s answers 404 for a product that does not exist', async (_, route) => {
    const { status, body } = await answer(await ops.api.request(route('P99999')));

    expect(status).toBe(404);
    expect(body).toMatchObject({ error: 'not_found', message: 'product P99999 not found' });
  });
});

describe('GET /ops/products', () => {
  it('lists every product exactly once across pages', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.listProducts({ limit: 7, cursor });
      expect(page.products.length).toBeLessThanOrEqual(7);
      seen.push(...page.products.map((product) => product.productId));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor !== undefined);

    expect(pages).toBeGreaterThanOrEqual(5);
    expect(seen.sort()).toEqual(ops.catalogue.map((product) => product.productId).sort());
  });

  it('filters by category, page by page, and finds all of it', async () => {
    const category = (ops.catalogue[3] as Product).category;
    const expected = ops.catalogue.filter((product) => product.category === category).map((p) => p.productId);

    const first = await client.listProducts({ category, limit: 2 });
    const all = await client.allProducts({ category, limit: 2 });

    expect(first.products).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    expect(all.every((product) => product.category === category)).toBe(true);
    expect(all.map((product) => product.productId).sort()).toEqual(expected.sort());
  });

  it('answers 400 naming the parameter for a bad limit, category or cursor', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['category=Not%20A%20Slug', 'category'],
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${Buffer.from('{"other":1}').toString('base64url')}`, 'cursor'],
    ]) {
      const { status, body } = await answer(await ops.api.request(`/ops/products?${query}`));
      expect({ query, status, field: body.field }).toEqual({ query, status: 400, field });
    }
  });
});

describe('GET /ops/products/{productId}', () => {
  it('shows the product, its last change and a sparkline of its prices, oldest first', async () => {
    const summary = await client.getProduct(historyProduct.productId);

    expect(summary).toMatchObject({
      productId: historyProduct.productId,
      name: historyProduct.name,
      category: historyProduct.category,
      currency: historyProduct.currency,
      basePrice: historyProduct.basePrice,
      price: (seeded[0] as PriceChange).newPrice,
      floor: historyProduct.floor,
      ceiling: historyProduct.ceiling,
      version: 8,
      freeze: null,
      lastChangeAt: (seeded[0] as PriceChange).changedAt,
    });
    expect(summary.lastChange).toEqual(seeded[0]);
    expect(summary.sparkline).toEqual([...seeded].reverse().map((change) => [change.changedAt, change.newPrice]));
  });

  it("sums the fast path's counters of the last 15 minutes", async () => {
    const product = ops.freshProduct();
    const now = Date.now();
    const put = (minute: string, counts: Record<string, number>) =>
      ops.stack.clients.documentClient.send(
        new PutCommand({
          TableName: ops.names.demand,
          Item: {
            [tables.demand.partitionKey.name]: product.productId,
            [tables.demand.sortKey.name]: minute,
            ...counts,
          },
        }),
      );
    await put(minuteOf(toIso(now)), { views: 10, carts: 3, purchases: 1, units: 2 });
    await put(minuteOf(toIso(now - 5 * MINUTE)), { views: 7, carts: 1, purchases: 0 });
    await put(minuteOf(toIso(now - 30 * MINUTE)), { views: 1_000, carts: 100, purchases: 10 });

    const { demand } = await client.getProduct(product.productId);
    const answered = Date.now();

    // The window is the 15 whole minutes up to the API's own minute, which may be the next one
    // when the call crosses a minute's end.
    const firstMinute = (at: number) => toEpochMs(minuteOf(toIso(at))) - 14 * MINUTE;
    expect(demand).toMatchObject({ minutes: 15, views: 17, carts: 4, purchases: 1 });
    expect(toEpochMs(demand.since)).toBeGreaterThanOrEqual(firstMinute(now));
    expect(toEpochMs(demand.since)).toBeLessThanOrEqual(firstMinute(answered));
  });

  it('shows a product never changed with no last change and an empty sparkline', async () => {
    const product = ops.freshProduct();

    const summary = await client.getProduct(product.productId);

    expect(summary).toMatchObject({ price: product.price, version: 1, lastChange: null, sparkline: [] });
    expect(summary.demand).toMatchObject({ views: 0, carts: 0, purchases: 0 });
  });
});

describe('GET /ops/products/{productId}/history', () => {
  const at = (index: number) => toIso(HISTORY_START + index * 10 * MINUTE);

  it('pages through a time range newest first, nothing skipped or repeated', async () => {
    const from = at(1);
    const to = at(5);
    const pages: PriceChange[][] = [];
    let cursor: string | undefined;
    do {
      const page = await client.history(historyProduct.productId, { from, to, limit: 2, cursor });
      expect(page.productId).toBe(historyProduct.productId);
      pages.push(page.changes);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);

    const expected = seeded.filter((change) => change.changedAt >= from && change.changedAt <= to);
    expect(expected).toHaveLength(5);
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(expected);
  });

  it('gives each row its reason, guardrail, signals and actor', async () => {
    const page = await client.history(historyProduct.productId);

    expect(page.changes).toEqual(seeded);
    expect(page.nextCursor).toBeNull();
    expect(page.changes[0]).toMatchObject({
      reasonCode: 'manual_price',
      guardrail: null,
      signals: {},
      actor: 'seed',
      source: 'ops',
      explanation: expect.stringContaining('step 6'),
    });
  });

  it('answers 400 naming the parameter for a bad range, limit or cursor', async () => {
    const first = await client.history(historyProduct.productId, { limit: 2 });
    const cursor = first.nextCursor as string;
    const other = ops.catalogue[ops.catalogue.length - 1] as Product;
    const cases: [string, string, string][] = [
      [historyProduct.productId, 'from=yesterday', 'from'],
      [historyProduct.productId, 'to=2026-11-21', 'to'],
      [historyProduct.productId, `from=${at(5)}&to=${at(1)}`, 'from'],
      [historyProduct.productId, 'limit=501', 'limit'],
      [historyProduct.productId, 'limit=0', 'limit'],
      [historyProduct.productId, 'cursor=garbage', 'cursor'],
      // A cursor of another product's listing.
      [other.productId, `cursor=${cursor}`, 'cursor'],
      // A cursor outside the range it is sent with.
      [historyProduct.productId, `to=${at(1)}&cursor=${cursor}`, 'cursor'],
      // This listing's cursor with an attribute added, or one of its attributes mistyped.
      [historyProduct.productId, `cursor=${editedCursor(cursor, (key) => ({ ...key, extra: 'x' }))}`, 'cursor'],
      [historyProduct.productId, `cursor=${editedCursor(cursor, (key) => ({ ...key, changeKey: 7 }))}`, 'cursor'],
    ];
    for (const [productId, query, field] of cases) {
      const { status, body } = await answer(await ops.api.request(`/ops/products/${productId}/history?${query}`));
      expect({ query, status, field: body.field }).toEqual({ query, status: 400, field });
    }
  });
});

describe('GET /ops/products/{productId}/price-at', () => {
  it('answers the price in effect at an instant', async () => {
    const oldestFirst = [...seeded].reverse();
    const priceAt = async (instant: number) => (await client.priceAt(historyProduct.productId, toIso(instant))).price;

    expect(await priceAt(HISTORY_START - MINUTE)).toBe(historyProduct.basePrice);
    expect(await priceAt(HISTORY_START)).toBe(oldestFirst[0]?.newPrice);
    expect(await priceAt(HISTORY_START + 25 * MINUTE)).toBe(oldestFirst[2]?.newPrice);
    expect(await priceAt(HISTORY_START + 30 * MINUTE - 1)).toBe(oldestFirst[2]?.newPrice);
    expect(await priceAt(HISTORY_START + 30 * MINUTE)).toBe(oldestFirst[3]?.newPrice);
    const now = toIso(Date.now());
    expect(await client.priceAt(historyProduct.productId, now)).toEqual({
      productId: historyProduct.productId,
      at: now,
      price: oldestFirst[6]?.newPrice,
      currency: historyProduct.currency,
    });
    // Any ISO-8601 UTC form is read, and answered in the canonical one.
    expect((await client.priceAt(historyProduct.productId, '2026-01-01T00:00:00Z')).at).toBe(
      '2026-01-01T00:00:00.000Z',
    );
  });

  it('answers 400 naming at when it is missing or not an ISO instant', async () => {
    for (const query of ['', '?at=', '?at=now', '?at=2026-11-21']) {
      const { status, body } = await answer(
        await ops.api.request(`/ops/products/${historyProduct.productId}/price-at${query}`),
      );
      expect({ query, status, field: body.field }).toEqual({ query, status: 400, field: 'at' });
    }
  });
});

describe('GET /ops/products/{productId}/demand', () => {
  const product = ops.freshProduct();
  const start = toEpochMs(minuteOf(toIso(Date.now() - 2 * 3_600_000)));
  const windowAt = (index: number) => toIso(start + index * MINUTE);

  beforeAll(async () => {
    const rows: AggregateRow[] = [0, 1, 2, 3].map((index) => ({
      productId: product.productId,
      windowStart: windowAt(index),
      windowEnd: windowAt(index + 1),
      views: 10 + index,
      carts: index,
      removes: 0,
      checkouts: 0,
      purchases: 1,
      units: 2,
      revenue: 2 * product.price,
      sessions: 5,
      viewToCart: index / (10 + index),
      viewToPurchase: 1 / (10 + index),
      category: product.category,
      inventory: product.inventory,
      price: product.price,
      botEventsDropped: 0,
    }));
    await new AggregatesStore(ops.stack.clients.documents, ops.names.aggregates).putAll(rows);
    for (const index of [1, 2]) {
      await ops.stack.clients.documentClient.send(
        new PutCommand({
          TableName: ops.names.demand,
          Item: { productId: product.productId, minute: windowAt(index), views: 20 + index, carts: 2, purchases: 1 },
        }),
      );
    }
  });

  it('answers the windows and minutes of a range, oldest first, zeros filled in', async () => {
    const series = await client.demand(product.productId, { from: windowAt(1), to: windowAt(3) });

    expect(series).toMatchObject({ productId: product.productId, from: windowAt(1), to: windowAt(3) });
    expect(series.windows).toEqual(
      [1, 2, 3].map((index) => ({
        windowStart: windowAt(index),
        windowEnd: windowAt(index + 1),
        views: 10 + index,
        carts: index,
        purchases: 1,
        units: 2,
        revenue: 2 * product.price,
      })),
    );
    expect(series.minutes).toEqual([
      { minute: windowAt(1), views: 21, carts: 2, purchases: 1 },
      { minute: windowAt(2), views: 22, carts: 2, purchases: 1 },
      { minute: windowAt(3), views: 0, carts: 0, purchases: 0 },
    ]);
  });

  it('defaults to the last hour', async () => {
    const before = Date.now();
    const series = await client.demand(product.productId);

    expect(toEpochMs(series.to)).toBeGreaterThanOrEqual(before);
    expect(toEpochMs(series.to) - toEpochMs(series.from)).toBe(60 * MINUTE);
    expect(series.minutes).toHaveLength(61);
    expect(series.windows).toEqual([]);
  });

  it("answers a day's view asked with from alone (to is the server's now, a moment later)", async () => {
    const series = await client.demand(product.productId, { from: toIso(Date.now() - 24 * 3_600_000) });

    expect(series.minutes.length).toBeGreaterThanOrEqual(24 * 60);
    expect(series.windows.map((window) => window.windowStart)).toEqual([0, 1, 2, 3].map(windowAt));
  });

  it('answers 400 naming the parameter for a bad or too long range', async () => {
    for (const [query, field] of [
      ['from=an-hour-ago', 'from'],
      ['to=soon', 'to'],
      [`from=${windowAt(3)}&to=${windowAt(1)}`, 'from'],
      [`from=${toIso(start - 25 * 3_600_000 - 1)}&to=${windowAt(0)}`, 'from'],
    ]) {
      const { status, body } = await answer(
        await ops.api.request(`/ops/products/${product.productId}/demand?${query}`),
      );
      expect({ query, status, field: body.field }).toEqual({ query, status: 400, field });
    }
  });
});

describe('GET /ops/changes', () => {
  it('includes a change just made, newest first', async () => {
    const product = ops.freshProduct();
    const { change } = await client.setPrice(product.productId, { reason: 'feed test', price: product.basePrice + 1 });

    const feed = await client.changes({ minutes: 5 });

    expect(feed.changes).toContainEqual(change);
    const times = feed.changes.map((row) => row.changedAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(Date.now() - toEpochMs(feed.since)).toBeGreaterThanOrEqual(5 * MINUTE);
    expect(Date.now() - toEpochMs(feed.since)).toBeLessThan(6 * MINUTE);
  });

  it('leaves out changes older than the window, and stops at the limit', async () => {
    const feed = await client.changes({ minutes: 60, limit: 500 });
    const hours = await client.changes({ minutes: 240, limit: 500 });
    const limited = await client.changes({ minutes: 240, limit: 2 });

    expect(feed.changes.some((row) => row.productId === historyProduct.productId)).toBe(false);
    expect(hours.changes.filter((row) => row.productId === historyProduct.productId)).toEqual(seeded);
    expect(limited.changes).toEqual(hours.changes.slice(0, 2));
  });

  it('answers 400 naming the parameter for a bad window or limit', async () => {
    for (const [query, field] of [
      ['minutes=0', 'minutes'],
      ['minutes=10081', 'minutes'],
      ['minutes=1.5', 'minutes'],
      ['limit=501', 'limit'],
      ['limit=-1', 'limit'],
    ]) {
      const { status, body } = await answer(await ops.api.request(`/ops/changes?${query}`));
      expect({ query, status, field: body.field }).toEqual({ query, status: 400, field });
    }
  });
});

describe('GET /ops/quarantine', () => {
  it("lists a day's quarantined records with their raw bytes; today by default", async () => {
    const arrivedAt = toIso(Date.now());
    const data = Buffer.from('{"not":"a click"');
    await new QuarantineStore(ops.stack.clients.documents, ops.names.quarantine).put([
      {
        source: 'fast-path',
        shardId: 'shardId-000000000001',
        sequenceNumber: '4955',
        arrivedAt,
        reason: 'bad JSON',
        data,
      },
    ]);

    const page = await client.quarantine({ day: arrivedAt.slice(0, 10) });
    const askedAt = Date.now();
    const today = await client.quarantine();
    const answeredAt = Date.now();
    const otherDay = await client.quarantine({ day: '2020-02-29' });

    expect(page.day).toBe(arrivedAt.slice(0, 10));
    expect(page.records).toHaveLength(1);
    expect(page.records[0]).toMatchObject({
      source: 'fast-path',
      shardId: 'shardId-000000000001',
      sequenceNumber: '4955',
      arrivedAt,
      reason: 'bad JSON',
      rawBytes: data.length,
      truncated: false,
    });
    expect(Buffer.from(page.records[0]?.rawBase64 ?? '', 'base64')).toEqual(data);
    // The API's day: the one the call began in, or the next if it crossed midnight (UTC).
    expect([toIso(askedAt).slice(0, 10), toIso(answeredAt).slice(0, 10)]).toContain(today.day);
    expect(otherDay).toEqual({ day: '2020-02-29', records: [] });
  });

  it('answers 400 naming the parameter for a bad day or limit', async () => {
    for (const [query, field] of [
      ['day=today', 'day'],
      ['day=2026-13-01', 'day'],
      ['day=2026-02-30', 'day'],
      ['limit=501', 'limit'],
    ]) {
      const { status, body } = await answer(await ops.api.request(`/ops/quarantine?${query}`));
      expect({ query, status, field: body.field }).toEqual({ query, status: 400, field });
    }
  });
});

describe('GET /ops/config', () => {
  it('shows the built-in config before anything is set', async () => {
    expect(await client.config()).toEqual({
      killSwitch: false,
      shadowMode: false,
      version: 0,
      config: { defaults: {}, categories: {} },
    });
  });
});

/** A cursor with its key edited, re-encoded as the API encodes cursors. */
function editedCursor(cursor: string, edit: (key: Record<string, unknown>) => Record<string, unknown>): string {
  const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
  return Buffer.from(JSON.stringify(edit(key))).toString('base64url');
}
