import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OpsApiUnreachable, OpsClient } from '../../../clients/ops-client.js';
import { startCapturingServer } from '../../helpers/capturing-server.js';

/**
 * `npm run ops` given bad input, run as a person runs it (a child process of the entry point): each
 * mistake is one line naming the flag (exit 2) before anything is asked of an API, and an API that
 * cannot be reached is one line too (exit 1), never a stack trace.
 */
const noStack = mkdtempSync(join(tmpdir(), 'ops-cli-input-'));
afterAll(() => rmSync(noStack, { recursive: true, force: true }));
/** A loopback port nothing listens on (one just given up): a connection there is refused at once. */
const CLOSED = await closedPort();
/** A stand-in ops API that answers an empty product page and keeps what it was asked. */
const api = await startCapturingServer({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: '{"products":[],"nextCursor":null}',
});
afterAll(() => api.close());
const named = ['--api-url', api.endpoint, '--token', 't'];

async function closedPort(): Promise<string> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The CLI with no local stack to find (an empty runtime dir) and no AWS set-up but what a test gives. */
function ops(args: readonly string[], environment: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'ops/cli.ts', ...args],
      {
        env: {
          ...process.env,
          XDG_RUNTIME_DIR: noStack,
          CLICKPRICE_API_URL: '',
          CLICKPRICE_OPS_TOKEN: '',
          AWS_REGION: '',
          AWS_DEFAULT_REGION: '',
          AWS_CONFIG_FILE: join(noStack, 'no-config'),
          AWS_SHARED_CREDENTIALS_FILE: join(noStack, 'no-credentials'),
          AWS_EC2_METADATA_DISABLED: 'true',
          ...environment,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** One line on stderr, no stack frame. */
function expectOneLine(run: CliRun, message: RegExp) {
  expect(run.stderr.trim().split('\n')[0]).toMatch(message);
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

describe('ops CLI, an API it cannot reach', () => {
  it('says so in one line naming the URL and the cause, exit 1', async () => {
    const run = await ops(['products', '--api-url', CLOSED, '--token', 'x']);
    expect(run.code).toBe(1);
    expectOneLine(run, /^error: cannot reach the ops API at http:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    expect(run.stderr).toContain(CLOSED);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    // Port 9, which fetch will not even try: one line all the same.
    const blocked = await ops(['products', '--api-url', 'http://127.0.0.1:9', '--token', 'x']);
    expect(blocked.code).toBe(1);
    expectOneLine(blocked, /^error: cannot reach the ops API at http:\/\/127\.0\.0\.1:9: fetch will not connect/);
  });

  it('refuses an --api-url without a host as bad usage', async () => {
    for (const url of ['http://', 'https://?x', 'http://:80']) {
      const run = await ops(['products', '--api-url', url, '--token', 'x']);
      expect(run.code, url).toBe(2);
      expectOneLine(run, /^error: --api-url must be an http\(s\) URL with a host/);
    }
  });

  it('says in one line that an address answering 200 with no JSON is not the ops API, exit 1', async () => {
    const page = await startCapturingServer({
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<!doctype html><title>Welcome to nginx</title>',
    });
    try {
      const run = await ops(['products', '--api-url', page.endpoint, '--token', 'x']);
      expect(run.code).toBe(1);
      expectOneLine(
        run,
        /^error: cannot reach the ops API at http:\/\/\S+: it answered 200 with no JSON \("<!doctype html><title>Welcome/,
      );
    } finally {
      await page.close();
    }
  });

  it('the client throws OpsApiUnreachable, with the cause, when the request gets no answer', async () => {
    const client = new OpsClient({ baseUrl: CLOSED, token: 'x' });
    const error = await client.config().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpsApiUnreachable);
    expect((error as Error).message).toMatch(
      /^cannot reach the ops API at http:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/,
    );
  });
});

describe('ops CLI dlq, bad input', () => {
  it('refuses a --queue-url that is no http(s) URL before any AWS call', async () => {
    const run = await ops(['dlq', 'redrive', 'clickstream', '--queue-url', 'notaurl', '--function-name', 'f']);
    expect(run.code).toBe(2);
    expectOneLine(run, /^error: --queue-url must be an http\(s\) URL with a host; got "notaurl"/);
  });

  it('refuses --region without --queue-url: the local stack has no region to take', async () => {
    const run = await ops(['dlq', 'redrive', 'clickstream', '--region', 'eu-west-1']);
    expect(run.code).toBe(2);
    expectOneLine(run, /--region goes with --queue-url/);
  });

  it('names --region when no region is set, and says in one line when SQS cannot be reached (exit 1)', async () => {
    const aws = ['dlq', 'redrive', 'clickstream', '--queue-url', `${CLOSED}/0/dlq`, '--function-name', 'f'];
    const noRegion = await ops(aws);
    expect(noRegion.code).toBe(2);
    expectOneLine(noRegion, /^error: .*--region/);
    const credentials = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_MAX_ATTEMPTS: '1' };
    const unreachable = await ops([...aws, '--region', 'us-east-1'], credentials);
    expect(unreachable.code).toBe(1);
    expectOneLine(unreachable, /^error: cannot redrive from http:\/\/127\.0\.0\.1:\d+\/0\/dlq: .*ECONNREFUSED/);
  });

  it('prints its usage for --help, as the other commands do', async () => {
    const run = await ops(['dlq', '--help']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm run ops -- dlq redrive clickstream\|aggregates/);
  });

  it('refuses --max 0 and a negative --max, naming the flag', async () => {
    for (const max of ['0', '-1']) {
      const run = await ops(['dlq', 'redrive', 'clickstream', '--max', max]);
      expect(run.code, max).toBe(2);
      expectOneLine(run, /^error: --max must be a positive integer, got/);
    }
  });
});

describe('ops CLI, a command’s own checks come before looking for a target', () => {
  it.each([
    [['freeze', 'P00001', '--for', 'banana'], /^error: --for must be a duration/],
    [['products', 'extra'], /^error: products takes no arguments; got extra/],
    [['product'], /^error: product needs a product id/],
    [['history', 'P00001', '--limit', 'x'], /^error: --limit must be a positive integer, got "x"/],
    [['set-price', 'P00001'], /^error: set-price needs --price/],
    [['kill-switch', 'maybe'], /^error: kill-switch takes on or off/],
    [['pipeline', 'restart-glue'], /^error: pipeline restart-glue needs --reason/],
  ])('%j is refused for itself with no stack running', async (args, message) => {
    const run = await ops(args);
    expect(run.code).toBe(2);
    expectOneLine(run, message);
    expect(run.stderr).not.toContain('no local stack');
  });
});

describe('ops CLI, dates and durations that do not exist', () => {
  it.each([
    [['price-at', 'P00001', '--at', '2026-02-30T10:00:00Z'], /^error: --at names a day or time that does not exist/],
    [['freeze', 'P00001', '--until', '2026-02-31'], /^error: --until names a day or time that does not exist/],
    [['history', 'P00001', '--from', '2026-04-31T00:00:00Z'], /^error: --from names a day or time/],
    [['quarantine', '--day', '2026-02-29'], /^error: --day names a day that does not exist/],
    [['freeze', 'P00001', '--for', '1h1h'], /^error: --for gives h twice/],
  ])('%j is refused, naming the flag, and nothing is sent', async (args, message) => {
    const before = api.captured.length;
    const run = await ops([...args, ...named]);
    expect(run.code).toBe(2);
    expectOneLine(run, message);
    expect(api.captured.length).toBe(before);
  });
});

describe('ops CLI, flags', () => {
  it('takes the global flags before the command too', async () => {
    const run = await ops(['--json', ...named, 'products']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([]);
  });

  it('refuses global flags with no command after them, rather than printing the help as if asked', async () => {
    for (const args of [['--api-url'], ['--json'], ['--api-url', 'http://127.0.0.1:1', '--token', 't']]) {
      const run = await ops(args);
      expect(run.code, args.join(' ')).toBe(2);
      expectOneLine(run, /^error: --\S+ needs a command: npm run ops -- <command>/);
    }
    expect((await ops(['--help'])).code).toBe(0);
  });

  it('says a command’s own flag goes after the command', async () => {
    const run = await ops(['--limit', '5', 'products']);
    expect(run.code).toBe(2);
    expectOneLine(run, /^error: --limit goes after the command/);
  });

  it.each([
    [['pipeline', '--max', '5'], /^error: pipeline takes --max only with redrive-dlq/],
    [['pipeline', '--reason', 'why'], /^error: pipeline takes --reason only with restart-glue or redrive-dlq/],
    [['pipeline', 'restart-glue', '--reason', 'x', '--max', '5'], /^error: pipeline takes --max only with redrive-dlq/],
    [
      ['pipeline', 'redrive-dlq', 'clickstream', '--reason', 'x', '--max', '0'],
      /^error: --max must be a positive integer, got/,
    ],
    [['set-price', 'P00001', '--price', '-1'], /^error: --price must be an amount such as 12.99; got "-1"/],
    [['freeze', 'P00001', '--for', '-1h'], /^error: --for must be a duration such as 30m, 2h or 7d; got "-1h"/],
    [['products', '--limit', '0'], /^error: --limit must be a positive integer, got/],
    [['products', '--limit', '5', '--limit', '6'], /^error: --limit is given more than once/],
  ])('%j is refused locally, naming the flag', async (args, message) => {
    const before = api.captured.length;
    const run = await ops([...args, ...named]);
    expect(run.code).toBe(2);
    expectOneLine(run, message);
    expect(api.captured.length).toBe(before);
  });
});
