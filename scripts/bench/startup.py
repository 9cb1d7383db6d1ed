"""Benchmark: start-up cost of the ``lbt`` command line.

Usage (from the repository root)::

    .venv/bin/python scripts/bench/startup.py            # median of 9 runs of each command
    .venv/bin/python scripts/bench/startup.py --runs 21

Measures the wall and CPU time of ``lbt --help``, ``lbt info maj:3`` and
``lbt synth maj:3 --model b2`` (each run as a fresh process, as a script calling
lbt a thousand times would), and the cumulative import time of ``lbt.cli``
from ``python -X importtime``.  Prints one Markdown table.

The runs use a warm bytecode cache, as an installed lbt has: the environment's
``PYTHONDONTWRITEBYTECODE`` is dropped and one untimed run of each command
writes the ``.pyc`` files first.  Without the cache every start-up compiles
lbt's sources again (about 0.1 s more).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

COMMANDS = (["--help"], ["info", "maj:3"], ["synth", "maj:3", "--model", "b2"])


def lbt_executable() -> str:
    """The ``lbt`` of this interpreter's environment (else the one on PATH)."""
    here = Path(sys.executable).with_name("lbt")
    found = str(here) if here.exists() else shutil.which("lbt")
    if found is None:
        sys.exit("no lbt executable: install the project first (bash scripts/demo.sh)")
    return found


def timed(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one run of ``argv``."""
    before = os.times()
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=ENV)
    wall = time.perf_counter() - start
    after = os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def import_time() -> float:
    """Cumulative import time of ``lbt.cli`` in seconds (``python -X importtime``)."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import lbt.cli"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=ENV,
    ).stderr
    match = re.search(r"\|\s*(\d+)\s*\|\s*lbt\.cli\s*$", out, flags=re.M)
    return int(match.group(1)) / 1e6 if match else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="runs of each command (the median is reported)")
    args = parser.parse_args()
    lbt = lbt_executable()
    print(f"load average before: {os.getloadavg()[0]:.2f}\n")
    print("| command | median wall (s) | median CPU (s) |")
    print("|---|---:|---:|")
    for cmd in COMMANDS:
        timed([lbt, *cmd])  # writes the bytecode cache
        runs = [timed([lbt, *cmd]) for _ in range(args.runs)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"| `lbt {' '.join(cmd)}` | {wall:.3f} | {cpu:.3f} |")
    print(f"| `python -X importtime -c 'import lbt.cli'` (cumulative) | {import_time():.3f} | |")


if __name__ == "__main__":
    main()
