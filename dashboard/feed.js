/**
 * The live change feed: GET /ops/changes every ~2 s, newest first, every product and the config.
 * Rows are kept by changeId, so a row keeps its element (and its "new" highlight) across polls.
 */
import { changeChips } from './change-chips.js';
import { h, routeHref } from './dom.js';
import { evidenceSummary } from './evidence-block.js';
import { actionLabel, clock, dateTime, money, percentChange } from './format.js';

const POLL_MS = 2_000;
const FEED_MINUTES = 60;
const FEED_LIMIT = 60;
const GLOBAL_ID = '_global';

function direction(change) {
  if (change.newPrice > change.oldPrice) return 'up';
  if (change.newPrice < change.oldPrice) return 'down';
  return 'flat';
}

function feedItem(change, catalogue) {
  const product = catalogue(change.productId);
  const currency = product?.currency;
  const isGlobal = change.productId === GLOBAL_ID;
  const dir = change.action === 'price' || change.action === 'bounds' ? direction(change) : 'flat';

  let detail;
  if (change.action === 'price' || (change.action === 'bounds' && dir !== 'flat')) {
    detail = [
      h(
        'span',
        { class: 'feed__price' },
        money(change.oldPrice, currency),
        h('span', { class: 'arrow', 'aria-label': 'to' }, ' → '),
        h('strong', {}, money(change.newPrice, currency)),
      ),
      h('span', { class: `delta delta--${dir}` }, percentChange(change.oldPrice, change.newPrice)),
    ];
  } else if (change.action === 'shadow') {
    detail = h(
      'span',
      { class: 'feed__price' },
      `Shadow: would set ${money(change.proposedPrice ?? change.newPrice, currency)} (stays ${money(change.oldPrice, currency)})`,
    );
  } else {
    detail = h('span', { class: 'feed__action' }, `${actionLabel(change.action)} by ${change.actor}`);
  }

  return h(
    'li',
    {
      class: `feed__item feed__item--${dir} feed__item--${change.action}`,
      'data-testid': 'feed-item',
      dataset: {
        changeId: change.changeId,
        changedAt: change.changedAt,
        productId: change.productId,
        action: change.action,
        reason: change.reasonCode,
        source: change.source,
      },
    },
    h(
      'div',
      { class: 'feed__head' },
      isGlobal
        ? h('span', { class: 'feed__product' }, 'Pricing config')
        : h(
            'a',
            { class: 'feed__product', href: routeHref('products', change.productId), 'data-testid': 'feed-product' },
            change.productId,
          ),
      product && !isGlobal ? h('span', { class: 'feed__name' }, product.name) : null,
      h('time', { datetime: change.changedAt, title: dateTime(change.changedAt) }, clock(change.changedAt)),
    ),
    h(
      'div',
      { class: 'feed__detail' },
      detail,
      h('span', { class: `feed__source feed__source--${change.source}`, title: 'source' }, change.source),
    ),
    h('div', { class: 'feed__tags' }, changeChips(change)),
    evidenceSummary(change, currency),
  );
}

/**
 * Puts `items` in `list` in order, moving only what is out of place: an element taken out and put
 * back would restart its arrival highlight.
 */
function place(list, items) {
  items.forEach((item, index) => {
    const current = list.children[index] ?? null;
    if (current !== item) list.insertBefore(item, current);
  });
  while (list.children.length > items.length) list.lastElementChild.remove();
}

/**
 * Starts polling into `list`. `catalogue(productId)` names products and their currency;
 * `onStatus({ ok, at, error })` reports each poll. Returns `{ stop, refresh }`.
 */
export function startFeed({ api, list, count, catalogue, onStatus }) {
  const elements = new Map();
  let first = true;
  let timer;
  let stopped = false;

  async function poll() {
    try {
      const feed = await api.changes({ minutes: FEED_MINUTES, limit: FEED_LIMIT });
      const items = feed.changes.map((change) => {
        let element = elements.get(change.changeId);
        if (element === undefined) {
          element = feedItem(change, catalogue);
          if (!first) {
            element.classList.add('is-new');
            element.addEventListener('animationend', () => element.classList.remove('is-new'), { once: true });
          }
          // A product not in the catalogue yet is drawn again next time, named and in its currency.
          if (change.productId === GLOBAL_ID || catalogue(change.productId)) elements.set(change.changeId, element);
        }
        return element;
      });
      const kept = new Set(feed.changes.map((change) => change.changeId));
      for (const id of elements.keys()) if (!kept.has(id)) elements.delete(id);
      place(list, items);
      if (items.length === 0) {
        list.append(h('li', { class: 'feed__empty' }, `No changes in the last ${FEED_MINUTES} minutes yet.`));
      }
      count.textContent = `${feed.changes.length}${feed.changes.length === FEED_LIMIT ? '+' : ''} in ${FEED_MINUTES} min`;
      first = false;
      onStatus({ ok: true, at: Date.now() });
    } catch (error) {
      onStatus({ ok: false, at: Date.now(), error });
    } finally {
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    }
  }

  poll();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
