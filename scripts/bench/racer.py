"""Benchmark: the four ways CaDiCaL can search one satisfiable size, the racer's among them.

Usage (from the repository root)::

    .venv/bin/python scripts/bench/racer.py                    # MAJ_5 over B2 with 9 gates, 150 s each
    .venv/bin/python scripts/bench/racer.py --spec par:4 --size 3 --timeout 30

The split search (:mod:`solvers.cubes`) solves each cube with every decision
first set to false (CaDiCaL option ``phase=0``) in slices of
:data:`solvers.sat.SLICE_CONFLICTS` conflicts, so that a deadline and Ctrl-C are
seen between slices; with ``--jobs N > 1`` one more process, the racer, searches
the whole formula for a model with CaDiCaL's default phase in one call.  This
script encodes one size of a B2 target and solves it in each of the four
combinations (phase 0 or default, sliced or one call), each in its own process
killed at ``--timeout``, and prints one Markdown row per combination.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from circuits.targets import target
from solvers.boolean.encoding import Problem, encode
from solvers.sat import SLICE_CONFLICTS

CONFIGS = {
    "phase 0, sliced (the cubes)": (True, True),
    "phase 0, one call": (True, False),
    "default phase, sliced": (False, True),
    "default phase, one call (the racer)": (False, False),
}


def _solve(spec: str, size: int, phase0: bool, sliced: bool, out: multiprocessing.Queue) -> None:
    from pysat.solvers import Solver

    enc = encode(Problem(target(spec).table), size)
    start = time.perf_counter()
    with Solver(name="cadical195") as s:
        if phase0:
            s.configure({"phase": 0})
        s.append_formula(enc.clauses)
        if sliced:
            result = None
            while result is None:
                s.conf_budget(SLICE_CONFLICTS)
                result = s.solve_limited()
        else:
            result = s.solve()
    out.put((result, time.perf_counter() - start))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spec", default="maj:5")
    parser.add_argument("--size", type=int, default=9)
    parser.add_argument("--timeout", type=float, default=150.0)
    args = parser.parse_args()
    print(f"{args.spec} over B2, {args.size} gates, CaDiCaL 1.9.5 (python-sat cadical195)\n")
    print("| search | result | seconds |\n|---|---|---:|")
    for label, (phase0, sliced) in CONFIGS.items():
        out: multiprocessing.Queue = multiprocessing.Queue()
        proc = multiprocessing.Process(target=_solve, args=(args.spec, args.size, phase0, sliced, out))
        proc.start()
        proc.join(args.timeout)
        if proc.is_alive():
            proc.kill()
            proc.join()
            print(f"| {label} | undecided | > {args.timeout:.0f} |", flush=True)
            continue
        result, seconds = out.get()
        verdict = {True: "satisfiable", False: "unsatisfiable"}[result]
        print(f"| {label} | {verdict} | {seconds:.1f} |", flush=True)


if __name__ == "__main__":
    main()
