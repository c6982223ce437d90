/**
 * The dashboard's pipeline panel in headless Chromium, on the local stack with its rich path (the
 * local Glue service running the DuckDB engine) and its fast path (the local pipeline): green while the Glue job runs; red once the job's run
 * is stopped behind the page's back (through the Glue API, as someone in the AWS console would); and
 * green again after a restart asked for from the panel, through its confirmation dialog; amber while
 * a discarded batch waits in the fast path's dead-letter queue, green once redriven from the panel.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TableId, tableEnvVar, tables } from '../../definitions/resources.js';
import { GlueJobRuns } from '../../functions/store/glue-job-runs.js';
import { localGlueClient } from '../../local/clients.js';
import { silentLogger } from '../../local/event-source-mapping/index.js';
import { type LocalApi, startLocalApi } from '../../local/local-api.js';
import { type LocalRichPath, startLocalRichPath } from '../../local/local-rich-path.js';
import { localStackEnvironment } from '../../local/local-stack.js';
import { type LocalPipeline, startLocalPipeline } from '../../local/pipeline.js';
import { type BrowserPage, openBrowserPage, skipBrowserSuite } from '../helpers/chromium.js';
import { discardLastRecords, viewsNow } from '../helpers/fast-path-records.js';
import { createScratchStream, putRecords } from '../helpers/kinesis-batches.js';
import { useLocalStack } from '../helpers/local-stack.js';
import { createScratchTables } from '../helpers/scratch-tables.js';

const PRODUCT = 'P-PANEL-1';
const ARTIFACTS_DIR = fileURLToPath(new URL('../artifacts/', import.meta.url));
/** The page polls the pipeline every 5 s; a change shows within two polls. */
const SHOWN_WITHIN_MS = 15_000;

describe.skipIf(skipBrowserSuite('pipeline-panel.browser'))('the pipeline panel in headless Chromium', () => {
  const stack = useLocalStack();
  let richPath: LocalRichPath;
  let pipeline: LocalPipeline;
  let streamName: string;
  let api: LocalApi;
  let ui: BrowserPage | undefined;
  let page: Page;

  beforeAll(async () => {
    Object.assign(process.env, localStackEnvironment(stack));
    // The restart item and its audit rows, the quarantine count and the engine's rows: the suite's own.
    const scratch = await createScratchTables(stack.clients.dynamodb, [
      'aggregates',
      'demand',
      'pricingConfig',
      'priceHistory',
      'quarantine',
    ]);
    for (const [id, name] of Object.entries(scratch)) process.env[tableEnvVar(tables[id as TableId])] = name;
    streamName = await createScratchStream(stack.clients.kinesis, 1);
    const tableNames = { ...stack.tableNames, ...scratch };
    // The fast path's mapping and metrics, read through the local Lambda and CloudWatch APIs it starts.
    pipeline = await startLocalPipeline({ ...stack, streamName, tableNames }, { logger: silentLogger });
    richPath = await startLocalRichPath({ clients: stack.clients, tableNames, streamName, engine: { name: 'duckdb' } });
    api = await startLocalApi({ advertise: false });
    ui = await openBrowserPage();
    page = ui.page;
  }, 90_000);

  afterAll(async () => {
    await ui?.browser.close().catch(() => undefined);
    await api?.stop();
    await richPath?.stop();
    await pipeline?.stop();
  }, 60_000);

  const pipelineState = () => page.getByTestId('pipeline-status').getAttribute('data-state');

  it('shows the pipeline green on the products page while the Glue job runs', async () => {
    await page.goto(api.dashboardUrl);
    await expect.poll(pipelineState, { timeout: SHOWN_WITHIN_MS }).toBe('ok');
    await page.getByTestId('pipeline-pill').click();
    expect(await page.getByTestId('pipeline-rich-path').textContent()).toMatch(/rich path · OK.*running for/s);
    const fastPath = page.getByTestId('pipeline-fast-path');
    expect(await fastPath.getAttribute('data-state')).toBe('ok');
    expect(await fastPath.textContent()).toMatch(/Event-source mapping Enabled.*Last hour: \d+ invocations, 0 errors/s);
  }, 60_000);

  it('turns red when the Glue job run is stopped, saying no run is active', async () => {
    const client = localGlueClient(richPath.service.url);
    try {
      await new GlueJobRuns(
        { config: client.config, endpoint: richPath.service.url },
        richPath.service.jobName,
      ).stopActive();
    } finally {
      client.destroy();
    }

    await expect.poll(pipelineState, { timeout: SHOWN_WITHIN_MS }).toBe('down');
    expect(await page.getByTestId('pipeline-pill').textContent()).toContain('Pipeline DOWN');
    expect(await page.getByTestId('pipeline-rich-path').textContent()).toMatch(
      /no run is active; the last, jr_\w+, ended STOPPED/,
    );
  }, 30_000);

  it('restarts the job from the panel, through the confirmation dialog, and turns green again', async () => {
    await page.getByTestId('glue-restart').click();
    await page.getByTestId('field-reason').fill('e2e: the job was stopped');
    await page.getByTestId('dialog-confirm').click();

    await expect.poll(pipelineState, { timeout: SHOWN_WITHIN_MS }).toBe('ok');
    expect(await page.getByTestId('pipeline-rich-path').textContent()).toMatch(
      /Last restart .* by .*e2e: the job was stopped.*: done: run jr_\w+ started/s,
    );
    expect(ui?.policyViolations).toEqual([]);
    // Left for people to look at (git-ignored, as the dashboard suite's).
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'pipeline-panel.png') });
  }, 40_000);

  it('redrives a waiting dead letter from the panel: amber while it waits, green once replayed', async () => {
    await putRecords(stack.clients.kinesis, streamName, viewsNow(3, PRODUCT));
    await pipeline.waitForIdle();
    expect(await discardLastRecords(pipeline, stack.clients.kinesis, streamName, 3)).toBe(3);
    await expect.poll(pipelineState, { timeout: SHOWN_WITHIN_MS }).toBe('warn');
    expect(await page.getByTestId('pipeline-fast-path').textContent()).toContain('1 discarded batches wait in the DLQ');

    if (!(await page.getByTestId('pipeline-panel').isVisible())) await page.getByTestId('pipeline-pill').click();
    await page.getByTestId('dlq-redrive').click();
    await page.getByTestId('field-reason').fill('e2e: throttling is over');
    await page.getByTestId('dialog-confirm').click();

    await expect.poll(pipelineState, { timeout: SHOWN_WITHIN_MS }).toBe('ok');
    expect(await page.getByTestId('pipeline-fast-path').textContent()).toMatch(/1 sent in the last hour, 0 waiting/);
  }, 40_000);

  it('shows a read-only person the restart and the redrive disabled', async () => {
    const reader = await (ui as BrowserPage).browser.newPage();
    try {
      await reader.goto(`${api.url}/dashboard#token=${api.opsReadToken}`);
      await expect
        .poll(() => reader.getByTestId('pipeline-status').getAttribute('data-state'), { timeout: SHOWN_WITHIN_MS })
        .toBe('ok');
      await reader.getByTestId('pipeline-pill').click();
      expect(await reader.getByTestId('glue-restart').isDisabled()).toBe(true);
      expect(await reader.getByTestId('dlq-redrive').isDisabled()).toBe(true);
    } finally {
      await reader.close();
    }
  }, 30_000);
});
