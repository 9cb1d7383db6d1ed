"""The upward size search shared by every synthesis driver, and what it may claim.

A driver supplies ``try_size(size) -> (StepResult, witness or None)``; the
search calls it for ``first, first + 1, ...`` until a size is satisfiable, a
limit is reached (``max_size``, the deadline, Ctrl-C) or, with ``cap`` (the
largest size a minimum circuit can have under a depth bound), every useful size
has been tried.  What the result may claim is decided here, once for all
models: the *lower bound* is the justified bound ``lb`` followed by a gap-free
run of refuted sizes (status ``"unsat"``), and the size found is *proven*
minimal only when that bound reaches it.  ``infeasible`` (no circuit at all
under the options) needs every size from ``lb`` to ``cap`` refuted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from solvers.limits import DeadlineReached
from solvers.records import ProgressEvent, Status, StepResult

__all__ = ["Search", "search_sizes"]


@dataclass(frozen=True)
class Search:
    """The outcome of :func:`search_sizes`; ``witness`` is whatever ``try_size`` returned with ``"sat"``."""

    steps: tuple[StepResult, ...]
    witness: Any
    size: int | None
    lower_bound: int
    proven: bool
    timed_out: bool
    interrupted: bool
    infeasible: bool

    @property
    def refutations(self) -> tuple[StepResult, ...]:
        return tuple(s for s in self.steps if s.status == Status.UNSAT)

    def result_fields(self) -> dict[str, Any]:
        """The fields of :class:`solvers.records.SynthesisResult` this search decides."""
        return {
            "size": self.size,
            "proven": self.proven,
            "lower_bound": self.lower_bound,
            "circuit": self.witness,
            "refutations": self.refutations,
            "steps": self.steps,
            "timed_out": self.timed_out,
            "interrupted": self.interrupted,
            "infeasible": self.infeasible,
        }


def search_sizes(
    try_size: Callable[[int], tuple[StepResult, Any]],
    *,
    lb: int,
    first: int,
    cap: int | None = None,
    max_size: int | None = None,
    deadline: float | None = None,
    started: float | None = None,
    progress: Callable[[ProgressEvent], None] | None = None,
    next_on: frozenset[str] = frozenset({Status.UNSAT}),
) -> Search:
    """Try sizes upward from ``first`` (see the module docstring).

    ``next_on`` lists the step statuses after which the next size is tried
    (``"unsat"``; a method without refutations may add its own, e.g. an
    uncertified "infeasible").  After each step ``progress`` gets a
    :class:`ProgressEvent` with the step's status; ``try_size`` reports the
    ``"solving"`` event itself, when it knows the size of its formula.  A
    ``try_size`` that raises :class:`solvers.limits.DeadlineReached` (its formula
    was not built in time) ends the search with a ``"timeout"`` step.
    """
    started = time.monotonic() if started is None else started
    steps: list[StepResult] = []
    witness = size_found = None
    timed_out = interrupted = infeasible = False
    size = first
    try:
        while True:
            if max_size is not None and size > max_size:
                break
            if cap is not None and size > cap:
                infeasible = True
                break
            if deadline is not None and time.monotonic() >= deadline:
                timed_out = True
                break
            t_step = time.monotonic()
            try:
                step, found = try_size(size)
            except DeadlineReached:
                step, found = StepResult(size, Status.TIMEOUT, time.monotonic() - t_step, 0, 0, "encoding"), None
            steps.append(step)
            if progress is not None:
                elapsed = time.monotonic() - started
                progress(ProgressEvent(size, step.status, step.seconds, elapsed, step.variables, step.clauses))
            if step.status == Status.SAT:
                witness, size_found = found, size
                break
            if step.status not in next_on:
                timed_out = step.status == Status.TIMEOUT
                interrupted = step.status == Status.INTERRUPTED
                break
            size += 1
    except KeyboardInterrupt:
        interrupted = True
    refuted = {s.size for s in steps if s.status == Status.UNSAT}
    bound = lb
    while bound in refuted:
        bound += 1
    if infeasible and not all(x in refuted for x in range(lb, cap + 1)):  # type: ignore[operator]
        infeasible = False
    proven = (size_found is not None and bound == size_found) or infeasible
    return Search(tuple(steps), witness, size_found, bound, proven, timed_out, interrupted, infeasible)
