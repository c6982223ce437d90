/**
 * The ops dashboard's entry module: the token, the hash routes (#/products, #/products/{id}), the
 * header's kill switch and shadow mode, the live change feed and toasts. Plain ES modules, no build:
 * served as they are by the dashboard handler, with Chart.js's UMD build loaded before this.
 */
import { actionProps, TOKEN_KEY } from './access.js';
import { ApiError, createApi } from './api.js';
import { confirmAction } from './dialogs.js';
import { h, pageElement, replaceChildren } from './dom.js';
import { startFeed } from './feed.js';
import { clock } from './format.js';
import { renderPipeline } from './pipeline-panel.js';
import { productView } from './product-view.js';
import { productsView } from './products-view.js';
import {
  beginSignIn,
  completeSignIn,
  forgetSession,
  hasSession,
  keepFresh,
  renew,
  signInAvailable,
  signOut,
} from './sign-in.js';

const CONFIG_POLL_MS = 5_000;
const TOAST_MS = 5_000;

/** The page is served at `<stage>/dashboard`; the ops API at `<stage>/ops/...`. */
const basePath = window.location.pathname.replace(/\/dashboard\/?$/, '');

const elements = {
  main: pageElement('view'),
  feedList: pageElement('feed-list'),
  feedCount: pageElement('feed-count'),
  live: pageElement('live-status'),
  killSwitch: pageElement('kill-switch'),
  shadowMode: pageElement('shadow-mode'),
  pipeline: pageElement('pipeline-status'),
  changeToken: pageElement('change-token'),
  signOut: pageElement('sign-out'),
  toasts: pageElement('toasts'),
  nav: document.querySelectorAll('[data-nav]'),
};

// ---- token: from the URL fragment once, then sessionStorage; never left in the address bar ------

function takeTokenFromFragment() {
  const match = /(?:^#|[#&])token=([^&]+)/.exec(window.location.hash);
  if (!match) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1] ?? ''));
  const rest = window.location.hash.replace(/[#&]?token=[^&]+/, '').replace(/^#?&?/, '');
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}#${rest || '/products'}`);
}

const token = () => sessionStorage.getItem(TOKEN_KEY);

// ---- toasts ---------------------------------------------------------------------------------------

function toast(message, tone = 'ok') {
  const item = h('div', { class: `toast toast--${tone}`, 'data-testid': 'toast' }, message);
  elements.toasts.append(item);
  setTimeout(() => item.remove(), TOAST_MS);
}

// ---- products by id, for the feed's names and currencies ------------------------------------------

const catalogue = new Map();
function rememberProducts(products) {
  for (const product of products) {
    catalogue.set(product.productId, { name: product.name, currency: product.currency, category: product.category });
  }
}

// ---- the app's lifecycle: running with a token, or asking for one ----------------------------------

/**
 * While a token is in use: the view on screen, the change feed, the config poll's timer.
 * @type {{ view: { title: string, mount(element: HTMLElement): void, unmount(): void } | null, feed: { stop(): void } | null, configTimer: ReturnType<typeof setTimeout> | undefined, pipelineTimer?: ReturnType<typeof setTimeout> } | null}
 */
let running = null;

const api = createApi({ basePath, token, onAuthError });

/** A session whose refresh token the pool refused: sign in again. */
const sessionEnded = () => askForToken(null, 'Your session ended: sign in again.');

/** The API refused the token: an expired one of a session is renewed once; otherwise ask again. */
async function onAuthError(error) {
  if (error.status === 401 && hasSession() && (await renew())) {
    // start() keeps the new token fresh; a running page only needs its timer set again.
    if (running) keepFresh(sessionEnded);
    else start();
    return;
  }
  askForToken(error);
}

function showLive({ ok, at, error }) {
  elements.live.dataset.state = ok ? 'ok' : 'error';
  replaceChildren(
    elements.live,
    h('span', { class: 'live__dot', 'aria-hidden': 'true' }),
    ok ? `Live · ${clock(at)}` : `Reconnecting… ${error?.message ?? ''}`,
  );
}

function renderSwitch(container, { label, on, onLabel, offLabel, toggle }) {
  container.dataset.state = on ? 'on' : 'off';
  replaceChildren(
    container,
    h('span', { class: 'switch__label' }, label),
    h(
      'span',
      { class: `pill ${on ? 'pill--on' : 'pill--off'}`, 'data-testid': `${container.id}-state` },
      on ? onLabel : offLabel,
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'button button--small button--dark',
        onclick: toggle,
        'data-testid': `${container.id}-toggle`,
        ...actionProps(),
      },
      on ? 'Turn off…' : 'Turn on…',
    ),
  );
}

function renderConfig(config) {
  renderSwitch(elements.killSwitch, {
    label: 'Kill switch',
    on: config.killSwitch,
    onLabel: 'ON · pricing stopped',
    offLabel: 'off',
    toggle: () =>
      confirmAction({
        title: config.killSwitch ? 'Turn the kill switch off' : 'Turn the kill switch on',
        testid: 'kill-switch-dialog',
        tone: config.killSwitch ? 'primary' : 'danger',
        confirmLabel: config.killSwitch ? 'Resume automated pricing' : 'Stop automated pricing',
        summary: () =>
          config.killSwitch
            ? [
                'Automated pricing resumes for every product: the fast path and the rich path may change prices again.',
                'Frozen products stay frozen.',
              ]
            : [
                'Every automated price change stops, for every product, until the kill switch is turned off.',
                'Prices stay where they are; manual prices, bounds, freezes and rollbacks still work.',
              ],
        run: (values) => api.setKillSwitch({ reason: values.reason, enabled: !config.killSwitch }),
        onDone: (result) => {
          renderConfig(result.config);
          toast(`Kill switch ${result.config.killSwitch ? 'ON' : 'off'}`);
        },
      }),
  });
  renderSwitch(elements.shadowMode, {
    label: 'Shadow mode',
    on: config.shadowMode,
    onLabel: 'ON · deciding only',
    offLabel: 'off',
    toggle: () =>
      confirmAction({
        title: config.shadowMode ? 'Turn shadow mode off' : 'Turn shadow mode on',
        testid: 'shadow-mode-dialog',
        confirmLabel: config.shadowMode ? 'Leave shadow mode' : 'Enter shadow mode',
        summary: () =>
          config.shadowMode
            ? ['Automated decisions change prices again, for every product.']
            : [
                'The pricing policy keeps deciding, and records what it would do in each product’s history as a shadow row,',
                'but changes no price until shadow mode is turned off.',
              ],
        run: (values) => api.setShadowMode({ reason: values.reason, enabled: !config.shadowMode }),
        onDone: (result) => {
          renderConfig(result.config);
          toast(`Shadow mode ${result.config.shadowMode ? 'ON' : 'off'}`);
        },
      }),
  });
  document.body.classList.toggle('kill-switch-on', config.killSwitch);
}

function viewFor(hash) {
  const match = /^#\/products\/([^/?#]+)$/.exec(hash);
  if (match) return productView({ api, productId: decodeURIComponent(match[1] ?? ''), toast });
  return productsView({ api, onProducts: rememberProducts });
}

function route() {
  if (!running) return;
  if (!/^#\/products(\/[^/?#]+)?$/.test(window.location.hash)) {
    window.history.replaceState(null, '', '#/products');
  }
  running.view?.unmount();
  const view = viewFor(window.location.hash);
  running.view = view;
  document.title = `${view.title} · clickprice ops`;
  for (const link of elements.nav) {
    const href = link.getAttribute('href');
    if (href !== null && window.location.hash.startsWith(href)) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  replaceChildren(elements.main);
  view.mount(elements.main);
  elements.main.focus({ preventScroll: true });
}

async function pollConfig() {
  if (!running) return;
  try {
    renderConfig(await api.config());
  } catch {
    // The feed's status line reports an unreachable API.
  }
  if (running) running.configTimer = setTimeout(pollConfig, CONFIG_POLL_MS);
}

/** The pipeline's health, every CONFIG_POLL_MS while the page runs. */
async function pollPipeline() {
  if (!running) return;
  clearTimeout(running.pipelineTimer);
  let health = null;
  let error = null;
  try {
    health = await api.pipeline();
  } catch (failure) {
    error = failure instanceof Error ? failure.message : String(failure);
  }
  if (!running) return;
  renderPipeline(elements.pipeline, {
    health,
    error,
    api,
    onRestarted: ({ restart }) => {
      toast(
        restart.state === 'done'
          ? `Glue job restarted: run ${restart.newRunId}`
          : `Glue job restart asked for: stopping ${restart.stoppingRunIds.join(', ')}`,
      );
      pollPipeline();
    },
    onRedriven: ({ outcomes }) => {
      const replayed = outcomes.filter((outcome) => outcome.outcome === 'replayed').length;
      const left = outcomes.length - replayed;
      toast(
        outcomes.length === 0
          ? 'No dead letters were waiting'
          : `${replayed} discarded batch${replayed === 1 ? '' : 'es'} replayed${left > 0 ? `; ${left} left in the queue (see the history row)` : ''}`,
      );
      pollPipeline();
    },
  });
  running.pipelineTimer = setTimeout(pollPipeline, CONFIG_POLL_MS);
}

async function start() {
  stop();
  running = { view: null, feed: null, configTimer: undefined };
  document.body.dataset.state = 'running';
  elements.signOut.hidden = !hasSession();
  elements.changeToken.hidden = hasSession();
  keepFresh(sessionEnded);
  replaceChildren(elements.main, h('p', { class: 'loading' }, 'Loading…'));
  try {
    rememberProducts(await api.allProducts());
  } catch (error) {
    if (error instanceof ApiError && error.isAuth) return;
  }
  if (!running) return;
  running.feed = startFeed({
    api,
    list: elements.feedList,
    count: elements.feedCount,
    catalogue: (productId) => catalogue.get(productId),
    onStatus: showLive,
  });
  pollConfig();
  pollPipeline();
  route();
}

function stop() {
  if (!running) return;
  running.view?.unmount();
  running.feed?.stop();
  clearTimeout(running.configTimer);
  clearTimeout(running.pipelineTimer);
  running = null;
}

/**
 * Shows how to get a token (none yet, or the API refused it) in place of the view: the sign-in
 * button where the deployment has a sign-in domain, and a field for a pasted token (a machine
 * client's, or one `npm start` printed).
 * @param {ApiError | null} error
 * @param {string | null} [notice]
 */
function askForToken(error, notice = null) {
  // Several requests in flight fail at once: ask once, keeping what the user may have typed.
  if (document.body.dataset.state === 'token' && error !== null) return;
  stop();
  document.body.dataset.state = 'token';
  const input = h('input', {
    id: 'token-input',
    name: 'token',
    type: 'password',
    autocomplete: 'off',
    required: true,
    spellcheck: 'false',
    'data-testid': 'token-input',
  });
  const why = error
    ? `The ops API refused the token (${error.status} ${error.code}: ${error.message}). ${
        error.status === 403 ? 'It lacks the clickprice/ops.read scope.' : 'It may have expired.'
      }`
    : (notice ?? 'This page needs an ops token to read the ops API.');
  const tokenForm = h(
    'form',
    {
      class: 'token-form',
      onsubmit: (event) => {
        event.preventDefault();
        const value = input.value.trim().replace(/^Bearer\s+/i, '');
        if (!value) return;
        forgetSession();
        sessionStorage.setItem(TOKEN_KEY, value);
        if (!/^#\/products/.test(window.location.hash)) window.history.replaceState(null, '', '#/products');
        start();
      },
    },
    h('label', { for: 'token-input' }, 'Ops token (JWT)'),
    input,
    h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'token-submit' }, 'Use token'),
  );
  const tokenHelp = h(
    'p',
    { class: 'muted' },
    'Locally, `npm start` prints one (“ops token”) and a dashboard link that carries it. In AWS, use a Cognito access token with the clickprice/ops.read scope (and ops.write for actions).',
  );
  const signInButton = h(
    'button',
    {
      type: 'button',
      class: 'button button--primary',
      'data-testid': 'sign-in',
      onclick: () => beginSignIn().catch((failure) => askForToken(null, failure.message)),
    },
    'Sign in',
  );
  replaceChildren(
    elements.main,
    h(
      'section',
      { class: 'token-screen card', 'aria-labelledby': 'token-title', 'data-testid': 'token-screen' },
      h('h1', { id: 'token-title' }, signInAvailable ? 'Sign in to clickprice ops' : 'Sign in with an ops token'),
      h('p', { role: error || notice ? 'alert' : null, class: error || notice ? 'notice' : 'muted' }, why),
      ...(signInAvailable
        ? [
            h('p', {}, signInButton),
            // Open when a pasted token was just refused: its owner will paste another.
            h(
              'details',
              { class: 'token-paste', open: error !== null },
              h('summary', { class: 'token-paste__summary' }, 'Or use a token'),
              tokenHelp,
              tokenForm,
            ),
          ]
        : [tokenHelp, tokenForm]),
    ),
  );
  if (signInAvailable) signInButton.focus();
  else input.focus();
}

elements.changeToken.addEventListener('click', () => {
  forgetSession();
  askForToken(null);
});

elements.signOut.addEventListener('click', () => {
  stop();
  signOut();
});

window.addEventListener('hashchange', () => {
  takeTokenFromFragment();
  if (running) route();
  else if (token()) start();
});

/** A sign-in's answer in the address first, then a token in the fragment or kept from before. */
async function boot() {
  try {
    await completeSignIn();
  } catch (failure) {
    askForToken(null, failure instanceof Error ? failure.message : String(failure));
    return;
  }
  takeTokenFromFragment();
  if (token()) start();
  else askForToken(null);
}

boot();
