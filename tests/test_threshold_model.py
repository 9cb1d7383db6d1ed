"""Tests of the threshold-circuit model (circuits/threshold.py)."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from circuits.errors import ArityError, FormatError, ModelError, SpecError, TooLargeError
from circuits.model import CircuitModel
from circuits.threshold import ThresholdCircuit, ThresholdGate
from circuits.truthtable import TruthTable

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------ reference
def reference_tables(n: int, gates: list[tuple[list[tuple[int, int]], int]], outputs: list[int]) -> list[int]:
    """Per-row evaluation with plain Python ints, independent of the module under test.

    ``gates`` is a list of ``(pairs, threshold)``.  Repeated nodes are summed, and
    zero weights are harmless.
    """
    tables = [0] * len(outputs)
    for row in range(1 << n):
        values = [(row >> j) & 1 for j in range(n)]
        for pairs, t in gates:
            s = 0
            for u, w in pairs:
                s += w * values[u]
            values.append(1 if s >= t else 0)
        for k, o in enumerate(outputs):
            if values[o]:
                tables[k] |= 1 << row
    return tables


def build(n, raw_gates, outputs) -> ThresholdCircuit:
    return ThresholdCircuit(n, tuple(ThresholdGate(tuple(p), t) for p, t in raw_gates), tuple(outputs))


# ------------------------------------------------------------------ strategies
@st.composite
def raw_circuits(draw, weight=st.integers(-4, 4), max_inputs=5, max_gates=6):
    n = draw(st.integers(0, max_inputs))
    num_gates = draw(st.integers(1, max_gates))
    gates = []
    for i in range(num_gates):
        nodes = draw(st.lists(st.integers(0, n + i - 1), unique=True, max_size=n + i)) if n + i else []
        pairs = [(u, draw(weight)) for u in nodes]
        # Put the threshold near a reachable sum so that gates are rarely constant.
        subset = draw(st.lists(st.booleans(), min_size=len(pairs), max_size=len(pairs)))
        reach = sum(w for (_, w), b in zip(pairs, subset) if b)
        t = reach + draw(st.integers(-1, 1))
        gates.append((pairs, t))
    outputs = draw(st.lists(st.integers(n, n + num_gates - 1), min_size=1, max_size=3))
    return n, gates, outputs


huge_weight = st.one_of(
    st.integers(-(2**75), 2**75),
    st.sampled_from([2**62, -(2**62), 2**62 - 1, 2**63, -(2**63), 2**63 - 1, 2**64 + 1, 2**71]),
    st.integers(-3, 3),
)


# ------------------------------------------------------------------ evaluation
@SETTINGS
@given(raw_circuits())
def test_truth_table_matches_reference(raw):
    n, gates, outputs = raw
    c = build(n, gates, outputs)
    assert c.truth_table().outputs == tuple(reference_tables(n, gates, outputs))


@SETTINGS
@given(raw_circuits(weight=huge_weight, max_inputs=4, max_gates=5))
def test_truth_table_matches_reference_huge_weights(raw):
    n, gates, outputs = raw
    c = build(n, gates, outputs)
    assert c.truth_table().outputs == tuple(reference_tables(n, gates, outputs))


@SETTINGS
@given(raw_circuits(max_inputs=4, max_gates=5), st.integers(70, 90))
def test_scaling_by_huge_factor_preserves_function(raw, e):
    n, gates, outputs = raw
    scaled = [([(u, w << e) for u, w in pairs], t << e) for pairs, t in gates]
    c = build(n, gates, outputs)
    big = build(n, scaled, outputs)
    assert big.max_weight >= 2**70 or all(t == 0 and all(w == 0 for _, w in p) for p, t in gates)
    assert big.truth_table() == c.truth_table()


@SETTINGS
@given(raw_circuits(max_inputs=4), st.data())
def test_evaluate_matches_reference(raw, data):
    n, gates, outputs = raw
    c = build(n, gates, outputs)
    row = data.draw(st.integers(0, (1 << n) - 1))
    x = [(row >> j) & 1 for j in range(n)]
    expected = tuple((t >> row) & 1 for t in reference_tables(n, gates, outputs))
    assert c.evaluate(x) == expected


def test_int64_overflow_cases_are_exact():
    # In int64, 2^62 + 2^62 wraps to -2^63, so a wrapping sum would make these wrong.
    and2 = ThresholdCircuit.single_gate(2, [2**62, 2**62], 2**63)
    assert and2.truth_table().hex() == "8"
    nand2 = ThresholdCircuit.single_gate(2, [-(2**63), -(2**63)], -(2**64) + 1)
    assert nand2.truth_table().hex() == "7"
    # Just below and just above the int64 fast-path bound.
    for w in (2**61 - 1, 2**61, 2**62, 2**63 - 1, 2**63):
        maj = ThresholdCircuit.single_gate(3, [w, w, w], 2 * w)
        assert maj.truth_table().hex() == "e8", w
        exact = ThresholdCircuit.single_gate(3, [w, w, -1], 2 * w)
        assert exact.truth_table().outputs == tuple(reference_tables(3, [([(0, w), (1, w), (2, -1)], 2 * w)], [3]))


# ------------------------------------------------------------------ known functions
def test_maj3_single_gate():
    maj = ThresholdCircuit.single_gate(3, [1, 1, 1], 2)
    assert maj.truth_table() == TruthTable.single(3, 0xE8)
    assert maj.computes(TruthTable.from_function(3, lambda x: sum(x) >= 2))
    assert (maj.size, maj.depth, maj.total_weight, maj.max_weight) == (1, 1, 3, 2)
    assert maj.is_layered()


def test_parity3_two_gates():
    carry = ThresholdGate(((0, 1), (1, 1), (2, 1)), 2)
    out = ThresholdGate(((0, 1), (1, 1), (2, 1), (3, -2)), 1)
    par = ThresholdCircuit(3, (carry, out), (4,))
    assert par.truth_table().hex() == "96"
    assert par.computes(TruthTable.from_function(3, lambda x: sum(x) % 2))
    assert not par.computes(TruthTable.single(3, 0xE8))
    assert par.layers() == (1, 2)
    assert (par.size, par.depth) == (2, 2)
    assert not par.is_layered()  # the output gate reads the inputs directly
    assert par.total_weight == 3 + 5
    assert par.max_weight == 2
    assert isinstance(par, CircuitModel)


def test_layered_xor_and_multi_output():
    g_or = ThresholdGate(((0, 1), (1, 1)), 1)
    g_and = ThresholdGate(((0, 1), (1, 1)), 2)
    g_xor = ThresholdGate(((2, 1), (3, -1)), 1)
    c = ThresholdCircuit(2, (g_or, g_and, g_xor), (4, 3, 4))
    assert c.truth_table().outputs == (0x6, 0x8, 0x6)
    assert c.num_outputs == 3
    assert c.layers() == (1, 1, 2)
    assert c.is_layered()
    assert (c.size, c.depth, c.total_weight, c.max_weight) == (3, 2, 6, 2)


def test_depth_counts_longest_path_with_skips():
    # chain x0 -> g0 -> g1 -> g2, plus a gate g3 reading only x1 and g0
    gates = (
        ThresholdGate(((0, 1),), 1),
        ThresholdGate(((2, 1),), 1),
        ThresholdGate(((3, 1), (0, 1)), 1),
        ThresholdGate(((1, 1), (2, 1)), 2),
    )
    c = ThresholdCircuit(2, gates, (4, 5))
    assert c.layers() == (1, 2, 3, 2)
    assert c.depth == 3
    assert not c.is_layered()
    assert c.truth_table().outputs == (0xA, 0x8)


def test_constant_gates_and_zero_inputs():
    c = ThresholdCircuit(0, (ThresholdGate((), 0), ThresholdGate((), 1)), (0, 1))
    assert c.truth_table().outputs == (1, 0)
    assert c.layers() == (1, 1)
    c2 = ThresholdCircuit.single_gate(2, [0, 0], -1)
    assert c2.truth_table().hex() == "f"
    assert c2.gates[0].weights == ()


def test_max_weight_includes_threshold():
    c = ThresholdCircuit.single_gate(2, [1, -3], -7)
    assert c.max_weight == 7
    assert c.total_weight == 4


# ------------------------------------------------------------------ normalisation and validation
def test_gate_normalisation():
    g = ThresholdGate(((2, 5), (0, -1), (1, 0)), 3)
    assert g.weights == ((0, -1), (2, 5))
    assert g == ThresholdGate([[0, -1], [2, 5]], 3)
    assert hash(g) == hash(ThresholdGate(((0, -1), (2, 5)), 3))


@pytest.mark.parametrize(
    "weights, threshold",
    [
        (((0, 1), (0, 2)), 1),  # duplicate node
        (((0, 1.0),), 1),  # float weight
        (((0, True),), 1),  # bool weight
        (((0, 1),), 1.5),  # float threshold
        (((0, 1),), False),  # bool threshold
        (((-1, 1),), 0),  # negative node
        (((0, 1, 2),), 0),  # not a pair
        (((0.0, 1),), 0),  # float node
    ],
)
def test_gate_rejects(weights, threshold):
    with pytest.raises(ModelError):
        ThresholdGate(weights, threshold)


def test_circuit_rejects():
    g_in = ThresholdGate(((0, 1),), 1)
    with pytest.raises(ModelError, match="reads node 2"):
        ThresholdCircuit(2, (ThresholdGate(((2, 1),), 1),), (2,))  # reads itself
    with pytest.raises(ModelError, match="reads node 3"):
        ThresholdCircuit(2, (ThresholdGate(((3, 1),), 1), g_in), (2,))  # reads a later gate
    with pytest.raises(ModelError, match="not a gate node"):
        ThresholdCircuit(2, (g_in,), (1,))  # output is an input
    with pytest.raises(ModelError, match="not a gate node"):
        ThresholdCircuit(2, (g_in,), (3,))  # output beyond the last gate
    with pytest.raises(ModelError, match="at least one output"):
        ThresholdCircuit(2, (g_in,), ())
    with pytest.raises(ModelError):
        ThresholdCircuit(-1, (g_in,), (0,))
    with pytest.raises(ModelError):
        ThresholdCircuit(True, (g_in,), (1,))
    with pytest.raises(ModelError):
        ThresholdCircuit(2, ((((0, 1),), 1),), (2,))  # a tuple is not a gate
    with pytest.raises(ModelError):
        ThresholdCircuit(2, (g_in,), (True,))
    with pytest.raises(ArityError):
        ThresholdCircuit.single_gate(3, [1, 1], 1)


def test_computes_arity_and_evaluate_errors():
    maj = ThresholdCircuit.single_gate(3, [1, 1, 1], 2)
    with pytest.raises(ArityError):
        maj.computes(TruthTable.single(2, 0x8))
    with pytest.raises(ArityError):
        maj.computes(TruthTable(3, (0xE8, 0xE8)))
    with pytest.raises(ArityError):
        maj.evaluate([1, 0])
    for bad in ([1, 0, 2], [1, 0, 0.5], [1, 0, 1.0], [1, 0, "1"]):
        with pytest.raises(SpecError):
            maj.evaluate(bad)
    assert maj.evaluate([True, True, False]) == (1,)


def test_too_many_inputs_for_a_table():
    c = ThresholdCircuit.single_gate(21, [1] * 21, 1)
    assert c.evaluate([0] * 20 + [1]) == (1,)
    with pytest.raises(TooLargeError):
        c.truth_table()


# ------------------------------------------------------------------ JSON
@SETTINGS
@given(raw_circuits(weight=huge_weight, max_inputs=4, max_gates=5))
def test_json_round_trip(raw):
    c = build(*raw)
    data = json.loads(json.dumps(c.to_dict()))
    assert data == c.to_dict()
    back = ThresholdCircuit.from_dict(data)
    assert back == c
    assert back.truth_table() == c.truth_table()


def test_to_dict_fields():
    c = ThresholdCircuit.single_gate(2, [3, 0], 2**80)
    assert c.to_dict() == {"n": 2, "gates": [{"weights": [[0, 3]], "threshold": 2**80}], "outputs": [2]}
    assert ThresholdCircuit.from_dict({**c.to_dict(), "model": "threshold"}) == c


def _good() -> dict:
    return {
        "n": 3,
        "gates": [
            {"weights": [[0, 1], [1, 1], [2, 1]], "threshold": 2},
            {"weights": [[0, 1], [1, 1], [2, 1], [3, -2]], "threshold": 1},
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
        (lambda d: [d], "circuit"),
        (_set(("n",), "3"), "n"),
        (_set(("n",), True), "n"),
        (_set(("n",), 3.0), "n"),
        (_delete(("n",)), "n"),
        (_delete(("outputs",)), "outputs"),
        (_set(("gates",), {"0": {}}), "gates"),
        (_set(("gates", 1), [1, 2]), "gates[1]"),
        (_delete(("gates", 1, "threshold")), "threshold"),
        (_set(("gates", 1, "threshold"), "1"), "gates[1].threshold"),
        (_set(("gates", 1, "threshold"), 1.0), "gates[1].threshold"),
        (_set(("gates", 0, "weights"), [[0, 1, 2]]), "gates[0].weights[0]"),
        (_set(("gates", 0, "weights"), [{"0": 1}]), "gates[0].weights[0]"),
        (_set(("gates", 0, "weights", 2), [2, 1.0]), "gates[0].weights[2][1]"),
        (_set(("gates", 0, "weights", 2), [2, True]), "gates[0].weights[2][1]"),
        (_set(("gates", 0, "weights", 2), ["2", 1]), "gates[0].weights[2][0]"),
        (_set(("gates", 0, "weights"), "x0+x1"), "gates[0].weights"),
        (_set(("gates", 0, "extra"), 1), "extra"),
        (_set(("outputs",), 4), "outputs"),
        (_set(("outputs",), [False]), "outputs[0]"),
        (_set(("bogus",), 1), "bogus"),
        (_set(("model",), "relu"), "model"),
    ],
)
def test_from_dict_rejects_malformed(mutate, field):
    data = mutate(_good())
    with pytest.raises(FormatError) as err:
        ThresholdCircuit.from_dict(data)
    assert field in str(err.value)
    assert "\n" not in str(err.value)


def test_from_dict_good_and_invalid_model():
    assert ThresholdCircuit.from_dict(_good()).truth_table().hex() == "96"
    with pytest.raises(ModelError):
        ThresholdCircuit.from_dict(_set(("gates", 0, "weights", 2), [3, 1])(_good()))  # reads itself
    with pytest.raises(ModelError):
        ThresholdCircuit.from_dict(_set(("outputs",), [2])(_good()))  # output is an input
    with pytest.raises(ModelError):
        ThresholdCircuit.from_dict(_set(("gates", 0, "weights"), [[0, 1], [0, 2]])(_good()))


# ------------------------------------------------------------------ drawing
def test_to_networkx():
    carry = ThresholdGate(((0, 1), (1, 1), (2, 1)), 2)
    out = ThresholdGate(((0, 1), (1, 1), (2, 1), (3, -2)), 1)
    g = ThresholdCircuit(3, (carry, out), (4, 3)).to_networkx()
    assert isinstance(g, nx.DiGraph)
    assert nx.is_directed_acyclic_graph(g)
    kinds = {v: d["kind"] for v, d in g.nodes(data=True)}
    assert kinds == {0: "input", 1: "input", 2: "input", 3: "gate", 4: "gate", "y0": "output", "y1": "output"}
    assert g.nodes[0]["label"] == "x0"
    assert g.nodes[3]["label"] == "≥2"
    assert g.nodes[4]["label"] == "≥1"
    assert g.edges[3, 4]["label"] == "-2"
    assert g.edges[3, 4]["weight"] == -2
    assert g.has_edge(4, "y0") and g.has_edge(3, "y1")
    assert g.number_of_edges() == 3 + 4 + 2
