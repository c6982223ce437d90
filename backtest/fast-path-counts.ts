/**
 * The fast path's per-minute counters, kept in memory as the demand table would hold them: the
 * same session rules (duplicates, bots, the per-session cap) judge each event, and what is counted
 * goes to its product's event-time minute, as classifyBatch and the demand store count it.
 */
import type { PeriodCounts } from '../functions/domain/demand-evidence.js';
import { SessionActivity } from '../functions/domain/session-activity.js';
import { toIso } from '../functions/domain/time.js';
import type { SimulatedClickEvent } from '../simulator/records.js';
import { PeriodRing, periodsBefore, ZERO } from './period-ring.js';

const MINUTE_MS = 60_000;
/** The one shard the backtest's stream has: every event in order, as one Lambda poller sees a shard. */
const SHARD = 'backtest/shardId-000000000000';

interface MinuteCounts {
  views: number;
  carts: number;
  purchases: number;
  units: number;
}

export class FastPathCounts {
  private readonly activity = new SessionActivity();
  /** productId → its minutes' counts. */
  private readonly byProduct = new Map<string, PeriodRing<MinuteCounts>>();
  private sequence = 0;
  private readonly facts = {
    eventId: '',
    sessionId: '',
    eventType: '',
    productId: null as string | null,
    minute: '',
    eventTimeMs: 0,
  };
  private minuteCache = { startMs: Number.NaN, iso: '' };

  /**
   * Judges and counts one event (its eventTime is `eventTimeMs`); returns its product when it
   * counted toward it (a product the evidence should look at again), else null.
   */
  count(event: SimulatedClickEvent, eventTimeMs: number): string | null {
    const startMs = Math.floor(eventTimeMs / MINUTE_MS) * MINUTE_MS;
    if (startMs !== this.minuteCache.startMs) this.minuteCache = { startMs, iso: toIso(startMs) };
    const facts = this.facts;
    facts.eventId = event.eventId;
    facts.sessionId = event.sessionId;
    facts.eventType = event.eventType;
    facts.productId = event.productId ?? null;
    facts.minute = this.minuteCache.iso;
    facts.eventTimeMs = eventTimeMs;
    // A generated record arrives when it happens: its event time is its arrival.
    const verdict = this.activity.judge(SHARD, String(++this.sequence), eventTimeMs, facts);
    const productId = event.productId;
    if (verdict !== 'count' || productId === undefined) return null;
    const field =
      event.eventType === 'product_view'
        ? 'views'
        : event.eventType === 'add_to_cart'
          ? 'carts'
          : event.eventType === 'purchase'
            ? 'purchases'
            : null;
    if (field === null) return null;
    let minutes = this.byProduct.get(productId);
    if (minutes === undefined) {
      minutes = new PeriodRing(MINUTE_MS);
      this.byProduct.set(productId, minutes);
    }
    let counts = minutes.get(startMs);
    if (counts === undefined) {
      counts = { views: 0, carts: 0, purchases: 0, units: 0 };
      minutes.set(startMs, counts);
    }
    counts[field]++;
    if (field === 'purchases') counts.units += event.quantity ?? 1;
    return productId;
  }

  /**
   * The product's `count` minutes before the minute starting at `minuteMs`, oldest first, zeros
   * filled in. The counters themselves, not copies: read them before counting more.
   */
  minutesBefore(productId: string, minuteMs: number, count: number): PeriodCounts[] {
    return periodsBefore(this.byProduct.get(productId), MINUTE_MS, minuteMs, count);
  }

  /** The product's counts in the minute starting at `minuteMs`, so far (a copy: it goes on counting). */
  minute(productId: string, minuteMs: number): PeriodCounts {
    const counts = this.byProduct.get(productId)?.get(minuteMs);
    return counts
      ? { views: counts.views, carts: counts.carts, purchases: counts.purchases, units: counts.units }
      : ZERO;
  }
}
