import { describe, expect, it } from 'vitest';
import { judgeChanges } from '../../../backtest/ground-truth.js';
import type { BacktestChange } from '../../../backtest/pricing-desk.js';

const START = Date.parse('2026-11-02T00:00:00.000Z');
const MINUTE = 60_000;

/** One product, demand ×3 from minute 60 to minute 63; the other product steady. */
const truth = (productId: string, offsetMs: number) =>
  productId === 'sale' && offsetMs >= 60 * MINUTE && offsetMs < 63 * MINUTE ? 3 : 1;
const products = [
  { productId: 'sale', baselineViewsPerMinute: 5 },
  { productId: 'quiet', baselineViewsPerMinute: 0.5 },
];
const run = { startMs: START, durationMs: 120 * MINUTE, lookbackMs: 15 * MINUTE };

function change(productId: string, minute: number, reasonCode: BacktestChange['reasonCode']): BacktestChange {
  return {
    atMs: START + minute * MINUTE,
    productId,
    oldPrice: 1000,
    newPrice: reasonCode === 'demand_low' ? 900 : 1100,
    reasonCode,
    guardrail: null,
    source: 'fast-path',
    signals: {},
  };
}

describe('judging changes against the ground truth', () => {
  it('calls a demand-driven change false when true demand did not change in the lookback before it', () => {
    const judgement = judgeChanges(
      [change('quiet', 30, 'demand_surge'), change('sale', 61, 'demand_surge'), change('sale', 70, 'demand_high')],
      truth,
      products,
      run,
    );
    // The quiet product's surge is false; the sale's rises (during it, and 7 minutes after its end) are not.
    expect(judgement).toMatchObject({ demandDriven: 3, falseChanges: 1, falseByReason: { demand_surge: 1 } });
  });

  it('calls a fall false while demand is up, and a rise false an hour after the rise ended', () => {
    const judgement = judgeChanges(
      [change('sale', 62, 'demand_low'), change('sale', 100, 'demand_high')],
      truth,
      products,
      run,
    );
    expect(judgement.falseChanges).toBe(2);
  });

  it('leaves stock and decay moves out of the count', () => {
    const judgement = judgeChanges(
      [change('quiet', 30, 'low_stock'), change('quiet', 40, 'decay_to_base')],
      truth,
      products,
      run,
    );
    expect(judgement).toMatchObject({ demandDriven: 0, falseChanges: 0 });
  });

  it('finds the episode, and when a rise detected it', () => {
    const detected = judgeChanges([change('sale', 61.5, 'demand_surge')], truth, products, run).episodes;
    expect(detected).toEqual([
      {
        productId: 'sale',
        startMs: 60 * MINUTE,
        endMs: 63 * MINUTE,
        direction: 'up',
        baselineViewsPerMinute: 5,
        detectedAfterMs: 90_000,
      },
    ]);
    const missed = judgeChanges([change('sale', 62, 'demand_low')], truth, products, run).episodes;
    expect(missed[0]?.detectedAfterMs).toBeNull();
  });
});
