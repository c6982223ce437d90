import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from './args.js';

/**
 * Fails at once, naming the flag, unless `path` can be written: an existing file it may replace, or
 * a new one in a directory it may write. A run checks this before it starts, so minutes of work are
 * never lost to a typo in an output path; nothing is created or truncated by the check.
 */
export async function assertWritableFile(path: string, flag: string): Promise<void> {
  const target = resolve(path);
  try {
    const existing = await stat(target).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (existing?.isDirectory()) throw new Error('it is a directory');
    if (existing !== null) {
      await access(target, constants.W_OK);
      return;
    }
    const directory = dirname(target);
    const parent = await stat(directory).catch(() => null);
    if (parent === null || !parent.isDirectory()) throw new Error(`no directory ${directory}`);
    await access(directory, constants.W_OK);
  } catch (error) {
    throw new UsageError(`${flag}: cannot write ${path}: ${(error as Error).message}`);
  }
}
