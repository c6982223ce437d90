import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { localStreamName } from '../../../definitions/resources.js';
import { createLocalClients } from '../../../local/clients.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';
import { loadCatalogue } from '../../../simulator/catalogue-loader.js';
import { type RecordedLine, readRecording } from '../../../simulator/recording.js';
import type { SimulatedClickEvent } from '../../../simulator/records.js';
import { Tally } from '../../../simulator/tally.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { watch } from '../../helpers/watched-process.js';
import { startKinesisProxy } from './kinesis-proxy.js';
import { readStream, type StoredRecord, scratchStream, scratchTables } from './stream-helpers.js';

const stack = useLocalStack();
const directory = mkdtempSync(join(tmpdir(), 'clickprice-cli-'));

/**
 * Starts the same entry point as `npm run simulate`, with no local-stack variables inherited;
 * `detached` gives it a process group of its own, as a terminal would, so Ctrl-C can reach it all.
 */
function startSimulate(args: string[], options: { detached?: boolean } = {}) {
  const environment = { ...process.env };
  for (const name of Object.keys(environment)) {
    if (/^(AWS_ENDPOINT_URL|TABLE_|CLICKS_STREAM_NAME)/.test(name)) delete environment[name];
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'simulator/cli.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: environment,
    detached: options.detached ?? false,
  });
  const run = watch(child);
  const exited = run.exited.then((code) => ({ code, ...run.output() }));
  return { child, exited, stderr: () => run.output().stderr };
}

function simulate(args: string[]) {
  return startSimulate(args).exited;
}

function lastLineJson(stdout: string) {
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
}

const number = new Intl.NumberFormat('en-US');

/** Polls until `ready` holds, failing after `timeoutMs`. */
async function until(ready: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!ready()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

/** Busy-loop processes, one per core, until the returned function ends them. */
function loadEveryCore(): () => void {
  const children = Array.from({ length: availableParallelism() }, () =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
  );
  return () => {
    for (const child of children) child.kill('SIGKILL');
  };
}

const recordKey = (record: { partitionKey: string; data: string | Buffer }) =>
  `${record.partitionKey}\u0000${Buffer.from(record.data).toString('base64')}`;

/** Recorded lines that are not on the stream (same partition key, same bytes). */
function notOnStream(lines: readonly RecordedLine[], stored: readonly StoredRecord[]): RecordedLine[] {
  const onStream = new Set(stored.map(recordKey));
  return lines.filter((line) => !onStream.has(recordKey(line)));
}

/** The summary's `records` section that the recording's lines add up to. */
function recount(lines: readonly RecordedLine[]) {
  const tally = new Tally();
  for (const line of lines) {
    const event = line.kind.startsWith('bad:') ? null : (JSON.parse(line.data) as SimulatedClickEvent);
    tally.add(line.kind, event);
  }
  return tally.counts();
}

/** A stream, products and orders tables of the test's own, with a small catalogue. */
async function scratchTarget(prefix: string) {
  const [streamName, names] = await Promise.all([
    scratchStream(stack.clients, prefix),
    scratchTables(stack.clients, prefix),
  ]);
  await loadCatalogue(
    stack.clients.documentClient,
    names.products,
    generateCatalogue('2026-11-27T08:00:00.000Z', { productCount: 40 }),
  );
  return {
    streamName,
    /** The target flags, with Kinesis reached at `kinesisEndpoint` (kinesalite itself, or a proxy in front of it). */
    args: (kinesisEndpoint: string) => [
      ...['--endpoint-kinesis', kinesisEndpoint, '--endpoint-dynamodb', stack.endpoints.dynamodb],
      ...['--stream', streamName, '--products-table', names.products, '--orders-table', names.orders],
    ],
  };
}

const damaged = join(directory, 'damaged.jsonl');
writeFileSync(damaged, '{"seq":0,"atMs":0,"kind":"valid","partitionKey":"s-1","data":"{}"}\nnot json\n');

describe('npm run simulate', () => {
  it.concurrent.for([
    [
      ['--scenario', 'cyber-monday'],
      /--scenario must be one of steady, flash-sale, black-friday, bot-attack, bad-events, sustained-shift, scarce-stock; got "cyber-monday"/,
    ],
    [['--rate', '-5'], /--rate must be a positive number, got "-5"/],
    [['--rate=0'], /--rate must be a positive number, got "0"/],
    [['--duration', 'soon'], /--duration must be a positive integer, got "soon"/],
    [['--replay', join(directory, 'missing.jsonl')], /cannot read replay file .*missing\.jsonl: ENOENT/],
    [['--replay', directory], /cannot read replay file .*: not a file/],
    [
      ['--replay', damaged, '--endpoint-kinesis', 'http://127.0.0.1:1', '--endpoint-dynamodb', 'http://127.0.0.1:1'],
      /replay file .*damaged\.jsonl, line 2: not JSON/,
    ],
    [['--replay', damaged, '--rate', '5'], /--replay sends the recording exactly as it was; --rate cannot change it/],
    [['--category', 'toys'], /--category applies to --scenario flash-sale only/],
    [['--restock-every', '0'], /--restock-every must be a positive number, got "0"/],
    [['--restock-every', '-30'], /--restock-every must be a positive number, got "-30"/],
    [['--restock-every', 'daily'], /--restock-every must be a positive number, got "daily"/],
    [['--restock-cover', '-1'], /--restock-cover must be a number of minutes >= 0, got "-1"/],
    [
      ['--replay', damaged, '--restock-every', '60'],
      /--restock-every does not apply to --replay: a replay does not restock/,
    ],
    [['--fast'], /--fast needs --duration/],
    [['--stream', 'clicks'], /also give --products-table and --orders-table/],
    [['--endpoint-kinesis', 'http://127.0.0.1:4567'], /--endpoint-dynamodb is needed too/],
    [['--bogus'], /Unknown option '--bogus'[\s\S]*usage: npm run simulate/],
    [['--rate', '5', '--rate', '50'], /--rate is given more than once/],
    [
      ['--start-time', 'tomorrow'],
      /--start-time must be an ISO-8601 instant with its offset, such as 2026-11-22T10:00:00Z, or a day; got "tomorrow"/,
    ],
    // Not rolled over into March, as Date.parse alone would.
    [['--start-time', '2026-02-30T09:00:00Z'], /--start-time names a day or time that does not exist/],
    // The embedded stack's catalogue is known before it starts: refused without starting it.
    [
      ['--local', '--scenario', 'flash-sale', '--category', 'nope', '--duration', '5'],
      /^error: flash-sale category "nope" is not in the catalogue; choose one of automotive, /,
    ],
    [
      ['--local', '--scenario', 'bot-attack', '--bot-products', 'P99999', '--duration', '5'],
      /^error: bot-attack products not in the catalogue: P99999/,
    ],
  ] as [string[], RegExp][])(
    'rejects %j with exit code 2 and says what is wrong',
    async ([args, message], { expect }) => {
      const result = await simulate(args);
      expect(result.stderr).toMatch(message);
      expect(result.code).toBe(2);
    },
  );

  it('runs a scenario against given endpoints and names, and prints the JSON summary last', async () => {
    // Prepare: this suite's own stream and tables on the shared local stack.
    const [streamName, names] = await Promise.all([
      scratchStream(stack.clients, 'cli'),
      scratchTables(stack.clients, 'cli'),
    ]);
    await loadCatalogue(
      stack.clients.documentClient,
      names.products,
      generateCatalogue('2026-11-27T08:00:00.000Z', { productCount: 40 }),
    );

    // Act
    const result = await simulate([
      ...['--endpoint-kinesis', stack.endpoints.kinesis, '--endpoint-dynamodb', stack.endpoints.dynamodb],
      ...['--stream', streamName, '--products-table', names.products, '--orders-table', names.orders],
      ...['--scenario', 'bot-attack', '--rate', '100', '--duration', '20', '--fast', '--seed', '7'],
      ...['--restock-every', '2', '--restock-cover', '3.5'],
    ]);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '');
    expect(summary).toMatchObject({
      mode: 'generate',
      scenario: 'bot-attack',
      seed: 7,
      stream: streamName,
      endedBy: 'duration',
    });
    expect(summary.records.bot).toBeGreaterThan(0);
    // Restocked by the plan the flags gave: once, at the start of a 20 s run.
    expect(summary.stock).toMatchObject({
      plan: { everyMinutes: 2, coverMinutes: 3.5, supplyShare: 1 },
      deliveries: 1,
    });
    expect(summary.records.valid).toBeGreaterThan(1_000);
    const stored = await readStream(stack.clients.kinesis, streamName);
    expect(stored.length).toBe(summary.records.total);
  });
});

describe('npm run simulate: what it records, and how it exits', () => {
  it('under CPU load, a recorded --fast run records only what is on the stream, and its summary counts what it recorded', async () => {
    // Prepare: busy loops on every core, so the simulator, kinesalite and the test compete for CPU.
    const target = await scratchTarget('cli-load');
    const out = join(directory, 'under-load.jsonl');
    const stopLoad = loadEveryCore();
    const startedAt = performance.now();

    // Act
    let result: Awaited<ReturnType<typeof simulate>>;
    try {
      result = await simulate([
        ...target.args(stack.endpoints.kinesis),
        ...['--scenario', 'bad-events', '--rate', '100', '--duration', '30', '--fast', '--seed', '9', '--out', out],
      ]);
    } finally {
      stopLoad();
    }
    const seconds = (performance.now() - startedAt) / 1000;

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const summary = lastLineJson(result.stdout);
    const lines = await readRecording(out);
    const stored = await readStream(stack.clients.kinesis, target.streamName);
    console.info(`under CPU load: ${lines.length} records recorded in ${seconds.toFixed(1)} s`);
    expect(lines.length).toBeGreaterThan(2_000);
    expect(lines.length).toBeLessThan(6_000);
    expect(notOnStream(lines, stored)).toEqual([]);
    expect(stored.length).toBe(lines.length);
    expect(summary.records).toEqual(recount(lines));
    expect(summary.sender).toMatchObject({ recordsSent: lines.length, lostRecords: 0, abandonedRecords: 0 });
  }, 60_000);

  it('exits 1, naming how many records were lost and why, when the stream goes away mid-run; nothing lost is recorded', async () => {
    // Prepare: a proxy that passes the first 4 PutRecords calls and then answers as for a deleted stream.
    const target = await scratchTarget('cli-gone');
    const proxy = await startKinesisProxy(stack.endpoints.kinesis, { streamGoneFromCall: 4 });
    const out = join(directory, 'stream-gone.jsonl');

    // Act
    const result = await simulate([
      ...target.args(proxy.endpoint),
      ...['--scenario', 'bad-events', '--rate', '100', '--duration', '30', '--fast', '--seed', '4', '--out', out],
    ]);
    await proxy.close();

    // Assess
    expect(result.code, result.stderr).toBe(1);
    const summary = lastLineJson(result.stdout);
    expect(summary.endedBy).toBe('stream-error');
    expect(summary.sender.lostRecords).toBeGreaterThan(0);
    const lost = number.format(summary.sender.lostRecords);
    expect(result.stderr).toContain(
      `error: ${lost} records lost: cannot write to stream ${target.streamName}: ResourceNotFoundException`,
    );
    const lines = await readRecording(out);
    const stored = await readStream(stack.clients.kinesis, target.streamName);
    expect(lines.map(recordKey).sort()).toEqual(stored.map(recordKey).sort());
    expect(summary.records).toEqual(recount(lines));
  });

  it('a second Ctrl-C abandons what is queued: says how many, exits 130, and records only what is on the stream', async () => {
    // Prepare: a slow stream (each PutRecords held 300 ms), so a fast run has a long queue.
    const target = await scratchTarget('cli-ctrl-c');
    const proxy = await startKinesisProxy(stack.endpoints.kinesis, { delayMs: 300 });
    const out = join(directory, 'ctrl-c.jsonl');

    // Act
    const run = startSimulate([
      ...target.args(proxy.endpoint),
      ...['--scenario', 'steady', '--rate', '100', '--duration', '600', '--fast', '--seed', '5', '--out', out],
    ]);
    await until(() => proxy.stats.putRecordsCalls >= 4, 'the first PutRecords calls');
    run.child.kill('SIGINT');
    await until(() => run.stderr().includes('stopping: sending what is queued'), 'the first Ctrl-C');
    run.child.kill('SIGINT');
    const result = await run.exited;
    await proxy.close();

    // Assess
    expect(result.code, result.stderr).toBe(130);
    const summary = lastLineJson(result.stdout);
    expect(summary.sender.abandonedRecords).toBeGreaterThan(1_000);
    expect(summary.sender.lostRecords).toBe(0);
    expect(result.stderr).toContain(
      `stopped at once: ${number.format(summary.sender.abandonedRecords)} records abandoned`,
    );
    const lines = await readRecording(out);
    // A call cut short may have reached the stream anyway; what was recorded certainly did.
    expect(notOnStream(lines, await readStream(stack.clients.kinesis, target.streamName))).toEqual([]);
    expect(summary.records).toEqual(recount(lines));
  });

  it('with its embedded stack, one Ctrl-C stops at once (the stack stops with it), reporting what it abandoned', async () => {
    // Prepare: a terminal's Ctrl-C reaches the whole process group, the embedded servers included.
    const run = startSimulate(['--local', '--rate', '100', '--duration', '600', '--fast', '--seed', '6'], {
      detached: true,
    });
    await until(() => run.stderr().includes('simulating against'), 'the embedded stack', 60_000);
    // Once records reach its stream the run is under way (past the warm-up and the first delivery),
    // with far more queued than the stream has taken.
    const [, kinesis, dynamodb] = /kinesis (\S+), dynamodb (\S+)\)/.exec(run.stderr()) ?? [];
    const embedded = createLocalClients({ kinesis: kinesis as string, dynamodb: dynamodb as string });
    const deadline = performance.now() + 60_000;
    while ((await readStream(embedded.kinesis, localStreamName())).length === 0) {
      if (performance.now() > deadline) throw new Error('no record reached the embedded stack’s stream');
      await delay(100);
    }
    embedded.destroy();

    // Act
    process.kill(-(run.child.pid as number), 'SIGINT');
    const result = await run.exited;

    // Assess
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toContain('stopping now: records still queued are abandoned');
    const summary = lastLineJson(result.stdout);
    expect(summary.sender.abandonedRecords).toBeGreaterThan(0);
    expect(summary.records.total).toBe(summary.sender.recordsSent);
    expect(result.stderr).toContain(
      `stopped at once: ${number.format(summary.sender.abandonedRecords)} records abandoned`,
    );
  }, 90_000);
});
