#!/usr/bin/env bash
# Install lbt into .venv and run a demo that finds and proves minima.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${LBT_VENV:-.venv}"
bash scripts/system-deps.sh
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e .
lbt() { "$VENV/bin/lbt" "$@"; }
step() { printf '\n\033[1m$ lbt %s\033[0m\n' "$*"; lbt "$@"; }

echo "== MAJ_5 is a single threshold gate (so its threshold-circuit size is exactly 1):"
step info maj:5
echo
echo "== PAR_3 is not a threshold function: an exact certificate proves >= 2 threshold gates;"
echo "== a 2-gate circuit, re-evaluated on all inputs, shows the minimum is exactly 2:"
step info par:3
step eval scripts/examples/par3_threshold.json par:3
echo
echo "== A 5-gate full adder read from BENCH, checked against sum:3, drawn with Graphviz:"
step eval scripts/examples/full_adder.bench sum:3
mkdir -p out
step draw scripts/examples/full_adder.bench -o out/full_adder.svg
