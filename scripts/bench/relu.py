"""Benchmark: time to the proven minimum ReLU network, by architecture, beside the minimum threshold circuit.

Usage (from the repository root)::

    .venv/bin/python scripts/bench/relu.py                      # the default list, linear output
    .venv/bin/python scripts/bench/relu.py par:4 ip:2 --output threshold
    .venv/bin/python scripts/bench/relu.py --max-weight 1       # also integer weights in [-1, 1], 1 and 2 layers
    .venv/bin/python scripts/bench/relu.py --markdown table.md

Columns: one hidden layer without and with skip connections (exact, real
weights), two hidden layers without and with skip connections (real weights:
only sizes <= 2 are refuted, so a cell is proven only when the minimum is <= 3;
otherwise it shows ``<=U, >=L``), and the minimum threshold circuit of any depth
(:func:`solvers.threshold.encoding.synthesize_threshold`).  A cell is
``size`` when proven minimal, with the seconds to the proof.  With ``--proofs``
every refuted size is also written with its LRAT proof and certificates
(:mod:`solvers.relu.verify`) and the time includes proof generation and checking.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from solvers.relu.engine import synthesize_relu
from solvers.threshold.engine import synthesize_threshold

DEFAULT = ["par:2", "par:3", "par:4", "maj:3", "maj:4", "maj:5", "ip:2", "disj:2", "disj:3", "eq:2"]
ARCHS = [("1L", 1, False), ("1L+skip", 1, True), ("2L", 2, False), ("2L+skip", 2, True)]


def cell(r, seconds: float) -> str:
    if r.proven:
        return f"{r.size} ({seconds:.1f}s)"
    up = "?" if r.size is None else str(r.size)
    return f"<={up}, >={r.lower_bound} ({seconds:.1f}s{', timeout' if r.timed_out else ''})"


def run_relu(spec: str, L: int, skip: bool, args, proof_root: Path | None):
    t0 = time.monotonic()
    proof_dir = None if proof_root is None else proof_root / f"{spec.replace(':', '_')}_{L}_{int(skip)}"
    r = synthesize_relu(
        spec,
        hidden_layers=L,
        skip=skip,
        output=args.output,
        max_weight=args.max_weight,
        timeout=args.timeout,
        proof_dir=proof_dir,
    )
    return r, time.monotonic() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("targets", nargs="*", help="target specs (default: the list in the module)")
    ap.add_argument("--output", default="linear", choices=("linear", "relu", "threshold"))
    ap.add_argument("--max-weight", type=int, help="integer weights in [-W, W] (bit-blasted, any depth)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per target and architecture")
    ap.add_argument("--proofs", action="store_true", help="write and check LRAT proofs and certificates")
    ap.add_argument("--no-threshold", action="store_true", help="skip the threshold-circuit column")
    ap.add_argument("--json", type=Path, help="write all results here")
    ap.add_argument("--markdown", type=Path, help="write the table here")
    args = ap.parse_args(argv)
    targets = args.targets or DEFAULT
    synthesize_relu("par:2")  # warm-up: imports are not timed
    records = []
    header = ["target", "n"] + [a for a, _, _ in ARCHS] + ([] if args.no_threshold else ["threshold (any depth)"])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        proof_root = Path(tmp) if args.proofs else None
        for spec in targets:
            row = [spec]
            for name, L, skip in ARCHS:
                r, sec = run_relu(spec, L, skip, args, proof_root)
                if len(row) == 1:
                    row.append(str(r.n))
                row.append(cell(r, sec))
                records.append({"arch": name, "wall_seconds": sec, **r.to_dict()})
                print(f"{spec:8s} {name:8s} {row[-1]}", flush=True)
            if not args.no_threshold:
                t0 = time.monotonic()
                th = synthesize_threshold(spec, timeout=args.timeout)
                sec = time.monotonic() - t0
                row.append(cell(th, sec))
                records.append({"arch": "threshold", "wall_seconds": sec, **th.to_dict()})
                print(f"{spec:8s} {'thr':8s} {row[-1]}", flush=True)
            rows.append(row)
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    table += ["| " + " | ".join(row) + " |" for row in rows]
    text = "\n".join(table) + "\n"
    print()
    print(text)
    if args.markdown:
        args.markdown.write_text(text)
    if args.json:
        args.json.write_text(json.dumps(records, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
