import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/args.js';
import { assertWritableFile } from '../../../cli/output-file.js';

const directory = mkdtempSync(join(tmpdir(), 'output-file-'));

describe('assertWritableFile', () => {
  it('accepts a new file in a directory that exists, and creates nothing', async () => {
    const path = join(directory, 'new.jsonl');
    await assertWritableFile(path, '--out');
    expect(existsSync(path)).toBe(false);
  });

  it('accepts an existing file and leaves its content as it is', async () => {
    const path = join(directory, 'old.jsonl');
    writeFileSync(path, 'kept\n');
    await assertWritableFile(path, '--out');
    expect(readFileSync(path, 'utf8')).toBe('kept\n');
  });

  it('refuses, naming the flag, a missing directory, a directory and a path under a file', async () => {
    mkdirSync(join(directory, 'a-directory'));
    writeFileSync(join(directory, 'a-file'), '');
    await expect(assertWritableFile('/proc/x/y.jsonl', '--out')).rejects.toThrow(
      new UsageError('--out: cannot write /proc/x/y.jsonl: no directory /proc/x'),
    );
    await expect(assertWritableFile(join(directory, 'a-directory'), '--chart')).rejects.toThrow(
      /^--chart: cannot write .*a-directory: it is a directory$/,
    );
    await expect(assertWritableFile(join(directory, 'a-file', 'x.html'), '--chart')).rejects.toThrow(
      /--chart: cannot write .*not a directory/,
    );
  });
});
