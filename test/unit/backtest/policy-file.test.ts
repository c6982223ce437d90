import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyFileError, readPolicyFile } from '../../../backtest/policy-file.js';

function file(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'policy-')), 'policy.json');
  writeFileSync(path, content);
  return path;
}

describe('policy files', () => {
  it('reads a pricing config, the defaults filling what it leaves out', async () => {
    const config = await readPolicyFile(
      file(JSON.stringify({ defaults: { maxStepPct: 5 }, categories: { books: { cooldownSeconds: 60 } } })),
    );
    expect(config).toMatchObject({
      killSwitch: false,
      defaults: { maxStepPct: 5 },
      categories: { books: { cooldownSeconds: 60 } },
    });
  });

  it('refuses a field out of range, naming it', async () => {
    await expect(readPolicyFile(file(JSON.stringify({ defaults: { falseAlarmLevel: 2 } })))).rejects.toThrow(
      /defaults\.falseAlarmLevel: .*0\.1/,
    );
  });

  it('refuses a misspelled field, a rule broken across fields, and what is not JSON', async () => {
    await expect(readPolicyFile(file(JSON.stringify({ defaults: { maxStepPc: 5 } })))).rejects.toThrow(/maxStepPc/);
    await expect(
      readPolicyFile(
        file(JSON.stringify({ categories: { books: { lowStockConfidence: 0.2, lowStockHoldConfidence: 0.5 } } })),
      ),
    ).rejects.toThrow(/categories\.books\.lowStockHoldConfidence/);
    await expect(readPolicyFile(file('{ defaults:'))).rejects.toThrow(PolicyFileError);
    await expect(readPolicyFile('/nonexistent/policy.json')).rejects.toThrow(/cannot read policy file/);
  });
});
