import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickEventInput } from '../../../functions/domain/click-event.js';
import type { Order } from '../../../functions/domain/order.js';
import { toIso } from '../../../functions/domain/time.js';
import { OrdersStore } from '../../../functions/store/orders-store.js';
import { createLocalGlueEngine, type LocalGlueEngine } from '../../../glue/local-engine/index.js';
import { readWindowConfig } from '../../../glue/window-config.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';
import { loadCatalogue } from '../../../simulator/catalogue-loader.js';
import { requireGluePython, runsPythonSuites, warnSkipped } from '../../helpers/glue-python.js';
import { createScratchStream, putRecords } from '../../helpers/kinesis-batches.js';
import { scanAll, useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';

/**
 * An order reaches the orders index a moment after it is placed. One placed in a window's last
 * seconds and indexed only after that window's batch ran must still be counted, once, by the next
 * batch: each batch counts the orders of a range lagging its window by the grace (glue/window-config.json).
 * Run by the DuckDB engine and, where the Glue venv is present, by the Glue job's code on Spark.
 */
warnSkipped('late-orders (Spark engine)');

const { clients, endpoints } = useLocalStack();
const dir = mkdtempSync(join(tmpdir(), 'clickprice-late-orders-'));
const MINUTE = 60_000;
const SECOND = 1_000;
const start = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;
const graceMs = readWindowConfig().orderGraceSeconds * SECOND;

let tableNames: Record<'products' | 'orders' | 'aggregates' | 'pricingConfig', string>;
let streamName: string;
let clockMs = start + MINUTE;
const engines: { name: string; engine: LocalGlueEngine; aggregates: string }[] = [];
let productId = '';
let early: Order;
let late: Order;

function order(placedAt: number, quantity: number): Order {
  return {
    orderId: `o-${randomUUID()}`,
    productId,
    sessionId: `s-${randomUUID().slice(0, 8)}`,
    userId: null,
    quantity,
    unitPrice: 1999,
    currency: 'USD',
    orderedAt: toIso(placedAt),
  };
}

function view(at: number, category: string, price: number): ClickEventInput {
  return {
    eventId: randomUUID(),
    sessionId: `s-${randomUUID().slice(0, 8)}`,
    eventType: 'product_view',
    productId,
    category,
    priceSeen: price,
    trafficSource: 'organic',
    deviceType: 'desktop',
    userAgent: 'Mozilla/5.0',
    eventTime: toIso(at),
  };
}

beforeAll(async () => {
  [tableNames, streamName] = await Promise.all([
    createScratchTables(clients.dynamodb, ['products', 'orders', 'aggregates', 'pricingConfig']),
    createScratchStream(clients.kinesis, 1),
  ]);
  const [product] = generateCatalogue(toIso(Date.now()), { productCount: 1 });
  if (!product) throw new Error('the catalogue generator gave no product');
  productId = product.productId;
  await loadCatalogue(clients.documentClient, tableNames.products, [product]);
  const common = { clients, streamName, clock: () => clockMs, productsRefreshSeconds: 0 };
  engines.push({
    name: 'duckdb',
    aggregates: tableNames.aggregates,
    engine: await createLocalGlueEngine({ ...common, tableNames, stateDir: join(dir, 'duckdb') }),
  });
  if (runsPythonSuites) {
    const aggregates = (await createScratchTables(clients.dynamodb, ['aggregates'])).aggregates;
    engines.push({
      name: 'spark',
      aggregates,
      engine: await createLocalGlueEngine({
        ...common,
        tableNames: { ...tableNames, aggregates },
        stateDir: join(dir, 'spark'),
        engine: { name: 'spark', python: requireGluePython().python, dynamodbEndpoint: endpoints.dynamodb },
      }),
    });
  }
  const orders = new OrdersStore(clients.documents, tableNames.orders);
  // Window 1 is [start, start + 1 min): an order placed early in it is indexed before its batch runs.
  early = order(start + 10 * SECOND, 2);
  await orders.put(early);
  await putRecords(clients.kinesis, streamName, [view(start + 5 * SECOND, product.category, product.price)]);
  for (const { engine } of engines) await engine.runOnce();
  // Placed 5 s before window 1 ended, within the grace, but indexed only now, after window 1's batch.
  late = order(start + MINUTE - 5 * SECOND, 3);
  await orders.put(late);
  await putRecords(clients.kinesis, streamName, [view(start + MINUTE + 5 * SECOND, product.category, product.price)]);
  clockMs = start + 2 * MINUTE;
  for (const { engine } of engines) await engine.runOnce();
}, 180_000);

afterAll(async () => {
  await Promise.all(engines.map(({ engine }) => engine.stop()));
  rmSync(dir, { recursive: true, force: true });
});

describe('an order indexed after the batch of the window it was placed in', () => {
  it('is counted once, by the next batch, in both engines', async () => {
    expect(graceMs).toBeGreaterThan(5 * SECOND);
    expect(engines.map(({ name }) => name)).toEqual(runsPythonSuites ? ['duckdb', 'spark'] : ['duckdb']);
    for (const { name, aggregates } of engines) {
      const rows = (await scanAll(clients.documentClient, aggregates))
        .map((row) => ({ windowStart: row.windowStart, views: row.views, units: row.units, revenue: row.revenue }))
        .sort((a, b) => String(a.windowStart).localeCompare(String(b.windowStart)));

      expect(rows, name).toEqual([
        { windowStart: toIso(start), views: 1, units: early.quantity, revenue: early.quantity * early.unitPrice },
        { windowStart: toIso(start + MINUTE), views: 1, units: late.quantity, revenue: late.quantity * late.unitPrice },
      ]);
    }
  });
});
