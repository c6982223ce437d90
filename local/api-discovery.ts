/**
 * Where a running `npm start` tells local tools (the ops CLI) how to reach its HTTP API: a small
 * JSON file, readable only by its owner since it holds a bearer token, removed when the stack stops.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface LocalApiDiscovery {
  readonly url: string;
  readonly token: string;
  readonly pid: number;
  readonly startedAt: string;
  /**
   * What a tool needs to act on the stack's stream consumers as Lambda would (`npm run ops -- dlq
   * redrive`): the handlers' environment, and where the dead-letter files are (null: kept in memory).
   */
  readonly pipeline?: { readonly environment: Record<string, string>; readonly deadLetterDir: string | null };
}

/** `$XDG_RUNTIME_DIR/clickprice/local-api.json`, else under the temp dir, per user. */
export function discoveryPath(environment: NodeJS.ProcessEnv = process.env): string {
  const base = environment.XDG_RUNTIME_DIR || join(tmpdir(), `clickprice-${userInfo().uid}`);
  return join(base, 'clickprice', 'local-api.json');
}

export function writeDiscovery(discovery: LocalApiDiscovery, path = discoveryPath()): void {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(discovery, null, 2)}\n`, { mode: 0o600 });
}

/** Removes the file if it is still ours (a newer stack may have replaced it). */
export function removeDiscovery(pid: number, path = discoveryPath()): void {
  const current = readDiscovery(path);
  if (current?.pid === pid) rmSync(path, { force: true });
}

/** The running local stack's API, or null when none is running (no file, or its process is gone). */
export function readDiscovery(path = discoveryPath()): LocalApiDiscovery | null {
  let discovery: LocalApiDiscovery;
  try {
    discovery = JSON.parse(readFileSync(path, 'utf8')) as LocalApiDiscovery;
  } catch {
    return null;
  }
  try {
    process.kill(discovery.pid, 0);
  } catch {
    return null;
  }
  return discovery;
}
