/**
 * Runs the window aggregation SQL in an in-process DuckDB. This module is I/O only: it loads the
 * batch's rows into the tables the SQL reads and converts the result; every rule is in the SQL.
 */
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBPreparedStatement,
} from '@duckdb/node-api';
import { type AggregateRow, aggregateRowSchema } from '../../functions/domain/aggregate.js';
import { readAggregateSql } from '../window-config.js';

/**
 * The click fields the SQL reads (see the header of glue/aggregate-window.sql). Absent facts may be
 * null or undefined, so a click event itself is one (the backtest hands its events over as they are).
 */
export interface WindowClick {
  readonly eventId: string;
  readonly sessionId: string;
  readonly eventType: string;
  readonly productId?: string | null;
  readonly quantity?: number | null;
  readonly eventTime: string;
}

/** The catalogue fields the SQL reads. */
export interface WindowProduct {
  readonly productId: string;
  readonly category: string;
  readonly inventory: number;
  readonly price: number;
}

/** The order fields the SQL reads. */
export interface WindowOrder {
  readonly orderId: string;
  readonly productId: string;
  readonly quantity: number;
  readonly unitPrice: number;
  readonly orderedAt: string;
}

export interface WindowBounds {
  readonly windowStart: string;
  readonly windowEnd: string;
  /** The orders this window counts: [ordersStart, ordersEnd) of orderedAt (see the SQL). */
  readonly ordersStart: string;
  readonly ordersEnd: string;
}

/** The tables the SQL reads, as both engines declare them (see the SQL's header). */
export const WINDOW_TABLES = {
  window_bounds: 'windowStart VARCHAR, windowEnd VARCHAR, ordersStart VARCHAR, ordersEnd VARCHAR',
  clicks:
    'eventId VARCHAR, sessionId VARCHAR, eventType VARCHAR, productId VARCHAR, quantity INTEGER, eventTime VARCHAR',
  products: 'productId VARCHAR, category VARCHAR, inventory BIGINT, price BIGINT',
  orders: 'orderId VARCHAR, productId VARCHAR, quantity INTEGER, unitPrice BIGINT, orderedAt VARCHAR',
} as const;
type TableName = keyof typeof WINDOW_TABLES;

function appendText(appender: DuckDBAppender, value: string | null | undefined): void {
  if (value === null || value === undefined) appender.appendNull();
  else appender.appendVarchar(value);
}

function appendInteger(appender: DuckDBAppender, value: number | null | undefined): void {
  if (value === null || value === undefined) appender.appendNull();
  else appender.appendInteger(value);
}

/** DuckDB returns BIGINT as bigint; rows leave this module as plain numbers. */
function toNumber(value: unknown): unknown {
  return typeof value === 'bigint' ? Number(value) : value;
}

/**
 * One DuckDB database holding the cached catalogue between windows. Each window is a transaction
 * that is rolled back once its rows are read: its clicks, orders and bounds (and a catalogue given
 * for it alone) never reach the committed tables, so nothing is deleted between windows. That
 * took 2.3 of a 6,000-click window's 31 ms (the deletes, and moving the rows into the tables).
 */
export class DuckDbWindowAggregator {
  /** The window whose transaction is open (`opening` while it begins), if any: one at a time. */
  private open: WindowLoad | 'opening' | undefined = undefined;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** The SQL, planned once: a quiet window's run took 8.8 ms so, 12.3 ms planned anew each time. */
    private readonly statement: DuckDBPreparedStatement,
  ) {}

  /** @param options.threads DuckDB's worker threads; the backtest runs on one core. @default DuckDB's own */
  static async create(
    sql: string = readAggregateSql(),
    options: { readonly threads?: number } = {},
  ): Promise<DuckDbWindowAggregator> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    if (options.threads !== undefined)
      await connection.run(`SET threads TO ${Math.max(1, Math.floor(options.threads))}`);
    for (const [name, columns] of Object.entries(WINDOW_TABLES))
      await connection.run(`CREATE TABLE ${name} (${columns})`);
    // A plan made once must hold for any window's rows. Statistics propagation specialises it to the
    // rows there at planning (a join pruned by the products' id range, strings compressed to the
    // lengths seen): a later window then lost rows or failed. Without it, only the join order and
    // build sides follow the row counts seen, which changes the speed and not the answer.
    await connection.run(`SET disabled_optimizers = 'statistics_propagation'`);
    return new DuckDbWindowAggregator(instance, connection, await connection.prepare(sql));
  }

  /**
   * Replaces the cached catalogue every later window reads; not while a window is open. All or
   * nothing: a product DuckDB refuses leaves the catalogue as it was, as Spark's snapshot does.
   */
  async replaceProducts(products: readonly WindowProduct[]): Promise<void> {
    if (this.open !== undefined)
      throw new Error('replaceProducts while a window is open: give the window its products');
    await this.connection.run('BEGIN TRANSACTION');
    try {
      await this.fillProducts(products);
    } catch (error) {
      await this.connection.run('ROLLBACK');
      throw error;
    }
    await this.connection.run('COMMIT');
  }

  /** Loads one window's clicks and orders and runs the SQL over them and the cached products. */
  async aggregate(
    bounds: WindowBounds,
    clicks: readonly WindowClick[],
    orders: readonly WindowOrder[],
  ): Promise<AggregateRow[]> {
    const load = await this.startWindow();
    try {
      for (const click of clicks) load.addClick(click);
      for (const order of orders) load.addOrder(order);
    } catch (error) {
      // A row DuckDB refuses (an order without a price) ends the window: the next one starts clean.
      await this.endWindow(load).catch(() => undefined);
      throw error;
    }
    return this.aggregateWindow(bounds, load);
  }

  /**
   * Opens a window for its rows, to be added as they arrive: a caller that streams (the backtest)
   * then keeps no window of events alive in JS memory. One window at a time.
   */
  async startWindow(): Promise<WindowLoad> {
    if (this.open !== undefined) throw new Error('a window is open already: aggregate it first');
    this.open = 'opening';
    let began = false;
    try {
      await this.connection.run('BEGIN TRANSACTION');
      began = true;
      const load = new WindowLoad(
        await this.connection.createAppender('clicks'),
        await this.connection.createAppender('orders'),
      );
      this.open = load;
      return load;
    } catch (error) {
      try {
        if (began) await this.connection.run('ROLLBACK');
      } finally {
        this.open = undefined;
      }
      throw error;
    }
  }

  /**
   * Runs the SQL over the open window's rows (its load is finished first) and the cached products,
   * or `products` for this window alone; the window is closed whatever happens.
   */
  async aggregateWindow(
    bounds: WindowBounds,
    load: WindowLoad,
    products?: readonly WindowProduct[],
  ): Promise<AggregateRow[]> {
    if (load !== this.open) throw new Error('not the open window');
    let rows: AggregateRow[];
    try {
      load.finish();
      if (products !== undefined) await this.fillProducts(products);
      await this.fill('window_bounds', [bounds], (appender, row) => {
        appender.appendVarchar(row.windowStart);
        appender.appendVarchar(row.windowEnd);
        appender.appendVarchar(row.ordersStart);
        appender.appendVarchar(row.ordersEnd);
      });
      // Prepared, so safe only with statistics propagation off (see create; aggregate-sql.test.ts shows it).
      const reader = await this.statement.runAndReadAll();
      rows = reader.getRowObjectsJS().map((row) => {
        // Each row is a fresh object: converted in place (a copy per row was a quarter of this step).
        for (const key in row) row[key] = toNumber(row[key]) as (typeof row)[string];
        return aggregateRowSchema.parse(row);
      });
    } catch (error) {
      // The window's own failure is the one to report, not one of rolling it back after it.
      await this.endWindow(load).catch(() => undefined);
      throw error;
    }
    await this.endWindow(load);
    return rows;
  }

  /** Ends the open window: its load finished, its transaction rolled back; closed even if either fails. */
  private async endWindow(load: WindowLoad): Promise<void> {
    try {
      load.finish();
    } finally {
      try {
        await this.connection.run('ROLLBACK');
      } finally {
        this.open = undefined;
      }
    }
  }

  /** Closes the database; a window still open is given up (its appenders closed before the connection). */
  close(): void {
    try {
      if (this.open instanceof WindowLoad) this.open.finish();
    } finally {
      this.open = undefined;
      this.statement.destroySync();
      this.connection.closeSync();
      this.instance.closeSync();
    }
  }

  private async fillProducts(products: readonly WindowProduct[]): Promise<void> {
    await this.connection.run('DELETE FROM products');
    await this.fill('products', products, (appender, product) => {
      appender.appendVarchar(product.productId);
      appender.appendVarchar(product.category);
      appender.appendBigInt(BigInt(product.inventory));
      appender.appendBigInt(BigInt(product.price));
    });
  }

  /** Appends rows to a table (inside a window: to its transaction, which adds them to no committed row). */
  private async fill<T>(
    table: TableName,
    rows: readonly T[],
    append: (appender: DuckDBAppender, row: T) => void,
  ): Promise<void> {
    const appender = await this.connection.createAppender(table);
    try {
      for (const row of rows) {
        append(appender, row);
        appender.endRow();
      }
    } finally {
      // Closed whatever happens: a row refused halfway leaves no appender holding the table.
      appender.closeSync();
    }
  }
}

/** One window's clicks and orders on their way into DuckDB (see DuckDbWindowAggregator.startWindow). */
export class WindowLoad {
  private finished = false;

  constructor(
    private readonly clicks: DuckDBAppender,
    private readonly orders: DuckDBAppender,
  ) {}

  addClick(click: WindowClick): void {
    const appender = this.clicks;
    appender.appendVarchar(click.eventId);
    appender.appendVarchar(click.sessionId);
    appender.appendVarchar(click.eventType);
    appendText(appender, click.productId);
    appendInteger(appender, click.quantity);
    appender.appendVarchar(click.eventTime);
    appender.endRow();
  }

  addOrder(order: WindowOrder): void {
    const appender = this.orders;
    appender.appendVarchar(order.orderId);
    appender.appendVarchar(order.productId);
    appender.appendInteger(order.quantity);
    appender.appendBigInt(BigInt(order.unitPrice));
    appender.appendVarchar(order.orderedAt);
    appender.endRow();
  }

  /** Flushes the rows into their tables; adding more afterwards fails. Finishing twice is harmless. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.clicks.closeSync();
    this.orders.closeSync();
  }
}
