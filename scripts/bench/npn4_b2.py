"""Cost every NPN class of 4-input functions over B2, with proven minimality.

For each of the 222 NPN classes (representatives from
:func:`circuits.npn.npn_canonical_all`) the script finds the minimum number of
B2 gates with :func:`solvers.boolean.engine.synthesize` and prints the number of
classes per cost and the total time.  The representative is normalised first
(complemented when its value on the all-zero row is 1): B2 cost is invariant
under negating inputs and permuting them, and under complementing a function
that is not a literal, so this is the cost of the class with the literal class
at cost 0 (``x`` rather than ``NOT x``).

Usage::

    python scripts/bench/npn4_b2.py [--limit K] [--jobs J] [--solver NAME] [--timeout S] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from circuits.npn import npn_canonical_all
from circuits.truthtable import TruthTable, full_mask
from solvers.boolean.engine import synthesize


def representatives() -> list[int]:
    """The canonical (smallest) table of every NPN class of 4-input functions, in increasing order."""
    return sorted(int(t) for t in np.unique(npn_canonical_all(4)))


def cost(args: tuple[int, str, float | None]) -> dict:
    table, solver, timeout = args
    normal = table ^ full_mask(4) if table & 1 else table
    t0 = time.perf_counter()
    r = synthesize(TruthTable.single(4, normal), "b2", solver=solver, timeout=timeout)
    return {
        "class": f"{table:04x}",
        "normalised": f"{normal:04x}",
        "size": r.size,
        "proven": r.proven,
        "lower_bound": r.lower_bound,
        "seconds": time.perf_counter() - t0,
        "steps": [(s.size, s.status, round(s.seconds, 3)) for s in r.steps],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="cost only the first K classes")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--solver", default="cadical195")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per class")
    ap.add_argument("--json", default=None, help="write per-class results to this file")
    ap.add_argument("--verbose", action="store_true", help="one line per class")
    args = ap.parse_args(argv)

    reps = representatives()
    if args.limit is not None:
        reps = reps[: args.limit]
    work = [(t, args.solver, args.timeout) for t in reps]
    t0 = time.perf_counter()
    results = []
    if args.jobs > 1:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            for res in pool.map(cost, work):
                results.append(res)
                if args.verbose:
                    print(
                        f"{res['class']}: {res['size']} {'proven' if res['proven'] else 'UNPROVEN'} {res['seconds']:.2f}s",
                        flush=True,
                    )
    else:
        for w in work:
            res = cost(w)
            results.append(res)
            if args.verbose:
                print(
                    f"{res['class']}: {res['size']} {'proven' if res['proven'] else 'UNPROVEN'} {res['seconds']:.2f}s",
                    flush=True,
                )
    total = time.perf_counter() - t0

    dist = Counter(r["size"] for r in results)
    unproven = [r["class"] for r in results if not r["proven"]]
    slowest = max(results, key=lambda r: r["seconds"])
    print(f"NPN classes of 4-input functions costed over B2: {len(results)} of {len(representatives())}")
    print("cost  classes")
    for c in sorted(dist, key=lambda x: (x is None, x)):
        print(f"{c!s:>4}  {dist[c]}")
    print(f"proven minimal: {len(results) - len(unproven)}; unproven: {len(unproven)} {' '.join(unproven)}")
    print(f"slowest class: {slowest['class']} ({slowest['seconds']:.2f} s, size {slowest['size']})")
    print(f"total time: {total:.1f} s (wall, {args.jobs} job(s), solver {args.solver})")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {"total_seconds": total, "solver": args.solver, "jobs": args.jobs, "classes": results}, fh, indent=1
            )
    return 0 if not unproven else 1


if __name__ == "__main__":
    sys.exit(main())
