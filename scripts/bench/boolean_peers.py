"""Benchmark: exact minimum B2 circuits, lbt vs cirbo and ABC (``exact``, ``twoexact``).

Usage (from the repository root, after ``bash scripts/bench/setup.sh``)::

    .venv/bin/python scripts/bench/boolean_peers.py                      # every instance, every tool
    .venv/bin/python scripts/bench/boolean_peers.py --only MAJ_4,PAR_4   # some instances (names or specs)
    .venv/bin/python scripts/bench/boolean_peers.py --skip-cirbo --timeout 60 --json out.json
    .venv/bin/python scripts/bench/boolean_peers.py --hard               # add 4 uniformly random 5-input functions

Each tool finds the minimum number of fan-in-2 gates (any of the 16 binary
operations; B2) and proves it minimal: the time is the whole search, from the
common lower bound (the one lbt starts from: essential inputs - 1, distinct
outputs) up to the first satisfiable size, the refutations of all smaller sizes
included.  The tools run one after the other, each with ``--timeout`` seconds
(wall clock) per instance.

Times are CPU seconds (user + system) of the search, which other load on the
machine disturbs much less than wall time; wall times are in the JSON output and
in the wall-time geometric means.  A timed-out peer's CPU time is what it used
until it was stopped.

* lbt: :func:`solvers.boolean.engine.synthesize` in this process (after a warm-up).
* cirbo: ``CircuitFinderSat`` with basis ``XAIG`` (all non-degenerate binary
  operations, plus NOT; a minimum circuit of a function that is not a literal
  needs no degenerate gate, so its minimum equals the B2 minimum), one finder per
  size, in a child process; the time is measured in the child after its imports.
* ABC ``exact`` (Soeken's SAT-based exact synthesis, B2, multi-output):
  ``exact -C 0 -S <start>`` (no conflict limit; the default limit of 400000 makes
  it give up on hard sizes), one process, minus the cost of an ABC process that
  does nothing (measured at the beginning of the run).  Its size is the number of
  two-input nodes it writes: for ``f(0) = 1`` it writes the output complement as
  an extra inverter node, which B2 absorbs.
* ABC ``twoexact`` (single-output only): one process per size
  ``twoexact -I n -N s``, the times of all sizes added up (minus start-up each).

Every tool's circuit is re-evaluated here on all rows and every size is
compared with lbt's proven minimum; a disagreement is printed loudly and makes
the exit code 1.  A ratio is peer seconds / lbt seconds (times below 1 ms count
as 1 ms); geometric means are over the instances both tools finished with the
same size (and, separately, with the peer's timeouts counted as the time it
used, a lower bound).

Truth tables: lbt's ``TruthTable`` sets bit ``i`` to ``f(x)`` with ``x_j`` = bit
``j`` of ``i``.  ABC reads the same table printed in hex, most significant digit
first (``maj:3`` -> ``e8``), with input ``a`` = ``x0``.  cirbo's table lists row
``j`` with input 0 as the *most* significant bit of ``j`` (Knuth's order).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import queue
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from circuits.targets import target
from circuits.truthtable import TruthTable

TOOLS = ("lbt", "cirbo", "abc-exact", "abc-twoexact")
PEERS = TOOLS[1:]
MIN_SECONDS = 0.001

# the ten binary operations that depend on both arguments, as 4-bit tables (bit 2a+b)
_NONDEGENERATE_OPS = (0b0001, 0b0010, 0b0100, 0b1000, 0b0110, 0b1001, 0b0111, 0b1011, 0b1101, 0b1110)


# ------------------------------------------------------------------ instances
@dataclass(frozen=True)
class Instance:
    name: str
    spec: str

    @property
    def table(self) -> TruthTable:
        return target(self.spec).table


def random_circuit_table(n: int, gates: int, seed: int) -> int:
    """The table of a random ``gates``-gate B2 circuit on ``n`` inputs that depends on all inputs.

    Deterministic in ``(n, gates, seed)``; the minimum of such a function is at
    most ``gates`` (and tractable), unlike a uniformly random 5-input function.
    """
    rng = random.Random(f"boolean_peers:{n}:{gates}:{seed}")
    full = (1 << (1 << n)) - 1
    inputs = [TruthTable.var(n, j).table for j in range(n)]
    while True:
        nodes = list(inputs)
        for _ in range(gates):
            a, b = rng.sample(range(len(nodes)), 2)
            op = rng.choice(_NONDEGENERATE_OPS)
            nodes.append(_apply_op(op, nodes[a], nodes[b], full))
        t = nodes[-1]
        if all(((t >> (1 << j)) ^ t) & ~v & full for j, v in enumerate(inputs)):
            return t


def _apply_op(op: int, a: int, b: int, full: int) -> int:
    out = 0
    for va in (0, 1):
        for vb in (0, 1):
            if (op >> (2 * va + vb)) & 1:
                out |= (a if va else ~a & full) & (b if vb else ~b & full)
    return out


def default_instances(hard: bool = False) -> list[Instance]:
    out = [
        Instance("MAJ_3", "maj:3"),
        Instance("MAJ_4", "maj:4"),
        Instance("MAJ_5", "maj:5"),
        Instance("PAR_4", "par:4"),
        Instance("THR_4^3", "thr:4:3"),
        Instance("MOD3_4^0", "mod:4:3:0"),
        Instance("MOD3_4^1", "mod:4:3:1"),
        Instance("MOD3_4^2", "mod:4:3:2"),
        Instance("SUM_3", "sum:3"),
    ]
    out += [Instance(f"RAND4_{k}", f"rand:4:{k}") for k in range(1, 9)]
    out += [Instance(f"RC5_{k}", f"tt:5:{random_circuit_table(5, 7, k):08x}") for k in range(1, 5)]
    if hard:
        out += [Instance(f"RAND5_{k}", f"rand:5:{k}") for k in range(1, 5)]
    return out


def select(instances: list[Instance], only: str | None) -> list[Instance]:
    if not only:
        return instances
    wanted = [w.strip() for w in only.split(",") if w.strip()]
    by_name = {i.name.lower(): i for i in instances}
    out = []
    for w in wanted:
        inst = by_name.get(w.lower())
        out.append(inst if inst is not None else Instance(target(w).spec, target(w).spec))
    return out


# ------------------------------------------------------------------ truth-table formats
def reverse_bits(i: int, n: int) -> int:
    return int(format(i, f"0{n}b")[::-1], 2) if n else 0


def abc_hex(table: TruthTable) -> list[str]:
    """ABC's hex tables, one per output: the same bits, most significant digit first."""
    digits = max(1, (1 << table.n) // 4)
    return [format(t, f"0{digits}x") for t in table.outputs]


def cirbo_table(table: TruthTable) -> list[list[bool]]:
    """cirbo's ``TruthTableModel`` argument: per output, row ``j`` has input 0 as the MSB of ``j``."""
    n = table.n
    return [[bool((t >> reverse_bits(j, n)) & 1) for j in range(1 << n)] for t in table.outputs]


def from_cirbo_rows(n: int, rows: list[list[bool]]) -> tuple[int, ...]:
    """Inverse of :func:`cirbo_table`."""
    return tuple(sum(int(bool(v)) << reverse_bits(j, n) for j, v in enumerate(col)) for col in rows)


def common_start(table: TruthTable) -> int:
    """The size every tool starts from: lbt's justified lower bound for B2."""
    from circuits.boolean import Basis
    from solvers.boolean.encoding import Problem, lower_bound

    return max(1, lower_bound(Problem(table, Basis("b2", 2)))[0])


# ------------------------------------------------------------------ results
@dataclass
class Run:
    """One tool on one instance: ``status`` is ok, timeout, n/a, error or skipped."""

    tool: str
    status: str
    seconds: float | None = None
    wall: float | None = None
    size: int | None = None
    verified: bool | None = None
    note: str = ""
    steps: list[dict[str, Any]] = field(default_factory=list)


def _now() -> float:
    return time.perf_counter()


def _children_cpu() -> float:
    """CPU seconds (user + system) of all terminated, waited-for child processes so far."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


# ------------------------------------------------------------------ lbt
def run_lbt(inst: Instance, timeout: float) -> Run:
    from solvers.boolean.engine import synthesize

    table = inst.table
    t0, c0 = _now(), time.process_time()
    r = synthesize(table, "b2", timeout=timeout)
    wall, cpu = _now() - t0, time.process_time() - c0
    steps = [
        {
            "size": s.size,
            "status": s.status,
            "seconds": round(s.seconds, 6),
            "variables": s.variables,
            "clauses": s.clauses,
        }
        for s in r.steps
    ]
    if r.proven and r.size is not None:
        verified = r.circuit is not None and r.circuit.truth_table().outputs == table.outputs
        return Run("lbt", "ok", cpu, wall, r.size, verified, f"start {r.start}", steps)
    status = "timeout" if r.timed_out else "error"
    return Run("lbt", status, cpu, wall, None, None, f"lower bound {r.lower_bound}", steps)


# ------------------------------------------------------------------ cirbo
def cirbo_worker(request: str) -> int:
    """Child process: minimum search with cirbo, one JSON line per event on stdout."""
    from cirbo.core.truth_table import TruthTableModel
    from cirbo.synthesis.circuit_search import CircuitFinderSat
    from cirbo.synthesis.exception import NoSolutionError

    req = json.loads(request)
    n, start, rows = req["n"], req["start"], req["rows"]
    model = TruthTableModel(rows)

    def emit(**kw: Any) -> None:
        print(json.dumps(kw), flush=True)

    emit(event="ready")
    t_all, c_all = _now(), time.process_time()
    size = start
    while True:
        t0 = _now()
        try:
            ckt = CircuitFinderSat(model, size, basis="XAIG").find_circuit()
        except NoSolutionError:
            emit(event="step", size=size, status="unsat", seconds=_now() - t0)
            size += 1
            continue
        total, cpu = _now() - t_all, time.process_time() - c_all
        emit(event="step", size=size, status="sat", seconds=_now() - t0)
        columns: list[list[bool]] = [[] for _ in range(len(rows))]
        for i in range(1 << n):
            values = ckt.evaluate([bool((i >> j) & 1) for j in range(n)])
            for k, v in enumerate(values):
                columns[k].append(bool(v))
        tables = [sum(int(v) << i for i, v in enumerate(col)) for col in columns]
        emit(event="done", size=size, seconds=cpu, wall=total, tables=tables, gates_number=ckt.gates_number())
        return 0


def _reader(stream: Any, q: queue.Queue[tuple[float, str | None]]) -> None:
    for line in stream:
        q.put((_now(), line))
    q.put((_now(), None))


def run_cirbo(inst: Instance, timeout: float, start: int) -> Run:
    """The search in a child process; on a timeout ``seconds`` is the CPU the child used until killed."""
    table = inst.table
    req = json.dumps({"n": table.n, "start": start, "rows": cirbo_table(table)})
    c0 = _children_cpu()
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--cirbo-worker", req],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        run = _follow_cirbo(proc, table, timeout, start)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    if run.status == "timeout":
        run.seconds = _children_cpu() - c0
    return run


def _follow_cirbo(proc: subprocess.Popen[str], table: TruthTable, timeout: float, start: int) -> Run:
    q: queue.Queue[tuple[float, str | None]] = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stdout, q), daemon=True).start()
    steps: list[dict[str, Any]] = []
    deadline = _now() + 120.0  # imports; the search clock starts at "ready"
    ready = False
    while True:
        try:
            _, line = q.get(timeout=max(0.0, deadline - _now()))
        except queue.Empty:
            if not ready:
                return Run("cirbo", "error", note="worker did not start", steps=steps)
            return Run("cirbo", "timeout", None, timeout, steps=steps)
        if line is None:
            proc.wait()
            err = (proc.stderr.read() if proc.stderr else "").strip().splitlines()
            return Run("cirbo", "error", note=err[-1] if err else "worker exited", steps=steps)
        ev = json.loads(line)
        if ev["event"] == "ready":
            ready, deadline = True, _now() + timeout
        elif ev["event"] == "step":
            steps.append({k: ev[k] for k in ("size", "status", "seconds")})
        elif ev["event"] == "done":
            verified = tuple(ev["tables"]) == table.outputs
            return Run(
                "cirbo",
                "ok",
                ev["seconds"],
                ev["wall"],
                ev["size"],
                verified,
                f"start {start}; gates_number() {ev['gates_number']}",
                steps,
            )


# ------------------------------------------------------------------ ABC
def abc_binary(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    return shutil.which("berkeley-abc") or shutil.which("abc")


@dataclass(frozen=True)
class Startup:
    """What an ABC process that does nothing costs: median wall and CPU seconds."""

    wall: float
    cpu: float


def abc_startup(abc: str, runs: int = 7) -> Startup:
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu, _ = run_abc(abc, "quit", None)
        walls.append(wall)
        cpus.append(cpu)
    return Startup(statistics.median(walls), statistics.median(cpus))


def run_abc(abc: str, command: str, timeout: float | None) -> tuple[float, float, str | None]:
    """Run ``abc -c command``: wall seconds, CPU seconds, output (``None`` on timeout)."""
    c0, t0 = _children_cpu(), _now()
    try:
        out = subprocess.run([abc, "-c", command], capture_output=True, text=True, timeout=timeout, check=False)
        text: str | None = out.stdout + out.stderr
    except subprocess.TimeoutExpired:
        text = None
    return _now() - t0, _children_cpu() - c0, text


def blif_tables(text: str, swap_fanins: bool = False) -> tuple[int, ...]:
    """Evaluate a (combinational, single-cover-per-node) BLIF on all rows; inputs in order = x0, x1, ...

    ``swap_fanins`` reverses each node's fan-in list before reading its cover.
    """
    inputs: list[str] = []
    outputs: list[str] = []
    nodes: list[tuple[list[str], str, list[tuple[str, str]]]] = []
    cover: list[tuple[str, str]] | None = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("."):
            words = line.split()
            cover = None
            if words[0] == ".inputs":
                inputs += words[1:]
            elif words[0] == ".outputs":
                outputs += words[1:]
            elif words[0] == ".names":
                fanins = words[1:-1][::-1] if swap_fanins else words[1:-1]
                cover = []
                nodes.append((fanins, words[-1], cover))
        elif cover is not None:
            parts = line.split()
            cover.append(("", parts[0]) if len(parts) == 1 else (parts[0], parts[1]))
    n = len(inputs)
    result = [0] * len(outputs)
    for i in range(1 << n):
        value = {name: (i >> j) & 1 for j, name in enumerate(inputs)}
        pending = list(nodes)
        while pending:  # BLIF nodes may come in any order
            rest = []
            for fanins, out, rows in pending:
                if any(f not in value for f in fanins):
                    rest.append((fanins, out, rows))
                    continue
                value[out] = _cover_value(rows, [value[f] for f in fanins])
            if len(rest) == len(pending):
                raise ValueError("BLIF has a cycle or an undefined signal")
            pending = rest
        for k, name in enumerate(outputs):
            result[k] |= value[name] << i
    return tuple(result)


def blif_gate_counts(text: str) -> tuple[int, int]:
    """Nodes of a BLIF with two or more fan-ins (gates) and with one fan-in (inverters, buffers).

    ABC's ``exact`` synthesises a function with ``f(0) = 1`` as the complement of a
    normal one and writes the complement as a separate inverter node (``print_stats``
    then counts it in ``nd``); in B2 it is absorbed into the gate it inverts.
    """
    gates = inverters = 0
    for raw in text.splitlines():
        words = raw.split("#", 1)[0].split()
        if words and words[0] == ".names":
            fanins = len(words) - 2
            gates += fanins >= 2
            inverters += fanins == 1
    return gates, inverters


def _cover_value(rows: list[tuple[str, str]], bits: list[int]) -> int:
    if not rows:
        return 0
    onset = rows[0][1] == "1"
    hit = any(all(c == "-" or int(c) == b for c, b in zip(pattern, bits)) for pattern, _ in rows)
    return int(hit == onset)


def run_abc_exact(inst: Instance, timeout: float, start: int, abc: str, startup: Startup) -> Run:
    table = inst.table
    with tempfile.TemporaryDirectory() as d:
        blif = Path(d) / "exact.blif"
        cmd = f"exact -v -C 0 -S {start} {' '.join(abc_hex(table))}; print_stats; write_blif {blif}"
        wall, cpu, text = run_abc(abc, cmd, timeout)
        if text is None:
            return Run("abc-exact", "timeout", cpu, timeout)
        wall, cpu = max(MIN_SECONDS, wall - startup.wall), max(MIN_SECONDS, cpu - startup.cpu)
        tried = [int(x) for x in re.findall(r"try with (\d+) gates", text)]
        if re.search(r"\bnd\s*=\s*(\d+)", text) is None or not blif.exists():
            last = text.strip().splitlines()[-1] if text.strip() else "no output"
            return Run("abc-exact", "error", cpu, wall, note=last)
        blif_text = blif.read_text()
    size, inverters = blif_gate_counts(blif_text)
    steps = [{"size": s, "status": "sat" if s == size else "unsat"} for s in tried]
    notes = [f"{inverters} output inverter(s) not counted"] if inverters else []
    if blif_tables(blif_text) == table.outputs:
        verified = True
    elif blif_tables(blif_text, swap_fanins=True) == table.outputs:
        verified = True
        notes.append("written BLIF correct only with each gate's fan-ins swapped")
    else:
        verified = False
        notes.append("written BLIF does not compute the target")
    return Run("abc-exact", "ok", cpu, wall, size, verified, "; ".join(notes), steps)


_TWOEXACT_GATE = re.compile(r"^\s*(\w+)\s*=\s*4'b([01]{4})\(\s*(\w+)\s+(\w+)\s*\)")


def twoexact_table(text: str, n: int) -> int | None:
    """Evaluate the circuit ``twoexact`` prints; a gate's 4-bit literal has bit ``2*first + second``."""
    gates = [m.groups() for m in map(_TWOEXACT_GATE.match, text.splitlines()) if m]
    if not gates:
        return None
    full = (1 << (1 << n)) - 1
    value = {chr(ord("a") + j): TruthTable.var(n, j).table for j in range(n)}
    for name, bits, first, second in sorted(gates, key=lambda g: int(g[0])):
        value[name] = _apply_op(int(bits, 2), value[first], value[second], full)
    return value[max(gates, key=lambda g: int(g[0]))[0]]


def run_abc_twoexact(inst: Instance, timeout: float, start: int, abc: str, startup: Startup) -> Run:
    """One ABC process per size; a run that prints neither a circuit nor "no solution" counts as UNSAT.

    (``twoexact`` stops silently when its CNF becomes unsatisfiable while clauses are
    added; the sizes it reports are checked against lbt's proven minimum anyway.)
    """
    table = inst.table
    if table.m != 1:
        return Run("abc-twoexact", "n/a", note="single-output only")
    hexes = abc_hex(table)
    wall_total = cpu_total = 0.0
    steps: list[dict[str, Any]] = []
    size = start
    while True:
        remaining = timeout - wall_total
        if remaining <= 0:
            return Run("abc-twoexact", "timeout", cpu_total, timeout, steps=steps)
        wall, cpu, text = run_abc(abc, f"twoexact -I {table.n} -N {size} {hexes[0]}", remaining)
        if text is None:
            return Run("abc-twoexact", "timeout", cpu_total + cpu, timeout, steps=steps)
        wall, cpu = max(0.0, wall - startup.wall), max(0.0, cpu - startup.cpu)
        wall_total += wall
        cpu_total += cpu
        found = twoexact_table(text, table.n)
        if found is None:
            status = "unsat" if "has no solution" in text else "unsat-silent"
            steps.append({"size": size, "status": status, "seconds": round(cpu, 6)})
            size += 1
            continue
        steps.append({"size": size, "status": "sat", "seconds": round(cpu, 6)})
        silent = sum(st["status"] == "unsat-silent" for st in steps)
        note = f"{silent} size(s) ended without a verdict, counted as UNSAT" if silent else ""
        return Run(
            "abc-twoexact",
            "ok",
            max(MIN_SECONDS, cpu_total),
            max(MIN_SECONDS, wall_total),
            size,
            found == table.outputs[0],
            note,
            steps,
        )


# ------------------------------------------------------------------ report
def _secs(run: Run, metric: str) -> float:
    value = run.seconds if metric == "cpu" else run.wall
    return max(MIN_SECONDS, value or 0.0)


def timeout_bound(peer: Run, base: Run, metric: str = "cpu") -> float | None:
    """For a peer that timed out where lbt finished: peer time so far / lbt time, a lower bound on the ratio.

    ``None`` when the peer's time for ``metric`` is unknown.
    """
    if peer.status != "timeout" or base.status != "ok":
        return None
    value = peer.seconds if metric == "cpu" else peer.wall
    return None if value is None else max(MIN_SECONDS, value) / _secs(base, metric)


def agrees(peer: Run, base: Run) -> bool:
    """Both finished, with verified circuits of the same size."""
    return (
        peer.status == "ok"
        and base.status == "ok"
        and peer.size == base.size
        and peer.verified is not False
        and base.verified is not False
    )


def ratio(peer: Run, base: Run, metric: str = "cpu") -> float | None:
    """Peer time / lbt time on an instance both finished with the same (verified) size."""
    return _secs(peer, metric) / _secs(base, metric) if agrees(peer, base) else None


def fmt_cell(run: Run | None) -> tuple[str, str]:
    if run is None or run.status == "skipped":
        return "-", "skipped"
    if run.status == "ok":
        mark = "" if run.verified else " (unverified!)"
        return f"{run.size}{mark}", f"{run.seconds:.3f}"
    if run.status == "timeout":
        cpu = "" if run.seconds is None else f", {run.seconds:.0f} s CPU"
        return "?", f"timeout ({run.wall:.0f} s wall{cpu})"
    if run.status == "n/a":
        return "n/a", run.note or "n/a"
    return "error", run.note[:60]


def fmt_ratio(peer: Run | None, base: Run | None) -> str:
    if peer is None or base is None:
        return "-"
    r = ratio(peer, base)
    if r is not None:
        return f"{r:.2f}"
    if peer.status == "ok" and base.status == "ok":
        return f"({_secs(peer, 'cpu') / _secs(base, 'cpu'):.2f}, size differs!)"
    bound = timeout_bound(peer, base, "cpu")
    if bound is not None:
        return f">{bound:.0f}"
    bound = timeout_bound(peer, base, "wall")
    return "-" if bound is None else f">{bound:.0f} (wall)"


def geomean(values: list[float]) -> float | None:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def table_markdown(rows: list[dict[str, Any]], tools: list[str]) -> str:
    head = ["instance", "n", "table"]
    for tool in tools:
        head += [f"{tool} size", f"{tool} s"] + ([f"{tool}/lbt"] if tool != "lbt" else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        runs: dict[str, Run] = row["runs"]
        cells = [row["name"], str(row["n"]), row["table"]]
        for tool in tools:
            size, secs = fmt_cell(runs.get(tool))
            cells += [size, secs]
            if tool != "lbt":
                cells.append(fmt_ratio(runs.get(tool), runs.get("lbt")))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _geomeans(rows: list[dict[str, Any]], tool: str, metric: str) -> dict[str, Any]:
    both = [x for x in (ratio(r["runs"][tool], r["runs"]["lbt"], metric) for r in rows) if x is not None]
    # the peer's timeouts counted as the time it used: a lower bound on the true mean
    bounded = [
        x
        for x in (
            ratio(r["runs"][tool], r["runs"]["lbt"], metric) or timeout_bound(r["runs"][tool], r["runs"]["lbt"], metric)
            for r in rows
        )
        if x is not None
    ]
    return {
        "geomean_both_finish": geomean(both),
        "instances_both_finish": len(both),
        "geomean_with_timeout_bounds": geomean(bounded),
        "instances_counted": len(bounded),
    }


def summary(rows: list[dict[str, Any]], tools: list[str]) -> tuple[list[str], dict[str, Any]]:
    """Geometric means of peer/lbt time ratios, CPU and wall, all instances and 4-input ones."""
    lines: list[str] = []
    data: dict[str, Any] = {}
    for tool in tools[1:]:
        for label, n in (("all", None), ("4-input", 4)):
            picked = [r for r in rows if tool in r["runs"] and "lbt" in r["runs"] and n in (None, r["n"])]
            for metric in ("cpu", "wall"):
                g = _geomeans(picked, tool, metric)
                data[f"{tool}/{label}/{metric}"] = g
                if g["geomean_both_finish"] is None:
                    continue
                text = (
                    f"- {tool}/lbt, {label} instances, {metric} time: geometric mean "
                    f"{g['geomean_both_finish']:.2f} over the {g['instances_both_finish']} both finish"
                )
                if g["instances_counted"] > g["instances_both_finish"]:
                    text += (
                        f"; {g['geomean_with_timeout_bounds']:.2f} over {g['instances_counted']} counting "
                        f"{tool}'s timeouts as the time used (a lower bound)"
                    )
                lines.append(text)
    return lines, data


def check_sizes(rows: list[dict[str, Any]]) -> list[str]:
    problems = []
    for row in rows:
        runs: dict[str, Run] = row["runs"]
        base = runs.get("lbt")
        for tool, run in runs.items():
            if run.status == "ok" and run.verified is False:
                problems.append(f"{row['name']}: {tool}'s circuit does not compute the target")
            if tool == "lbt" or run.status != "ok" or base is None or base.status != "ok":
                continue
            if run.size != base.size:
                problems.append(f"{row['name']}: {tool} found size {run.size}, lbt proved {base.size}")
    return problems


def machine_info(abc: str | None) -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for pkg in ("lbt", "python-sat", "cirbo", "numpy"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    if abc:
        out = subprocess.run([abc, "-c", "version"], capture_output=True, text=True, check=False)
        versions["abc"] = next(
            (ln.strip() for ln in out.stdout.splitlines() if "ABC" in ln and "command" not in ln), None
        )
        deb = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Version}", "berkeley-abc"], capture_output=True, text=True, check=False
        )
        versions["berkeley-abc (deb)"] = deb.stdout.strip() or None
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "versions": versions,
        "load_start": os.getloadavg(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


# ------------------------------------------------------------------ main
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--only", help="comma-separated instance names (MAJ_4) or target specs (maj:4)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per tool and instance (default 300)")
    ap.add_argument("--skip-cirbo", action="store_true")
    ap.add_argument("--skip-abc", action="store_true", help="skip ABC exact and twoexact")
    ap.add_argument("--skip-twoexact", action="store_true", help="skip ABC twoexact only")
    ap.add_argument("--hard", action="store_true", help="add uniformly random 5-input functions rand:5:1..4")
    ap.add_argument("--abc", help="ABC binary (default: berkeley-abc or abc on PATH)")
    ap.add_argument("--json", type=Path, help="write all results here")
    ap.add_argument("--cirbo-worker", help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def cirbo_available() -> bool:
    try:
        metadata.version("cirbo")
    except metadata.PackageNotFoundError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.cirbo_worker is not None:
        return cirbo_worker(args.cirbo_worker)
    instances = select(default_instances(args.hard), args.only)
    abc = None if args.skip_abc else abc_binary(args.abc)
    tools = ["lbt"]
    if not args.skip_cirbo:
        if cirbo_available():
            tools.append("cirbo")
        else:
            print("note: cirbo not installed (bash scripts/bench/setup.sh); skipping it", file=sys.stderr)
    if not args.skip_abc:
        if abc:
            tools.append("abc-exact")
            if not args.skip_twoexact:
                tools.append("abc-twoexact")
        else:
            print("note: ABC not found (bash scripts/bench/setup.sh); skipping it", file=sys.stderr)
    info = machine_info(abc)
    startup = abc_startup(abc) if abc else Startup(0.0, 0.0)
    info["abc_startup"] = asdict(startup)
    info["command"] = " ".join([".venv/bin/python", "scripts/bench/boolean_peers.py", *sys.argv[1:]])
    print(
        f"# {info['date']}; {info['cores']} cores, {info['cpu']}; Python {info['python']}; "
        f"load {info['load_start'][0]:.2f}; ABC start-up {startup.wall * 1000:.1f} ms wall, "
        f"{startup.cpu * 1000:.1f} ms CPU",
        file=sys.stderr,
    )
    from solvers.boolean.engine import synthesize

    synthesize("maj:3")  # warm-up: imports are not timed
    rows: list[dict[str, Any]] = []
    for inst in instances:
        table = inst.table
        start = common_start(table)
        runs: dict[str, Run] = {}
        for tool in tools:
            if tool == "lbt":
                run = run_lbt(inst, args.timeout)
            elif tool == "cirbo":
                run = run_cirbo(inst, args.timeout, start)
            elif tool == "abc-exact":
                assert abc is not None
                run = run_abc_exact(inst, args.timeout, start, abc, startup)
            else:
                assert abc is not None
                run = run_abc_twoexact(inst, args.timeout, start, abc, startup)
            runs[tool] = run
            size, secs = fmt_cell(run)
            print(f"{inst.name:10s} {tool:13s} size {size:>4s}  {secs}  {run.note}", file=sys.stderr, flush=True)
        rows.append(
            {"name": inst.name, "spec": inst.spec, "n": table.n, "table": table.hex(), "start": start, "runs": runs}
        )
    info["load_end"] = os.getloadavg()
    print(table_markdown(rows, tools))
    print()
    lines, means = summary(rows, tools)
    print("\n".join(lines))
    problems = check_sizes(rows)
    for p in problems:
        print(f"!!! DISAGREEMENT: {p}")
    print(f"\nload average at start {info['load_start'][0]:.2f}, at end {info['load_end'][0]:.2f}")
    if args.json:
        payload = {
            "machine": info,
            "timeout": args.timeout,
            "tools": tools,
            "geomeans": means,
            "disagreements": problems,
            "instances": [
                {**{k: v for k, v in r.items() if k != "runs"}, "runs": {t: asdict(x) for t, x in r["runs"].items()}}
                for r in rows
            ],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
