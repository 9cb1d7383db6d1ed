"""Benchmark: time to the proven minimum threshold circuit, lazy SAT method vs MILP.

Usage (from the repository root)::

    .venv/bin/python scripts/bench/threshold.py --quick          # a short subset
    .venv/bin/python scripts/bench/threshold.py                  # the full list
    .venv/bin/python scripts/bench/threshold.py --npn4           # all 222 NPN classes of 4 inputs
    .venv/bin/python scripts/bench/threshold.py par:5 ip:3 --max-weight 2 --no-milp

The lazy method runs with LRAT proofs (checked by the project's checker) unless
``--no-proofs``; its time includes proof generation and checking.  The MILP method
(HiGHS) is never certified; its time is to its first feasible size.  A ratio is
MILP seconds / lazy seconds (">" when MILP timed out).  A size mismatch between the
two methods is reported and makes the exit code 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from circuits.truthtable import TruthTable
from solvers.threshold.engine import synthesize_threshold

FULL = (
    [f"par:{n}" for n in range(3, 8)]
    + ["ip:2", "ip:3", "disj:2", "disj:3", "eq:2", "eq:3"]
    + [f"mod:{n}:3:0" for n in range(3, 7)]
    + ["exact:4:2"]
)
QUICK = ["par:3", "par:4", "par:5", "ip:2", "disj:2", "eq:2", "mod:4:3:0", "exact:4:2"]


def run(spec, kw, method, timeout, proofs):
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory() as d:
        r = synthesize_threshold(
            spec, **kw, method=method, timeout=timeout, proof_dir=(d if proofs and method == "lazy" else None)
        )
    return r, time.monotonic() - t0


def fmt_ratio(lazy_s, milp_s, milp_done):
    if lazy_s <= 0:
        return "-"
    return ("" if milp_done else ">") + f"{milp_s / lazy_s:.1f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("targets", nargs="*", help="target specs (default: the full list)")
    ap.add_argument("--quick", action="store_true", help="a short subset")
    ap.add_argument("--npn4", action="store_true", help="all 222 NPN classes of 4-input functions")
    ap.add_argument("--depth", type=int)
    ap.add_argument("--layered", type=int)
    ap.add_argument("--max-weight", type=int)
    ap.add_argument("--fanin", type=int)
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per target and method")
    ap.add_argument("--milp-timeout", type=float, help="seconds per target for MILP (default: --timeout)")
    ap.add_argument("--no-milp", action="store_true")
    ap.add_argument("--no-proofs", action="store_true", help="lazy method without LRAT proofs")
    ap.add_argument("--json", type=Path, help="write all results here")
    args = ap.parse_args(argv)
    kw = {
        k: v
        for k, v in (
            ("depth", args.depth),
            ("layered", args.layered),
            ("max_weight", args.max_weight),
            ("fanin", args.fanin),
        )
        if v is not None
    }
    milp_timeout = args.milp_timeout or args.timeout
    proofs = not args.no_proofs
    records = []
    mismatches = 0
    synthesize_threshold("maj:3")  # warm-up: imports are not timed

    if args.npn4:
        from circuits.npn import npn_canonical_all

        reps = sorted({int(v) for v in npn_canonical_all(4)})
        totals = {"lazy": 0.0, "milp": 0.0}
        sizes: Counter = Counter()
        unproven = milp_missing = 0
        for t in reps:
            f = TruthTable.single(4, t)
            a, ta = run(f, kw, "lazy", args.timeout, proofs)
            totals["lazy"] += ta
            sizes[a.size] += 1
            unproven += not a.proven
            rec = {"table": f.hex(), "lazy": {"size": a.size, "proven": a.proven, "seconds": round(ta, 4)}}
            if not args.no_milp:
                b, tb = run(f, kw, "milp", milp_timeout, False)
                totals["milp"] += tb
                rec["milp"] = {"size": b.size, "seconds": round(tb, 4)}
                if b.size is None:
                    milp_missing += 1
                elif b.size != a.size:
                    mismatches += 1
                    print(f"MISMATCH {f.hex()}: lazy {a.size}, milp {b.size}")
            records.append(rec)
        print(
            f"npn4 {kw or ''}: {len(reps)} classes, sizes {dict(sorted(sizes.items(), key=str))}, unproven {unproven}"
        )
        print(f"  lazy{' + proofs' if proofs else ''}: {totals['lazy']:.1f} s total")
        if not args.no_milp:
            print(
                f"  milp: {totals['milp']:.1f} s total, no answer {milp_missing}, "
                f"ratio {totals['milp'] / max(totals['lazy'], 1e-9):.1f}"
            )
    else:
        specs = args.targets or (QUICK if args.quick else FULL)
        print(
            f"{'target':<12} {'lazy':>5} {'proven':>6} {'lazy s':>8} {'milp':>5} {'milp s':>8} {'ratio':>6}"
            f"   options {kw or '-'}, proofs {'on' if proofs else 'off'}"
        )
        for spec in specs:
            a, ta = run(spec, kw, "lazy", args.timeout, proofs)
            rec = {
                "target": spec,
                "options": kw,
                "lazy": {
                    "size": a.size,
                    "proven": a.proven,
                    "lower_bound": a.lower_bound,
                    "seconds": round(ta, 3),
                    "max_weight": a.circuit.max_weight if a.circuit else None,
                },
            }
            line = f"{spec:<12} {a.size!s:>5} {a.proven!s:>6} {ta:8.2f}"
            if not args.no_milp:
                b, tb = run(spec, kw, "milp", milp_timeout, False)
                rec["milp"] = {"size": b.size, "seconds": round(tb, 3), "timed_out": b.timed_out}
                line += f" {b.size!s:>5} {tb:8.2f} {fmt_ratio(ta, tb, b.size is not None):>6}"
                if b.size is not None and a.size is not None and b.size != a.size:
                    mismatches += 1
                    line += "  MISMATCH"
            else:
                line += f" {'-':>5} {'-':>8} {'-':>6}"
            if not a.proven:
                line += f"  (lower bound {a.lower_bound})"
            print(line, flush=True)
            records.append(rec)
    if args.json:
        args.json.write_text(json.dumps(records, indent=1) + "\n")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
