/**
 * The simulated shop a backtest sells in: the prices shoppers see, the stock they buy from, the
 * deliveries that restock it, and the money it makes. It is the traffic model's price and stock
 * source, so shoppers meet the prices the policy sets and a sold-out product does not sell.
 */
import type { Order } from '../functions/domain/order.js';
import type { Product } from '../functions/domain/product.js';
import { deliveriesBetween, deliveryFor, type ReplenishmentPlan, restockLevel } from '../simulator/replenishment.js';
import type { PriceSource, StockSource } from '../simulator/traffic-model.js';

/** What the shop made over a run, in cents and units. */
export interface Economics {
  readonly revenue: number;
  /** Units sold × unit cost. */
  readonly cost: number;
  readonly profit: number;
  readonly units: number;
  readonly orders: number;
  /** Purchases that found the product sold out, and the units they wanted. */
  readonly lostPurchases: number;
  readonly lostUnits: number;
  /** Product-minutes spent with nothing in stock. */
  readonly soldOutMinutes: number;
  readonly deliveries: number;
  readonly unitsDelivered: number;
}

export class Market implements PriceSource, StockSource {
  private readonly prices = new Map<string, number>();
  private readonly stock = new Map<string, number>();
  private readonly costs = new Map<string, number>();
  private readonly levels = new Map<string, number>();
  private money = { revenue: 0, cost: 0, units: 0, orders: 0 };
  private lost = { purchases: 0, units: 0 };
  private soldOutMinutes = 0;
  private delivered = { deliveries: 0, units: 0 };
  private deliveredUntil = Number.NEGATIVE_INFINITY;

  constructor(
    readonly products: readonly Product[],
    private readonly plan: ReplenishmentPlan,
  ) {
    for (const product of products) {
      this.prices.set(product.productId, product.price);
      this.stock.set(product.productId, 0);
      this.costs.set(product.productId, product.unitCost ?? 0);
    }
  }

  /**
   * Sets each product's restock level from the units it sells per minute at usual demand and base
   * price (the traffic model knows them, and needs the shop first: the shop is its price source).
   */
  planStock(expectedUnitsPerMinute: (productId: string) => number): void {
    for (const product of this.products) {
      this.levels.set(product.productId, restockLevel(expectedUnitsPerMinute(product.productId), this.plan));
    }
  }

  priceOf(productId: string): number {
    return this.prices.get(productId) ?? 0;
  }

  setPrice(productId: string, price: number): void {
    this.prices.set(productId, price);
  }

  inventoryOf(productId: string): number {
    return this.stock.get(productId) ?? 0;
  }

  take(productId: string, quantity: number): boolean {
    const available = this.stock.get(productId) ?? 0;
    if (available < quantity) {
      this.lost.purchases++;
      this.lost.units += quantity;
      return false;
    }
    this.stock.set(productId, available - quantity);
    return true;
  }

  /** A purchase's order, at the price the shopper paid: its money. (Its stock was taken at purchase.) */
  recordOrder(order: Order): void {
    this.money.orders++;
    this.money.units += order.quantity;
    this.money.revenue += order.quantity * order.unitPrice;
    this.money.cost += order.quantity * (this.costs.get(order.productId) ?? 0);
  }

  /** Makes the deliveries due in (the last call, offsetMs]; the first call delivers at offset 0. */
  deliverUntil(offsetMs: number): void {
    for (const _ of deliveriesBetween(this.deliveredUntil, offsetMs, this.plan)) {
      this.delivered.deliveries++;
      for (const [productId, level] of this.levels) {
        const units = deliveryFor(this.inventoryOf(productId), level);
        this.stock.set(productId, this.inventoryOf(productId) + units);
        this.delivered.units += units;
      }
    }
    this.deliveredUntil = offsetMs;
  }

  /** When, as an offset from the run's start, the next delivery after `offsetMs` is due. */
  nextDeliveryAfter(offsetMs: number): number {
    const every = this.plan.everyMinutes * 60_000;
    return (Math.floor(offsetMs / every) + 1) * every;
  }

  /** Counts the products with nothing in stock: called once a minute. */
  sampleSoldOut(): void {
    for (const units of this.stock.values()) if (units === 0) this.soldOutMinutes++;
  }

  economics(): Economics {
    const { revenue, cost, units, orders } = this.money;
    return {
      revenue,
      cost,
      profit: revenue - cost,
      units,
      orders,
      lostPurchases: this.lost.purchases,
      lostUnits: this.lost.units,
      soldOutMinutes: this.soldOutMinutes,
      deliveries: this.delivered.deliveries,
      unitsDelivered: this.delivered.units,
    };
  }
}
