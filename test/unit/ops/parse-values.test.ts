import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/args.js';
import {
  httpUrl,
  parseDay,
  parseDuration,
  parseInstant,
  parseMoney,
  parseOpsCommandLine,
  parseSwitch,
} from '../../../ops/parse-values.js';

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

  it.each(['', '2', 'h', '2 hours', '-2h', '0m', '1.5h', '1h1h', '30m1h30m'])(
    'refuses the duration %j, naming the flag',
    (text) => {
      expect(() => parseDuration(text, '--for')).toThrow(UsageError);
      expect(() => parseDuration(text, '--for')).toThrow(/--for/);
    },
  );

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

  it.each([
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['2026-12-31T23:59:59.999Z', '2026-12-31T23:59:59.999Z'],
    ['2026-03-01T00:30:00+01:00', '2026-02-28T23:30:00.000Z'],
    ['2026-11-22', '2026-11-22T00:00:00.000Z'],
  ])('the instant %s, which exists, as %s', (text, iso) => {
    expect(parseInstant(text, '--at')).toBe(iso);
  });

  it.each([
    '2026-02-30T10:00:00Z',
    '2026-02-31',
    '2026-02-29T12:00:00+01:00',
    '2026-04-31T00:00:00Z',
    '2026-11-22T24:00:00Z',
  ])('refuses the instant %s, which does not exist, rather than rolling it over', (text) => {
    expect(() => parseInstant(text, '--until')).toThrow(
      `--until names a day or time that does not exist; got ${JSON.stringify(text)}`,
    );
  });

  it.each([
    // Without its offset a time would be read in this machine's zone.
    '2026-11-22T10:00:00',
    // Date.parse alone reads these as some day: the first as one in June.
    '2026-11-22 junk',
    '2026-11-22 10:00 PST',
  ])('refuses %s, which is not an instant with its offset, naming the form', (text) => {
    expect(() => parseInstant(text, '--at')).toThrow(
      `--at must be an ISO-8601 instant with its offset, such as 2026-11-22T10:00:00Z, or a day; got ${JSON.stringify(text)}`,
    );
  });

  it('days as YYYY-MM-DD, only those that exist', () => {
    expect(parseDay('2028-02-29', '--day')).toBe('2028-02-29');
    expect(() => parseDay('2026-02-29', '--day')).toThrow('--day names a day that does not exist; got "2026-02-29"');
    expect(() => parseDay('2026-2-1', '--day')).toThrow(/--day must be a day such as 2026-11-22/);
  });

  it('http(s) URLs with a host, naming the flag otherwise', () => {
    expect(httpUrl('https://api.example.com/prod', '--api-url')).toBe('https://api.example.com/prod');
    for (const text of ['notaurl', 'http://', 'http://:80', 'ftp://example.com', 'example.com']) {
      expect(() => httpUrl(text, '--queue-url'), text).toThrow(/^--queue-url must be an http\(s\) URL with a host/);
    }
  });
});

describe('the ops CLI reads a command line', () => {
  const options = { limit: { type: 'string' }, json: { type: 'boolean' } } as const;

  it('into flags and arguments', () => {
    expect(parseOpsCommandLine(['P00001', '--limit', '5', '--json'], options, 'history P00042')).toEqual({
      values: { limit: '5', json: true },
      positionals: ['P00001'],
    });
  });

  it('keeps a negative number with its flag, so the value check can name what is wrong', () => {
    expect(parseOpsCommandLine(['--limit', '-5'], options, 'u').values.limit).toBe('-5');
    expect(parseOpsCommandLine(['--limit', '-1h'], options, 'u').values.limit).toBe('-1h');
  });

  it('refuses a flag given twice, an unknown flag and a flag without its value, with the usage', () => {
    expect(() => parseOpsCommandLine(['--limit', '5', '--limit=6'], options, 'products')).toThrow(
      new UsageError('--limit is given more than once\nusage: npm run ops -- products'),
    );
    expect(() => parseOpsCommandLine(['--bogus'], options, 'products')).toThrow(/Unknown option '--bogus'/);
    expect(() => parseOpsCommandLine(['--limit'], options, 'products')).toThrow(/usage: npm run ops -- products/);
  });
});
