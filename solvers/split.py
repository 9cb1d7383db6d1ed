"""Which cubes a case is split into: a deterministic function of its CNF and the number of cubes asked for.

The engine that splits a case (:mod:`solvers.cubes`) and the verifier that
re-checks the split (:mod:`solvers.certificate`, the model verifiers) both derive
the cubes with :func:`derive`, so a record never has to be trusted for them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

__all__ = ["MAX_CUBES", "derive", "occurrence_groups", "split"]


#: Most cubes one case may be split into.
MAX_CUBES = 100_000


def occurrence_groups(clauses: Sequence[Sequence[int]], limit: int = 32) -> list[list[int]]:
    """``[v, -v]`` for the ``limit`` variables that occur in most clauses (ties: the smaller variable first)."""
    counts = Counter(v for clause in clauses for v in {abs(lit) for lit in clause})
    ranked = sorted(counts, key=lambda v: (-counts[v], v))
    return [[v, -v] for v in ranked[:limit]]


def split(
    groups: Sequence[Sequence[int]], count: int, feasible: Callable[[tuple[int, ...]], bool] | None = None
) -> list[tuple[int, ...]]:
    """The cubes of the product of the first groups, as few as give at least ``count`` cubes (or all groups).

    Each cube takes one literal of each group used, in group order; the cubes are
    listed in the order of the product.  With ``feasible``, a cube it rejects is
    left out at once (and never extended): the coverage refutation covers it.
    """
    cubes: list[tuple[int, ...]] = [()]
    for group in groups:
        if len(cubes) >= count or not cubes:
            break
        if len(cubes) * len(group) > MAX_CUBES:
            break
        extended = [cube + (lit,) for cube in cubes for lit in group]
        cubes = extended if feasible is None else [cube for cube in extended if feasible(cube)]
    return cubes


def derive(
    clauses: Sequence[Sequence[int]], count: int, groups: Sequence[Sequence[int]] | None = None
) -> list[tuple[int, ...]]:
    """The cubes of a case with ``clauses`` when ``count`` are asked for: :func:`split` of ``groups`` (by
    default :func:`occurrence_groups` of the clauses), leaving out every cube that unit propagation over the
    clauses refutes.  A verifier derives a split with this very function.

    Whether unit propagation from a set of literals reaches a conflict does not
    depend on the order it propagates in, so the cubes are a function of the
    clauses alone; the solver that propagates is not trusted for more: a cube it
    leaves out wrongly would leave the coverage refutation without a proof.
    """
    from pysat.solvers import Solver

    with Solver(name="minisat22", bootstrap_with=[list(c) for c in clauses]) as propagator:

        def feasible(cube: tuple[int, ...]) -> bool:
            return bool(propagator.propagate(assumptions=list(cube))[0])

        return split(occurrence_groups(clauses) if groups is None else groups, count, feasible)
