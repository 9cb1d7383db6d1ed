"""Tests of the Boolean ↔ threshold conversions (reductions/boolean_threshold.py).

Truth tables are compared with plain-Python reference evaluations written here.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from circuits.boolean import AIG, B2, MONO, Basis, BooleanCircuit, Edge, Gate, Op2
from circuits.errors import ModelError
from circuits.threshold import ThresholdCircuit, ThresholdGate
from reductions.boolean_threshold import (
    boolean_to_threshold,
    function_cost,
    threshold_to_boolean,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BASES = [B2, AIG, MONO, Basis("b2", 3), Basis("aig", 3), Basis("mono", 3)]


# ------------------------------------------------------------------ references
def _read(vals: list[int], e: Edge) -> int:
    return (0 if e.node < 0 else vals[e.node]) ^ int(e.neg)


def ref_boolean(c: BooleanCircuit) -> list[tuple[int, ...]]:
    out = []
    for row in range(1 << c.n):
        vals = [(row >> j) & 1 for j in range(c.n)]
        for g in c.gates:
            idx = sum(_read(vals, e) << p for p, e in enumerate(g.inputs))
            vals.append((g.op >> idx) & 1)
        out.append(tuple(_read(vals, e) for e in c.outputs))
    return out


def ref_threshold(c: ThresholdCircuit) -> list[tuple[int, ...]]:
    out = []
    for row in range(1 << c.n):
        vals = [(row >> j) & 1 for j in range(c.n)]
        for g in c.gates:
            vals.append(int(sum(w * vals[u] for u, w in g.weights) >= g.threshold))
        out.append(tuple(vals[o] for o in c.outputs))
    return out


# ------------------------------------------------------------------ strategies
def _ops(b: Basis, arity: int):
    rows = 1 << arity
    full = (1 << rows) - 1
    if b.name == "b2":
        return st.integers(0, full)
    and_op, or_op = 1 << (rows - 1), full ^ 1
    return st.just(and_op) if b.name == "aig" else st.sampled_from([and_op, or_op])


@st.composite
def boolean_circuits(draw, max_inputs=4, max_gates=6):
    b = draw(st.sampled_from(BASES))
    n = draw(st.integers(1, max_inputs))
    gates = []

    def edge(limit: int) -> Edge:
        node = draw(st.integers(-1, limit - 1))
        neg = draw(st.booleans()) if (node == -1 or b.name == "aig") else False
        return Edge(node, neg)

    for i in range(draw(st.integers(0, max_gates))):
        arity = draw(st.integers(2, b.fanin))
        # mostly distinct earlier nodes, sometimes constants or repeats
        gates.append(Gate(draw(_ops(b, arity)), tuple(edge(n + i) for _ in range(arity))))
    outputs = tuple(edge(n + len(gates)) for _ in range(draw(st.integers(1, 3))))
    return BooleanCircuit(n, b, tuple(gates), outputs)


@st.composite
def threshold_circuits(draw, max_inputs=5, max_gates=4, max_weight=40):
    weights = st.integers(-max_weight, max_weight)
    n = draw(st.integers(1, max_inputs))
    s = draw(st.integers(1, max_gates))
    gates = []
    for i in range(s):
        nodes = draw(st.lists(st.integers(0, n + i - 1), unique=True, max_size=min(n + i, 5)))
        ws = [draw(weights) for _ in nodes]
        spread = sum(abs(w) for w in ws) + 1
        gates.append(ThresholdGate(tuple(zip(nodes, ws)), draw(st.integers(-spread, spread))))
    outputs = draw(st.lists(st.integers(n, n + s - 1), min_size=1, max_size=3))
    return ThresholdCircuit(n, tuple(gates), tuple(outputs))


# ------------------------------------------------------------------ Boolean -> threshold -> Boolean
@SETTINGS
@given(boolean_circuits())
def test_boolean_to_threshold_and_back(c):
    expected = ref_boolean(c)
    r = boolean_to_threshold(c)
    t = r.result
    assert isinstance(t, ThresholdCircuit)
    assert ref_threshold(t) == expected
    assert r.formula_kind == "upper" and r.matches_formula
    assert r.size == t.size and r.depth == t.depth
    per_gate = sum(v["threshold_gates"] for v in r.extra["cost_by_op"].values())
    assert sum(v["gates"] for v in r.extra["cost_by_op"].values()) == c.size
    assert 0 <= r.size - per_gate <= len(c.outputs)  # the rest are output gates
    back = threshold_to_boolean(t)
    b = back.result
    assert isinstance(b, BooleanCircuit) and b.basis == B2
    assert ref_boolean(b) == expected
    assert back.matches_formula


TWO_INPUT_COST = {op: 1 for op in Op2}
TWO_INPUT_COST.update({op: 0 for op in (Op2.ALWAYS_FALSE, Op2.ALWAYS_TRUE, Op2.LIFF, Op2.RIFF, Op2.LNOT, Op2.RNOT)})
TWO_INPUT_COST.update({Op2.XOR: 2, Op2.NXOR: 2})


@pytest.mark.parametrize("op", list(Op2))
def test_two_input_op_costs(op):
    # the gate reads x0, x1 and feeds an AND (OR) with x2, so the gate itself is never an output
    second = Op2.OR if op == Op2.AND else Op2.AND
    c = BooleanCircuit.from_gates(3, [(op, (0, 1)), (second, (3, 2))], [4])
    r = boolean_to_threshold(c)
    tally = r.extra["cost_by_op"][f"B2:{op.name}"]
    assert tally == {"gates": 1, "threshold_gates": TWO_INPUT_COST[op]}
    assert function_cost(2, int(op))[0] == TWO_INPUT_COST[op]
    assert ref_threshold(r.result) == ref_boolean(c)


def test_aig_negations_fold_into_weights():
    # NOR as AND(~x0, ~x1), output negated: y = x0 OR x1 -> 1 gate + 1 complement output gate
    c = BooleanCircuit.from_gates(2, [(Op2.AND, (Edge(0, True), Edge(1, True)))], [Edge(2, True)], basis=AIG)
    r = boolean_to_threshold(c)
    assert r.size == 2 and r.result.truth_table().hex() == "e"
    g = r.result.gates[0]
    assert all(w < 0 for _, w in g.weights)  # the AND of negated literals
    plain = BooleanCircuit.from_gates(2, [(Op2.AND, (Edge(0, True), Edge(1, True)))], [Edge(2)], basis=AIG)
    assert boolean_to_threshold(plain).size == 1


def test_wider_gates_parity_and_non_threshold():
    b3 = Basis("b2", 3)
    par = BooleanCircuit.from_gates(3, [(0x96, (0, 1, 2))], [3], basis=b3)
    r = boolean_to_threshold(par)
    assert (r.size, r.depth) == (2, 2) and r.result.truth_table().hex() == "96"
    mux = BooleanCircuit.from_gates(3, [(0xCA, (0, 1, 2))], [3], basis=b3)  # x2 ? x1 : x0, not an LTF
    r = boolean_to_threshold(mux)
    assert r.size == 4 + 1 and r.result.truth_table().hex() == "ca"
    maj = BooleanCircuit.from_gates(3, [(0xE8, (0, 1, 2))], [3], basis=b3)
    assert boolean_to_threshold(maj).size == 1


def test_outputs_that_are_inputs_or_constants_get_a_gate():
    c = BooleanCircuit.from_gates(2, [], [Edge(0), Edge(-1), Edge(-1, True)])
    r = boolean_to_threshold(c)
    assert r.size == 3 and ref_threshold(r.result) == ref_boolean(c)


# ------------------------------------------------------------------ threshold -> Boolean
@SETTINGS
@given(threshold_circuits())
def test_threshold_to_boolean_random(c):
    r = threshold_to_boolean(c)
    assert ref_boolean(r.result) == ref_threshold(c)
    assert r.formula_kind == "upper" and r.matches_formula
    assert r.size == r.result.size and r.depth == r.result.depth
    assert r.formula_depth is None


def test_threshold_to_boolean_large_weights_and_majority():
    maj5 = ThresholdCircuit.single_gate(5, [1] * 5, 3)
    r = threshold_to_boolean(maj5)
    assert r.result.truth_table() == maj5.truth_table()
    big = ThresholdCircuit.single_gate(4, [1000, -777, 513, -(2**20)], -(2**20) + 300)
    r = threshold_to_boolean(big)
    assert ref_boolean(r.result) == ref_threshold(big)
    assert r.matches_formula


def test_threshold_to_boolean_constant_and_literal_gates():
    c = ThresholdCircuit(
        2, (ThresholdGate((), 0), ThresholdGate(((0, -3),), -1), ThresholdGate(((0, 1), (1, 1)), 5)), (2, 3, 4)
    )
    r = threshold_to_boolean(c)
    # constant 1, NOT x0 (one NOT gate at the output), constant 0
    assert r.size == 1 and ref_boolean(r.result) == ref_threshold(c)


def test_conversions_reject_other_models():
    with pytest.raises(ModelError):
        boolean_to_threshold(ThresholdCircuit.single_gate(1, [1], 1))  # type: ignore[arg-type]
    with pytest.raises(ModelError):
        threshold_to_boolean(BooleanCircuit.from_gates(1, [], [0]))  # type: ignore[arg-type]


# ------------------------------------------------------------------ the stated formulas, recomputed here
@st.composite
def two_input_b2_circuits(draw, max_inputs=4, max_gates=6):
    """B2 circuits whose gates read two distinct nodes (no constants); outputs are plain nodes."""
    n = draw(st.integers(2, max_inputs))
    gates = []
    for i in range(draw(st.integers(1, max_gates))):
        a, b = draw(st.lists(st.integers(0, n + i - 1), min_size=2, max_size=2, unique=True))
        gates.append((draw(st.sampled_from(list(Op2))), (a, b)))
    outputs = draw(st.lists(st.integers(0, n + len(gates) - 1), min_size=1, max_size=3))
    return BooleanCircuit.from_gates(n, gates, outputs)


@SETTINGS
@given(two_input_b2_circuits())
def test_boolean_to_threshold_formula_from_op_costs(c):
    """Size Σ cost(op) + (outputs that are inputs or cost-0 gates); depth with gate weights 0/1/2."""
    r = boolean_to_threshold(c)
    assert ref_threshold(r.result) == ref_boolean(c)
    n = c.n
    cost = [TWO_INPUT_COST[Op2(g.op)] for g in c.gates]
    depth = [0] * n
    for g, k in zip(c.gates, cost):
        depth.append(k + max(depth[e.node] for e in g.inputs))  # cost 0/1/2 is also the depth 0/1/2
    extra = {e.node for e in c.outputs if e.node < n or cost[e.node - n] == 0}
    size_formula = sum(cost) + len(extra)
    depth_formula = max([*depth[n:], *(depth[e.node] + (e.node in extra) for e in c.outputs)])
    assert r.formula_size == size_formula and r.size <= size_formula
    assert r.formula_depth == depth_formula and r.depth <= depth_formula


@SETTINGS
@given(threshold_circuits())
def test_threshold_to_boolean_bound_from_weights(c):
    """Size at most Σ_g β_g + (distinct outputs), β from the gate's weights as the module docstring states."""

    def beta(g: ThresholdGate) -> int:
        low = sum(w for _, w in g.weights if w < 0)
        high = sum(w for _, w in g.weights if w > 0)
        if not low < g.threshold <= high:
            return 0  # constant
        if len(g.weights) <= 2:
            return 1
        T = sum(abs(w).bit_count() for _, w in g.weights)
        L = sum(abs(w) for _, w in g.weights).bit_length()
        return 5 * T + 3 * L - 11

    bound = sum(beta(g) for g in c.gates) + len(set(c.outputs))
    r = threshold_to_boolean(c)
    assert ref_boolean(r.result) == ref_threshold(c)
    assert r.result.basis == B2 and all(len(g.inputs) == 2 for g in r.result.gates)
    assert r.formula_size == bound and r.size <= bound
