#!/usr/bin/env bash
# Creates .venv-glue/ (Python 3.10, as Glue 4.0 runs) with glue/requirements.txt installed: the
# interpreter the Spark and cfn-lint suites of `npm test` use. Re-installs only when the
# requirements file changed since the last install. Usage: npm run setup:python
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-glue
requirements=glue/requirements.txt
stamp="$venv/.requirements.sha256"

find_python310() {
  if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys' >/dev/null 2>&1; then
    command -v python3.10
    return
  fi
  # pyenv keeps versions it has not put on PATH under its root.
  local root
  root="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")"
  for candidate in "$root"/versions/3.10.*/bin/python3.10; do
    if [ -x "$candidate" ]; then echo "$candidate"; return; fi
  done
  return 1
}

wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
  echo "setup:python: $venv is up to date"
  exit 0
fi
if ! python310="$(find_python310)"; then
  echo "setup:python: no Python 3.10 found (python3.10 on PATH, or pyenv's versions/3.10.*):" >&2
  echo "  Glue 4.0 runs Spark 3.3 on Python 3.10, and pyspark 3.3 does not run on 3.11." >&2
  exit 1
fi
echo "setup:python: creating $venv with $python310"
rm -rf "$venv"
"$python310" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$requirements"
echo "$wanted" > "$stamp"
"$venv/bin/python" -c 'import pyspark, sys; print("setup:python: Python", sys.version.split()[0], "pyspark", pyspark.__version__)'
