/**
 * Money for people: integer minor units (cents) of an ISO 4217 currency. The one definition of how
 * clickprice writes an amount: for the dashboard (the reader's locale, `€12.99`), the ops CLI and
 * `npm start`'s price feed (plain text, `12.99 EUR`), which import it from here. Plain JS beside the
 * page's other modules, so the page runs it as served; a currency's minor digits come from Intl (2
 * for EUR and USD, 0 for JPY).
 */

const formats = new Map();

/** Intl's currency format for `currency`; for a code Intl does not know, a plain two-digit number. */
function currencyFormat(currency) {
  let format = formats.get(currency);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    } catch {
      format = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    formats.set(currency, format);
  }
  return format;
}

/**
 * Digits after the decimal point of `currency` (2 when it is not known).
 *
 * @param {string | undefined} currency
 * @returns {number}
 */
export function minorDigits(currency) {
  return currencyFormat(currency ?? 'USD').resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * `1999` cents of `EUR` → `€19.99`, in the reader's locale; `—` for a missing amount.
 *
 * @param {number | null | undefined} cents
 * @param {string | undefined} currency
 * @returns {string}
 */
export function money(cents, currency) {
  if (typeof cents !== 'number' || !Number.isFinite(cents)) return '—';
  const code = currency ?? 'USD';
  return currencyFormat(code).format(cents / 10 ** minorDigits(code));
}

/**
 * Plain text, the same in every locale: `1999, 'EUR'` → `19.99 EUR`, `1200, 'JPY'` → `1200 JPY`
 * (`19.99`, `1200` with `withCode` false, beside an amount that shows the code); without a currency,
 * the amount alone with two digits.
 *
 * @param {number} cents
 * @param {string} [currency]
 * @param {boolean} [withCode]
 * @returns {string}
 */
export function moneyText(cents, currency, withCode = true) {
  const digits = minorDigits(currency);
  const sign = cents < 0 ? '-' : '';
  const magnitude = Math.abs(cents);
  const scale = 10 ** digits;
  const whole = Math.trunc(magnitude / scale);
  const units = digits === 0 ? `${whole}` : `${whole}.${String(magnitude % scale).padStart(digits, '0')}`;
  return currency === undefined || !withCode ? `${sign}${units}` : `${sign}${units} ${currency}`;
}
