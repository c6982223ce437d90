/**
 * The demand history a fresh local stack is seeded with (`npm start --history-minutes`, up to a
 * day): simulated steady trade, counted by the fast path's rules and aggregated by the rich path's SQL.
 */
import { describe, expect, it } from 'vitest';
import { simulateHistory } from '../../../backtest/history.js';
import { PERIODS_KEPT } from '../../../backtest/period-ring.js';
import { toIso } from '../../../functions/domain/time.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';

const MINUTE = 60_000;
const catalogue = generateCatalogue(toIso(Date.UTC(2026, 10, 1)), { seed: 42, productCount: 4 });

describe('simulated demand history', () => {
  it('seeds every minute of a history longer than the periods a backtest keeps, as the windows saw them', async () => {
    const minutes = PERIODS_KEPT + 60;
    const endMs = Date.UTC(2026, 10, 2);
    const startMs = endMs - minutes * MINUTE;
    const history = await simulateHistory({ catalogue, seed: 3, rate: 2, startMs, endMs });

    const seeded = new Map(history.minutes.map((minute) => [`${minute.productId} ${minute.minuteMs}`, minute.counts]));
    const viewed = history.rows.filter((row) => row.views > 0);
    // Minutes from the first hour, more than PERIODS_KEPT before the end, are there too.
    expect(viewed.filter((row) => Date.parse(row.windowStart) < endMs - PERIODS_KEPT * MINUTE).length).toBeGreaterThan(
      20,
    );
    // A window in which the SQL counted a view is a minute in which the fast path counted one: both
    // drop duplicates, and steady traffic has no bots; the fast path's cap keeps at least one.
    for (const row of viewed) {
      expect(seeded.get(`${row.productId} ${Date.parse(row.windowStart)}`)?.views ?? 0).toBeGreaterThan(0);
    }
    for (const minute of history.minutes) {
      expect(minute.minuteMs).toBeGreaterThanOrEqual(startMs);
      expect(minute.minuteMs).toBeLessThan(endMs);
    }
  }, 60_000);
});
