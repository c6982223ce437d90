import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';

/**
 * On Linux, `setpriv --pdeathsig KILL` makes the kernel kill the child the moment this process dies,
 * however it dies (even SIGKILL, which runs no handler). Without it a killed parent leaves the JVM of
 * DynamoDB Local running and its port taken.
 */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));

/** Children started here, so a last-resort exit hook can kill any that were not stopped. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Spawns a server process that cannot outlive this one. */
export function spawnBoundToParent(command: string, args: readonly string[], cwd?: string): ChildProcess {
  const [file, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, [...args]];
  const child = spawn(file, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Synchronous last resort for a normal exit that skipped stop(); the kernel covers hard kills.
    process.once('exit', () => {
      for (const leftover of running) leftover.kill('SIGKILL');
    });
  }
  return child;
}

/** Keeps the last `limit` characters a child wrote, to explain a failed start. */
export function captureOutput(child: ChildProcess, limit = 4_000): () => string {
  let text = '';
  const append = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-limit);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => text;
}

/** Asks a child to stop, and kills it if it has not exited after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
