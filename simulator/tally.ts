import type { EventType } from '../functions/domain/click-event.js';
import type { RecordKind, SimulatedClickEvent } from './records.js';

export type CountsByType = Partial<Record<EventType, number>>;

/** Counts of what a run sent, in the shape of the summary's `records` section. */
export interface RecordCounts {
  /** Every record handed to the stream, of every kind. */
  readonly total: number;
  readonly valid: number;
  readonly bot: number;
  readonly duplicate: number;
  /** Bad records by kind (`malformed-json`, …), and their sum. */
  readonly bad: Readonly<Record<string, number>>;
  readonly badTotal: number;
  /** Valid shopper events by type. */
  readonly validByType: CountsByType;
  readonly botByType: CountsByType;
  /**
   * Valid, non-bot, unique events per product and type: what a correct consumer counts, after
   * dropping bots, bad records and duplicates.
   */
  readonly validByProduct: Readonly<Record<string, CountsByType>>;
  /** Bot events per product (all types). */
  readonly botByProduct: Readonly<Record<string, number>>;
  readonly purchases: number;
  /** Units bought and revenue (cents) of the valid purchases. */
  readonly unitsPurchased: number;
  readonly revenueCents: number;
}

function bump<K extends string>(counts: Partial<Record<K, number>>, key: K, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** Keeps the running counts of a run as records go out. */
export class Tally {
  total = 0;
  private valid = 0;
  private bot = 0;
  private duplicate = 0;
  private badTotal = 0;
  private readonly bad: Record<string, number> = {};
  private readonly validByType: CountsByType = {};
  private readonly botByType: CountsByType = {};
  private readonly validByProduct: Record<string, CountsByType> = {};
  private readonly botByProduct: Record<string, number> = {};
  purchases = 0;
  private unitsPurchased = 0;
  private revenueCents = 0;

  add(kind: RecordKind, event: SimulatedClickEvent | null): void {
    this.total++;
    if (kind === 'valid' && event) {
      this.valid++;
      bump(this.validByType, event.eventType);
      if (event.productId !== undefined) {
        this.validByProduct[event.productId] ??= {};
        bump(this.validByProduct[event.productId] as CountsByType, event.eventType);
      }
      if (event.eventType === 'purchase') {
        this.purchases++;
        this.unitsPurchased += event.quantity ?? 0;
        this.revenueCents += (event.quantity ?? 0) * (event.priceSeen ?? 0);
      }
    } else if (kind === 'bot' && event) {
      this.bot++;
      bump(this.botByType, event.eventType);
      if (event.productId !== undefined) bump(this.botByProduct, event.productId);
    } else if (kind === 'duplicate') {
      this.duplicate++;
    } else {
      this.badTotal++;
      bump(this.bad, kind.replace(/^bad:/, ''));
    }
  }

  counts(): RecordCounts {
    return {
      total: this.total,
      valid: this.valid,
      bot: this.bot,
      duplicate: this.duplicate,
      bad: { ...this.bad },
      badTotal: this.badTotal,
      validByType: { ...this.validByType },
      botByType: { ...this.botByType },
      validByProduct: sortedKeys(this.validByProduct),
      botByProduct: sortedKeys(this.botByProduct),
      purchases: this.purchases,
      unitsPurchased: this.unitsPurchased,
      revenueCents: this.revenueCents,
    };
  }
}

function sortedKeys<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}
