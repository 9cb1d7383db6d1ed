"""The 4-Lipschitz extension of a Boolean function (Proposition 17 of paper 002).

For ``g: {0,1}^d -> {0,1}`` let ``A_z = {x in [0,1]^d : |x_i - z_i| <= 1/4 for all i}``
(the corner cube of side 1/4 at the corner ``z``) and

    f(x) = sum_z g(z) * max(0, 1 - 4 * dist(x, A_z)).

The notes do not name the norm of ``dist``; the paper's Lipschitz condition
(benign functions) is Euclidean, so ``norm="l2"`` is the default and
``norm="linf"`` is the alternative.  What holds, for both norms, and is checked
here exactly:

* at most one term is nonzero at any ``x``: two corners differ in some
  coordinate ``i``, and a point within distance < 1/4 of both ``A_z`` and
  ``A_z'`` would have ``x_i < 1/2`` and ``x_i > 1/2``;
* ``f = g(z)`` on all of ``A_z`` (distance 0), in particular on ``{0,1}^d``;
* ``f`` is 4-Lipschitz in the norm used (each term is, and the supports are
  separated).  The ``linf`` version is then 4-Lipschitz in every ``l_p`` norm.
  The constant 4 is attained (along a ray leaving ``A_z``).

With ``l2`` the values ``1 - 4 sqrt(P)`` are irrational in general; comparisons
are decided exactly by squaring (:meth:`LipschitzExtension.equals`,
:meth:`LipschitzExtension.lipschitz_ok`).

:func:`lipschitz_network` builds the paper's network from a ReLU network ``N``
for ``g`` (``m`` neurons): round each coordinate with
``r(t) = [2t - 1/2]+ - [2t - 3/2]+`` (0 on ``[0, 1/4]``, 1 on ``[3/4, 1]``,
linear between) and feed ``N``.  Size ``m + 2d``, depth ``depth(N) + 1``.  It
equals ``f`` on ``supp(mu) = ([0,1/4] u [3/4,1])^d = union of the A_z`` (so the
``L2(mu)`` error is 0 as the notes say); off ``supp(mu)`` nothing is claimed and
the two differ in general (the report counts agreements on a grid there).
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from fractions import Fraction

from circuits.errors import ArityError, ModelError, SpecError
from circuits.relu import ReLUNetwork, evaluate_points
from circuits.truthtable import TruthTable
from reductions.bits import Affine, NetBuilder, as_fraction
from reductions.report import Report

__all__ = ["NORMS", "LipschitzExtension", "rounding", "lipschitz_network"]

NORMS = ("l2", "linf")
_QUARTER = Fraction(1, 4)
_HALF = Fraction(1, 2)


def rounding(t: Fraction) -> Fraction:
    """``[2t - 1/2]+ - [2t - 3/2]+``."""
    return max(Fraction(0), 2 * t - _HALF) - max(Fraction(0), 2 * t - 3 * _HALF)


def _exact_sqrt(q: Fraction) -> Fraction | None:
    if q < 0:
        return None
    a, b = math.isqrt(q.numerator), math.isqrt(q.denominator)
    if a * a == q.numerator and b * b == q.denominator:
        return Fraction(a, b)
    return None


class _Checked(list):
    """A point already validated as a list of Fractions in [0, 1]^d."""


class LipschitzExtension:
    """``f = sum_z g(z) max(0, 1 - 4 dist(x, A_z))`` on ``[0,1]^d`` with exact evaluation and comparisons."""

    def __init__(self, g: TruthTable, norm: str = "l2") -> None:
        if not isinstance(g, TruthTable) or g.m != 1:
            raise ArityError("the extension needs a single-output TruthTable")
        if norm not in NORMS:
            raise SpecError(f"unknown norm {norm!r} (expected one of {', '.join(NORMS)})")
        self.g = g
        self.d = g.n
        self.norm = norm

    # -------------------------------------------------------------- geometry
    def _point(self, x: Sequence[Fraction | int]) -> list[Fraction]:
        if isinstance(x, _Checked):
            return x
        if len(x) != self.d:
            raise ArityError(f"point has {len(x)} coordinates, the extension has {self.d}")
        p = [as_fraction(c, "coordinate") for c in x]
        if any(not 0 <= c <= 1 for c in p):
            raise SpecError("points must lie in [0, 1]^d")
        return _Checked(p)

    def measure(self, x: Sequence[Fraction | int], z: int) -> Fraction:
        """``dist(x, A_z)`` for ``linf``, ``dist(x, A_z)^2`` for ``l2`` (``z`` a row index: bit ``i`` is ``z_i``)."""
        return self._measure(self._point(x), z)

    def _measure(self, p: list[Fraction], z: int) -> Fraction:
        excess = [
            max(Fraction(0), c - _QUARTER) if not (z >> i) & 1 else max(Fraction(0), 3 * _QUARTER - c)
            for i, c in enumerate(p)
        ]
        if self.norm == "linf":
            return max(excess, default=Fraction(0))
        return sum((e * e for e in excess), Fraction(0))

    def _limit(self) -> Fraction:
        """The measure below which ``h_z > 0``: dist < 1/4, i.e. dist^2 < 1/16 for l2."""
        return _QUARTER if self.norm == "linf" else _QUARTER**2

    def nearest(self, x: Sequence[Fraction | int]) -> tuple[int, Fraction]:
        """The corner ``z`` (``z_i = 1`` iff ``x_i > 1/2``) and its measure; every other corner has ``h = 0``."""
        return self._nearest(self._point(x))

    def _nearest(self, p: list[Fraction]) -> tuple[int, Fraction]:
        z = sum(1 << i for i, c in enumerate(p) if c > _HALF)
        return z, self._measure(p, z)

    def active_corners(self, x: Sequence[Fraction | int], *, brute: bool = False) -> list[int]:
        """All corners ``z`` with ``h_z(x) > 0``.

        ``brute=True`` tries all ``2^d`` corners.  Otherwise the search is pruned
        exactly: the measure is a max or sum of non-negative per-coordinate terms, so
        a corner can only be active if each of its terms is below the limit.
        """
        limit = self._limit()
        p = self._point(x)
        if brute:
            return [z for z in range(1 << self.d) if self._measure(p, z) < limit]
        choices = []
        for i, c in enumerate(p):
            allowed = []
            for b, e in ((0, max(Fraction(0), c - _QUARTER)), (1, max(Fraction(0), 3 * _QUARTER - c))):
                if (e if self.norm == "linf" else e * e) < limit:
                    allowed.append(b << i)
            choices.append(allowed)
        return [z for bits in itertools.product(*choices) if self._measure(p, z := sum(bits)) < limit]

    def _state(self, x: Sequence[Fraction | int]) -> tuple[int, Fraction] | None:
        """None if ``f(x) = 0``, else ``(z, measure)`` with ``f(x) = 1 - 4 * dist``."""
        z, m = self._nearest(x if isinstance(x, _Checked) else self._point(x))
        if not self.g.evaluate(z)[0] or m >= self._limit():
            return None
        return z, m

    # -------------------------------------------------------------- values
    def value(self, x: Sequence[Fraction | int]) -> Fraction:
        """``f(x)`` exactly; raises SpecError when it is irrational (``l2`` only)."""
        state = self._state(x)
        if state is None:
            return Fraction(0)
        _, m = state
        if self.norm == "linf":
            return 1 - 4 * m
        root = _exact_sqrt(m)
        if root is None:
            raise SpecError("f(x) = 1 - 4 sqrt(P) is irrational here; compare with equals()")
        return 1 - 4 * root

    def value_float(self, x: Sequence[Fraction | int]) -> float:
        state = self._state(x)
        if state is None:
            return 0.0
        m = state[1]
        return float(1 - 4 * m) if self.norm == "linf" else 1 - 4 * math.sqrt(m)

    def equals(self, x: Sequence[Fraction | int], v: Fraction | int) -> bool:
        """``f(x) == v`` decided exactly."""
        v = Fraction(v)
        state = self._state(x)
        if state is None:
            return v == 0
        m = state[1]
        if self.norm == "linf":
            return v == 1 - 4 * m
        root = (1 - v) / 4  # v = 1 - 4 sqrt(m)  <=>  (1 - v)/4 >= 0 and its square is m
        return root >= 0 and root * root == m

    def lipschitz_ok(self, x: Sequence[Fraction | int], y: Sequence[Fraction | int], L: Fraction | int = 4) -> bool:
        """``|f(x) - f(y)| <= L ||x - y||`` in the extension's norm, decided exactly."""
        L = Fraction(L)
        if L < 0:
            raise SpecError("a Lipschitz constant is non-negative")
        p, q = self._point(x), self._point(y)
        sx, sy = self._state(p), self._state(q)
        if sx is None and sy is None:
            return True
        if self.norm == "linf":
            fx = Fraction(0) if sx is None else 1 - 4 * sx[1]
            fy = Fraction(0) if sy is None else 1 - 4 * sy[1]
            return abs(fx - fy) <= L * max(abs(a - b) for a, b in zip(p, q))
        R = sum(((a - b) ** 2 for a, b in zip(p, q)), Fraction(0))
        if sx is not None and sy is not None:
            P, Q = sx[1], sy[1]
            # |4 sqrt(Q) - 4 sqrt(P)| <= L sqrt(R)  <=>  16(P + Q) - L^2 R <= 32 sqrt(PQ)
            lhs = 16 * (P + Q) - L * L * R
            return lhs <= 0 or lhs * lhs <= 1024 * P * Q
        P = (sx or sy)[1]  # type: ignore[index]
        # 1 - 4 sqrt(P) <= L sqrt(R)  <=>  (4 sqrt(P) + L sqrt(R))^2 >= 1  <=>  8 L sqrt(PR) >= 1 - 16P - L^2 R
        gap = 1 - 16 * P - L * L * R
        return gap <= 0 or 64 * L * L * P * R >= gap * gap


# ------------------------------------------------------------------ sampling
def _rand_fraction(rng: random.Random, lo: Fraction, hi: Fraction, den: int = 96) -> Fraction:
    return lo + (hi - lo) * Fraction(rng.randint(0, den), den)


def _near_corner(rng: random.Random, d: int, reach: Fraction) -> list[Fraction]:
    z = rng.getrandbits(d) if d else 0
    point = []
    for i in range(d):
        e = _rand_fraction(rng, Fraction(0), reach)
        point.append(1 - e if (z >> i) & 1 else e)
    return point


def _support_points(d: int, rng: random.Random, cap: int = 4096) -> tuple[list[list[Fraction]], str]:
    grid = [Fraction(0), Fraction(1, 8), _QUARTER, 3 * _QUARTER, Fraction(7, 8), Fraction(1)]
    if len(grid) ** d <= cap:
        pts = [list(p) for p in itertools.product(grid, repeat=d)]
        return pts, f"all {len(pts)} points of {{0, 1/8, 1/4, 3/4, 7/8, 1}}^{d}"
    pts = [_near_corner(rng, d, _QUARTER) for _ in range(cap)]
    return pts, f"{cap} random rational points of supp(mu) (seeded)"


def _off_support_points(d: int, rng: random.Random, cap: int = 2048) -> list[list[Fraction]]:
    grid = [Fraction(k, 8) for k in range(9)]
    if len(grid) ** d <= cap:
        pts = [list(p) for p in itertools.product(grid, repeat=d)]
    else:
        pts = [[rng.choice(grid) for _ in range(d)] for _ in range(cap)]
    return [p for p in pts if any(_QUARTER < c < 3 * _QUARTER for c in p)]


# ------------------------------------------------------------------ the network
def lipschitz_network(
    net: ReLUNetwork,
    g: TruthTable | None = None,
    *,
    norm: str = "l2",
    pairs: int = 300,
    seed: int = 0,
    check: bool = True,
) -> Report:
    """Proposition 17: the network ``N(r(x_1), ..., r(x_d))`` of size ``m + 2d`` and the checks listed in the module docstring."""
    if not isinstance(net, ReLUNetwork):
        raise SpecError(f"expected a ReLUNetwork, got {type(net).__name__}")
    if net.num_outputs != 1:
        raise ArityError(f"the network must have one output, got {net.num_outputs}")
    d = net.n
    if d < 1:
        raise ArityError("the network needs at least one input")
    if g is None:
        g = net.truth_table()
    elif g.n != d or g.m != 1:
        raise ArityError(f"g has {g.n} inputs and {g.m} outputs, the network {d} inputs and 1 output")
    elif not net.computes(g):
        raise ModelError("the network does not compute g on {0,1}^d")
    ext = LipschitzExtension(g, norm)

    builder = NetBuilder(d)
    rounded = []
    for i in range(d):
        x = builder.input(i)
        rounded.append(builder.relu(x * 2 - _HALF) - builder.relu(x * 2 - 3 * _HALF))
    (out,) = builder.embed(net, rounded)
    if isinstance(out, Affine):
        node = out.as_node()
        out = node if node is not None and node >= d and net.output_activations[0] == "relu" else out
    result = builder.build([out])

    checked = "not checked"
    extra: dict = {"norm": norm}
    if check:
        rng = random.Random(seed)
        corners = [[Fraction((z >> i) & 1) for i in range(d)] for z in range(1 << d)]
        for z, p in enumerate(corners):
            if not ext.equals(p, g.evaluate(z)[0]):
                raise AssertionError(f"f differs from g at corner {z}")
        support, support_text = _support_points(d, rng)
        support = [ext._point(p) for p in support]
        for p, (v,) in zip(support, evaluate_points(result, support)):
            if not ext.equals(p, v) or not ext.equals(p, g.evaluate(ext.nearest(p)[0])[0]):
                raise AssertionError(f"network or f differs from g(z) at {p} in supp(mu)")
        samples = []
        for _ in range(pairs):
            a = _near_corner(rng, d, Fraction(3, 8))
            kind = rng.random()
            if kind < 0.5:  # a nearby point
                b = [
                    min(Fraction(1), max(Fraction(0), c + _rand_fraction(rng, Fraction(-1, 8), Fraction(1, 8))))
                    for c in a
                ]
            else:
                b = _near_corner(rng, d, Fraction(3, 8))
            samples.append((a, b))
        # equality pairs: along the ray from A_0 in direction e_0 (|f(x) - f(y)| = 4 |x - y| when g(0) = 1)
        for k in range(4):
            a = [_QUARTER + Fraction(k, 64)] + [Fraction(0)] * (d - 1)
            b = [_QUARTER + Fraction(k + 2, 64)] + [Fraction(0)] * (d - 1)
            samples.append((a, b))
        samples = [(ext._point(a), ext._point(b)) for a, b in samples]
        for a, b in samples:
            for p in (a, b):
                if len(ext.active_corners(p)) > 1:
                    raise AssertionError(f"more than one h_z is nonzero at {p}")
            if not ext.lipschitz_ok(a, b, 4):
                raise AssertionError(f"4-Lipschitz bound fails for {a}, {b}")
        off = [ext._point(p) for p in _off_support_points(d, rng)]
        agree = sum(ext.equals(p, v) for p, (v,) in zip(off, evaluate_points(result, off)))
        extra.update({"off_support_points": len(off), "off_support_agree": agree})
        checked = (
            f"exact ({norm}): f = g on all 2^{d} corners; network = f = g(z) on {support_text}; "
            f"at most one h_z nonzero and |f(x) - f(y)| <= 4||x - y||_{norm[1:]} on {len(samples)} rational pairs "
            f"(seeded, incl. 4 pairs with equality when g(0) = 1); off supp(mu) the network agrees with f on "
            f"{agree} of {len(off)} points of the 1/8-grid (no claim there)"
        )
    return Report(
        name="lipschitz_network",
        params={"d": d, "norm": norm},
        result=result,
        size=result.size,
        depth=result.depth,
        formula="Prop 17: rounding [2x_i - 1/2]+ - [2x_i - 3/2]+ (2 ReLUs per coordinate) into N: size m + 2d, depth depth(N) + 1",
        formula_size=net.size + 2 * d,
        formula_depth=net.depth + 1,
        checked=checked,
        formula_kind="exact",
        formula_source="paper",
        source_size=net.size,
        source_depth=net.depth,
        extra=extra,
    )
