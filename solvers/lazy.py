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
from dataclasses import dataclass, field
from typing import Any, Protocol

from solvers.interrupt import solve_limited

__all__ = ["LazyRun", "Theory", "solve_lazily"]

#: Clauses given to the solver between two looks at the deadline.
_LOAD_CHECK = 1 << 16


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
