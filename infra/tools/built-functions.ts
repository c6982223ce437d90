/**
 * The clickprice functions as `cdk synth` builds them (esbuild bundling, into a cloud assembly), and
 * how one loads: the bundles bench measures them, and a test holds every bundle to loading at all in
 * a fresh Node process with nothing beside it, as on Lambda.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildApp } from '../build-app.js';

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
  const context = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;
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
export function loadMs(fn: BuiltFunction): number {
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
