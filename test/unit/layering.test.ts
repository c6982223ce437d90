import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Every TypeScript file under `folder`, with the repo paths of the modules it imports relatively. */
function importsUnder(folder: string): { file: string; imports: string[] }[] {
  const files = readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' }).filter((name) =>
    name.endsWith('.ts'),
  );
  return files.map((name) => {
    const file = join(folder, name);
    const source = readFileSync(join(ROOT, file), 'utf8');
    const specifiers = [...source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(
      (match) => match[1] ?? '',
    );
    return { file, imports: specifiers.map((specifier) => relative(ROOT, resolve(ROOT, dirname(file), specifier))) };
  });
}

describe('layering', () => {
  it('keeps the definitions at the ground: they import nothing of the project outside their folder', () => {
    const upward = importsUnder('definitions').flatMap(({ file, imports }) =>
      imports.filter((target) => !target.startsWith('definitions/')).map((target) => `${file} → ${target}`),
    );

    expect(upward).toEqual([]);
  });

  it('keeps the Lambda code off infra/: the CDK app and the local runtime sit above it', () => {
    const upward = importsUnder('functions').flatMap(({ file, imports }) =>
      imports.filter((target) => target.startsWith('infra/')).map((target) => `${file} → ${target}`),
    );

    expect(upward).toEqual([]);
  });

  it('keeps the CDK app off the local runtime, which sits on top of it', () => {
    const upward = importsUnder('infra').flatMap(({ file, imports }) =>
      imports.filter((target) => target.startsWith('local/')).map((target) => `${file} → ${target}`),
    );

    expect(upward).toEqual([]);
  });
});
