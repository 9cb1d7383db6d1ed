#!/usr/bin/env bash
# Install lbt with its test and docs extras into a virtualenv and run the whole test suite, which also
# builds the documentation site strictly, executes the tour notebook and runs every command the docs show
# (tests/test_docs.py).  Slow exhaustive tests are deselected by default; run them with: .venv/bin/pytest -m slow
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${LBT_VENV:-.venv}"
bash scripts/system-deps.sh
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e '.[test,docs]'
"$VENV/bin/python" -m pytest -q "$@"
