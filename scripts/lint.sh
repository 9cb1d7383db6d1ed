#!/usr/bin/env bash
# Install lbt with its test extras into a virtualenv and run the linters: ruff (rules in pyproject.toml)
# and ruff's formatter in check mode.  .ci/run calls this before the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${LBT_VENV:-.venv}"
bash scripts/system-deps.sh
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e '.[test]'
PATHS=(circuits solvers reductions lbt scripts tests)
"$VENV/bin/ruff" check "${PATHS[@]}"
"$VENV/bin/ruff" format --check "${PATHS[@]}"
