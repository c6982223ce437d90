/**
 * `npm run bench`: runs every `bench/*.bench.ts` module and prints ONE JSON object, keyed by module
 * name. Speed and memory targets live here, never in timed unit tests.
 *
 * A bench module exports `run(): Promise<BenchResult>`: measured numbers with their units in the key
 * names (e.g. `eventsPerSecond`, `p99Ms`), and, where the issue states a target, `targets` with the
 * same keys and `{ target, met }`.
 *
 *   npm run bench                 (all)
 *   npm run bench -- simulator    (modules whose name contains "simulator")
 */
import { readdirSync } from 'node:fs';

export type BenchValue = number | string | boolean | null | BenchValue[] | { [key: string]: BenchValue };
export type BenchResult = Record<string, BenchValue>;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const filters = process.argv.slice(2);
const modules = readdirSync(new URL('.', import.meta.url))
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();

const results: Record<string, BenchResult> = {};
for (const file of modules) {
  const name = file.replace(/\.bench\.ts$/, '');
  process.stderr.write(`bench: ${name}…\n`);
  const module = (await import(new URL(file, import.meta.url).href)) as { run: () => Promise<BenchResult> };
  results[name] = await module.run();
}
console.log(JSON.stringify({ node: process.version, cpus: (await import('node:os')).cpus().length, results }, null, 2));
