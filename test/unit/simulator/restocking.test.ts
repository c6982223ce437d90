import { describe, expect, it } from 'vitest';
import type { DeliveryOutcome } from '../../../functions/store/stock-store.js';
import { replenishmentPlan } from '../../../simulator/replenishment.js';
import { type DeliveryWrite, Restocking } from '../../../simulator/restocking.js';
import { StockLedger } from '../../../simulator/stock-ledger.js';

const MINUTE = 60_000;
/** Expected units per minute: with a 10-minute cover, levels of 10, 25 and 1. */
const DEMAND = new Map([
  ['P1', 1],
  ['P2', 2.5],
  ['P3', 0.01],
]);

/** A products table in memory: what the writes added, and the delivery ids each product saw. */
function tableWrites(outcome: (productId: string) => DeliveryOutcome | Error = () => 'delivered') {
  const writes: { productId: string; units: number; deliveryId: string; nextDeliveryAt: string | null }[] = [];
  const write: DeliveryWrite = async (productId, units, deliveryId, nextDeliveryAt) => {
    writes.push({ productId, units, deliveryId, nextDeliveryAt });
    const result = outcome(productId);
    if (result instanceof Error) throw result;
    return result;
  };
  return { writes, write };
}

function restocking(ledger: StockLedger, write: DeliveryWrite, durationMs: number | null = 60 * MINUTE) {
  return new Restocking({
    plan: replenishmentPlan({ everyMinutes: 20, coverMinutes: 10, supplyShare: 1 }),
    productIds: [...DEMAND.keys()],
    demand: { expectedUnitsPerMinute: (productId) => DEMAND.get(productId) ?? 0 },
    ledger,
    write,
    runId: 'run-1',
    startTime: Date.parse('2026-11-02T00:00:00.000Z'),
    durationMs,
  });
}

describe('restocking a live run', () => {
  it('delivers at the start and every everyMinutes after, while the run lasts (none at its very end)', async () => {
    const { write } = tableWrites();
    const schedule = restocking(new StockLedger([]), write, 40 * MINUTE);

    const offsets: number[] = [];
    for (let offset = schedule.nextOffset(); Number.isFinite(offset); offset = schedule.nextOffset()) {
      offsets.push(offset);
      await schedule.deliverNext();
    }

    expect(offsets).toEqual([0, 20 * MINUTE]);
    expect(schedule.stats().deliveries).toBe(2);
  });

  it('brings every product up to its level at each delivery, never taking stock away, and tells each when the next is due', async () => {
    // Prepare: P1 below its level of 10, P2 above its 25, P3 (level 1) empty
    const ledger = new StockLedger([
      ['P1', 4],
      ['P2', 40],
      ['P3', 0],
    ]);
    const { writes, write } = tableWrites();
    const schedule = restocking(ledger, write);
    expect([...DEMAND.keys()].map((productId) => schedule.levelOf(productId))).toEqual([10, 25, 1]);

    // Act: the delivery at the start, sales, the delivery at 20 minutes
    await schedule.deliverNext();
    const atStart = [...DEMAND.keys()].map((productId) => ledger.inventoryOf(productId));
    ledger.take('P1', 10);
    ledger.take('P2', 30);
    await schedule.deliverNext();

    // Assess
    expect(atStart).toEqual([10, 40, 1]);
    expect([...DEMAND.keys()].map((productId) => ledger.inventoryOf(productId))).toEqual([10, 25, 1]);
    // Every product hears of the next delivery, those at their level with 0 units.
    const next = (minutes: number) => new Date(Date.parse('2026-11-02T00:00:00.000Z') + minutes * MINUTE).toISOString();
    expect(writes).toEqual([
      { productId: 'P1', units: 6, deliveryId: 'run-1@0', nextDeliveryAt: next(20) },
      { productId: 'P2', units: 0, deliveryId: 'run-1@0', nextDeliveryAt: next(20) },
      { productId: 'P3', units: 1, deliveryId: 'run-1@0', nextDeliveryAt: next(20) },
      { productId: 'P1', units: 10, deliveryId: `run-1@${20 * MINUTE}`, nextDeliveryAt: next(40) },
      { productId: 'P2', units: 15, deliveryId: `run-1@${20 * MINUTE}`, nextDeliveryAt: next(40) },
      { productId: 'P3', units: 0, deliveryId: `run-1@${20 * MINUTE}`, nextDeliveryAt: next(40) },
    ]);
    expect(ledger.unitsDelivered).toBe(6 + 1 + 10 + 15);
  });

  it('counts a delivery the table already had, and not one whose write failed or found no product', async () => {
    // Prepare
    const ledger = new StockLedger([
      ['P1', 0],
      ['P2', 0],
      ['P3', 0],
    ]);
    const outcomes: Record<string, DeliveryOutcome | Error> = {
      P1: 'already_delivered',
      P2: new Error('throttled'),
      P3: 'no_product',
    };
    const { write } = tableWrites((productId) => outcomes[productId] as DeliveryOutcome | Error);
    const schedule = restocking(ledger, write);

    // Act
    await schedule.deliverNext();

    // Assess
    expect([...DEMAND.keys()].map((productId) => ledger.inventoryOf(productId))).toEqual([10, 0, 0]);
    expect(schedule.stats()).toMatchObject({ deliveries: 1, failedWrites: 2 });
    expect(schedule.stats().lastError).toMatch(/P[23] at 0 ms/);
  });
});
