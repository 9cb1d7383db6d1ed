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

import time
from pathlib import Path

from pysat.solvers import NoSuchSolverError, Solver, SolverNames

from circuits.errors import ProofRejected, SpecError
from solvers.interrupt import solve_limited
from solvers.limits import DeadlineReached, check_deadline
from solvers.records import Status, StepResult

__all__ = ["ONE_SHOT", "SLICE_CONFLICTS", "solve_step", "solver_name"]

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
    write_cnf: bool = True,
    race: bool = False,
) -> StepResult:
    """Solve one CNF: ``"sat"`` with a model, ``"unsat"``, ``"timeout"`` or ``"interrupted"``.

    ``deadline`` is a :func:`time.monotonic` instant.  The solver runs in slices
    of :data:`SLICE_CONFLICTS` conflicts, so a deadline or Ctrl-C (which this
    function turns into the status ``"interrupted"``) stops it within a slice.
    With ``proof_dir`` the step is delegated to :func:`solvers.proof.refute`
    (files ``NAME.cnf`` and ``NAME.lrat.gz``; ``write_cnf=False``: the proof
    only, checked against the clauses in memory).  Many processes work on one hard
    formula by splitting it into cubes (:mod:`solvers.cubes`), not here.

    ``race`` (the whole formula of a split size, solved beside its cubes for a
    model only) searches differently from the cubes, so that the two do not
    share their luck: CaDiCaL keeps its default phase and runs in one call (the
    racer's process is killed when the split ends).
    """
    if proof_dir is not None:
        return _proof_step(
            clauses, nv, size=size, solver=solver, deadline=deadline, proof_dir=proof_dir, name=name,
            write_cnf=write_cnf,
        )  # fmt: skip
    t0 = time.monotonic()
    status, model, method = Status.TIMEOUT, None, f"sat:{solver}"
    try:
        loaded = _new_solver(solver, clauses, deadline, phase0=not race)
    except DeadlineReached:
        return StepResult(size, Status.TIMEOUT, time.monotonic() - t0, nv, len(clauses), method)
    with loaded as s:
        try:
            if race:
                result = s.solve()
            elif solver in ONE_SHOT:
                if deadline is not None:
                    raise SpecError(f"solver {solver} cannot be time-limited; use another solver or no timeout")
                result = s.solve()
            else:
                result = _solve_sliced(s, deadline)
            if result is True:
                status, model = Status.SAT, s.get_model()
            elif result is False:
                status = Status.UNSAT
        except KeyboardInterrupt:
            status = Status.INTERRUPTED
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


def _new_solver(solver: str, clauses: list[list[int]], deadline: float | None = None, *, phase0: bool = True) -> Solver:
    """A solver loaded with ``clauses``; CaDiCaL starts with every decision on false (unless not ``phase0``).

    Most variables of the encoding are false in a model (one-hot selections), and
    the initial phase 0 (CaDiCaL option ``phase=0``) finds models markedly faster
    without slowing refutations (measured on 5-input instances).  Loading stops with
    :class:`DeadlineReached` once ``deadline`` has passed.
    """
    s = Solver(name=solver)
    try:
        if phase0 and solver.startswith("cadical"):
            s.configure({"phase": 0})
        for start in range(0, len(clauses), _LOAD_CHUNK):
            check_deadline(deadline)
            s.append_formula(clauses[start : start + _LOAD_CHUNK])
    except BaseException:
        s.delete()
        raise
    return s


def _solve_sliced(s: Solver, deadline: float | None) -> bool | None:
    """``True``/``False``/``None`` (deadline) from ``s``.

    Slices have a fixed conflict budget, independent of timing, so that a run is
    reproducible: the same CNF gives the same search whatever the machine load.
    """
    while True:
        if deadline is not None and time.monotonic() >= deadline:
            return None
        s.conf_budget(SLICE_CONFLICTS)
        result = solve_limited(s)
        if result is not None:
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
    write_cnf: bool = True,
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
        record = proof_mod.refute(clauses, Path(proof_dir), name, solver, limit, num_vars=nv, write_cnf=write_cnf)
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
