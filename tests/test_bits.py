"""Tests of the bit extractors of paper 002 (reductions/bits.py): Lemma 21 ramps and Lemma 25 sawtooth."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from circuits.errors import ArityError, SpecError
from circuits.relu import Neuron, ReLUNetwork
from reductions.bits import (
    Affine,
    NetBuilder,
    bit_extraction_table,
    evaluate_points,
    ramp_discretiser,
    sawtooth_discretiser,
)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------ references written here
def ref_bits(x: Fraction, c: int) -> list[int]:
    """Bits (LSB first) of floor(2^c x), with x = 1 in the top cell."""
    a = min(math.floor(x * 2**c), 2**c - 1)
    return [(a >> k) & 1 for k in range(c)]


def ref_evaluate(net: ReLUNetwork, x) -> tuple[Fraction, ...]:
    """Plain Fraction evaluation, independent of the module under test."""
    vals = [Fraction(v) for v in x]
    for v in net.neurons:
        z = v.bias + sum((w * vals[u] for u, w in v.weights), Fraction(0))
        vals.append(
            max(z, Fraction(0)) if v.activation == "relu" else z if v.activation == "linear" else Fraction(int(z >= 0))
        )
    return tuple(vals[o] for o in net.outputs)


def grid_points(c: int, offsets) -> list[Fraction]:
    return [(k + o) / 2**c for k in range(2**c) for o in offsets]


def good_offsets(delta: Fraction, steps: int = 16) -> list[Fraction]:
    return [(1 - delta) * i / steps for i in range(steps + 1)]


# ------------------------------------------------------------------ sizes and depths
@pytest.mark.parametrize("c", range(1, 9))
def test_ramp_size_and_depth_formula(c):
    r = ramp_discretiser(c, check=False)
    assert r.size == 2 * (2**c - 1) + c == r.formula_size
    assert r.depth == 2 and not r.result.has_skip_connections()
    assert r.matches_formula and r.formula_kind == "exact"


@pytest.mark.parametrize("c", range(1, 9))
def test_sawtooth_size_and_depth_formula(c):
    r = sawtooth_discretiser(c, check=False)
    assert r.size == sum(2 * j + 3 for j in range(1, c + 1)) == c * c + 4 * c
    assert r.depth == c + 2
    assert r.matches_formula


@pytest.mark.parametrize("d", [1, 2, 3])
def test_sizes_scale_with_d(d):
    assert ramp_discretiser(3, d, check=False).size == d * (2 * 7 + 3)
    assert sawtooth_discretiser(3, d, check=False).size == d * (9 + 12)


def test_table_rows():
    rows = bit_extraction_table(5, check=False)
    assert [r["c"] for r in rows] == [1, 2, 3, 4, 5]
    for r in rows:
        c = r["c"]
        assert r["ramp_size"] == 2 ** (c + 1) - 2 + c and r["ramp_depth"] == 2
        assert r["sawtooth_size"] == c * c + 4 * c and r["sawtooth_depth"] == c + 2


# ------------------------------------------------------------------ exactness, all grid cells
@pytest.mark.parametrize("c", range(1, 9))
@pytest.mark.parametrize("kind", ["ramps", "sawtooth"])
def test_exact_on_grid_and_away_from_margin(c, kind):
    delta = Fraction(1, 4)
    build = ramp_discretiser if kind == "ramps" else sawtooth_discretiser
    net = build(c, 1, delta, check=False).result
    pts = grid_points(c, good_offsets(delta, 8 if c <= 6 else 4))
    got = evaluate_points(net, [[x] for x in pts])
    for x, out in zip(pts, got):
        assert list(out) == ref_bits(x, c), (kind, c, x)


@pytest.mark.parametrize("c", [1, 2, 3, 4])
def test_exact_with_independent_evaluator(c):
    """The batch evaluator is not trusted here: plain Fraction evaluation."""
    delta = Fraction(1, 3)
    for build in (ramp_discretiser, sawtooth_discretiser):
        net = build(c, 1, delta, check=False).result
        for x in grid_points(c, good_offsets(delta, 4)):
            assert list(ref_evaluate(net, [x])) == ref_bits(x, c)


def test_ramps_exact_at_one_sawtooth_wraps():
    for c in (1, 3, 5):
        ramps = ramp_discretiser(c, check=False).result
        saw = sawtooth_discretiser(c, check=False).result
        assert list(ref_evaluate(ramps, [1])) == [1] * c
        assert list(ref_evaluate(saw, [1])) == [0] * c


@pytest.mark.parametrize("kind", ["ramps", "sawtooth"])
def test_margin_is_real(kind):
    """Inside the margin strip some bit is not exact, so the exactness tests can fail."""
    c, delta = 3, Fraction(1, 4)
    build = ramp_discretiser if kind == "ramps" else sawtooth_discretiser
    net = build(c, 1, delta, check=False).result
    bad = 0
    for k in range(2**c - 1):
        x = (k + 1 - delta / 2) / 2**c
        if list(ref_evaluate(net, [x])) != ref_bits(x, c):
            bad += 1
    assert bad >= 2**c - 2


def test_paper_sawtooth_ambiguous_at_grid_points():
    """The literal Lemma 25 offset: phi^(j) = 1/2 at the grid points, so the soft step outputs 1/2 there."""
    c, delta = 3, Fraction(1, 4)
    net = sawtooth_discretiser(c, 1, delta, variant="paper", check=False).result
    for k in range(1, 2**c):
        out = ref_evaluate(net, [Fraction(k, 2**c)])
        j = c - (k & -k).bit_length() + 1  # the finest bit position with k/2^c a multiple of 2^-j
        assert out[c - j] == Fraction(1, 2)
    # and it is exact in the centred region [delta/2, 1 - delta/2] of every cell
    offs = [delta / 2 + (1 - delta) * i / 8 for i in range(9)]
    for x in grid_points(c, offs):
        assert list(ref_evaluate(net, [x])) == ref_bits(x, c)


# ------------------------------------------------------------------ random parameters
@SETTINGS
@given(
    c=st.integers(1, 5),
    d=st.integers(1, 3),
    delta=st.fractions(min_value=Fraction(1, 50), max_value=Fraction(49, 50)),
    data=st.data(),
)
def test_random_points_outside_margin(c, d, delta, data):
    kind = data.draw(st.sampled_from(["ramps", "sawtooth"]))
    build = ramp_discretiser if kind == "ramps" else sawtooth_discretiser
    net = build(c, d, delta, check=False).result
    points = []
    for _ in range(5):
        p = []
        for _ in range(d):
            cell = data.draw(st.integers(0, 2**c - 1))
            off = (1 - delta) * data.draw(st.fractions(min_value=0, max_value=1, max_denominator=1000))
            p.append((cell + off) / 2**c)
        points.append(p)
    for p, out in zip(points, evaluate_points(net, points)):
        expected = [b for x in p for b in ref_bits(x, c)]
        assert list(out) == expected


@SETTINGS
@given(c=st.integers(1, 4), delta=st.fractions(min_value=Fraction(1, 20), max_value=Fraction(19, 20)))
def test_self_check_reports(c, delta):
    for r in (
        ramp_discretiser(c, 2, delta),
        sawtooth_discretiser(c, 2, delta),
        sawtooth_discretiser(c, 1, delta, variant="paper"),
    ):
        assert r.matches_formula
        assert "exact" in r.checked


# ------------------------------------------------------------------ the batch evaluator
small = st.fractions(min_value=-3, max_value=3, max_denominator=6)


@st.composite
def networks(draw):
    n = draw(st.integers(1, 3))
    neurons = []
    hidden = draw(st.integers(0, 4))
    for i in range(hidden):
        nodes = draw(st.lists(st.integers(0, n + i - 1), unique=True, max_size=n + i))
        neurons.append(Neuron(tuple((u, draw(small)) for u in nodes), draw(small)))
    nodes = draw(st.lists(st.integers(0, n + hidden - 1), unique=True, max_size=n + hidden))
    act = draw(st.sampled_from(["relu", "linear", "threshold"]))
    neurons.append(Neuron(tuple((u, draw(small)) for u in nodes), draw(small), act))
    return ReLUNetwork(n, tuple(neurons), (n + hidden,))


@SETTINGS
@given(net=networks(), data=st.data())
def test_evaluate_points_matches_reference(net, data):
    points = data.draw(
        st.lists(
            st.lists(st.fractions(min_value=-2, max_value=2, max_denominator=50), min_size=net.n, max_size=net.n),
            min_size=1,
            max_size=6,
        )
    )
    assert evaluate_points(net, points) == [ref_evaluate(net, p) for p in points]


def test_evaluate_points_large_numbers():
    net = ReLUNetwork(1, (Neuron(((0, Fraction(2**70, 3)),), 1), Neuron(((1, 2**40),), 0, "linear")), (2,))
    pts = [[Fraction(1, 7)], [Fraction(-5, 2**65)]]
    assert evaluate_points(net, pts) == [ref_evaluate(net, p) for p in pts]


def test_builder_merges_linear_forms():
    b = NetBuilder(2)
    h = b.relu(b.input(0) + b.input(1) - 1)
    net = b.build([h * 2 - Affine(const=1)])
    assert net.size == 2 and net.depth == 2
    assert [ref_evaluate(net, [x, y])[0] for x in (0, 1) for y in (0, 1)] == [-1, -1, -1, 1]


# ------------------------------------------------------------------ invalid parameters
@pytest.mark.parametrize(
    "call",
    [
        lambda: ramp_discretiser(0),
        lambda: ramp_discretiser(2, 0),
        lambda: ramp_discretiser(2, 1, 0),
        lambda: ramp_discretiser(2, 1, 1),
        lambda: ramp_discretiser(2, 1, 0.25),
        lambda: sawtooth_discretiser(-1),
        lambda: sawtooth_discretiser(2, variant="other"),
        lambda: bit_extraction_table(0),
    ],
)
def test_invalid_parameters(call):
    with pytest.raises(SpecError):
        call()


def test_wrong_point_arity():
    net = ramp_discretiser(2, check=False).result
    with pytest.raises(ArityError):
        evaluate_points(net, [[Fraction(0), Fraction(0)]])
