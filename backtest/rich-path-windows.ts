/**
 * The rich path in a backtest: each minute's clicks and orders go through the very aggregation SQL
 * the Glue job runs (glue/aggregate-window.sql, in DuckDB as the local engine runs it), and each
 * product's rows are kept as the aggregates table keeps them, for the baselines of later windows.
 */
import type { AggregateRow } from '../functions/domain/aggregate.js';
import type { PeriodCounts } from '../functions/domain/demand-evidence.js';
import type { Order } from '../functions/domain/order.js';
import { toIso } from '../functions/domain/time.js';
import {
  DuckDbWindowAggregator,
  type WindowLoad,
  type WindowProduct,
} from '../glue/local-engine/duckdb-window-aggregator.js';
import type { SimulatedClickEvent } from '../simulator/records.js';
import { PeriodRing, periodsBefore } from './period-ring.js';

export class RichPathWindows {
  /** productId → its windows' counts. */
  private readonly rows = new Map<string, PeriodRing<PeriodCounts>>();

  private constructor(
    private readonly aggregator: DuckDbWindowAggregator,
    readonly windowMs: number,
    /**
     * The current window's clicks and orders go into DuckDB as they arrive: held in JS until the
     * window closed, a minute of events outlived young-generation collections and cost ~5% of a run.
     */
    private load: WindowLoad,
  ) {}

  /** On one DuckDB thread: the backtest's speed is measured on one core. */
  static async create(windowMs: number): Promise<RichPathWindows> {
    const aggregator = await DuckDbWindowAggregator.create(undefined, { threads: 1 });
    return new RichPathWindows(aggregator, windowMs, await aggregator.startWindow());
  }

  /** An event that arrived in the current window (valid, bot or duplicate: the SQL sorts them out). */
  addClick(event: SimulatedClickEvent): void {
    // The event itself: it has the fields the SQL reads, absent ones undefined.
    this.load.addClick(event);
  }

  addOrder(order: Order): void {
    this.load.addOrder(order);
  }

  /** Aggregates the window [startMs, startMs + windowMs) over `products` as they stand now, and starts the next. */
  async close(startMs: number, products: readonly WindowProduct[]): Promise<AggregateRow[]> {
    // Simulated orders are indexed the moment they are placed: no grace, each window counts its own.
    const windowStart = toIso(startMs);
    const windowEnd = toIso(startMs + this.windowMs);
    const rows = await this.aggregator.aggregateWindow(
      { windowStart, windowEnd, ordersStart: windowStart, ordersEnd: windowEnd },
      this.load,
      products,
    );
    this.load = await this.aggregator.startWindow();
    for (const row of rows) {
      let windows = this.rows.get(row.productId);
      if (windows === undefined) {
        windows = new PeriodRing(this.windowMs);
        this.rows.set(row.productId, windows);
      }
      windows.set(startMs, { views: row.views, carts: row.carts, purchases: row.purchases, units: row.units });
    }
    return rows;
  }

  /** The product's `count` windows before the one starting at `startMs`, oldest first; no row reads as zeros. */
  windowsBefore(productId: string, startMs: number, count: number): PeriodCounts[] {
    return periodsBefore(this.rows.get(productId), this.windowMs, startMs, count);
  }

  dispose(): void {
    // The open window is given up with the database.
    this.aggregator.close();
  }
}
