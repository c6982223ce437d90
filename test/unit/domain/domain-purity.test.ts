import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const DOMAIN = new URL('../../../functions/domain/', import.meta.url);
// Subfolders too (click-reader/): the domain is pure however it is arranged.
const files = readdirSync(DOMAIN, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));

describe('functions/domain', () => {
  it.each(files)('%s imports nothing from AWS (pure code: no SDK, no Lambda, no CDK)', (file) => {
    const source = readFileSync(new URL(file, DOMAIN), 'utf8');
    const imports = [...source.matchAll(/(?:from|import)\s+['"]([^'"]+)['"]/g)].map((match) => match[1]);
    expect(imports.filter((path) => /aws|middy|constructs/i.test(path ?? ''))).toEqual([]);
  });

  it('has the modules this test is meant to guard', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'pricing-policy.ts',
        'demand-evidence.ts',
        'rate-statistics.ts',
        'click-event.ts',
        'click-reader/byte-reader.ts',
      ]),
    );
  });
});
