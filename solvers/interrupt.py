"""Ctrl-C inside a python-sat solver call.

On the main thread python-sat installs its own SIGINT handler around a solver
call and reports Ctrl-C as ``pysolvers.error("Caught keyboard interrupt")``
rather than :class:`KeyboardInterrupt`.  :func:`solve_limited` restores the
Python convention, so that the search drivers can stop cleanly and report what
they have established.
"""

from __future__ import annotations

from pysat.solvers import Solver

__all__ = ["solve_limited"]


def solve_limited(solver: Solver) -> bool | None:
    """``solver.solve_limited()`` (within its budgets); Ctrl-C raises :class:`KeyboardInterrupt`."""
    try:
        return solver.solve_limited()
    except Exception as exc:
        if "keyboard interrupt" in str(exc).lower():
            raise KeyboardInterrupt from None
        raise
