import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript } from '../../helpers/run-script.js';

const directory = mkdtempSync(join(tmpdir(), 'clickprice-backtest-'));

/** `backtest/cli.ts` as its npm script runs it. */
const backtest = (args: string[]) => runScript('backtest/cli.ts', args, 120_000);

describe('npm run backtest', () => {
  it('prints a table and, last, the JSON summary; writes the price path and a chart', async () => {
    const out = join(directory, 'path.jsonl');
    const chart = join(directory, 'chart.html');
    const { code, stdout } = await backtest([
      ...['--scenario', 'steady', '--hours', '0.25', '--seed', '3', '--products', '30'],
      ...['--out', out, '--chart', chart, '--chart-products', 'P00001,P00002'],
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/clickprice\s+fixed prices/);
    const summary = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    expect(summary).toMatchObject({ scenario: 'steady', seed: 3, hours: 0.25, products: 30, policy: 'defaults' });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0] as string).products).toHaveLength(30);
    expect(lines.length - 1).toBe(summary.clickprice.changes);
    const page = readFileSync(chart, 'utf8');
    expect(page).toContain('P00001');
    expect(page).toContain('<svg');
  });

  it('refuses a policy file that fails validation before any run, naming the field', async () => {
    const policy = join(directory, 'bad-policy.json');
    writeFileSync(policy, JSON.stringify({ defaults: { maxStepPct: 80 } }));
    const started = performance.now();
    const { code, stderr, stdout } = await backtest([
      '--scenario',
      'steady',
      '--hours',
      '24',
      '--seed',
      '1',
      '--policy',
      policy,
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/error: policy file .*bad-policy\.json.*defaults\.maxStepPct/);
    expect(stdout).toBe('');
    // Refused before 24 simulated hours could start.
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('refuses bad flags with one line naming them', async () => {
    expect((await backtest(['--scenario', 'sunny', '--hours', '1', '--seed', '1'])).stderr).toMatch(
      /--scenario must be one of/,
    );
    expect((await backtest(['--scenario', 'steady', '--hours', '-1', '--seed', '1'])).code).toBe(2);
    expect((await backtest(['--scenario', 'steady', '--hours', '1'])).stderr).toMatch(/--seed is required/);
    const chart = join(directory, 'unknown.html');
    const unknown = await backtest([
      ...['--scenario', 'steady', '--hours', '1', '--seed', '1'],
      ...['--chart', chart, '--chart-products', 'P99999'],
    ]);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringMatching(/P99999/) });
  });

  it('refuses, before the run, output paths it could not write and chart flags that do not fit together', async () => {
    const day = ['--scenario', 'steady', '--hours', '24', '--seed', '1'];
    const started = performance.now();
    const refusals = await Promise.all([
      backtest([...day, '--out', '/proc/x/y.jsonl']),
      backtest([...day, '--chart', directory]),
      backtest([...day, '--chart-products', 'P00001']),
      backtest([...day, '--chart', join(directory, 'c.html'), '--chart-products', ',,']),
      backtest([...day, '--hours', '0.5']),
    ]);
    expect(refusals.map(({ code, stdout }) => ({ code, stdout }))).toEqual(Array(5).fill({ code: 2, stdout: '' }));
    expect(refusals.map(({ stderr }) => stderr.split('\n')[0])).toEqual([
      'error: --out: cannot write /proc/x/y.jsonl: no directory /proc/x',
      `error: --chart: cannot write ${directory}: it is a directory`,
      'error: --chart-products chooses the products of --chart: give --chart too',
      'error: --chart-products names no product: ",,"',
      'error: --hours is given more than once',
    ]);
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('refuses a policy whose category overrides name no category of the catalogue', async () => {
    const policy = join(directory, 'misspelled-category.json');
    writeFileSync(policy, JSON.stringify({ categories: { electronicz: { maxStepPct: 5 } } }));
    const { code, stderr } = await backtest([
      '--scenario',
      'steady',
      '--hours',
      '24',
      '--seed',
      '1',
      '--policy',
      policy,
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/categories\.electronicz names no category of the simulator's catalogue \(.*electronics/);
  });
});
