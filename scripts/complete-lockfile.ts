/**
 * Completes package-lock.json with the other platforms' native packages that this machine's npm
 * registry does not serve (it answers 404 for e.g. `@biomejs/cli-darwin-arm64`).
 *
 * Why: npm records an optional platform package only if it can fetch its manifest, yet `npm ci`
 * insists that every optional dependency of every package be in the lock. Without these entries
 * `npm ci` fails with "Missing: … from lock file". Each added entry carries the package's os, cpu and
 * libc, so npm marks it inert on other platforms and never fetches it; on its own platform npm fetches
 * it from the registry as usual.
 *
 *   npm run lock:complete        (after any `npm install` that rewrote the lock)
 *   npm run lock:complete -- --check   (exit 1 if entries are missing)
 */
import { readFileSync, writeFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  optionalDependencies?: Record<string, string>;
}

const OPERATING_SYSTEMS = ['aix', 'android', 'darwin', 'freebsd', 'linux', 'netbsd', 'openbsd', 'sunos', 'win32'];
const CPUS = ['arm64', 'arm', 'ia32', 'x64', 'ppc64', 's390x', 'loong64', 'mips64el', 'riscv64'];

/** Reads os/cpu/libc from a platform package name such as `@duckdb/node-bindings-linux-arm64-musl`. */
export function platformOf(name: string): Pick<LockEntry, 'os' | 'cpu' | 'libc'> | null {
  const tokens = name.split('/').at(-1)?.split('-') ?? [];
  const os = tokens.find((token) => OPERATING_SYSTEMS.includes(token));
  const cpu = tokens.find((token) => CPUS.includes(token));
  if (!os || !cpu) return null;
  const libc = os === 'linux' ? [tokens.includes('musl') ? 'musl' : 'glibc'] : undefined;
  return { os: [os], cpu: [cpu], ...(libc ? { libc } : {}) };
}

/** Adds the missing platform entries; returns the names added. */
export function completeLock(lock: { packages: Record<string, LockEntry> }): string[] {
  const added: string[] = [];
  for (const [location, entry] of Object.entries(lock.packages)) {
    for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
      const nested = `${location}/node_modules/${name}`;
      const hoisted = `node_modules/${name}`;
      if (lock.packages[nested] || lock.packages[hoisted]) continue;
      const platform = platformOf(name);
      if (!platform) continue;
      lock.packages[hoisted] = { version, ...(entry.dev ? { dev: true } : {}), optional: true, ...platform };
      added.push(`${name}@${version}`);
    }
  }
  lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => a.localeCompare(b)));
  return added;
}

if (process.argv[1]?.endsWith('complete-lockfile.ts')) {
  const path = new URL('../package-lock.json', import.meta.url);
  const lock = JSON.parse(readFileSync(path, 'utf8'));
  const added = completeLock(lock);
  if (process.argv.includes('--check')) {
    if (added.length > 0) {
      console.error(`package-lock.json lacks ${added.join(', ')}: run npm run lock:complete`);
      process.exit(1);
    }
  } else {
    writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
    console.log(added.length === 0 ? 'package-lock.json is complete' : `added ${added.join(', ')}`);
  }
}
