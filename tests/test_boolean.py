"""Tests of the Boolean gate-circuit model (circuits/boolean.py) and of to_aig."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from circuits.aiger import to_aig
from circuits.boolean import (
    AIG,
    B2,
    MONO,
    Basis,
    BooleanCircuit,
    Edge,
    Gate,
    Op2,
    basis,
    op_name,
    op_of,
)
from circuits.errors import ArityError, FormatError, ModelError, SpecError, TooLargeError
from circuits.model import CircuitModel
from circuits.truthtable import TruthTable

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

BASES = [B2, AIG, MONO, Basis("b2", 3), Basis("aig", 3), Basis("mono", 3)]

#: The 16 two-input ops as plain Python predicates on (a, b), a = gate input 0 (cirbo's semantics).
PY_OPS = {
    "ALWAYS_FALSE": lambda a, b: False,
    "NOR": lambda a, b: not (a or b),
    "GT": lambda a, b: a and not b,
    "RNOT": lambda a, b: not b,
    "LT": lambda a, b: (not a) and b,
    "LNOT": lambda a, b: not a,
    "XOR": lambda a, b: a != b,
    "NAND": lambda a, b: not (a and b),
    "AND": lambda a, b: a and b,
    "NXOR": lambda a, b: a == b,
    "LIFF": lambda a, b: a,
    "GEQ": lambda a, b: a or not b,
    "RIFF": lambda a, b: b,
    "LEQ": lambda a, b: (not a) or b,
    "OR": lambda a, b: a or b,
    "ALWAYS_TRUE": lambda a, b: True,
}


# ------------------------------------------------------------------ reference
def reference_tables(n, gates, outputs):
    """Per-row evaluation with plain bools, independent of the module under test.

    ``gates`` is a list of ``(op, [(node, neg), ...])``, ``outputs`` a list of
    ``(node, neg)``; node -1 is the constant false.
    """
    tables = [0] * len(outputs)
    for row in range(1 << n):
        values = [bool((row >> j) & 1) for j in range(n)]

        def read(node, neg):
            v = False if node == -1 else values[node]  # noqa: B023 - called within this iteration
            return v != neg

        for op, ins in gates:
            bits = [read(u, neg) for u, neg in ins]
            index = 0
            for j, b in enumerate(bits):
                if b:
                    index += 2**j
            values.append(bool((op >> index) & 1))
        for k, (u, neg) in enumerate(outputs):
            if read(u, neg):
                tables[k] |= 1 << row
    return tables


def reference_depth(n, gates, outputs):
    depth = [0] * n
    for _, ins in gates:
        depth.append(1 + max(depth[u] if u >= 0 else 0 for u, _ in ins))
    return max(depth[u] if u >= 0 else 0 for u, _ in outputs)


def build(n, b, gates, outputs) -> BooleanCircuit:
    return BooleanCircuit(
        n,
        b,
        tuple(Gate(op, tuple(Edge(u, neg) for u, neg in ins)) for op, ins in gates),
        tuple(Edge(u, neg) for u, neg in outputs),
    )


# ------------------------------------------------------------------ strategies
def allowed_ops(b: Basis, arity: int):
    """The ops a basis allows, computed here from first principles."""
    rows = 2**arity
    and_op = 1 << (rows - 1)  # 1 only on the all-ones row
    or_op = (2**rows - 1) - 1  # 0 only on the all-zeros row
    if b.name == "aig":
        return st.just(and_op)
    if b.name == "mono":
        return st.sampled_from([and_op, or_op])
    return st.integers(0, 2**rows - 1)


@st.composite
def edges(draw, limit: int, b: Basis):
    node = draw(st.integers(-1, limit - 1))
    neg = draw(st.booleans()) if (node == -1 or b.name == "aig") else False
    return node, neg


@st.composite
def raw_circuits(draw, b: Basis | None = None, max_inputs=4, max_gates=7):
    """A random valid circuit as plain data: (n, basis, gates, outputs)."""
    if b is None:
        b = draw(st.sampled_from(BASES))
    n = draw(st.integers(0, max_inputs))
    num_gates = draw(st.integers(0, max_gates))
    gates = []
    for i in range(num_gates):
        arity = draw(st.integers(2, b.fanin))
        ins = [draw(edges(n + i, b)) for _ in range(arity)]
        gates.append((draw(allowed_ops(b, arity)), ins))
    outputs = draw(st.lists(edges(n + num_gates, b), min_size=1, max_size=3))
    return n, b, gates, outputs


def boolean_circuits(b: Basis | None = None, **kw):
    return raw_circuits(b, **kw).map(lambda raw: build(*raw))


# ------------------------------------------------------------------ known facts
def full_adder() -> BooleanCircuit:
    return BooleanCircuit.from_gates(
        3,
        [
            (Op2.XOR, (0, 1)),  # 3: x0 ^ x1
            (Op2.XOR, (3, 2)),  # 4: sum
            (Op2.AND, (0, 1)),  # 5
            (Op2.AND, (3, 2)),  # 6
            (Op2.OR, (5, 6)),  # 7: carry
        ],
        outputs=[4, 7],
    )


def test_op_constants_follow_the_table_convention():
    for name, fn in PY_OPS.items():
        expected = sum(1 << i for i in range(4) if fn(bool(i & 1), bool(i & 2)))
        assert int(Op2[name]) == expected, name
        assert op_name(expected, 2) == name
        assert op_of(name, 2) == expected
        assert op_of(name.lower(), 2) == expected
    assert (Op2.AND, Op2.OR, Op2.XOR) == (0x8, 0xE, 0x6)
    assert len(Op2) == 16


def test_wide_op_names():
    assert op_of("AND", 3) == 0x80
    assert op_of("OR", 3) == 0xFE
    assert op_of("XOR", 3) == 0x96
    assert op_of("NXOR", 3) == 0x69
    assert op_of("0xe8", 3) == 0xE8
    assert op_name(0x96, 3) == "XOR"
    assert op_name(0xE8, 3) == "0xe8"
    assert op_name(0x8000, 4) == "AND"
    with pytest.raises(SpecError):
        op_of("GT", 3)
    with pytest.raises(SpecError):
        op_of("0x1ff", 3)
    with pytest.raises(SpecError):
        op_of("FOO", 2)
    with pytest.raises(ModelError):
        op_name(16, 2)


def test_full_adder_computes_sum_and_majority():
    fa = full_adder()
    expected = TruthTable.from_function(3, lambda x: (x[0] ^ x[1] ^ x[2], int(sum(x) >= 2)))
    assert fa.computes(expected)
    assert fa.truth_table().outputs[1] == 0xE8  # MAJ_3
    assert fa.truth_table().outputs[0] == 0x96  # XOR_3
    assert (fa.size, fa.depth, fa.num_outputs) == (5, 3, 2)
    assert isinstance(fa, CircuitModel)


def test_xor3_in_two_gates():
    c = BooleanCircuit.from_gates(3, [(Op2.XOR, (0, 1)), (Op2.XOR, (3, 2))], [4])
    assert c.computes(TruthTable.from_function(3, lambda x: x[0] ^ x[1] ^ x[2]))
    assert c.size == 2 and c.depth == 2


def test_maj3_single_gate_in_b3():
    c = BooleanCircuit.from_gates(3, [(0xE8, (0, 1, 2))], [3], basis=basis("b3"))
    assert c.truth_table() == TruthTable.single(3, 0xE8)
    assert c.truth_table() == TruthTable.from_function(3, lambda x: sum(x) >= 2)


def test_aig_negations_and_constants():
    # XOR(x0, x1) = AND(NAND(x0, x1), OR(x0, x1)) in the AIG with free negations
    c = BooleanCircuit.from_gates(
        2,
        [(Op2.AND, (0, 1)), (Op2.AND, (Edge(0, True), Edge(1, True))), (Op2.AND, (Edge(2, True), Edge(3, True)))],
        [4, Edge(-1), Edge(-1, True), Edge(4, True)],
        basis=AIG,
    )
    assert c.truth_table().outputs == (0x6, 0x0, 0xF, 0x9)
    assert c.depth == 2
    # an output that is an input or a constant has depth 0
    assert BooleanCircuit(2, B2, (), (Edge(1), Edge(-1, True))).depth == 0


def test_computes_rejects_arity_mismatch():
    with pytest.raises(ArityError):
        full_adder().computes(TruthTable.single(3, 0x96))
    with pytest.raises(ArityError):
        full_adder().computes(TruthTable(2, (0, 0)))


def test_too_many_inputs_for_a_truth_table():
    c = BooleanCircuit(25, B2, (), (Edge(3),))
    with pytest.raises(TooLargeError):
        c.truth_table()


# ------------------------------------------------------------------ properties
@SETTINGS
@given(raw_circuits())
def test_truth_table_matches_reference(raw):
    n, b, gates, outputs = raw
    c = build(n, b, gates, outputs)
    assert c.truth_table().outputs == tuple(reference_tables(n, gates, outputs))
    assert c.depth == reference_depth(n, gates, outputs)
    assert c.size == len(gates)


@SETTINGS
@given(boolean_circuits())
def test_dict_round_trip_through_json(c):
    body = c.to_dict()
    assert BooleanCircuit.from_dict(body) == c
    assert BooleanCircuit.from_dict(json.loads(json.dumps(body))) == c


@SETTINGS
@given(raw_circuits())
def test_to_aig_preserves_the_function(raw):
    n, b, gates, outputs = raw
    c = build(n, b, gates, outputs)
    a = to_aig(c)
    assert a.basis == AIG
    assert a.truth_table().outputs == tuple(reference_tables(n, gates, outputs))
    if b == AIG:
        assert a == c
    # cost bound of the expansion: k-input AND/OR -> k - 1 ANDs, any 2-input op <= 3 ANDs
    if b.name in ("aig", "mono"):
        assert a.size <= sum(len(ins) - 1 for _, ins in gates)
    if b == B2:
        assert a.size <= 3 * len(gates)


def test_to_aig_costs_of_two_input_ops():
    for op in Op2:
        c = BooleanCircuit.from_gates(2, [(op, (0, 1))], [2])
        a = to_aig(c)
        assert a.computes(c.truth_table()), op.name
        expected = {
            "XOR": 3,
            "NXOR": 3,
            "ALWAYS_FALSE": 0,
            "ALWAYS_TRUE": 0,
            "LNOT": 0,
            "RNOT": 0,
            "LIFF": 0,
            "RIFF": 0,
        }
        assert a.size == expected.get(op.name, 1), op.name


@SETTINGS
@given(boolean_circuits())
def test_networkx_graph(c):
    g = c.to_networkx()
    assert isinstance(g, nx.DiGraph) and nx.is_directed_acyclic_graph(g)
    kinds = nx.get_node_attributes(g, "kind")
    assert sum(k == "gate" for k in kinds.values()) == c.size
    assert sum(k == "output" for k in kinds.values()) == c.num_outputs
    assert all("label" in data for _, data in g.nodes(data=True))
    for i, gate in enumerate(c.gates):
        node = c.n + i
        pins = sorted(p for _, _, d in g.in_edges(node, data=True) for p in d["pins"])
        assert pins == list(range(gate.arity))
    for k, e in enumerate(c.outputs):
        assert g.edges[e.node, f"y{k}"]["neg"] == e.neg


# ------------------------------------------------------------------ validation
def test_non_topological_gate():
    with pytest.raises(ModelError, match="reads node 2"):
        BooleanCircuit.from_gates(2, [(Op2.AND, (0, 2))], [2])
    with pytest.raises(ModelError):
        BooleanCircuit.from_gates(2, [(Op2.AND, (0, 1)), (Op2.AND, (0, 4))], [3])


def test_wrong_arity():
    with pytest.raises(ModelError, match="at most 2"):
        BooleanCircuit.from_gates(3, [(0x80, (0, 1, 2))], [3])
    with pytest.raises(ModelError):
        Gate(Op2.LNOT, (Edge(0),))
    with pytest.raises(ModelError):
        Gate(0x100, (Edge(0), Edge(1), Edge(2)))  # 9 bits for 8 rows
    with pytest.raises(ModelError):
        Gate(-1, (Edge(0), Edge(1)))


def test_op_not_in_basis():
    with pytest.raises(ModelError, match="XOR"):
        BooleanCircuit.from_gates(2, [(Op2.XOR, (0, 1))], [2], basis=MONO)
    with pytest.raises(ModelError):
        BooleanCircuit.from_gates(2, [(Op2.OR, (0, 1))], [2], basis=AIG)
    with pytest.raises(ModelError):
        BooleanCircuit.from_gates(2, [(Op2.GT, (0, 1))], [2], basis=MONO)
    # MONO3 allows 2- and 3-input AND/OR, not majority
    BooleanCircuit.from_gates(3, [(0x80, (0, 1, 2)), (Op2.OR, (3, 0))], [4], basis=Basis("mono", 3))
    with pytest.raises(ModelError):
        BooleanCircuit.from_gates(3, [(0xE8, (0, 1, 2))], [3], basis=Basis("mono", 3))


def test_negation_only_with_free_negations():
    with pytest.raises(ModelError, match="negated"):
        BooleanCircuit.from_gates(2, [(Op2.AND, (Edge(0, True), 1))], [2], basis=B2)
    with pytest.raises(ModelError, match="negated"):
        BooleanCircuit.from_gates(2, [(Op2.AND, (0, 1))], [Edge(2, True)], basis=MONO)
    # constants of both polarities are fine everywhere
    c = BooleanCircuit.from_gates(1, [(Op2.AND, (0, Edge(-1, True)))], [1, Edge(-1, True)], basis=MONO)
    assert c.truth_table().outputs == (0b10, 0b11)


def test_outputs_are_checked():
    with pytest.raises(ModelError, match="at least one output"):
        BooleanCircuit(2, B2, (), ())
    with pytest.raises(ModelError):
        BooleanCircuit(2, B2, (), (Edge(2),))
    with pytest.raises(ModelError):
        Edge(-2)
    with pytest.raises(ModelError):
        Edge(0, "yes")


def test_basis_factory():
    assert basis("b2") == B2 and basis("AIG") == AIG and basis("mono", 3) == Basis("mono", 3)
    assert basis("b3") == Basis("b2", 3)
    assert B2.label == "B2" and Basis("b2", 4).label == "B4" and AIG.free_negations and not MONO.free_negations
    with pytest.raises(SpecError, match="b2, aig, mono"):
        basis("xag")
    with pytest.raises(SpecError):
        basis("b2", 6)
    with pytest.raises(SpecError):
        basis("aig", 1)
    with pytest.raises(SpecError):
        basis("b3", 2)
    with pytest.raises(SpecError):
        Basis("nand")


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d.pop("gates"), "missing gates"),
        (lambda d: d.update(extra=1), "extra"),
        (lambda d: d.update(n="3"), "field n"),
        (lambda d: d.update(n=True), "field n"),
        (lambda d: d.update(n=-1), "field n"),
        (lambda d: d.update(basis="xag"), "basis"),
        (lambda d: d.update(basis=2), "field basis"),
        (lambda d: d.update(fanin=9), "basis"),
        (lambda d: d.update(gates={}), "field gates"),
        (lambda d: d["gates"][0].update(op="AND"), "gates[0].op"),
        (lambda d: d["gates"][0].update(op=True), "gates[0].op"),
        (lambda d: d["gates"][1].update(inputs=[[0, 0], [1, False]]), "gates[1].inputs[0][1]"),
        (lambda d: d["gates"][1].update(inputs=[{"node": 0}, [1, False]]), "gates[1].inputs[0]"),
        (lambda d: d["gates"][1].update(inputs=[[-2, False], [1, False]]), "gates[1].inputs[0][0]"),
        (lambda d: d["gates"][0].pop("inputs"), "gates[0]"),
        (lambda d: d.update(outputs=[[4, False, 1]]), "outputs[0]"),
        (lambda d: d.update(model="threshold"), "model"),
    ],
)
def test_from_dict_rejects_malformed_data(mutate, field):
    d = full_adder().to_dict()
    mutate(d)
    with pytest.raises(FormatError) as info:
        BooleanCircuit.from_dict(d)
    assert field in str(info.value)
    assert "\n" not in str(info.value)


def test_from_dict_model_errors_and_model_field():
    d = full_adder().to_dict()
    assert BooleanCircuit.from_dict({**d, "model": "boolean"}) == full_adder()
    d["gates"][0]["inputs"][0] = [5, False]
    with pytest.raises(ModelError):
        BooleanCircuit.from_dict(d)
    with pytest.raises(FormatError):
        BooleanCircuit.from_dict([1, 2])


def test_to_dict_is_json_native():
    d = full_adder().to_dict()
    assert d["basis"] == "b2" and d["fanin"] == 2
    assert d["gates"][0] == {"op": 6, "inputs": [[0, False], [1, False]]}
    assert d["outputs"] == [[4, False], [7, False]]
    assert type(d["gates"][0]["op"]) is int
