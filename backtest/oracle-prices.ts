/**
 * A yardstick, not a policy: prices set by someone who knows what no pricing system can — every
 * product's true demand for the rest of the run, the shoppers' price elasticity, and when the next
 * delivery comes. It keeps the base price unless stock would sell out before the next delivery, and
 * then asks the price at which expected demand until then is exactly the stock (under the funnel's
 * constant elasticity, within the ceiling). What it earns over fixed prices is what responding to
 * demand and stock can earn in the simulator at all: the right scale for a target.
 */
import type { Product } from '../functions/domain/product.js';
import type { TrafficModel } from '../simulator/traffic-model.js';
import type { Market } from './market.js';

const MINUTE_MS = 60_000;

export class OraclePrices {
  constructor(
    private readonly products: readonly Product[],
    private readonly model: TrafficModel,
    private readonly market: Market,
  ) {}

  /** Sets every product's price for the minute starting `offsetMs` into the run. */
  setPrices(offsetMs: number): void {
    const elasticity = this.model.funnel.elasticity;
    const deliveryMs = this.market.nextDeliveryAfter(offsetMs);
    for (const product of this.products) {
      const stock = this.market.inventoryOf(product.productId);
      let multiplierMinutes = 0;
      for (let at = offsetMs; at < deliveryMs; at += MINUTE_MS) {
        multiplierMinutes += this.model.trueMultiplier(product.productId, at);
      }
      const demand = this.model.expectedUnitsPerMinute(product.productId) * multiplierMinutes;
      const price =
        stock > 0 && demand > stock && elasticity > 0
          ? Math.min(product.ceiling, Math.round(product.basePrice * (demand / stock) ** (1 / elasticity)))
          : product.basePrice;
      this.market.setPrice(product.productId, price);
    }
  }
}
