/**
 * Window-close → price-change latency of the rich path on the local stack (issue 6): the local Glue
 * engine aggregates a window (clicks from kinesalite, orders from the orders table) and writes
 * aggregate rows → the aggregates table's stream → local event-source mapping → the aggregates
 * handler → the price store. Short windows (BENCH_WINDOW_SECONDS, default 5 s) so a run is quick.
 *
 * Load: PRODUCTS products with normal stock; BASELINE_WINDOWS windows of steady traffic (per product
 * and window: SESSIONS sessions viewing, some carting, ORDERS of them purchasing, with one order row
 * each), then one window of 3× everything, which the handler prices as demand_high. Each window's
 * traffic is sent just after the window opens, so it lands wholly in that window's micro-batch.
 *
 * The demand evidence needs a baseline: minBaselinePeriods is lowered to 4 windows through the pricing
 * config, and BASELINE_WINDOWS (8) give it one. The fast path reads minutes: the run's minute or two
 * of history leave it warming up, so it never changes a price here (a change would start the
 * product's cooldown and keep the rich path from changing it).
 *
 * For each rich-path price change, latency is from the window's end (the change's changedAt) to the
 * moment the new price is visible in the products table (polled every 20 ms with BatchGet, so each
 * sample may read up to 20 ms late). The aggregates mapping runs with the deployed settings
 * (maximumBatchingWindowInSeconds 1), so up to a second of each sample is that batching window.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../definitions/resources.js';
import type { ClickEventInput } from '../functions/domain/click-event.js';
import type { Product } from '../functions/domain/product.js';
import { toEpochMs, toIso } from '../functions/domain/time.js';
import { OrdersStore } from '../functions/store/orders-store.js';
import { PriceStore } from '../functions/store/price-store.js';
import { PRICING_CONFIG_ITEM } from '../functions/store/pricing-config-store.js';
import { startLocalGlueEngine } from '../glue/local-engine/index.js';
import { silentLogger } from '../local/event-source-mapping/index.js';
import { type LocalStack, startLocalStack } from '../local/local-stack.js';
import { startLocalPipeline } from '../local/pipeline.js';
import { generateCatalogue } from '../simulator/catalogue.js';
import { loadCatalogue } from '../simulator/catalogue-loader.js';
import type { BenchResult } from './run.js';
import { type VersionWatch, watchVersions } from './version-watch.js';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 20);
const WINDOW_SECONDS = Number(process.env.BENCH_WINDOW_SECONDS ?? 5);
const BASELINE_WINDOWS = 8;
const SURGE_FACTOR = 3;
/** Per product and baseline window: enough that a threefold window is far beyond chance. */
const SESSIONS = 30;
const CARTS = 4;
const ORDERS = 2;
/** Into each window before its traffic is sent, so no record straddles a window boundary. */
const SEND_OFFSET_MS = 250;
/** How long after the surge window closes to wait for its price changes. */
const WAIT_AFTER_SURGE_MS = 15_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** One window of traffic for every product: clicks on the stream, order rows in the orders table. */
async function sendWindow(stack: LocalStack, orders: OrdersStore, catalogue: readonly Product[], factor: number) {
  const events: ClickEventInput[] = [];
  const orderWrites: Promise<unknown>[] = [];
  const now = toIso(Date.now());
  for (const product of catalogue) {
    for (let session = 0; session < SESSIONS * factor; session++) {
      const sessionId = `rich-${product.productId}-${randomUUID().slice(0, 8)}`;
      const base = {
        sessionId,
        productId: product.productId,
        category: product.category,
        priceSeen: product.price,
        trafficSource: 'organic',
        deviceType: 'desktop',
        userAgent: 'Mozilla/5.0',
        eventTime: now,
      } as const;
      events.push({ ...base, eventId: randomUUID(), eventType: 'product_view', quantity: null });
      if (session < CARTS * factor)
        events.push({ ...base, eventId: randomUUID(), eventType: 'add_to_cart', quantity: 1 });
      if (session < ORDERS * factor) {
        events.push({ ...base, eventId: randomUUID(), eventType: 'purchase', quantity: 1 });
        orderWrites.push(
          orders.put({
            orderId: `order-${randomUUID()}`,
            productId: product.productId,
            sessionId,
            userId: null,
            quantity: 1,
            unitPrice: product.price,
            currency: product.currency,
            orderedAt: now,
          }),
        );
      }
    }
  }
  const puts: Promise<unknown>[] = [];
  for (let start = 0; start < events.length; start += 500) {
    puts.push(
      stack.clients.kinesis
        .send(
          new PutRecordsCommand({
            StreamName: stack.streamName,
            Records: events.slice(start, start + 500).map((event) => ({
              PartitionKey: event.sessionId,
              Data: Buffer.from(JSON.stringify(event)),
            })),
          }),
        )
        .then((result) => {
          if (result.FailedRecordCount) throw new Error(`${result.FailedRecordCount} bench records refused`);
        }),
    );
  }
  await Promise.all([...puts, ...orderWrites]);
  return { events: events.length, orders: orderWrites.length };
}

export async function run(): Promise<BenchResult> {
  const stack = await startLocalStack();
  let pipeline: Awaited<ReturnType<typeof startLocalPipeline>> | undefined;
  let engine: Awaited<ReturnType<typeof startLocalGlueEngine>> | undefined;
  let watch: VersionWatch | undefined;
  try {
    const { documentClient, documents } = stack.clients;
    const catalogue = generateCatalogue(toIso(Date.now()), { productCount: 240 })
      // Normal stock: neither low stock nor overstock pulls the price.
      .filter((product) => product.inventory > 20 && product.inventory < 1_000)
      .slice(0, PRODUCTS);
    await loadCatalogue(documentClient, stack.tableNames.products, catalogue);
    await documentClient.send(
      new PutCommand({
        TableName: stack.tableNames.pricingConfig,
        Item: { [tables.pricingConfig.partitionKey.name]: PRICING_CONFIG_ITEM, defaults: { minBaselinePeriods: 4 } },
      }),
    );
    const versions = new Map(catalogue.map((product) => [product.productId, product.version]));
    const orders = new OrdersStore(documents, stack.tableNames.orders);

    pipeline = await startLocalPipeline(stack, { logger: silentLogger });
    engine = await startLocalGlueEngine({
      clients: stack.clients,
      tableNames: stack.tableNames,
      streamName: stack.streamName,
      windowSizeSeconds: WINDOW_SECONDS,
    });

    // Poll the products table from now on: any version change is a price change to attribute later.
    watch = watchVersions(documentClient, stack.tableNames.products, versions);
    const { detectedAt } = watch;

    // Windows are aligned to multiples of the window size; start with the next one.
    const windowMs = WINDOW_SECONDS * 1_000;
    const firstWindow = Math.ceil(Date.now() / windowMs) * windowMs;
    let eventsSent = 0;
    let ordersWritten = 0;
    for (let window = 0; window <= BASELINE_WINDOWS; window++) {
      const opens = firstWindow + window * windowMs;
      await sleep(Math.max(0, opens + SEND_OFFSET_MS - Date.now()));
      const sent = await sendWindow(stack, orders, catalogue, window === BASELINE_WINDOWS ? SURGE_FACTOR : 1);
      if (Date.now() >= opens + windowMs) throw new Error(`window ${window}'s traffic took longer than the window`);
      eventsSent += sent.events;
      ordersWritten += sent.orders;
    }
    const surgeEnd = firstWindow + (BASELINE_WINDOWS + 1) * windowMs;
    await watch.settled(surgeEnd + WAIT_AFTER_SURGE_MS);
    // The surge window's own batch, unless the next (empty) window has already replaced it.
    const lastBatch = engine.stats().lastBatch;
    const surgeBatch = lastBatch?.windowStart === toIso(surgeEnd - windowMs) ? lastBatch : null;
    await watch.stop();

    const store = new PriceStore(documents, stack.tableNames);
    const latencies: number[] = [];
    const otherChanges: string[] = [];
    for (const product of catalogue) {
      const changes = (await store.history.all(product.productId)).filter((row) => row.action === 'price');
      const [change] = changes;
      const detected = detectedAt.get(product.productId);
      if (!change || detected === undefined) continue;
      if (changes.length > 1 || change.source !== 'rich-path' || change.reasonCode !== 'demand_high') {
        otherChanges.push(
          `${product.productId}: ${changes.map((row) => `${row.source}/${row.reasonCode}`).join(', ')}`,
        );
        continue;
      }
      latencies.push(detected - toEpochMs(change.changedAt));
    }
    latencies.sort((a, b) => a - b);
    const p99 = percentile(latencies, 99);
    return {
      windowSizeSeconds: WINDOW_SECONDS,
      products: catalogue.length,
      load: {
        baselineWindows: BASELINE_WINDOWS,
        perProductBaselineWindow: {
          sessions: SESSIONS,
          views: SESSIONS,
          carts: CARTS,
          purchases: ORDERS,
          orders: ORDERS,
        },
        surgeFactor: SURGE_FACTOR,
        eventsSent,
        ordersWritten,
        fastPathSurge: 'warming up throughout (its minutes have less history than minBaselinePeriods 4)',
      },
      priceChanges: latencies.length,
      unexpectedChanges: otherChanges,
      windowCloseToPriceChangeP50Ms: percentile(latencies, 50),
      windowCloseToPriceChangeP99Ms: p99,
      windowCloseToPriceChangeMaxMs: latencies.at(-1) ?? null,
      // Of which: the Glue engine's share (window close → aggregate rows written) for the surge window;
      // the rest is the aggregates mapping (its 1 s batching window included) and the handler.
      surgeWindowCloseToRowsWrittenMs: surgeBatch?.windowCloseToRowsMs ?? null,
      targets: { windowCloseToPriceChangeP99Ms: { target: 2_000, met: latencies.length > 0 && p99 <= 2_000 } },
    };
  } finally {
    await watch?.stop().catch(() => undefined);
    await engine?.stop();
    await pipeline?.stop();
    await stack.stop();
  }
}
