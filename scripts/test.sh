#!/usr/bin/env bash
# Install lbt with its test extras into a virtualenv and run the whole test suite.
# Slow exhaustive tests are deselected by default; run them with: .venv/bin/pytest -m slow
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${LBT_VENV:-.venv}"
bash scripts/system-deps.sh
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e '.[test]'
"$VENV/bin/python" -m pytest -q "$@"
