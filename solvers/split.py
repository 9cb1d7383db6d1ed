"""Which cubes a case is split into: a deterministic function of its CNF and the number of cubes asked for.

The engine that splits a case (:mod:`solvers.cubes`) and the verifier that
re-checks the split (:mod:`solvers.certificate`, the model verifiers) both derive
the cubes with :func:`derive`, so a record never has to be trusted for them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

__all__ = ["MAX_CUBES", "derive", "occurrence_groups", "split"]


#: Most cubes one case may be split into.
MAX_CUBES = 100_000


def occurrence_groups(clauses: Sequence[Sequence[int]], limit: int = 32) -> list[list[int]]:
    """``[v, -v]`` for the ``limit`` variables that occur in most clauses (ties: the smaller variable first)."""
    counts = Counter(v for clause in clauses for v in {abs(lit) for lit in clause})
    ranked = sorted(counts, key=lambda v: (-counts[v], v))
    return [[v, -v] for v in ranked[:limit]]


def split(groups: Sequence[Sequence[int]], count: int) -> list[tuple[int, ...]]:
    """The cubes of the product of the first groups, as few as give at least ``count`` cubes (or all groups).

    Each cube takes one literal of each group used, in group order; the cubes are
    listed in the order of the product.
    """
    cubes: list[tuple[int, ...]] = [()]
    for group in groups:
        if len(cubes) >= count:
            break
        if len(cubes) * len(group) > MAX_CUBES:
            break
        cubes = [cube + (lit,) for cube in cubes for lit in group]
    return cubes


def derive(
    clauses: Sequence[Sequence[int]], count: int, groups: Sequence[Sequence[int]] | None = None
) -> list[tuple[int, ...]]:
    """The cubes of a case with ``clauses`` when ``count`` are asked for: :func:`split` of ``groups`` (by
    default :func:`occurrence_groups` of the clauses).  A verifier derives a split with this very function."""
    return split(occurrence_groups(clauses) if groups is None else groups, count)
