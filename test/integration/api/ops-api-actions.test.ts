import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { OPS_SCOPES } from '../../../definitions/api-routes.js';
import type { PriceChange } from '../../../functions/domain/price-change.js';
import { GLOBAL_HISTORY_ID } from '../../../functions/domain/price-history.js';
import type { Product } from '../../../functions/domain/product.js';
import { toEpochMs, toIso } from '../../../functions/domain/time.js';
import { MAX_BODY_BYTES } from '../../../functions/handlers/http/http-request.js';
import { type ApplyResult, applyDecision } from '../../../functions/use-cases/apply-decision.js';
import { observed } from '../../unit/domain/pricing-fixtures.js';
import { answer, apiError, startOpsApi } from './ops-api-fixture.js';

const ops = await startOpsApi(40);
const alice = ops.client;
const bob = ops.clientAs('bob', [OPS_SCOPES.write, OPS_SCOPES.read]);

/** What the rich path would do to the product now, on strong demand with orders behind it. */
function automatedDecision(productId: string, atMs = Date.now()): Promise<ApplyResult> {
  return applyDecision(ops.prices, productId, {
    decisionId: `test-${randomUUID()}`,
    at: toIso(atMs),
    source: 'rich-path',
    signals: observed({ rate: 10_000, factor: 2, unitsPerPeriod: 1 }),
  });
}

/** Why an automated decision left the price alone, or null if it changed it. */
function noChangeReason(result: ApplyResult): string | null {
  return result.outcome === 'no_change' && result.decision.kind === 'no_change' ? result.decision.reason : null;
}

/** The stored history row of `change`: the action's answer is what was written. */
async function stored(change: PriceChange): Promise<PriceChange | null> {
  return ops.prices.history.get(change.productId, change.changeId, true);
}

/** A raw request with a JSON (or any) body. */
function send(method: string, path: string, body: string, headers: Record<string, string> = {}) {
  return ops.api.request(path, { method, body, headers: { 'content-type': 'application/json', ...headers } });
}

describe('freeze and unfreeze', () => {
  it("freezes until an instant, recording the token's user as actor", async () => {
    const product = ops.freshProduct();
    const until = toIso(Date.now() + 3_600_000);

    const { change, product: after } = await alice.freeze(product.productId, { reason: 'supplier dispute', until });

    expect(change).toMatchObject({
      productId: product.productId,
      action: 'freeze',
      reasonCode: 'freeze',
      actor: 'alice',
      source: 'ops',
      oldPrice: product.price,
      newPrice: product.price,
      version: 2,
    });
    expect(await stored(change)).toEqual(change);
    expect(after.freeze).toEqual({ reason: 'supplier dispute', actor: 'alice', frozenAt: change.changedAt, until });
    expect(after.lastChange).toEqual(change);
  });

  it('holds the price against automated decisions while frozen', async () => {
    const product = ops.freshProduct();
    // The same decision on a product nobody froze does change its price.
    expect((await automatedDecision(ops.freshProduct().productId)).outcome).toBe('applied');

    await alice.freeze(product.productId, { reason: 'hold' });
    const result = await automatedDecision(product.productId);

    expect(noChangeReason(result)).toBe('frozen');
    expect((await alice.getProduct(product.productId)).price).toBe(product.price);
  });

  it('lapses after forSeconds: automated decisions apply again', async () => {
    const product = ops.freshProduct();
    const before = Date.now();

    const { product: frozen } = await bob.freeze(product.productId, { reason: 'short hold', forSeconds: 1 });
    const until = toEpochMs(frozen.freeze?.until as string);
    expect(until).toBeGreaterThanOrEqual(before + 1_000);
    expect(until).toBeLessThan(Date.now() + 1_000);
    // A decision made while the freeze holds, whatever the clock says by the time it is sent.
    expect(noChangeReason(await automatedDecision(product.productId, until - 1))).toBe('frozen');

    await sleep(until - Date.now() + 50);

    expect((await bob.getProduct(product.productId)).freeze).toBeNull();
    const result = await automatedDecision(product.productId);
    expect(result.outcome).toBe('applied');
    expect((await bob.getProduct(product.productId)).price).toBeGreaterThan(product.price);
  });

  it('unfreezes, after which automated decisions apply; unfreezing twice is a 409', async () => {
    const product = ops.freshProduct();
    await alice.freeze(product.productId, { reason: 'hold' });

    const { change, product: after } = await bob.unfreeze(product.productId, { reason: 'resolved' });

    expect(change).toMatchObject({ action: 'unfreeze', reasonCode: 'unfreeze', actor: 'bob' });
    expect(await stored(change)).toEqual(change);
    expect(after.freeze).toBeNull();
    expect((await automatedDecision(product.productId)).outcome).toBe('applied');
    const error = await apiError(bob.unfreeze(product.productId, { reason: 'again' }));
    expect(error.status).toBe(409);
    expect(error.body.error).toBe('conflict');
  });

  it('answers 400 naming the field for a bad until or forSeconds', async () => {
    const product = ops.freshProduct();
    const path = `/ops/products/${product.productId}/freeze`;
    const cases: [unknown, string][] = [
      [{ reason: 'x', until: toIso(Date.now() - 1_000) }, 'until'],
      [{ reason: 'x', until: 'tomorrow' }, 'until'],
      [{ reason: 'x', until: 1_900_000_000_000 }, 'until'],
      [{ reason: 'x', forSeconds: 0 }, 'forSeconds'],
      [{ reason: 'x', forSeconds: 1.5 }, 'forSeconds'],
      [{ reason: 'x', forSeconds: '60' }, 'forSeconds'],
      [{ reason: 'x', forSeconds: 91 * 24 * 3600 }, 'forSeconds'],
      [{ reason: 'x', forSeconds: 60, until: toIso(Date.now() + 60_000) }, 'forSeconds'],
    ];
    for (const [body, field] of cases) {
      const { status, body: error } = await answer(await send('POST', path, JSON.stringify(body)));
      expect({ body, status, field: error.field }).toEqual({ body, status: 400, field });
    }
    expect((await alice.getProduct(product.productId)).freeze).toBeNull();
  });
});

describe('bounds', () => {
  it('sets floor and ceiling, bringing the price inside them in the same row', async () => {
    const product = ops.freshProduct();
    await alice.setPrice(product.productId, { reason: 'high', price: product.ceiling });
    const ceiling = product.basePrice + 1;

    const { change, product: after } = await bob.setBounds(product.productId, {
      reason: 'tighter',
      floor: product.floor + 1,
      ceiling,
    });

    expect(change).toMatchObject({
      action: 'bounds',
      reasonCode: 'bounds_change',
      guardrail: 'ceiling',
      oldPrice: product.ceiling,
      newPrice: ceiling,
      actor: 'bob',
    });
    expect(await stored(change)).toEqual(change);
    expect(after).toMatchObject({ floor: product.floor + 1, ceiling, price: ceiling });
  });

  it('answers 400 naming the field for bounds that are wrong', async () => {
    const product = ops.freshProduct();
    const path = `/ops/products/${product.productId}/bounds`;
    const cases: [unknown, string][] = [
      [{ reason: 'x', floor: product.basePrice, ceiling: product.basePrice - 1 }, 'floor'],
      [{ reason: 'x', floor: product.basePrice + 1, ceiling: product.ceiling }, 'floor'],
      [{ reason: 'x', floor: product.floor, ceiling: product.basePrice - 1 }, 'ceiling'],
      [{ reason: 'x', floor: product.floor, ceiling: 10_000_000_001 }, 'ceiling'],
      [{ reason: 'x', floor: String(product.floor), ceiling: product.ceiling }, 'floor'],
      [{ reason: 'x', floor: product.floor + 0.5, ceiling: product.ceiling }, 'floor'],
      [{ reason: 'x', floor: -1, ceiling: product.ceiling }, 'floor'],
      [{ reason: 'x', floor: product.floor }, 'ceiling'],
    ];
    for (const [body, field] of cases) {
      const { status, body: error } = await answer(await send('PUT', path, JSON.stringify(body)));
      expect({ body, status, field: error.field }).toEqual({ body, status: 400, field });
    }
    expect(await alice.getProduct(product.productId)).toMatchObject({ floor: product.floor, version: 1 });
  });
});

describe('manual price and rollback', () => {
  it('sets a price by hand, inside the bounds', async () => {
    const product = ops.freshProduct();
    const price = product.basePrice + 100;

    const { change, product: after } = await alice.setPrice(product.productId, { reason: 'promo end', price });

    expect(change).toMatchObject({
      action: 'price',
      reasonCode: 'manual_price',
      oldPrice: product.price,
      newPrice: price,
      actor: 'alice',
    });
    expect(await stored(change)).toEqual(change);
    expect(after).toMatchObject({ price, version: 2, lastChangeAt: change.changedAt });
    expect(after.sparkline).toEqual([[change.changedAt, price]]);
  });

  it('answers 400 naming price for a price outside the bounds or not integer cents', async () => {
    const product = ops.freshProduct();
    const path = `/ops/products/${product.productId}/price`;
    for (const price of [product.ceiling + 1, product.floor - 1, 19.99, '1999', null]) {
      const { status, body } = await answer(await send('PUT', path, JSON.stringify({ reason: 'x', price })));
      expect({ price, status, field: body.field }).toEqual({ price, status: 400, field: 'price' });
    }
    expect((await alice.getProduct(product.productId)).version).toBe(1);
  });

  it('rolls back to the price before a change; rolling back to where it already is is a 409', async () => {
    const product = ops.freshProduct();
    const first = await alice.setPrice(product.productId, { reason: 'one', price: product.basePrice + 100 });
    const second = await alice.setPrice(product.productId, { reason: 'two', price: product.basePrice + 200 });

    const { change, product: after } = await bob.rollback(product.productId, {
      reason: 'two was a mistake',
      toChangeId: second.change.changeId,
    });

    expect(change).toMatchObject({
      action: 'price',
      reasonCode: 'rollback',
      oldPrice: product.basePrice + 200,
      newPrice: first.change.newPrice,
      actor: 'bob',
    });
    expect(change.explanation).toContain(second.change.changeId);
    expect(await stored(change)).toEqual(change);
    expect(after.price).toBe(first.change.newPrice);
    const again = await apiError(bob.rollback(product.productId, { reason: 'x', toChangeId: second.change.changeId }));
    expect(again.status).toBe(409);
  });

  it('answers 404 for a change that does not exist, and 400 naming toChangeId for a malformed one', async () => {
    const product = ops.freshProduct();

    const missing = await apiError(
      alice.rollback(product.productId, { reason: 'x', toChangeId: `${toIso(Date.now())}#ops-nothing` }),
    );
    const malformed = await apiError(alice.rollback(product.productId, { reason: 'x', toChangeId: 'short' }));
    const wrongType = await answer(
      await send('POST', `/ops/products/${product.productId}/rollback`, '{"reason":"x","toChangeId":42}'),
    );

    expect(missing.status).toBe(404);
    expect({ status: malformed.status, field: malformed.field }).toEqual({ status: 400, field: 'toChangeId' });
    expect({ status: wrongType.status, field: wrongType.body.field }).toEqual({ status: 400, field: 'toChangeId' });
  });
});

/** Every action with a body it would accept. */
const actions: [string, string, (product: Product) => Record<string, unknown>][] = [
  ['POST', 'freeze', () => ({ reason: 'r' })],
  ['POST', 'unfreeze', () => ({ reason: 'r' })],
  ['PUT', 'bounds', (p) => ({ reason: 'r', floor: p.floor, ceiling: p.ceiling })],
  ['PUT', 'price', (p) => ({ reason: 'r', price: p.basePrice })],
  ['POST', 'rollback', () => ({ reason: 'r', toChangeId: `${toIso(Date.now())}#ops-x` })],
];
const configActions: [string, string, () => Record<string, unknown>][] = [
  ['PUT', '/ops/config/kill-switch', () => ({ reason: 'r', enabled: false })],
  ['PUT', '/ops/config/shadow-mode', () => ({ reason: 'r', enabled: false })],
];

/** Bodies every action refuses, each with the status and the field it must name. */
function badBodies(valid: Record<string, unknown>): [string, string, Record<string, string>, number, string][] {
  const { reason: _, ...withoutReason } = valid;
  return [
    ['not JSON', '{"reason": "r"', {}, 400, 'body'],
    ['a JSON array', '[{"reason":"r"}]', {}, 400, 'body'],
    ['JSON null', 'null', {}, 400, 'body'],
    ['empty', '', {}, 400, 'body'],
    ['form-encoded', 'reason=r', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'body'],
    ['oversized', JSON.stringify({ ...valid, reason: 'r'.repeat(MAX_BODY_BYTES) }), {}, 413, 'body'],
    ['naming an actor', JSON.stringify({ ...valid, actor: 'mallory' }), {}, 400, 'actor'],
    ['with an unknown field', JSON.stringify({ ...valid, comment: 'hi' }), {}, 400, 'comment'],
    ['without a reason', JSON.stringify(withoutReason), {}, 400, 'reason'],
    ['with a numeric reason', JSON.stringify({ ...valid, reason: 42 }), {}, 400, 'reason'],
    ['with an empty reason', JSON.stringify({ ...valid, reason: '' }), {}, 400, 'reason'],
    ['with a reason over 500 characters', JSON.stringify({ ...valid, reason: 'r'.repeat(501) }), {}, 400, 'reason'],
  ];
}

describe('bad requests to actions', () => {
  it.each(actions)(
    '%s /ops/products/{productId}/%s refuses bad bodies, naming the field, writing nothing',
    async (method, action, body) => {
      const product = ops.freshProduct();
      for (const [what, text, headers, status, field] of badBodies(body(product))) {
        const response = await send(method, `/ops/products/${product.productId}/${action}`, text, headers);
        const { body: error } = await answer(response);
        expect({ what, status: response.status, field: error.field }).toEqual({ what, status, field });
        expect(typeof error.error).toBe('string');
        expect(typeof error.message).toBe('string');
      }
      expect(await ops.prices.history.all(product.productId)).toEqual([]);
    },
  );

  it.each(configActions)('%s %s refuses bad bodies, naming the field, writing nothing', async (method, path, body) => {
    const before = await ops.prices.history.all(GLOBAL_HISTORY_ID);
    const cases = [
      ...badBodies(body()),
      ['a string enabled', JSON.stringify({ reason: 'r', enabled: 'yes' }), {}, 400, 'enabled'] as const,
      ['no enabled', JSON.stringify({ reason: 'r' }), {}, 400, 'enabled'] as const,
    ];
    for (const [what, text, headers, status, field] of cases) {
      const response = await send(method, path, text, headers);
      const { body: error } = await answer(response);
      expect({ what, status: response.status, field: error.field }).toEqual({ what, status, field });
    }
    expect(await ops.prices.history.all(GLOBAL_HISTORY_ID)).toEqual(before);
  });

  it.each(actions)(
    '%s /ops/products/{productId}/%s answers 400 for a malformed id, 404 for an unknown one',
    async (method, action, body) => {
      const product = ops.catalogue[0] as Product;
      const text = JSON.stringify(body(product));

      const malformed = await answer(await send(method, `/ops/products/bad%23id/${action}`, text));
      const unknown = await answer(await send(method, `/ops/products/P99999/${action}`, text));

      expect({ status: malformed.status, field: malformed.body.field }).toEqual({ status: 400, field: 'productId' });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toBe('not_found');
    },
  );
});

describe('the actor', () => {
  it('is never taken from a body: one naming an actor is refused, saying where the actor comes from', async () => {
    const product = ops.freshProduct();

    const { status, body } = await answer(
      await send(
        'PUT',
        `/ops/products/${product.productId}/price`,
        JSON.stringify({ reason: 'r', price: product.basePrice + 1, actor: 'alice' }),
        { authorization: `Bearer ${ops.api.token('mallory')}` },
      ),
    );

    expect({ status, field: body.field }).toEqual({ status: 400, field: 'actor' });
    expect(body.message).toMatch(/access token/);
    expect((await alice.getProduct(product.productId)).version).toBe(1);
  });
});

describe('kill switch and shadow mode', () => {
  it('round-trip through /ops/config, each switch recorded with its actor', async () => {
    const on = await alice.setKillSwitch({ reason: 'incident 42', enabled: true });

    expect(on.change).toMatchObject({
      productId: GLOBAL_HISTORY_ID,
      action: 'config',
      reasonCode: 'kill_switch_on',
      actor: 'alice',
      version: 1,
    });
    expect(on.config).toMatchObject({ killSwitch: true, shadowMode: false, version: 1 });
    expect(await alice.config()).toEqual(on.config);
    expect(await stored(on.change)).toEqual(on.change);
    const blocked = await automatedDecision(ops.freshProduct().productId);
    expect(noChangeReason(blocked)).toBe('kill_switch');

    const shadow = await bob.setShadowMode({ reason: 'trial', enabled: true });
    expect(shadow.change).toMatchObject({ reasonCode: 'shadow_mode_on', actor: 'bob', version: 2 });
    expect(await alice.config()).toMatchObject({ killSwitch: true, shadowMode: true, version: 2 });

    const offKill = await bob.setKillSwitch({ reason: 'resolved', enabled: false });
    const offShadow = await alice.setShadowMode({ reason: 'trial over', enabled: false });
    expect(offKill.change).toMatchObject({ reasonCode: 'kill_switch_off', actor: 'bob' });
    expect(offShadow.change).toMatchObject({ reasonCode: 'shadow_mode_off', actor: 'alice' });
    expect(await alice.config()).toEqual({
      killSwitch: false,
      shadowMode: false,
      version: 4,
      config: { defaults: {}, categories: {} },
    });
    expect((await automatedDecision(ops.freshProduct().productId)).outcome).toBe('applied');

    const feed = await alice.changes({ minutes: 5, limit: 500 });
    for (const { change } of [on, shadow, offKill, offShadow]) expect(feed.changes).toContainEqual(change);
  });
});
