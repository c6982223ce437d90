/**
 * The ops dashboard in real headless Chromium (playwright-core driving Debian's chromium) against
 * `npm start`'s whole stack with its flash sale: the products table loads with sparklines, a price
 * change the sale causes appears in the live feed without a reload, the changed product's page
 * charts it (reason on hover) and lists it, and a freeze made through the page's confirmation
 * dialog holds while the sale keeps moving the prices of its unfrozen neighbours.
 *
 * Why the neighbours move: with the default 600 s cooldown a product that just changed could not
 * change again during the hold, so a broken freeze would go unnoticed. Once the product is frozen,
 * the test overrides the sale category's pricing parameters in the pricing-config table (no
 * cooldown, every product counted as low on stock), so that every decision in that category asks
 * for a higher price, and holds until the rich path has priced a window that closed after that: the
 * rich path decides for every product with traffic in the window (the fast path only on a surge).
 * Unfrozen, the product then changes price (checked by hand: +9 % at the first such window). The
 * test requires that (a) the product had traffic in that window, (b) the same round moved other
 * products of its category, and (c) its own price, version and history did not change.
 *
 * Leaves a screenshot of the product page at test/artifacts/product-page.png (git-ignored).
 * Skipped, with the reason printed, when there is no Chromium, except under CI=true where it fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpsClient } from '../../clients/ops-client.js';
import { tables } from '../../definitions/resources.js';
import type { PriceChange, ProductSummary } from '../../functions/domain/api-types.js';
import { type CategoryOverrides, pricingConfigSchema } from '../../functions/domain/pricing-config.js';
import { PRICING_CONFIG_ITEM } from '../../functions/store/pricing-config-store.js';
import { createLocalClients, type LocalClients } from '../../local/clients.js';
import { generateCatalogue } from '../../simulator/catalogue.js';
import { buildScenario } from '../../simulator/scenarios.js';
import { launchChromium, recordPolicyViolations, skipBrowserSuite } from '../helpers/chromium.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS_DIR = join(REPO_ROOT, 'test', 'artifacts');

const SEED = 42;
const PRODUCTS = 240;
const RATE = 150;
/** npm start's flash sale begins this long after the simulator starts (local/start.ts). */
const FLASH_SALE_START_MS = 20_000;
/** How long, at least, the frozen price must hold while its category's prices are pushed up. */
const HOLD_MS = 20_000;
/** The hold waits for a rich-path window (60 s) to close and be priced, but not longer than this. */
const HOLD_LIMIT_MS = 120_000;
/** After the first change of a rich-path round, how long its other rows may take to be priced. */
const ROUND_SETTLE_MS = 10_000;
/** The pricing config is cached this long by the handlers (PricingConfigStore's default TTL). */
const CONFIG_CACHE_MS = 5_000;
const SALE_REASONS = new Set(['demand_surge', 'demand_high']);
const FREEZE_REASON = 'e2e: hold the price through the flash sale';

/** `npm start`'s entry point as a child process, its stdout kept line by line with arrival times. */
function startStack(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: { text: string; at: number }[] = [];
  let partial = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const at = Date.now();
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts) lines.push({ text, at });
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);

  return {
    /** The first stdout line matching `pattern`, and when it arrived. */
    async line(pattern: RegExp, timeoutMs: number): Promise<{ match: RegExpMatchArray; at: number }> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const line of lines) {
          const match = line.text.match(pattern);
          if (match) return { match, at: line.at };
        }
        if (child.exitCode !== null) {
          throw new Error(`npm start exited (${child.exitCode}) before printing ${pattern}:\n${stderr.slice(-2000)}`);
        }
        if (Date.now() > deadline) throw new Error(`npm start printed no ${pattern} in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    /** SIGTERM (the stack stops its servers), then SIGKILL if it has not exited in 30 s. */
    async stop(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

interface FeedItem {
  changeId: string;
  changedAt: string;
  productId: string;
  action: string;
  reason: string;
}

describe.skipIf(skipBrowserSuite('ops-dashboard.browser'))('ops dashboard in headless Chromium', () => {
  let stack: ReturnType<typeof startStack> | undefined;
  let browser: Browser | undefined;
  let clients: LocalClients | undefined;
  let page: Page;
  /** What Chromium reported blocking under the dashboard's Content-Security-Policy. */
  let policyViolations: string[] = [];
  let ops: OpsClient;
  let dashboardUrl: string;
  let token: string;
  let readToken: string;
  let pricingConfigTable: string;
  let saleCategory: string;
  let saleStartsBy: number;
  const categoryOf = new Map<string, string>();
  // Carried from one step to the next.
  let saleChange: FeedItem;
  let product: ProductSummary;

  const feedItems = () =>
    page.evaluate<FeedItem[]>(
      `[...document.querySelectorAll('[data-testid=feed-item]')].map((item) => ({ ...item.dataset }))`,
    );
  const testId = (id: string) => page.getByTestId(id);
  /** Rich-path price changes of the sale's other products for windows ending at `from` or later, oldest first. */
  const neighbourChanges = async (productId: string, from: number) =>
    (await ops.changes({ minutes: 10, limit: 500 })).changes
      .filter(
        (change) =>
          change.action === 'price' &&
          change.source === 'rich-path' &&
          change.productId !== productId &&
          categoryOf.get(change.productId) === saleCategory &&
          Date.parse(change.changedAt) >= from,
      )
      .reverse();

  beforeAll(async () => {
    stack = startStack(['--duration', '600', '--rate', String(RATE), '--seed', String(SEED)]);
    const dynamodb = (await stack.line(/^\s+DynamoDB Local\s+(\S+)/, 120_000)).match[1] as string;
    const kinesis = (await stack.line(/^\s+Kinesis\s+(\S+)/, 1_000)).match[1] as string;
    pricingConfigTable = (await stack.line(/^\s+table pricingConfig\s+(\S+)/, 1_000)).match[1] as string;
    token = (await stack.line(/^\s+ops token\s+(\S+)/, 120_000)).match[1] as string;
    readToken = (await stack.line(/^\s+read-only token\s+(\S+)/, 1_000)).match[1] as string;
    dashboardUrl = (await stack.line(/^\s+ops dashboard\s+(\S+)/, 1_000)).match[1] as string;
    // The simulator starts just before this line is printed, so the sale has begun by then + 20 s.
    saleStartsBy = (await stack.line(/^\s+simulator: flash-sale at/, 60_000)).at + FLASH_SALE_START_MS;

    clients = createLocalClients({ dynamodb, kinesis });
    ops = new OpsClient({ baseUrl: new URL(dashboardUrl).origin, token });
    // The same seed gives the same catalogue and the same flash-sale category as the run's simulator.
    const catalogue = generateCatalogue(new Date().toISOString(), { seed: SEED, productCount: PRODUCTS });
    for (const item of catalogue) categoryOf.set(item.productId, item.category);
    const scenario = buildScenario(
      'flash-sale',
      { categories: [...new Set(categoryOf.values())], productIds: [...categoryOf.keys()] },
      SEED,
    );
    saleCategory = scenario.flashSale?.category as string;

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(30_000);
    policyViolations = recordPolicyViolations(page);
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await stack?.stop();
    clients?.destroy();
  }, 60_000);

  it('loads the products table with a sparkline per product, and keeps the token out of the address bar', async () => {
    await page.goto(dashboardUrl);
    await expect
      .poll(() => page.locator('[data-testid=product-row]').count(), { timeout: 90_000, interval: 500 })
      .toBe(PRODUCTS);
    expect(await page.locator('[data-testid=product-row] svg[data-testid=sparkline] path').count()).toBe(PRODUCTS);
    expect(await testId('kpi-products').textContent()).toContain(String(PRODUCTS));
    expect(page.url()).not.toContain('token=');
    expect(page.url()).toMatch(/#\/products$/);
    expect(await page.evaluate(`sessionStorage.getItem('clickprice.opsToken')`)).toBe(token);
    // The live feed is polling.
    await page.locator('[data-testid=live-status][data-state=ok]').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'products-page.png') });
  }, 150_000);

  it('shows a price change caused by the flash sale arriving in the live feed, without a reload', async () => {
    const before = new Set((await feedItems()).map((item) => item.changeId));
    // Gone if the page reloads: the feed must update in place.
    await page.evaluate('window.e2eSameDocument = true');
    const priced = new Map<string, ProductSummary>();
    let found: FeedItem | undefined;
    await expect
      .poll(
        async () => {
          for (const item of await feedItems()) {
            const fromSale =
              !before.has(item.changeId) &&
              item.action === 'price' &&
              SALE_REASONS.has(item.reason) &&
              categoryOf.get(item.productId) === saleCategory &&
              Date.parse(item.changedAt) >= saleStartsBy;
            if (!fromSale) continue;
            // The freeze must be able to matter: the product needs room below its ceiling.
            const current = priced.get(item.productId) ?? (await ops.getProduct(item.productId));
            priced.set(item.productId, current);
            if (current.price < current.ceiling && current.freeze === null) {
              found = item;
              return true;
            }
          }
          return false;
        },
        { timeout: 150_000, interval: 1_000 },
      )
      .toBe(true);
    saleChange = found as FeedItem;
    expect(await page.evaluate('window.e2eSameDocument')).toBe(true);
    // The API agrees: the change is in the feed it serves, a rise in the sale's category.
    const served = (await ops.changes({ minutes: 10, limit: 500 })).changes.find(
      (change) => change.changeId === saleChange.changeId,
    );
    expect(served).toMatchObject({ productId: saleChange.productId, action: 'price' });
    expect((served as PriceChange).newPrice).toBeGreaterThan((served as PriceChange).oldPrice);
    expect((await ops.getProduct(saleChange.productId)).category).toBe(saleCategory);
    // The feed says why, in a line: a significant rise, and whether orders stood behind it.
    const evidence = page.locator(
      `[data-testid=feed-item][data-change-id=${JSON.stringify(saleChange.changeId)}] [data-testid=evidence]`,
    );
    expect(await evidence.getAttribute('data-verdict')).toBe('significant');
    expect(await evidence.locator('[data-testid=evidence-summary]').textContent()).toMatch(
      /^demand up ×[\d.]+ over \d+ (min|windows?) · (clicks only|confirmed by orders)/,
    );
  }, 180_000);

  it('opens the changed product: the chart marks the change with its reason on hover, and the history lists it', async () => {
    const { productId, changeId } = saleChange;
    await page
      .locator(`[data-testid=feed-item][data-change-id=${JSON.stringify(changeId)}] [data-testid=feed-product]`)
      .click();
    await expect.poll(() => page.url()).toContain(`#/products/${productId}`);
    expect(await testId('product-id').textContent()).toBe(productId);
    await page.locator(`[data-testid=history-row][data-change-id=${JSON.stringify(changeId)}]`).waitFor();

    // The marker of that change, hovered: the tooltip gives its reason, guardrail and source.
    const change = (await ops.history(productId, { limit: 100 })).changes.find((row) => row.changeId === changeId);
    expect(change).toBeDefined();
    const markerAt = `(() => {
      const chart = Chart.getChart(document.querySelector('[data-testid=price-chart] canvas'));
      const markers = chart.data.datasets[1].data;
      const index = markers.findIndex((point) => point.change.changeId === ${JSON.stringify(changeId)});
      if (index < 0) return null;
      const point = chart.getDatasetMeta(1).data[index];
      const box = chart.canvas.getBoundingClientRect();
      return { x: box.left + point.x, y: box.top + point.y };
    })()`;
    await expect
      .poll(async () => {
        const at = await page.evaluate<{ x: number; y: number } | null>(markerAt);
        if (at === null) return 'no marker';
        await page.mouse.move(at.x, at.y);
        return testId('tip-reason')
          .textContent({ timeout: 1_000 })
          .catch(() => 'no tooltip');
      })
      .toBe(change?.reasonCode);
    expect(await testId('tip-guardrail').textContent()).toBe(change?.guardrail ?? 'none');
    expect(await testId('tip-source').textContent()).toBe(change?.source);
    expect(await testId('tip-explanation').textContent()).toBe(change?.explanation);
    // The tooltip and the history row show the evidence the row recorded: the decisive test's counts
    // and its p-value against the threshold.
    const signals = change?.signals ?? {};
    const tipEvidence = page.locator('[data-testid=chart-tooltip] [data-testid=evidence]');
    expect(await tipEvidence.getAttribute('data-verdict')).toBe('significant');
    expect(await tipEvidence.locator('[data-testid=evidence-threshold]').textContent()).toMatch(
      /^P [=<] \S+ ≤ threshold \S+ \(false-alarm level \S+ over 48 tests\)/,
    );
    const row = page.locator(`[data-testid=history-row][data-change-id=${JSON.stringify(changeId)}]`);
    await row.locator('[data-testid=evidence] summary').click();
    const test = await row.locator('[data-testid=evidence-test]').textContent();
    const decisive = ['viewsUp', 'cartsUp'].find((key) => `${key}Count` in signals) as string;
    expect(test).toContain(`${signals[`${decisive}Count`]} in the last`);
    expect(test).toContain(
      `baseline ${signals[`${decisive}BaselineCount`]} in ${signals[`${decisive}BaselinePeriods`]} min`,
    );
    const frame = page.locator('[data-testid=price-chart] .chart-frame');
    expect(Number(await frame.getAttribute('data-price-points'))).toBeGreaterThanOrEqual(3);
    await page.mouse.move(0, 0);
  }, 90_000);

  it('freezes it through the confirmation dialog, and the price holds while the sale moves its unfrozen neighbours', async () => {
    const { productId } = saleChange;
    await testId('action-freeze').click();
    await testId('freeze-dialog').waitFor();
    expect(await testId('dialog-summary').textContent()).toContain('stays at');
    await testId('field-duration').selectOption('none');
    expect(await testId('dialog-summary').textContent()).toContain('until someone unfreezes it');
    // The reason is required: without one, nothing is sent.
    await testId('dialog-confirm').click();
    await testId('dialog-error').waitFor();
    expect((await ops.getProduct(productId)).freeze).toBeNull();
    await testId('field-reason').fill(FREEZE_REASON);
    await testId('dialog-confirm').click();
    await testId('frozen-banner').waitFor({ timeout: 30_000 });
    expect(await testId('action-freeze').count()).toBe(0);

    product = await ops.getProduct(productId);
    expect(product.freeze).toMatchObject({ reason: FREEZE_REASON, until: null });
    const actor = product.freeze?.actor as string;
    expect(await testId('frozen-banner').textContent()).toContain(actor);
    expect(await testId('frozen-banner').textContent()).toContain(FREEZE_REASON);
    const freezeRow = (await ops.history(productId, { limit: 5 })).changes[0] as PriceChange;
    expect(freezeRow).toMatchObject({ action: 'freeze', reasonCode: 'freeze', actor, source: 'ops' });

    // From now on every decision in the sale's category asks for a higher price (see the top).
    // Every product that sells counts as scarce: the slightest chance of selling out before its next
    // delivery is enough to ration it.
    const overrides: CategoryOverrides = {
      cooldownSeconds: 0,
      maxChangesPerDay: 1_440,
      lowStockConfidence: 1e-12,
      lowStockHoldConfidence: 1e-12,
      overstockCoverDays: 3_650,
      lowStockPremiumPct: 50,
    };
    const categories = { [saleCategory]: overrides };
    pricingConfigSchema.parse({ categories });
    await clients?.documentClient.send(
      new UpdateCommand({
        TableName: pricingConfigTable,
        Key: { [tables.pricingConfig.partitionKey.name]: PRICING_CONFIG_ITEM },
        UpdateExpression: 'SET categories = :categories, version = if_not_exists(version, :zero) + :one',
        ExpressionAttributeValues: { ':categories': categories, ':zero': 0, ':one': 1 },
      }),
    );
    // Decisions made from here on read the pushed parameters.
    const pushedFrom = Date.now() + CONFIG_CACHE_MS;

    // The hold: at least HOLD_MS, and through the pricing of the first rich-path window that closes
    // after the push (every product with traffic in the window gets a decision then; the fast path
    // only decides on a surge). Its first neighbour change shows the round is under way; the round's
    // other rows follow within seconds. All along, the page and the API show the frozen price.
    let roundWindowEnd: number | undefined;
    let holdEnds = pushedFrom + HOLD_MS;
    const deadline = pushedFrom + HOLD_LIMIT_MS;
    for (;;) {
      expect((await ops.getProduct(productId)).price).toBe(product.price);
      await testId('frozen-banner').waitFor({ timeout: 5_000 });
      expect(Number(await testId('current-price').getAttribute('data-cents'))).toBe(product.price);
      if (roundWindowEnd === undefined) {
        roundWindowEnd = (await neighbourChanges(productId, pushedFrom)).map((change) =>
          Date.parse(change.changedAt),
        )[0];
        if (roundWindowEnd !== undefined) holdEnds = Math.max(holdEnds, Date.now() + ROUND_SETTLE_MS);
      }
      if (roundWindowEnd !== undefined && Date.now() >= holdEnds) break;
      if (Date.now() > deadline)
        throw new Error(`no rich-path window was priced within ${HOLD_LIMIT_MS} ms of the push`);
      await page.waitForTimeout(2_000);
    }

    const after = await ops.getProduct(productId);
    expect(after).toMatchObject({ price: product.price, version: product.version });
    expect(after.freeze).not.toBeNull();
    const sinceFreeze = (await ops.history(productId, { limit: 20 })).changes.filter(
      (row) => row.changeId > freezeRow.changeId,
    );
    expect(sinceFreeze).toEqual([]);

    // The freeze was tested: the product had traffic in the window priced under the push...
    const windows = (await ops.demand(productId, { from: new Date(pushedFrom - 5 * 60_000).toISOString() })).windows;
    const priced = windows.find((window) => Date.parse(window.windowEnd) === roundWindowEnd);
    expect(priced, `no window of ${productId} ending at ${new Date(roundWindowEnd ?? 0).toISOString()}`).toBeDefined();
    expect((priced?.views ?? 0) + (priced?.carts ?? 0) + (priced?.purchases ?? 0)).toBeGreaterThan(0);
    // ...and that same round moved the prices of its unfrozen neighbours.
    const neighbours = (await neighbourChanges(productId, pushedFrom)).filter(
      (change) => Date.parse(change.changedAt) === roundWindowEnd,
    );
    expect(neighbours.length).toBeGreaterThan(0);

    // The page still says so after the hold, and the chart carries the freeze marker.
    await testId('frozen-banner').waitFor();
    await testId('action-unfreeze').waitFor();
    await page.locator(`[data-testid=history-row][data-change-id=${JSON.stringify(freezeRow.changeId)}]`).waitFor();
    const freezeMarker =
      await page.evaluate<number>(`Chart.getChart(document.querySelector('[data-testid=price-chart] canvas'))
      .data.datasets[1].data.findIndex((point) => point.change.changeId === ${JSON.stringify(freezeRow.changeId)})`);
    expect(freezeMarker).toBeGreaterThanOrEqual(0);
  }, 200_000);

  it('shows the API’s 4xx message in the dialog, on the field it names', async () => {
    await testId('action-bounds').click();
    await testId('bounds-dialog').waitFor();
    // A floor above the base price is refused by the API (400, field "floor").
    await testId('field-floor').fill(((product.basePrice + 100) / 100).toFixed(2));
    await testId('field-reason').fill('e2e: a floor above base must be refused');
    await testId('dialog-confirm').click();
    await testId('dialog-error').waitFor();
    expect(await testId('dialog-error').textContent()).toMatch(/base price.*\(400/);
    expect(await testId('field-floor').getAttribute('aria-invalid')).toBe('true');
    await testId('dialog-cancel').click();
    expect((await ops.getProduct(product.productId)).floor).toBe(product.floor);
  }, 60_000);

  it('leaves a screenshot of the frozen product page, a change marker hovered', async () => {
    const path = join(ARTIFACTS_DIR, 'product-page.png');
    const markerAt = `(() => {
      const chart = Chart.getChart(document.querySelector('[data-testid=price-chart] canvas'));
      const index = chart.data.datasets[1].data.findIndex((point) => point.change.changeId === ${JSON.stringify(saleChange.changeId)});
      const point = chart.getDatasetMeta(1).data[index];
      const box = chart.canvas.getBoundingClientRect();
      return point ? { x: box.left + point.x, y: box.top + point.y } : null;
    })()`;
    // Still held, seconds after the round the hold waited for.
    const held = await ops.getProduct(product.productId);
    expect(held).toMatchObject({ price: product.price, version: product.version });
    await page.evaluate('window.scrollTo(0, 0)');
    // The chart redraws every 3 s, which may drop the hover: hover until the tooltip shows.
    await expect
      .poll(async () => {
        const at = await page.evaluate<{ x: number; y: number } | null>(markerAt);
        if (at) await page.mouse.move(at.x, at.y);
        return testId('tip-reason').isVisible();
      })
      .toBe(true);
    await page.screenshot({ path, fullPage: true });
    expect(existsSync(path)).toBe(true);
  }, 30_000);

  it('runs under its Content-Security-Policy without a violation', () => {
    expect(policyViolations).toEqual([]);
  });

  it('shows a read-only token every action disabled, and the API refuses an action forced anyway', async () => {
    const reader = await (browser as Browser).newPage();
    try {
      await reader.goto(`${new URL(dashboardUrl).origin}/dashboard#token=${readToken}`);
      await reader.locator('[data-testid=product-row]').first().waitFor({ timeout: 60_000 });
      const productId = (await reader.getByTestId('product-link').first().textContent()) as string;
      await reader.getByTestId('product-link').first().click();
      await reader.getByTestId('action-price').waitFor();

      for (const action of [
        'action-freeze',
        'action-price',
        'action-bounds',
        'kill-switch-toggle',
        'shadow-mode-toggle',
      ]) {
        expect(await reader.getByTestId(action).isDisabled(), action).toBe(true);
      }
      // Forced: the page's own fetch with the read-only token, as a user with the dev tools open could.
      const status = await reader.evaluate(
        async ([id, bearer]) =>
          (
            await fetch(`/ops/products/${id}/freeze`, {
              method: 'POST',
              headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
              body: JSON.stringify({ reason: 'forced by a reader', until: null }),
            })
          ).status,
        [productId, readToken],
      );
      expect(status).toBe(403);
    } finally {
      await reader.close();
    }
  }, 90_000);

  it('asks for a token when the API refuses the one it was given', async () => {
    const other = await (browser as Browser).newPage();
    try {
      await other.goto(`${new URL(dashboardUrl).origin}/dashboard#token=not-a-token`);
      await other.getByTestId('token-screen').waitFor();
      expect(await other.getByTestId('token-screen').textContent()).toContain('401');
      expect(other.url()).not.toContain('not-a-token');
      await other.getByTestId('token-input').waitFor();
    } finally {
      await other.close();
    }
  }, 30_000);
});
