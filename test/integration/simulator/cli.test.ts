import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../../infra/catalogue-loader.js';
import { generateCatalogue } from '../../../simulator/catalogue.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { readStream, scratchStream, scratchTables } from './stream-helpers.js';

const stack = useLocalStack();
const directory = mkdtempSync(join(tmpdir(), 'clickprice-cli-'));

/** Runs the same entry point as `npm run simulate`, with no local-stack variables inherited. */
async function simulate(args: string[]) {
  const environment = { ...process.env };
  for (const name of Object.keys(environment)) {
    if (/^(AWS_ENDPOINT_URL|TABLE_|CLICKS_STREAM_NAME)/.test(name)) delete environment[name];
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'simulator/cli.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: environment,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = await once(child, 'exit');
  return { code: code as number | null, stdout, stderr };
}

const damaged = join(directory, 'damaged.jsonl');
writeFileSync(damaged, '{"seq":0,"atMs":0,"kind":"valid","partitionKey":"s-1","data":"{}"}\nnot json\n');

describe('npm run simulate', () => {
  it.concurrent.for([
    [
      ['--scenario', 'cyber-monday'],
      /--scenario must be one of steady, flash-sale, black-friday, bot-attack, bad-events; got "cyber-monday"/,
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
    [['--fast'], /--fast needs --duration/],
    [['--stream', 'clicks'], /also give --products-table and --orders-table/],
    [['--endpoint-kinesis', 'http://127.0.0.1:4567'], /--endpoint-dynamodb is needed too/],
    [['--bogus'], /Unknown option '--bogus'[\s\S]*usage: npm run simulate/],
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
    expect(summary.records.valid).toBeGreaterThan(1_000);
    const stored = await readStream(stack.clients.kinesis, streamName);
    expect(stored.length).toBe(summary.records.total);
  });
});
