/**
 * The product page's actions, each a confirmation dialog (dialogs.js) that calls the ops API and
 * hands the API's answer to `applyResult`: freeze, unfreeze, set the price, set the bounds, roll back.
 */
import { confirmAction } from './dialogs.js';
import { clock, codeLabel, dateTime, duration, money, moneyInputValue, percentChange } from './format.js';

/** @typedef {import('../functions/domain/api-types.js').ProductSummary} ProductSummary */
/** @typedef {import('../functions/domain/api-types.js').PriceChange} PriceChange */
/** @typedef {import('../functions/domain/api-types.js').ProductActionResult} ProductActionResult */

const FREEZE_DURATIONS = [
  { value: '900', label: '15 minutes' },
  { value: '3600', label: '1 hour' },
  { value: '14400', label: '4 hours' },
  { value: '86400', label: '24 hours' },
  { value: '604800', label: '7 days' },
  { value: 'none', label: 'Until unfrozen' },
];

/**
 * @param {object} context
 * @param {ReturnType<typeof import('./api.js').createApi>} context.api
 * @param {(result: ProductActionResult, message: string) => void} context.applyResult
 */
export function productActions({ api, applyResult }) {
  return {
    /** @param {ProductSummary} product */
    freeze(product) {
      const fmt = formatterFor(product);
      confirmAction({
        title: `Freeze ${product.productId}`,
        intro: product.name,
        testid: 'freeze-dialog',
        confirmLabel: 'Freeze price',
        fields: [
          {
            name: 'duration',
            label: 'Hold the price for',
            kind: 'select',
            value: '3600',
            options: FREEZE_DURATIONS,
          },
        ],
        summary: (values) => {
          const holds =
            values.duration === 'none'
              ? 'until someone unfreezes it'
              : `for ${duration(Number(values.duration))}, until about ${clock(Date.now() + Number(values.duration) * 1000)}`;
          return [
            `The price stays at ${fmt(product.price)} ${holds}: the fast path and the rich path will not change it.`,
            'Manual prices, bounds and rollbacks still apply while it is frozen.',
            'A freeze row with your name and reason is added to the price history.',
          ];
        },
        run: (values) =>
          api.freeze(
            product.productId,
            values.duration === 'none'
              ? { reason: values.reason, until: null }
              : { reason: values.reason, forSeconds: Number(values.duration) },
          ),
        onDone: (result) => applyResult(result, `${product.productId} frozen at ${fmt(result.product.price)}`),
      });
    },

    /** @param {ProductSummary} product */
    unfreeze(product) {
      const fmt = formatterFor(product);
      confirmAction({
        title: `Unfreeze ${product.productId}`,
        intro: product.name,
        testid: 'unfreeze-dialog',
        confirmLabel: 'Unfreeze',
        summary: () => [
          `Automated pricing resumes at once: the next demand signal may move the price from ${fmt(product.price)}.`,
          product.freeze ? `Ends the freeze set by ${product.freeze.actor} (“${product.freeze.reason}”).` : null,
        ],
        run: (values) => api.unfreeze(product.productId, { reason: values.reason }),
        onDone: (result) => applyResult(result, `${product.productId} unfrozen`),
      });
    },

    /** @param {ProductSummary} product */
    price(product) {
      const fmt = formatterFor(product);
      confirmAction({
        title: `Set the price of ${product.productId}`,
        intro: product.name,
        testid: 'price-dialog',
        confirmLabel: 'Set price',
        fields: [
          {
            name: 'price',
            label: 'New price',
            kind: 'money',
            currencyCode: product.currency,
            value: moneyInputValue(product.price, product.currency),
            hint: `Within the bounds ${fmt(product.floor)} – ${fmt(product.ceiling)}.`,
          },
        ],
        summary: (values) =>
          values.price === null
            ? 'Enter the new price.'
            : [
                `The price changes from ${fmt(product.price)} to ${fmt(values.price)} (${percentChange(product.price, values.price) || '0%'}) at once, for every shopper.`,
                product.freeze
                  ? 'The product stays frozen: automated pricing keeps holding the new price.'
                  : 'Automated pricing may move it again after the cooldown.',
              ],
        run: (values) => api.setPrice(product.productId, { reason: values.reason, price: values.price }),
        onDone: (result) => applyResult(result, `${product.productId} now ${fmt(result.product.price)}`),
      });
    },

    /** @param {ProductSummary} product */
    bounds(product) {
      const fmt = formatterFor(product);
      confirmAction({
        title: `Set the bounds of ${product.productId}`,
        intro: product.name,
        testid: 'bounds-dialog',
        confirmLabel: 'Set bounds',
        fields: [
          {
            name: 'floor',
            label: 'Floor',
            kind: 'money',
            currencyCode: product.currency,
            value: moneyInputValue(product.floor, product.currency),
            hint: `At most the base price ${fmt(product.basePrice)}.`,
          },
          {
            name: 'ceiling',
            label: 'Ceiling',
            kind: 'money',
            currencyCode: product.currency,
            value: moneyInputValue(product.ceiling, product.currency),
            hint: `At least the base price ${fmt(product.basePrice)}.`,
          },
        ],
        summary: (values) => {
          if (values.floor === null || values.ceiling === null) return 'Enter both bounds.';
          const lines = [
            `Automated and manual prices stay within ${fmt(values.floor)} – ${fmt(values.ceiling)} (now ${fmt(product.floor)} – ${fmt(product.ceiling)}).`,
          ];
          if (values.floor <= values.ceiling) {
            const moved = Math.min(Math.max(product.price, values.floor), values.ceiling);
            lines.push(
              moved === product.price
                ? `The current price ${fmt(product.price)} is inside them and stays.`
                : `The current price ${fmt(product.price)} is outside them and moves to ${fmt(moved)}.`,
            );
          }
          return lines;
        },
        run: (values) =>
          api.setBounds(product.productId, { reason: values.reason, floor: values.floor, ceiling: values.ceiling }),
        onDone: (result) =>
          applyResult(
            result,
            `${product.productId} bounds ${fmt(result.product.floor)} – ${fmt(result.product.ceiling)}`,
          ),
      });
    },

    /** @param {ProductSummary} product @param {PriceChange} change */
    rollback(product, change) {
      const fmt = formatterFor(product);
      confirmAction({
        title: `Roll back ${product.productId}`,
        intro: `Undo the change of ${dateTime(change.changedAt)}`,
        testid: 'rollback-dialog',
        confirmLabel: 'Roll back',
        tone: 'danger',
        summary: () => [
          `That change moved the price ${fmt(change.oldPrice)} → ${fmt(change.newPrice)} (${codeLabel(change.reasonCode)}, ${change.source}).`,
          `The price returns to ${fmt(change.oldPrice)} from the current ${fmt(product.price)}.`,
          'The rollback is a new history row; the history itself is never rewritten.',
        ],
        run: (values) => api.rollback(product.productId, { reason: values.reason, toChangeId: change.changeId }),
        onDone: (result) => applyResult(result, `${product.productId} rolled back to ${fmt(result.product.price)}`),
      });
    },
  };
}

/** Money in the product's currency. @param {ProductSummary} product */
function formatterFor(product) {
  return (/** @type {number} */ cents) => money(cents, product.currency);
}
