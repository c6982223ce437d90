/** Formatting of money (integer cents of a currency), instants and the API's codes, for people. */

import { minorDigits } from './money.js';

// Money has one definition, shared with the ops CLI (money.js).
export { minorDigits, money } from './money.js';

/** The amount in major units as an input shows it: `1999` → `19.99`. */
export function moneyInputValue(cents, currency) {
  const digits = minorDigits(currency);
  return (cents / 10 ** digits).toFixed(digits);
}

/**
 * Parses what a person typed into an amount field into cents, or returns null. Accepts `19.99`,
 * `19,99`, `19`; refuses more decimals than the currency has, signs, and anything else.
 */
export function parseMoneyInput(text, currency) {
  const digits = minorDigits(currency);
  const cleaned = String(text).trim().replace(/\s/g, '').replace(',', '.');
  const pattern = digits === 0 ? /^\d+$/ : new RegExp(`^\\d+(\\.\\d{0,${digits}})?$`);
  if (!pattern.test(cleaned)) return null;
  const [whole, fraction = ''] = cleaned.split('.');
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

/** Signed percentage change from `from` to `to`: `+9.9%`, `−10.0%`, `0%`. */
export function percentChange(from, to) {
  if (!from) return '';
  const pct = ((to - from) / from) * 100;
  if (pct === 0) return '0%';
  return `${pct > 0 ? '+' : '−'}${Math.abs(pct).toFixed(1)}%`;
}

// Ops read times on a 24-hour clock, whatever the locale's habit.
const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
const shortTimeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

const toDate = (instant) => (instant instanceof Date ? instant : new Date(instant));

/** `14:02:31` */
export function clock(instant) {
  return timeFormat.format(toDate(instant));
}

/** `14:02` */
export function shortClock(instant) {
  return shortTimeFormat.format(toDate(instant));
}

/** `Jan 5, 14:02:31` */
export function dateTime(instant) {
  return dateTimeFormat.format(toDate(instant));
}

/** `12 s ago`, `5 min ago`, `3 h ago`, `2 d ago`. */
export function ago(instant, now = Date.now()) {
  const seconds = Math.max(0, Math.round((now - toDate(instant).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** `in 58 min`, `in 3 h`: how long until an instant. */
export function until(instant, now = Date.now()) {
  const seconds = Math.max(0, Math.round((toDate(instant).getTime() - now) / 1000));
  if (seconds < 60) return `in ${seconds} s`;
  if (seconds < 3600) return `in ${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `in ${Math.round(seconds / 360) / 10} h`;
  return `in ${Math.round(seconds / 8640) / 10} d`;
}

/** A duration in seconds for people: `15 min`, `1 h`, `7 d`. */
export function duration(seconds) {
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.round(seconds / 360) / 10} h`;
  return `${Math.round(seconds / 8640) / 10} d`;
}

/** `demand_surge` → `demand surge`. */
export function codeLabel(code) {
  return code ? String(code).replaceAll('_', ' ') : '';
}

const ACTION_LABELS = {
  price: 'Price change',
  freeze: 'Frozen',
  unfreeze: 'Unfrozen',
  bounds: 'Bounds changed',
  config: 'Config change',
  shadow: 'Shadow decision',
};

/** What kind of history row: `Price change`, `Frozen`, ... */
export function actionLabel(action) {
  return ACTION_LABELS[action] ?? codeLabel(action);
}

/** Whole numbers with grouping: `12,345`. */
export function count(value) {
  return typeof value === 'number' ? value.toLocaleString() : '—';
}
