/**
 * An independent recount of the rich path's window aggregation, in plain TypeScript (not the SQL),
 * from what a test knows it sent: the records of a window and the orders of a simulator recording.
 * The rules are the ones glue/aggregate-window.sql documents; the code shares nothing with it.
 */
import type { Order } from '../../functions/domain/order.js';

const COUNTER_OF: Record<string, 'views' | 'carts' | 'removes' | 'checkouts' | 'purchases'> = {
  product_view: 'views',
  add_to_cart: 'carts',
  remove_from_cart: 'removes',
  checkout_start: 'checkouts',
  purchase: 'purchases',
};
const BOT_EVENTS_PER_MINUTE = 200;

/**
 * Whether the rich path counts a recorded line, by the simulator's own label: valid, bot (dropped by
 * the SQL) and duplicate lines, and two bad kinds Glue's parsed source cannot see (the fast path
 * quarantines them): an over-size record, valid apart from its size, and a wrong-type record whose one
 * mistake is a price as a string, which Spark reads as no price seen. Every other bad kind is rejected.
 */
export function richPathReads(kind: string, data: string): boolean {
  if (!kind.startsWith('bad:') || kind === 'bad:oversized') return true;
  return kind === 'bad:wrong-type' && typeof (JSON.parse(data) as { priceSeen?: unknown }).priceSeen === 'string';
}

export interface RecountEvent {
  readonly eventId: string;
  readonly sessionId: string;
  readonly eventType: string;
  readonly productId?: string | null;
  readonly eventTime: string;
}

export interface CatalogueEntry {
  readonly productId: string;
  readonly category: string;
  readonly inventory: number;
  readonly price: number;
}

export interface RecountedRow {
  productId: string;
  windowStart: string;
  windowEnd: string;
  views: number;
  carts: number;
  removes: number;
  checkouts: number;
  purchases: number;
  units: number;
  revenue: number;
  sessions: number;
  viewToCart: number;
  viewToPurchase: number;
  category: string;
  inventory: number;
  price: number;
  botEventsDropped: number;
}

/**
 * The catalogue as a products table holds it now (its items, as a Scan returns them). A window's rows
 * carry each product's inventory when the window was aggregated, and the simulator's orders and
 * deliveries change it: read it after the traffic, before the batch.
 */
export function catalogueOf(items: readonly Record<string, unknown>[]): Map<string, CatalogueEntry> {
  return new Map(
    items.map((item) => [
      item.productId as string,
      {
        productId: item.productId as string,
        category: item.category as string,
        inventory: item.inventory as number,
        price: item.price as number,
      },
    ]),
  );
}

/**
 * The rows one window must produce, and the bot sessions found (to compare with the simulator's
 * labels). Orders count by the window's orders range, which lags it (glue/window-config.ts).
 */
export function recountWindow(
  window: { windowStart: string; windowEnd: string; ordersStart: string; ordersEnd: string },
  events: readonly RecountEvent[],
  orders: readonly Order[],
  catalogue: ReadonlyMap<string, CatalogueEntry>,
): { rows: RecountedRow[]; botSessions: Set<string> } {
  const seen = new Set<string>();
  const unique: RecountEvent[] = [];
  for (const event of events) {
    if (seen.has(event.eventId)) continue;
    seen.add(event.eventId);
    unique.push(event);
  }
  const perSessionMinute = new Map<string, number>();
  const botSessions = new Set<string>();
  for (const event of unique) {
    const key = `${event.sessionId}|${new Date(event.eventTime).toISOString().slice(0, 16)}`;
    const count = (perSessionMinute.get(key) ?? 0) + 1;
    perSessionMinute.set(key, count);
    if (count > BOT_EVENTS_PER_MINUTE) botSessions.add(event.sessionId);
  }

  const rows = new Map<string, RecountedRow>();
  const sessions = new Map<string, Set<string>>();
  const rowOf = (productId: string): RecountedRow | undefined => {
    const product = catalogue.get(productId);
    if (!product) return undefined;
    let row = rows.get(productId);
    if (!row) {
      row = {
        productId,
        windowStart: window.windowStart,
        windowEnd: window.windowEnd,
        views: 0,
        carts: 0,
        removes: 0,
        checkouts: 0,
        purchases: 0,
        units: 0,
        revenue: 0,
        sessions: 0,
        viewToCart: 0,
        viewToPurchase: 0,
        category: product.category,
        inventory: product.inventory,
        price: product.price,
        botEventsDropped: 0,
      };
      rows.set(productId, row);
      sessions.set(productId, new Set());
    }
    return row;
  };
  for (const event of unique) {
    const counter = COUNTER_OF[event.eventType];
    if (!counter || !event.productId) continue;
    const row = rowOf(event.productId);
    if (!row) continue;
    if (botSessions.has(event.sessionId)) {
      row.botEventsDropped += 1;
      continue;
    }
    row[counter] += 1;
    sessions.get(event.productId)?.add(event.sessionId);
  }
  for (const order of orders) {
    if (order.orderedAt < window.ordersStart || order.orderedAt >= window.ordersEnd) continue;
    const row = rowOf(order.productId);
    if (!row) continue;
    row.units += order.quantity;
    row.revenue += order.quantity * order.unitPrice;
  }
  for (const row of rows.values()) {
    row.sessions = sessions.get(row.productId)?.size ?? 0;
    row.viewToCart = row.views === 0 ? 0 : row.carts / row.views;
    row.viewToPurchase = row.views === 0 ? 0 : row.purchases / row.views;
  }
  return { rows: [...rows.values()].sort((a, b) => (a.productId < b.productId ? -1 : 1)), botSessions };
}

/** Sums rows' counters over windows, per product. */
export function sumOverWindows(rows: readonly Record<string, unknown>[]): Record<string, Record<string, number>> {
  const fields = ['views', 'carts', 'removes', 'checkouts', 'purchases', 'units', 'revenue', 'botEventsDropped'];
  const totals: Record<string, Record<string, number>> = {};
  for (const row of rows) {
    const productId = row.productId as string;
    const total = totals[productId] ?? Object.fromEntries(fields.map((field) => [field, 0]));
    totals[productId] = total;
    for (const field of fields) total[field] = (total[field] ?? 0) + Number(row[field] ?? 0);
  }
  return totals;
}
