#!/usr/bin/env bash
# Install lbt into .venv and run a demo that finds minimum circuits and proves them minimal.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${LBT_VENV:-.venv}"
bash scripts/system-deps.sh
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e .
lbt() { "$VENV/bin/lbt" "$@"; }
step() { printf '\n\033[1m$ lbt %s\033[0m\n' "$*"; lbt "$@"; }

mkdir -p out
rm -rf out/proofs out/claims.txt

echo "== The full adder (sum:3) needs 5 gates over B2: found by SAT, 2..4 gates refuted by"
echo "== LRAT proofs that lbt's own checker verifies:"
step synth sum:3 --model b2 --proof out/proofs -o out/full_adder_min.bench
echo
echo "== MAJ_4 needs 7 B2 gates; 3..6 gates are refuted, each proof checked:"
step synth maj:4 --model b2 --proof out/proofs
echo
echo "== PAR_3 is not a threshold function (exact certificate), and 2 threshold gates suffice:"
step info par:3
step synth par:3 --model thr --proof out/proofs
echo
echo "== IP_2 (inner product mod 2 of two 2-bit vectors) needs 2 threshold gates:"
step synth ip:2 --model thr --proof out/proofs
echo
echo "== DISJ_2 needs 3 ReLU neurons (output included) with one hidden layer and no skip connections,"
echo "== the size of paper 002's d+1 construction (proven for that architecture only):"
step synth disj:2 --model relu --output relu --proof out/proofs
echo
echo "== Claims such as a paper states them, each checked by the search it needs"
echo "== (the last one is false: PAR_4 needs 3 B2 gates, so the exit code is 1):"
cat > out/claims.txt <<'CLAIMS'
b2 maj:3 = 4
thr par:5 = 3
thr layered=2 par:3..4 >= 4
relu output=relu disj:2 = 3
b2 par:4 < 3
CLAIMS
step verify --claims out/claims.txt --quiet --proof out/proofs || echo "(exit code $?: a claim is refuted)"
echo
echo "== Everything stored can be re-checked without trusting the search:"
step verify out/proofs
echo
echo "== MAJ_5 is a single threshold gate with weights (1,1,1,1,1), threshold 3:"
step info maj:5
echo
echo "== A 5-gate full adder read from BENCH, checked against sum:3, drawn with Graphviz:"
step eval scripts/examples/full_adder.bench sum:3
step draw scripts/examples/full_adder.bench -o out/full_adder.svg
