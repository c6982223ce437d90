/**
 * Every clickprice function's bundle, built as `cdk synth` builds it, loads in a fresh Node process
 * with nothing beside it but its own environment, as on Lambda: a module left out of a bundle (an
 * SDK module the bundling marks external, handler-function-defaults.ts) but imported when it loads
 * fails here instead of at a cold start in AWS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BuiltFunction, loadMs, synthesizeFunctions } from '../../infra/tools/built-functions.js';

const outdir = mkdtempSync(join(tmpdir(), 'clickprice-bundles-test-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));
const built: BuiltFunction[] = synthesizeFunctions(outdir);

describe('the functions’ bundles', () => {
  it('are every clickprice function', () => {
    expect(built.map((fn) => fn.name)).toEqual(
      expect.arrayContaining(['clickstream', 'aggregates', 'pipeline-api', 'dlq-redrive', 'dashboard']),
    );
  });

  it.each(built.map((fn) => [fn.name, fn] as const))('%s loads on its own', (_name, fn) => {
    expect(loadMs(fn)).toBeGreaterThan(0);
  });
});
