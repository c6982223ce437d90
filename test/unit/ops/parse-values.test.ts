import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/args.js';
import { parseDuration, parseInstant, parseMoney, parseSwitch } from '../../../ops/parse-values.js';

describe('the ops CLI reads', () => {
  it.each([
    ['30s', 30],
    ['15m', 900],
    ['2h', 7200],
    ['7d', 604_800],
    ['1h30m', 5400],
    ['2H', 7200],
  ])('duration %s as %i seconds', (text, seconds) => {
    expect(parseDuration(text, '--for')).toBe(seconds);
  });

  it.each(['', '2', 'h', '2 hours', '-2h', '0m', '1.5h'])('refuses the duration %j, naming the flag', (text) => {
    expect(() => parseDuration(text, '--for')).toThrow(UsageError);
    expect(() => parseDuration(text, '--for')).toThrow(/--for/);
  });

  it.each([
    ['12.99', 1299],
    ['12', 1200],
    ['12.5', 1250],
    ['0.07', 7],
    ['0', 0],
  ])('amount %s as %i cents', (text, cents) => {
    expect(parseMoney(text, '--price')).toBe(cents);
  });

  it.each(['12.999', '-1', '1e3', 'ten', '12,99', ''])('refuses the amount %j, naming the flag', (text) => {
    expect(() => parseMoney(text, '--price')).toThrow(/--price/);
  });

  it('switches on and off, and nothing else', () => {
    expect(parseSwitch('on', 'kill-switch')).toBe(true);
    expect(parseSwitch('OFF', 'kill-switch')).toBe(false);
    expect(() => parseSwitch('maybe', 'kill-switch')).toThrow(/kill-switch takes on or off/);
    expect(() => parseSwitch(undefined, 'kill-switch')).toThrow(UsageError);
  });

  it('instants in any offset, normalised to UTC with milliseconds', () => {
    expect(parseInstant('2026-11-22T11:00:00+01:00', '--at')).toBe('2026-11-22T10:00:00.000Z');
    expect(() => parseInstant('yesterday', '--at')).toThrow(/--at/);
    expect(() => parseInstant('1700000000', '--at')).toThrow(/--at/);
  });
});
