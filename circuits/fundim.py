"""Functional dimension of fully connected ReLU architectures, computed exactly.

An architecture ``(n_0, n_1, ..., n_L)`` has ``D = sum_l n_l (n_{l-1} + 1)`` parameters
(weights and biases) and ``H = n_1 + ... + n_{L-1}`` hidden ReLU neurons; the output
layer is affine.  Scaling a hidden neuron's incoming weights and bias by ``c > 0`` and
its outgoing weights by ``1/c`` does not change the function, so the realization map
``theta -> F_theta`` has fibres of dimension at least ``H`` and the **functional
dimension** (the rank of its differential, Grigsby, Lindsey, Meyerhoff and Wu 2022) is
at most ``D - H``.  Grillo and Montúfar, "Most ReLU Networks Admit Identifiable
Parameters" (2026), show that ``D - H`` is attained when the input and every hidden
layer have width at least 2.

Here ``theta`` and the sample points are rational and every hidden pre-activation at
every sample point is nonzero, so each point lies in the interior of a linear region and
``F_theta(z)`` is, near ``theta``, a polynomial in ``theta``.  Its Jacobian is computed by
exact back-propagation in :class:`fractions.Fraction` and its rank by fraction-free
integer elimination.  The rank at one batch of points is a lower bound on the functional
dimension at ``theta`` (more points can only raise it), and the rank is lower
semicontinuous, so a rank equal to ``D - H`` certifies ``D - H`` on a neighbourhood of
``theta``.

>>> res = functional_dimension((2, 2, 1), seed=1)
>>> res.params, res.hidden, res.bound, res.rank
(9, 2, 7, 7)
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from circuits.errors import SpecError, excerpt
from circuits.newton import integer_rank
from circuits.schema import parse_decimal

__all__ = [
    "Architecture",
    "FunDimResult",
    "exact_rank",
    "functional_dimension",
    "jacobian",
    "network_output",
    "parse_architecture",
    "random_parameters",
    "sample_points",
]

#: Parameters: per layer ``l = 1..L`` a weight matrix ``W[l]`` (``n_l x n_{l-1}``) and bias vector ``b[l]``.
Parameters = list[tuple[list[list[Fraction]], list[Fraction]]]

_ARCH = re.compile(r"\s*[0-9]+\s*(,\s*[0-9]+\s*)+", re.ASCII)

#: Largest number of parameters :func:`functional_dimension` accepts (exact ranks get slow beyond).
MAX_PARAMS = 200

#: Most sample points per parameter draw, and most draws.
MAX_SAMPLES = 20 * MAX_PARAMS
MAX_TRIES = 1000

#: The work limit ``lbt fundim`` passes to :func:`functional_dimension` (well under a minute of reduction).
CLI_MAX_WORK = 2 * 10**7


@dataclass(frozen=True)
class Architecture:
    """Layer widths ``(n_0, ..., n_L)``, ``L >= 1``, all ``>= 1``."""

    widths: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.widths) < 2:
            raise SpecError(f"an architecture needs at least an input and an output width, got {self.widths!r}")
        if any(not isinstance(w, int) or isinstance(w, bool) or w < 1 for w in self.widths):
            raise SpecError(f"layer widths must be integers >= 1, got {self.widths!r}")

    @property
    def params(self) -> int:
        w = self.widths
        return sum(w[i] * (w[i - 1] + 1) for i in range(1, len(w)))

    @property
    def hidden(self) -> int:
        return sum(self.widths[1:-1])

    @property
    def bound(self) -> int:
        """``D - H``, the upper bound on the functional dimension."""
        return self.params - self.hidden

    def __str__(self) -> str:
        return ",".join(map(str, self.widths))


def parse_architecture(text: str) -> Architecture:
    """``"2,3,1"`` -> ``Architecture((2, 3, 1))``; raises :class:`SpecError` when malformed.

    >>> parse_architecture("2, 3,1").widths
    (2, 3, 1)
    """
    if not _ARCH.fullmatch(text):
        raise SpecError(f"malformed architecture {excerpt(text)}: expected comma-separated widths such as 2,3,1")
    return Architecture(tuple(parse_decimal(t.strip(), "a layer width") for t in text.split(",")))


@dataclass(frozen=True)
class FunDimResult:
    """The result of :func:`functional_dimension`: the best rank over ``tries`` random ``theta``."""

    arch: Architecture
    rank: int
    ranks: tuple[int, ...]
    samples: int
    seed: int
    stopped: bool = False  # the work limit ended the search before every draw was tried

    @property
    def params(self) -> int:
        return self.arch.params

    @property
    def hidden(self) -> int:
        return self.arch.hidden

    @property
    def bound(self) -> int:
        return self.arch.bound

    @property
    def attains_bound(self) -> bool:
        return self.rank == self.bound

    def to_dict(self) -> dict:
        return {
            "arch": list(self.arch.widths),
            "params": self.params,
            "hidden": self.hidden,
            "bound": self.bound,
            "rank": self.rank,
            "ranks": list(self.ranks),
            "attains_bound": self.attains_bound,
            "samples": self.samples,
            "seed": self.seed,
            "stopped": self.stopped,
        }


def _rand_fraction(rng: random.Random, scale: int, den: int) -> Fraction:
    return Fraction(rng.randint(-scale * den, scale * den), den)


def random_parameters(arch: Architecture, rng: random.Random, anchored: bool = True) -> Parameters:
    """Random rational parameters (weights in ``[-2, 2]`` with denominator 16).

    With ``anchored`` each hidden neuron's bias puts its breakpoint strictly between the
    images of two random points ``z1, z2`` drawn like :func:`sample_points`
    (``b = -(t w.a(z1) + (1 - t) w.a(z2))``, ``0 < t < 1``; a shift of 1/16 when the two
    images agree).  Plain uniform biases leave many
    deeper neurons dead or always active on the whole input space, and such ``theta``
    are not generic.  The output layer is always uniform.
    """
    w = arch.widths
    theta: Parameters = []
    for i in range(1, len(w)):
        W = [[_rand_fraction(rng, 2, 16) for _ in range(w[i - 1])] for _ in range(w[i])]
        if anchored and i < len(w) - 1:
            b = []
            for row in W:
                lo, hi = (
                    sum((x * y for x, y in zip(row, _hidden_image(theta, _random_point(w[0], rng)))), Fraction(0))
                    for _ in range(2)
                )
                t = Fraction(rng.randint(1, 63), 64)
                level = t * lo + (1 - t) * hi if lo != hi else lo + Fraction(rng.choice((-1, 1)), 16)
                b.append(-level)
        else:
            b = [_rand_fraction(rng, 2, 16) for _ in range(w[i])]
        theta.append((W, b))
    return theta


def _hidden_image(theta: Parameters, z: list[Fraction]) -> list[Fraction]:
    """The activations of the last layer of ``theta`` (all hidden so far) at ``z``."""
    if not theta:
        return z
    return [x if x > 0 else Fraction(0) for x in _forward(theta, z)[0][-1]]


def _random_point(n: int, rng: random.Random) -> list[Fraction]:
    s = rng.choice((1, 4, 16, 64))
    return [_rand_fraction(rng, s, 64) for _ in range(n)]


def _forward(theta: Parameters, z: Sequence[Fraction]) -> tuple[list[list[Fraction]], list[list[Fraction]]]:
    """Activations ``a_0 .. a_L`` (``a_L`` = output) and hidden pre-activations."""
    acts = [list(z)]
    pres = []
    for idx, (W, b) in enumerate(theta):
        h = [sum((wij * a for wij, a in zip(row, acts[-1])), bi) for row, bi in zip(W, b)]
        if idx < len(theta) - 1:
            pres.append(h)
            h = [x if x > 0 else Fraction(0) for x in h]
        acts.append(h)
    return acts, pres


def network_output(theta: Parameters, z: Sequence[Fraction]) -> list[Fraction]:
    """``F_theta(z)`` (exact)."""
    return _forward(theta, z)[0][-1]


def sample_points(arch: Architecture, theta: Parameters, count: int, rng: random.Random) -> list[list[Fraction]]:
    """Up to ``count`` rational points with every hidden pre-activation nonzero.

    Coordinates are uniform on a grid of step 1/64 in ``[-s, s]`` with the scale ``s``
    drawn from ``{1, 4, 16, 64}``, so that bounded and unbounded regions are both hit.
    Fewer points come back only when ``100 * count`` draws did not find enough: that
    happens when some neuron's pre-activation is 0 on a region of positive measure
    (for instance a bias of 0 after a dead neuron).
    """
    pts: list[list[Fraction]] = []
    for _ in range(100 * count):
        if len(pts) == count:
            break
        z = _random_point(arch.widths[0], rng)
        if all(x != 0 for layer in _forward(theta, z)[1] for x in layer):
            pts.append(z)
    return pts


def jacobian(theta: Parameters, points: Sequence[Sequence[Fraction]]) -> list[list[Fraction]]:
    """Rows ``d F_theta(z)_o / d theta`` for each point ``z`` and output ``o``.

    Columns are ordered layer by layer, each layer's weights row-major then its biases.
    """
    rows = []
    L = len(theta)
    for z in points:
        acts, pres = _forward(theta, z)
        if any(x == 0 for layer in pres for x in layer):
            raise ValueError("a sample point lies on a breakpoint (some pre-activation is 0)")
        n_out = len(theta[-1][1])
        for o in range(n_out):
            delta = [Fraction(int(i == o)) for i in range(n_out)]
            grads: list[list[Fraction]] = [[] for _ in range(L)]
            for layer in range(L - 1, -1, -1):
                a_prev = acts[layer]
                grads[layer] = [d * a for d in delta for a in a_prev] + delta
                if layer == 0:
                    break
                W = theta[layer][0]
                back = [sum((W[i][j] * delta[i] for i in range(len(delta))), Fraction(0)) for j in range(len(a_prev))]
                delta = [g if p > 0 else Fraction(0) for g, p in zip(back, pres[layer - 1])]
            rows.append([g for layer_grads in grads for g in layer_grads])
    return rows


def exact_rank(rows: Sequence[Sequence[Fraction | int]]) -> int:
    """Rank over Q (rows scaled to integers, then fraction-free elimination).

    >>> exact_rank([[Fraction(1, 2), 1], [1, 2], [0, Fraction(1, 3)]])
    2
    """
    m = []
    for r in rows:
        fr = [Fraction(a) for a in r]
        den = math.lcm(*(a.denominator for a in fr)) if fr else 1
        m.append([int(a * den) for a in fr])
    return integer_rank(m)


class _RowSpace:
    """An integer row-echelon basis that grows one rational row at a time."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, list[int]]] = []  # (pivot column, row), pivots distinct

    @property
    def rank(self) -> int:
        return len(self.rows)

    def add(self, row: Sequence[Fraction]) -> bool:
        """Add a row; True iff it raised the rank."""
        den = math.lcm(*(a.denominator for a in row)) if row else 1
        r = [int(a * den) for a in row]
        for c, p in self.rows:
            if r[c]:
                f, g = r[c], p[c]
                r = [g * a - f * b for a, b in zip(r, p)]
                d = math.gcd(*r)
                if d > 1:
                    r = [a // d for a in r]
        lead = next((i for i, a in enumerate(r) if a), None)
        if lead is None:
            return False
        self.rows.append((lead, r))
        return True


def functional_dimension(
    arch: Architecture | Sequence[int],
    samples: int | None = None,
    seed: int = 0,
    tries: int = 6,
    max_work: int | None = None,
) -> FunDimResult:
    """Best exact Jacobian rank over ``tries`` random rational ``theta``.

    Each ``theta`` gets up to ``samples`` points (default ``10 * D``, at least 20); the
    Jacobian rows are reduced one by one, and a ``theta`` stops as soon as its rank
    reaches ``D - H``.  So do the tries.  Even tries use anchored biases, odd tries
    uniform ones (see :func:`random_parameters`).  With ``max_work`` the search also
    stops once reducing the rows has cost that many steps (a row costs ``D`` times the
    rank it is reduced against); the result then has ``stopped`` set.
    """
    if not isinstance(arch, Architecture):
        arch = Architecture(tuple(arch))
    if arch.params > MAX_PARAMS:
        raise SpecError(f"architecture {excerpt(arch)} has more than {MAX_PARAMS} parameters, the most supported")
    if samples is None:
        samples = max(20, 10 * arch.params)
    if not 1 <= samples <= MAX_SAMPLES or not 1 <= tries <= MAX_TRIES:
        raise SpecError(f"samples must be in 1..{MAX_SAMPLES} and tries in 1..{MAX_TRIES}")
    rng = random.Random(seed)
    ranks = []
    work = 0
    stopped = False
    for t in range(tries):
        theta = random_parameters(arch, rng, anchored=t % 2 == 0)
        space = _RowSpace()
        for z in sample_points(arch, theta, samples, rng):
            for row in jacobian(theta, [z]):
                work += arch.params * (space.rank + 1)
                space.add(row)
            if space.rank == arch.bound:
                break
            if max_work is not None and work >= max_work:
                stopped = True
                break
        ranks.append(space.rank)
        if space.rank == arch.bound or stopped:
            break
    return FunDimResult(arch, max(ranks), tuple(ranks), samples, seed, stopped)
