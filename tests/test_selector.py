"""Tests of the selector lemma (reductions/selector.py, Lemma 20 of paper 002)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from circuits.errors import ArityError, SpecError
from circuits.threshold import ThresholdCircuit, ThresholdGate
from reductions.selector import hardwire_selector, selector_roundtrip, single_output_selector

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def circuits(draw, max_inputs=4, max_gates=5, max_outputs=3, outputs=None):
    """Random threshold circuits: any wiring to earlier nodes, weights and thresholds in [-3, 3]."""
    n = draw(st.integers(1, max_inputs))
    count = draw(st.integers(1, max_gates))
    gates = []
    for i in range(count):
        nodes = draw(st.lists(st.integers(0, n + i - 1), unique=True, max_size=min(n + i, 5)))
        gates.append(ThresholdGate(tuple((u, draw(st.integers(-3, 3))) for u in nodes), draw(st.integers(-3, 3))))
    q = outputs if outputs is not None else draw(st.integers(1, max_outputs))
    outs = tuple(draw(st.integers(n, n + count - 1)) for _ in range(q))
    return ThresholdCircuit(n, tuple(gates), outs)


def rows(n):
    return itertools.product((0, 1), repeat=n)


# ------------------------------------------------------------------ g -> g'
@SETTINGS
@given(c=circuits())
def test_single_output_on_all_inputs(c):
    r = single_output_selector(c)
    m, l = c.n, c.num_outputs
    g2 = r.result
    assert g2.n == m + l and g2.num_outputs == 1
    for x in rows(m):
        gx = c.evaluate(x)
        for s in rows(l):
            expected = int(any(gx[k] and s[k] for k in range(l)))
            assert g2.evaluate(x + s) == (expected,)
        for k in range(l):
            onehot = tuple(int(i == k) for i in range(l))
            assert g2.evaluate(x + onehot) == (gx[k],)


@SETTINGS
@given(c=circuits())
def test_single_output_size(c):
    r = single_output_selector(c, check=False)
    assert r.size == c.size + c.num_outputs + 1 == r.formula_size
    out_depth = max(c.layers()[o - c.n] for o in c.outputs)
    assert r.depth == max(c.depth, out_depth + 2)
    assert r.matches_formula


# ------------------------------------------------------------------ g' -> g
@SETTINGS
@given(c=circuits(max_inputs=5, outputs=1), data=st.data())
def test_hardwire_on_all_inputs(c, data):
    l = data.draw(st.integers(1, c.n))
    r = hardwire_selector(c, l)
    m = c.n - l
    h = r.result
    assert h.n == m and h.num_outputs == l
    assert r.size == l * c.size and r.depth == c.depth and r.matches_formula
    for x in rows(m):
        got = h.evaluate(x)
        for k in range(l):
            onehot = tuple(int(i == k) for i in range(l))
            assert got[k] == c.evaluate(x + onehot)[0]


@SETTINGS
@given(c=circuits())
def test_roundtrip_recovers_g(c):
    r = selector_roundtrip(c)
    l = c.num_outputs
    assert r.size == l * (c.size + l + 1)
    for x in rows(c.n):
        assert r.result.evaluate(x) == c.evaluate(x)


def test_hardwire_moves_weight_into_threshold():
    # C'(x0, s0, s1) = [x0 + 2 s0 - s1 >= 2]
    c = ThresholdCircuit(3, (ThresholdGate(((0, 1), (1, 2), (2, -1)), 2),), (3,))
    r = hardwire_selector(c, 2)
    g0, g1 = r.result.gates
    assert g0.weights == ((0, 1),) and g0.threshold == 0
    assert g1.weights == ((0, 1),) and g1.threshold == 3
    assert [r.result.evaluate((x,)) for x in (0, 1)] == [(1, 0), (1, 0)]


def test_broken_selector_would_be_caught():
    """The round trip is compared with g: a circuit for a different g' gives a different g."""
    g = ThresholdCircuit(2, (ThresholdGate(((0, 1), (1, 1)), 2), ThresholdGate(((0, 1), (1, 1)), 1)), (2, 3))
    wrong = single_output_selector(ThresholdCircuit(2, g.gates, (3, 2)), check=False).result
    back = hardwire_selector(wrong, 2).result
    assert back.truth_table() != g.truth_table()


# ------------------------------------------------------------------ invalid input
def test_invalid():
    c = ThresholdCircuit(3, (ThresholdGate(((0, 1),), 1), ThresholdGate(((1, 1),), 1)), (3, 4))
    with pytest.raises(ArityError):
        hardwire_selector(c, 1)  # two outputs
    single = ThresholdCircuit(2, (ThresholdGate(((0, 1),), 1),), (2,))
    with pytest.raises(ArityError):
        hardwire_selector(single, 3)
    with pytest.raises(SpecError):
        hardwire_selector(single, 0)
    with pytest.raises(SpecError):
        single_output_selector("not a circuit")
