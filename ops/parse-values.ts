/**
 * The ops CLI's readings of human input: its command lines, durations (`2h`), money in currency units
 * (`12.99`), switches (`on`/`off`), instants, days and URLs. Each refusal names the flag, so the CLI can
 * exit 2 with a useful line.
 */
import { parseCommandLine, UsageError } from '../cli/args.js';
import { calendarFieldsExist, parseInstantMs } from '../cli/instant.js';

/** A command's flags as parseArgs reads them, and what it read. */
export type OptionSpecs = Readonly<Record<string, { readonly type: 'string' } | { readonly type: 'boolean' }>>;
export type ParsedOptions = Record<string, string | boolean | undefined>;

/** A command's flags and arguments, read as every CLI here reads them (cli/args.ts), with the ops usage. */
export function parseOpsCommandLine(
  argv: readonly string[],
  options: OptionSpecs,
  usage: string,
): { values: ParsedOptions; positionals: string[] } {
  const { values, positionals } = parseCommandLine(argv, options, `usage: npm run ops -- ${usage}`, true);
  return { values: values as ParsedOptions, positionals };
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** `90s`, `15m`, `2h`, `7d` (or combined, `1h30m`) → seconds. */
export function parseDuration(value: string, flag: string): number {
  const text = value.trim().toLowerCase();
  if (!/^(\d+[smhd])+$/.test(text)) {
    throw new UsageError(`${flag} must be a duration such as 30m, 2h or 7d; got ${JSON.stringify(value)}`);
  }
  let seconds = 0;
  const units = new Set<string>();
  for (const [, amount, unit] of text.matchAll(/(\d+)([smhd])/g)) {
    // `1h1h` is more likely a slip than a wish for 2 h.
    if (units.has(unit as string)) throw new UsageError(`${flag} gives ${unit} twice; got ${JSON.stringify(value)}`);
    units.add(unit as string);
    seconds += Number(amount) * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS];
  }
  if (seconds <= 0) throw new UsageError(`${flag} must be longer than zero`);
  return seconds;
}

/** `12.99` or `12` (currency units, at most two decimals) → 1299 cents. */
export function parseMoney(value: string, flag: string): number {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(value.trim());
  if (!match) throw new UsageError(`${flag} must be an amount such as 12.99; got ${JSON.stringify(value)}`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** `on`/`off` (also true/false, enable/disable) → boolean. */
export function parseSwitch(value: string | undefined, what: string): boolean {
  const text = value?.trim().toLowerCase();
  if (text === 'on' || text === 'true' || text === 'enable') return true;
  if (text === 'off' || text === 'false' || text === 'disable') return false;
  throw new UsageError(`${what} takes on or off; got ${JSON.stringify(value ?? '')}`);
}

/** An instant as ISO-8601 (any offset), normalised to UTC with milliseconds. */
export function parseInstant(value: string, flag: string): string {
  return new Date(parseInstantMs(value, flag)).toISOString();
}

/** A day as YYYY-MM-DD, one the calendar has. */
export function parseDay(value: string, flag: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new UsageError(`${flag} must be a day such as 2026-11-22; got ${JSON.stringify(value)}`);
  }
  if (!calendarFieldsExist(value)) {
    throw new UsageError(`${flag} names a day that does not exist; got ${JSON.stringify(value)}`);
  }
  return value;
}

/** An http(s) URL with a host: `http://` alone would pass a prefix check and fail only at the first request. */
export function httpUrl(value: string, flag: string): string {
  // The text itself must name the host: the URL parser reads `http:///ops` as the host `ops`.
  if (!URL.canParse(value) || !/^https?:\/\/[^/?#:]/i.test(value) || new URL(value).hostname === '') {
    throw new UsageError(`${flag} must be an http(s) URL with a host; got ${JSON.stringify(value)}`);
  }
  return value;
}
