"""Newton polytopes of integer ReLU networks (circuits/newton.py): hull, lattice volumes, parity invariant."""

from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from scipy.spatial import ConvexHull

from circuits.newton import (
    NotIntegralError,
    conv_union,
    convex_hull,
    cube,
    gcd_of_minors,
    integer_det,
    integer_rank,
    max_network,
    minkowski_sum,
    mixed_parity_control,
    newton_polytopes,
    parity_report,
    point,
    pulling_triangulation,
    simplex_in_class,
    simplex_volume,
    standard_simplex,
    support,
    without_biases,
)
from circuits.relu import Neuron, ReLUNetwork

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------ helpers (independent of the module)
def random_network(rng: random.Random, n: int, widths: list[int], wmax: int = 2) -> ReLUNetwork:
    """A layered, bias-free network with integer weights in [-wmax, wmax] and a linear output."""
    neurons, prev, node = [], list(range(n)), n
    for w in widths:
        cur = []
        for _ in range(w):
            neurons.append(Neuron(tuple((u, rng.randint(-wmax, wmax)) for u in prev), 0))
            cur.append(node)
            node += 1
        prev = cur
    neurons.append(Neuron(tuple((u, rng.randint(-wmax, wmax)) for u in prev), 0, "linear"))
    return ReLUNetwork(n, tuple(neurons), (node,))


def random_point(rng: random.Random, n: int) -> list[Fraction]:
    return [Fraction(rng.randint(-50, 50), rng.randint(1, 7)) for _ in range(n)]


def monotone_chain(points):
    """Andrew's monotone chain: the vertices of a planar hull (collinear points dropped)."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def shoelace2(poly):
    """Twice the area of a convex polygon given in cyclic order = its normalized volume in Z^2."""
    return abs(sum(poly[i][0] * poly[i - 1][1] - poly[i - 1][0] * poly[i][1] for i in range(len(poly))))


def random_unimodular(rng: random.Random, n: int) -> list[list[int]]:
    """A product of random elementary integer matrices (determinant +-1)."""
    m = [[int(i == j) for j in range(n)] for i in range(n)]
    for _ in range(3 * n):
        i, j = rng.sample(range(n), 2)
        c = rng.choice((-2, -1, 1, 2))
        m[i] = [a + c * b for a, b in zip(m[i], m[j])]
    if rng.random() < 0.5:
        m[0] = [-a for a in m[0]]
    return m


def apply(m, p):
    return tuple(sum(a * b for a, b in zip(row, p)) for row in m)


# ------------------------------------------------------------------ integer linear algebra
@given(st.lists(st.lists(st.integers(-9, 9), min_size=4, max_size=4), min_size=4, max_size=4))
@SETTINGS
def test_integer_det_matches_numpy(rows):
    assert integer_det(rows) == round(np.linalg.det(np.array(rows, dtype=float)))


@given(st.lists(st.lists(st.integers(-3, 3), min_size=5, max_size=5), min_size=1, max_size=6))
@SETTINGS
def test_integer_rank_matches_numpy(rows):
    assert integer_rank(rows) == np.linalg.matrix_rank(np.array(rows, dtype=float))


@given(st.integers(0, 10**6), st.integers(1, 4))
@SETTINGS
def test_gcd_of_minors_is_a_lattice_invariant(seed, k):
    rng = random.Random(seed)
    n = 5
    rows = [[rng.randint(-4, 4) for _ in range(n)] for _ in range(k)]
    g = gcd_of_minors(rows)
    # unimodular row operations keep the lattice, hence the index
    u = random_unimodular(rng, k) if k > 1 else [[rng.choice((-1, 1))]]
    assert gcd_of_minors([[sum(u[i][t] * rows[t][c] for t in range(k)) for c in range(n)] for i in range(k)]) == g
    # a unimodular change of coordinates of Z^n keeps it too
    m = random_unimodular(rng, n)
    assert gcd_of_minors([list(apply(m, r)) for r in rows]) == g
    # scaling one row by c multiplies the index by |c|
    assert gcd_of_minors([[3 * a for a in rows[0]]] + rows[1:]) == 3 * g


# ------------------------------------------------------------------ volumes of known polytopes
@pytest.mark.parametrize("n", range(1, 7))
def test_standard_simplex_has_volume_one(n):
    s = standard_simplex(n)
    assert s.dim == n and s.volume() == 1
    assert s.f_vector() == tuple(math.comb(n + 1, i + 1) for i in range(n + 1))
    assert all(f.volume == 1 for f in s.faces())


@pytest.mark.parametrize("n", range(1, 6))
def test_cube_has_volume_n_factorial(n):
    c = cube(n)
    assert c.volume() == math.factorial(n)
    assert c.f_vector() == tuple(math.comb(n, i) * 2 ** (n - i) for i in range(n + 1))
    # every i-face is a unit i-cube
    assert all(f.volume == math.factorial(f.dim) for f in c.faces())


def test_hand_computed_volumes():
    assert convex_hull([(0, 0, 0), (2, 0, 0), (0, 2, 0)]).volume() == 4  # triangle, 4 unimodular triangles
    assert convex_hull([(1, 0, 0), (0, 1, 0), (0, 0, 1)]).volume() == 1  # the Sage docstring example: 1, not 3
    assert convex_hull([(0, 0, 0), (1, 1, 0), (0, 1, 1)]).volume() == 1
    assert convex_hull([(0, 0), (3, 6)]).volume() == 3  # lattice length
    assert (
        convex_hull([(0, 0, 0), (1, 0, 0), (0, 1, 0), (1, 1, 5)]).volume() == 5
    )  # height 5 over a unimodular triangle
    # a lattice point at height 1 over a non-primitive facet
    assert convex_hull([(0, 0, 0), (2, 0, 0), (0, 2, 0), (0, 0, 1)]).volume() == 4


@given(st.integers(0, 10**6), st.integers(1, 4))
@SETTINGS
def test_dilation_scales_volume(seed, c):
    rng = random.Random(seed)
    pts = [tuple(rng.randint(-2, 2) for _ in range(3)) for _ in range(7)]
    p = convex_hull(pts)
    q = convex_hull([tuple(c * a for a in v) for v in pts])
    assert q.dim == p.dim and q.volume() == c**p.dim * p.volume()
    assert all(f.volume % c**f.dim == 0 for f in q.faces())


# ------------------------------------------------------------------ hull against independent oracles
@given(st.integers(0, 10**6))
@SETTINGS
def test_planar_hull_matches_monotone_chain(seed):
    rng = random.Random(seed)
    pts = [(rng.randint(-5, 5), rng.randint(-5, 5)) for _ in range(rng.randint(3, 30))]
    chain = monotone_chain(pts)
    p = convex_hull(pts)
    assert sorted(p.vertices) == sorted(chain)
    if p.dim == 2:
        assert p.volume() == shoelace2(chain)


@given(st.integers(0, 10**6), st.integers(3, 5))
@SETTINGS
def test_full_dimensional_hull_matches_qhull(seed, d):
    rng = random.Random(seed)
    pts = [tuple(rng.randint(-3, 3) for _ in range(d)) for _ in range(rng.randint(d + 2, 30))]
    p = convex_hull(pts)
    if p.dim < d:
        return
    qh = ConvexHull(np.array(pts, dtype=float))
    assert sorted(p.vertices) == sorted({pts[i] for i in qh.vertices})
    assert abs(p.volume() - math.factorial(d) * qh.volume) < 1e-6
    fv = p.f_vector()
    assert sum((-1) ** i * f for i, f in enumerate(fv[:-1])) == 1 - (-1) ** d  # Euler
    # the pulling triangulation is made of lattice simplices whose gcd-of-minors volumes add up
    tri = pulling_triangulation(p)
    assert all(len(s) == d + 1 for s in tri)
    assert sum(simplex_volume(s) for s in tri) == p.volume()


@given(st.integers(0, 10**6))
@SETTINGS
def test_embedded_polygon_keeps_volume_and_faces(seed):
    """A planar polygon mapped into Z^4 by a lattice-preserving embedding keeps f-vector and lattice volume."""
    rng = random.Random(seed)
    pts = [(rng.randint(-4, 4), rng.randint(-4, 4)) for _ in range(rng.randint(3, 15))]
    chain = monotone_chain(pts)
    if len(chain) < 3:
        return
    m = random_unimodular(rng, 4)
    shift = tuple(rng.randint(-5, 5) for _ in range(4))
    emb = [tuple(a + b for a, b in zip(apply(m, (x, y, 0, 0)), shift)) for x, y in pts]
    p = convex_hull(emb)
    assert p.dim == 2 and p.f_vector() == (len(chain), len(chain), 1)
    assert p.volume() == shoelace2(chain)


# ------------------------------------------------------------------ the network map
def test_single_relu():
    net = ReLUNetwork(2, (Neuron(((0, 1),), 0), Neuron(((2, 3),), 0, "linear")), (3,))
    (pair,) = newton_polytopes(net)
    assert pair.P.vertices == ((0, 0), (3, 0)) and pair.N.vertices == ((0, 0),) and pair.hidden == 1


def test_relu_output_counts_as_a_layer():
    net = ReLUNetwork(2, (Neuron(((0, 1), (1, -1)), 0),), (2,))
    (pair,) = newton_polytopes(net)
    assert pair.hidden == 1 and pair.P.vertices == ((0, 1), (1, 0)) and pair.N.vertices == ((0, 1),)


@given(st.integers(0, 10**6), st.integers(2, 4), st.lists(st.integers(1, 3), min_size=1, max_size=3))
@SETTINGS
def test_support_functions_reproduce_the_network(seed, n, widths):
    rng = random.Random(seed)
    net = random_network(rng, n, widths)
    (pair,) = newton_polytopes(net)
    assert pair.hidden <= len(widths)  # zero weights can cut layers out
    for _ in range(10):
        x = random_point(rng, n)
        assert support(pair.P, x) - support(pair.N, x) == net.evaluate(x)[0]


@given(st.integers(0, 10**6), st.integers(2, 4), st.lists(st.integers(1, 3), min_size=1, max_size=3))
@SETTINGS
def test_parity_invariant_on_random_networks(seed, n, widths):
    rng = random.Random(seed)
    (pair,) = newton_polytopes(random_network(rng, n, widths))
    for poly in (pair.P, pair.N):
        rep = parity_report(poly, pair.hidden)
        assert rep["holds"], rep
        # the invariant, recomputed from the raw face list
        assert all(f.volume % 2 == 0 for f in poly.faces() if f.dim >= 2**pair.hidden)


@given(st.integers(0, 10**6))
@SETTINGS
def test_one_hidden_layer_gives_zonotopes_with_even_2_faces(seed):
    """T1 of the notes: P, N are lattice zonotopes; a 2-face (zonogon) has Vol = 2 * sum |det(v_i, v_j)|."""
    rng = random.Random(seed)
    (pair,) = newton_polytopes(random_network(rng, 3, [rng.randint(2, 4)]))
    for poly in (pair.P, pair.N):
        assert all(f.volume % 2 == 0 for f in poly.faces() if f.dim >= 2)


def test_rejects_biases_fractions_and_threshold_neurons():
    bias = ReLUNetwork(1, (Neuron(((0, 1),), 1), Neuron(((1, 1),), 0, "linear")), (2,))
    with pytest.raises(NotIntegralError, match="bias"):
        newton_polytopes(bias)
    assert newton_polytopes(without_biases(bias))[0].P.vertices == ((0,), (1,))
    frac = ReLUNetwork(1, (Neuron(((0, Fraction(1, 2)),), 0), Neuron(((1, 1),), 0, "linear")), (2,))
    with pytest.raises(NotIntegralError, match="non-integer"):
        newton_polytopes(frac)
    thr = ReLUNetwork(1, (Neuron(((0, 1),), 0, "threshold"),), (1,))
    with pytest.raises(NotIntegralError, match="threshold"):
        newton_polytopes(thr)


# ------------------------------------------------------------------ max networks and the parity argument
@pytest.mark.parametrize("n", range(1, 7))
@pytest.mark.parametrize("with_zero", [False, True])
def test_max_network_values_and_depth(n, with_zero):
    net = max_network(n, with_zero)
    m = n + with_zero
    assert net.hidden_layers == (m - 1).bit_length()  # ceil(log2 m)
    assert net.is_integer() and all(v.bias == 0 for v in net.neurons)
    rng = random.Random(n)
    for _ in range(20):
        x = random_point(rng, n)
        assert net.evaluate(x)[0] == max(x + [Fraction(0)] * with_zero)


@pytest.mark.parametrize("n", [2, 3, 4])
def test_max_network_polytopes(n):
    """P = N + Newton(target); for F_n with n = 2^k, Vol_n(P) is odd, so P is not in Q_k."""
    for with_zero in (False, True):
        (pair,) = newton_polytopes(max_network(n, with_zero))
        target = (
            standard_simplex(n) if with_zero else convex_hull([tuple(int(i == j) for j in range(n)) for i in range(n)])
        )
        assert minkowski_sum(pair.N, target) == pair.P
        assert parity_report(pair.P, pair.hidden)["holds"] and parity_report(pair.N, pair.hidden)["holds"]
        if with_zero and n & (n - 1) == 0:
            k = n.bit_length() - 1
            assert pair.hidden == k + 1
            assert pair.P.dim == n and pair.P.volume() % 2 == 1
            assert not parity_report(pair.P, k)["holds"]  # what k hidden layers would require fails


@given(st.integers(0, 10**6))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_mixed_volume_parity_for_power_of_two(seed):
    """n = 2^k: Vol(Q + Delta_n) = Vol(Q) + 1 (mod 2) for every full-dimensional lattice Q."""
    rng = random.Random(seed)
    for n in (2, 4):
        pts = [tuple(rng.randint(-2, 2) for _ in range(n)) for _ in range(n + 3)]
        q = convex_hull(pts)
        if q.dim < n:
            continue
        ctl = mixed_parity_control(q)
        assert ctl["power_of_two"] and ctl["differs_by_odd"]


def test_mixed_volume_parity_needs_power_of_two():
    """For n = 3 the parity of Vol(Q + Delta_3) - Vol(Q) is not forced: both happen."""
    parities = set()
    for q in (standard_simplex(3), cube(3)):
        ctl = mixed_parity_control(q)
        assert not ctl["power_of_two"]
        parities.add(ctl["differs_by_odd"])
    assert mixed_parity_control(standard_simplex(3))["vol_Q_plus_simplex"] == 8  # Vol(2 Delta_3) = 2^3
    assert parities == {True, False}


@pytest.mark.parametrize("k", [1, 2, 3])
def test_sharpness_control(k):
    """P_k contains a unimodular simplex of dimension 2^k - 1: the threshold 2^k cannot be lowered."""
    s = simplex_in_class(k)
    assert s.dim == 2**k - 1 and s.volume() == 1
    rep = parity_report(s, k)
    assert rep["holds"] and rep["max_odd_dim"] == 2**k - 1


def test_conv_union_of_points_and_segment():
    tri = conv_union(convex_hull([(0, 0), (1, 0)]), point((0, 1)))  # conv({0, e1} u {e2}), in P_2
    assert tri.volume() == 1 and tri.dim == 2


@pytest.mark.slow
def test_parity_invariant_wider_networks():
    rng = random.Random(2023)
    for _ in range(30):
        n = rng.randint(3, 5)
        widths = [rng.randint(2, 4) for _ in range(rng.randint(1, 3))]
        (pair,) = newton_polytopes(random_network(rng, n, widths))
        for poly in (pair.P, pair.N):
            assert parity_report(poly, pair.hidden)["holds"]


@pytest.mark.slow
@pytest.mark.parametrize("n", [5, 6])
def test_max_network_polytopes_larger(n):
    (pair,) = newton_polytopes(max_network(n, True))
    assert minkowski_sum(pair.N, standard_simplex(n)) == pair.P
    assert parity_report(pair.P, pair.hidden)["holds"]


def test_faces_listing_is_consistent():
    p = convex_hull(itertools.product((0, 1, 2), repeat=3))  # [0,2]^3
    faces = p.faces()
    assert p.f_vector() == (8, 12, 6, 1)
    assert sorted(f.volume for f in faces if f.dim == 3) == [48]
    assert all(f.volume == 2**f.dim * math.factorial(f.dim) for f in faces)
