/**
 * What each Lambda deploys and how long it takes to load: the app is synthesized as `cdk synth`
 * does (esbuild bundling, into a temporary cloud assembly), and each clickprice function's built
 * `index.mjs` is measured: its size, and its module load in a fresh Node process (the import of the
 * bundle, top-level code included, with the function's own environment, NODE_OPTIONS too), median of 9
 * taken in rounds.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMs, synthesizeFunctions } from '../infra/tools/built-functions.js';
import type { BenchResult } from './run.js';

const MAX_BUNDLE_KB = 300;
const MAX_INIT_MS = 60;
const SAMPLES = 9;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export async function run(): Promise<BenchResult> {
  const outdir = mkdtempSync(join(tmpdir(), 'clickprice-bundles-'));
  try {
    const built = synthesizeFunctions(outdir);
    for (const fn of built) {
      const source = readFileSync(fn.bundle, 'utf8');
      // esbuild's stand-in for require() in an ESM bundle throws when called: no dependency may need it.
      if (source.includes('Dynamic require of')) throw new Error(`${fn.name}: its bundle calls require()`);
    }
    // Round by round, every function once a round: a slow spell of the machine then lands on all of
    // them alike, where nine loads in a row put it on one function's median (58 against 48 ms).
    const samples = new Map(built.map((fn) => [fn, [] as number[]]));
    for (let round = 0; round < SAMPLES; round++) for (const fn of built) samples.get(fn)?.push(loadMs(fn));
    const functions: Record<string, { bundleKb: number; initMs: number }> = {};
    for (const fn of built) {
      functions[fn.name] = {
        bundleKb: Math.round(statSync(fn.bundle).size / 1024),
        initMs: Math.round(median(samples.get(fn) ?? []) * 10) / 10,
      };
    }
    const maxBundleKb = Math.max(...Object.values(functions).map((fn) => fn.bundleKb));
    const maxInitMs = Math.max(...Object.values(functions).map((fn) => fn.initMs));
    return {
      functions,
      maxBundleKb,
      maxInitMs,
      targets: {
        maxBundleKb: { target: MAX_BUNDLE_KB, met: maxBundleKb <= MAX_BUNDLE_KB },
        maxInitMs: { target: MAX_INIT_MS, met: maxInitMs <= MAX_INIT_MS },
      },
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
