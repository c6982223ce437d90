import { randomUUID } from 'node:crypto';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { aggregatesEventSource } from '../../../definitions/event-sources.js';
import { tableEnvVar, tables } from '../../../definitions/resources.js';
import type { AggregateRow } from '../../../functions/domain/aggregate.js';
import type { Product } from '../../../functions/domain/product.js';
import { toIso } from '../../../functions/domain/time.js';
import {
  type AggregatesDependencies,
  aggregateDecisionId,
  processAggregateRecords,
} from '../../../functions/handlers/aggregates-processor.js';
import { AggregatesStore } from '../../../functions/store/aggregates-store.js';
import { PriceStore } from '../../../functions/store/price-store.js';
import { PRICING_CONFIG_ITEM } from '../../../functions/store/pricing-config-store.js';
import {
  InMemoryOnFailureDestination,
  type StreamHandler,
  silentLogger,
  startEventSourceMapping,
  toDynamoDBStreamRecord,
} from '../../../local/event-source-mapping/index.js';
import { localStackEnvironment } from '../../../local/local-stack.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';
import { loadCatalogue } from '../../../simulator/catalogue-loader.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';

const stack = useLocalStack();
const TABLES = ['products', 'priceHistory', 'pricingConfig', 'aggregates'] as const;
let names: Record<(typeof TABLES)[number], string>;
let catalogue: Product[];
let nextProduct = 0;
let nextSequence = 1;

const WINDOW_MS = 60_000;
/** The triggering window of every test: a recent minute, so the decision's day is today. */
const CURRENT_START = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS - 5 * WINDOW_MS;

/** A normally stocked, unfrozen product no other test here touches: only demand may move its price. */
function freshProduct(): Product {
  while (nextProduct < catalogue.length) {
    const product = catalogue[nextProduct++];
    if (product && product.inventory >= 200 && product.inventory < 1_000 && product.freeze === null) return product;
  }
  throw new Error('catalogue exhausted');
}

function prices(): PriceStore {
  return new PriceStore(stack.clients.documents, names);
}

function dependencies(overrides: Partial<AggregatesDependencies> = {}): AggregatesDependencies {
  return {
    baseline: new AggregatesStore(stack.clients.documents, names.aggregates),
    prices: prices(),
    ...overrides,
  };
}

/** A window of `product`, `windowsBack` windows before the current one, with usual (low) demand. */
function windowOf(product: Product, windowsBack: number, counts: Partial<AggregateRow> = {}): AggregateRow {
  const start = CURRENT_START - windowsBack * WINDOW_MS;
  return {
    productId: product.productId,
    windowStart: toIso(start),
    windowEnd: toIso(start + WINDOW_MS),
    views: 20,
    carts: 2,
    removes: 0,
    checkouts: 1,
    purchases: 1,
    units: 1,
    revenue: product.price,
    sessions: 15,
    viewToCart: 0.1,
    viewToPurchase: 0.05,
    category: product.category,
    inventory: product.inventory,
    price: product.price,
    botEventsDropped: 0,
    ...counts,
  };
}

/** The current window of `product`: six times its usual demand, orders included, far beyond chance. */
function highDemandWindow(product: Product): AggregateRow {
  return windowOf(product, 0, {
    views: 120,
    carts: 20,
    checkouts: 16,
    purchases: 15,
    units: 18,
    revenue: 18 * product.price,
    sessions: 80,
    viewToCart: 20 / 120,
    viewToPurchase: 15 / 120,
  });
}

async function putWindow(row: object): Promise<void> {
  await stack.clients.documentClient.send(new PutCommand({ TableName: names.aggregates, Item: row }));
}

/**
 * `windows` earlier windows of usual demand in the aggregates table: the product's baseline (the
 * evidence wants ten periods of history beyond the first).
 */
async function putBaseline(product: Product, windows = 20): Promise<void> {
  for (let back = 1; back <= windows; back++) await putWindow(windowOf(product, back));
}

/** The record Lambda delivers for a write of `row`, as the DynamoDB stream of a NEW_IMAGE table has it. */
function streamRecord(row: object, eventName: 'INSERT' | 'MODIFY' | 'REMOVE' = 'INSERT'): DynamoDBRecord {
  const item = marshall(row, { removeUndefinedValues: true });
  const keyOf = tables.aggregates;
  const keys = {
    [keyOf.partitionKey.name]: item[keyOf.partitionKey.name],
    [keyOf.sortKey.name]: item[keyOf.sortKey.name],
  };
  return toDynamoDBStreamRecord(
    {
      eventID: randomUUID(),
      eventName,
      awsRegion: 'us-east-1',
      dynamodb: {
        ApproximateCreationDateTime: new Date(),
        Keys: keys as Record<string, object>,
        ...(eventName === 'REMOVE' ? {} : { NewImage: item as Record<string, object> }),
        SequenceNumber: String(nextSequence++).padStart(21, '0'),
        SizeBytes: 200,
        StreamViewType: 'NEW_IMAGE',
      },
    },
    'arn:aws:dynamodb:us-east-1:000000000000:table/aggregates/stream/2026-01-01T00:00:00.000',
  );
}

async function historyOf(productId: string) {
  return (await prices().history.list(productId, { limit: 500 })).changes;
}

beforeAll(async () => {
  names = await createScratchTables(stack.clients.dynamodb, TABLES);
  catalogue = generateCatalogue(toIso(Date.now()), { seed: 11, productCount: 60 });
  await loadCatalogue(stack.clients.documentClient, names.products, catalogue);
  // No cooldown and no daily cap: every applied decision here is demand's alone.
  await stack.clients.documentClient.send(
    new PutCommand({
      TableName: names.pricingConfig,
      Item: {
        [tables.pricingConfig.partitionKey.name]: PRICING_CONFIG_ITEM,
        defaults: { cooldownSeconds: 0, maxChangesPerDay: 1_440 },
        version: 1,
      },
    }),
  );
});

describe('rich path: one decision per aggregate row', () => {
  it('raises the price of a high-demand window once, as demand_high, with the row key as decision id', async () => {
    const product = freshProduct();
    await putBaseline(product);
    const row = highDemandWindow(product);

    const { failures, stats } = await processAggregateRecords([streamRecord(row)], dependencies());

    expect(failures.size).toBe(0);
    expect(stats).toMatchObject({ records: 1, applied: 1, duplicate: 0 });
    const after = await prices().getProduct(product.productId);
    expect(after?.price).toBeGreaterThan(product.price);
    expect(after?.version).toBe(product.version + 1);
    const history = await historyOf(product.productId);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      decisionId: `agg:${product.productId}:${row.windowStart}`,
      changedAt: row.windowEnd,
      reasonCode: 'demand_high',
      source: 'rich-path',
      oldPrice: product.price,
      newPrice: after?.price,
    });
    expect(history[0]?.decisionId).toMatch(/^[!-"$-~]+$/);
  });

  it('applies exactly one decision when the same records are delivered twice, in one batch or two', async () => {
    const product = freshProduct();
    await putBaseline(product);
    const record = streamRecord(highDemandWindow(product));

    const first = await processAggregateRecords([record], dependencies());
    const afterFirst = await prices().getProduct(product.productId);
    // Redelivered: the whole batch again (a retry), and the record twice in one batch (an overlap).
    const retry = await processAggregateRecords([record], dependencies());
    const overlap = await processAggregateRecords([record, record], dependencies());

    expect(first.stats.applied).toBe(1);
    expect(retry.stats).toMatchObject({ applied: 0, duplicate: 1 });
    expect(overlap.stats).toMatchObject({ applied: 0, duplicate: 2 });
    expect(await prices().getProduct(product.productId)).toEqual(afterFirst);
    expect(afterFirst?.version).toBe(product.version + 1);
    expect(await historyOf(product.productId)).toHaveLength(1);
  });

  it('applies exactly one decision when the Glue job writes the same row again (a MODIFY of equal content)', async () => {
    const product = freshProduct();
    await putBaseline(product);
    const row = highDemandWindow(product);

    await processAggregateRecords([streamRecord(row, 'INSERT')], dependencies());
    const again = await processAggregateRecords([streamRecord(row, 'MODIFY')], dependencies());

    expect(again.stats.duplicate).toBe(1);
    expect(await historyOf(product.productId)).toHaveLength(1);
  });

  it('changes nothing for a product without earlier windows: it is warming up, with no baseline to compare with', async () => {
    const product = freshProduct();

    const { failures, stats } = await processAggregateRecords(
      [streamRecord(highDemandWindow(product))],
      dependencies(),
    );

    expect(failures.size).toBe(0);
    expect(stats).toMatchObject({ applied: 0, no_change: 1 });
    await putBaseline(product, 5);
    const young = await processAggregateRecords([streamRecord(highDemandWindow(product))], dependencies());
    expect(young.stats).toMatchObject({ applied: 0, no_change: 1 });
    expect(await prices().getProduct(product.productId)).toMatchObject({
      price: product.price,
      version: product.version,
    });
  });

  it('compares with the earlier windows only, not with the triggering window itself', async () => {
    const product = freshProduct();
    await putBaseline(product, 3);
    const row = highDemandWindow(product);
    // The triggering row is in the table too, as it is when its stream record arrives.
    await putWindow(row);
    const seen: unknown[] = [];
    const reader = new AggregatesStore(stack.clients.documents, names.aggregates);

    await processAggregateRecords([streamRecord(row)], {
      ...dependencies(),
      baseline: {
        previousWindows: async (...args) => {
          const rows = await reader.previousWindows(...args);
          seen.push(...rows.map((r) => r.windowStart));
          return rows;
        },
      },
    });

    expect(seen).toEqual([1, 2, 3].map((back) => toIso(CURRENT_START - back * WINDOW_MS)));
  });
});

describe('rich path: records that are not aggregates', () => {
  it('ignores a REMOVE and skips an invalid row without failing the batch or touching prices', async () => {
    const product = freshProduct();
    await putBaseline(product);
    const row = highDemandWindow(product);
    const warnings: string[] = [];

    const { failures, stats } = await processAggregateRecords(
      [
        streamRecord(row, 'REMOVE'),
        streamRecord({ ...row, views: -3 }),
        streamRecord({ ...row, windowEnd: row.windowStart }),
        streamRecord({ productId: product.productId, windowStart: row.windowStart }),
      ],
      dependencies({ logger: { warn: (_message, attributes) => warnings.push(String(attributes.reason)) } }),
    );

    expect(failures.size).toBe(0);
    expect(stats).toMatchObject({ records: 4, ignored: 1, invalid: 3, applied: 0, no_change: 0 });
    expect(warnings).toEqual([
      expect.stringMatching(/^views: /),
      expect.stringMatching(/windowEnd .* is not after windowStart/),
      expect.stringMatching(/windowEnd: /),
    ]);
    expect(await historyOf(product.productId)).toEqual([]);
  });

  it('skips a row of a product the catalogue does not have', async () => {
    const ghost = { ...freshProduct(), productId: `ghost-${randomUUID().slice(0, 8)}` };

    const { failures, stats } = await processAggregateRecords([streamRecord(highDemandWindow(ghost))], dependencies());

    expect(failures.size).toBe(0);
    expect(stats.unknown_product).toBe(1);
  });
});

describe('rich path: failures', () => {
  it('fails the record whose decision failed and the later windows of that product, not other products', async () => {
    const [broken, healthy] = [freshProduct(), freshProduct()];
    await Promise.all([putBaseline(broken), putBaseline(healthy)]);
    class FailingPriceStore extends PriceStore {
      override async readForDecision(productId: string, changeId: string) {
        if (productId === broken.productId) throw new Error('throttled');
        return super.readForDecision(productId, changeId);
      }
    }
    const records = [
      streamRecord(highDemandWindow(broken)),
      streamRecord(highDemandWindow(healthy)),
      streamRecord(windowOf(broken, -1)),
    ];

    const { failures, stats } = await processAggregateRecords(
      records,
      dependencies({ prices: new FailingPriceStore(stack.clients.documents, names) }),
    );

    expect([...failures.keys()].sort()).toEqual(
      [records[0], records[2]].map((record) => record?.dynamodb?.SequenceNumber).sort(),
    );
    expect(failures.get(records[0]?.dynamodb?.SequenceNumber ?? '')).toMatch(/throttled/);
    expect(stats.applied).toBe(1);
    expect(await historyOf(healthy.productId)).toHaveLength(1);
  });
});

describe('rich path: the Lambda handler', () => {
  async function loadHandler() {
    Object.assign(process.env, localStackEnvironment(stack));
    for (const id of TABLES) process.env[tableEnvVar(tables[id])] = names[id];
    return (await import('../../../functions/handlers/aggregates.js')).handler;
  }
  const context = () =>
    ({ functionName: 'aggregates', awsRequestId: randomUUID(), getRemainingTimeInMillis: () => 60_000 }) as Context;

  it('runs under middy and Powertools and answers with a partial batch response', async () => {
    const handler = await loadHandler();
    const product = freshProduct();
    await putBaseline(product);
    const event: DynamoDBStreamEvent = { Records: [streamRecord(highDemandWindow(product))] };

    const response = await handler(event, context());
    const again = await handler(event, context());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(again).toEqual({ batchItemFailures: [] });
    expect(await historyOf(product.productId)).toHaveLength(1);
  });

  it('prices a row written to the aggregates table once, run by the local mapping with the deployed settings', async () => {
    const handler = (await loadHandler()) as unknown as StreamHandler<DynamoDBStreamEvent>;
    const product = freshProduct();
    await putBaseline(product);
    const onFailure = new InMemoryOnFailureDestination();
    // Starts at TRIM_HORIZON: the baseline rows above are delivered too, and priced (no baseline, or
    // a usual one) without a change; only the high-demand window moves the price.
    const mapping = await startEventSourceMapping({
      functionName: 'aggregates',
      mappingId: `aggregates-${randomUUID()}`,
      source: { kind: 'dynamodb', tableName: names.aggregates },
      clients: stack.clients,
      handler,
      config: { ...aggregatesEventSource, pollIntervalMs: 20, retryDelayMs: 0, onFailure },
      logger: silentLogger,
    });
    try {
      const row = highDemandWindow(product);
      await putWindow(row);
      // The same row written again (a replayed Spark batch; a Put that changes nothing may or may not
      // make a stream record), then an expired window deleted: a REMOVE, which the filter drops.
      await putWindow(row);
      await stack.clients.dynamodb.send(
        new DeleteItemCommand({
          TableName: names.aggregates,
          Key: marshall({ productId: product.productId, windowStart: windowOf(product, 5).windowStart }),
        }),
      );
      await mapping.waitForIdle({ timeoutMs: 30_000 });

      const history = (await historyOf(product.productId)).filter((change) => change.action === 'price');
      expect(history).toHaveLength(1);
      expect(history[0]?.decisionId).toBe(aggregateDecisionId(row));
      expect(await prices().getProduct(product.productId)).toMatchObject({ version: product.version + 1 });
      expect(mapping.stats()).toMatchObject({ recordsDiscarded: 0 });
      expect(mapping.stats().recordsFiltered).toBeGreaterThanOrEqual(1);
      expect(onFailure.records).toEqual([]);
    } finally {
      await mapping.stop();
    }
  });
});
