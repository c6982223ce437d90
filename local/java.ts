import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { LocalStackError } from './errors.js';

/** DynamoDB Local 3.x needs Java 17 or newer. */
export const MINIMUM_JAVA_MAJOR = 17;

const INSTALL_HINT =
  'Install a Java 17+ runtime (Debian/Ubuntu: sudo apt-get install default-jre-headless; macOS: brew install openjdk@17) or point JAVA_HOME at one.';

/** The java executable to run: JAVA_HOME's if set, else the one on PATH. */
export function javaCommand(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** Reads the major version from `java -version` output (`version "17.0.15"`, or `"1.8.0_392"` → 8). */
export function parseJavaMajor(versionOutput: string): number | null {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return null;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

/** Fails at once, saying what to install, when Java is missing or too old for DynamoDB Local. */
export function assertJavaAvailable(command = javaCommand()): void {
  const result = spawnSync(command, ['-version'], { encoding: 'utf8' });
  if (result.error) {
    throw new LocalStackError(
      `DynamoDB Local needs Java, and "${command}" could not be run (${result.error.message}). ${INSTALL_HINT}`,
    );
  }
  const major = parseJavaMajor(`${result.stderr}${result.stdout}`);
  if (major === null || major < MINIMUM_JAVA_MAJOR) {
    throw new LocalStackError(
      `DynamoDB Local needs Java ${MINIMUM_JAVA_MAJOR} or newer; "${command}" reports ${major === null ? 'an unknown version' : `Java ${major}`}. ${INSTALL_HINT}`,
    );
  }
}
