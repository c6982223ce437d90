/**
 * The Python the local Spark engine runs: `.venv-glue/` (Python 3.10, as Glue 4.0 runs, with the pinned
 * glue/requirements.txt), made by `npm run setup:python`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const GLUE_VENV_BIN = fileURLToPath(new URL('../../.venv-glue/bin/', import.meta.url));

/** The interpreter, or why it cannot run the Glue job's code (a sentence to show the user). */
export function findGluePython(): { readonly python: string } | { readonly missing: string } {
  const python = `${GLUE_VENV_BIN}python`;
  if (!existsSync(python)) return { missing: 'no .venv-glue/ (run `npm run setup:python`; it needs Python 3.10)' };
  const check = spawnSync(python, ['-c', 'import pyspark, cfnlint'], { encoding: 'utf8' });
  if (check.status !== 0) {
    return { missing: `.venv-glue/ is incomplete (run \`npm run setup:python\`): ${check.stderr.trim()}` };
  }
  return { python };
}
