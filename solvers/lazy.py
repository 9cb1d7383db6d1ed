"""SAT with an exact theory check run lazily inside CaDiCaL (IPASIR-UP), in budgeted slices.

The threshold and ReLU engines search over Boolean columns with CaDiCaL and
check each complete assignment exactly (separability, a linear system).  A
*theory* object does the check: ``learn(model)`` returns the learned clauses
(objects with a ``clause`` tuple) that the assignment violates, empty if it
passes.  :func:`solve_lazily` attaches the theory as a lazy external propagator
(the solver calls it on every complete assignment and continues its search with
the learned clauses), runs the solver in conflict-budgeted slices so that a
deadline and Ctrl-C stop it within about ``slice_seconds``, and records the
learned clauses in the order the solver received them (the order of the CNF a
proof run refutes).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol, Self

from circuits.errors import SpecError
from solvers.interrupt import solve_limited
from solvers.records import Status

if TYPE_CHECKING:
    from circuits.truthtable import TruthTable
    from solvers.cases import Case, Solved

__all__ = ["LazyEncoding", "LazyOutcome", "LazyRun", "Theory", "check_size", "chosen_symmetry", "solve_lazily"]

#: Clauses given to the solver between two looks at the deadline.
_LOAD_CHECK = 1 << 16


def check_size(size: Any) -> None:
    """:class:`SpecError` unless ``size`` is a size the lazy encodings take (an integer >= 1)."""
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise SpecError(f"size must be an integer >= 1, got {size!r}")


def chosen_symmetry(requested: Iterable[str] | None, default: frozenset[str], known: Sequence[str]) -> frozenset[str]:
    """The symmetry breaking of an encoding: ``requested`` (``None``: ``default``), each one of ``known``."""
    sym = default if requested is None else frozenset(requested)
    unknown = sym - set(known)
    if unknown:
        raise SpecError(f"unknown symmetry breaking {sorted(unknown)}; known: {', '.join(known)}")
    return sym


@dataclass(kw_only=True)
class LazyEncoding:
    """What the base encodings of the lazy engines share: the question, the symmetry breaking and the CNF.

    ``trivially_unsat`` marks a CNF with an empty clause (a constraint that no
    assignment meets, known while encoding).
    """

    table: TruthTable
    size: int
    options: Any
    symmetry: frozenset[str]
    clauses: list[tuple[int, ...]] = field(repr=False)
    num_vars: int = 0
    trivially_unsat: bool = False

    @property
    def n(self) -> int:
        return self.table.n

    @property
    def rows(self) -> int:
        return 1 << self.table.n

    def with_clauses(self, clauses: Sequence[Sequence[int]]) -> Self:
        """The same encoding with other base clauses (a cube of it: the clauses, then the cube's units)."""
        return replace(self, clauses=[tuple(c) for c in clauses])

    def case(
        self, spec: str, tag: str, encoding: tuple[str, int], question: dict[str, Any], counts: bool = True
    ) -> Case:
        """The :class:`solvers.run.Case` of this size: its certificate header states ``question`` (the
        options' ``to_dict()``), the encoding ``(name, version)`` and the symmetry breaking."""
        from solvers.cases import Case, proof_name
        from solvers.certificate import header
        from solvers.records import refuted_claim

        return Case(
            self.size,
            proof_name(spec, tag, self.size),
            self.clauses,
            self.num_vars,
            header=header(
                spec,
                encoding,
                self.table,
                self.size,
                question,
                self.clauses,
                self.num_vars,
                symmetry=sorted(self.symmetry),
            ),  # fmt: skip
            claim=refuted_claim(self.table, self.size, question),
            counts=counts,
            data=self,
        )


@dataclass
class LazyOutcome:
    """What one size of a lazy search ended in: ``status`` is ``"sat"`` (with ``witness``), ``"unsat"`` or
    ``"unknown"`` (``interrupted``: deadline or Ctrl-C); ``learned`` in the order the solver received them."""

    status: str
    size: int
    witness: Any = None
    learned: list[Any] = field(default_factory=list)
    iterations: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    stats: dict[str, int] = field(default_factory=dict)

    def final_clauses(self, enc: LazyEncoding) -> list[tuple[int, ...]]:
        """The CNF the outcome is about: the base encoding, then the learned clauses."""
        return list(enc.clauses) + [lc.clause for lc in self.learned]

    def solved(self, enc: LazyEncoding, deadline: float | None) -> Solved:
        """The :class:`solvers.run.Solved` of this outcome (``"unknown"`` before ``deadline``: interrupted)."""
        from solvers.cases import Solved

        status = {"sat": Status.SAT, "unsat": Status.UNSAT}.get(self.status, Status.TIMEOUT)
        if self.status == "unknown" and not (deadline is not None and time.monotonic() >= deadline):
            status = Status.INTERRUPTED
        stats = {"lazy_checks": self.iterations, **self.stats}
        return Solved(status, self.witness, self.final_clauses(enc), self.learned, stats)


class Theory(Protocol):
    def learn(self, model: Sequence[int]) -> list[Any]: ...


@dataclass
class LazyRun:
    """The outcome of :func:`solve_lazily`.

    ``answer`` is ``True`` (``model`` holds the final assignment, which passed the
    theory), ``False`` (the clauses plus ``learned`` are unsatisfiable) or ``None``
    (``interrupted``: deadline or Ctrl-C).  ``checks`` counts theory calls.
    """

    answer: bool | None = None
    model: list[int] | None = None
    interrupted: bool = False
    learned: list[Any] = field(default_factory=list)
    checks: int = 0


def _propagator(theory: Theory, run: LazyRun, state: dict[str, Any], deadline: float | None):
    from pysat.engines import Propagator

    queue: list[tuple[int, ...]] = []

    class _Lazy(Propagator):
        def __init__(self) -> None:
            super().__init__()
            self.is_lazy = True

        def check_model(self, model: list[int]) -> bool:
            if state["error"] is not None or state["expired"]:
                return True
            if deadline is not None and time.monotonic() >= deadline:
                state["expired"] = True  # the solver's answer is discarded
                return True
            try:
                run.checks += 1
                new = theory.learn(model)
            except BaseException as exc:  # noqa: BLE001 - re-raised after the solver returns
                state["error"] = exc
                return True
            for lc in new:
                run.learned.append(lc)
                queue.append(tuple(lc.clause))
            return not new

        def has_clause(self) -> bool:
            return bool(queue)

        def add_clause(self) -> list[int]:
            return list(queue.pop(0))

    return _Lazy()


def solve_lazily(
    clauses: Iterable[Sequence[int]],
    observed: Iterable[int],
    theory: Theory,
    *,
    deadline: float | None = None,
    slice_seconds: float = 0.5,
) -> LazyRun:
    """Solve ``clauses`` with ``theory`` checked on every complete assignment (see the module docstring)."""
    from pysat.solvers import Solver

    run = LazyRun()
    state: dict[str, Any] = {"error": None, "expired": False}
    solver = Solver(name="cadical195")
    connected = False
    try:
        for k, clause in enumerate(clauses, 1):
            solver.add_clause(list(clause))
            if k % _LOAD_CHECK == 0 and deadline is not None and time.monotonic() >= deadline:
                run.interrupted = True  # not even loaded in time
                return run
        solver.connect_propagator(_propagator(theory, run, state, deadline))
        connected = True
        for v in observed:
            solver.observe(v)
        budget = 2000
        while True:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                run.interrupted = True
                break
            solver.conf_budget(budget)
            answer = solve_limited(solver)
            if state["error"] is not None:
                raise state["error"]
            if state["expired"]:
                run.interrupted = True
                break
            if answer is not None:
                run.answer = answer
                if answer:
                    run.model = solver.get_model()
                break
            spent = max(time.monotonic() - now, 1e-3)
            target = slice_seconds if deadline is None else min(slice_seconds, max(deadline - time.monotonic(), 0.01))
            budget = int(min(max(budget * target / spent, 100), budget * 4))
    except KeyboardInterrupt:
        run.interrupted = True
        run.answer = None
    finally:
        if connected:
            solver.disconnect_propagator()
        solver.delete()
    return run
