/**
 * The house's layering, read from the imports themselves: definitions and domain at the ground,
 * neither importing the other; stores above them; use cases above stores; handlers above use
 * cases; the local runtime, the CDK app and the ops CLI on top. The libraries the runtimes share
 * (simulator, backtest, Glue job code, clients, dashboard, CLI parsing) never reach up into a
 * runtime, except in the entry points that wire one in. And no module loads itself round a cycle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

const SOURCE_FOLDERS = [
  'definitions',
  'functions',
  'simulator',
  'backtest',
  'glue',
  'clients',
  'dashboard',
  'cli',
  'local',
  'infra',
  'ops',
  'scripts',
] as const;

/** A module's repo path and the repo paths of the project modules it imports (a `.js` specifier names its `.ts`). */
interface Module {
  readonly file: string;
  readonly imports: readonly string[];
  /** The imports that load code at run time (not `import type`). */
  readonly valueImports: readonly string[];
}

function modulesUnder(folder: string): Module[] {
  const names = readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' }).filter(
    (name) => /\.(ts|js)$/.test(name) && !name.endsWith('.d.ts'),
  );
  return names.map((name) => {
    const file = join(folder, name);
    const source = readFileSync(join(ROOT, file), 'utf8');
    const toPath = (specifier: string) => relative(ROOT, resolve(ROOT, dirname(file), specifier));
    // Comments out first (JSDoc names modules in `import('…')` types), then each statement on its own:
    // a module imported for its types by one statement and for values by another is a value import.
    const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const statements = [...code.matchAll(/(?:^|\n)\s*(import|export)(\s+type)?\b[^;]*?from\s*'(\.{1,2}\/[^']+)'/g)].map(
      (match) => ({ typeOnly: match[2] !== undefined, specifier: match[3] ?? '' }),
    );
    const sideEffects = [...code.matchAll(/(?:^|\n)\s*import\s*'(\.{1,2}\/[^']+)'/g)].map((match) => match[1] ?? '');
    const dynamic = [...code.matchAll(/\bimport\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)].map((match) => match[1] ?? '');
    const values = [
      ...statements.filter((statement) => !statement.typeOnly).map((statement) => statement.specifier),
      ...sideEffects,
      ...dynamic,
    ];
    const specifiers = [...statements.map((statement) => statement.specifier), ...sideEffects, ...dynamic];
    return {
      file,
      imports: specifiers.map(toPath),
      valueImports: values.map(toPath),
    };
  });
}

const MODULES = SOURCE_FOLDERS.flatMap(modulesUnder);

/** Files a process starts from (package.json's scripts, the local Glue engine's worker): they wire runtimes in. */
const ENTRY_POINTS = new Set([
  ...Object.values(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>)
    .flatMap((script) => script.split(/\s+/))
    .filter((word) => /^[\w/-]+\.ts$/.test(word)),
  'glue/local-engine/main.ts',
]);

const within = (path: string, folders: readonly string[]) => folders.some((folder) => path.startsWith(`${folder}/`));

/** Each import of a module in `folders` that leaves `allowed` (its own folders always allowed). */
function importsOutside(folders: readonly string[], allowed: readonly string[]): string[] {
  return MODULES.filter(({ file }) => within(file, folders)).flatMap(({ file, imports }) =>
    imports.filter((target) => !within(target, [...folders, ...allowed])).map((target) => `${file} → ${target}`),
  );
}

const GROUND = ['definitions', 'functions/domain', 'functions/lib'];

describe('layering', () => {
  it('has its entry points where package.json says (the rules below exempt them)', () => {
    expect([...ENTRY_POINTS].sort()).toEqual(
      expect.arrayContaining(['backtest/cli.ts', 'local/start.ts', 'ops/cli.ts', 'simulator/cli.ts']),
    );
  });

  it('knows every source folder, and a layer for every module of functions/', () => {
    const topLevel = readdirSync(ROOT, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .filter((name) => !['node_modules', 'test', 'bench', 'cdk.out', 'coverage'].includes(name));
    const layered = [
      'functions/domain',
      'functions/lib',
      'functions/store',
      'functions/use-cases',
      'functions/handlers',
    ];

    expect([...SOURCE_FOLDERS].sort()).toEqual(expect.arrayContaining(topLevel.filter((name) => name !== 'functions')));
    expect(MODULES.filter(({ file }) => within(file, ['functions']) && !within(file, layered))).toEqual([]);
  });

  it('keeps the ground floor importing nothing above it, and definitions and domain apart', () => {
    expect(importsOutside(['definitions'], [])).toEqual([]);
    expect(importsOutside(['functions/domain'], [])).toEqual([]);
    expect(importsOutside(['functions/lib'], [])).toEqual([]);
  });

  it('puts stores above the ground, use cases above stores, handlers above use cases', () => {
    expect(importsOutside(['functions/store'], GROUND)).toEqual([]);
    expect(importsOutside(['functions/use-cases'], [...GROUND, 'functions/store'])).toEqual([]);
    expect(importsOutside(['functions/handlers'], [...GROUND, 'functions/store', 'functions/use-cases'])).toEqual([]);
  });

  it('keeps the shared libraries below the runtimes: only entry points import local/, infra/ or ops/', () => {
    const upward = MODULES.filter(
      ({ file }) =>
        within(file, ['simulator', 'backtest', 'glue', 'clients', 'dashboard', 'cli']) && !ENTRY_POINTS.has(file),
    ).flatMap(({ file, imports }) =>
      imports.filter((target) => within(target, ['local', 'infra', 'ops'])).map((target) => `${file} → ${target}`),
    );

    expect(upward).toEqual([]);
  });

  it('keeps the CDK app and the local runtime side by side, neither importing the other', () => {
    expect(importsOutside(['infra'], []).filter((edge) => /→ (local|ops)\//.test(edge))).toEqual([]);
    expect(importsOutside(['local'], []).filter((edge) => /→ (infra|ops)\//.test(edge))).toEqual([]);
  });

  // Type-only imports are erased when compiled: two modules that share types may name each other's.
  it('has no import cycle between modules at run time', () => {
    const files = new Set(MODULES.map(({ file }) => file));
    // A `.js` specifier names a `.js` file of the dashboard, or else the `.ts` module it compiles from.
    const resolveModule = (target: string) => (files.has(target) ? target : target.replace(/\.js$/, '.ts'));
    const graph = new Map(MODULES.map(({ file, valueImports }) => [file, valueImports.map(resolveModule)]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      path.push(file);
      for (const next of graph.get(file) ?? []) {
        if (!graph.has(next)) continue;
        if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' → '));
        else if (state.get(next) === undefined) visit(next);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (state.get(file) === undefined) visit(file);

    expect(cycles).toEqual([]);
  });
});
