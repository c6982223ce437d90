import { readFileSync } from 'node:fs';
import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AggregateRow, aggregateRowSchema } from '../../../functions/domain/aggregate.js';
import {
  DuckDbWindowAggregator,
  WINDOW_TABLES,
  type WindowBounds,
  type WindowClick,
  type WindowOrder,
  type WindowProduct,
} from '../../../glue/local-engine/duckdb-window-aggregator.js';
import { AGGREGATE_SQL_PATH, readWindowConfig } from '../../../glue/window-config.js';

const bounds = { windowStart: '2026-11-21T23:00:00.000Z', windowEnd: '2026-11-21T23:01:00.000Z' };
/** The orders' range, here the window itself; a later test moves it. */
const sameRange = { ...bounds, ordersStart: bounds.windowStart, ordersEnd: bounds.windowEnd };

const products: WindowProduct[] = [
  { productId: 'p-a', category: 'shoes', inventory: 10, price: 1999 },
  { productId: 'p-b', category: 'books', inventory: 5, price: 500 },
  { productId: 'p-c', category: 'toys', inventory: 7, price: 300 },
  { productId: 'p-d', category: 'home-garden', inventory: 3, price: 1000 },
  { productId: 'p-e', category: 'toys', inventory: 0, price: 250 },
  { productId: 'p-quiet', category: 'books', inventory: 1, price: 100 },
];

let next = 0;
function click(
  sessionId: string,
  eventType: string,
  productId: string | null,
  second = 5,
  extra: Partial<WindowClick> = {},
): WindowClick {
  next += 1;
  const quantity = ['add_to_cart', 'remove_from_cart', 'purchase'].includes(eventType) ? 1 : null;
  const eventTime = `2026-11-21T23:00:${String(second).padStart(2, '0')}.000Z`;
  return { eventId: `e-${next}`, sessionId, eventType, productId, quantity, eventTime, ...extra };
}

/** `count` events of one session inside one event-time minute, each with its own eventId. */
function burst(sessionId: string, productId: string, count: number): WindowClick[] {
  return Array.from({ length: count }, (_, index) => click(sessionId, 'product_view', productId, index % 60));
}

const viewA = click('s1', 'product_view', 'p-a');
const cartB = click('s3', 'add_to_cart', 'p-b');
const nearBot = burst('s-busy', 'p-c', 200);
const clicks: WindowClick[] = [
  viewA,
  click('s1', 'add_to_cart', 'p-a'),
  click('s1', 'purchase', 'p-a', 7, { quantity: 2 }),
  viewA, // a producer's re-send: same eventId, counted once
  click('s1', 'page_view', null),
  click('s1', 'search', null),
  click('s1', 'product_view', 'p-zz'), // not in the catalogue: no row
  click('s2', 'product_view', 'p-a'),
  click('s2', 'product_view', 'p-b'),
  click('s2', 'remove_from_cart', 'p-b'),
  click('s2', 'checkout_start', 'p-b'),
  click('s3', 'product_view', 'p-b'),
  cartB,
  cartB,
  cartB,
  // A bot: 201 unique events in the minute 23:00 (150 on p-a, 51 on p-e) and one more a minute earlier;
  // every one of its events is dropped, those naming a product counted per product.
  ...burst('s-bot', 'p-a', 150),
  ...burst('s-bot', 'p-e', 51),
  click('s-bot', 'add_to_cart', 'p-a', 0, { eventTime: '2026-11-21T22:59:59.000Z' }),
  // Exactly 200 unique events in one minute, plus re-sends: at the threshold, not over it.
  ...nearBot,
  ...nearBot.slice(0, 5),
];

const orders: WindowOrder[] = [
  { orderId: 'o1', productId: 'p-a', quantity: 2, unitPrice: 1999, orderedAt: '2026-11-21T23:00:10.000Z' },
  { orderId: 'o2', productId: 'p-a', quantity: 1, unitPrice: 1899, orderedAt: '2026-11-21T23:00:59.999Z' },
  { orderId: 'o3', productId: 'p-d', quantity: 4, unitPrice: 1000, orderedAt: '2026-11-21T23:00:30.000Z' },
  // Outside [ordersStart, ordersEnd): the end is exclusive, the start inclusive.
  { orderId: 'o4', productId: 'p-b', quantity: 1, unitPrice: 500, orderedAt: '2026-11-21T23:01:00.000Z' },
  { orderId: 'o5', productId: 'p-b', quantity: 1, unitPrice: 500, orderedAt: '2026-11-21T22:59:59.999Z' },
];

const zero = {
  ...bounds,
  views: 0,
  carts: 0,
  removes: 0,
  checkouts: 0,
  purchases: 0,
  units: 0,
  revenue: 0,
  sessions: 0,
  viewToCart: 0,
  viewToPurchase: 0,
  botEventsDropped: 0,
};

// Worked out by hand from the fixtures above.
const expected: AggregateRow[] = [
  {
    ...zero,
    productId: 'p-a',
    views: 2,
    carts: 1,
    purchases: 1,
    units: 3,
    revenue: 2 * 1999 + 1899,
    sessions: 2,
    viewToCart: 0.5,
    viewToPurchase: 0.5,
    category: 'shoes',
    inventory: 10,
    price: 1999,
    botEventsDropped: 151,
  },
  {
    ...zero,
    productId: 'p-b',
    views: 2,
    carts: 1,
    removes: 1,
    checkouts: 1,
    sessions: 2,
    viewToCart: 0.5,
    category: 'books',
    inventory: 5,
    price: 500,
  },
  { ...zero, productId: 'p-c', views: 200, sessions: 1, category: 'toys', inventory: 7, price: 300 },
  { ...zero, productId: 'p-d', units: 4, revenue: 4000, category: 'home-garden', inventory: 3, price: 1000 },
  { ...zero, productId: 'p-e', botEventsDropped: 51, category: 'toys', inventory: 0, price: 250 },
];

let aggregator: DuckDbWindowAggregator;

beforeAll(async () => {
  // The file exactly as the Glue job loads it: no templating, no engine-specific rewriting.
  aggregator = await DuckDbWindowAggregator.create(readFileSync(AGGREGATE_SQL_PATH, 'utf8'));
  await aggregator.replaceProducts(products);
});

afterAll(() => aggregator?.close());

describe('glue/aggregate-window.sql in DuckDB', () => {
  it('produces the hand-computed rows: duplicates once, bot sessions dropped and counted, orders in the window only', async () => {
    const rows = await aggregator.aggregate(sameRange, clicks, orders);

    expect(rows).toEqual(expected);
  });

  it('gives the same rows whatever order the clicks arrive in', async () => {
    const rows = await aggregator.aggregate(sameRange, [...clicks].reverse(), [...orders].reverse());

    expect(rows).toEqual(expected);
  });

  it('counts the orders of the orders range it is given, which lags the window: not those of the window', async () => {
    // Fifteen seconds of grace: this window counts the orders of 22:59:45–23:00:45; o2 (23:00:59.999)
    // is the next window's, o5 (22:59:59.999) this one's.
    const lagging = { ...bounds, ordersStart: '2026-11-21T22:59:45.000Z', ordersEnd: '2026-11-21T23:00:45.000Z' };

    const rows = await aggregator.aggregate(lagging, [], orders);

    expect(
      rows.map(({ productId, units, revenue, windowStart }) => ({ productId, units, revenue, windowStart })),
    ).toEqual([
      { productId: 'p-a', units: 2, revenue: 2 * 1999, windowStart: bounds.windowStart },
      { productId: 'p-b', units: 1, revenue: 500, windowStart: bounds.windowStart },
      { productId: 'p-d', units: 4, revenue: 4000, windowStart: bounds.windowStart },
    ]);
  });

  it('answers each window as DuckDB does planning the SQL over that window alone (its SQL is prepared once, over none)', async () => {
    // The engine's statement was prepared over empty tables; then three windows, each with rows the
    // one before did not have, each checked against the hand-computed rows and against the oracle.
    const engine = await DuckDbWindowAggregator.create(readFileSync(AGGREGATE_SQL_PATH, 'utf8'));
    const renamed = (productId: string) => `z-${productId}`;
    const later = products.map((product) => ({ ...product, productId: renamed(product.productId) }));
    const laterClicks = clicks.map((one) => ({ ...one, productId: one.productId && renamed(one.productId) }));
    const laterOrders = orders.map((order) => ({ ...order, productId: renamed(order.productId) }));
    const windows: [WindowProduct[], WindowClick[], WindowOrder[], AggregateRow[]][] = [
      // One product, one click, no orders at all.
      [
        products.slice(0, 1),
        [viewA],
        [],
        [{ ...zero, productId: 'p-a', views: 1, sessions: 1, category: 'shoes', inventory: 10, price: 1999 }],
      ],
      // Then orders, and every product.
      [products, clicks, orders, expected],
      // Then products whose ids sort after every id it has seen, with their clicks and orders.
      [later, laterClicks, laterOrders, expected.map((row) => ({ ...row, productId: renamed(row.productId) }))],
    ];
    try {
      for (const [catalogue, windowClicks, windowOrders, byHand] of windows) {
        await engine.replaceProducts(catalogue);
        const rows = await engine.aggregate(sameRange, windowClicks, windowOrders);
        expect(rows).toEqual(byHand);
        expect(rows).toEqual(await plainDuckDb(sameRange, catalogue, windowClicks, windowOrders));
      }
    } finally {
      engine.close();
    }
  });

  it('has an oracle that gives the hand-computed rows', async () => {
    expect(await plainDuckDb(sameRange, products, clicks, orders)).toEqual(expected);
  });

  it('reads a catalogue given with a window for that window alone; the next reads the cached one', async () => {
    const repriced = products.map((product) => ({ ...product, price: product.price + 1 }));
    const load = await aggregator.startWindow();
    for (const one of clicks) load.addClick(one);
    for (const order of orders) load.addOrder(order);

    const rows = await aggregator.aggregateWindow(sameRange, load, repriced);

    expect(rows).toEqual(expected.map((row) => ({ ...row, price: row.price + 1 })));
    expect(await aggregator.aggregate(sameRange, clicks, orders)).toEqual(expected);
  });

  it('with no cached catalogue (a backtest), reads each window its own: none left over from the last', async () => {
    const engine = await DuckDbWindowAggregator.create(readFileSync(AGGREGATE_SQL_PATH, 'utf8'));
    try {
      for (const step of [1, 2]) {
        const repriced = products.map((product) => ({ ...product, price: product.price + step }));
        const load = await engine.startWindow();
        for (const one of clicks) load.addClick(one);
        for (const order of orders) load.addOrder(order);
        expect(await engine.aggregateWindow(sameRange, load, repriced)).toEqual(
          expected.map((row) => ({ ...row, price: row.price + step })),
        );
      }
      // A catalogue cached and then replaced by none: a window's own is again the only one.
      await engine.replaceProducts(products);
      await engine.replaceProducts([]);
      expect(await engine.aggregate(sameRange, clicks, orders)).toEqual([]);
      const load = await engine.startWindow();
      for (const one of clicks) load.addClick(one);
      for (const order of orders) load.addOrder(order);
      expect(await engine.aggregateWindow(sameRange, load, products)).toEqual(expected);
    } finally {
      engine.close();
    }
  });

  it('refuses to replace the cached catalogue while a window is open, and a second open window', async () => {
    const load = await aggregator.startWindow();
    try {
      await expect(aggregator.replaceProducts(products)).rejects.toThrow(/window is open/);
      await expect(aggregator.startWindow()).rejects.toThrow(/open already/);
    } finally {
      await aggregator.aggregateWindow(sameRange, load);
    }
    expect(await aggregator.aggregate(sameRange, clicks, orders)).toEqual(expected);
  });

  it('ends a window whose rows DuckDB refuses with that error, and the next window starts clean', async () => {
    const unpriced = { ...(orders[0] as WindowOrder), unitPrice: undefined as unknown as number };

    await expect(aggregator.aggregate(sameRange, clicks, [unpriced])).rejects.toThrow(TypeError);
    await aggregator.replaceProducts(products);
    expect(await aggregator.aggregate(sameRange, clicks, orders)).toEqual(expected);
  });

  it('keeps the cached catalogue as it was when a product in its replacement is refused', async () => {
    const uncounted = { ...(products[1] as WindowProduct), inventory: undefined as unknown as number };
    const repriced = products.map((product) => ({ ...product, price: product.price + 1 }));

    await expect(aggregator.replaceProducts([...repriced.slice(0, 2), uncounted])).rejects.toThrow(TypeError);

    expect(await aggregator.aggregate(sameRange, clicks, orders)).toEqual(expected);
  });

  it('writes no row for a window without clicks or orders', async () => {
    expect(await aggregator.aggregate(sameRange, [], [])).toEqual([]);
  });

  it('keeps to the shared dialect: AS before every alias, no engine-only functions, no trailing semicolon', () => {
    const sql = readFileSync(AGGREGATE_SQL_PATH, 'utf8')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('--'))
      .join('\n');

    expect(sql.trimEnd().endsWith(';')).toBe(false);
    // An expression followed by a bare identifier before a comma or FROM is an alias without AS.
    expect(sql).not.toMatch(/\)\s+[A-Za-z_]+\s*(,|\n\s*FROM)/);
    for (const engineOnly of ['::', 'QUALIFY', 'DATE_TRUNC', 'STRFTIME', 'LIST(', 'COLLECT_', 'IFNULL', 'NVL(']) {
      expect(sql.toUpperCase()).not.toContain(engineOnly);
    }
  });

  it('reads a window size both engines can use', () => {
    expect(readWindowConfig().windowSizeSeconds).toBe(60);
    expect(readWindowConfig().orderGraceSeconds).toBe(15);
  });
});

/**
 * The oracle: the SQL as DuckDB runs it by default, in a database of its own, planned over the
 * window's rows once they are in (every optimizer on), the rows inserted one statement each.
 */
async function plainDuckDb(
  bounds: WindowBounds,
  catalogue: readonly WindowProduct[],
  windowClicks: readonly WindowClick[],
  windowOrders: readonly WindowOrder[],
): Promise<AggregateRow[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const insert = async (table: keyof typeof WINDOW_TABLES, rows: readonly (readonly DuckDBValue[])[]) => {
    for (const row of rows)
      await connection.run(`INSERT INTO ${table} VALUES (${row.map(() => '?').join(', ')})`, [...row]);
  };
  try {
    for (const [name, columns] of Object.entries(WINDOW_TABLES))
      await connection.run(`CREATE TABLE ${name} (${columns})`);
    await insert('window_bounds', [[bounds.windowStart, bounds.windowEnd, bounds.ordersStart, bounds.ordersEnd]]);
    await insert(
      'products',
      catalogue.map((p) => [p.productId, p.category, p.inventory, p.price]),
    );
    await insert(
      'clicks',
      windowClicks.map((c) => [
        c.eventId,
        c.sessionId,
        c.eventType,
        c.productId ?? null,
        c.quantity ?? null,
        c.eventTime,
      ]),
    );
    await insert(
      'orders',
      windowOrders.map((o) => [o.orderId, o.productId, o.quantity, o.unitPrice, o.orderedAt]),
    );
    const reader = await connection.runAndReadAll(readFileSync(AGGREGATE_SQL_PATH, 'utf8'));
    return reader
      .getRowObjectsJS()
      .map((row) =>
        aggregateRowSchema.parse(
          Object.fromEntries(
            Object.entries(row).map(([key, value]) => [key, typeof value === 'bigint' ? Number(value) : value]),
          ),
        ),
      );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
