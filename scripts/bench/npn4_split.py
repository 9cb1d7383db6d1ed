"""Every 4-input NPN class over B2 and as a threshold circuit, with every size split into cubes: the same minima?

For each of the 222 NPN classes the script runs the B2 and the threshold search
twice: whole (one formula per size, as ``tables/npn4.toml`` does) and with every
size split into at least ``--cubes`` cubes (:mod:`solvers.cubes`, the coverage
refutation included), and compares the proven minima.  It prints the number of
classes per cost for both, the differences (there must be none; a difference
makes the exit code 1) and the times.

Usage::

    python scripts/bench/npn4_split.py [--cubes C] [--limit K]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from circuits.truthtable import TruthTable
from scripts.bench.npn4_b2 import representatives
from solvers.engines import synthesize_model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cubes", type=int, default=4, help="cubes per split size (default 4)")
    ap.add_argument("--limit", type=int, default=None, help="only the first K classes")
    args = ap.parse_args(argv)
    classes = representatives()[: args.limit]
    differences = []
    for model in ("b2", "thr"):
        costs: dict[str, Counter[int]] = {"whole": Counter(), "split": Counter()}
        seconds = {"whole": 0.0, "split": 0.0}
        for table in classes:
            target = TruthTable.single(4, table)
            sizes = {}
            for how, options in (("whole", {}), ("split", {"cubes": args.cubes})):
                t0 = time.perf_counter()
                r = synthesize_model(target, model, **options)
                seconds[how] += time.perf_counter() - t0
                if not r.proven:
                    differences.append(f"{model} {table:04x} {how}: not proven")
                sizes[how] = r.size
                costs[how][r.size] += 1
            if sizes["whole"] != sizes["split"]:
                differences.append(f"{model} {table:04x}: whole {sizes['whole']}, split {sizes['split']}")
        for how in ("whole", "split"):
            row = ", ".join(f"{k}: {v}" for k, v in sorted(costs[how].items()))
            print(f"{model} {how:5}: classes per minimum size {{{row}}}  ({seconds[how]:.1f} s)")
    print("differences:", differences or "none")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
