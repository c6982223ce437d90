import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../../definitions/resources.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../../functions/domain/errors.js';
import type { PriceChange } from '../../../functions/domain/price-change.js';
import { GLOBAL_HISTORY_ID } from '../../../functions/domain/price-history.js';
import type { PricingConfigInput } from '../../../functions/domain/pricing-config.js';
import type { PricingSignals } from '../../../functions/domain/pricing-policy.js';
import type { Product } from '../../../functions/domain/product.js';
import { DAY_MS, toEpochMs, toIso } from '../../../functions/domain/time.js';
import { PriceStore } from '../../../functions/store/price-store.js';
import { PRICING_CONFIG_ITEM, PricingConfigStore } from '../../../functions/store/pricing-config-store.js';
import { applyDecision, type PricingTrigger } from '../../../functions/use-cases/apply-decision.js';
import { OpsActions } from '../../../functions/use-cases/ops-actions.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';
import { loadCatalogue } from '../../../simulator/catalogue-loader.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { createScratchTables } from '../../helpers/scratch-tables.js';
import { observed } from '../../unit/domain/pricing-fixtures.js';

const SEEDED_AT = '2026-11-01T00:00:00.000Z';
const stack = useLocalStack();
let names: Record<'products' | 'priceHistory' | 'pricingConfig', string>;
let catalogue: Product[];
let nextProduct = 0;

/** A product no other test in this file touches. */
function freshProduct(): Product {
  const product = catalogue[nextProduct++];
  if (!product) throw new Error('catalogue exhausted: raise productCount');
  return product;
}

async function writeConfig(config: PricingConfigInput): Promise<void> {
  await stack.clients.documentClient.send(
    new PutCommand({
      TableName: names.pricingConfig,
      Item: { [tables.pricingConfig.partitionKey.name]: PRICING_CONFIG_ITEM, ...config, version: 1 },
    }),
  );
}

/** A store whose ops clock reads `at` (automated decisions take their time from the trigger). */
function storeAt(at: () => string = () => toIso(Date.now()), cacheTtlMs = 0): PriceStore {
  const clock = () => toEpochMs(at());
  const configStore = new PricingConfigStore(stack.clients.documents, names, { cacheTtlMs, clock });
  return new PriceStore(stack.clients.documents, names, { clock, configStore });
}

/** A busy product's demand doubled, orders confirming it (1 unit sold a period: stock lasts). */
const HIGH_DEMAND: PricingSignals = observed({ rate: 10_000, factor: 2, unitsPerPeriod: 1 });

function trigger(decisionId: string, at: string, signals: PricingSignals = HIGH_DEMAND): PricingTrigger {
  return { decisionId, at, source: 'rich-path', signals };
}

/** Replays history from the base price: every row must start where the previous one ended. */
function replay(product: Product, rows: PriceChange[]): number {
  let price = product.basePrice;
  for (const row of rows) {
    expect(row.oldPrice).toBe(price);
    price = row.newPrice;
  }
  return price;
}

beforeAll(async () => {
  names = await createScratchTables(stack.clients.dynamodb, ['products', 'priceHistory', 'pricingConfig']);
  catalogue = generateCatalogue(SEEDED_AT, { seed: 5, productCount: 40 });
  await loadCatalogue(stack.clients.documentClient, names.products, catalogue);
});

describe('applyDecision', () => {
  it('writes the new price, its version and its history row together', async () => {
    await writeConfig({});
    const product = freshProduct();
    const store = storeAt();

    const result = await applyDecision(store, product.productId, trigger('agg-1', '2026-11-21T10:00:00.000Z'));

    expect(result.outcome).toBe('applied');
    const stored = await store.getProduct(product.productId);
    const rows = await store.history.all(product.productId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'price', oldPrice: product.price, version: 2, source: 'rich-path' });
    expect(stored).toMatchObject({
      price: rows[0]?.newPrice,
      version: 2,
      lastChangeAt: '2026-11-21T10:00:00.000Z',
      changesToday: { day: '2026-11-21', count: 1 },
    });
    expect(stored?.price).toBeGreaterThan(product.price);
  });

  it('reports a replayed trigger as a duplicate and writes nothing, even after later changes', async () => {
    await writeConfig({ defaults: { cooldownSeconds: 0 } });
    const product = freshProduct();
    const store = storeAt();
    const first = trigger('agg-replay', '2026-11-21T10:00:00.000Z');

    expect((await applyDecision(store, product.productId, first)).outcome).toBe('applied');
    expect((await applyDecision(store, product.productId, first)).outcome).toBe('duplicate');
    expect(
      (await applyDecision(store, product.productId, trigger('agg-next', '2026-11-21T10:01:00.000Z'))).outcome,
    ).toBe('applied');
    const before = await store.getProduct(product.productId);
    const replayed = await applyDecision(store, product.productId, first);

    expect(replayed.outcome).toBe('duplicate');
    expect(await store.getProduct(product.productId)).toEqual(before);
    expect(await store.history.all(product.productId)).toHaveLength(2);
  });

  it('never loses an update when decisions race on one product', async () => {
    await writeConfig({ defaults: { cooldownSeconds: 0, maxChangesPerDay: 1_000 } });
    const product = freshProduct();
    const stores = [storeAt(), storeAt(), storeAt()];

    const settled = await Promise.allSettled(
      Array.from({ length: 12 }, (_, index) =>
        applyDecision(
          stores[index % stores.length] as PriceStore,
          product.productId,
          // One instant for all: a trigger older than the last change would (rightly) be held by the
          // cooldown, which would make the outcome depend on which writer wins first. Alternating
          // demand moves the price up and down, so every decision has something to change.
          trigger(
            `race-${index}`,
            '2026-11-21T11:00:00.000Z',
            observed({ rate: 10_000, factor: index % 2 === 0 ? 2 : 0.3, unitsPerPeriod: 1 }),
          ),
        ),
      ),
    );

    // A writer that keeps losing gives up after its bounded retries, having written nothing.
    const gaveUp = settled.filter((result) => result.status === 'rejected');
    for (const result of gaveUp) expect(result.reason).toBeInstanceOf(ConflictError);
    const applied = settled.filter((result) => result.status === 'fulfilled' && result.value?.outcome === 'applied');
    const rows = await stores[0]?.history.all(product.productId);
    const stored = await stores[0]?.getProduct(product.productId);
    if (!rows || !stored) throw new Error('missing');
    expect(applied.length).toBeGreaterThan(1);
    expect(rows).toHaveLength(applied.length);
    const byVersion = [...rows].sort((a, b) => a.version - b.version);
    expect(byVersion.map((row) => row.version)).toEqual(rows.map((_, index) => index + 2));
    expect(stored.version).toBe(rows.length + 1);
    expect(replay(product, byVersion)).toBe(stored.price);
  });

  it('refuses automated changes while frozen, and prices again after unfreeze', async () => {
    await writeConfig({});
    const product = freshProduct();
    let now = '2026-11-21T11:00:00.000Z';
    const store = storeAt(() => now);
    await new OpsActions(store).freeze(product.productId, { actor: 'ops@example.com', reason: 'supplier issue' });

    const frozen = await applyDecision(store, product.productId, trigger('agg-frozen', '2026-11-21T12:00:00.000Z'));
    expect(frozen).toMatchObject({ outcome: 'no_change', decision: { reason: 'frozen' } });
    expect((await store.getProduct(product.productId))?.price).toBe(product.price);

    now = '2026-11-21T12:00:30.000Z';
    await new OpsActions(store).unfreeze(product.productId, { actor: 'ops@example.com', reason: 'resolved' });
    const after = await applyDecision(store, product.productId, trigger('agg-thawed', '2026-11-21T12:01:00.000Z'));
    expect(after.outcome).toBe('applied');
    const actions = (await store.history.all(product.productId)).map((row) => [row.action, row.actor]);
    expect(actions).toEqual([
      ['freeze', 'ops@example.com'],
      ['unfreeze', 'ops@example.com'],
      ['price', 'pricing-policy'],
    ]);
  });

  it('lets a freeze lapse at its expiry', async () => {
    await writeConfig({});
    const product = freshProduct();
    const store = storeAt(() => '2026-11-21T08:00:00.000Z');
    await new OpsActions(store).freeze(product.productId, {
      actor: 'ops',
      reason: 'promo review',
      until: '2026-11-21T09:00:00.000Z',
    });

    expect((await applyDecision(store, product.productId, trigger('a', '2026-11-21T08:30:00.000Z'))).outcome).toBe(
      'no_change',
    );
    expect((await applyDecision(store, product.productId, trigger('b', '2026-11-21T09:00:00.000Z'))).outcome).toBe(
      'applied',
    );
  });

  it('stops at the kill switch, even one thrown after the config was cached', async () => {
    await writeConfig({ killSwitch: false });
    const product = freshProduct();
    const cachingStore = storeAt(undefined, 60_000);
    await cachingStore.config.get();
    await storeAt().config.setKillSwitch({ enabled: true, actor: 'ops@example.com', reason: 'bad feed' });

    const result = await applyDecision(
      cachingStore,
      product.productId,
      trigger('agg-killed', '2026-11-21T13:00:00.000Z'),
    );

    expect(result).toMatchObject({ outcome: 'no_change', decision: { reason: 'kill_switch' } });
    expect(await cachingStore.getProduct(product.productId)).toMatchObject({ price: product.price, version: 1 });
    const [audit] = (await cachingStore.history.all(GLOBAL_HISTORY_ID)).slice(-1);
    expect(audit).toMatchObject({ action: 'config', reasonCode: 'kill_switch_on', actor: 'ops@example.com' });
    await storeAt().config.setKillSwitch({ enabled: false, actor: 'ops@example.com', reason: 'feed fixed' });
  });

  it('in shadow mode records what it would have done and leaves the price alone', async () => {
    await writeConfig({ shadowMode: true });
    const product = freshProduct();
    const store = storeAt();

    const result = await applyDecision(store, product.productId, trigger('agg-shadow', '2026-11-21T14:00:00.000Z'));

    expect(result).toMatchObject({ outcome: 'no_change', decision: { reason: 'shadow_mode' } });
    const [row] = await store.history.all(product.productId);
    expect(row).toMatchObject({ action: 'shadow', oldPrice: product.price, newPrice: product.price, version: 1 });
    expect(row?.proposedPrice).toBeGreaterThan(product.price);
    expect(await store.getProduct(product.productId)).toMatchObject({ price: product.price, version: 1 });
  });
});

describe('lowest30d', () => {
  it('is the lowest price in effect during the 30 days before each change, over more than 30 days', async () => {
    const product = freshProduct();
    let now = '2026-01-01T00:00:00.000Z';
    const store = storeAt(() => now);
    // [day, price]: a fall, a rise, a deeper fall, then changes long after.
    const plan: [number, number][] = [
      [0, product.floor + 10],
      [10, product.ceiling],
      [20, product.floor],
      [35, product.basePrice],
      [55, product.ceiling - 1],
      [90, product.floor + 1],
    ];
    const effective: { from: number; price: number }[] = [
      { from: toEpochMs(SEEDED_AT) - 60 * DAY_MS, price: product.price },
    ];

    for (const [day, price] of plan) {
      now = toIso(toEpochMs('2026-01-01T00:00:00.000Z') + day * DAY_MS);
      await new OpsActions(store).setManualPrice(product.productId, { price, actor: 'ops', reason: `day ${day}` });

      // Brute force: every price whose period overlaps [now − 30 days, now).
      const windowStart = toEpochMs(now) - 30 * DAY_MS;
      const overlapping = effective.filter(
        (_period, index) => (effective[index + 1]?.from ?? toEpochMs(now)) > windowStart,
      );
      const expected = Math.min(...overlapping.map((period) => period.price));
      effective.push({ from: toEpochMs(now), price });

      expect((await store.getProduct(product.productId))?.lowest30d, `after day ${day}`).toBe(expected);
    }
  });
});

describe('ops actions', () => {
  it('rolls back to the price before a change, and records the rollback', async () => {
    const product = freshProduct();
    const store = storeAt();
    const first = await new OpsActions(store).setManualPrice(product.productId, {
      price: product.ceiling,
      actor: 'a',
      reason: 'test',
    });
    await new OpsActions(store).setManualPrice(product.productId, { price: product.floor, actor: 'a', reason: 'test' });

    const rollback = await new OpsActions(store).rollback(product.productId, {
      toChangeId: first.changeId,
      actor: 'b@example.com',
      reason: 'wrong price',
    });

    expect(rollback).toMatchObject({ reasonCode: 'rollback', newPrice: product.price, actor: 'b@example.com' });
    expect((await store.getProduct(product.productId))?.price).toBe(product.price);
    expect(replay(product, await store.history.all(product.productId))).toBe(product.price);
  });

  it('brings the price inside new bounds when they exclude it', async () => {
    const product = freshProduct();
    const store = storeAt();
    const ceiling = product.basePrice;
    await new OpsActions(store).setManualPrice(product.productId, {
      price: product.ceiling,
      actor: 'a',
      reason: 'test',
    });

    const change = await new OpsActions(store).setBounds(product.productId, {
      floor: product.floor,
      ceiling,
      actor: 'a',
      reason: 'cap',
    });

    expect(change).toMatchObject({ action: 'bounds', guardrail: 'ceiling', newPrice: ceiling });
    expect(await store.getProduct(product.productId)).toMatchObject({ ceiling, price: ceiling });
  });

  it.each([
    ['a manual price above the ceiling', (p: Product) => ({ op: 'price', input: { price: p.ceiling + 1 } }), 'price'],
    ['a negative price', () => ({ op: 'price', input: { price: -1 } }), 'price'],
    ['a non-integer cents value', () => ({ op: 'price', input: { price: 12.5 } }), 'price'],
    [
      'a floor above the ceiling',
      (p: Product) => ({ op: 'bounds', input: { floor: p.ceiling, ceiling: p.floor } }),
      'floor',
    ],
    [
      'a floor above the base price',
      (p: Product) => ({ op: 'bounds', input: { floor: p.basePrice + 1, ceiling: p.ceiling } }),
      'floor',
    ],
    [
      'a freeze that ended in the past',
      () => ({ op: 'freeze', input: { until: '2000-01-01T00:00:00.000Z' } }),
      'until',
    ],
    ['an empty reason', () => ({ op: 'price', input: { price: 100, reason: '' } }), 'reason'],
  ] as const)('rejects %s, naming the field, and writes nothing', async (_name, build, field) => {
    const product = freshProduct();
    const store = storeAt();
    const { op, input } = build(product);
    const request = { actor: 'ops', reason: 'test', ...input };
    const action =
      op === 'price'
        ? new OpsActions(store).setManualPrice(product.productId, request as never)
        : op === 'bounds'
          ? new OpsActions(store).setBounds(product.productId, request as never)
          : new OpsActions(store).freeze(product.productId, request as never);

    const error = await action.catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe(field);
    expect(await store.getProduct(product.productId)).toEqual(product);
    expect(await store.history.all(product.productId)).toEqual([]);
  });

  it('reports an unknown product as not found', async () => {
    const store = storeAt();
    await expect(
      new OpsActions(store).setManualPrice('P99999', { price: 100, actor: 'a', reason: 'r' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(applyDecision(store, 'P99999', trigger('x', '2026-11-21T00:00:00.000Z'))).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('refuses to unfreeze a product that is not frozen', async () => {
    const product = freshProduct();
    await expect(
      new OpsActions(storeAt()).unfreeze(product.productId, { actor: 'a', reason: 'r' }),
    ).rejects.toBeInstanceOf(ConflictError);
  });
});

describe('history queries', () => {
  it('lists newest first, by time range, page by page', async () => {
    const product = freshProduct();
    let now = '2026-11-20T00:00:00.000Z';
    const store = storeAt(() => now);
    const prices = [product.floor, product.ceiling, product.basePrice, product.floor + 1, product.ceiling - 1];
    const changes: PriceChange[] = [];
    for (const [hour, price] of prices.entries()) {
      now = `2026-11-20T0${hour}:00:00.000Z`;
      changes.push(await new OpsActions(store).setManualPrice(product.productId, { price, actor: 'a', reason: 'r' }));
    }

    const page1 = await store.history.list(product.productId, { limit: 2 });
    const page2 = await store.history.list(product.productId, { limit: 2, cursor: page1.cursor });
    const ranged = await store.history.list(product.productId, {
      from: '2026-11-20T01:00:00.000Z',
      to: '2026-11-20T03:00:00.000Z',
    });

    expect(page1.changes.map((row) => row.newPrice)).toEqual([prices[4], prices[3]]);
    expect(page2.changes.map((row) => row.newPrice)).toEqual([prices[2], prices[1]]);
    expect(ranged.changes.map((row) => row.changeId)).toEqual(
      [changes[3], changes[2], changes[1]].map((c) => c?.changeId),
    );
    await expect(store.history.list(product.productId, { cursor: 'not-a-cursor' })).rejects.toThrow(/cursor/);
  });

  it('travels in time: the price in effect at any instant', async () => {
    const product = freshProduct();
    let now = '2026-11-20T10:00:00.000Z';
    const store = storeAt(() => now);
    await new OpsActions(store).setManualPrice(product.productId, { price: product.ceiling, actor: 'a', reason: 'r' });
    now = '2026-11-20T12:00:00.000Z';
    await new OpsActions(store).setManualPrice(product.productId, { price: product.floor, actor: 'a', reason: 'r' });

    const at = (instant: string) => store.history.priceAt(product.productId, instant, product.floor);
    expect(await at('2026-11-20T09:59:59.999Z')).toBe(product.price);
    expect(await at('2026-11-20T10:00:00.000Z')).toBe(product.ceiling);
    expect(await at('2026-11-20T11:59:59.999Z')).toBe(product.ceiling);
    expect(await at('2026-11-21T00:00:00.000Z')).toBe(product.floor);
  });

  it('feeds the changes of the last N minutes across products, newest first', async () => {
    const [a, b] = [freshProduct(), freshProduct()];
    let now = '2026-11-21T15:50:00.000Z';
    const store = storeAt(() => now);
    await new OpsActions(store).setManualPrice(a.productId, { price: a.ceiling, actor: 'a', reason: 'old' });
    now = '2026-11-21T16:05:00.000Z';
    await new OpsActions(store).setManualPrice(b.productId, { price: b.ceiling, actor: 'a', reason: 'recent' });
    now = '2026-11-21T16:09:00.000Z';
    await new OpsActions(store).setManualPrice(a.productId, { price: a.floor, actor: 'a', reason: 'newest' });

    const feed = await store.history.recent(15, '2026-11-21T16:10:00.000Z');

    expect(feed.map((row) => [row.productId, row.changedAt])).toEqual([
      [a.productId, '2026-11-21T16:09:00.000Z'],
      [b.productId, '2026-11-21T16:05:00.000Z'],
    ]);
  });
});
