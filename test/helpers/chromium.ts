/**
 * Headless Chromium for the browser tests: Debian's chromium driven by playwright-core. A newcomer
 * without it gets the suite skipped with the reason; under CI=true (where .ci/run installs it) the
 * suite fails instead.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // Without these Chromium keeps calling home, which a closed network answers slowly or not at all.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const chromiumPresent = existsSync(CHROMIUM_PATH);
const inCi = process.env.CI === 'true';

/** Whether `suite` must be skipped here; says why when it is. */
export function skipBrowserSuite(suite: string): boolean {
  if (chromiumPresent || inCi) return false;
  console.warn(
    `[${suite}] skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH; .ci/run installs it)`,
  );
  return true;
}

/** Chromium, or the CI failure that says where it should have come from. */
export function launchChromium(): Promise<Browser> {
  if (!chromiumPresent) {
    throw new Error(
      `CI=true but there is no Chromium at ${CHROMIUM_PATH}: .ci/run installs Debian's chromium package before npm test`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Collects what Chromium reports blocking under the page's Content-Security-Policy. */
export function recordPolicyViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

/** A browser with one page, and what its Content-Security-Policy blocked there. */
export interface BrowserPage {
  readonly browser: Browser;
  readonly page: Page;
  readonly policyViolations: string[];
}

/** Chromium with a page of this viewport, waiting up to 20 s for what a test asks of it. */
export async function openBrowserPage(viewport = { width: 1280, height: 900 }): Promise<BrowserPage> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(20_000);
  return { browser, page, policyViolations: recordPolicyViolations(page) };
}
