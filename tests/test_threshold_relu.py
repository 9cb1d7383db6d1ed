"""Tests of the threshold ↔ ReLU conversions (reductions/threshold_relu.py).

Every property compares against plain-Python reference evaluations written here,
independent of the models' own evaluation code.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from circuits.errors import LbtError, ModelError, SpecError
from circuits.relu import Neuron, ReLUNetwork
from circuits.threshold import ThresholdCircuit, ThresholdGate
from reductions.report import Report
from reductions.threshold_relu import (
    neuron_bounds,
    relu_to_threshold,
    threshold_to_relu,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------ references
def ref_threshold(c: ThresholdCircuit, x) -> tuple[int, ...]:
    vals = list(x)
    for g in c.gates:
        vals.append(int(sum(w * vals[u] for u, w in g.weights) >= g.threshold))
    return tuple(vals[o] for o in c.outputs)


def ref_relu(net: ReLUNetwork, x) -> tuple[Fraction, ...]:
    vals = [Fraction(v) for v in x]
    for v in net.neurons:
        z = v.bias + sum((w * vals[u] for u, w in v.weights), Fraction(0))
        if v.activation == "relu":
            vals.append(max(z, Fraction(0)))
        elif v.activation == "linear":
            vals.append(z)
        else:
            vals.append(Fraction(int(z >= 0)))
    return tuple(vals[o] for o in net.outputs)


def rows(n):
    return [tuple((i >> j) & 1 for j in range(n)) for i in range(1 << n)]


# ------------------------------------------------------------------ strategies
@st.composite
def threshold_circuits(draw, max_inputs=5, max_gates=5, max_weight=3):
    weights = st.integers(-max_weight, max_weight)
    n = draw(st.integers(1, max_inputs))
    s = draw(st.integers(1, max_gates))
    gates = []
    for i in range(s):
        nodes = draw(st.lists(st.integers(0, n + i - 1), unique=True, max_size=min(n + i, 5)))
        gates.append(ThresholdGate(tuple((u, draw(weights)) for u in nodes), draw(st.integers(-4, 4))))
    outputs = draw(st.lists(st.integers(n, n + s - 1), min_size=1, max_size=3))
    return ThresholdCircuit(n, tuple(gates), tuple(outputs))


@st.composite
def boolean_relu_networks(draw, max_inputs=4, max_hidden=5):
    """Integer ReLU networks (any wiring, skip connections) whose outputs are 0/1 on the cube.

    Outputs are threshold neurons, or linear/ReLU neurons reading a pair
    ``σ(z)``, ``σ(z - 1)`` with weights 1, -1 (0/1 for integer z).
    """
    n = draw(st.integers(1, max_inputs))
    neurons: list[Neuron] = []
    w = st.integers(-3, 3)
    for i in range(draw(st.integers(0, max_hidden))):
        nodes = draw(st.lists(st.integers(0, n + i - 1), unique=True, max_size=4))
        neurons.append(Neuron(tuple((u, draw(w)) for u in nodes), draw(w)))
    outputs = []
    for _ in range(draw(st.integers(1, 2))):
        m = n + len(neurons)
        readable = list(range(n)) + [n + i for i, v in enumerate(neurons) if v.activation == "relu"]
        nodes = draw(st.lists(st.sampled_from(readable), unique=True, max_size=4))
        terms = tuple((u, draw(w)) for u in nodes)
        bias = draw(w)
        kind = draw(st.sampled_from(["threshold", "linear", "relu"]))
        if kind == "threshold":
            neurons.append(Neuron(terms, bias, "threshold"))
        else:
            neurons.append(Neuron(terms, bias))
            neurons.append(Neuron(terms, bias - 1))
            neurons.append(Neuron(((m, 1), (m + 1, -1)), 0, kind))
        outputs.append(n + len(neurons) - 1)
    # a relu output may also be read by a later neuron: add one reader sometimes
    if draw(st.booleans()) and neurons[outputs[0] - n].activation == "relu":
        m = n + len(neurons)
        neurons.append(Neuron(((outputs[0], 2),), -1, "threshold"))
        outputs.append(m)
    return ReLUNetwork(n, tuple(neurons), tuple(outputs))


# ------------------------------------------------------------------ threshold -> ReLU
@SETTINGS
@given(threshold_circuits(), st.data())
def test_threshold_to_relu_exact_on_cube_and_formula(c, data):
    r = threshold_to_relu(c, samples=8)
    assert isinstance(r, Report)
    net = r.result
    assert isinstance(net, ReLUNetwork)
    for x in rows(c.n):
        assert ref_relu(net, x) == tuple(Fraction(b) for b in ref_threshold(c, x))
    s, m, q = c.size, c.depth, c.num_outputs
    assert net.size == r.size == 2 * s + q == r.formula_size
    layers = c.layers()
    m_out = max(layers[o - c.n] for o in c.outputs)
    assert net.depth == r.depth == max(m, m_out + 1)
    assert r.formula_depth == m + 1
    assert r.formula_kind == ("exact" if m_out == m else "upper")
    assert r.matches_formula
    assert sum(v.activation == "relu" for v in net.neurons) == 2 * s
    assert all(net.neurons[o - net.n].activation == "linear" for o in net.outputs)
    # real inputs, in [0, 1]^n and slightly outside: every output in [0, 1]
    xs = data.draw(
        st.lists(st.builds(Fraction, st.integers(-20, 120), st.integers(1, 100)), min_size=c.n, max_size=c.n)
    )
    assert all(0 <= y <= 1 for y in ref_relu(net, xs))


def test_threshold_to_relu_layered_circuit_reaches_m_plus_1():
    # x0 AND x1, then OR with x2: depth 2, one output
    c = ThresholdCircuit(3, (ThresholdGate(((0, 1), (1, 1)), 2), ThresholdGate(((2, 1), (3, 1)), 1)), (4,))
    r = threshold_to_relu(c)
    assert (r.size, r.depth, r.formula_kind) == (5, 3, "exact")
    assert r.result.truth_table() == c.truth_table()
    # the output neuron reads [z]+ - [z-1]+ of the last gate
    out = r.result.neurons[-1]
    assert out.activation == "linear" and [w for _, w in out.weights] == [1, -1]
    assert "[0, 1]" in r.checked and "2^3" in r.checked


def test_threshold_to_relu_unused_deep_gate_is_documented_upper():
    c = ThresholdCircuit(2, (ThresholdGate(((0, 1),), 1), ThresholdGate(((2, 1),), 1)), (2,))
    r = threshold_to_relu(c)
    assert r.formula_depth == 3 and r.depth == 2 and r.formula_kind == "upper" and r.matches_formula
    assert r.size == 2 * 2 + 1


def test_lemma22_identity_on_integers_and_reals():
    # [z]+ - [z-1]+ = 1[z > 0] on integers and lies in [0, 1] on reals
    c = ThresholdCircuit.single_gate(1, [5], 3)  # z = 5 x - 2
    net = threshold_to_relu(c).result
    assert ref_relu(net, [0]) == (0,) and ref_relu(net, [1]) == (1,)
    assert ref_relu(net, [Fraction(1, 2)]) == (Fraction(1, 2),)
    assert ref_relu(net, [Fraction(-7)]) == (0,) and ref_relu(net, [Fraction(9)]) == (1,)


def test_threshold_to_relu_rejects_other_models():
    with pytest.raises(ModelError):
        threshold_to_relu("not a circuit")  # type: ignore[arg-type]
    with pytest.raises(SpecError):
        threshold_to_relu(ThresholdCircuit.single_gate(1, [1], 1), samples=-1)


# ------------------------------------------------------------------ ReLU -> threshold
@SETTINGS
@given(boolean_relu_networks())
def test_relu_to_threshold_both_encodings(net):
    expected = [tuple(int(v) for v in ref_relu(net, x)) for x in rows(net.n)]
    sizes = {}
    for enc in ("unary", "binary"):
        r = relu_to_threshold(net, enc)
        c = r.result
        assert isinstance(c, ThresholdCircuit)
        assert [ref_threshold(c, x) for x in rows(net.n)] == expected
        assert r.size == c.size == r.formula_size
        assert r.depth == c.depth == r.formula_depth
        assert r.formula_kind == "exact" and r.matches_formula
        assert (r.source_size, r.source_depth) == (net.size, net.depth)
        sizes[enc] = r.size
        assert r.extra[f"{enc}_size"] == r.size
        if enc == "unary":
            assert r.depth <= net.depth
    assert sizes["binary"] <= sizes["unary"]


@SETTINGS
@given(boolean_relu_networks())
def test_interval_bounds_contain_every_cube_value(net):
    bounds = neuron_bounds(net)
    vals_by_row = []
    for x in rows(net.n):
        vals = [Fraction(v) for v in x]
        for v in net.neurons:
            vals.append(v.bias + sum((w * vals[u] for u, w in v.weights), Fraction(0)))
            if v.activation == "relu":
                vals[-1] = max(vals[-1], Fraction(0))
        vals_by_row.append(vals)
    for i, v in enumerate(net.neurons):
        lo, hi = bounds[i]
        for vals in vals_by_row:
            z = v.bias + sum((w * vals[u] for u, w in v.weights), Fraction(0))
            assert lo <= z <= hi


def test_relu_to_threshold_unary_and_binary_shapes():
    # v = relu(x0 + x1 + x2) in [0, 3]; output [v >= 2]
    net = ReLUNetwork(3, (Neuron(((0, 1), (1, 1), (2, 1)), 0), Neuron(((3, 1),), -2, "threshold")), (4,))
    u = relu_to_threshold(net, "unary")
    b = relu_to_threshold(net, "binary")
    assert (u.size, u.depth) == (3 + 1, 2)
    assert (b.size, b.depth) == (2 + 1, 3)  # bits b1, b0 (chain), then the output gate
    # binary bit gate 0 reads bit 1 with weight -2
    bit0 = b.result.gates[1]
    assert dict(bit0.weights)[3] == -2
    assert u.result.truth_table().hex() == b.result.truth_table().hex() == "e8"


def test_threshold_relu_round_trip_is_identity_on_functions():
    c = ThresholdCircuit(3, (ThresholdGate(((0, 2), (1, -1)), 1), ThresholdGate(((2, 1), (3, -3)), 0)), (3, 4))
    net = threshold_to_relu(c).result
    for enc in ("unary", "binary"):
        assert relu_to_threshold(net, enc).result.truth_table() == c.truth_table()


def test_relu_to_threshold_rejects_non_integer_weights():
    net = ReLUNetwork(2, (Neuron(((0, Fraction(1, 2)), (1, 1)), 0), Neuron(((2, 1),), -1, "threshold")), (3,))
    with pytest.raises(ModelError) as info:
        relu_to_threshold(net)
    msg = str(info.value)
    assert "\n" not in msg and "integer" in msg and "1/2" in msg
    bias = ReLUNetwork(1, (Neuron(((0, 1),), Fraction(1, 3), "threshold"),), (1,))
    with pytest.raises(ModelError, match="bias 1/3"):
        relu_to_threshold(bias, "binary")


def test_relu_to_threshold_rejects_non_boolean_outputs_and_bad_encoding():
    net = ReLUNetwork(1, (Neuron(((0, 2),), 0, "linear"),), (1,))  # 2 x0 is 2 on x0 = 1
    with pytest.raises(ModelError) as info:
        relu_to_threshold(net)
    assert "\n" not in str(info.value)
    ok = ReLUNetwork(1, (Neuron(((0, 1),), 0, "linear"),), (1,))
    with pytest.raises(SpecError):
        relu_to_threshold(ok, "ternary")
    with pytest.raises(LbtError):
        relu_to_threshold(ThresholdCircuit.single_gate(1, [1], 1))  # type: ignore[arg-type]


@SETTINGS
@given(boolean_relu_networks())
def test_relu_to_threshold_size_is_the_stated_sum(net):
    """Σ_v B_v + q (unary) and Σ_v ⌈log2(B_v + 1)⌉ + q (binary) over the encoded neurons.

    Encoded: every ReLU neuron except an output neuron that no other neuron reads;
    ``B_v`` its interval bound (soundness of the bounds is tested above).
    """
    bounds = neuron_bounds(net)
    read = {u for v in net.neurons for u, _ in v.weights}
    outs = set(net.outputs)
    B = [
        max(0, int(hi))
        for i, (v, (_, hi)) in enumerate(zip(net.neurons, bounds))
        if v.activation == "relu" and (net.n + i not in outs or net.n + i in read)
    ]
    assert relu_to_threshold(net, "unary").size == sum(B) + len(outs)
    assert relu_to_threshold(net, "binary").size == sum(b.bit_length() for b in B) + len(outs)
