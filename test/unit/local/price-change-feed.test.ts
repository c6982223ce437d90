import { describe, expect, it } from 'vitest';
import type { PriceChange } from '../../../functions/domain/price-change.js';
import { describeChange } from '../../../local/price-change-feed.js';

const change = {
  changedAt: '2026-12-05T19:01:02.345Z',
  productId: 'P00007',
  action: 'price',
  oldPrice: 1999,
  newPrice: 2099,
  reasonCode: 'demand_surge',
  guardrail: null,
  source: 'fast-path',
} as unknown as PriceChange;

describe("npm start's price feed line", () => {
  it('writes the amounts in the product’s currency, as the ops CLI does', () => {
    expect(describeChange(change, 'EUR')).toBe('19:01:02  P00007  19.99 EUR → 20.99 EUR  (demand_surge; fast-path)');
    expect(describeChange({ ...change, oldPrice: 1999, newPrice: 2099 }, 'JPY')).toBe(
      '19:01:02  P00007  1999 JPY → 2099 JPY  (demand_surge; fast-path)',
    );
  });

  it('writes bare amounts when the currency is not known, and the guardrail that bound the price', () => {
    expect(describeChange({ ...change, guardrail: 'ceiling' } as PriceChange)).toBe(
      '19:01:02  P00007  19.99 → 20.99  (demand_surge, bound by ceiling; fast-path)',
    );
  });
});
