import { findGluePython, GLUE_VENV_BIN, REPO_ROOT } from '../../glue/local-engine/python-env.js';

/**
 * The Python environment of the Spark and cfn-lint suites (glue/local-engine/python-env.ts). Without
 * it a newcomer's `npm test` skips those suites and says why; under CI=true they must run, so the
 * suites fail instead (`requireGluePython`).
 */
export { REPO_ROOT };

export interface GluePython {
  /** The interpreter, for `spawn`. */
  readonly python: string;
  /** Its scripts directory (cfn-lint lives there). */
  readonly bin: string;
}

const found = findGluePython();
const missing = 'missing' in found ? found.missing : null;

/** The environment, or null when it is missing. */
export const gluePython: GluePython | null = 'python' in found ? { python: found.python, bin: GLUE_VENV_BIN } : null;

/** Why the suites are skipped, printed once per suite that skips. */
export function warnSkipped(suite: string): void {
  if (missing !== null && process.env.CI !== 'true') console.warn(`[${suite}] skipped: ${missing}`);
}

/** The environment; under CI=true a missing one fails the suite with the reason. */
export function requireGluePython(): GluePython {
  if (gluePython === null) throw new Error(`CI=true but the Python environment is missing: ${missing}`);
  return gluePython;
}

/** Whether a suite needing the environment runs: always under CI=true (and fails there if it is missing). */
export const runsPythonSuites = gluePython !== null || process.env.CI === 'true';
