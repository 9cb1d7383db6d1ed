"""Exact linear separability of labelled integer points; the single-threshold-gate test.

A labelled point set (positives ``P``, negatives ``Q``) is separable iff some
integer ``w, t`` has ``w·p >= t`` on ``P`` and ``w·q < t`` on ``Q``.  Every
answer comes with an exactly checkable certificate:

* :class:`Separator` — integer weights and threshold, verified on every point;
* :class:`Inseparability` — the Farkas/asummability certificate: non-negative
  integer multiplicities ``a_p`` on positives and ``b_q`` on negatives with
  ``sum a_p = sum b_q > 0`` and ``sum a_p·p = sum b_q·q``.  Then
  ``sum a_p (w·p) >= t·sum a_p`` but ``sum b_q (w·q) < t·sum b_q`` for any
  ``(w, t)``, with equal left-hand sides: no separator exists.

Floating-point LPs (HiGHS via scipy) are only an oracle proposing a candidate:
every candidate is rationalised and checked in exact integer arithmetic, and
an exception is raised rather than an unverified answer returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import lcm

import numpy as np

from circuits.errors import ArityError, CertificationError
from circuits.truthtable import TruthTable, full_mask, var_mask

__all__ = [
    "Separator",
    "Inseparability",
    "CertificationError",
    "separate",
    "threshold_function",
    "equal_sum_quadruples",
]

Point = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Separator:
    """``[w·u >= threshold]``: 1 on every positive point, 0 on every negative one."""

    weights: tuple[int, ...]
    threshold: int

    def value(self, point: Sequence[int]) -> int:
        return int(sum(w * u for w, u in zip(self.weights, point, strict=True)) >= self.threshold)

    def check(self, positive: Sequence[Sequence[int]], negative: Sequence[Sequence[int]]) -> bool:
        return all(self.value(p) == 1 for p in positive) and all(self.value(q) == 0 for q in negative)


@dataclass(frozen=True, slots=True)
class Inseparability:
    """Positive and negative point multisets with equal sizes and equal sums."""

    positive: tuple[tuple[Point, int], ...]
    negative: tuple[tuple[Point, int], ...]

    def check(self, positive: Sequence[Sequence[int]], negative: Sequence[Sequence[int]]) -> bool:
        """Exactly verify the certificate against the labelled points it claims to use."""
        pos, neg = {tuple(p) for p in positive}, {tuple(q) for q in negative}
        if not self.positive or not self.negative:
            return False
        if any(p not in pos or a <= 0 for p, a in self.positive):
            return False
        if any(q not in neg or b <= 0 for q, b in self.negative):
            return False
        if sum(a for _, a in self.positive) != sum(b for _, b in self.negative):
            return False
        dims = {len(p) for p, _ in self.positive + self.negative}
        if len(dims) != 1:
            return False
        (dim,) = dims
        return all(
            sum(a * p[k] for p, a in self.positive) == sum(b * q[k] for q, b in self.negative) for k in range(dim)
        )


def _rationalise(values: np.ndarray, max_denominator: int) -> list[Fraction]:
    return [Fraction(float(v)).limit_denominator(max_denominator) for v in values]


def _separator_candidates(P: np.ndarray, Q: np.ndarray) -> list[Separator]:
    """Vertex solutions of: min sum|w| s.t. w·p - t >= 0 (P), w·q - t <= -1 (Q)."""
    from scipy.optimize import linprog  # imported on use: keeps CLI start-up fast

    dim = P.shape[1] if len(P) else Q.shape[1]
    # variables: w+ (dim), w- (dim), t (free)
    rows, rhs = [], []
    for p in P:  # -(w·p) + t <= 0
        rows.append(np.concatenate([-p, p, [1.0]]))
        rhs.append(0.0)
    for q in Q:  # w·q - t <= -1
        rows.append(np.concatenate([q, -q, [-1.0]]))
        rhs.append(-1.0)
    cost = np.concatenate([np.ones(2 * dim), [0.0]])
    bounds = [(0, None)] * (2 * dim) + [(None, None)]
    res = linprog(cost, A_ub=np.array(rows), b_ub=np.array(rhs), bounds=bounds, method="highs-ds")
    if res.status != 0:
        return []
    x = res.x
    raw = np.concatenate([x[:dim] - x[dim : 2 * dim], [x[-1]]])
    out = []
    for md in (1, 2, 6, 12, 60, 840, 10**4, 10**6):
        fr = _rationalise(raw, md)
        scale = lcm(*(f.denominator for f in fr))
        ints = [int(f * scale) for f in fr]
        out.append(Separator(tuple(ints[:-1]), ints[-1]))
    return out


def _farkas_candidates(P: np.ndarray, Q: np.ndarray) -> list[Inseparability]:
    """Vertex solutions of: a, b >= 0, sum a = sum b = 1, sum a_p p = sum b_q q."""
    from scipy.optimize import linprog

    if not len(P) or not len(Q):
        return []
    dim = P.shape[1]
    A = np.zeros((dim + 2, len(P) + len(Q)))
    A[:dim, : len(P)] = P.T
    A[:dim, len(P) :] = -Q.T
    A[dim, : len(P)] = 1.0
    A[dim + 1, len(P) :] = 1.0
    b = np.zeros(dim + 2)
    b[dim] = b[dim + 1] = 1.0
    res = linprog(np.zeros(len(P) + len(Q)), A_eq=A, b_eq=b, bounds=(0, None), method="highs-ds")
    if res.status != 0:
        return []
    out = []
    for md in (1, 2, 6, 12, 60, 840, 10**4, 10**6):
        fr = _rationalise(res.x, md)
        scale = lcm(*(f.denominator for f in fr))
        mult = [int(f * scale) for f in fr]
        pos = tuple((tuple(int(v) for v in P[i]), mult[i]) for i in range(len(P)) if mult[i] > 0)
        neg = tuple((tuple(int(v) for v in Q[i]), mult[len(P) + i]) for i in range(len(Q)) if mult[len(P) + i] > 0)
        out.append(Inseparability(pos, neg))
    return out


def separate(positive: Sequence[Sequence[int]], negative: Sequence[Sequence[int]]) -> Separator | Inseparability:
    """Decide exactly whether the labelled integer points are linearly separable.

    Returns an exactly verified :class:`Separator` or :class:`Inseparability`.
    """
    pos = [tuple(int(v) for v in p) for p in positive]
    neg = [tuple(int(v) for v in q) for q in negative]
    dims = {len(p) for p in pos + neg}
    if len(dims) > 1:
        raise ArityError(f"points of different dimensions: {sorted(dims)}")
    dim = dims.pop() if dims else 0
    if not neg:
        return Separator((0,) * dim, 0)
    if not pos:
        return Separator((0,) * dim, 1)
    P = np.array(pos, dtype=float).reshape(len(pos), dim)
    Q = np.array(neg, dtype=float).reshape(len(neg), dim)
    for sep in _separator_candidates(P, Q):
        if sep.check(pos, neg):
            return sep
    for cert in _farkas_candidates(P, Q):
        if cert.check(pos, neg):
            return cert
    raise CertificationError("linear-programming answer could not be certified exactly")


def _unateness_witness(f: TruthTable) -> Inseparability | None:
    """A 2-asummability certificate when ``f`` is binate in some input, else None."""
    n, t = f.n, f.table
    full = full_mask(n)
    for j in range(n):
        mask = var_mask(n, j)
        shift = 1 << j
        low = t & ~mask & full  # f at rows with x_j = 0, in place
        high = (t & mask) >> shift  # f at rows with x_j = 1, moved to the x_j = 0 row
        up = high & ~low & full & ~mask  # rows a (x_j=0): f(a)=0, f(a+e_j)=1
        down = low & ~high & ~mask & full  # rows c (x_j=0): f(c)=1, f(c+e_j)=0
        if up and down:
            a = (up & -up).bit_length() - 1
            c = (down & -down).bit_length() - 1

            def point(i: int) -> Point:
                return tuple((i >> k) & 1 for k in range(n))

            # positives c and a+e_j, negatives a and c+e_j: equal sums
            return Inseparability(
                positive=tuple(sorted([(point(c), 1), (point(a | shift), 1)])),
                negative=tuple(sorted([(point(a), 1), (point(c | shift), 1)])),
            )
    return None


def threshold_function(f: TruthTable) -> Separator | Inseparability:
    """Is the single-output ``f`` one threshold gate ``[w·x >= t]``? Exact, with certificate.

    The points are the rows of the truth table as 0/1 vectors (x0 first).
    """
    if f.m != 1:
        raise ArityError(f"a threshold gate has one output; the function has {f.m}")
    witness = _unateness_witness(f)
    if witness is not None:
        return witness
    rows = [tuple((i >> k) & 1 for k in range(f.n)) for i in range(1 << f.n)]
    bits = f.bits()
    return separate([r for r, b in zip(rows, bits) if b], [r for r, b in zip(rows, bits) if not b])


def equal_sum_quadruples(n: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """All ``((a, b), (c, d))`` of rows with ``x(a) + x(b) = x(c) + x(d)`` as vectors.

    Labels 1 on ``a, b`` and 0 on ``c, d`` are inseparable (an :class:`Inseparability`
    with multiplicities 1): the quadruples are the 2-asummability conditions.

    ``a < b``, ``c < d`` and ``(a, b) < (c, d)``; the four rows are distinct.  In
    increasing order of ``(a, b, c, d)``.
    """
    R = 1 << n
    pow3 = [3**j for j in range(n)]
    code = [sum(pow3[j] for j in range(n) if (r >> j) & 1) for r in range(R)]
    groups: dict[int, list[tuple[int, int]]] = {}
    for a in range(R):
        for b in range(a + 1, R):
            groups.setdefault(code[a] + code[b], []).append((a, b))
    out = []
    for pairs in groups.values():
        for k in range(len(pairs)):
            for l in range(k + 1, len(pairs)):
                out.append((pairs[k], pairs[l]))
    out.sort()
    return out
