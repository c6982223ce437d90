import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A CLI entry point run as its npm script runs it (node with tsx); resolves with its exit code and output. */
export async function runScript(script: string, args: readonly string[], timeoutMs = 60_000): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', script, ...args], {
      timeout: timeoutMs,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    // A run killed at its timeout has no exit code: -1, which no expectation of a code can take for one.
    const failed = error as { code: number | null; stdout: string; stderr: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout, stderr: failed.stderr };
  }
}
