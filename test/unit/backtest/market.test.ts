import { describe, expect, it } from 'vitest';
import { Market } from '../../../backtest/market.js';
import type { Product } from '../../../functions/domain/product.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';
import { replenishmentPlan } from '../../../simulator/replenishment.js';

const [seeded] = generateCatalogue('2026-11-01T00:00:00.000Z', { productCount: 1 });
const product: Product = { ...(seeded as Product), productId: 'sku-1', unitCost: 1200 };

function market() {
  const shop = new Market([product], replenishmentPlan({ everyMinutes: 60, coverMinutes: 60 }));
  shop.planStock(() => 0.1); // 6 units a delivery
  return shop;
}

describe('the backtest’s shop', () => {
  it('delivers up to the planned level at each delivery, from the start of the run', () => {
    const shop = market();
    shop.deliverUntil(0);
    expect(shop.inventoryOf('sku-1')).toBe(6);
    expect(shop.take('sku-1', 4)).toBe(true);
    shop.deliverUntil(59 * 60_000);
    expect(shop.inventoryOf('sku-1')).toBe(2);
    shop.deliverUntil(60 * 60_000);
    expect(shop.inventoryOf('sku-1')).toBe(6);
    expect(shop.economics()).toMatchObject({ deliveries: 2, unitsDelivered: 10 });
    expect(shop.nextDeliveryAfter(60 * 60_000)).toBe(120 * 60_000);
  });

  it('refuses what it does not have, and counts the purchase lost', () => {
    const shop = market();
    shop.deliverUntil(0);
    expect(shop.take('sku-1', 7)).toBe(false);
    expect(shop.take('sku-1', 6)).toBe(true);
    shop.sampleSoldOut();
    expect(shop.economics()).toMatchObject({ lostPurchases: 1, lostUnits: 7, soldOutMinutes: 1 });
  });

  it('counts an order’s money at the price paid and its units at cost', () => {
    const shop = market();
    shop.recordOrder({
      orderId: 'o-1',
      productId: 'sku-1',
      sessionId: 's-1',
      userId: null,
      quantity: 2,
      unitPrice: 2099,
      currency: 'EUR',
      orderedAt: '2026-11-02T00:00:00.000Z',
    });
    expect(shop.economics()).toMatchObject({ revenue: 4198, cost: 2400, profit: 1798, units: 2, orders: 1 });
  });
});
