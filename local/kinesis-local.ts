import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { captureOutput, spawnBoundToParent } from './child-process.js';

/**
 * kinesalite's own CLI listens on every interface; this entry binds loopback only. It runs in its
 * own Node process so stream traffic does not compete with the pollers and handlers for our loop.
 */
const SERVER_SOURCE = `
const [modulePath, port, options] = process.argv.slice(1);
const server = require(modulePath)(JSON.parse(options));
server.listen(Number(port), '127.0.0.1', () => console.log('kinesalite listening on ' + port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

export interface KinesaliteProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
}

/** Starts kinesalite on `port`: in memory, or persisted in a LevelDB under `path`. */
export function spawnKinesalite(port: number, path: string | undefined): KinesaliteProcess {
  const modulePath = createRequire(import.meta.url).resolve('kinesalite');
  // Streams become ACTIVE at once instead of after kinesalite's default 500 ms in CREATING.
  const options = {
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 50,
    ...(path ? { path } : {}),
  };
  const child = spawnBoundToParent(process.execPath, [
    '-e',
    SERVER_SOURCE,
    modulePath,
    String(port),
    JSON.stringify(options),
  ]);
  return { child, output: captureOutput(child) };
}
