import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../../definitions/resources.js';
import type { ClickEventInput } from '../../../functions/domain/click-event.js';
import type { KeyContribution } from '../../../functions/domain/demand-counters.js';
import type { Product } from '../../../functions/domain/product.js';
import { SessionActivity } from '../../../functions/domain/session-activity.js';
import { minuteOf, toIso } from '../../../functions/domain/time.js';
import { clickRecordsOf, processClickRecords } from '../../../functions/handlers/clickstream-processor.js';
import { DemandStore } from '../../../functions/store/demand-store.js';
import { PriceStore } from '../../../functions/store/price-store.js';
import { PRICING_CONFIG_ITEM } from '../../../functions/store/pricing-config-store.js';
import { MAX_RAW_BYTES, QuarantineStore } from '../../../functions/store/quarantine-store.js';
import { SessionLogStore } from '../../../functions/store/session-log-store.js';
import { localStackEnvironment } from '../../../local/local-stack.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';
import { loadCatalogue } from '../../../simulator/catalogue-loader.js';
import { createScratchStream, putRecords, readShardAsEvent } from '../../helpers/kinesis-batches.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';

const stack = useLocalStack();
const TABLES = ['products', 'priceHistory', 'pricingConfig', 'demand', 'quarantine', 'sessionLog'] as const;
let names: Record<(typeof TABLES)[number], string>;
let catalogue: Product[];
let nextProduct = 0;

/** A product no other test here touches; `accept` picks e.g. a normally stocked one. */
function freshProduct(accept: (product: Product) => boolean = () => true): Product {
  while (nextProduct < catalogue.length) {
    const product = catalogue[nextProduct++];
    if (product && accept(product)) return product;
  }
  throw new Error('catalogue exhausted');
}

function dependencies(
  activity = new SessionActivity(),
  demand = new DemandStore(stack.clients.documents, names.demand),
) {
  return {
    demand,
    quarantine: new QuarantineStore(stack.clients.documents, names.quarantine),
    prices: new PriceStore(stack.clients.documents, names),
    activity,
  };
}

function click(product: Product, overrides: Partial<ClickEventInput> = {}): ClickEventInput {
  return {
    eventId: randomUUID(),
    sessionId: `s-${randomUUID().slice(0, 8)}`,
    eventType: 'product_view',
    productId: product.productId,
    category: product.category,
    priceSeen: product.price,
    trafficSource: 'organic',
    deviceType: 'desktop',
    userAgent: 'Mozilla/5.0',
    eventTime: toIso(Date.now()),
    ...overrides,
  };
}

/** Sends payloads through a scratch stream of kinesalite and reads them back as Lambda would get them. */
async function deliver(payloads: readonly (object | string | Uint8Array)[]): Promise<KinesisStreamEvent> {
  const streamName = await createScratchStream(stack.clients.kinesis);
  await putRecords(stack.clients.kinesis, streamName, payloads);
  return readShardAsEvent(stack.clients.kinesis, streamName);
}

async function demandItem(productId: string, minute: string) {
  const { Item } = await stack.clients.documentClient.send(
    new GetCommand({
      TableName: names.demand,
      Key: { [tables.demand.partitionKey.name]: productId, [tables.demand.sortKey.name]: minute },
      ConsistentRead: true,
    }),
  );
  return Item;
}

beforeAll(async () => {
  names = await createScratchTables(stack.clients.dynamodb, TABLES);
  catalogue = generateCatalogue(toIso(Date.now()), { seed: 9, productCount: 40 });
  await loadCatalogue(stack.clients.documentClient, names.products, catalogue);
});

describe('fast path: counting', () => {
  it('counts each valid event once, with one write per (product, minute)', async () => {
    const [a, b] = [freshProduct(), freshProduct()];
    const minute = minuteOf(toIso(Date.now()));
    const clicks = [
      click(a),
      click(a),
      click(a, { eventType: 'add_to_cart', quantity: 1 }),
      click(b, { eventType: 'purchase', quantity: 3 }),
      click(b, { eventType: 'checkout_start' }),
      click(b, { eventType: 'search', productId: null, searchQuery: 'kettle' }),
    ].map((event) => ({ ...event, eventTime: minute }));
    const event = await deliver(clicks);

    const { failures, stats } = await processClickRecords(clickRecordsOf(event.Records), dependencies());

    expect(failures.size).toBe(0);
    expect(stats.keys).toEqual({ counted: 2, counted_remainder: 0, already_counted: 0 });
    expect(await demandItem(a.productId, minute)).toMatchObject({ views: 2, carts: 1 });
    expect(await demandItem(b.productId, minute)).toMatchObject({ purchases: 1, units: 3, checkouts: 1 });
  });

  it('leaves counters and prices unchanged when the same batch is delivered twice', async () => {
    const product = freshProduct();
    const minute = minuteOf(toIso(Date.now()));
    const event = await deliver(Array.from({ length: 50 }, () => click(product, { eventTime: minute })));
    await processClickRecords(clickRecordsOf(event.Records), dependencies());
    const counters = await demandItem(product.productId, minute);
    expect(counters).toMatchObject({ views: 50 });
    const price = await new PriceStore(stack.clients.documents, names).getProduct(product.productId);

    // Again, in the same environment and in a fresh one (a new Lambda container).
    const again = await processClickRecords(clickRecordsOf(event.Records), dependencies());

    expect(again.stats.keys).toEqual({ counted: 0, counted_remainder: 0, already_counted: 1 });
    expect(await demandItem(product.productId, minute)).toEqual(counters);
    expect(await new PriceStore(stack.clients.documents, names).getProduct(product.productId)).toEqual(price);
  });

  it('ends with exact counts when a crash after some writes is followed by redelivery', async () => {
    const products = [freshProduct(), freshProduct(), freshProduct(), freshProduct()];
    const minute = minuteOf(toIso(Date.now()));
    const clicks = products.flatMap((product, index) =>
      Array.from({ length: index + 2 }, () => click(product, { eventTime: minute })),
    );
    const event = await deliver(clicks);
    const records = clickRecordsOf(event.Records);

    // The first run "crashes" after two of the four keys were written: the rest never lands.
    let writes = 0;
    class CrashingDemandStore extends DemandStore {
      override async count(contribution: KeyContribution) {
        if (++writes > 2) throw new Error('crashed');
        return super.count(contribution);
      }
    }
    await processClickRecords(
      records,
      dependencies(new SessionActivity(), new CrashingDemandStore(stack.clients.documents, names.demand)),
    );
    // Lambda redelivers the whole batch to a new environment.
    const retry = await processClickRecords(records, dependencies());

    expect(retry.stats.keys).toEqual({ counted: 2, counted_remainder: 0, already_counted: 2 });
    for (const [index, product] of products.entries()) {
      expect((await demandItem(product.productId, minute))?.views).toBe(index + 2);
    }
  });

  it('ends with exact counts when a redelivery starts inside an applied batch and runs past its end', async () => {
    const [a, b] = [freshProduct(), freshProduct()];
    const minute = minuteOf(toIso(Date.now()));
    const clicks = Array.from({ length: 40 }, (_, index) => click(index % 2 === 0 ? a : b, { eventTime: minute }));
    const records = clickRecordsOf((await deliver(clicks)).Records);

    await processClickRecords(records.slice(0, 30), dependencies());
    // A partial-batch retry from record 15, now with the records that followed.
    const overlap = await processClickRecords(records.slice(15), dependencies());

    expect(overlap.stats.keys).toEqual({ counted: 0, counted_remainder: 2, already_counted: 0 });
    expect((await demandItem(a.productId, minute))?.views).toBe(20);
    expect((await demandItem(b.productId, minute))?.views).toBe(20);
  });

  it('keeps the watermarks of two streams apart, though their shard ids are the same', async () => {
    const product = freshProduct();
    const minute = minuteOf(toIso(Date.now()));
    const first = await deliver(Array.from({ length: 7 }, () => click(product, { eventTime: minute })));
    const second = await deliver(Array.from({ length: 5 }, () => click(product, { eventTime: minute })));
    expect(first.Records[0]?.eventID.split(':')[0]).toBe(second.Records[0]?.eventID.split(':')[0]);

    await processClickRecords(clickRecordsOf(first.Records), dependencies());
    const other = await processClickRecords(clickRecordsOf(second.Records), dependencies());

    expect(other.stats.keys.counted).toBe(1);
    expect((await demandItem(product.productId, minute))?.views).toBe(12);
  });

  it('quarantines bad records with their reason and position while the rest of the batch counts', async () => {
    const product = freshProduct();
    const minute = minuteOf(toIso(Date.now()));
    const good = Array.from({ length: 5 }, () => click(product, { eventTime: minute }));
    const bad = [
      '{"eventId": "broken",',
      { ...click(product), quantity: 'two', eventType: 'add_to_cart' },
      { ...click(product), eventType: undefined },
      { ...click(product), padding: 'x'.repeat(10_000) },
      click(product, { eventTime: toIso(Date.now() + 3_600_000) }),
    ];
    const event = await deliver([...good.slice(0, 2), ...bad, ...good.slice(2)]);

    const { failures, stats } = await processClickRecords(clickRecordsOf(event.Records), dependencies());

    expect(failures.size).toBe(0);
    expect(stats.quarantined).toBe(5);
    expect((await demandItem(product.productId, minute))?.views).toBe(5);
    const { Items } = await stack.clients.documentClient.send(new ScanCommand({ TableName: names.quarantine }));
    const reasons = (Items ?? []).map((item) => item.reason).sort();
    expect(reasons).toEqual([
      expect.stringMatching(/eventTime .* is more than 5 minutes after arrival/),
      expect.stringMatching(/^eventType: /),
      expect.stringMatching(/^quantity: Invalid input: expected number/),
      expect.stringMatching(/^record is \d+ bytes; the limit is 8192/),
      expect.stringMatching(/^record is not JSON/),
    ]);
    const malformed = Items?.find((item) => /not JSON/.test(item.reason));
    expect(Buffer.from(malformed?.rawBase64, 'base64').toString()).toBe('{"eventId": "broken",');
    expect(malformed).toMatchObject({ source: 'fast-path', truncated: false });
    expect(malformed?.shardId).toMatch(/^clicks-.+\/shardId-000000000000$/);
    expect(event.Records.map((record) => record.kinesis.sequenceNumber)).toContain(malformed?.sequenceNumber);
  });
});

describe('fast path: a dead letter whose batch was never judged', () => {
  it('is judged on redrive as in shard order: a duplicate and capped views of a session stay out', async () => {
    const [product, other] = [freshProduct(), freshProduct()];
    const minute = minuteOf(toIso(Date.now()));
    const first = click(product, { sessionId: 's-refresher', eventTime: minute });
    const views = (count: number) =>
      Array.from({ length: count }, () => click(product, { sessionId: 's-refresher', eventTime: minute }));
    const records = clickRecordsOf(
      (
        await deliver([
          // Judged: three views of one session (the cap).
          first,
          ...views(2),
          // Given up on while the session log could not be read: three more views and a producer retry.
          ...views(3),
          first,
          // Judged after it: another product.
          click(other, { eventTime: minute }),
        ])
      ).Records,
    );
    const log = new SessionLogStore(stack.clients.documents, names.sessionLog);
    const live = { ...dependencies(new SessionActivity({ sessionLog: true })), sessionLog: log };
    await processClickRecords(records.slice(0, 3), live);
    await processClickRecords(records.slice(7), live);

    // The redrive, in the environment that judged the rest and in a fresh one: the same verdicts (the
    // second finds the counters written, by the watermark, and leaves them as they are).
    for (const activity of [live.activity, new SessionActivity({ sessionLog: true })]) {
      const redriven = await processClickRecords(records.slice(3, 7), { ...live, activity });
      expect(redriven.failures.size).toBe(0);
      expect(redriven.stats).toMatchObject({ counted: 0, duplicates: 1, cappedEvents: 3 });
      expect(await demandItem(product.productId, minute)).toMatchObject({
        views: 3,
        cappedEvents: 3,
        duplicateEvents: 1,
      });
    }
  });
});

describe('fast path: cold start', () => {
  it('moves no price on a burst of shoppers while the product has no baseline yet', async () => {
    const product = freshProduct((candidate) => candidate.inventory > 20 && candidate.inventory < 1_000);
    const deps = dependencies();
    // 150 shoppers viewing and carting it within one minute: a surge, were there a usual to compare with.
    const burst = Array.from({ length: 150 }, (_, index) =>
      click(product, {
        eventType: index % 3 === 0 ? 'add_to_cart' : 'product_view',
        quantity: index % 3 === 0 ? 1 : null,
      }),
    );

    const { failures, stats } = await processClickRecords(clickRecordsOf((await deliver(burst)).Records), deps);

    expect(failures.size).toBe(0);
    expect(stats.counted).toBe(150);
    expect(stats.decisions).toEqual({ applied: 0, no_change: 0, duplicate: 0 });
    const priced = await new PriceStore(stack.clients.documents, names).getProduct(product.productId);
    expect(priced).toMatchObject({ price: product.price, version: product.version });
  });
});

describe('fast path: clocks ahead', () => {
  it('counts events stamped minutes ahead of their arrival, but reads no minute before it has begun', async () => {
    const product = freshProduct((candidate) => candidate.inventory > 20 && candidate.inventory < 1_000);
    const deps = dependencies();
    const now = Date.parse(minuteOf(toIso(Date.now())));
    // A baseline of 25 minutes at 5 views a minute, then 40 views from clients whose clocks run 3
    // minutes ahead: read as a second of a minute that has not begun, they would be a surge.
    const history = Array.from({ length: 25 * 5 }, (_, index) =>
      click(product, { eventTime: toIso(now - (25 - Math.floor(index / 5)) * 60_000 + (index % 5) * 1_000) }),
    );
    const ahead = Array.from({ length: 40 }, (_, index) => click(product, { eventTime: toIso(now + 180_000 + index) }));

    const { failures, stats } = await processClickRecords(
      clickRecordsOf((await deliver([...history, ...ahead])).Records),
      deps,
    );

    expect(failures.size).toBe(0);
    expect(stats.counted).toBe(history.length + ahead.length);
    expect(stats.decisions).toEqual({ applied: 0, no_change: 0, duplicate: 0 });
    expect((await demandItem(product.productId, minuteOf(toIso(now + 180_000))))?.views).toBe(40);
    const priced = await new PriceStore(stack.clients.documents, names).getProduct(product.productId);
    expect(priced).toMatchObject({ price: product.price, version: product.version });
  });
});

describe('fast path: when a minute is read', () => {
  /** 25 minutes of `perMinute` views a minute before `minuteMs`: a baseline. */
  const baseline = (product: Product, minuteMs: number, perMinute = 5) =>
    Array.from({ length: 25 * perMinute }, (_, index) =>
      click(product, {
        eventTime: toIso(minuteMs - (25 - Math.floor(index / perMinute)) * 60_000 + (index % perMinute) * 100),
      }),
    );

  it('reads a minute by the share of it gone when its counts are read, not when its batch arrived', async () => {
    const product = freshProduct((candidate) => candidate.inventory > 20 && candidate.inventory < 1_000);
    const minuteMs = Date.parse(minuteOf(toIso(Date.now() - 30 * 60_000)));
    // The usual 40 views of a minute, all in its first seconds, as a batch that arrived then and is
    // processed (a retry, a lagging shard) ten minutes later: read as a second of it, they would be a surge.
    const usual = Array.from({ length: 40 }, (_, index) => click(product, { eventTime: toIso(minuteMs + index * 20) }));
    const records = clickRecordsOf((await deliver([...baseline(product, minuteMs, 40), ...usual])).Records).map(
      (record) => ({ ...record, arrivalMs: minuteMs + 1_000 }),
    );

    const { failures, stats } = await processClickRecords(records, {
      ...dependencies(),
      clock: () => minuteMs + 10 * 60_000,
    });

    expect(failures.size).toBe(0);
    expect(stats.decisions).toEqual({ applied: 0, no_change: 0, duplicate: 0 });
  });

  it('reads the current minute when one event of the batch is stamped ahead: one fast clock hides no surge', async () => {
    const product = freshProduct((candidate) => candidate.inventory > 20 && candidate.inventory < 1_000);
    const minuteMs = Date.parse(minuteOf(toIso(Date.now())));
    const surge = Array.from({ length: 60 }, (_, index) =>
      click(product, { eventTime: toIso(minuteMs + index * 300) }),
    );
    const ahead = click(product, { eventTime: toIso(minuteMs + 3 * 60_000) });

    const { failures, stats } = await processClickRecords(
      clickRecordsOf((await deliver([...baseline(product, minuteMs), ...surge, ahead])).Records),
      { ...dependencies(), clock: () => minuteMs + 30_000 },
    );

    expect(failures.size).toBe(0);
    expect(stats.decisions.applied).toBe(1);
  });
});

describe('fast path: bots and pricing', () => {
  it('a bot attack cannot push a price more than one step', async () => {
    await stack.clients.documentClient.send(
      new PutCommand({
        TableName: names.pricingConfig,
        // No cooldown and no daily cap: only the clicks-only cap stands between bots and the price.
        Item: {
          [tables.pricingConfig.partitionKey.name]: PRICING_CONFIG_ITEM,
          defaults: { cooldownSeconds: 0, maxChangesPerDay: 1_440 },
          version: 1,
        },
      }),
    );
    // Normal stock: neither the low-stock nor the overstock rule may move the price.
    const product = freshProduct((candidate) => candidate.inventory > 20 && candidate.inventory < 1_000);
    const deps = dependencies();
    // All in one event-time minute, so every bot passes 200 events in that minute.
    const start = Date.parse(minuteOf(toIso(Date.now())));
    // Before the attack, 25 minutes of shoppers (5 views a minute): the product has a baseline, so
    // the fast path does judge it (a product still warming up would not move at all).
    const history = Array.from({ length: 25 * 5 }, (_, index) =>
      click(product, { eventTime: toIso(start - (25 - Math.floor(index / 5)) * 60_000 + (index % 5) * 1_000) }),
    );
    // 40 bot sessions, each flooding views and carts at 600 events/min, delivered in 12 batches of one
    // shard (as Kinesis keeps a session's events: its partition key is the session).
    const bots = Array.from({ length: 40 }, (_, index) => `bot-${index}-${randomUUID().slice(0, 6)}`);
    const batches = Array.from({ length: 12 }, (_, batch) => {
      const attack = bots.flatMap((sessionId) =>
        Array.from({ length: 25 }, (_, index) =>
          click(product, {
            sessionId,
            eventType: index % 2 === 0 ? 'product_view' : 'add_to_cart',
            quantity: index % 2 === 0 ? null : 1,
            eventTime: toIso(start + (batch * 25 + index) * 100),
          }),
        ),
      );
      return batch === 0 ? [...history, ...attack] : attack;
    });
    const records = clickRecordsOf((await deliver(batches.flat())).Records);
    let next = 0;
    for (const batch of batches) {
      const { failures } = await processClickRecords(records.slice(next, next + batch.length), deps);
      next += batch.length;
      expect([...new Set(failures.values())]).toEqual([]);
    }

    const priced = await new PriceStore(stack.clients.documents, names).getProduct(product.productId);
    const oneStep = Math.floor((product.basePrice * 10) / 100);
    expect(priced?.price).toBeGreaterThan(product.price);
    expect(priced?.price).toBeLessThanOrEqual(product.basePrice + oneStep);
    const counters = await demandItem(product.productId, minuteOf(toIso(start)));
    expect(counters?.botEventsExcluded).toBeGreaterThan(0);
    expect(counters?.cappedEvents).toBeGreaterThan(0);
  });
});

describe('fast path: the Lambda handler', () => {
  it('runs under middy and Powertools and answers with an empty partial batch response', async () => {
    Object.assign(process.env, localStackEnvironment(stack), {
      TABLE_PRODUCTS: names.products,
      TABLE_PRICE_HISTORY: names.priceHistory,
      TABLE_PRICING_CONFIG: names.pricingConfig,
      TABLE_DEMAND: names.demand,
      TABLE_QUARANTINE: names.quarantine,
    });
    const { handler } = await import('../../../functions/handlers/clickstream.js');
    const product = freshProduct();
    // Too big for a quarantine item (400 KB): kept whole in the spill (S3 in AWS, a folder here).
    const oversized = `{"eventId":"${randomUUID()}","padding":"${'x'.repeat(300 * 1024)}"}`;
    const minute = minuteOf(toIso(Date.now()));
    const event = await deliver([click(product, { eventTime: minute }), '{not json', oversized]);
    const context = {
      functionName: 'clickstream',
      awsRequestId: randomUUID(),
      getRemainingTimeInMillis: () => 60_000,
    } as Context;

    const response = await handler(event, context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect((await demandItem(product.productId, minute))?.views).toBe(1);
    const { Items } = await stack.clients.documentClient.send(new ScanCommand({ TableName: names.quarantine }));
    const spilled = Items?.find((item) => item.rawBytes === Buffer.byteLength(oversized));
    expect(spilled).toMatchObject({ truncated: true, rawLocation: expect.stringMatching(/^file:\/\//) });
    expect(Buffer.from(spilled?.rawBase64, 'base64').byteLength).toBe(MAX_RAW_BYTES);
    const kept = fileURLToPath(spilled?.rawLocation as string);
    expect(kept.startsWith(`${stack.spillDir}/`)).toBe(true);
    expect(readFileSync(kept, 'utf8')).toBe(oversized);
  });
});

describe('clickRecordsOf', () => {
  /** A Lambda Kinesis record with just what clickRecordsOf reads. */
  function kinesisRecord(stream: string, eventId: string, data: string): KinesisStreamEvent['Records'][number] {
    return {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 's',
        sequenceNumber: eventId.slice(eventId.indexOf(':') + 1),
        data: Buffer.from(data).toString('base64'),
        approximateArrivalTimestamp: 1_763_719_200.1235,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: eventId,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/clickstream',
      awsRegion: 'us-east-1',
      eventSourceARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${stream}`,
    };
  }

  it('qualifies every record with the stream and shard of its batch, read once', () => {
    const records = clickRecordsOf([
      kinesisRecord('clicks', 'shardId-000000000001:101', 'a'),
      kinesisRecord('clicks', 'shardId-000000000001:102', 'b'),
      kinesisRecord('clicks', 'shardId-000000000001:103', 'c'),
    ]);

    expect(records.map(({ shardId, sequenceNumber }) => `${shardId} ${sequenceNumber}`)).toEqual([
      'clicks/shardId-000000000001 101',
      'clicks/shardId-000000000001 102',
      'clicks/shardId-000000000001 103',
    ]);
    expect(records.map((record) => Buffer.from(record.data).toString())).toEqual(['a', 'b', 'c']);
    expect(records[0]?.arrivalMs).toBe(1_763_719_200_124);
    expect(clickRecordsOf([])).toEqual([]);
  });

  it('refuses a batch that begins in one shard or stream and ends in another', () => {
    // Lambda never sends one: its checkpoints and partial batch responses are per shard.
    for (const last of [
      kinesisRecord('clicks', 'shardId-000000000002:103', 'c'),
      kinesisRecord('clicks-2', 'shardId-000000000001:103', 'c'),
      kinesisRecord('clicks', 'shardId-00000000000:103', 'c'),
    ]) {
      expect(() => clickRecordsOf([kinesisRecord('clicks', 'shardId-000000000001:101', 'a'), last])).toThrow(
        /one shard; this one begins in clicks\/shardId-000000000001 and ends in/,
      );
    }
  });
});
