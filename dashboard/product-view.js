/**
 * #/products/{id}: one product's price, state and actions; a chart of its price history overlaid with
 * demand and a marker per change; its history with rollback. Refreshed every 3 s.
 */
import { changeChips } from './change-chips.js';
import { confirmAction } from './dialogs.js';
import { h, replaceChildren } from './dom.js';
import { evidenceDetails } from './evidence-block.js';
import {
  actionLabel,
  ago,
  clock,
  codeLabel,
  count,
  dateTime,
  duration,
  money,
  moneyInputValue,
  percentChange,
  until,
} from './format.js';
import { createPriceChart } from './price-chart.js';

const REFRESH_MS = 3_000;
const HISTORY_PAGE = 100;

const RANGES = [
  { value: 'auto', label: 'Auto' },
  { value: String(15 * 60_000), label: '15 min' },
  { value: String(3_600_000), label: '1 h' },
  { value: String(6 * 3_600_000), label: '6 h' },
  { value: String(24 * 3_600_000), label: '24 h' },
];

const FREEZE_DURATIONS = [
  { value: '900', label: '15 minutes' },
  { value: '3600', label: '1 hour' },
  { value: '14400', label: '4 hours' },
  { value: '86400', label: '24 hours' },
  { value: '604800', label: '7 days' },
  { value: 'none', label: 'Until unfrozen' },
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

export function productView({ api, productId, toast }) {
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

  // ---- actions ------------------------------------------------------------------------------

  function openFreeze() {
    const product = state.product;
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
  }

  function openUnfreeze() {
    const product = state.product;
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
  }

  function openPrice() {
    const product = state.product;
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
  }

  function openBounds() {
    const product = state.product;
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
  }

  function openRollback(change) {
    const product = state.product;
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
  }

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
          { type: 'button', class: 'button button--light', onclick: openUnfreeze, 'data-testid': 'banner-unfreeze' },
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
            },
            'Unfreeze…',
          )
        : h(
            'button',
            { type: 'button', class: 'button button--primary', onclick: openFreeze, 'data-testid': 'action-freeze' },
            '❄ Freeze…',
          ),
      h('button', { type: 'button', class: 'button', onclick: openPrice, 'data-testid': 'action-price' }, 'Set price…'),
      h(
        'button',
        { type: 'button', class: 'button', onclick: openBounds, 'data-testid': 'action-bounds' },
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

  function historyRow(change, product) {
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
                onclick: () => openRollback(change),
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
        evidenceDetails(change, currency(), {
          open: state.openEvidence.has(change.changeId),
          ontoggle: (open) => {
            if (open) state.openEvidence.add(change.changeId);
            else state.openEvidence.delete(change.changeId);
          },
        }),
      ),
    );
  }

  function renderHistory(product) {
    const changes = sortedChanges();
    historyBody.replaceChildren(...changes.map((change) => historyRow(change, product)));
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
      toast(`Could not load older history: ${error.message}`, 'error');
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
      if (error.status === 404) state.notFound = true;
      else state.error = error;
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
        [
          ['windows', 'Windows (rich path)'],
          ['minutes', 'Minutes (fast path)'],
        ].map(([value, label]) =>
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
          h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'table table--history', 'data-testid': 'history-table', 'aria-labelledby': 'history-title' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  [
                    'Time',
                    'Action',
                    'Price',
                    'Reason and guardrail',
                    'Source and actor',
                    'Explanation and evidence',
                  ].map((label) => h('th', { scope: 'col', class: label === 'Price' ? 'num' : '' }, label)),
                ),
              ),
              historyBody,
            ),
          ),
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
