import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The Python environment of the Spark and cfn-lint suites: `.venv-glue/` (Python 3.10 with
 * glue/requirements.txt), made by `npm run setup:python`, which .ci/run runs. Without it a
 * newcomer's `npm test` skips those suites and says why; under CI=true they must run, so the
 * suites fail instead (`requireGluePython`).
 */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VENV_BIN = fileURLToPath(new URL('../../.venv-glue/bin/', import.meta.url));

export interface GluePython {
  /** The interpreter, for `spawn`. */
  readonly python: string;
  /** Its scripts directory (cfn-lint lives there). */
  readonly bin: string;
}

function probe(): GluePython | string {
  const python = `${VENV_BIN}python`;
  if (!existsSync(python)) return 'no .venv-glue/ (run `npm run setup:python`; .ci/run does)';
  const check = spawnSync(
    python,
    ['-c', 'import pyspark, cfnlint, sys; print(sys.version_info[:2], pyspark.__version__)'],
    {
      encoding: 'utf8',
    },
  );
  if (check.status !== 0) return `.venv-glue/ is incomplete (run \`npm run setup:python\`): ${check.stderr.trim()}`;
  return { python, bin: VENV_BIN };
}

const found = probe();

/** The environment, or null when it is missing and this is not CI (the caller's suite is skipped). */
export const gluePython: GluePython | null = typeof found === 'string' ? null : found;

/** Why the suites are skipped, printed once per suite that skips. */
export function warnSkipped(suite: string): void {
  if (gluePython === null && process.env.CI !== 'true') console.warn(`[${suite}] skipped: ${found as string}`);
}

/** The environment; under CI=true a missing one fails the suite with the reason. */
export function requireGluePython(): GluePython {
  if (gluePython === null) throw new Error(`CI=true but the Python environment is missing: ${found as string}`);
  return gluePython;
}

/** Whether a suite needing the environment runs: always under CI=true (and fails there if it is missing). */
export const runsPythonSuites = gluePython !== null || process.env.CI === 'true';
