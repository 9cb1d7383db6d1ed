"""Benchmark: how far one hard instance gets with its sizes split into cubes, on 1 and 2 processes and on Dask.

Usage (from the repository root)::

    .venv/bin/python scripts/bench/reach.py                        # the open cells, 600 s each, --jobs 1 and 2
    .venv/bin/python scripts/bench/reach.py --only maj5-b2 --jobs 2 --timeout 3600
    .venv/bin/python scripts/bench/reach.py --dask maj5-b2-upto8 --workers 1 2   # one instance on 1 and 2 Dask workers
    .venv/bin/python scripts/bench/reach.py --json out.json        # also every measurement as JSON

For every instance and number of processes it runs ``synthesize_model`` with
proofs into a fresh temporary directory, with every size split into ``--cubes``
cubes (``--cubes`` per process if not given), and prints one Markdown row: the
result (proven size, or the lower bound reached), the wall time, and for the
last size tried the cubes done of all, the share of the search space refuted,
the bytes of its LRAT proofs and the time the checker took.  From the times of
the finished cubes of the largest split size it projects the wall time of that
size on 8, 32 and 128 workers: ``max(longest cube, sum of cube times /
workers)`` — a lower bound that ignores the cubes not finished.  Nothing here
is a pass/fail check; the results go to scripts/bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from solvers.engines import synthesize_model

#: The cells that stayed open after an hour with --jobs 2 (README, tables/ip_disj.toml and tables/parity.toml),
#: and MAJ_5 over B2 (9 gates, proven; the target of the split search).
INSTANCES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "maj5-b2": ("maj:5", "b2", {}),
    # sizes 4..8 only (all refuted, C_B2(MAJ_5) = 9): the Dask scaling instance, whose cubes decide every size
    # (a satisfiable size is found by the racer of --jobs, which a Dask run does not have)
    "maj5-b2-upto8": ("maj:5", "b2", {"max_size": 8}),
    "gt3-b2": ("gt:3", "b2", {}),
    "ip3-thr-layered2": ("ip:3", "thr", {"layered": 2}),
    "ip3-relu": ("ip:3", "relu", {}),
    "disj3-relu": ("disj:3", "relu", {}),
    "ip4-thr": ("ip:4", "thr", {}),
    "disj4-thr": ("disj:4", "thr", {}),
    "par5-aig": ("par:5", "aig", {}),
    "mod3-5-b2": ("mod:5:3:0", "b2", {}),
}

WORKERS = (8, 32, 128)


def _cube_parts(step: dict[str, Any]) -> list[dict[str, Any]]:
    proof = step.get("proof") or {}
    parts = proof.get("profiles", [proof])
    return [p for p in parts if isinstance(p, dict) and "split" in p]


def _file_bytes(directory: Path, record: dict[str, Any]) -> int:
    path = record.get("proof_path")
    return (directory / Path(path).name).stat().st_size if path and (directory / Path(path).name).exists() else 0


def measure(name: str, jobs: int, timeout: float, cubes: int | None, scheduler: str | None = None) -> dict[str, Any]:
    """One run of instance ``name``: its result and the statistics of its last split size."""
    spec, model, options = INSTANCES[name]
    count = cubes if cubes is not None else 8 * jobs
    with tempfile.TemporaryDirectory(prefix="lbt-reach-") as tmp:
        start = time.perf_counter()
        result = synthesize_model(
            spec, model, proof_dir=tmp, timeout=timeout, cubes=count, jobs=jobs, scheduler=scheduler, **options
        )
        wall = time.perf_counter() - start
        record = result.to_dict()
        last = record["steps"][-1] if record["steps"] else {}
        # the cube times of the last size; an unfinished split is not in the record, its journals are on disk
        entries = [e for part in _cube_parts(last) for e in part["cubes"]]
        total = next((p["split"]["count"] for p in _cube_parts(last)), None)
        if not entries and last.get("status") != "sat":  # a split cut short: its cubes' journals are on disk
            size = last.get("size")
            journals = [json.loads(p.read_text()) for p in Path(tmp).glob(f"*-s{size}*-c*.refutation.json")]
            covers = [j for j in journals if "split_count" in j]
            entries = [
                j | {"seconds": j.get("solve_seconds", 0.0) + j.get("check_seconds", 0.0)}
                for j in journals
                if "split_count" not in j
            ]
            total = sum(j.get("cubes", 0) for j in covers) or None
        times = [float(e.get("seconds", 0.0)) for e in entries]
        out = {
            "instance": name,
            "spec": spec,
            "model": model,
            "options": options,
            "jobs": jobs,
            "scheduler": scheduler is not None,
            "cubes_asked": count,
            "size": record["size"],
            "proven": record["proven"],
            "lower_bound": record["lower_bound"],
            "timed_out": record["timed_out"],
            "wall_seconds": round(wall, 2),
            "last_size": last.get("size"),
            "last_status": last.get("status"),
            "cubes_total": total,
            "cubes_done": len(times),
            "proof_bytes": sum(_file_bytes(Path(tmp), e) for e in entries),
            "check_seconds": round(sum(float(e.get("check_seconds", 0.0)) for e in entries), 2),
            "cube_seconds": [round(t, 3) for t in sorted(times)],
            "projected": {w: round(max(max(times), sum(times) / w), 1) for w in WORKERS} if times else {},
        }
    return out


def dask_scaling(name: str, workers: list[int], timeout: float, cubes: int | None) -> list[dict[str, Any]]:
    """The instance on a local Dask cluster of each number of workers (one thread each)."""
    from distributed import LocalCluster

    rows = []
    for n in workers:
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            rows.append(measure(name, n, timeout, cubes, scheduler=cluster.scheduler_address))
    return rows


def _row(m: dict[str, Any]) -> str:
    result = (
        f"{m['size']} (proven)"
        if m["proven"]
        else f">= {m['lower_bound']}" + (f", <= {m['size']}" if m["size"] is not None else "")
    )
    where = f"{m['jobs']} Dask workers" if m["scheduler"] else f"--jobs {m['jobs']}"
    share = "" if not m["cubes_total"] else f"{m['cubes_done']}/{m['cubes_total']}"
    proj = ", ".join(f"{w}: {s} s" for w, s in m["projected"].items())
    return (
        f"| {m['instance']} | {where} | {result} | {m['wall_seconds']} | size {m['last_size']} {m['last_status']} | "
        f"{share} | {m['proof_bytes'] / 1e6:.1f} MB | {m['check_seconds']} | {proj} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", choices=sorted(INSTANCES), help="instances (default: all)")
    parser.add_argument("--jobs", nargs="*", type=int, default=[1, 2], help="process counts (default 1 2)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per run (default 600)")
    parser.add_argument("--cubes", type=int, help="cubes per split size (default 8 per process)")
    parser.add_argument("--dask", choices=sorted(INSTANCES), help="run this instance on 1 and N Dask workers")
    parser.add_argument("--workers", nargs="*", type=int, default=[1, 2], help="Dask worker counts (default 1 2)")
    parser.add_argument("--json", type=Path, help="write every measurement to this file")
    args = parser.parse_args()
    print(
        "| instance | where | result | wall s | last size | cubes done | proof | check s | projected wall of the "
        "last split size |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    out = []
    if args.dask:
        out = dask_scaling(args.dask, args.workers, args.timeout, args.cubes)
        for m in out:
            print(_row(m), flush=True)
        base = out[0]["wall_seconds"]
        print("\nspeed-up: " + ", ".join(f"{m['jobs']} workers {base / m['wall_seconds']:.2f}x" for m in out[1:]))
    else:
        for name in args.only or [n for n in INSTANCES if n != "maj5-b2-upto8"]:
            for jobs in args.jobs:
                m = measure(name, jobs, args.timeout, args.cubes)
                out.append(m)
                print(_row(m), flush=True)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
