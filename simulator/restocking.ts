import { toIso } from '../functions/domain/time.js';
import { mapConcurrent } from '../functions/lib/map-concurrent.js';
import type { DeliveryOutcome } from '../functions/store/stock-store.js';
import { deliveriesBetween, deliveryFor, type ReplenishmentPlan, restockLevel } from './replenishment.js';
import type { StockLedger } from './stock-ledger.js';

/**
 * Writes one delivery to the products table (StockStore.deliver in a live run), with when the next
 * one is due (null: none before the run ends).
 */
export type DeliveryWrite = (
  productId: string,
  units: number,
  deliveryId: string,
  nextDeliveryAt: string | null,
) => Promise<DeliveryOutcome>;

export interface RestockingOptions {
  readonly plan: ReplenishmentPlan;
  readonly productIds: readonly string[];
  /** What the plan knows of demand: a product's usual unit sales per minute at base prices. */
  readonly demand: { expectedUnitsPerMinute(productId: string): number };
  readonly ledger: StockLedger;
  readonly write: DeliveryWrite;
  /** Unique to the run: a delivery's id is the run's and its offset, so each is written once. */
  readonly runId: string;
  /** The run's start (epoch ms): a product's `restockAt` is the next delivery's offset from it. */
  readonly startTime: number;
  /** Deliveries fall before this offset (ms from the start); null for a run without an end. */
  readonly durationMs: number | null;
  /** Delivery writes in flight at once. @default 16 */
  readonly concurrency?: number;
}

export interface RestockingStats {
  /** Deliveries made (each brings every product up to its level). */
  readonly deliveries: number;
  /** Product deliveries whose write failed, or found no such product: their units are not in stock. */
  readonly failedWrites: number;
  readonly lastError: string | null;
}

/**
 * The replenishment plan run live: at each of the plan's offsets (the first at the start), every
 * product is brought up to its level from what the ledger holds; each product's delivery is written
 * to the table, and only once it is there does the ledger count it. The caller makes a delivery
 * before generating the purchases after its offset, so an order never relies on a delivery that is
 * not in the table yet.
 */
export class Restocking {
  private readonly levels: ReadonlyMap<string, number>;
  /** The offset of the last delivery made; -1 before the first. */
  private lastOffset = -1;
  private deliveries = 0;
  private failedWrites = 0;
  private lastError: string | null = null;

  constructor(private readonly options: RestockingOptions) {
    this.levels = new Map(
      options.productIds.map((productId) => [
        productId,
        restockLevel(options.demand.expectedUnitsPerMinute(productId), options.plan),
      ]),
    );
  }

  get plan(): ReplenishmentPlan {
    return this.options.plan;
  }

  /** The units a delivery brings the product up to. */
  levelOf(productId: string): number {
    return this.levels.get(productId) ?? 0;
  }

  /** The next delivery's offset (ms from the start); Infinity when the run ends first. */
  nextOffset(): number {
    const [next = Number.POSITIVE_INFINITY] = deliveriesBetween(
      this.lastOffset,
      this.lastOffset + this.options.plan.everyMinutes * 60_000,
      this.options.plan,
    );
    const { durationMs } = this.options;
    return durationMs !== null && next >= durationMs ? Number.POSITIVE_INFINITY : next;
  }

  /**
   * Makes the next delivery, if any is left: writes each product's units (0 for a product at its
   * level, which still learns when the next delivery is due), then adds them to the ledger.
   */
  async deliverNext(): Promise<void> {
    const offset = this.nextOffset();
    if (!Number.isFinite(offset)) return;
    const { ledger, write, runId, startTime } = this.options;
    this.lastOffset = offset;
    const following = this.nextOffset();
    const nextDeliveryAt = Number.isFinite(following) ? toIso(startTime + following) : null;
    const lines = [...this.levels].map(([productId, level]) => ({
      productId,
      units: deliveryFor(ledger.inventoryOf(productId), level),
    }));
    await mapConcurrent(lines, this.options.concurrency ?? 16, async ({ productId, units }) => {
      try {
        const outcome = await write(productId, units, `${runId}@${offset}`, nextDeliveryAt);
        // 'already_delivered' is this very delivery, written by an earlier attempt: its units are in the table.
        if (outcome === 'no_product') throw new Error('no such product in the table');
        if (units > 0) ledger.deliver(productId, units);
      } catch (error) {
        this.failedWrites++;
        this.lastError = `${productId} at ${offset} ms: ${(error as Error).name}: ${(error as Error).message}`;
      }
    });
    this.deliveries++;
  }

  stats(): RestockingStats {
    return { deliveries: this.deliveries, failedWrites: this.failedWrites, lastError: this.lastError };
  }
}
