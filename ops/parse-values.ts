/**
 * The ops CLI's readings of human input: durations (`2h`), money in currency units (`12.99`),
 * switches (`on`/`off`). Each refusal names the flag, so the CLI can exit 2 with a useful line.
 */
import { UsageError } from '../cli/args.js';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** `90s`, `15m`, `2h`, `7d` (or combined, `1h30m`) → seconds. */
export function parseDuration(value: string, flag: string): number {
  const text = value.trim().toLowerCase();
  if (!/^(\d+[smhd])+$/.test(text)) {
    throw new UsageError(`${flag} must be a duration such as 30m, 2h or 7d; got ${JSON.stringify(value)}`);
  }
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([smhd])/g)) {
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
  const time = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time)) {
    throw new UsageError(
      `${flag} must be an ISO-8601 instant such as 2026-11-22T10:00:00Z; got ${JSON.stringify(value)}`,
    );
  }
  return new Date(time).toISOString();
}
