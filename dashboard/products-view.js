/**
 * #/products: every product with its price, a sparkline of its recent prices, its bounds, stock,
 * the last 15 minutes of demand, its last change and whether it is frozen. Refreshed every 10 s.
 */
import { h, replaceChildren, routeHref } from './dom.js';
import { ago, codeLabel, count, dateTime, money, percentChange } from './format.js';
import { sparkline } from './sparkline.js';

// Listing every product is a Scan with a demand and history read per product: refresh it gently.
const REFRESH_MS = 10_000;
const RECENT_MS = 15 * 60_000;

const SORTS = {
  product: { label: 'Product', key: (p) => p.productId },
  price: { label: 'Price vs base', key: (p) => (p.price - p.basePrice) / p.basePrice },
  demand: { label: 'Demand', key: (p) => p.demand.views + 5 * p.demand.carts + 20 * p.demand.purchases },
  change: { label: 'Last change', key: (p) => p.lastChangeAt ?? '' },
};

function kpi(label, value, testid, tone = '') {
  return h(
    'div',
    { class: `kpi ${tone}`, 'data-testid': testid },
    h('span', { class: 'kpi__label' }, label),
    h('span', { class: 'kpi__value' }, value),
  );
}

function frozenBadge(freeze) {
  const title = `Frozen by ${freeze.actor} at ${dateTime(freeze.frozenAt)}${freeze.until ? `, until ${dateTime(freeze.until)}` : ', until unfrozen'}: ${freeze.reason}`;
  return h('span', { class: 'badge badge--frozen', title, 'data-testid': 'frozen-badge' }, '❄ Frozen');
}

function productRow(product, now) {
  const vsBase = percentChange(product.basePrice, product.price);
  const dir = product.price > product.basePrice ? 'up' : product.price < product.basePrice ? 'down' : 'flat';
  const last = product.lastChange;
  const href = routeHref('products', product.productId);
  return h(
    'tr',
    {
      class: product.freeze ? 'is-frozen' : '',
      'data-testid': 'product-row',
      dataset: { productId: product.productId, price: product.price, frozen: product.freeze ? 'true' : 'false' },
    },
    h(
      'th',
      { scope: 'row', class: 'cell-product' },
      h(
        'span',
        { class: 'cell-product__id' },
        h('a', { href, class: 'product-link', 'data-testid': 'product-link' }, product.productId),
        product.freeze ? frozenBadge(product.freeze) : null,
      ),
      h(
        'span',
        { class: 'cell-product__name' },
        product.name,
        h('span', { class: 'cell-product__category' }, product.category),
      ),
    ),
    h(
      'td',
      { class: 'num' },
      h('span', { class: 'price', 'data-testid': 'product-price' }, money(product.price, product.currency)),
      vsBase && vsBase !== '0%' ? h('span', { class: `delta delta--${dir}`, title: 'vs base price' }, vsBase) : null,
    ),
    h(
      'td',
      { class: 'cell-spark' },
      sparkline(product.sparkline, product.price, product.currency, product.basePrice, now),
    ),
    h(
      'td',
      { class: 'num muted nowrap small' },
      `${money(product.floor, product.currency)} – ${money(product.ceiling, product.currency)}`,
    ),
    h('td', { class: 'num' }, count(product.inventory)),
    h(
      'td',
      { class: 'num cell-demand', title: 'views · carts · purchases in the last 15 minutes (fast path)' },
      h('span', {}, count(product.demand.views)),
      h('span', { class: 'sep' }, '·'),
      h('span', {}, count(product.demand.carts)),
      h('span', { class: 'sep' }, '·'),
      h('span', { class: 'strong' }, count(product.demand.purchases)),
    ),
    h(
      'td',
      { class: 'cell-change' },
      last
        ? [
            h('span', { class: 'chip chip--reason' }, codeLabel(last.reasonCode)),
            h(
              'time',
              { datetime: last.changedAt, title: dateTime(last.changedAt), class: 'muted' },
              ago(last.changedAt, now),
            ),
          ]
        : h('span', { class: 'muted' }, 'never'),
    ),
  );
}

export function productsView({ api, onProducts }) {
  /** @type {{ products: import('../functions/domain/api-types.js').ProductSummary[], loaded: boolean, error: Error | null, filter: string, category: string, frozenOnly: boolean, sort: string, descending: boolean }} */
  const state = {
    products: [],
    loaded: false,
    error: null,
    filter: '',
    category: '',
    frozenOnly: false,
    sort: 'product',
    descending: false,
  };
  let timer;
  let stopped = false;
  let root;
  const kpis = h('div', { class: 'kpis' });
  const tbody = h('tbody', {});
  const headRow = h('tr', {});
  const shown = h('span', { class: 'muted', 'data-testid': 'products-count' });
  const categorySelect = h(
    'select',
    { id: 'filter-category', 'data-testid': 'filter-category' },
    h('option', { value: '' }, 'All categories'),
  );
  const notice = h('div', { class: 'notice', role: 'status', hidden: true });

  function renderHead() {
    /** @param {string} label @param {string | null} [sortKey] @param {string} [className] @param {string} [title] */
    const th = (label, sortKey, className = '', title = undefined) => {
      if (!sortKey) return h('th', { scope: 'col', class: className, title }, label);
      const active = state.sort === sortKey;
      return h(
        'th',
        {
          scope: 'col',
          class: className,
          title,
          'aria-sort': active ? (state.descending ? 'descending' : 'ascending') : 'none',
        },
        h(
          'button',
          {
            type: 'button',
            class: 'sort',
            'data-sort': sortKey,
            onclick: () => {
              state.descending = active ? !state.descending : sortKey !== 'product';
              state.sort = sortKey;
              renderHead();
              render();
              headRow.querySelector(`[data-sort="${sortKey}"]`)?.focus();
            },
          },
          label,
          h('span', { class: 'sort__icon', 'aria-hidden': 'true' }, active ? (state.descending ? '▼' : '▲') : '↕'),
        ),
      );
    };
    replaceChildren(
      headRow,
      th('Product', 'product'),
      th('Price', 'price', 'num'),
      th('Trend'),
      th('Bounds', null, 'num'),
      th('Stock', null, 'num'),
      th('Demand 15 min', 'demand', 'num', 'views · carts · purchases counted by the fast path in the last 15 minutes'),
      th('Last change', 'change'),
    );
  }

  function visibleProducts() {
    const needle = state.filter.trim().toLowerCase();
    const sort = SORTS[state.sort];
    return state.products
      .filter((p) => !state.category || p.category === state.category)
      .filter((p) => !state.frozenOnly || p.freeze)
      .filter((p) => !needle || p.productId.toLowerCase().includes(needle) || p.name.toLowerCase().includes(needle))
      .sort((a, b) => {
        const [x, y] = [sort.key(a), sort.key(b)];
        const order = x < y ? -1 : x > y ? 1 : a.productId < b.productId ? -1 : 1;
        return state.descending ? -order : order;
      });
  }

  function render() {
    const now = Date.now();
    const products = state.products;
    const recent = products.filter((p) => p.lastChangeAt && now - Date.parse(p.lastChangeAt) < RECENT_MS).length;
    const frozen = products.filter((p) => p.freeze).length;
    const above = products.filter((p) => p.price > p.basePrice).length;
    const below = products.filter((p) => p.price < p.basePrice).length;
    replaceChildren(
      kpis,
      kpi('Products', count(products.length), 'kpi-products'),
      kpi('Changed in 15 min', count(recent), 'kpi-recent'),
      kpi('Above / below base', `${count(above)} / ${count(below)}`, 'kpi-base'),
      kpi('Frozen', count(frozen), 'kpi-frozen', frozen > 0 ? 'kpi--frozen' : ''),
    );

    const categories = [...new Set(products.map((p) => p.category))].sort();
    if (categorySelect.options.length !== categories.length + 1) {
      replaceChildren(
        categorySelect,
        h('option', { value: '' }, 'All categories'),
        categories.map((category) => h('option', { value: category, selected: category === state.category }, category)),
      );
    }

    const rows = visibleProducts();
    tbody.replaceChildren(...rows.map((product) => productRow(product, now)));
    if (rows.length === 0) {
      tbody.append(
        h(
          'tr',
          {},
          h(
            'td',
            { colspan: 7, class: 'empty' },
            state.loaded ? 'No product matches the filters.' : 'Loading products…',
          ),
        ),
      );
    }
    shown.textContent = `${rows.length} of ${products.length} shown`;
    notice.hidden = state.error === null;
    notice.textContent = state.error ? `Could not refresh: ${state.error.message}` : '';
  }

  async function refresh() {
    try {
      state.products = await api.allProducts();
      state.loaded = true;
      state.error = null;
      onProducts(state.products);
    } catch (error) {
      state.error = error instanceof Error ? error : new Error(String(error));
    }
    if (!stopped) {
      render();
      timer = setTimeout(refresh, REFRESH_MS);
    }
  }

  return {
    title: 'Products',
    mount(container) {
      const search = h('input', {
        id: 'filter-text',
        type: 'search',
        placeholder: 'Id or name',
        'data-testid': 'filter-text',
        oninput: (event) => {
          state.filter = event.target.value;
          render();
        },
      });
      categorySelect.addEventListener('change', (event) => {
        state.category = event.target.value;
        render();
      });
      const frozenOnly = h('input', {
        id: 'filter-frozen',
        type: 'checkbox',
        onchange: (event) => {
          state.frozenOnly = event.target.checked;
          render();
        },
      });
      root = h(
        'section',
        { class: 'view view--products', 'aria-labelledby': 'products-title' },
        h(
          'div',
          { class: 'view__head' },
          h('h1', { id: 'products-title' }, 'Products'),
          h('p', { class: 'muted' }, 'Live prices, recent demand and the last change of every product.'),
        ),
        kpis,
        notice,
        h(
          'div',
          { class: 'card' },
          h(
            'div',
            { class: 'toolbar', role: 'search' },
            h('label', { for: 'filter-text', class: 'visually-hidden' }, 'Filter products by id or name'),
            search,
            h('label', { for: 'filter-category', class: 'visually-hidden' }, 'Category'),
            categorySelect,
            h('label', { class: 'check' }, frozenOnly, 'Frozen only'),
            h('span', { class: 'toolbar__spacer' }),
            shown,
          ),
          h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'table table--products', 'data-testid': 'products-table' },
              h('caption', { class: 'visually-hidden' }, 'Products with current price, trend, demand and status'),
              h('thead', {}, headRow),
              tbody,
            ),
          ),
        ),
      );
      container.append(root);
      renderHead();
      render();
      refresh();
    },
    unmount() {
      stopped = true;
      clearTimeout(timer);
      root?.remove();
    },
  };
}
