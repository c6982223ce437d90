/**
 * `npm run seed`'s command line: what it refuses, before any AWS call, with the flag named (exit 2).
 */
import { describe, expect, it } from 'vitest';
import { runScript } from '../../helpers/run-script.js';

/** `simulator/seed.ts` as its npm script runs it. */
const seed = (args: string[]) => runScript('simulator/seed.ts', args);

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
