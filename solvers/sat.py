"""Solving one CNF: solver names, time slices, Ctrl-C, helper processes, and proved refutations.

:func:`solve_step` is the one place a plain clause list meets a SAT solver: a
model, "unsat", "timeout" or "interrupted" comes out.  All restrictions are
clauses (no assumptions), so an "unsat" refutes exactly the CNF that a proof
run writes.  With ``proof_dir`` the step runs through
:func:`solvers.proof.refute`, which writes the DIMACS file, solves with an LRAT
proof and checks the proof with the project's checker; a proof the checker
rejects raises :class:`ProofRejected`.

Time limits and Ctrl-C: CaDiCaL inside python-sat cannot be interrupted
(``interrupt()`` is not implemented for it), so the solver runs in slices of
:data:`SLICE_CONFLICTS` conflicts (``conf_budget`` + ``solve_limited``);
between slices the deadline is checked and a pending ``KeyboardInterrupt``
surfaces.  The budget does not depend on timing, so runs are reproducible.
Solvers that cannot be called repeatedly (``kissat404``, ``lingeling``) run in
one call and refuse a timeout.
"""

from __future__ import annotations

import multiprocessing
import random
import signal
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from pysat.solvers import NoSuchSolverError, Solver, SolverNames

from circuits.errors import ProofRejected, SpecError
from solvers.interrupt import solve_limited
from solvers.limits import DeadlineReached, check_deadline
from solvers.records import Status, StepResult

__all__ = ["HELPER_DELAY", "ONE_SHOT", "SLICE_CONFLICTS", "solve_step", "solver_name"]

#: Solvers that must not be called twice on one instance (no incremental or limited solving).
ONE_SHOT = frozenset({"kissat404", "lingeling"})

#: Conflicts per solver call: between calls the deadline, Ctrl-C and helpers are checked
#: (a call takes about 0.1 - 1 s on the instances of the benchmarks).
SLICE_CONFLICTS = 10000


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
        run: dict[str, Any] = {
            "clauses": clauses,
            "nv": nv,
            "size": size,
            "solver": solver,
            "proof_dir": proof_dir,
            "name": name,
        }
        first = deadline
        if jobs > 1:
            first = (
                time.monotonic() + HELPER_DELAY if deadline is None else min(deadline, time.monotonic() + HELPER_DELAY)
            )
        step = _proof_step(**run, deadline=first)
        if jobs <= 1 or step.status != Status.TIMEOUT or (deadline is not None and time.monotonic() >= deadline):
            return step
        return _portfolio_proof_step(run, deadline, jobs, spent=step.seconds)
    t0 = time.monotonic()
    status, model, method = Status.TIMEOUT, None, f"sat:{solver}"
    helpers: list[_Helper] = []
    try:
        loaded = _new_solver(solver, clauses, deadline)
    except DeadlineReached:
        return StepResult(size, Status.TIMEOUT, time.monotonic() - t0, nv, len(clauses), method)
    with loaded as s:
        try:
            if solver in ONE_SHOT:
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
                status, model = Status.SAT, s.get_model()
            elif result is False:
                status = Status.UNSAT
        except KeyboardInterrupt:
            status = Status.INTERRUPTED
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


def _portfolio_proof_step(run: dict[str, Any], deadline: float | None, jobs: int, spent: float) -> StepResult:
    """The proof run of ``_proof_step(**run)`` in a child process, raced by helpers that can only contribute
    a model."""
    from solvers import proof as proof_mod

    clauses, nv, size, solver, proof_dir = (run[key] for key in ("clauses", "nv", "size", "solver", "proof_dir"))
    t0 = time.monotonic() - spent
    name = run["name"] or f"size{size}"
    ctx = multiprocessing.get_context("fork")
    conn, child = ctx.Pipe(duplex=False)
    kwargs = {**run, "name": name, "deadline": deadline}
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
                        Status.SAT,
                        time.monotonic() - t0,
                        nv,
                        len(clauses),
                        f"{method}:helper{h.index}",
                        cnf_sha256=sha,
                        model=answer[1],
                    )
                    break
    except KeyboardInterrupt:
        result = StepResult(size, Status.INTERRUPTED, time.monotonic() - t0, nv, len(clauses), method)
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
    if result.status == Status.UNSAT and not (result.proof or {}).get("verdict") == "verified":
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
            return StepResult(size, Status.TIMEOUT, 0.0, nv, len(clauses), method)
    name = name or f"size{size}"
    try:
        record = proof_mod.refute(clauses, Path(proof_dir), name, solver, limit, num_vars=nv)
    except KeyboardInterrupt:
        return StepResult(size, Status.INTERRUPTED, time.monotonic() - t0, nv, len(clauses), method)
    info = record.to_dict()
    model = info.pop("model", None)
    status = record.status
    if isinstance(record, proof_mod.Refutation) and not record.verified:
        raise ProofRejected(f"the proof for size {size} was not accepted by the checker: {record.reason}")
    return StepResult(
        size=size,
        status=status,
        seconds=time.monotonic() - t0,
        variables=nv,
        clauses=len(clauses),
        method=method,
        cnf_sha256=info.get("cnf_sha256"),
        proof=info if status == Status.UNSAT else None,
        model=list(model) if model is not None else None,
    )
