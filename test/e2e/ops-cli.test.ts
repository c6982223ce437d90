import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OPS_SCOPES } from '../../definitions/api-routes.js';
import type {
  GlueRestartAnswer,
  PipelineHealth,
  PriceChange,
  PricingConfigView,
  ProductSummary,
} from '../../functions/domain/api-types.js';
import { DLQ_REDRIVE_FUNCTION_ENV } from '../../functions/store/dead-letter-redrives.js';
import { FAST_PATH_MAPPING_ENV } from '../../functions/store/event-source-mappings.js';
import { FAST_PATH_DLQ_ENV, FAST_PATH_FUNCTION_ENV } from '../../functions/store/fast-path-metrics.js';
import { GLUE_JOB_NAME_ENV } from '../../functions/store/glue-job-runs.js';
import type { LocalGlueEngine } from '../../glue/local-engine/index.js';
import { discoveryPath, writeDiscovery } from '../../local/api-discovery.js';
import type { EventSourceMapping } from '../../local/event-source-mapping/index.js';
import { LocalMetricStore, startLocalCloudWatch } from '../../local/local-cloudwatch.js';
import { startLocalGlueService } from '../../local/local-glue-service.js';
import { startLocalLambdaService } from '../../local/local-lambda-service.js';
import { startOpsApi } from '../integration/api/ops-api-fixture.js';

/**
 * `npm run ops`, run as a person runs it (a child process of the very entry point package.json
 * names), against the local ops API over scratch tables: found through the discovery file that
 * `npm start` writes, or named with --api-url and --token.
 */
// The Glue API of the pipeline commands: the local Glue service, whose run is an engine that only
// stops (the CLI's part is asking and printing; the engine's is tested with the pipeline API).
const glue = await startLocalGlueService({
  startEngine: async () => ({ stop: async () => undefined }) as unknown as LocalGlueEngine,
});
afterAll(() => glue.stop());
// The fast path's readings: a mapping that only describes itself and a minute of its function's metrics.
const metrics = new LocalMetricStore();
for (const [name, value] of [
  ['Invocations', 3],
  ['Errors', 0],
  ['IteratorAge', 2_400],
] as const)
  metrics.put('AWS/Lambda', name, { FunctionName: 'clickstream' }, value);
const mapping = {
  mappingId: 'esm-cli',
  describe: () => ({ uuid: 'esm-cli', state: 'Enabled', lastProcessingResult: 'OK', batchSize: 100 }),
} as unknown as EventSourceMapping;
const [cloudWatch, lambda] = await Promise.all([
  startLocalCloudWatch(metrics),
  startLocalLambdaService({
    mappings: () => [mapping],
    // The redrive function as the CLI sees it through the API: what it answers, not how it redrives.
    functions: { 'dlq-redrive': async (event) => ({ outcomes: redriveOutcomes(event as { consumer: string }) }) },
  }),
]);
afterAll(() => Promise.all([cloudWatch.close(), lambda.close()]));
Object.assign(process.env, {
  AWS_ENDPOINT_URL_GLUE: glue.url,
  [GLUE_JOB_NAME_ENV]: glue.jobName,
  AWS_ENDPOINT_URL_CLOUDWATCH: cloudWatch.url,
  AWS_ENDPOINT_URL_LAMBDA: lambda.url,
  [FAST_PATH_FUNCTION_ENV]: 'clickstream',
  [FAST_PATH_DLQ_ENV]: 'clickstream-dlq',
  [FAST_PATH_MAPPING_ENV]: 'esm-cli',
  [DLQ_REDRIVE_FUNCTION_ENV]: 'dlq-redrive',
});

/** One batch replayed for the fast path; for the rich path, one that failed again. */
function redriveOutcomes({ consumer }: { consumer: string }) {
  const batch = {
    source: 'kinesis',
    streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks',
    shardId: 'shardId-000000000001',
    startSequenceNumber: '1',
    endSequenceNumber: '9',
    batchSize: 9,
  };
  return consumer === 'clickstream'
    ? [{ id: 'm-1', outcome: 'replayed', batch, records: 9 }]
    : [{ id: 'm-2', outcome: 'failed', batch, reason: 'DynamoDB is throttling' }];
}
const fixture = await startOpsApi(12);
const runtimeDir = mkdtempSync(join(tmpdir(), 'ops-cli-'));
afterAll(() => rmSync(runtimeDir, { recursive: true, force: true }));
const withLocalStack = { XDG_RUNTIME_DIR: runtimeDir };
writeDiscovery(
  { url: fixture.api.url, token: fixture.api.token('carol'), pid: process.pid, startedAt: new Date().toISOString() },
  discoveryPath(withLocalStack),
);

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function ops(args: readonly string[], environment: Record<string, string> = withLocalStack): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'ops/cli.ts', ...args],
      {
        env: { ...process.env, CLICKPRICE_API_URL: '', CLICKPRICE_OPS_TOKEN: '', ...environment },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function json<T>(args: readonly string[]): Promise<T> {
  const run = await ops([...args, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

describe('ops CLI reads', () => {
  it('lists every product as a table, and as JSON with --json', async () => {
    const run = await ops(['products']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^product\s+name\s+category\s+price/);
    for (const product of fixture.catalogue) expect(run.stdout).toContain(product.productId);
    const products = await json<ProductSummary[]>(['products']);
    expect(products.map((product) => product.productId).sort()).toEqual(
      fixture.catalogue.map((product) => product.productId).sort(),
    );
  });

  it("shows a product's history with reason, actor and change id", async () => {
    const product = fixture.freshProduct();
    await ops(['freeze', product.productId, '--reason', 'history check']);
    const run = await ops(['history', product.productId]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/changed at\s+action\s+old\s+new\s+reason/);
    expect(run.stdout).toMatch(/freeze .* carol /);
    // Amounts in the product's currency, as the dashboard and the feed write them.
    expect(run.stdout).toContain(`${(product.price / 100).toFixed(2)} ${product.currency}`);
  });
});

describe('ops CLI actions', () => {
  it('freezes for a duration with a reason; the actor is the token user', async () => {
    const product = fixture.freshProduct();
    const before = Date.now();
    const run = await ops(['freeze', product.productId, '--for', '2h', '--reason', 'supplier issue']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${product.productId} frozen`);
    const after = await json<ProductSummary>(['product', product.productId]);
    expect(after.freeze).toMatchObject({ reason: 'supplier issue', actor: 'carol' });
    const until = Date.parse(after.freeze?.until ?? '');
    expect(until).toBeGreaterThanOrEqual(before + 2 * 3600_000 - 1_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 2 * 3600_000 + 1_000);
  });

  it('sets a price by hand and rolls it back to the price before', async () => {
    const product = fixture.freshProduct();
    const target = product.floor + 100 <= product.ceiling ? product.floor + 100 : product.floor;
    const set = await ops(['set-price', product.productId, '--price', (target / 100).toFixed(2), '--json']);
    expect(set.code, set.stderr).toBe(0);
    const { change } = JSON.parse(set.stdout) as { change: PriceChange };
    expect(change.newPrice).toBe(target);
    const rollback = await ops(['rollback', product.productId, '--to', change.changeId]);
    expect(rollback.code, rollback.stderr).toBe(0);
    expect((await json<ProductSummary>(['product', product.productId])).price).toBe(product.price);
  });

  it('throws the kill switch on and off', async () => {
    expect((await ops(['kill-switch', 'on', '--reason', 'incident 42'])).code).toBe(0);
    expect((await json<PricingConfigView>(['config'])).killSwitch).toBe(true);
    expect((await ops(['kill-switch', 'off'])).code).toBe(0);
    expect((await json<PricingConfigView>(['config'])).killSwitch).toBe(false);
  });
});

describe('ops CLI pipeline', () => {
  it('shows each path red while the Glue job has no run, then restarts it (a run starts at once)', async () => {
    const down = await ops(['pipeline']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/^pipeline DOWN at /);
    expect(down.stdout).toMatch(/rich path\s+DOWN\s+clickprice-aggregation-local: the Glue job has never run/);
    expect(down.stdout).toMatch(/fast path\s+OK\s+reading clicks, 2 s behind the stream; 0 bad records quarantined/);
    expect(down.stdout).toContain('event-source mapping esm-cli: Enabled, last batch OK');
    expect(down.stdout).toContain(
      'last hour: 3 invocations, 0 errors; iterator age 2 s; dead letters 0 sent, - waiting',
    );

    const restarted = await ops(['pipeline', 'restart-glue', '--reason', 'first start after maintenance']);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stdout).toMatch(/^Glue job restarted: run jr_\w+ started \(no run was active\)\nchange id /);
    await expect.poll(async () => (await json<PipelineHealth>(['pipeline'])).richPath.status).toBe('ok');
  });

  it('asks a running job to restart, and refuses another restart while the run stops', async () => {
    await expect.poll(async () => (await json<PipelineHealth>(['pipeline'])).richPath.run?.state).toBe('RUNNING');
    const asked = await json<GlueRestartAnswer>(['pipeline', 'restart-glue', '--reason', 'stuck batches']);
    expect(asked.restart).toMatchObject({ state: 'stopping', requestedBy: 'carol', reason: 'stuck batches' });
    // Nothing hands this service's ended runs on to the run-events handler: the restart stays under way.
    const again = await ops(['pipeline', 'restart-glue', '--reason', 'again']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: 409 .*asked for by carol at .* (is in progress|was still waiting)/);
    const shown = await ops(['pipeline']);
    expect(shown.stdout).toMatch(/last restart: .* by carol \(stuck batches\)/);
  });

  it('redrives a consumer’s dead letters, printing each outcome, and exits 1 when one failed again', async () => {
    const done = await ops(['pipeline', 'redrive-dlq', 'clickstream', '--reason', 'throttling is over']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/m-1\s+replayed\s+shardId-000000000001\s+9/);
    expect(done.stdout).toMatch(/change id \S+/);
    const failed = await ops(['pipeline', 'redrive-dlq', 'aggregates', '--reason', 'retry', '--max', '5']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/m-2\s+failed\s+shardId-000000000001\s+DynamoDB is throttling/);

    expect((await ops(['pipeline', 'redrive-dlq', 'clickstream'])).stderr).toMatch(/needs --reason/);
    const unknown = await ops(['pipeline', 'redrive-dlq', 'checkout', '--reason', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/needs clickstream or aggregates; got checkout/);
    const tooMany = await ops(['pipeline', 'redrive-dlq', 'clickstream', '--reason', 'x', '--max', '1000']);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toMatch(/^error: 400 .*\(field: max\)/);
  });

  it('needs a reason to restart, and knows no other pipeline command', async () => {
    const bare = await ops(['pipeline', 'restart-glue']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/needs --reason/);
    const other = await ops(['pipeline', 'stop-everything']);
    expect(other.code).toBe(2);
  });
});

describe('ops CLI errors', () => {
  it('exits 2 with what to do when no local stack runs and no API is named', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'ops-cli-none-'));
    const run = await ops(['products'], { XDG_RUNTIME_DIR: empty });
    rmSync(empty, { recursive: true, force: true });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('npm start');
  });

  // At once, not one by one: each is refused before any request is sent.
  it.concurrent.for<[string[], RegExp]>([
    [['freeze'], /needs a product id/],
    [['set-price', 'P00001', '--price', 'ten'], /--price must be an amount/],
    [['freeze', 'P00001', '--for', '2h', '--until', '2030-01-01T00:00:00Z'], /--for or --until/],
    [['history', 'P00001', '--bogus'], /Unknown option '--bogus'/],
    [['teleport'], /unknown command "teleport"/],
  ])('exits 2 for bad usage %j', async ([args, message], { expect }) => {
    const run = await ops(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it("exits 1 with the API's message and field when the API refuses", async () => {
    const product = fixture.freshProduct();
    const bounds = await ops(['bounds', product.productId, '--floor', '20', '--ceiling', '10']);
    expect(bounds.code).toBe(1);
    expect(bounds.stderr).toMatch(/^error: 400 .*floor.*\(field: floor\)/);
    const unknown = await ops(['history', 'P99999']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: 404/);
  });

  it('talks to a named API with --api-url and --token; a read-only token cannot act (403)', async () => {
    const readOnly = fixture.api.token('viewer', [OPS_SCOPES.read]);
    const product = fixture.freshProduct();
    const named = { XDG_RUNTIME_DIR: join(runtimeDir, 'none') };
    const read = await ops(['product', product.productId, '--api-url', fixture.api.url, '--token', readOnly], named);
    expect(read.code, read.stderr).toBe(0);
    const act = await ops(['freeze', product.productId, '--api-url', fixture.api.url, '--token', readOnly], named);
    expect(act.code).toBe(1);
    expect(act.stderr).toMatch(/^error: 403/);
  });
});
