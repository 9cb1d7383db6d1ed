"""Tests of the barrier assembly of Theorems 1/9 of paper 002 (reductions/barrier.py)."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from circuits.errors import ArityError, SpecError
from circuits.threshold import ThresholdCircuit, ThresholdGate
from circuits.truthtable import TruthTable
from reductions.barrier import barrier_demo, barrier_network, demo_table, staircase_circuit
from reductions.bits import evaluate_points

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------ references written here
def cell_value(circuit: ThresholdCircuit, cell, c) -> Fraction:
    """real(f_hat(bin(cell))): input i*c + k is bit k of cell[i]; output k has weight 2^(k-q)."""
    bits = tuple((a >> k) & 1 for a in cell for k in range(c))
    out = circuit.evaluate(bits)
    return sum((Fraction(b * 2**k, 2 ** len(out)) for k, b in enumerate(out)), Fraction(0))


def sample_points(c, d, delta, cells):
    offs = [Fraction(0), (1 - delta) / 3, 1 - delta]
    for cell in cells:
        for off in itertools.product(offs, repeat=d):
            yield cell, [(a + o) / 2**c for a, o in zip(cell, off)]


@st.composite
def circuits_for(draw, n, max_gates=4, max_outputs=3):
    count = draw(st.integers(1, max_gates))
    gates = []
    for i in range(count):
        nodes = draw(st.lists(st.integers(0, n + i - 1), unique=True, min_size=1, max_size=min(n + i, 5)))
        gates.append(
            ThresholdGate(tuple((u, draw(st.integers(-3, 3).filter(bool))) for u in nodes), draw(st.integers(-3, 3)))
        )
    q = draw(st.integers(1, max_outputs))
    return ThresholdCircuit(n, tuple(gates), tuple(draw(st.integers(n, n + count - 1)) for _ in range(q)))


# ------------------------------------------------------------------ staircase circuits
@SETTINGS
@given(data=st.data())
def test_staircase_computes_any_table(data):
    n = data.draw(st.integers(1, 6))
    m = data.draw(st.integers(1, 3))
    table = TruthTable(n, tuple(data.draw(st.integers(0, 2 ** (2**n) - 1)) for _ in range(m)))
    circuit = staircase_circuit(table)
    assert circuit.truth_table() == table
    assert circuit.depth <= 2
    changes = {t for k in range(m) for t in range(1, 2**n) if table.evaluate(t)[k] != table.evaluate(t - 1)[k]}
    assert circuit.size == len(changes) + m


# ------------------------------------------------------------------ the assembly on random circuits
@SETTINGS
@given(data=st.data())
def test_assembly_random_circuits(data):
    c = data.draw(st.integers(1, 3))
    d = data.draw(st.integers(1, 2))
    route = data.draw(st.sampled_from(["ramps", "sawtooth"]))
    delta = data.draw(st.sampled_from([Fraction(1, 4), Fraction(1, 2), Fraction(1, 7)]))
    circuit = data.draw(circuits_for(c * d))
    r = barrier_network(circuit, d, c, route=route, delta=delta, check=False)
    net = r.result
    s, m = circuit.size, circuit.depth
    hidden = 2 * d * (2**c - 1) if route == "ramps" else d * (c * c + 3 * c)
    assert net.size == hidden + 2 * s + 1 == r.formula_size
    if route == "ramps":
        out_depth = max(circuit.layers()[o - circuit.n] for o in circuit.outputs)
        assert net.depth == max(m + 1, out_depth + 2)
    else:
        assert net.depth <= c + m + 2
    cells = list(itertools.product(range(2**c), repeat=d))
    pts = list(sample_points(c, d, delta, cells))
    got = evaluate_points(net, [p for _, p in pts])
    for (cell, p), (v,) in zip(pts, got):
        assert v == cell_value(circuit, cell, c), (cell, p)
    # Lemma 22's range bound holds everywhere, also inside the margins
    q = circuit.num_outputs
    margin = [[(a + 1 - delta / 2) / 2**c for a in cell] for cell in cells]
    for (v,) in evaluate_points(net, margin):
        assert 0 <= v <= 1 - Fraction(1, 2**q)


def test_assembly_self_check():
    circuit = staircase_circuit(demo_table("average", 2, 2))
    r = barrier_network(circuit, 2, 2)
    assert r.matches_formula and r.formula_kind == "exact"
    assert r.extra["checked_points"] == 16 * 9 and "exact" in r.checked


# ------------------------------------------------------------------ the demo of Theorem 1
def f_hat_ref(function, cell, c):
    if function == "product":
        return math.prod(cell) // 2 ** (c * (len(cell) - 1))
    return sum(cell) // len(cell)


@pytest.mark.parametrize("function", ["product", "average"])
def test_demo_tables(function):
    c, d = 3, 2
    table = demo_table(function, d, c)
    for cell in itertools.product(range(2**c), repeat=d):
        row = sum(a << (i * c) for i, a in enumerate(cell))
        assert table.evaluate(row) == tuple((f_hat_ref(function, cell, c) >> k) & 1 for k in range(c))


@pytest.mark.parametrize("function", ["product", "average"])
@pytest.mark.parametrize("route", ["ramps", "sawtooth"])
def test_demo_network(function, route):
    c, d, delta = 3, 2, Fraction(1, 4)
    r = barrier_demo(function, d, c, route=route, delta=delta)
    net = r.result
    s = r.source_size
    if route == "ramps":
        assert (net.size, net.depth) == (2 * d * 7 + 2 * s + 1, 4)  # depth k = 4 for a TC0_2 circuit
        assert not net.has_skip_connections()
    else:
        assert net.size == d * (9 + 9) + 2 * s + 1 and net.depth == c + 2 + 2
    cells = list(itertools.product(range(2**c), repeat=d))
    pts = list(sample_points(c, d, delta, cells))
    got = evaluate_points(net, [p for _, p in pts])
    for (cell, p), (v,) in zip(pts, got):
        assert v == Fraction(f_hat_ref(function, cell, c), 2**c)
        f = math.prod(p) if function == "product" else sum(p) / d
        assert abs(v - f) < Fraction(3, 2**c)  # |f~ - f(trunc)| < 2^-c plus L |x - trunc x| < 2 * 2^-c
    # a few points with the independent Fraction evaluator of the model
    for cell, p in pts[::50]:
        assert net.evaluate(p)[0] == Fraction(f_hat_ref(function, cell, c), 2**c)


def test_demo_paper_sawtooth_fails_at_grid_points():
    r = barrier_demo("average", 2, 2, route="sawtooth", variant="paper")
    net = r.result
    wrong = sum(
        net.evaluate([Fraction(a, 4), Fraction(b, 4)])[0] != Fraction((a + b) // 2, 4)
        for a in range(1, 4)
        for b in range(1, 4)
    )
    assert wrong > 0


def test_margin_matters():
    """Inside the margin the assembled network is not the cell value everywhere, so the checks can fail."""
    r = barrier_demo("product", 2, 2)
    assert r.extra["margin_points_wrong"] > 0


# ------------------------------------------------------------------ invalid parameters
def test_invalid():
    circuit = staircase_circuit(demo_table("average", 2, 2))
    with pytest.raises(ArityError):
        barrier_network(circuit, 2, 3)
    with pytest.raises(ArityError):
        barrier_network(circuit, 1, 4 + 1)
    with pytest.raises(SpecError):
        barrier_network(circuit, 0, 2)
    with pytest.raises(SpecError):
        barrier_network(circuit, 2, 0)
    with pytest.raises(SpecError):
        barrier_network(circuit, 2, 2, route="bumps")
    with pytest.raises(SpecError):
        barrier_network(circuit, 2, 2, delta=Fraction(3, 2))
    with pytest.raises(SpecError):
        barrier_demo("sine")
    with pytest.raises(ArityError):
        barrier_demo("product", 4, 4)
