/**
 * The product page's price history: a table of the product's changes, newest first, each with its
 * explanation and evidence, and a rollback where one applies.
 */
import { actionProps } from './access.js';
import { changeChips } from './change-chips.js';
import { h } from './dom.js';
import { evidenceDetails } from './evidence-block.js';
import { actionLabel, clock, dateTime, money, percentChange } from './format.js';

/** @typedef {import('../functions/domain/api-types.js').ProductSummary} ProductSummary */
/** @typedef {import('../functions/domain/api-types.js').PriceChange} PriceChange */

const COLUMNS = ['Time', 'Action', 'Price', 'Reason and guardrail', 'Source and actor', 'Explanation and evidence'];

/** The history card's table around `body` (its rows come from historyRow). @param {HTMLElement} body */
export function historyTable(body) {
  return h(
    'table',
    { class: 'table table--history', 'data-testid': 'history-table', 'aria-labelledby': 'history-title' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        COLUMNS.map((label) => h('th', { scope: 'col', class: label === 'Price' ? 'num' : '' }, label)),
      ),
    ),
    body,
  );
}

/**
 * One history row: time, action (with a rollback button where one applies), prices, reason chips,
 * source and actor, and the explanation with its evidence block.
 * @param {PriceChange} change
 * @param {ProductSummary} product
 * @param {object} options
 * @param {Set<string>} options.openEvidence the changeIds whose evidence block is open: kept open across redraws
 * @param {(change: PriceChange) => void} options.onRollback
 */
export function historyRow(change, product, { openEvidence, onRollback }) {
  const fmt = (/** @type {number} */ cents) => money(cents, product.currency);
  const priced = change.oldPrice !== change.newPrice;
  const dir = change.newPrice > change.oldPrice ? 'up' : change.newPrice < change.oldPrice ? 'down' : 'flat';
  return h(
    'tr',
    {
      'data-testid': 'history-row',
      dataset: { changeId: change.changeId, action: change.action, reason: change.reasonCode },
    },
    h(
      'td',
      { class: 'nowrap' },
      h('time', { datetime: change.changedAt, title: dateTime(change.changedAt) }, clock(change.changedAt)),
    ),
    h(
      'td',
      { class: 'cell-action' },
      h('span', { class: `action action--${change.action}` }, actionLabel(change.action)),
      change.action === 'price' && change.oldPrice !== product.price
        ? h(
            'button',
            {
              type: 'button',
              class: 'button button--small button--link',
              'aria-label': `Roll back the change of ${clock(change.changedAt)} to ${fmt(change.oldPrice)}`,
              'data-testid': 'rollback-button',
              onclick: () => onRollback(change),
              ...actionProps(),
            },
            'Roll back…',
          )
        : null,
    ),
    h(
      'td',
      { class: 'num nowrap' },
      priced || change.action === 'price'
        ? [
            h('span', { class: 'muted' }, fmt(change.oldPrice)),
            ' → ',
            h('strong', {}, fmt(change.newPrice)),
            h('span', { class: `delta delta--${dir}` }, percentChange(change.oldPrice, change.newPrice)),
          ]
        : change.action === 'shadow'
          ? h('span', { class: 'muted' }, `would be ${fmt(change.proposedPrice ?? change.newPrice)}`)
          : h('span', { class: 'muted' }, fmt(change.newPrice)),
    ),
    h('td', { class: 'cell-reason' }, changeChips(change)),
    h(
      'td',
      { class: 'cell-by' },
      h('span', { class: `chip chip--source chip--${change.source}` }, change.source),
      h('span', { class: 'cell-by__actor' }, change.actor),
    ),
    h(
      'td',
      { class: 'explanation' },
      h(
        'button',
        {
          type: 'button',
          class: 'explanation__text',
          title: 'Show all',
          'aria-expanded': 'false',
          onclick: (event) => {
            const button = event.currentTarget;
            button.setAttribute('aria-expanded', button.getAttribute('aria-expanded') === 'true' ? 'false' : 'true');
          },
        },
        change.explanation,
      ),
      evidenceDetails(change, product.currency, {
        open: openEvidence.has(change.changeId),
        ontoggle: (open) => {
          if (open) openEvidence.add(change.changeId);
          else openEvidence.delete(change.changeId);
        },
      }),
    ),
  );
}
