/**
 * What each Lambda deploys and how long it takes to load: the app is synthesized as `cdk synth`
 * does (esbuild bundling, into a temporary cloud assembly), and each clickprice function's built
 * `index.mjs` is measured: its size, and its module load in a fresh Node process (the import of the
 * bundle, top-level code included, with the function's own environment, NODE_OPTIONS too), median of 9.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildApp } from '../infra/build-app.js';
import type { BenchResult } from './run.js';

const MAX_BUNDLE_KB = 300;
const MAX_INIT_MS = 60;
const SAMPLES = 9;

interface LambdaResource {
  readonly Type: string;
  readonly Properties: {
    readonly Code?: { readonly S3Key?: unknown };
    readonly Environment?: { readonly Variables?: Record<string, unknown> };
  };
}

export interface BuiltFunction {
  /** The Powertools service name the function runs as. */
  readonly name: string;
  readonly bundle: string;
  /** The environment Lambda would give it, tokens replaced by placeholders, /var/task by the asset dir. */
  readonly environment: Record<string, string>;
}

/** Synthesizes the app with bundling and lists the clickprice functions' built bundles. */
export function synthesizeFunctions(outdir: string): BuiltFunction[] {
  const context = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')).context;
  const previous = process.env.CDK_OUTDIR;
  process.env.CDK_OUTDIR = outdir;
  try {
    const assembly = buildApp({ context }).app.synth();
    const built: BuiltFunction[] = [];
    for (const stack of assembly.stacks) {
      const resources = Object.values(stack.template.Resources as Record<string, LambdaResource>);
      for (const { Type, Properties } of resources) {
        const variables = Properties.Environment?.Variables ?? {};
        const name = variables.POWERTOOLS_SERVICE_NAME;
        // CDK's own functions (the custom-resource framework) are not clickprice's.
        if (Type !== 'AWS::Lambda::Function' || typeof name !== 'string') continue;
        const key = Properties.Code?.S3Key;
        if (typeof key !== 'string') throw new Error(`${name}: no asset key in its Code`);
        const assetDir = join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
        const environment: Record<string, string> = {};
        for (const [variable, value] of Object.entries(variables)) {
          environment[variable] =
            typeof value === 'string' ? value.replace(/^\/var\/task(?=\/|$)/, assetDir) : `bench-${variable}`;
        }
        built.push({ name, bundle: join(assetDir, 'index.mjs'), environment });
      }
    }
    return built.sort((a, b) => a.name.localeCompare(b.name));
  } finally {
    if (previous === undefined) delete process.env.CDK_OUTDIR;
    else process.env.CDK_OUTDIR = previous;
  }
}

/** Milliseconds a fresh process takes to import the bundle. */
function loadMs(fn: BuiltFunction): number {
  const script = `const started = performance.now(); await import(${JSON.stringify(pathToFileURL(fn.bundle).href)}); process.stdout.write(String(performance.now() - started));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...fn.environment,
    },
    encoding: 'utf8',
  });
  return Number(output);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export async function run(): Promise<BenchResult> {
  const outdir = mkdtempSync(join(tmpdir(), 'clickprice-bundles-'));
  try {
    const built = synthesizeFunctions(outdir);
    const functions: Record<string, { bundleKb: number; initMs: number }> = {};
    for (const fn of built) {
      const source = readFileSync(fn.bundle, 'utf8');
      // esbuild's stand-in for require() in an ESM bundle throws when called: no dependency may need it.
      if (source.includes('Dynamic require of')) throw new Error(`${fn.name}: its bundle calls require()`);
      const samples = Array.from({ length: SAMPLES }, () => loadMs(fn));
      functions[fn.name] = {
        bundleKb: Math.round(statSync(fn.bundle).size / 1024),
        initMs: Math.round(median(samples) * 10) / 10,
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
