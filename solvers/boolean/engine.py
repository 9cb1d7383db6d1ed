"""Exact minimum-size circuit synthesis: search sizes upward until the first satisfiable one.

:func:`synthesize` starts at a size every circuit must reach (the
:func:`~solvers.boolean.encoding.lower_bound` of the target, or a user-given
``start``), asks the SAT-chain encoding of :mod:`solvers.boolean.encoding` for each
size in turn and stops at the first satisfiable size.  Every unsatisfiable size
is a *refutation*; the result is *proven* minimal only when the refutations
reach without a gap from the justified lower bound up to the size found.

One size is one call of :func:`solve_step`: a clause list in, a model,
"unsat" or "timeout" out.  All restrictions are clauses (no assumptions), so
an "unsat" refutes exactly the CNF that a proof run writes (the SHA-256 of its
DIMACS text is recorded either way).  With ``proof_dir`` the step runs through
:func:`solvers.proof.refute`, which writes the DIMACS file, solves with an
LRAT proof and checks the proof with the project's checker; a proof the
checker rejects raises :class:`ProofRejected`.

Time limits and Ctrl-C: CaDiCaL inside python-sat cannot be interrupted
(``interrupt()`` is not implemented for it), so the solver runs in slices of
:data:`SLICE_CONFLICTS` conflicts (``conf_budget`` + ``solve_limited``);
between slices the deadline is checked and a pending ``KeyboardInterrupt``
surfaces.  The budget does not depend on timing, so runs are reproducible.  Solvers that cannot be called repeatedly
(``kissat404``, ``lingeling``) run in one call and refuse a timeout.

Every witness is decoded into a :class:`~circuits.boolean.BooleanCircuit` and
evaluated on all ``2**n`` rows before it is returned; a witness that does not
compute the target (on its care rows), exceeds the depth bound or has the wrong
size raises :class:`WitnessError`, never a result.

>>> r = synthesize("maj:3")
>>> r.size, r.proven, r.lower_bound
(4, True, 4)
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pysat.solvers import NoSuchSolverError, Solver, SolverNames

from circuits.boolean import MAX_FANIN, Basis, BooleanCircuit
from circuits.errors import LbtError, ProofRejected, SpecError, TooLargeError, WitnessError
from circuits.output import check_output, write_text_atomic
from circuits.schema import read_json
from circuits.truthtable import TruthTable
from solvers.boolean.encoding import (
    DEFAULT_STRENGTHENINGS,
    ENCODING,
    ENCODING_VERSION,
    MAX_SAT_INPUTS,
    STRENGTHENINGS,
    Problem,
    encode,
    lower_bound,
    max_useful_size,
    trivial_circuit,
)
from solvers.cnf import dimacs_sha256
from solvers.interrupt import solve_limited
from solvers.limits import DeadlineReached, check_deadline, check_jobs, check_timeout
from solvers.records import ProgressEvent, StepResult
from solvers.search import Search, search_sizes

__all__ = [
    "HELPER_DELAY",
    "MODELS",
    "SLICE_CONFLICTS",
    "ProgressEvent",
    "ProofRejected",
    "StepResult",
    "SynthesisResult",
    "WitnessError",
    "check_witness",
    "solve_step",
    "solver_name",
    "synthesize",
]

#: The circuit models :func:`synthesize` accepts (basis names of :mod:`circuits.boolean`).
MODELS = ("b2", "aig", "mono")

# solvers that must not be called twice on one instance (no incremental or limited solving)
_ONE_SHOT = frozenset({"kissat404", "lingeling"})

#: Conflicts per solver call: between calls the deadline, Ctrl-C and helpers are checked
#: (a call takes about 0.1 - 1 s on the instances of the benchmarks).
SLICE_CONFLICTS = 10000


# ------------------------------------------------------------------ solvers
def solver_name(name: str) -> str:
    """The canonical pysat name of a solver alias (``"cd19"`` -> ``"cadical195"``).

    Raises :class:`SpecError` for a name pysat does not know or a solver this build
    of pysat lacks.
    """
    if not isinstance(name, str):
        raise SpecError(f"solver name must be a string, got {name!r}")
    key = name.strip().lower()
    for canonical, aliases in vars(SolverNames).items():
        if canonical.startswith("_") or not isinstance(aliases, tuple):
            continue
        if key in aliases:
            try:
                with Solver(name=canonical, bootstrap_with=[[1]]) as s:
                    s.solve()
            except NoSuchSolverError:
                raise SpecError(f"solver {name!r} is not available in this build of python-sat") from None
            return canonical
    known = sorted(k for k, v in vars(SolverNames).items() if not k.startswith("_") and isinstance(v, tuple))
    raise SpecError(f"unknown SAT solver {name!r} (known: {', '.join(known)})")


# ------------------------------------------------------------------ records
@dataclass(frozen=True)
class SynthesisResult:
    """The outcome of :func:`synthesize`.

    ``size`` is the smallest size found (``None`` if none was found);
    ``lower_bound`` the smallest size not excluded, by the justified starting
    bound (``bound_reason``) followed by a gap-free run of refutations;
    ``proven`` is true iff ``size == lower_bound`` (the size is the exact minimum),
    or ``infeasible`` is true: with a depth bound, every size up to the largest
    useful one was refuted, so no circuit of that depth exists.
    """

    target: str
    table: str
    n: int
    m: int
    care: tuple[int, ...] | None
    model: str
    fanin: int | None
    depth: int | None
    solver: str
    strengthenings: tuple[str, ...]
    size: int | None
    proven: bool
    lower_bound: int
    bound_reason: str
    start: int
    circuit: BooleanCircuit | None
    refutations: tuple[StepResult, ...]
    steps: tuple[StepResult, ...]
    seconds: float
    timed_out: bool = False
    interrupted: bool = False
    infeasible: bool = False
    max_size: int | None = None
    proofs: bool = False
    jobs: int = 1

    @property
    def witness(self) -> dict[str, Any] | None:
        return None if self.circuit is None else self.circuit.to_dict()

    def to_dict(self) -> dict[str, Any]:
        digits = max(1, (1 << self.n) // 4)
        return {
            "target": self.target,
            "table": self.table,
            "n": self.n,
            "m": self.m,
            "care": None if self.care is None else [format(c, f"0{digits}x") for c in self.care],
            "model": self.model,
            "fanin": self.fanin,
            "depth": self.depth,
            "solver": self.solver,
            "encoding": ENCODING,
            "encoding_version": ENCODING_VERSION,
            "strengthenings": list(self.strengthenings),
            "size": self.size,
            "proven": self.proven,
            "lower_bound": self.lower_bound,
            "bound_reason": self.bound_reason,
            "start": self.start,
            "max_size": self.max_size,
            "witness": self.witness,
            "refutations": [r.to_dict() for r in self.refutations],
            "steps": [r.to_dict() for r in self.steps],
            "proofs": self.proofs,
            "jobs": self.jobs,
            "seconds": round(self.seconds, 6),
            "timed_out": self.timed_out,
            "interrupted": self.interrupted,
            "infeasible": self.infeasible,
        }


# ------------------------------------------------------------------ one step
def solve_step(
    clauses: list[list[int]],
    nv: int,
    *,
    size: int,
    solver: str = "cadical195",
    deadline: float | None = None,
    proof_dir: str | Path | None = None,
    name: str | None = None,
    jobs: int = 1,
) -> StepResult:
    """Solve one CNF: ``"sat"`` with a model, ``"unsat"``, ``"timeout"`` or ``"interrupted"``.

    ``deadline`` is a :func:`time.monotonic` instant.  The solver runs in slices
    of :data:`SLICE_CONFLICTS` conflicts, so a deadline or Ctrl-C (which this
    function turns into the status ``"interrupted"``) stops it within a slice.  With ``proof_dir`` the step is delegated to :func:`solvers.proof.refute`.

    With ``jobs > 1``, a step still undecided after :data:`HELPER_DELAY` seconds
    gets ``jobs - 1`` helper processes, each solving a copy of the same clauses
    with variables renamed and clauses reordered by a seed (a different search
    of the same formula).  The first answer wins: a helper's model is mapped
    back and returned (it satisfies these very clauses); a helper's UNSAT is
    accepted without proofs and ignored with them (then only the proof run of
    the clauses as given can refute the size).
    """
    if proof_dir is not None:
        first = deadline
        if jobs > 1:
            first = (
                time.monotonic() + HELPER_DELAY if deadline is None else min(deadline, time.monotonic() + HELPER_DELAY)
            )
        step = _proof_step(clauses, nv, size=size, solver=solver, deadline=first, proof_dir=proof_dir, name=name)
        if jobs <= 1 or step.status != "timeout" or (deadline is not None and time.monotonic() >= deadline):
            return step
        return _portfolio_proof_step(
            clauses,
            nv,
            size=size,
            solver=solver,
            deadline=deadline,
            proof_dir=proof_dir,
            name=name,
            jobs=jobs,
            spent=step.seconds,
        )
    t0 = time.monotonic()
    status, model, method = "timeout", None, f"sat:{solver}"
    helpers: list[_Helper] = []
    try:
        loaded = _new_solver(solver, clauses, deadline)
    except DeadlineReached:
        return StepResult(size, "timeout", time.monotonic() - t0, nv, len(clauses), method)
    with loaded as s:
        try:
            if solver in _ONE_SHOT:
                if deadline is not None:
                    raise SpecError(f"solver {solver} cannot be time-limited; use another solver or no timeout")
                result = s.solve()
            else:

                def poll() -> tuple[str, list[int] | None, str] | None:
                    if jobs > 1 and not helpers and time.monotonic() - t0 >= HELPER_DELAY:
                        helpers.extend(_start_helpers(clauses, nv, solver, size, jobs - 1))
                    for h in helpers:
                        answer = h.answer()
                        if answer is not None and answer[0] in ("sat", "unsat"):
                            return answer[0], answer[1], f"sat:{solver}:helper{h.index}"
                    return None

                result = _solve_sliced(s, deadline, poll)
                if isinstance(result, tuple):
                    status, model, method = result
                    result = None
            if result is True:
                status, model = "sat", s.get_model()
            elif result is False:
                status = "unsat"
        except KeyboardInterrupt:
            status = "interrupted"
        finally:
            for h in helpers:
                h.stop()
    return StepResult(
        size=size,
        status=status,
        seconds=time.monotonic() - t0,
        variables=nv,
        clauses=len(clauses),
        method=method,
        model=model,
    )


#: Clauses given to a solver between two looks at the deadline.
_LOAD_CHUNK = 1 << 16


def _new_solver(solver: str, clauses: list[list[int]], deadline: float | None = None) -> Solver:
    """A solver loaded with ``clauses``; CaDiCaL starts with every decision on false.

    Most variables of the encoding are false in a model (one-hot selections), and
    the initial phase 0 (CaDiCaL option ``phase=0``) finds models markedly faster
    without slowing refutations (measured on 5-input instances).  Loading stops with
    :class:`DeadlineReached` once ``deadline`` has passed.
    """
    s = Solver(name=solver)
    try:
        if solver.startswith("cadical"):
            s.configure({"phase": 0})
        for start in range(0, len(clauses), _LOAD_CHUNK):
            check_deadline(deadline)
            s.append_formula(clauses[start : start + _LOAD_CHUNK])
    except BaseException:
        s.delete()
        raise
    return s


def _solve_sliced(s: Solver, deadline: float | None, poll=None):
    """``True``/``False``/``None`` (deadline) from ``s``, or whatever ``poll()`` returns first.

    Slices have a fixed conflict budget, independent of timing, so that a run is
    reproducible: the same CNF gives the same search whatever the machine load.
    """
    while True:
        if deadline is not None and time.monotonic() >= deadline:
            return None
        if poll is not None:
            other = poll()
            if other is not None:
                return other
        s.conf_budget(SLICE_CONFLICTS)
        result = solve_limited(s)
        if result is not None:
            return result


# ------------------------------------------------------------------ helpers (portfolio)
#: Seconds a step runs alone before ``jobs - 1`` helper processes join it.
HELPER_DELAY = 1.0


def _renamed(clauses: list[list[int]], nv: int, seed: int) -> tuple[list[list[int]], list[int]]:
    """The clauses with variable ``v`` renamed to ``perm[v - 1]`` and the clause order shuffled."""
    rng = random.Random(seed)
    perm = list(range(1, nv + 1))
    rng.shuffle(perm)
    out = [[perm[lit - 1] if lit > 0 else -perm[-lit - 1] for lit in c] for c in clauses]
    rng.shuffle(out)
    return out, perm


def _helper_main(conn, clauses: list[list[int]], nv: int, solver: str, seed: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops helpers
    try:
        renamed, perm = _renamed(clauses, nv, seed)
        with _new_solver(solver, renamed) as s:
            if s.solve():
                true = {lit for lit in s.get_model() if lit > 0}
                conn.send(("sat", [v if perm[v - 1] in true else -v for v in range(1, nv + 1)]))
            else:
                conn.send(("unsat", None))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which ignores the helper
        conn.send(("error", repr(exc)))
    finally:
        conn.close()


class _Helper:
    """A child process solving a renamed copy of a CNF; :meth:`answer` polls it without blocking."""

    def __init__(self, index: int, clauses: list[list[int]], nv: int, solver: str, seed: int) -> None:
        ctx = multiprocessing.get_context("fork")
        self.index = index
        self.conn, child = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_helper_main, args=(child, clauses, nv, solver, seed), daemon=True)
        self.proc.start()
        child.close()
        self._answer: tuple | None = None

    def answer(self) -> tuple | None:
        if self._answer is None and self.conn.poll():
            try:
                self._answer = self.conn.recv()
            except EOFError:
                self._answer = ("error", "helper ended without an answer")
        return self._answer

    def stop(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()
        self.conn.close()


def _start_helpers(clauses: list[list[int]], nv: int, solver: str, size: int, count: int) -> list[_Helper]:
    return [_Helper(j + 1, clauses, nv, solver, seed=1_000_003 * size + j) for j in range(count)]


def _proof_child_main(conn, kwargs: dict) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        conn.send(("step", _proof_step(**kwargs)))
    except BaseException as exc:  # noqa: BLE001 - re-raised in the parent
        conn.send(("raise", exc))
    finally:
        conn.close()


def _portfolio_proof_step(
    clauses: list[list[int]],
    nv: int,
    *,
    size: int,
    solver: str,
    deadline: float | None,
    proof_dir: str | Path,
    name: str | None,
    jobs: int,
    spent: float,
) -> StepResult:
    """The proof run in a child process, raced by helpers that can only contribute a model."""
    from solvers import proof as proof_mod

    t0 = time.monotonic() - spent
    name = name or f"size{size}"
    ctx = multiprocessing.get_context("fork")
    conn, child = ctx.Pipe(duplex=False)
    kwargs = {
        "clauses": clauses, "nv": nv, "size": size, "solver": solver,
        "deadline": deadline, "proof_dir": proof_dir, "name": name,
    }  # fmt: skip
    primary = ctx.Process(target=_proof_child_main, args=(child, kwargs), daemon=True)
    primary.start()
    child.close()
    helpers = _start_helpers(clauses, nv, solver, size, jobs - 1)
    method = f"lrat:{solver}"
    result: StepResult | None = None
    try:
        while result is None:
            if conn.poll(0.1):
                try:
                    kind, payload = conn.recv()
                except EOFError:
                    raise RuntimeError(f"the proof process for size {size} ended without a result") from None
                if kind == "raise":
                    raise payload
                result = replace(payload, seconds=time.monotonic() - t0)
                break
            for h in helpers:
                answer = h.answer()
                if answer is not None and answer[0] == "sat":
                    sha = proof_mod.write_dimacs(clauses, Path(proof_dir) / f"{name}.cnf", nv)
                    result = StepResult(
                        size,
                        "sat",
                        time.monotonic() - t0,
                        nv,
                        len(clauses),
                        f"{method}:helper{h.index}",
                        cnf_sha256=sha,
                        model=answer[1],
                    )
                    break
    except KeyboardInterrupt:
        result = StepResult(size, "interrupted", time.monotonic() - t0, nv, len(clauses), method)
    finally:
        for h in helpers:
            h.stop()
        if primary.is_alive():
            primary.kill()
            primary.join()
            for suffix in (".lrat.raw", ".lrat.gz", ".lrat.xz", ".lrat"):
                (Path(proof_dir) / f"{name}{suffix}").unlink(missing_ok=True)
        primary.join()
        conn.close()
    if result.status == "unsat" and not (result.proof or {}).get("verdict") == "verified":
        raise ProofRejected(f"the proof for size {size} was not accepted by the checker")
    return result


def _proof_step(
    clauses: list[list[int]],
    nv: int,
    *,
    size: int,
    solver: str,
    deadline: float | None,
    proof_dir: str | Path,
    name: str | None,
) -> StepResult:
    from solvers import proof as proof_mod

    t0 = time.monotonic()
    method = f"lrat:{solver}"
    limit = None
    if deadline is not None:
        limit = deadline - t0
        if limit <= 0:
            return StepResult(size, "timeout", 0.0, nv, len(clauses), method)
    name = name or f"size{size}"
    journal = Path(proof_dir) / f"{name}.refutation.json"
    reused = _recheck_stored(journal, clauses, nv)
    if reused is not None:
        return StepResult(
            size, "unsat", time.monotonic() - t0, nv, len(clauses), method + ":stored", reused["cnf_sha256"], reused
        )
    try:
        record = proof_mod.refute(clauses, Path(proof_dir), name, solver, limit, num_vars=nv)
    except KeyboardInterrupt:
        return StepResult(size, "interrupted", time.monotonic() - t0, nv, len(clauses), method)
    info = record.to_dict()
    model = info.pop("model", None)
    status = record.status
    if status == "unsat" and not record.verified:
        raise ProofRejected(f"the proof for size {size} was not accepted by the checker: {record.reason}")
    if status == "unsat":
        write_text_atomic(journal, json.dumps(info, indent=1) + "\n")
    return StepResult(
        size=size,
        status=status,
        seconds=time.monotonic() - t0,
        variables=nv,
        clauses=len(clauses),
        method=method,
        cnf_sha256=info.get("cnf_sha256"),
        proof=info if status == "unsat" else None,
        model=list(model) if model is not None else None,
    )


def _recheck_stored(journal: Path, clauses: list[list[int]], nv: int) -> dict[str, Any] | None:
    """The record of a refutation stored by an earlier run of this very CNF, re-checked; else ``None``.

    This is what makes an interrupted ``proof_dir`` search resumable: a size
    refuted before is not solved again, but its stored CNF must hash to the
    encoding of this size and its LRAT proof must pass the checker again.
    """
    from solvers.proof import Refutation, verify_refutation

    try:
        record = Refutation.from_dict(read_json(journal))
    except LbtError:
        return None
    if record.cnf_sha256 != dimacs_sha256(clauses, nv):
        return None
    cnf, proof = journal.parent / record.cnf_path.name, journal.parent / record.proof_path.name
    check = verify_refutation(cnf, proof, cnf_sha256=record.cnf_sha256, proof_sha256=record.proof_sha256)
    if not check.verified:
        return None
    info = record.to_dict()
    info.update(cnf_path=str(cnf), proof_path=str(proof), verdict="verified", reason=check.reason)
    info["check_seconds"] = round(check.seconds, 6)
    return info


# ------------------------------------------------------------------ witness check
def check_witness(circuit: BooleanCircuit, problem: Problem, size: int | None = None) -> None:
    """Raise :class:`WitnessError` unless ``circuit`` computes the target on its care rows,
    over the right basis, within the depth bound and (if given) with ``size`` gates."""
    if circuit.n != problem.n or circuit.num_outputs != problem.m:
        raise WitnessError(
            f"witness has {circuit.n} inputs and {circuit.num_outputs} outputs, expected {problem.n} and {problem.m}"
        )
    if circuit.basis != problem.basis:
        raise WitnessError(f"witness is over {circuit.basis.label}, expected {problem.basis.label}")
    table = circuit.truth_table()
    for k in range(problem.m):
        if not problem.agrees(k, table.outputs[k]):
            raise WitnessError(
                f"witness output {k} computes {table.output(k).hex()}, target {problem.target.output(k).hex()}"
            )
    if problem.care is None and not circuit.computes(problem.target):
        raise WitnessError("witness does not compute the target")
    if problem.depth is not None and circuit.depth > problem.depth:
        raise WitnessError(f"witness has depth {circuit.depth}, bound {problem.depth}")
    if size is not None and circuit.size != size:
        raise WitnessError(f"witness has {circuit.size} gates, expected {size}")


# ------------------------------------------------------------------ driver
def _check_int(value: Any, what: str, low: int) -> None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < low):
        raise SpecError(f"{what} must be an integer >= {low}, got {value!r}")


def synthesize(
    target: TruthTable | str,
    model: str = "b2",
    *,
    depth: int | None = None,
    fanin: int = 2,
    max_size: int | None = None,
    start: int | None = None,
    timeout: float | None = None,
    solver: str = "cadical195",
    proof_dir: str | Path | None = None,
    progress: Callable[[ProgressEvent], None] | None = None,
    care: tuple[int, ...] | list[int] | None = None,
    strengthenings: frozenset[str] | set[str] | tuple[str, ...] | None = None,
    jobs: int = 1,
) -> SynthesisResult:
    """The smallest circuit over ``model`` computing ``target``, with a proof of minimality.

    Parameters
    ----------
    target
        A :class:`TruthTable` or a spec string for :func:`circuits.targets.target`.
    model
        ``"b2"`` (any gate of ``fanin`` inputs), ``"aig"`` (AND gates, free
        negations) or ``"mono"`` (AND/OR gates, no negations).
    depth
        Optional bound on the circuit depth (>= 1).
    fanin
        Gate fan-in, 2..5.
    max_size
        Give up after refuting this size.
    start
        First size to try.  Sizes below the justified lower bound are skipped; a
        ``start`` above it leaves the sizes in between unrefuted, so the result is
        not proven.
    timeout
        Seconds for the whole search; on expiry the partial result is returned
        with ``timed_out=True``.
    solver
        A python-sat solver name or alias.
    proof_dir
        Write each CNF and the LRAT proof of each refutation there, checked by the
        project's checker (:mod:`solvers.proof`).
    progress
        Called with a :class:`ProgressEvent` before and after each size.
    care
        Per output, the mask of rows the output is constrained on (don't-cares
        elsewhere).
    strengthenings
        Override :data:`solvers.boolean.encoding.DEFAULT_STRENGTHENINGS`.
    jobs
        Processes per size (see :func:`solve_step`): with ``jobs > 1`` a size
        undecided after :data:`HELPER_DELAY` seconds is raced by ``jobs - 1``
        helpers solving renamed copies of the same CNF.

    Ctrl-C during the search returns the partial result with ``interrupted=True``.
    """
    from circuits.targets import resolve_target

    spec, table = resolve_target(target)
    if not isinstance(model, str) or model.strip().lower() not in MODELS:
        raise SpecError(f"unknown circuit model {model!r} (known: {', '.join(MODELS)})")
    model = model.strip().lower()
    if not isinstance(fanin, int) or isinstance(fanin, bool) or not 2 <= fanin <= MAX_FANIN:
        raise SpecError(f"fan-in must be an integer in 2..{MAX_FANIN}, got {fanin!r}")
    _check_int(depth, "depth bound", 1)
    _check_int(max_size, "max_size", 0)
    _check_int(start, "start", 0)
    check_jobs(jobs, "jobs")
    timeout = check_timeout(timeout)
    canonical = solver_name(solver)
    if timeout is not None and canonical in _ONE_SHOT:
        raise SpecError(f"solver {canonical} cannot be time-limited; use another solver or no timeout")
    if table.n > MAX_SAT_INPUTS:
        raise TooLargeError(f"{table.n} inputs is too many for the SAT encoding (at most {MAX_SAT_INPUTS})")
    if strengthenings is not None:
        unknown = sorted(set(strengthenings) - set(STRENGTHENINGS))
        if unknown:
            raise SpecError(f"unknown strengthening(s) {', '.join(unknown)} (known: {', '.join(STRENGTHENINGS)})")
        chosen = frozenset(strengthenings)
    else:
        chosen = DEFAULT_STRENGTHENINGS
    problem = Problem(table, Basis(model, fanin), depth, None if care is None else tuple(care))
    if model == "mono" and not problem.is_monotone_extendable():
        raise SpecError("target is not monotone (on its care rows): no monotone circuit computes it")
    if proof_dir is not None:
        from solvers.proof import available_solvers

        if canonical not in available_solvers():
            raise SpecError(
                f"solver {canonical} cannot write LRAT proofs (with proofs use: {', '.join(available_solvers())})"
            )
        check_output(proof_dir, directory=True)

    t_start = time.monotonic()
    deadline = None if timeout is None else t_start + float(timeout)
    lb, reason = lower_bound(problem)
    first = lb if start is None else max(start, lb)
    name_base = spec if isinstance(target, str) else f"tt_{table.n}_{table.hex()}"  # proof file names

    def try_size(size: int) -> tuple[StepResult, BooleanCircuit | None]:
        t0 = time.monotonic()
        enc = encode(problem, size, strengthenings=chosen, deadline=deadline)
        if progress is not None:
            progress(ProgressEvent(size, "solving", time.monotonic() - t0, t0 - t_start, enc.nv, len(enc.clauses)))
        step = solve_step(
            enc.clauses,
            enc.nv,
            size=size,
            solver=canonical,
            deadline=deadline,
            proof_dir=proof_dir,
            name=_step_name(name_base, model, fanin, depth, problem.care, size),
            jobs=jobs,
        )
        if proof_dir is None and step.status in ("sat", "unsat"):  # the hash of a decided formula only
            step = replace(step, cnf_sha256=dimacs_sha256(enc.clauses, enc.nv))
        if step.status != "sat":
            return step, None
        assert step.model is not None
        circuit = enc.decode(step.model)
        check_witness(circuit, problem, size)
        return step, circuit

    if lb == 0:
        circuit = trivial_circuit(problem)
        assert circuit is not None
        check_witness(circuit, problem, 0)
        if progress is not None:
            progress(ProgressEvent(0, "trivial", 0.0, 0.0))
        search = Search((), circuit, 0, 0, True, False, False, False)
    else:
        search = search_sizes(
            try_size,
            lb=lb,
            first=first,
            cap=max_useful_size(problem),
            max_size=max_size,
            deadline=deadline,
            started=t_start,
            progress=progress,
        )
    return SynthesisResult(
        **search.result_fields(),
        target=spec,
        table=table.hex(),
        n=table.n,
        m=table.m,
        care=problem.care,
        model=model,
        fanin=fanin,
        depth=depth,
        solver=canonical,
        strengthenings=tuple(s for s in STRENGTHENINGS if s in chosen),
        bound_reason=reason,
        start=first,
        seconds=time.monotonic() - t_start,
        max_size=max_size,
        proofs=proof_dir is not None,
        jobs=jobs,
    )


def _step_name(spec: str, model: str, fanin: int, depth: int | None, care: tuple[int, ...] | None, size: int) -> str:
    """A plain file name for the CNF and proof of one step, e.g. ``maj_5-b2-s8``."""
    from solvers.proof import file_stem

    base = file_stem(spec)
    tag = model + ("" if fanin == 2 else f"k{fanin}") + ("" if depth is None else f"-d{depth}")
    if care is not None:
        tag += "-dc" + hashlib.sha256(repr(care).encode()).hexdigest()[:8]
    return f"{base}-{tag}-s{size}"
