import type { Order } from '../functions/domain/order.js';
import type { OrdersStore } from '../functions/store/orders-store.js';

/** What the order writer did. */
export interface OrderWriterStats {
  readonly written: number;
  /** Orders already in the table (a replayed run), left untouched: they took no stock again. */
  readonly existing: number;
  /**
   * Orders not written because the product's inventory in the table could not cover them. The
   * simulator sells only what its ledger holds, so this means the table drifted from the ledger
   * (another writer, a failed delivery write) or a replay ran against a table that lacks the stock.
   */
  readonly soldOut: number;
  readonly failed: number;
  readonly pending: number;
  readonly lastError: string | null;
}

/**
 * Places purchases' orders in the background with a few writes in flight, so a burst of purchases
 * never holds up the clickstream. Each order takes its units from the product's inventory in the same
 * transaction, and is idempotent (see OrdersStore.place), so the SDK's retries are safe.
 */
export class OrderWriter {
  private readonly queue: Order[] = [];
  private active = 0;
  private idle: Array<() => void> = [];
  private counts = { written: 0, existing: 0, soldOut: 0, failed: 0 };
  private lastError: string | null = null;

  constructor(
    private readonly store: OrdersStore,
    /** @default 8 */
    private readonly concurrency = 8,
  ) {}

  write(order: Order): void {
    this.queue.push(order);
    this.startWorkers();
  }

  stats(): OrderWriterStats {
    return { ...this.counts, pending: this.queue.length + this.active, lastError: this.lastError };
  }

  /** Resolves when every order given so far has been written (or has failed). */
  flush(): Promise<void> {
    if (this.queue.length === 0 && this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private startWorkers(): void {
    while (this.active < this.concurrency && this.queue.length > 0) {
      this.active++;
      void this.work();
    }
  }

  private async work(): Promise<void> {
    for (let order = this.queue.shift(); order; order = this.queue.shift()) {
      try {
        const outcome = await this.store.place(order);
        if (outcome === 'created') this.counts.written++;
        else if (outcome === 'existing') this.counts.existing++;
        else this.counts.soldOut++;
      } catch (error) {
        this.counts.failed++;
        this.lastError = `${order.orderId}: ${(error as Error).name}: ${(error as Error).message}`;
      }
    }
    this.active--;
    if (this.active === 0 && this.queue.length === 0) {
      const waiting = this.idle;
      this.idle = [];
      for (const resolve of waiting) resolve();
    }
  }
}
