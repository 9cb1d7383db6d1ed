#!/usr/bin/env bash
# Install lbt with its test extras into a virtualenv and run the linters, each failing on any error:
# ruff (rules in pyproject.toml), ruff's formatter in check mode, mypy (files and options in
# pyproject.toml, [tool.mypy]) and lint-imports (the import contracts in pyproject.toml).
# .ci/run calls this before the test suite.
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
"$VENV/bin/mypy"
"$VENV/bin/lint-imports"
