"""Tests of the Lipschitz extension of Proposition 17 of paper 002 (reductions/lipschitz.py)."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from circuits.errors import ArityError, ModelError, SpecError
from circuits.truthtable import TruthTable
from reductions.bits import evaluate_points
from reductions.boolean_nets import disj_network, ip_network
from reductions.lipschitz import LipschitzExtension, lipschitz_network, rounding

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
Q = Fraction(1, 4)


# ------------------------------------------------------------------ references written here
def excess(x, z):
    """Per-coordinate distance from x to A_z = prod_i {t : |t - z_i| <= 1/4} (within [0, 1])."""
    return [max(Fraction(0), abs(t - b) - Q) for t, b in zip(x, z)]


def corners(d):
    return list(itertools.product((0, 1), repeat=d))


def row(z):
    return sum(b << i for i, b in enumerate(z))


def f_linf(g: TruthTable, x) -> Fraction:
    """sum_z g(z) max(0, 1 - 4 dist_inf(x, A_z)), by brute force over all corners."""
    return sum((g.evaluate(row(z))[0] * max(Fraction(0), 1 - 4 * max(excess(x, z))) for z in corners(g.n)), Fraction(0))


def f_l2_float(g: TruthTable, x) -> float:
    return sum(
        g.evaluate(row(z))[0] * max(0.0, 1 - 4 * math.sqrt(sum(e * e for e in excess(x, z)))) for z in corners(g.n)
    )


tables = st.integers(1, 3).flatmap(lambda d: st.integers(0, 2 ** (2**d) - 1).map(lambda t: TruthTable.single(d, t)))
coord = st.fractions(min_value=0, max_value=1, max_denominator=64)


def points(d):
    return st.lists(coord, min_size=d, max_size=d)


def near_corner_points(d):
    """Points within 3/8 of a corner in each coordinate, so that f is often nonzero."""
    return st.lists(
        st.tuples(st.integers(0, 1), st.fractions(min_value=0, max_value=Fraction(3, 8), max_denominator=64)).map(
            lambda p: p[1] if p[0] == 0 else 1 - p[1]
        ),
        min_size=d,
        max_size=d,
    )


# ------------------------------------------------------------------ the extension
@SETTINGS
@given(g=tables, data=st.data())
def test_linf_value_matches_brute_force(g, data):
    ext = LipschitzExtension(g, "linf")
    x = data.draw(st.one_of(points(g.n), near_corner_points(g.n)))
    assert ext.value(x) == f_linf(g, x)
    assert ext.equals(x, f_linf(g, x))


@SETTINGS
@given(g=tables, data=st.data())
def test_l2_value_matches_brute_force(g, data):
    ext = LipschitzExtension(g, "l2")
    x = data.draw(st.one_of(points(g.n), near_corner_points(g.n)))
    assert math.isclose(ext.value_float(x), f_l2_float(g, x), abs_tol=1e-12)


@pytest.mark.parametrize("norm", ["l2", "linf"])
def test_equals_on_cube_and_on_a_z(norm):
    for d in (1, 2, 3):
        for t in range(2 ** (2**d)):
            g = TruthTable.single(d, t)
            ext = LipschitzExtension(g, norm)
            for z in corners(d):
                assert ext.value(list(z)) == g.evaluate(row(z))[0]
                inner = [Fraction(1, 8) if b == 0 else Fraction(7, 8) for b in z]
                assert ext.value(inner) == g.evaluate(row(z))[0]


def test_l2_exact_values_where_rational():
    g = TruthTable.single(2, 0b0001)  # g(0,0) = 1 only
    ext = LipschitzExtension(g, "l2")
    # distance sqrt((1/16)^2 + (1/32)^2)... use a 3-4-5 triangle: excess (3/64, 4/64) -> distance 5/64
    x = [Q + Fraction(3, 64), Q + Fraction(4, 64)]
    assert ext.value(x) == 1 - 4 * Fraction(5, 64)
    assert ext.equals(x, Fraction(44, 64)) and not ext.equals(x, Fraction(45, 64))
    y = [Q + Fraction(1, 64), Q + Fraction(1, 64)]  # distance sqrt(2)/64: irrational
    with pytest.raises(SpecError):
        ext.value(y)
    assert not ext.equals(y, Fraction(1) - Fraction(4 * 141421356, 64 * 10**8))


@SETTINGS
@given(g=tables, norm=st.sampled_from(["l2", "linf"]), data=st.data())
def test_at_most_one_corner_active(g, norm, data):
    ext = LipschitzExtension(g, norm)
    x = data.draw(st.one_of(points(g.n), near_corner_points(g.n)))
    brute = ext.active_corners(x, brute=True)
    assert len(brute) <= 1
    assert brute == ext.active_corners(x)


@SETTINGS
@given(g=tables, data=st.data())
def test_linf_four_lipschitz(g, data):
    d = g.n
    x = data.draw(st.one_of(points(d), near_corner_points(d)))
    y = data.draw(st.one_of(points(d), near_corner_points(d)))
    dist = max(abs(a - b) for a, b in zip(x, y))
    assert abs(f_linf(g, x) - f_linf(g, y)) <= 4 * dist
    assert LipschitzExtension(g, "linf").lipschitz_ok(x, y)


@SETTINGS
@given(g=tables, data=st.data())
def test_l2_four_lipschitz(g, data):
    d = g.n
    x = data.draw(st.one_of(points(d), near_corner_points(d)))
    y = data.draw(st.one_of(points(d), near_corner_points(d)))
    ext = LipschitzExtension(g, "l2")
    assert ext.lipschitz_ok(x, y, 4)
    # the exact decision agrees with floating point wherever the float margin is clear
    dist = math.sqrt(sum(float(a - b) ** 2 for a, b in zip(x, y)))
    for L in (Fraction(1), Fraction(2), Fraction(3)):
        slack = float(L) * dist - abs(f_l2_float(g, x) - f_l2_float(g, y))
        if abs(slack) > 1e-9:
            assert ext.lipschitz_ok(x, y, L) == (slack > 0)


@pytest.mark.parametrize("norm", ["l2", "linf"])
def test_constant_four_is_attained(norm):
    g = TruthTable.single(2, 0b1111)
    ext = LipschitzExtension(g, norm)
    x = [Q + Fraction(1, 32), Fraction(0)]
    y = [Q + Fraction(3, 32), Fraction(0)]
    assert ext.lipschitz_ok(x, y, 4)
    assert not ext.lipschitz_ok(x, y, 4 - Fraction(1, 100))


# ------------------------------------------------------------------ the rounding and the network
def test_rounding():
    assert [rounding(Fraction(k, 8)) for k in range(9)] == [
        0,
        0,
        0,
        Fraction(1, 4),
        Fraction(1, 2),
        Fraction(3, 4),
        1,
        1,
        1,
    ]


def support_grid(d):
    vals = [Fraction(0), Fraction(3, 16), Q, 3 * Q, Fraction(13, 16), Fraction(1)]
    return itertools.product(vals, repeat=d)


@pytest.mark.parametrize("norm", ["l2", "linf"])
@pytest.mark.parametrize(
    "maker", [lambda: ip_network(1), lambda: ip_network(2, "sawtooth"), lambda: disj_network(2), lambda: ip_network(2)]
)
def test_network_on_support(norm, maker):
    base = maker()
    r = lipschitz_network(base.result, norm=norm, pairs=40)
    d = base.result.n
    assert r.size == base.size + 2 * d and r.depth == base.depth + 1 and r.matches_formula
    g = base.result.truth_table()
    grid = [list(x) for x in support_grid(d)]
    for i, (x, (value,)) in enumerate(zip(grid, evaluate_points(r.result, grid))):
        z = row(tuple(int(t > Fraction(1, 2)) for t in x))
        assert value == g.evaluate(z)[0]
        if i % 7 == 0:
            assert value == r.result.evaluate(x)[0]
            if norm == "linf":
                assert value == f_linf(g, x)
    assert r.extra["off_support_agree"] < r.extra["off_support_points"]


def test_network_differs_from_f_off_support():
    """Off supp(mu) nothing is claimed, and indeed the network is not f there."""
    base = ip_network(1)  # IP_1 = AND on 2 inputs
    r = lipschitz_network(base.result, norm="linf", pairs=10)
    x = [Fraction(1, 2), Fraction(1)]  # f = 0 (distance 1/4 to A_(1,1)), the network gives AND(1/2, 1) rounded
    assert f_linf(base.result.truth_table(), x) == 0
    assert r.result.evaluate(x)[0] != 0


def test_invalid():
    net = ip_network(1).result
    with pytest.raises(SpecError):
        lipschitz_network(net, norm="l1")
    with pytest.raises(ModelError):
        lipschitz_network(net, TruthTable.single(2, 0b0111))
    with pytest.raises(ArityError):
        lipschitz_network(net, TruthTable.single(3, 0))
    with pytest.raises(SpecError):
        lipschitz_network("net")
    with pytest.raises(ArityError):
        LipschitzExtension(TruthTable(2, (1, 2)))
    with pytest.raises(SpecError):
        LipschitzExtension(TruthTable.single(1, 1)).value([Fraction(3, 2)])
