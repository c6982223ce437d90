import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * Runs the Glue job's pure-Python unit tests (glue/job/tests, stdlib only) from `npm test`, so a rule
 * changed in TypeScript without its Python mirror fails here. `it.runIf` rather than `it.skipIf`/`it.skip`:
 * biome's noSkippedTests flags `.skip` calls, and a conditional run states the condition it needs; without
 * python3 on PATH vitest reports the test as skipped, visibly, instead of passing it.
 */
const hasPython = spawnSync('python3', ['--version'], { encoding: 'utf8' }).status === 0;

describe('Glue job Python helpers', () => {
  it.runIf(hasPython)('pass their unittest suite, including the TypeScript parity vectors', () => {
    // Prepare
    const args = ['-m', 'unittest', 'discover', '-s', 'glue/job', '-p', 'test_*.py'];

    // Act
    const run = spawnSync('python3', args, { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });

    // Assess
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, output).toBe(0);
    expect(output).toMatch(/Ran \d+ tests/);
  });
});

describe('the parity vectors the Python tests read', () => {
  it('are what the TypeScript code and the table definitions give today (regenerated when they change)', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'glue/job/tests/vectors/generate.ts'], {
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const committed = JSON.parse(readFileSync('glue/job/tests/vectors/ts-vectors.json', 'utf8'));
    expect(JSON.parse(run.stdout), 'run glue/job/tests/vectors/generate.ts and commit its output').toEqual(committed);
  });
});
