import { describe, expect, it } from 'vitest';
import { minorDigits, money, moneyText } from '../../../dashboard/money.js';

describe('money, as clickprice writes it for people', () => {
  it('knows each currency’s minor digits, two for an unknown one', () => {
    expect([minorDigits('EUR'), minorDigits('USD'), minorDigits('JPY'), minorDigits(undefined)]).toEqual([2, 2, 0, 2]);
  });

  it('writes plain text with the code, in the currency’s digits', () => {
    expect(moneyText(1999, 'EUR')).toBe('19.99 EUR');
    expect(moneyText(5, 'EUR')).toBe('0.05 EUR');
    expect(moneyText(1200, 'JPY')).toBe('1200 JPY');
    expect(moneyText(-1999, 'USD')).toBe('-19.99 USD');
  });

  it('leaves the code out when asked, or when the currency is not known', () => {
    expect(moneyText(1200, 'JPY', false)).toBe('1200');
    expect(moneyText(1999)).toBe('19.99');
  });

  it('writes the reader’s locale form with the currency’s symbol, and a dash for no amount', () => {
    expect(money(1999, 'EUR')).toMatch(/^€\s?19[.,]99$|^19[.,]99\s?€$/);
    expect(money(1200, 'JPY')).toMatch(/(¥|￥)\s?1,?200/);
    expect(money(null, 'EUR')).toBe('—');
  });
});
