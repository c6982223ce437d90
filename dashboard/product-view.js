/**
 * #/products/{id}: one product's price, state and actions; a chart of its price history overlaid with
 * demand and a marker per change; its history with rollback. Refreshed every 3 s. The actions' dialogs
 * are product-actions.js, the history's rows product-history.js, the chart price-chart.js.
 */
import { actionProps } from './access.js';
import { ApiError } from './api.js';
import { h, replaceChildren } from './dom.js';
import { ago, clock, codeLabel, count, dateTime, money, percentChange, until } from './format.js';
import { createPriceChart } from './price-chart.js';
import { productActions } from './product-actions.js';
import { historyRow, historyTable } from './product-history.js';

/** @typedef {import('../functions/domain/api-types.js').ProductSummary} ProductSummary */
/** @typedef {import('../functions/domain/api-types.js').PriceChange} PriceChange */
/** @typedef {import('../functions/domain/api-types.js').DemandSeries} DemandSeries */

const REFRESH_MS = 3_000;
const HISTORY_PAGE = 100;

const RANGES = [
  { value: 'auto', label: 'Auto' },
  { value: String(15 * 60_000), label: '15 min' },
  { value: String(3_600_000), label: '1 h' },
  { value: String(6 * 3_600_000), label: '6 h' },
  { value: String(24 * 3_600_000), label: '24 h' },
];

function stat(label, value, detail, testid) {
  return h(
    'div',
    { class: 'stat', 'data-testid': testid },
    h('span', { class: 'stat__label' }, label),
    h('span', { class: 'stat__value' }, value),
    detail ? h('span', { class: 'stat__detail' }, detail) : null,
  );
}

/**
 * @param {object} context
 * @param {ReturnType<typeof import('./api.js').createApi>} context.api
 * @param {string} context.productId
 * @param {(message: string, tone?: string) => void} context.toast
 */
export function productView({ api, productId, toast }) {
  /**
   * @type {{ product: ProductSummary | null, changes: Map<string, PriceChange>, cursor: string | undefined,
   *   olderLoaded: boolean, demand: DemandSeries | { windows: [], minutes: [] }, range: string, source: string,
   *   error: Error | null, notFound: boolean, openEvidence: Set<string> }}
   */
  const state = {
    product: null,
    changes: new Map(),
    cursor: undefined,
    olderLoaded: false,
    demand: { windows: [], minutes: [] },
    range: 'auto',
    source: 'windows',
    error: null,
    notFound: false,
    // Evidence blocks opened in the history, by changeId: kept open when new rows redraw the table.
    openEvidence: new Set(),
  };
  let timer;
  let stopped = false;
  let chart;
  let root;
  // What the banner, the buttons and the history were last drawn from: redrawn only when it changes,
  // so a refresh does not take the keyboard focus away from a button.
  const drawn = { banner: '', actions: '', history: '' };
  const changedSince = (part, key) => {
    if (drawn[part] === key) return false;
    drawn[part] = key;
    return true;
  };

  const head = h('div', { class: 'product-head' });
  const banner = h('div', { class: 'banner-slot' });
  const actions = h('div', { class: 'actions', role: 'toolbar', 'aria-label': 'Pricing actions' });
  const stats = h('div', { class: 'stats' });
  const notice = h('div', { class: 'notice', role: 'status', hidden: true });
  const chartBox = h('div', { class: 'chart-box', 'data-testid': 'price-chart' });
  const historyBody = h('tbody', {});
  const historyFoot = h('div', { class: 'history-foot' });

  const currency = () => state.product?.currency ?? 'EUR';
  const fmt = (cents) => money(cents, currency());
  const sortedChanges = () => [...state.changes.values()].sort((a, b) => (a.changeId < b.changeId ? 1 : -1));

  function applyResult(result, message) {
    state.product = result.product;
    state.changes.set(result.change.changeId, result.change);
    toast(message);
    render();
    refresh(false);
  }

  const dialogs = productActions({ api, applyResult });
  /** The dialogs act on the product as last read (every button is drawn only once it is). */
  const onProduct = (/** @type {(product: ProductSummary) => void} */ open) => () => {
    if (state.product !== null) open(state.product);
  };
  const openFreeze = onProduct(dialogs.freeze);
  const openUnfreeze = onProduct(dialogs.unfreeze);
  const openPrice = onProduct(dialogs.price);
  const openBounds = onProduct(dialogs.bounds);

  // ---- rendering ----------------------------------------------------------------------------

  function renderHead(product) {
    const dir = product.price > product.basePrice ? 'up' : product.price < product.basePrice ? 'down' : 'flat';
    replaceChildren(
      head,
      h(
        'div',
        { class: 'product-head__title' },
        h('h1', { id: 'product-title' }, product.name),
        h(
          'p',
          { class: 'product-head__meta' },
          h('span', { class: 'mono', 'data-testid': 'product-id' }, product.productId),
          h('span', {}, product.category),
          h('span', {}, `version ${product.version}`),
          h('span', {}, `updated ${ago(product.updatedAt)}`),
        ),
      ),
      h(
        'div',
        { class: 'product-head__price' },
        h(
          'span',
          { class: 'big-price', 'data-testid': 'current-price', dataset: { cents: product.price } },
          fmt(product.price),
        ),
        h(
          'span',
          { class: `delta delta--${dir}` },
          dir === 'flat' ? 'at base price' : `${percentChange(product.basePrice, product.price)} vs base`,
        ),
        product.freeze ? h('span', { class: 'badge badge--frozen', 'data-testid': 'frozen-badge' }, '❄ Frozen') : null,
      ),
    );
  }

  function renderBanner(product) {
    if (!product.freeze) {
      banner.replaceChildren();
      return;
    }
    const freeze = product.freeze;
    replaceChildren(
      banner,
      h(
        'div',
        { class: 'banner banner--frozen', role: 'status', 'data-testid': 'frozen-banner' },
        h('span', { class: 'banner__icon', 'aria-hidden': 'true' }, '❄'),
        h(
          'div',
          { class: 'banner__body' },
          h('strong', {}, `Frozen at ${fmt(product.price)}: automated pricing will not change this price.`),
          h(
            'span',
            {},
            `Since ${clock(freeze.frozenAt)} by ${freeze.actor} · ${freeze.until ? `until ${dateTime(freeze.until)} (${until(freeze.until)})` : 'until unfrozen'} · Reason: `,
            h('q', {}, freeze.reason),
          ),
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'button button--light',
            onclick: openUnfreeze,
            'data-testid': 'banner-unfreeze',
            ...actionProps(),
          },
          'Unfreeze…',
        ),
      ),
    );
  }

  function renderActions(product) {
    replaceChildren(
      actions,
      product.freeze
        ? h(
            'button',
            {
              type: 'button',
              class: 'button button--primary',
              onclick: openUnfreeze,
              'data-testid': 'action-unfreeze',
              ...actionProps(),
            },
            'Unfreeze…',
          )
        : h(
            'button',
            {
              type: 'button',
              class: 'button button--primary',
              onclick: openFreeze,
              'data-testid': 'action-freeze',
              ...actionProps(),
            },
            '❄ Freeze…',
          ),
      h(
        'button',
        { type: 'button', class: 'button', onclick: openPrice, 'data-testid': 'action-price', ...actionProps() },
        'Set price…',
      ),
      h(
        'button',
        { type: 'button', class: 'button', onclick: openBounds, 'data-testid': 'action-bounds', ...actionProps() },
        'Set bounds…',
      ),
    );
  }

  function renderStats(product) {
    const last = product.lastChange;
    replaceChildren(
      stats,
      stat('Base price', fmt(product.basePrice), null, 'stat-base'),
      stat('Bounds', `${fmt(product.floor)} – ${fmt(product.ceiling)}`, 'floor – ceiling', 'stat-bounds'),
      stat('Lowest in 30 days', fmt(product.lowest30d), 'before the current price', 'stat-lowest'),
      stat('Stock', count(product.inventory), 'units', 'stat-stock'),
      stat(
        'Demand, 15 min',
        `${count(product.demand.views)} · ${count(product.demand.carts)} · ${count(product.demand.purchases)}`,
        'views · carts · purchases',
        'stat-demand',
      ),
      stat(
        'Last change',
        last ? codeLabel(last.reasonCode) : 'never',
        last ? `${ago(last.changedAt)} · ${last.source}` : 'since seeding',
        'stat-last-change',
      ),
    );
  }

  function renderHistory(product) {
    const changes = sortedChanges();
    const rowOptions = {
      openEvidence: state.openEvidence,
      // The product as it is when the button is pressed, not when the row was drawn.
      onRollback: (/** @type {PriceChange} */ change) => onProduct((current) => dialogs.rollback(current, change))(),
    };
    historyBody.replaceChildren(...changes.map((change) => historyRow(change, product, rowOptions)));
    if (changes.length === 0) {
      historyBody.append(
        h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No history yet: the price is as seeded.')),
      );
    }
    replaceChildren(
      historyFoot,
      h('span', { class: 'muted' }, `${changes.length} rows, newest first`),
      state.cursor
        ? h(
            'button',
            { type: 'button', class: 'button button--small', onclick: loadOlder, 'data-testid': 'history-more' },
            'Load older',
          )
        : null,
    );
  }

  function render() {
    if (!root) return;
    if (state.notFound) {
      replaceChildren(
        head,
        h(
          'div',
          { class: 'product-head__title' },
          h('h1', {}, `No product ${productId}`),
          h('a', { href: '#/products' }, 'Back to products'),
        ),
      );
      return;
    }
    notice.hidden = state.error === null;
    notice.textContent = state.error ? `Could not refresh: ${state.error.message}` : '';
    const product = state.product;
    if (!product) return;
    document.title = `${product.productId} · clickprice ops`;
    root.classList.toggle('is-frozen', Boolean(product.freeze));
    root.dataset.frozen = product.freeze ? 'true' : 'false';
    renderHead(product);
    if (changedSince('banner', JSON.stringify([product.freeze, product.price, Math.floor(Date.now() / 60_000)])))
      renderBanner(product);
    if (changedSince('actions', product.freeze ? 'frozen' : 'automated')) renderActions(product);
    renderStats(product);
    chart.update({
      product,
      changes: sortedChanges(),
      demand: state.demand,
      range: state.range === 'auto' ? 'auto' : Number(state.range),
      source: state.source,
    });
    const history = [product.price, state.cursor ?? '', ...state.changes.keys()].join('|');
    if (changedSince('history', history)) renderHistory(product);
  }

  async function loadOlder() {
    try {
      const page = await api.history(productId, { limit: HISTORY_PAGE, cursor: state.cursor });
      for (const change of page.changes) state.changes.set(change.changeId, change);
      state.cursor = page.nextCursor ?? undefined;
      state.olderLoaded = true;
      render();
    } catch (error) {
      toast(`Could not load older history: ${error instanceof Error ? error.message : error}`, 'error');
    }
  }

  async function refresh(reschedule = true) {
    try {
      const span = state.range === 'auto' ? 3_600_000 : Math.max(3_600_000, Number(state.range));
      const [product, history, demand] = await Promise.all([
        api.getProduct(productId),
        api.history(productId, { limit: HISTORY_PAGE }),
        api.demand(productId, { from: new Date(Date.now() - span).toISOString() }),
      ]);
      state.product = product;
      for (const change of history.changes) state.changes.set(change.changeId, change);
      if (state.cursor === undefined && !state.olderLoaded) state.cursor = history.nextCursor ?? undefined;
      state.demand = demand;
      state.error = null;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) state.notFound = true;
      else state.error = error instanceof Error ? error : new Error(String(error));
    }
    if (stopped) return;
    render();
    if (reschedule && !state.notFound) {
      clearTimeout(timer);
      timer = setTimeout(refresh, REFRESH_MS);
    }
  }

  return {
    title: productId,
    mount(container) {
      const rangeSelect = h(
        'select',
        {
          id: 'chart-range',
          'data-testid': 'chart-range',
          onchange: (event) => {
            state.range = event.target.value;
            refresh(false);
          },
        },
        RANGES.map((range) => h('option', { value: range.value }, range.label)),
      );
      const sourceToggle = h(
        'fieldset',
        { class: 'segmented' },
        h('legend', { class: 'visually-hidden' }, 'Demand bars from'),
        /** @type {[string, string][]} */ ([
          ['windows', 'Windows (rich path)'],
          ['minutes', 'Minutes (fast path)'],
        ]).map(([value, label]) =>
          h(
            'label',
            {},
            h('input', {
              type: 'radio',
              name: 'demand-source',
              value,
              checked: state.source === value,
              onchange: () => {
                state.source = value;
                render();
              },
            }),
            h('span', {}, label),
          ),
        ),
      );
      root = h(
        'section',
        { class: 'view view--product', 'aria-labelledby': 'product-title', 'data-testid': 'product-view' },
        h(
          'nav',
          { class: 'breadcrumb', 'aria-label': 'Breadcrumb' },
          h('a', { href: '#/products' }, 'Products'),
          h('span', { 'aria-hidden': 'true' }, '/'),
          h('span', { 'aria-current': 'page' }, productId),
        ),
        head,
        banner,
        notice,
        actions,
        stats,
        h(
          'div',
          { class: 'card' },
          h(
            'div',
            { class: 'card__head' },
            h('h2', {}, 'Price and demand'),
            h(
              'div',
              { class: 'card__tools' },
              sourceToggle,
              h('label', { for: 'chart-range', class: 'visually-hidden' }, 'Time range'),
              rangeSelect,
            ),
          ),
          chartBox,
          h(
            'ul',
            { class: 'marker-key', 'aria-label': 'Chart markers' },
            h('li', {}, h('span', { class: 'key key--up' }), 'Automated rise'),
            h('li', {}, h('span', { class: 'key key--down' }), 'Automated cut'),
            h('li', {}, h('span', { class: 'key key--manual' }), 'Manual / rollback'),
            h('li', {}, h('span', { class: 'key key--freeze' }), 'Freeze'),
            h('li', {}, h('span', { class: 'key key--bounds' }), 'Bounds'),
            h('li', { class: 'muted' }, 'Hover a marker for its reason.'),
          ),
        ),
        h(
          'div',
          { class: 'card' },
          h('div', { class: 'card__head' }, h('h2', { id: 'history-title' }, 'Price history')),
          h('div', { class: 'table-wrap' }, historyTable(historyBody)),
          historyFoot,
        ),
      );
      container.append(root);
      chart = createPriceChart(chartBox);
      refresh();
    },
    unmount() {
      stopped = true;
      clearTimeout(timer);
      chart?.destroy();
      root?.remove();
    },
  };
}
