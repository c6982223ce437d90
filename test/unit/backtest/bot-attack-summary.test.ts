import { describe, expect, it } from 'vitest';
import { botAttackSummary } from '../../../backtest/compare.js';
import type { BacktestChange } from '../../../backtest/pricing-desk.js';
import { DEFAULT_PRICING_CONFIG, parametersFor } from '../../../functions/domain/pricing-config.js';
import { toIso } from '../../../functions/domain/time.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';

const [product] = generateCatalogue(toIso(Date.UTC(2026, 10, 1)), { seed: 42, productCount: 1 });
if (product === undefined) throw new Error('no product');
const step = Math.floor((product.basePrice * parametersFor(DEFAULT_PRICING_CONFIG, product.category).maxStepPct) / 100);
const request = { catalogue: [{ ...product, price: product.basePrice }], config: DEFAULT_PRICING_CONFIG };

function raisedTo(newPrice: number): BacktestChange {
  return {
    atMs: 0,
    productId: product?.productId as string,
    oldPrice: product?.basePrice as number,
    newPrice,
    reasonCode: 'demand_surge',
    guardrail: 'clicks_only',
    source: 'fast-path',
    signals: {},
  };
}

describe('the bot attack’s summary', () => {
  it('holds an attacked product to one step above base in cents, not in the rounded steps it shows', () => {
    // A cent past the step is 1.00 steps rounded to two decimals, and more than one step all the same.
    const past = botAttackSummary(
      { productIds: [product.productId] },
      [raisedTo(product.basePrice + step + 1)],
      request,
    );
    const at = botAttackSummary({ productIds: [product.productId] }, [raisedTo(product.basePrice + step)], request);

    expect(step).toBeGreaterThan(200);
    expect(past?.maxStepsAboveBase[product.productId]).toBe(1);
    expect(past?.heldToOneStep).toBe(false);
    expect(at?.heldToOneStep).toBe(true);
  });

  it('is none without a bot attack', () => {
    expect(botAttackSummary(null, [], request)).toBeNull();
  });
});
