import { describe, expect, it } from 'vitest';
import { StockLedger } from '../../../simulator/stock-ledger.js';

describe('stock ledger', () => {
  it('lets a purchase take units only while there are enough, and counts what it sold', () => {
    const ledger = new StockLedger([
      ['P1', 3],
      ['P2', 0],
    ]);

    expect(ledger.take('P1', 2)).toBe(true);
    expect(ledger.take('P1', 2)).toBe(false);
    expect(ledger.take('P1', 1)).toBe(true);
    expect(ledger.take('P2', 1)).toBe(false);
    expect(ledger.take('P-unknown', 1)).toBe(false);

    expect(ledger.inventoryOf('P1')).toBe(0);
    expect(ledger.unitsSold).toBe(3);
    expect(ledger.soldOut().sort()).toEqual(['P1', 'P2']);
  });

  it('adds deliveries, which purchases can then take', () => {
    const ledger = new StockLedger([['P1', 0]]);

    ledger.deliver('P1', 4);

    expect(ledger.take('P1', 3)).toBe(true);
    expect(ledger.inventoryOf('P1')).toBe(1);
    expect(ledger.unitsDelivered).toBe(4);
    expect(ledger.soldOut()).toEqual([]);
  });

  it('refuses inventories and deliveries that are not whole units', () => {
    expect(() => new StockLedger([['P1', -1]])).toThrow(RangeError);
    expect(() => new StockLedger([['P1', 0]]).deliver('P1', 1.5)).toThrow(/integer/);
  });
});
