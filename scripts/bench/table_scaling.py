"""Benchmark: wall time of one table on a Dask cluster of 1 and of 2 local workers (and the local pool).

Usage (from the repository root)::

    .venv/bin/python scripts/bench/table_scaling.py              # npn:4 over thr with proofs, 1 vs 2 Dask workers
    .venv/bin/python scripts/bench/table_scaling.py --local      # also the local process pool, --jobs 1 vs 2
    .venv/bin/python scripts/bench/table_scaling.py --spec tables/npn4.toml --workers 1 2

Each run starts from an empty store in a temporary directory (nothing is
skipped), on a ``distributed.LocalCluster`` with ``N`` worker processes of one
thread each, through the same code path as ``lbt table run --scheduler``.  The
speed-up is the wall time with 1 worker over the wall time with N.  Every run
must produce the same stored sizes and proven flags; a difference is reported
and makes the exit code 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from lbt.store import open_store
from lbt.tablerun import run_table
from lbt.tablespec import load_spec, parse_spec

#: The default table: every 4-input NPN class as a threshold circuit, with checked proofs
#: (222 cells of 0.1-2 s each, so that the work splits evenly).
DEFAULT_SPEC = """\
title = "scaling: 4-input NPN classes over thr"
rows = ["npn:4"]
timeout = 120
proofs = true

[[columns]]
name = "thr"
model = "thr"
"""


def _results(store: Path) -> dict[tuple[str, str], tuple]:
    with open_store(store, create=False) as st:
        return {(c.row, c.col): (c.status, c.size, c.proven) for c in st.cells()}


def run_once(spec_text: str, name: str, *, workers: int | None = None, jobs: int | None = None) -> tuple[float, dict]:
    """Wall seconds of one complete run from an empty store (Dask with ``workers``, else local ``jobs``)."""
    with tempfile.TemporaryDirectory(prefix="lbt-scaling-") as tmp:
        spec_path = Path(tmp) / f"{name}.toml"
        spec_path.write_text(spec_text)
        spec = load_spec(spec_path)
        if workers is not None:
            from distributed import Client, LocalCluster

            with (
                LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cl,
                Client(cl) as client,
            ):
                client.wait_for_workers(workers)
                t0 = time.perf_counter()
                summary = run_table(spec, scheduler=client)
                seconds = time.perf_counter() - t0
        else:
            t0 = time.perf_counter()
            summary = run_table(spec, jobs=jobs or 1)
            seconds = time.perf_counter() - t0
        if summary.error:
            raise SystemExit(f"{name}: {summary.error} cells failed: {summary.errors[:3]}")
        results = _results(spec.store_path())
    return seconds, results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec", type=Path, help="a table spec (default: npn:4 over thr, see the source)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="Dask worker counts (default: 1 2)")
    ap.add_argument("--local", action="store_true", help="also time the local process pool with the same counts")
    ap.add_argument("--json", type=Path, help="write the measurements to this JSON file")
    args = ap.parse_args(argv)
    text = args.spec.read_text() if args.spec else DEFAULT_SPEC
    name = args.spec.stem if args.spec else "scaling"
    cells = len(parse_spec(text, f"{name}.toml").cells())
    print(f"{name}: {cells} cells; workers {args.workers}")
    rows: list[dict] = []
    reference = None
    mismatch = False
    setups = [("dask", n) for n in args.workers] + ([("local", n) for n in args.workers] if args.local else [])
    for kind, n in setups:
        if kind == "dask":
            seconds, results = run_once(text, name, workers=n)
        else:
            seconds, results = run_once(text, name, jobs=n)
        if reference is None:
            reference = results
        elif results != reference:
            mismatch = True
            print(f"  MISMATCH: {kind} x{n} stored different results")
        rows.append({"backend": kind, "workers": n, "seconds": round(seconds, 2)})
        print(f"  {kind:5} {n} worker(s): {seconds:7.1f} s")
    for kind in ("dask", "local"):
        base = next((r["seconds"] for r in rows if r["backend"] == kind and r["workers"] == 1), None)
        for r in rows:
            if r["backend"] == kind and base is not None:
                r["speedup"] = round(base / r["seconds"], 2)
                if r["workers"] != 1:
                    print(f"  {kind}: {r['workers']} workers are {r['speedup']:.2f}x faster than 1")
    if args.json:
        args.json.write_text(json.dumps({"spec": name, "cells": cells, "runs": rows}, indent=1) + "\n")
    return 1 if mismatch else 0


if __name__ == "__main__":
    raise SystemExit(main())
