import type { StockSource } from './traffic-model.js';

/**
 * The order system's own count of the units in stock, in memory: the simulator places every order and
 * makes every delivery, so between writes its count is the authority and the table follows it (each
 * order's write takes what `take` took here; each delivery's write adds what `deliver` added). It
 * starts from the inventories the products table held when the run began.
 */
export class StockLedger implements StockSource {
  private readonly units: Map<string, number>;
  /** Units purchases took, and units deliveries added, since the start. */
  unitsSold = 0;
  unitsDelivered = 0;

  constructor(inventories: Iterable<readonly [productId: string, units: number]>) {
    this.units = new Map();
    for (const [productId, units] of inventories) {
      assertUnits(units, `inventory of ${productId}`);
      this.units.set(productId, units);
    }
  }

  /** Takes `quantity` units when there are that many (a product the ledger does not hold has none). */
  take(productId: string, quantity: number): boolean {
    const units = this.units.get(productId) ?? 0;
    if (units < quantity) return false;
    this.units.set(productId, units - quantity);
    this.unitsSold += quantity;
    return true;
  }

  deliver(productId: string, units: number): void {
    assertUnits(units, `delivery to ${productId}`);
    this.units.set(productId, (this.units.get(productId) ?? 0) + units);
    this.unitsDelivered += units;
  }

  inventoryOf(productId: string): number {
    return this.units.get(productId) ?? 0;
  }

  /** Products with no unit left. */
  soldOut(): string[] {
    return [...this.units].filter(([, units]) => units === 0).map(([productId]) => productId);
  }
}

function assertUnits(units: number, what: string): void {
  if (!(Number.isSafeInteger(units) && units >= 0))
    throw new RangeError(`${what} must be an integer >= 0, got ${units}`);
}
