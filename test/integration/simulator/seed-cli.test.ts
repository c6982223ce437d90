/**
 * `npm run seed`'s command line: what it refuses, before any AWS call, with the flag named (exit 2).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

async function seed(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'simulator/seed.ts', ...args], {
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run seed', () => {
  it.concurrent.for([
    [['--bogus'], /^error: Unknown option '--bogus'[\s\S]*usage: npm run seed/],
    [['extra'], /^error: Unexpected argument 'extra'/],
    [[], /^error: --table <products table name> is required/],
    [['--table', 't', '--count', '0'], /^error: --count must be a positive integer, got "0"/],
    [['--table', 't', '--table', 'u'], /^error: --table is given more than once/],
  ] as [string[], RegExp][])(
    'refuses %j with exit code 2, naming what is wrong',
    async ([args, message], { expect }) => {
      const result = await seed(args);
      expect(result.stderr).toMatch(message);
      expect(result.code).toBe(2);
    },
  );

  it('prints its usage on --help', async () => {
    expect(await seed(['--help'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^usage: npm run seed/) });
  });
});
