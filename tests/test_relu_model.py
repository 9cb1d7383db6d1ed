"""Tests of the ReLU-network model (circuits/relu.py)."""

from __future__ import annotations

import json
import re
from fractions import Fraction

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from circuits.errors import ArityError, FormatError, ModelError, SpecError, TooLargeError
from circuits.model import CircuitModel
from circuits.relu import Neuron, ReLUNetwork, evaluate_points, fraction_from_json, fraction_to_json
from circuits.truthtable import TruthTable

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------ reference
def reference_values(n, neurons, outputs, x):
    """Plain-Python Fraction evaluation at point ``x``, independent of the module under test.

    ``neurons`` is a list of ``(pairs, bias, activation)``.
    """
    values = [Fraction(c) for c in x]
    for pairs, bias, act in neurons:
        z = Fraction(bias)
        for u, w in pairs:
            z += Fraction(w) * values[u]
        if act == "relu":
            values.append(z if z > 0 else Fraction(0))
        elif act == "linear":
            values.append(z)
        else:
            values.append(Fraction(1) if z >= 0 else Fraction(0))
    return tuple(values[o] for o in outputs)


def reference_cube(n, neurons, outputs):
    return [reference_values(n, neurons, outputs, [(row >> j) & 1 for j in range(n)]) for row in range(1 << n)]


def build(n, neurons, outputs) -> ReLUNetwork:
    return ReLUNetwork(n, tuple(Neuron(tuple(p), b, a) for p, b, a in neurons), tuple(outputs))


# ------------------------------------------------------------------ strategies
small_fraction = st.builds(Fraction, st.integers(-4, 4), st.integers(1, 4))
huge_fraction = st.one_of(
    st.builds(Fraction, st.integers(-(2**75), 2**75), st.integers(1, 2**20)),
    st.builds(Fraction, st.integers(-(2**64), 2**64)),
    st.sampled_from([Fraction(2**62), Fraction(-(2**62)), Fraction(2**63 - 1), Fraction(1, 2**63)]),
    small_fraction,
)


@st.composite
def raw_networks(
    draw, number=small_fraction, max_inputs=4, max_hidden=5, final_acts=st.sampled_from(["linear", "relu", "threshold"])
):
    """Random networks: relu hidden neurons (any wiring), then 1..2 output neurons of any activation."""
    n = draw(st.integers(0, max_inputs))
    hidden = draw(st.integers(0, max_hidden))
    neurons = []
    for i in range(hidden):
        nodes = draw(st.lists(st.integers(0, n + i - 1), unique=True, max_size=n + i)) if n + i else []
        neurons.append(([(u, draw(number)) for u in nodes], draw(number), "relu"))
    final = draw(st.integers(1, 2))
    readable = n + hidden  # outputs read only inputs and hidden (relu) neurons
    for _ in range(final):
        nodes = draw(st.lists(st.integers(0, readable - 1), unique=True, max_size=readable)) if readable else []
        act = draw(final_acts)
        neurons.append(([(u, draw(number)) for u in nodes], draw(number), act))
    outputs = list(range(n + hidden, n + hidden + final))
    if hidden:
        outputs += draw(st.lists(st.integers(n, n + hidden - 1), max_size=2))
    outputs = draw(st.permutations(outputs))
    return n, neurons, outputs


def boolean_networks():
    """Random networks whose outputs are threshold neurons, hence 0/1 on the cube."""

    def keep_threshold_outputs(raw):
        n, neurons, outputs = raw
        return n, neurons, [o for o in outputs if neurons[o - n][2] == "threshold"]

    return raw_networks(number=st.integers(-3, 3), final_acts=st.just("threshold")).map(keep_threshold_outputs)


# ------------------------------------------------------------------ exact evaluation
@SETTINGS
@given(raw_networks())
def test_values_on_cube_match_reference(raw):
    net = build(*raw)
    got = net.values_on_cube()
    assert got == reference_cube(*raw)
    assert all(type(v) is Fraction for row in got for v in row)


@SETTINGS
@given(raw_networks(number=huge_fraction, max_inputs=3, max_hidden=4))
def test_values_on_cube_match_reference_huge(raw):
    assert build(*raw).values_on_cube() == reference_cube(*raw)


@SETTINGS
@given(raw_networks(), st.data())
def test_evaluate_matches_reference_at_rational_points(raw, data):
    n = raw[0]
    x = data.draw(st.lists(st.one_of(small_fraction, st.integers(-3, 3)), min_size=n, max_size=n))
    assert build(*raw).evaluate(x) == reference_values(*raw, x)


def cube_points(n):
    return [[(row >> j) & 1 for j in range(n)] for row in range(1 << n)]


def check_batch_evaluation(raw, points):
    """evaluate_points, evaluate and values_on_cube against the reference, at ``points`` and on the cube."""
    n = raw[0]
    net = build(*raw)
    cube = cube_points(n)
    got = evaluate_points(net, points + cube)
    assert got == [reference_values(*raw, p) for p in points + cube]
    assert all(type(v) is Fraction for row in got for v in row)
    assert got[len(points) :] == net.values_on_cube()
    assert [net.evaluate(p) for p in points] == got[: len(points)]


rational_coordinate = st.one_of(small_fraction, st.integers(-3, 3), st.fractions(-2, 2, max_denominator=60))
huge_coordinate = st.one_of(huge_fraction, st.integers(-(2**70), 2**70))


@SETTINGS
@given(raw_networks(), st.data())
def test_evaluate_points_matches_reference(raw, data):
    n = raw[0]
    points = data.draw(st.lists(st.lists(rational_coordinate, min_size=n, max_size=n), max_size=8))
    check_batch_evaluation(raw, points)


@SETTINGS
@given(raw_networks(number=huge_fraction, max_inputs=3, max_hidden=4), st.data())
def test_evaluate_points_matches_reference_huge(raw, data):
    # Weights, biases and coordinates past 2**62: the columns switch between int64 and Python ints.
    n = raw[0]
    points = data.draw(st.lists(st.lists(huge_coordinate, min_size=n, max_size=n), max_size=6))
    check_batch_evaluation(raw, points)


def test_evaluate_points_edge_cases():
    net = build(2, [([(0, 1), (1, -1)], 0, "relu"), ([(2, 3)], Fraction(1, 2), "linear")], [3, 2])
    assert evaluate_points(net, []) == []
    assert evaluate_points(net, [[Fraction(1, 3), 0]]) == [(Fraction(3, 2), Fraction(1, 3))]
    # the same value at every point, and zero columns (a node that is 0 on every point)
    assert evaluate_points(net, [[0, 1], [0, 5]]) == [(Fraction(1, 2), Fraction(0))] * 2
    with pytest.raises(ArityError):
        evaluate_points(net, [[0, 1], [0]])
    with pytest.raises(SpecError, match="coordinate x1"):
        evaluate_points(net, [[0, 0.5]])
    with pytest.raises(SpecError, match="coordinate x0"):
        evaluate_points(net, [[True, 0]])  # unlike evaluate, the batch evaluator takes no bools
    assert net.evaluate([True, False]) == (Fraction(7, 2), Fraction(1))
    constant = build(0, [([], Fraction(-5, 3), "linear"), ([], 2, "threshold")], [1, 0, 1])
    assert evaluate_points(constant, [[], []]) == [(1, Fraction(-5, 3), 1)] * 2


def test_deep_chain_with_growing_denominators():
    # y = relu(... relu(relu(x0 + 1)/3 + 1/7) ...) through 40 layers: denominators pass 2^62.
    n, neurons = 2, []
    prev = 0
    for i in range(40):
        neurons.append(([(prev, Fraction(1, 3)), (1, Fraction(2, 5))], Fraction(1, 7), "relu"))
        prev = n + i
    neurons.append(([(prev, Fraction(3**40, 1))], Fraction(-1, 2**70), "linear"))
    outputs = [n + 40]
    net = build(n, neurons, outputs)
    assert net.depth == 41 and net.hidden_layers == 40 and net.size == 41
    assert net.has_skip_connections()  # every layer also reads x1
    assert net.values_on_cube() == reference_cube(n, neurons, outputs)


def test_huge_integer_weights_exact():
    # relu(2^62 x0 + 2^62 x1 - 2^63 + 1) wraps in int64; exact value is 1 only on row 3
    net = build(2, [([(0, 2**62), (1, 2**62)], -(2**63) + 1, "relu")], [2])
    assert net.values_on_cube() == [(0,), (0,), (0,), (1,)]
    assert net.truth_table().hex() == "8"
    net2 = build(2, [([(0, 2**71), (1, -(2**71))], 0, "relu"), ([(2, Fraction(1, 2**71))], 0, "linear")], [3])
    assert net2.values_on_cube() == [(0,), (1,), (0,), (0,)]


# ------------------------------------------------------------------ truth tables
@SETTINGS
@given(raw_networks(number=st.integers(-2, 2), max_inputs=3))
def test_truth_table_or_first_offending_row(raw):
    net = build(*raw)
    cube = reference_cube(*raw)
    bad = [(row, k, v) for row, vals in enumerate(cube) for k, v in enumerate(vals) if v not in (0, 1)]
    if not bad:
        table = net.truth_table()
        expected = TruthTable.from_function(raw[0], lambda x: reference_values(*raw, x))
        assert table == expected
        assert net.computes(expected)
    else:
        row, k, v = bad[0]
        with pytest.raises(ModelError) as err:
            net.truth_table()
        msg = str(err.value)
        assert f"output {k} is {v}" in msg
        if raw[0]:
            assert f"row {row} " in msg
        anything = TruthTable(raw[0], (0,) * net.num_outputs)
        assert net.computes(anything) is False


@SETTINGS
@given(boolean_networks())
def test_threshold_outputs_give_truth_tables(raw):
    net = build(*raw)
    expected = TruthTable.from_function(raw[0], lambda x: reference_values(*raw, x))
    assert net.truth_table() == expected


def test_threshold_activation_is_z_at_least_zero():
    # z = 0 counts as 1; z = x0 - 1 >= 0 is x0; z = x0 - 1/2 > ... shifted bias gives the strict form
    assert build(1, [([], 0, "threshold")], [1]).truth_table().hex() == "3"
    assert build(1, [([(0, 1)], -1, "threshold")], [1]).truth_table().hex() == "2"
    assert build(2, [([(0, 1), (1, 1)], -2, "threshold")], [2]).truth_table().hex() == "8"
    assert build(2, [([(0, 1), (1, 1)], Fraction(-1, 2), "threshold")], [2]).truth_table().hex() == "e"


def test_xor_network():
    net = build(
        2, [([(0, 1), (1, 1)], 0, "relu"), ([(0, 1), (1, 1)], -1, "relu"), ([(2, 1), (3, -2)], 0, "linear")], [4]
    )
    assert net.truth_table().hex() == "6"
    assert net.computes(TruthTable.from_function(2, lambda x: x[0] ^ x[1]))
    assert (net.size, net.depth, net.hidden_layers, net.widths()) == (3, 2, 1, (2, 1))
    assert not net.has_skip_connections() and net.is_layered()
    assert net.is_integer()
    assert net.num_parameters() == 6 + 3
    assert net.output_activations == ("linear",)
    assert isinstance(net, CircuitModel)
    # Off the cube the network is exact piecewise linear.
    assert net.evaluate([Fraction(1, 2), Fraction(1, 3)]) == (Fraction(5, 6),)
    assert net.evaluate([Fraction(3, 4), Fraction(3, 4)]) == (Fraction(3, 2) - 2 * Fraction(1, 2),)


def disj(d):
    """Brute-force DISJ_d: inputs x0..x_{d-1} then y0..y_{d-1}; 1 iff no j has x_j = y_j = 1."""
    return TruthTable.from_function(2 * d, lambda v: not any(v[j] and v[d + j] for j in range(d)))


def disj_network(d, out_act):
    """Paper 002's construction: h_j = relu(x_j + y_j - 1), output act(1 - sum_j h_j)."""
    n = 2 * d
    hidden = [([(j, 1), (d + j, 1)], -1, "relu") for j in range(d)]
    out = ([(n + j, -1) for j in range(d)], 1, out_act)
    return n, hidden + [out], [n + d]


@pytest.mark.parametrize("d", [1, 2, 3, 4])
def test_disjointness_network(d):
    raw = disj_network(d, "relu")
    net = build(*raw)
    assert net.computes(disj(d))
    assert net.truth_table() == disj(d)
    assert (net.size, net.depth, net.widths()) == (d + 1, 2, (d, 1))
    assert not net.computes(~disj(d))
    assert net.values_on_cube() == reference_cube(*raw)


@pytest.mark.parametrize("d", [2, 3, 4])
def test_disjointness_needs_the_output_relu(d):
    # With a linear output, 1 - sum_j h_j = -1 as soon as two pairs intersect.
    net = build(*disj_network(d, "linear"))
    assert not net.computes(disj(d))
    first = (1 << 0) | (1 << 1) | (1 << d) | (1 << (d + 1))  # x0 = x1 = y0 = y1 = 1
    with pytest.raises(ModelError, match=f"output 0 is -1 on row {first} "):
        net.truth_table()


def test_disjointness_linear_output_d1():
    assert build(*disj_network(1, "linear")).truth_table() == disj(1)


# ------------------------------------------------------------------ accounting
def test_layers_widths_and_skips():
    # layer 1: a = relu(x0 + x1), b = relu(x2); layer 2: c = relu(a - b); layer 3: out = linear(c + x0)
    neurons = [
        ([(0, 1), (1, 1)], 0, "relu"),
        ([(2, 1)], 0, "relu"),
        ([(3, 1), (4, -1)], 0, "relu"),
        ([(5, 1), (0, 1)], 0, "linear"),
    ]
    net = build(3, neurons, [6])
    assert net.layers() == (1, 1, 2, 3)
    assert (net.depth, net.hidden_layers, net.widths(), net.size) == (3, 2, (2, 1, 1), 4)
    assert net.has_skip_connections() and not net.is_layered()
    # the smallest skip: a layer-2 neuron reading an input
    short_skip = build(2, [([(0, 1)], 0, "relu"), ([(2, 1), (1, 1)], 0, "linear")], [3])
    assert short_skip.layers() == (1, 2) and short_skip.has_skip_connections()
    layered = build(3, neurons[:3] + [([(5, 1)], Fraction(1, 2), "linear")], [6])
    assert not layered.has_skip_connections()
    assert not layered.is_integer()
    assert layered.num_parameters() == 6 + 4
    assert layered.values_on_cube() == reference_cube(3, neurons[:3] + [([(5, 1)], Fraction(1, 2), "linear")], [6])


def test_constant_network_and_multi_output():
    net = build(0, [([], 3, "relu"), ([(0, Fraction(1, 3))], 0, "linear")], [1, 0])
    assert net.values_on_cube() == [(Fraction(1), Fraction(3))]
    assert net.layers() == (1, 2)
    with pytest.raises(ModelError, match="output 1 is 3"):
        net.truth_table()


def test_first_offending_row_is_smallest_row_over_all_outputs():
    # output 0 = 2*x0*x1 (bad only on row 3), output 1 = 2*x0 (bad on rows 1 and 3)
    net = build(2, [([(0, 2), (1, 2)], -2, "relu"), ([(0, 2)], 0, "linear")], [2, 3])
    with pytest.raises(ModelError, match="output 1 is 2 on row 1 "):
        net.truth_table()
    net_swapped = build(2, [([(0, 2), (1, 2)], -2, "relu"), ([(0, 2)], 0, "linear")], [3, 2])
    with pytest.raises(ModelError, match="output 0 is 2 on row 1 "):
        net_swapped.truth_table()


def test_int_normalisation_and_zero_weights():
    v = Neuron(((2, 3), (0, Fraction(1, 2)), (1, 0)), 4)
    assert v.weights == ((0, Fraction(1, 2)), (2, Fraction(3)))
    assert all(type(w) is Fraction for _, w in v.weights) and type(v.bias) is Fraction
    assert v.activation == "relu"
    assert v == Neuron([[0, Fraction(2, 4)], [2, 3]], Fraction(8, 2), "relu")


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    "weights, bias, activation",
    [
        (((0, 0.5),), 0, "relu"),
        (((0, 1),), 0.0, "relu"),
        (((0, True),), 0, "relu"),
        (((0, 1),), False, "relu"),
        (((0, "1/2"),), 0, "relu"),
        (((0, 1), (0, 2)), 0, "relu"),
        (((-1, 1),), 0, "relu"),
        (((0, 1),), 0, "sigmoid"),
        (((0, 1),), 0, "ReLU"),
    ],
)
def test_neuron_rejects(weights, bias, activation):
    with pytest.raises(ModelError):
        Neuron(weights, bias, activation)


def test_network_rejects():
    relu = Neuron(((0, 1),), 0)
    with pytest.raises(ModelError, match="reads node 2"):
        ReLUNetwork(2, (Neuron(((2, 1),), 0),), (2,))
    with pytest.raises(ModelError, match="reads node 3"):
        ReLUNetwork(2, (Neuron(((3, 1),), 0), relu), (3,))
    with pytest.raises(ModelError, match="not a neuron node"):
        ReLUNetwork(2, (relu,), (0,))
    with pytest.raises(ModelError, match="not a neuron node"):
        ReLUNetwork(2, (relu,), (3,))
    with pytest.raises(ModelError, match="at least one output"):
        ReLUNetwork(2, (relu,), ())
    with pytest.raises(ModelError, match="hidden"):
        ReLUNetwork(1, (Neuron(((0, 1),), 0, "linear"), Neuron(((0, 1),), 0)), (2,))
    with pytest.raises(ModelError, match="hidden"):
        ReLUNetwork(1, (Neuron(((0, 1),), 0, "threshold"), Neuron(((0, 1),), 0)), (2,))
    with pytest.raises(ModelError, match="only relu neurons may feed"):
        ReLUNetwork(1, (Neuron(((0, 1),), 0, "linear"), Neuron(((1, 1),), 0)), (1, 2))
    with pytest.raises(ModelError):
        ReLUNetwork(-1, (relu,), (0,))
    with pytest.raises(ModelError):
        ReLUNetwork(1, ((((0, 1),), 0, "relu"),), (1,))
    # A relu output may also feed a later neuron.
    net = ReLUNetwork(1, (Neuron(((0, 1),), 0), Neuron(((1, 2),), 0, "linear")), (1, 2))
    assert net.values_on_cube() == [(0, 0), (1, 2)]


def test_evaluate_and_computes_errors():
    net = build(2, [([(0, 1), (1, 1)], 0, "relu")], [2])
    with pytest.raises(SpecError):
        net.evaluate([0.5, 1])
    with pytest.raises(ArityError):
        net.evaluate([1])
    with pytest.raises(ArityError):
        net.computes(TruthTable.single(3, 0))
    with pytest.raises(TooLargeError):
        build(21, [([(0, 1)], 0, "relu")], [21]).values_on_cube()


# ------------------------------------------------------------------ JSON
@SETTINGS
@given(raw_networks(number=huge_fraction, max_inputs=3, max_hidden=4))
def test_json_round_trip(raw):
    net = build(*raw)
    text = json.dumps(net.to_dict())
    data = json.loads(text)
    assert data == net.to_dict()
    assert ReLUNetwork.from_dict(data) == net
    for nd in data["neurons"]:
        for value in [w for _, w in nd["weights"]] + [nd["bias"]]:
            assert (type(value) is int) or (isinstance(value, str) and re.fullmatch(r"-?\d+/\d+", value))


def test_fraction_json_encoding():
    assert fraction_to_json(Fraction(6, 3)) == 2
    assert fraction_to_json(Fraction(-3, 6)) == "-1/2"
    assert fraction_from_json("-1/2", "w") == Fraction(-1, 2)
    assert fraction_from_json("4/6", "w") == Fraction(2, 3)
    assert fraction_from_json(2**90, "w") == 2**90
    for bad in ("1.5", 1.5, 1.0, True, "1e3", " 1/2", "1/0", "1/-2", "+1", "", None, [1, 2], "½"):
        with pytest.raises(FormatError, match="field w"):
            fraction_from_json(bad, "w")


def test_to_dict_fields():
    net = build(2, [([(0, Fraction(1, 2)), (1, 1)], Fraction(-3, 4), "relu"), ([(2, 2)], 0, "linear")], [3])
    assert net.to_dict() == {
        "n": 2,
        "neurons": [
            {"weights": [[0, "1/2"], [1, 1]], "bias": "-3/4", "activation": "relu"},
            {"weights": [[2, 2]], "bias": 0, "activation": "linear"},
        ],
        "outputs": [3],
    }
    assert ReLUNetwork.from_dict({**net.to_dict(), "model": "relu"}) == net


def _good() -> dict:
    return {
        "n": 2,
        "neurons": [
            {"weights": [[0, 1], [1, 1]], "bias": 0, "activation": "relu"},
            {"weights": [[0, 1], [1, 1]], "bias": -1, "activation": "relu"},
            {"weights": [[2, 1], [3, -2]], "bias": 0, "activation": "linear"},
        ],
        "outputs": [4],
    }


def _set(path, value):
    def mutate(d):
        target = d
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return d

    return mutate


def _delete(path):
    def mutate(d):
        target = d
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
        return d

    return mutate


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: "network", "network"),
        (_set(("n",), 2.0), "n"),
        (_set(("n",), True), "n"),
        (_delete(("neurons",)), "neurons"),
        (_set(("neurons",), None), "neurons"),
        (_set(("neurons", 0), [[0, 1]]), "neurons[0]"),
        (_delete(("neurons", 1, "bias")), "bias"),
        (_delete(("neurons", 1, "activation")), "activation"),
        (_set(("neurons", 1, "bias"), -1.0), "neurons[1].bias"),
        (_set(("neurons", 1, "bias"), "1.5"), "neurons[1].bias"),
        (_set(("neurons", 1, "bias"), "-1/0"), "neurons[1].bias"),
        (_set(("neurons", 1, "bias"), False), "neurons[1].bias"),
        (_set(("neurons", 2, "weights", 1), [3, 0.5]), "neurons[2].weights[1][1]"),
        (_set(("neurons", 2, "weights", 1), [3, "0.5"]), "neurons[2].weights[1][1]"),
        (_set(("neurons", 2, "weights", 1), [3.0, 1]), "neurons[2].weights[1][0]"),
        (_set(("neurons", 2, "weights", 1), [3]), "neurons[2].weights[1]"),
        (_set(("neurons", 2, "weights"), {"2": 1}), "neurons[2].weights"),
        (_set(("neurons", 2, "activation"), "sigmoid"), "neurons[2].activation"),
        (_set(("neurons", 2, "activation"), 1), "neurons[2].activation"),
        (_set(("neurons", 2, "dropout"), 0), "dropout"),
        (_set(("outputs",), [4.0]), "outputs[0]"),
        (_set(("outputs",), "4"), "outputs"),
        (_set(("extra",), []), "extra"),
        (_set(("model",), "threshold"), "model"),
    ],
)
def test_from_dict_rejects_malformed(mutate, field):
    with pytest.raises(FormatError) as err:
        ReLUNetwork.from_dict(mutate(_good()))
    assert field in str(err.value)
    assert "\n" not in str(err.value)


def test_from_dict_good_and_invalid_model():
    assert ReLUNetwork.from_dict(_good()).truth_table().hex() == "6"
    with pytest.raises(ModelError):
        ReLUNetwork.from_dict(_set(("neurons", 0, "activation"), "linear")(_good()))  # hidden linear
    with pytest.raises(ModelError):
        ReLUNetwork.from_dict(_set(("neurons", 0, "weights"), [[2, 1]])(_good()))  # reads itself
    with pytest.raises(ModelError):
        ReLUNetwork.from_dict(_set(("outputs",), [1])(_good()))


# ------------------------------------------------------------------ drawing
def test_to_networkx():
    net = ReLUNetwork.from_dict(_good())
    g = net.to_networkx()
    assert isinstance(g, nx.DiGraph) and nx.is_directed_acyclic_graph(g)
    kinds = {v: d["kind"] for v, d in g.nodes(data=True)}
    assert kinds == {0: "input", 1: "input", 2: "gate", 3: "gate", 4: "gate", "y0": "output"}
    assert g.nodes[3]["label"] == "relu b=-1"
    assert g.nodes[4]["label"] == "linear b=0"
    assert g.edges[3, 4]["label"] == "-2"
    assert g.has_edge(4, "y0")
    assert g.number_of_edges() == 6 + 1
