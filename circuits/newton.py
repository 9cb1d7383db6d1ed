"""Newton polytopes of integer ReLU networks and the parity invariant of their faces.

A convex, positively homogeneous, piecewise-linear function ``R^n -> R`` is the support
function ``h_P(x) = max_{p in P} <p, x>`` of a unique polytope ``P``, its Newton
polytope.  A ReLU network with **integer weights and no biases** computes a difference
``f = h_P - h_N`` of two such functions, with lattice polytopes ``P`` and ``N`` obtained
neuron by neuron (the tropical dictionary of Zhang, Naitzat and Lim, 2018, as used by
Hertrich, Basu, Di Summa and Skutella, 2021):

* input ``x_i``: ``(P, N) = ({e_i}, {0})``;
* linear combination ``sum_j w_j g_j`` with integers ``w_j``:
  ``P = sum_{w_j > 0} w_j P_j + sum_{w_j < 0} |w_j| N_j`` and
  ``N = sum_{w_j > 0} w_j N_j + sum_{w_j < 0} |w_j| P_j`` (Minkowski sums; for a convex
  ``P`` the ``w``-fold sum ``P + ... + P`` is the dilation ``w P``);
* ReLU: ``max(0, h_P - h_N) = max(h_P, h_N) - h_N``, so ``(P, N) -> (conv(P u N), N)``.

Haase, Hertrich and Loho, "Lower Bounds on the Depth of Integral ReLU Neural Networks
via Lattice Polytopes" (ICLR 2023), show that after ``k`` hidden layers every face of
dimension ``>= 2**k`` of ``P`` and of ``N`` has **even normalized volume**
(:func:`parity_report`).  Since ``F_n = max(0, x_1, ..., x_n)`` is ``h`` of the standard
simplex ``Delta_n`` (normalized volume 1), ``F_n = h_P - h_N`` forces ``P = N + Delta_n``,
and for ``n = 2**k`` the mixed-volume expansion gives ``Vol(P) = Vol(N) + 1 (mod 2)``
(:func:`mixed_parity_control`), so ``F_{2^k}`` needs ``k + 1`` hidden layers.

Everything here is exact integer arithmetic.  The convex hull is a double description
(Motzkin) method over the integers with a combinatorial adjacency test, written for the
small dimensions (``n <= 6`` or so) and vertex counts (hundreds) these experiments need.

**Normalized volume.**  For a lattice polytope ``F`` of dimension ``m``, ``Vol(F)`` is
``m!`` times its ``m``-dimensional volume measured in the lattice ``L_F = lin(F - v) n Z^n``
(``v`` a vertex of ``F``), so a simplex whose edges from one vertex form a basis of
``L_F`` has ``Vol = 1``.  Two facts make this computable with integers only:

1. *Simplex.*  For a lattice ``m``-simplex with vertices ``s_0 .. s_m``, let ``E`` be
   the ``m x n`` integer matrix of rows ``s_i - s_0``.  Then ``Vol = g(E)``, the gcd of
   the ``m x m`` minors of ``E`` (:func:`gcd_of_minors`).  Proof: ``L_F`` is saturated,
   so it has a basis ``B`` (``m x n``) whose minors have gcd 1 (extend ``B`` to a basis
   of ``Z^n``; Laplace expansion of that unimodular determinant along the rows of ``B``
   shows the minors of ``B`` generate the unit ideal).  ``E = C B`` with an integer
   ``m x m`` matrix ``C``, so by Cauchy-Binet every minor of ``E`` is ``det C`` times the
   matching minor of ``B`` and ``g(E) = |det C|``, which is ``Vol`` (the index of the
   lattice spanned by the edges in ``L_F``).
2. *Pyramid.*  If ``H`` is a facet of ``F`` and ``v`` a vertex of ``F`` not on ``H``,
   ``Vol(conv(H u {v})) = Vol(H) * h`` with the lattice height ``h`` of ``v`` over ``H``
   (``L_F / L_H = Z`` and ``v - h_0`` maps to ``+-h``).  With ``E_H`` any ``m - 1``
   independent edge vectors of ``H`` and ``w = v - h_0``: ``h = g([E_H; w]) / g(E_H)``,
   because ``[L_F : <E_H, w>] = [L_F : L_H + Z w] * [L_H : <E_H>]``.

:func:`face_volumes` uses the pulling triangulation: pick the smallest-index vertex
``v`` of ``F`` and cone from it over the facets ``H`` of ``F`` that miss ``v``,
recursively (:func:`pulling_triangulation` lists those simplices).  Summing fact 1
over the simplices of one cone gives fact 2, so ``Vol(F) = sum_H Vol(H) * h(v, H)``.

>>> cube = convex_hull([(a, b, c) for a in (0, 1) for b in (0, 1) for c in (0, 1)])
>>> cube.f_vector(), normalized_volume(cube)
((8, 12, 6, 1), 6)
>>> bipyramid = convex_hull([(0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 1)])
>>> bipyramid.f_vector(), normalized_volume(bipyramid)
((5, 9, 6, 1), 3)
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

import numpy as np

from circuits.errors import ModelError
from circuits.relu import Neuron, ReLUNetwork

__all__ = [
    "Face",
    "NewtonPair",
    "NotIntegralError",
    "Polytope",
    "conv_union",
    "convex_hull",
    "cube",
    "dilate",
    "face_volumes",
    "gcd_of_minors",
    "integer_det",
    "integer_rank",
    "invariant_threshold",
    "max_network",
    "minkowski_sum",
    "mixed_parity_control",
    "newton_polytopes",
    "normalized_volume",
    "parity_report",
    "point",
    "pulling_triangulation",
    "simplex_in_class",
    "simplex_volume",
    "standard_simplex",
    "support",
]

Vector = tuple[int, ...]

#: Dot products whose magnitude provably stays below this bound are done in int64.
_INT64_SAFE = 1 << 62


class NotIntegralError(ModelError):
    """The network is outside the Newton-polytope map: a bias, a non-integer weight or a threshold neuron."""


# ------------------------------------------------------------------ integer linear algebra
def integer_det(rows: Sequence[Sequence[int]]) -> int:
    """Determinant of a square integer matrix (Bareiss fraction-free elimination).

    >>> integer_det([[2, 1], [1, 3]]), integer_det([])
    (5, 1)
    """
    m = [list(r) for r in rows]
    k = len(m)
    if k == 0:
        return 1
    sign, prev = 1, 1
    for i in range(k - 1):
        if m[i][i] == 0:
            swap = next((r for r in range(i + 1, k) if m[r][i] != 0), None)
            if swap is None:
                return 0
            m[i], m[swap] = m[swap], m[i]
            sign = -sign
        piv = m[i][i]
        for r in range(i + 1, k):
            for c in range(i + 1, k):
                m[r][c] = (m[r][c] * piv - m[r][i] * m[i][c]) // prev
            m[r][i] = 0
        prev = piv
    return sign * m[k - 1][k - 1]


def _echelon(rows: Sequence[Sequence[int]]) -> tuple[int, list[int], list[int]]:
    """Rank, pivot columns and the indices of a maximal independent set of rows."""
    m = [list(r) for r in rows]
    if not m:
        return 0, [], []
    order = list(range(len(m)))
    ncols = len(m[0])
    rank, pivots = 0, []
    for c in range(ncols):
        piv = next((r for r in range(rank, len(m)) if m[r][c] != 0), None)
        if piv is None:
            continue
        m[rank], m[piv] = m[piv], m[rank]
        order[rank], order[piv] = order[piv], order[rank]
        p = m[rank]
        for r in range(rank + 1, len(m)):
            if m[r][c]:
                f, g = m[r][c], p[c]
                row = [g * a - f * b for a, b in zip(m[r], p)]
                d = math.gcd(*row)
                m[r] = [a // d for a in row] if d > 1 else row
        pivots.append(c)
        rank += 1
        if rank == len(m):
            break
    # rows order[:rank] are independent: elimination only swaps and combines with earlier pivot rows
    return rank, pivots, sorted(order[:rank])


def integer_rank(rows: Sequence[Sequence[int]]) -> int:
    """Rank over Q of an integer matrix.

    >>> integer_rank([[1, 2, 3], [2, 4, 6], [0, 1, 1]])
    2
    """
    return _echelon(rows)[0]


def gcd_of_minors(rows: Sequence[Sequence[int]]) -> int:
    """gcd of the ``k x k`` minors of a ``k x n`` integer matrix (1 when ``k = 0``; 0 when rank < k).

    This is the index of the lattice spanned by the rows in its saturation (see the module
    docstring), hence the normalized volume of the simplex with these edge vectors.

    >>> gcd_of_minors([[1, 1, 0], [0, 1, 1]]), gcd_of_minors([[2, 0], [0, 2]]), gcd_of_minors([[2, 4, 6]])
    (1, 4, 2)
    """
    k = len(rows)
    if k == 0:
        return 1
    n = len(rows[0])
    g = 0
    for cols in itertools.combinations(range(n), k):
        g = math.gcd(g, integer_det([[r[c] for c in cols] for r in rows]))
        if g == 1:
            return 1
    return g


def simplex_volume(vertices: Sequence[Sequence[int]]) -> int:
    """Normalized volume of a lattice simplex in its own affine lattice (0 if degenerate).

    >>> simplex_volume([(0, 0), (1, 0), (0, 1)]), simplex_volume([(0, 0, 0), (1, 1, 0), (0, 1, 1)])
    (1, 1)
    >>> simplex_volume([(0, 0), (2, 0), (0, 1)]), simplex_volume([(1, 2), (3, 6)])
    (2, 2)
    """
    v0 = vertices[0]
    return gcd_of_minors([[a - b for a, b in zip(v, v0)] for v in vertices[1:]])


def _kernel_vector(rows: list[list[int]]) -> list[int]:
    """A generator of the kernel of a full-rank ``k x (k+1)`` integer matrix (signed maximal minors)."""
    k1 = len(rows) + 1
    vec = [(-1) ** c * integer_det([[r[j] for j in range(k1) if j != c] for r in rows]) for c in range(k1)]
    g = math.gcd(*vec)
    return [a // g for a in vec] if g > 1 else vec


# ------------------------------------------------------------------ double description
class _DoubleDescription:
    """Facets of ``conv`` of full-dimensional integer points in ``Z^d`` (``d >= 1``).

    A facet ``a.x <= b`` is a ray ``y = (a, b)`` of the cone ``{y : (p, -1).y <= 0 for all
    points p}``; the cone is pointed because the points span ``R^d`` affinely, and its
    extreme rays are exactly the facets.  Points are added one at a time (Motzkin's
    double description).  Each ray keeps the bit mask of added points it is tight on;
    two rays are adjacent iff no third ray is tight on all points both are tight on.
    """

    def __init__(self, pts: list[Vector], simplex: list[int]) -> None:
        self.pts = pts
        self.d = len(pts[0])
        self.rays: list[list[int]] = []
        self.tight: list[int] = []
        rows = [list(pts[i]) + [-1] for i in simplex]
        for j, _ in enumerate(simplex):
            y = _kernel_vector([r for t, r in enumerate(rows) if t != j])
            if sum(a * b for a, b in zip(rows[j], y)) > 0:
                y = [-a for a in y]
            self.rays.append(y)
            self.tight.append(sum(1 << simplex[t] for t in range(len(simplex)) if t != j))

    def value(self, y: list[int], i: int) -> int:
        p = self.pts[i]
        return sum(a * b for a, b in zip(y, p)) - y[-1]

    def add(self, i: int) -> None:
        vals = [self.value(y, i) for y in self.rays]
        pos = [r for r, v in enumerate(vals) if v > 0]
        bit = 1 << i
        if not pos:
            for r, v in enumerate(vals):
                if v == 0:
                    self.tight[r] |= bit
            return
        neg = [r for r, v in enumerate(vals) if v < 0]
        need = self.d - 1  # adjacent rays in a pointed cone of dimension d+1 share >= d-1 tight points
        new_rays, new_tight = [], []
        for p in pos:
            tp = self.tight[p]
            for q in neg:
                common = tp & self.tight[q]
                if common.bit_count() < need:
                    continue
                if any(r != p and r != q and t & common == common for r, t in enumerate(self.tight)):
                    continue
                vp, vq = vals[p], vals[q]
                y = [vp * b - vq * a for a, b in zip(self.rays[p], self.rays[q])]
                g = math.gcd(*y)
                new_rays.append([a // g for a in y])
                new_tight.append(common | bit)
        keep = [r for r, v in enumerate(vals) if v <= 0]
        self.rays = [self.rays[r] for r in keep] + new_rays
        self.tight = [self.tight[r] | (bit if vals[r] == 0 else 0) for r in keep] + new_tight


def _array(rows: Sequence[Sequence[int]] | Sequence[int], bound: int) -> np.ndarray:
    return np.array(rows, dtype=np.int64 if bound < _INT64_SAFE else object)


def _full_dim_hull(pts: list[Vector], seed: int = 0) -> tuple[list[int], list[int]]:
    """Vertex indices of ``conv(pts)`` and the facets as bit masks of point indices.

    ``pts`` are distinct and affinely span ``R^d``.  Points outside the current hull are
    added, the farthest per violated facet first; points inside are never added.
    """
    d = len(pts[0])
    rng = random.Random(seed)
    arr_bound = max(abs(c) for p in pts for c in p)
    # start from a simplex of points extreme in some direction
    start: list[int] = []
    basis: list[list[int]] = []
    dirs = [tuple(1 if j == i else 0 for j in range(d)) for i in range(d)] + [
        tuple(rng.randint(-7, 7) for _ in range(d)) for _ in range(4 * d + 8)
    ]
    extreme = []
    for c in dirs:
        for sgn in (1, -1):
            best = max(range(len(pts)), key=lambda i: (sgn * sum(a * b for a, b in zip(c, pts[i])), pts[i]))
            extreme.append(best)
    candidates = list(dict.fromkeys(extreme)) + list(range(len(pts)))
    for i in candidates:
        if not start:
            start.append(i)
            continue
        if i in start:
            continue
        row = [a - b for a, b in zip(pts[i], pts[start[0]])]
        if integer_rank(basis + [row]) > len(basis):
            basis.append(row)
            start.append(i)
            if len(start) == d + 1:
                break
    dd = _DoubleDescription(pts, start)
    added = set(start)
    for i in dict.fromkeys(extreme):
        if i not in added:
            dd.add(i)
            added.add(i)
    P = _array(pts, arr_bound)
    while True:
        norm = max(max(abs(c) for c in y) for y in dd.rays)
        A = _array([y[:-1] for y in dd.rays], norm * arr_bound * (d + 1))
        b = _array([y[-1] for y in dd.rays], norm * arr_bound * (d + 1))
        V = P @ A.T - b  # V[i, f] > 0: point i violates facet f
        outside = np.nonzero((V > 0).any(axis=1))[0]
        if len(outside) == 0:
            break
        sub = V[outside]
        new = []
        for f in range(sub.shape[1]):
            col = sub[:, f]
            j = int(np.argmax(col))
            if col[j] > 0:
                new.append(int(outside[j]))
        for i in dict.fromkeys(new):
            if i not in added:
                dd.add(i)
                added.add(i)
    # a point of the hull is a vertex iff the facets through it meet only in it
    full = 0
    for i in added:
        full |= 1 << i
    vertices = []
    for i in sorted(added):
        meet = full
        on_some = False
        for t in dd.tight:
            if t >> i & 1:
                meet &= t
                on_some = True
        if on_some and meet == 1 << i:
            vertices.append(i)
    return vertices, list(dd.tight)


# ------------------------------------------------------------------ polytopes
@dataclass(frozen=True)
class Face:
    """A nonempty face: its vertices (indices into :attr:`Polytope.vertices`), dimension and normalized volume."""

    vertices: tuple[int, ...]
    dim: int
    volume: int


@dataclass(frozen=True, eq=False)
class Polytope:
    """A lattice polytope given by its vertices (sorted, distinct) and, lazily, its faces.

    Build one with :func:`convex_hull`; the constructor trusts that ``vertices`` are
    exactly the vertices.  ``facet_masks`` are the facets (bit masks over vertex indices)
    when ``dim >= 1``.
    """

    vertices: tuple[Vector, ...]
    dim: int
    facet_masks: tuple[int, ...] = field(repr=False)

    @property
    def ambient(self) -> int:
        return len(self.vertices[0])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Polytope) and self.vertices == other.vertices

    def __hash__(self) -> int:
        return hash(self.vertices)

    @cached_property
    def _lattice(self) -> tuple[dict[int, int], dict[int, list[int]]]:
        """Face masks -> dimension, and face mask -> masks of its facets (the Hasse diagram)."""
        nv = len(self.vertices)
        top = (1 << nv) - 1
        dims = {top: self.dim}
        below: dict[int, list[int]] = {}
        level = [top]
        for j in range(self.dim, 0, -1):
            nxt: dict[int, None] = {}
            for g in level:
                if j == self.dim:
                    subs = list(self.facet_masks)
                else:
                    cands = {g & f for f in self.facet_masks if g & f != g and g & f}
                    subs = [c for c in cands if not any(c != o and c & o == c for o in cands)]
                below[g] = subs
                for s in subs:
                    nxt[s] = None
            for s in nxt:
                dims[s] = j - 1
            level = list(nxt)
        for g in level:
            below[g] = []
        return dims, below

    def faces(self) -> list[Face]:
        """All nonempty faces, the polytope itself included, with their normalized volumes."""
        dims, _ = self._lattice
        vols = self._volumes
        out = [Face(tuple(i for i in range(len(self.vertices)) if g >> i & 1), d, vols[g]) for g, d in dims.items()]
        out.sort(key=lambda f: (f.dim, f.vertices))
        return out

    def f_vector(self) -> tuple[int, ...]:
        """Number of faces of each dimension ``0 .. dim`` (the last entry is 1)."""
        dims, _ = self._lattice
        counts = [0] * (self.dim + 1)
        for d in dims.values():
            counts[d] += 1
        return tuple(counts)

    def _frame(self, mask: int) -> tuple[int, list[list[int]], int]:
        """Base vertex (the smallest index), independent edge rows from it, and their gcd of minors."""
        idx = [i for i in range(len(self.vertices)) if mask >> i & 1]
        v0 = self.vertices[idx[0]]
        rows = [[a - b for a, b in zip(self.vertices[i], v0)] for i in idx[1:]]
        _, _, independent = _echelon(rows)
        chosen = [rows[r] for r in independent]
        return idx[0], chosen, gcd_of_minors(chosen)

    @cached_property
    def _volumes(self) -> dict[int, int]:
        dims, below = self._lattice
        frames = {g: self._frame(g) for g in dims}
        vols: dict[int, int] = {}
        for g in sorted(dims, key=dims.__getitem__):
            if dims[g] == 0:
                vols[g] = 1
                continue
            v = frames[g][0]
            total = 0
            for h in below[g]:
                if h >> v & 1:
                    continue
                h0, rows, gh = frames[h]
                w = [a - b for a, b in zip(self.vertices[v], self.vertices[h0])]
                total += vols[h] * (gcd_of_minors(rows + [w]) // gh)
            vols[g] = total
        return vols

    def volume(self) -> int:
        """Normalized volume of the polytope in its own affine lattice."""
        return self._volumes[(1 << len(self.vertices)) - 1]

    def pulling_triangulation(self) -> list[tuple[int, ...]]:
        """Simplices (vertex index tuples) of the pulling triangulation by increasing vertex index."""
        dims, below = self._lattice
        memo: dict[int, list[tuple[int, ...]]] = {}

        def tri(g: int) -> list[tuple[int, ...]]:
            if g not in memo:
                v = (g & -g).bit_length() - 1
                if dims[g] == 0:
                    memo[g] = [(v,)]
                else:
                    memo[g] = [(v,) + s for h in below[g] if not h >> v & 1 for s in tri(h)]
            return memo[g]

        return tri((1 << len(self.vertices)) - 1)


def convex_hull(points: Iterable[Sequence[int]], seed: int = 0) -> Polytope:
    """The convex hull of finitely many integer points, as a :class:`Polytope` (exact).

    >>> convex_hull([(0, 0), (2, 0), (1, 0), (0, 2), (1, 1)]).vertices
    ((0, 0), (0, 2), (2, 0))
    """
    pts = sorted({tuple(int(c) for c in p) for p in points})
    if not pts:
        raise ValueError("convex hull of no points")
    n = len(pts[0])
    if any(len(p) != n for p in pts):
        raise ValueError("points of different dimensions")
    if len(pts) == 1:
        return Polytope((pts[0],), 0, ())
    v0 = pts[0]
    rows = [[a - b for a, b in zip(p, v0)] for p in pts[1:]]
    d, pivots, _ = _echelon(rows)
    if d == 1:
        # the projection to one pivot coordinate is injective on the affine hull
        c = pivots[0]
        lo, hi = min(pts, key=lambda p: p[c]), max(pts, key=lambda p: p[c])
        verts = tuple(sorted((lo, hi)))
        return Polytope(verts, 1, (0b01, 0b10))
    proj = [tuple(p[c] for c in pivots) for p in pts]
    vidx, tight = _full_dim_hull(proj, seed)
    verts = tuple(pts[i] for i in vidx)  # pts are sorted, so verts are sorted
    pos = {i: k for k, i in enumerate(vidx)}
    masks = []
    for t in tight:
        m = 0
        for i, k in pos.items():
            if t >> i & 1:
                m |= 1 << k
        masks.append(m)
    return Polytope(verts, d, tuple(dict.fromkeys(masks)))


def point(p: Sequence[int]) -> Polytope:
    return Polytope((tuple(int(c) for c in p),), 0, ())


def minkowski_sum(a: Polytope, b: Polytope) -> Polytope:
    """``a + b``: the hull of all vertex sums."""
    return convex_hull(tuple(x + y for x, y in zip(p, q)) for p in a.vertices for q in b.vertices)


def conv_union(a: Polytope, b: Polytope) -> Polytope:
    """``conv(a u b)``."""
    return convex_hull(a.vertices + b.vertices)


def dilate(a: Polytope, c: int) -> Polytope:
    """``c * a`` for an integer ``c >= 1`` (equal to the ``c``-fold Minkowski sum of ``a``)."""
    if c == 1:
        return a
    return Polytope(tuple(tuple(c * x for x in v) for v in a.vertices), a.dim, a.facet_masks)


def standard_simplex(n: int) -> Polytope:
    """``Delta_n = conv(0, e_1, ..., e_n)``, the Newton polytope of ``max(0, x_1, ..., x_n)``."""
    return convex_hull([(0,) * n] + [tuple(int(i == j) for j in range(n)) for i in range(n)])


def cube(n: int) -> Polytope:
    """``[0, 1]^n``."""
    return convex_hull(itertools.product((0, 1), repeat=n))


def normalized_volume(p: Polytope) -> int:
    """Normalized volume of ``p`` in its own affine lattice (see the module docstring)."""
    return p.volume()


def face_volumes(p: Polytope) -> list[Face]:
    """All nonempty faces of ``p`` with dimension and normalized volume."""
    return p.faces()


def pulling_triangulation(p: Polytope) -> list[tuple[Vector, ...]]:
    """The pulling triangulation of ``p`` as tuples of vertex coordinates."""
    return [tuple(p.vertices[i] for i in s) for s in p.pulling_triangulation()]


def support(p: Polytope, x: Sequence[int | Fraction]) -> Fraction:
    """``h_p(x) = max_{v in p} <v, x>`` (exact)."""
    return max(sum((Fraction(a) * b for a, b in zip(v, x)), Fraction(0)) for v in p.vertices)


# ------------------------------------------------------------------ networks
@dataclass(frozen=True)
class NewtonPair:
    """The pair ``(P, N)`` with ``output = h_P - h_N`` for output ``index`` of a network.

    ``hidden`` is the number of ReLU layers the output goes through: the layer of a
    linear output neuron minus one, the layer of a ReLU output neuron.  Then
    ``P, N`` are in the class ``P_hidden`` of Haase-Hertrich-Loho.
    """

    index: int
    hidden: int
    P: Polytope
    N: Polytope

    def value(self, x: Sequence[int | Fraction]) -> Fraction:
        return support(self.P, x) - support(self.N, x)


def _check_integral(net: ReLUNetwork) -> None:
    for i, v in enumerate(net.neurons):
        node = net.n + i
        if v.activation == "threshold":
            raise NotIntegralError(
                f"neuron {i} (node {node}) is a threshold neuron; the Newton map needs relu and linear neurons"
            )
        if v.bias != 0:
            raise NotIntegralError(
                f"neuron {i} (node {node}) has bias {v.bias}; the Newton map needs a network without biases "
                "(use the network with every bias set to 0)"
            )
        for u, w in v.weights:
            if w.denominator != 1:
                raise NotIntegralError(f"neuron {i} (node {node}) has non-integer weight {w} on node {u}")


def without_biases(net: ReLUNetwork) -> ReLUNetwork:
    """The same network with every bias set to 0.

    For a positively homogeneous target ``f``, ``N(t x) / t -> N_0(x)`` as ``t -> oo``,
    so a network that computes ``f`` still computes it without its biases.
    """
    return ReLUNetwork(net.n, tuple(Neuron(v.weights, 0, v.activation) for v in net.neurons), net.outputs)


def newton_polytopes(net: ReLUNetwork) -> list[NewtonPair]:
    """``(P, N)`` for every output of an integer-weight, bias-free network.

    Raises :class:`NotIntegralError` for a bias, a non-integer weight or a threshold neuron.

    ``relu(x0 - x1) + relu(x1) = max(x0, x1) - x1 + relu(x1)``:

    >>> net = ReLUNetwork(2, (Neuron(((0, 1), (1, -1)), 0), Neuron(((1, 1),), 0), Neuron(((2, 1), (3, 1)), 0, "linear")), (4,))
    >>> pair = newton_polytopes(net)[0]
    >>> pair.P.vertices, pair.N.vertices, pair.hidden
    (((0, 1), (0, 2), (1, 0), (1, 1)), ((0, 1),), 1)
    """
    _check_integral(net)
    n = net.n
    zero = point((0,) * n)
    pairs: list[tuple[Polytope, Polytope]] = [(point(tuple(int(i == j) for j in range(n))), zero) for i in range(n)]
    needed = {u for v in net.neurons for u in v.nodes} | set(net.outputs)
    for i, v in enumerate(net.neurons):
        node = n + i
        if node not in needed:
            pairs.append((zero, zero))
            continue
        pos, neg = zero, zero
        for u, w in v.weights:
            pu, nu = pairs[u]
            c = int(w)
            if c > 0:
                pos, neg = minkowski_sum(pos, dilate(pu, c)), minkowski_sum(neg, dilate(nu, c))
            else:
                pos, neg = minkowski_sum(pos, dilate(nu, -c)), minkowski_sum(neg, dilate(pu, -c))
        if v.activation == "relu":
            pos = conv_union(pos, neg)
        pairs.append((pos, neg))
    layers = net.layers()
    out = []
    for k, o in enumerate(net.outputs):
        neuron = net.neurons[o - n]
        hidden = layers[o - n] - (0 if neuron.activation == "relu" else 1)
        out.append(NewtonPair(k, hidden, *pairs[o]))
    return out


def invariant_threshold(hidden: int) -> int:
    """Faces of dimension at least ``2**hidden`` must have even normalized volume."""
    return 1 << hidden


def parity_report(p: Polytope, hidden: int) -> dict:
    """Face counts and odd-volume counts by dimension, and whether the invariant holds.

    Keys: ``f_vector``, ``odd`` (odd-volume faces per dimension), ``threshold``,
    ``holds`` (no odd face of dimension ``>= threshold``), ``max_odd_dim`` (largest
    dimension of an odd face; ``-1`` if none), ``volume``.
    """
    faces = p.faces()
    odd = [0] * (p.dim + 1)
    for f in faces:
        if f.volume % 2:
            odd[f.dim] += 1
    thr = invariant_threshold(hidden)
    return {
        "dim": p.dim,
        "vertices": len(p.vertices),
        "f_vector": list(p.f_vector()),
        "odd": odd,
        "volume": p.volume(),
        "threshold": thr,
        "holds": not any(odd[d] for d in range(thr, p.dim + 1)),
        "max_odd_dim": max((d for d in range(p.dim + 1) if odd[d]), default=-1),
    }


def _relu_sum_network(n: int, items: list[dict[int, int]]) -> ReLUNetwork:
    """A network computing ``max`` of linear forms ``items`` (node -> weight over the inputs) by a pairwise tree.

    ``max(a, b) = relu(a - b) + relu(b) - relu(-b)`` and ``c = relu(c) - relu(-c)`` for an
    unpaired item, so each round of pairing is one hidden layer with integer weights.
    """
    neurons: list[Neuron] = []

    def add(weights: dict[int, int], act: str = "relu") -> int:
        neurons.append(Neuron(tuple((u, w) for u, w in weights.items() if w), 0, act))
        return n + len(neurons) - 1

    def comb(*terms: tuple[int, dict[int, int]]) -> dict[int, int]:
        out: dict[int, int] = {}
        for c, t in terms:
            for u, w in t.items():
                out[u] = out.get(u, 0) + c * w
        return {u: w for u, w in out.items() if w}

    while len(items) > 1:
        nxt: list[dict[int, int]] = []
        for j in range(0, len(items) - 1, 2):
            a, b = items[j], items[j + 1]
            if not b:
                a, b = b, a
            if not b:  # max(0, 0)
                nxt.append({})
                continue
            d = add(comb((1, a), (-1, b)))
            if not a:  # max(0, b) = relu(b), with d = relu(-b) unused
                neurons.pop()
                nxt.append({add(b): 1})
                continue
            nxt.append({d: 1, add(b): 1, add(comb((-1, b))): -1})
        if len(items) % 2:
            c = items[-1]
            nxt.append({add(c): 1, add(comb((-1, c))): -1} if c else {})
        items = nxt
    add(items[0], "linear")
    return ReLUNetwork(n, tuple(neurons), (n + len(neurons) - 1,))


def max_network(n: int, with_zero: bool = False) -> ReLUNetwork:
    """An integer, bias-free network for ``max(x_1..x_n)`` (or ``max(0, x_1..x_n)``).

    It has ``ceil(log2 m)`` hidden layers, ``m = n`` (or ``n + 1`` with ``with_zero``):
    the pairwise tree, which matches the Haase-Hertrich-Loho lower bound.

    >>> net = max_network(3, with_zero=True)
    >>> net.hidden_layers, [net.evaluate(x)[0] for x in ((1, -2, 0), (-1, -2, -3), (0, 5, 7))]
    (2, [Fraction(1, 1), Fraction(0, 1), Fraction(7, 1)])
    """
    if n < 1:
        raise ModelError("max_network needs n >= 1")
    items: list[dict[int, int]] = ([{}] if with_zero else []) + [{i: 1} for i in range(n)]
    return _relu_sum_network(n, items)


def simplex_in_class(k: int) -> Polytope:
    """The unimodular simplex ``conv(e_1, ..., e_{2^k})`` built as a member of ``P_k``.

    Built by ``k`` rounds of ``conv(A u B)`` from points: its two halves are simplices
    on ``2^{k-1}`` vertices in ``P_{k-1}``.  It is a face of dimension ``2^k - 1`` with
    volume 1, so the threshold ``2^k`` of the invariant cannot be lowered.
    """
    m = 1 << k
    polys = [point(tuple(int(i == j) for j in range(m))) for i in range(m)]
    for _ in range(k):
        polys = [conv_union(polys[j], polys[j + 1]) for j in range(0, len(polys), 2)]
    return polys[0]


def mixed_parity_control(q: Polytope) -> dict:
    """``Vol(Q + Delta_n)`` against ``Vol(Q)`` for a full-dimensional lattice ``Q`` in ``R^n``.

    ``Vol(Q + Delta) = sum_i C(n, i) V(Q[i], Delta[n-i])`` with integer normalized mixed
    volumes ``V``, and ``V(Q[n]) = Vol(Q)``, ``V(Delta[n]) = 1``.  When ``n`` is a power
    of two every middle ``C(n, i)`` is even, so ``Vol(Q + Delta) = Vol(Q) + 1 (mod 2)``.
    """
    n = q.ambient
    p = minkowski_sum(q, standard_simplex(n))
    vq, vp = q.volume() if q.dim == n else 0, p.volume()
    return {
        "n": n,
        "vol_Q": vq,
        "vol_Q_plus_simplex": vp,
        "power_of_two": n & (n - 1) == 0,
        "differs_by_odd": (vp - vq) % 2 == 1,
    }
