/**
 * `npm start` as a process, for the end-to-end suites that run it: its output watched, its summary
 * (the last line of stdout) read, and what it may leave behind found.
 */
import { execFileSync, spawn } from 'node:child_process';
import { type WatchedProcess, watch } from './watched-process.js';

/** Runs the same entry point as `npm start` (package.json execs exactly this). */
export function startProcess(args: string[]) {
  return watch(
    spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/**
 * `npm start` itself, in a process group of its own as a terminal would run it, so a test can press
 * Ctrl-C: a SIGINT to the whole group.
 */
export function npmStart(args: string[]) {
  return watch(spawn('npm', ['start', '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
}

/** Server processes still running that were started for one of these ports. */
export function serversOnPorts(ports: string[]): string[] {
  const processes = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).split('\n');
  return processes.filter(
    (line) => /DynamoDBLocal|kinesalite/.test(line) && ports.some((port) => line.includes(` ${port} `)),
  );
}

export function portsOf(summary: { endpoints: Record<string, string> }): string[] {
  return Object.values(summary.endpoints).map((endpoint) => new URL(endpoint).port);
}

/** Waits until the run says it is serving (or fails if it exits first). */
export async function untilReady(run: WatchedProcess): Promise<void> {
  while (!run.output().stdout.includes('Press Ctrl-C')) {
    if (run.child.exitCode !== null) throw new Error(`exited early: ${run.output().stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function lastLineJson(stdout: string) {
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
}
