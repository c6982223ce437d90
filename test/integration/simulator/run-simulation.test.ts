import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../definitions/local-services.js';
import { tables } from '../../../definitions/resources.js';
import { parseClickEvent } from '../../../functions/domain/click-event.js';
import type { Product } from '../../../functions/domain/product.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';
import { loadCatalogue } from '../../../simulator/catalogue-loader.js';
import { EmptyCatalogueError } from '../../../simulator/errors.js';
import { PriceView } from '../../../simulator/price-view.js';
import { type RecordedLine, readRecording } from '../../../simulator/recording.js';
import { replenishmentPlan, restockLevel } from '../../../simulator/replenishment.js';
import { runSimulation, type SimulationSummary, type SimulationTarget } from '../../../simulator/run-simulation.js';
import { ShardMap } from '../../../simulator/shard-map.js';
import type { CountsByType } from '../../../simulator/tally.js';
import { TrafficModel } from '../../../simulator/traffic-model.js';
import { scanAll, useLocalStack } from '../../helpers/local-stack.js';
import { startKinesisProxy, type WireEntry, wireKey } from './kinesis-proxy.js';
import { byShard, readStream, type StoredRecord, scratchStream, scratchTables } from './stream-helpers.js';

const stack = useLocalStack();
const directory = mkdtempSync(join(tmpdir(), 'clickprice-simulation-'));
const START = Date.parse('2026-11-27T09:00:00.000Z');

/** A catalogue (80 products, 8 per category) whose live prices differ from base (+10 %, within bounds), so orders show which one was read. */
function repricedCatalogue(): Product[] {
  return generateCatalogue('2026-11-27T08:00:00.000Z', { productCount: 80 }).map((product) => ({
    ...product,
    price: Math.min(product.ceiling, Math.round(product.basePrice * 1.1)),
  }));
}

async function target(prefix: string, catalogue: readonly Product[]): Promise<SimulationTarget> {
  const [streamName, names] = await Promise.all([
    scratchStream(stack.clients, prefix),
    scratchTables(stack.clients, prefix),
  ]);
  await loadCatalogue(stack.clients.documentClient, names.products, catalogue);
  return {
    kinesis: stack.clients.kinesis,
    streamName,
    documentClient: stack.clients.documentClient,
    documents: stack.clients.documents,
    productsTable: names.products,
    ordersTable: names.orders,
  };
}

const recordKey = (record: { partitionKey: string; data: string | Buffer }) =>
  `${record.partitionKey}\u0000${Buffer.from(record.data).toString('base64')}`;

describe('a recorded bad-events run', () => {
  const catalogue = repricedCatalogue();
  let run: { target: SimulationTarget; summary: SimulationSummary; lines: RecordedLine[]; stored: StoredRecord[] };

  beforeAll(async () => {
    const runTarget = await target('sim-run', catalogue);
    const out = join(directory, 'bad-events.jsonl');
    const summary = await runSimulation({
      target: runTarget,
      scenario: 'bad-events',
      rate: 250,
      durationSeconds: 20,
      pace: 'fast',
      seed: 5,
      startTime: START,
      out,
      // Pacing has its own test; here it would only make the suite wait.
      sender: { shardLimits: null },
    });
    run = {
      target: runTarget,
      summary,
      lines: await readRecording(out),
      stored: await readStream(stack.clients.kinesis, runTarget.streamName),
    };
  }, 60_000);

  it('puts every recorded record on the stream exactly once, and nothing else', () => {
    expect(run.lines.length).toBe(run.summary.records.total);
    expect(run.stored.map(recordKey).sort()).toEqual(run.lines.map(recordKey).sort());
    expect(run.summary.sender).toMatchObject({ recordsSent: run.lines.length, lostRecords: 0, queuedRecords: 0 });
  });

  it('labels every line so a consumer’s counts can be checked: valid and duplicates parse, bad:* do not', () => {
    const kinds = new Set(run.lines.map((line) => line.kind));
    expect([...kinds].sort()).toEqual(
      ['bad:malformed-json', 'bad:missing-field', 'bad:oversized', 'bad:wrong-type', 'duplicate', 'valid'].sort(),
    );
    for (const line of run.lines) {
      const parsed = parseClickEvent(line.data);
      expect(parsed.ok, `${line.kind}: ${line.data.slice(0, 120)}`).toBe(!line.kind.startsWith('bad:'));
      if (parsed.ok) expect(parsed.value.sessionId).toBe(line.partitionKey);
    }
  });

  it('summarises what a recount of the recording finds: valid unique events per product and type, bad kinds, duplicates', () => {
    const byProduct: Record<string, CountsByType> = {};
    const bad: Record<string, number> = {};
    for (const line of run.lines) {
      if (line.kind === 'valid') {
        const event = JSON.parse(line.data) as { productId?: string; eventType: keyof CountsByType };
        if (event.productId === undefined) continue;
        byProduct[event.productId] ??= {};
        const counts = byProduct[event.productId] as CountsByType;
        counts[event.eventType] = (counts[event.eventType] ?? 0) + 1;
      } else if (line.kind.startsWith('bad:')) {
        bad[line.kind.slice(4)] = (bad[line.kind.slice(4)] ?? 0) + 1;
      }
    }
    expect(run.summary.records.validByProduct).toEqual(byProduct);
    expect(run.summary.records.bad).toEqual(bad);
    expect(run.summary.records.duplicate).toBe(run.lines.filter((line) => line.kind === 'duplicate').length);
    expect(run.summary).toMatchObject({ mode: 'generate', scenario: 'bad-events', seed: 5, endedBy: 'duration' });
  });

  it('writes one order per valid purchase, at the price read from the products table', async () => {
    const purchases = run.lines.filter((line) => line.kind === 'valid' && line.order);
    expect(purchases.length).toBe(run.summary.records.purchases);
    expect(purchases.length).toBeGreaterThan(20);
    const { Items = [] } = await stack.clients.documentClient.send(
      new ScanCommand({ TableName: run.target.ordersTable }),
    );
    expect(Items.map((item) => item.orderId).sort()).toEqual(purchases.map((line) => line.order?.orderId).sort());
    const live = new Map(catalogue.map((product) => [product.productId, product.price]));
    for (const item of Items) expect(item.unitPrice).toBe(live.get(item.productId));
    expect(run.summary.orders).toMatchObject({ written: purchases.length, existing: 0, failed: 0 });
  });

  it('replays the recording exactly: byte-identical data, same partition keys, same order on every shard', async () => {
    const replayStream = await scratchStream(stack.clients, 'sim-replay');
    const stockBefore = await inventories(run.target.productsTable);
    const summary = await runSimulation({
      target: { ...run.target, streamName: replayStream },
      replay: join(directory, 'bad-events.jsonl'),
      pace: 'fast',
      sender: { shardLimits: null },
    });

    const replayed = await readStream(stack.clients.kinesis, replayStream);
    const map = await ShardMap.load(stack.clients.kinesis, replayStream);
    for (const [shardId, onShard] of byShard(replayed)) {
      const recorded = run.lines.filter((line) => map.shards[map.shardIndexOf(line.partitionKey)]?.shardId === shardId);
      expect(onShard.map(recordKey)).toEqual(recorded.map(recordKey));
    }
    expect(replayed.length).toBe(run.lines.length);
    // The same shard layout, so the original stream holds the same sequences too.
    const original = byShard(run.stored);
    for (const [shardId, onShard] of byShard(replayed)) {
      expect(onShard.map(recordKey)).toEqual((original.get(shardId) ?? []).map(recordKey));
    }
    // The orders are already there: the order system's writes are idempotent, and take no stock again.
    expect(summary.orders).toMatchObject({ written: 0, existing: run.summary.orders.written, failed: 0 });
    // Nor does a replay restock.
    expect(summary.stock).toBeNull();
    expect(await inventories(run.target.productsTable)).toEqual(stockBefore);
    expect(summary.records).toEqual(run.summary.records);
  });
});

/** Each product's inventory in a products table. */
async function inventories(tableName: string): Promise<Map<string, number>> {
  const items = await scanAll(stack.clients.documentClient, tableName);
  return new Map(items.map((item) => [item.productId as string, item.inventory as number]));
}

describe('a run with stock: orders take it, sold-out products do not sell, deliveries restock', () => {
  const MINUTE = 60_000;
  const options = { scenario: 'scarce-stock', rate: 300, durationSeconds: 240, seed: 21 } as const;
  const plan = replenishmentPlan({ everyMinutes: 1, coverMinutes: 1, supplyShare: 0.6 });
  // 20 products, 4 of them down to their last units.
  const catalogue = generateCatalogue('2026-11-27T08:00:00.000Z', { productCount: 20 }).map((product, index) =>
    index < 4 ? { ...product, inventory: 1 + (index % 3) } : product,
  );
  let run: { summary: SimulationSummary; orders: Record<string, unknown>[]; after: Map<string, number> };

  beforeAll(async () => {
    const runTarget = await target('sim-stock', catalogue);
    const summary = await runSimulation({
      ...options,
      target: runTarget,
      pace: 'fast',
      startTime: START,
      replenishment: { everyMinutes: plan.everyMinutes, coverMinutes: plan.coverMinutes },
      sender: { shardLimits: null },
    });
    run = {
      summary,
      orders: await scanAll(stack.clients.documentClient, runTarget.ordersTable),
      after: await inventories(runTarget.productsTable),
    };
  }, 60_000);

  it('sells out, losing purchases, and every order written took its units from the products table', () => {
    const { summary, orders, after } = run;
    expect(summary.stock).toMatchObject({ plan, deliveries: 4, failedDeliveryWrites: 0 });
    expect(summary.stock?.lostPurchases).toBeGreaterThan(0);
    expect(summary.stock?.lostUnits).toBeGreaterThanOrEqual(summary.stock?.lostPurchases ?? 0);
    expect(summary.orders).toMatchObject({ written: orders.length, existing: 0, soldOut: 0, failed: 0 });
    // Stock now = stock at the start + deliveries − the units of the orders written, never negative.
    const sold = new Map<string, number>();
    for (const order of orders) {
      sold.set(order.productId as string, (sold.get(order.productId as string) ?? 0) + (order.quantity as number));
    }
    const delivered = catalogue.map(
      (product) => (after.get(product.productId) ?? 0) - product.inventory + (sold.get(product.productId) ?? 0),
    );
    expect(delivered.every((units) => units >= 0)).toBe(true);
    expect([...after.values()].every((units) => units >= 0)).toBe(true);
    // The summary's numbers are a recount of the tables.
    expect(summary.stock).toMatchObject({
      unitsSold: [...sold.values()].reduce((sum, units) => sum + units, 0),
      unitsDelivered: delivered.reduce((sum, units) => sum + units, 0),
      soldOutAtEnd: [...after.values()].filter((units) => units === 0).length,
    });
    expect(summary.stock?.soldOutAtEnd).toBeGreaterThan(0);
  });

  it('at each of the plan’s offsets brings every product up to its level (a cover of its usual sales × the supply share)', () => {
    // Prepare: the levels, from the model's usual demand as the plan knows it (the same seed, rate and catalogue).
    const model = new TrafficModel({
      seed: options.seed,
      startTime: START,
      eventsPerSecond: options.rate,
      catalogue: catalogue.map(({ productId, category, name, currency, basePrice }) => ({
        productId,
        category,
        name,
        currency,
        basePrice,
      })),
    });
    const ordersOf = (productId: string) =>
      run.orders
        .filter((order) => order.productId === productId)
        .map((order) => ({
          offset: Date.parse(order.orderedAt as string) - START,
          quantity: order.quantity as number,
        }));

    // Act: replay each product's stock: the orders before a delivery's offset, then the delivery
    const recounted = catalogue.map((product) => {
      const level = restockLevel(model.expectedUnitsPerMinute(product.productId), plan);
      const orders = ordersOf(product.productId);
      let units = product.inventory;
      for (const offset of [0, 1, 2, 3].map((minutes) => minutes * MINUTE)) {
        for (const order of orders.filter((each) => each.offset < offset && each.offset >= offset - MINUTE)) {
          units -= order.quantity;
        }
        expect(units, `${product.productId} before the delivery at ${offset} ms`).toBeGreaterThanOrEqual(0);
        units = Math.max(units, level);
      }
      for (const order of orders.filter((each) => each.offset >= 3 * MINUTE)) units -= order.quantity;
      return [product.productId, units] as const;
    });

    // Assess
    expect(new Map(recounted)).toEqual(run.after);
  });
});

/** What a run recorded and what its stream holds. */
async function recordedAndStored(out: string, streamName: string) {
  return { lines: await readRecording(out), stored: await readStream(stack.clients.kinesis, streamName) };
}

describe('what a run records and counts is what the stream accepted', () => {
  it('stopped at once, it abandons what is queued: not recorded, not counted, and every recorded line is on the stream', async () => {
    // Prepare: pacing at 500 records/s per shard, so a fast run builds a queue and then waits for room
    // (the stop comes while generation is held up by back-pressure).
    const runTarget = await target('sim-stop-now', generateCatalogue('2026-11-27T08:00:00.000Z', { productCount: 40 }));
    const out = join(directory, 'stop-now.jsonl');
    const signal = new AbortController();
    const stopNow = new AbortController();
    setTimeout(() => {
      signal.abort();
      stopNow.abort();
    }, 1_500);

    // Act
    const summary = await runSimulation({
      target: runTarget,
      scenario: 'bad-events',
      rate: 250,
      durationSeconds: 60,
      pace: 'fast',
      seed: 11,
      startTime: START,
      out,
      signal: signal.signal,
      stopNow: stopNow.signal,
      sender: { shardLimits: { recordsPerSecond: 500, bytesPerSecond: 1024 * 1024 } },
      maxQueuedRecords: 3_000,
    });

    // Assess
    const { lines, stored } = await recordedAndStored(out, runTarget.streamName);
    expect(summary.endedBy).toBe('signal');
    expect(summary.sender.abandonedRecords).toBeGreaterThan(500);
    expect(summary.sender).toMatchObject({ lostRecords: 0, queuedRecords: 0, recordsSent: lines.length });
    expect(summary.records.total).toBe(lines.length);
    const onStream = new Set(stored.map(recordKey));
    expect(lines.filter((line) => !onStream.has(recordKey(line)))).toEqual([]);
  });

  it('drains the queue however long the stream needs (here over 10 s): nothing lost, all recorded and counted', async () => {
    // Prepare: pacing at 200 records/s per shard; ~4,400 records generated at once need ~11 s.
    const runTarget = await target(
      'sim-long-drain',
      generateCatalogue('2026-11-27T08:00:00.000Z', { productCount: 40 }),
    );
    const out = join(directory, 'long-drain.jsonl');

    // Act
    const summary = await runSimulation({
      target: runTarget,
      scenario: 'bad-events',
      rate: 100,
      durationSeconds: 40,
      pace: 'fast',
      seed: 12,
      startTime: START,
      out,
      sender: { shardLimits: { recordsPerSecond: 200, bytesPerSecond: 1024 * 1024 } },
    });

    // Assess
    const { lines, stored } = await recordedAndStored(out, runTarget.streamName);
    expect(summary.wallSeconds).toBeGreaterThan(10);
    expect(summary.sender).toMatchObject({ lostRecords: 0, abandonedRecords: 0, recordsSent: lines.length });
    expect(summary.records.total).toBe(lines.length);
    expect(stored.map(recordKey).sort()).toEqual(lines.map(recordKey).sort());
  }, 40_000);

  it('loses the records the stream refuses every time: not recorded or counted, while their orders are still written', async () => {
    // Prepare: a proxy that refuses every record of sessions whose id ends in 0 or 5 (InternalFailure).
    const runTarget = await target('sim-refused', generateCatalogue('2026-11-27T08:00:00.000Z', { productCount: 40 }));
    const refuse = (entry: WireEntry) => (/[05]$/.test(entry.PartitionKey) ? 'InternalFailure' : null);
    const proxy = await startKinesisProxy(stack.endpoints.kinesis, { refuse });
    const kinesis = new KinesisClient({
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      endpoint: proxy.endpoint,
      requestHandler: stack.clients.kinesis.config.requestHandler,
    });
    const out = join(directory, 'refused.jsonl');

    // Act
    const summary = await runSimulation({
      target: { ...runTarget, kinesis },
      scenario: 'bad-events',
      rate: 200,
      durationSeconds: 20,
      pace: 'fast',
      seed: 13,
      startTime: START,
      out,
      sender: { shardLimits: null, maxAttempts: 2, baseBackoffMs: 1 },
    });
    kinesis.destroy();
    await proxy.close();

    // Assess: each refused record tried twice, then lost; none of them recorded. (A duplicate is
    // byte-identical to its original, on the same session: the proxy counts both under one key.)
    const { lines, stored } = await recordedAndStored(out, runTarget.streamName);
    const wire = (line: RecordedLine) =>
      wireKey({ PartitionKey: line.partitionKey, Data: Buffer.from(line.data).toString('base64') });
    expect(proxy.stats.refused.size).toBeGreaterThan(100);
    const refusals = [...proxy.stats.refused.values()];
    expect(refusals.every((count) => count % 2 === 0)).toBe(true);
    expect(summary.sender.lostRecords).toBe(refusals.reduce((sum, count) => sum + count, 0) / 2);
    expect(summary.sender.lostReason).toMatch(/not accepted in 2 attempts each .*InternalFailure/);
    expect(lines.filter((line) => proxy.stats.refused.has(wire(line)))).toEqual([]);
    expect(stored.map(recordKey).sort()).toEqual(lines.map(recordKey).sort());
    expect(summary.records.total).toBe(lines.length);
    // The order system is independent of the stream: a lost purchase's order is written all the same.
    const lostPurchases = [...proxy.stats.refused.keys()].filter((key) => {
      const parsed = parseClickEvent(Buffer.from(key.split(' ')[1] ?? '', 'base64').toString('utf8'));
      return parsed.ok && parsed.value.eventType === 'purchase';
    });
    const recordedPurchases = lines.filter((line) => line.kind === 'valid' && line.order).length;
    expect(lostPurchases.length).toBeGreaterThan(0);
    expect(summary.orders.written).toBe(recordedPurchases + lostPurchases.length);
  });
});

describe('a realtime run', () => {
  it('stamps events with the wall clock as it goes, and on abort sends what was queued', async () => {
    const runTarget = await target('sim-realtime', generateCatalogue('2026-11-27T08:00:00.000Z', { productCount: 40 }));
    const controller = new AbortController();
    const startedAt = Date.now();
    setTimeout(() => controller.abort(), 1_500);

    const summary = await runSimulation({ target: runTarget, rate: 200, seed: 3, signal: controller.signal });
    const ranSeconds = (Date.now() - startedAt) / 1000;

    const stored = await readStream(stack.clients.kinesis, runTarget.streamName);
    expect(summary.endedBy).toBe('signal');
    expect(stored.length).toBe(summary.records.total);
    // 1.5 s at 200 events/s, give or take the start-up and Poisson noise; no more than 200 a second
    // of the run however late a busy machine fires the abort.
    expect(summary.records.total).toBeGreaterThan(150);
    expect(summary.records.total).toBeLessThan(200 * ranSeconds + 60);
    for (const record of stored) {
      const eventTime = Date.parse(JSON.parse(record.data.toString('utf8')).eventTime);
      expect(eventTime).toBeGreaterThanOrEqual(startedAt);
      expect(eventTime).toBeLessThanOrEqual(Date.now());
    }
  });
});

describe('price view', () => {
  it('reads the catalogue with live prices, and sees a price change on refresh', async () => {
    const names = await scratchTables(stack.clients, 'price-view');
    const catalogue = repricedCatalogue().slice(0, 30);
    await loadCatalogue(stack.clients.documentClient, names.products, catalogue);
    const view = await PriceView.load(stack.clients.documentClient, names.products);
    const product = catalogue[7] as Product;
    expect(view.catalogue.length).toBe(30);
    expect(view.priceOf(product.productId)).toBe(product.price);

    await stack.clients.documentClient.send(
      new UpdateCommand({
        TableName: names.products,
        Key: { [tables.products.partitionKey.name]: product.productId },
        UpdateExpression: 'SET price = :price',
        ExpressionAttributeValues: { ':price': product.floor },
      }),
    );
    expect(view.priceOf(product.productId)).toBe(product.price);
    await view.refresh();
    expect(view.priceOf(product.productId)).toBe(product.floor);
    const { Item } = await stack.clients.documentClient.send(
      new GetCommand({ TableName: names.products, Key: { [tables.products.partitionKey.name]: product.productId } }),
    );
    expect(Item?.price).toBe(product.floor);
  });

  it('refuses an empty products table, saying to seed it', async () => {
    const names = await scratchTables(stack.clients, 'price-view-empty');
    await expect(PriceView.load(stack.clients.documentClient, names.products)).rejects.toThrow(EmptyCatalogueError);
    await expect(PriceView.load(stack.clients.documentClient, names.products)).rejects.toThrow(/seed it/);
  });
});
