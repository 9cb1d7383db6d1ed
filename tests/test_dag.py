"""Tests of the node graph shared by the circuit models (circuits/dag.py)."""

from __future__ import annotations

import random

import networkx as nx
import pytest
from hypothesis import given, settings, strategies as st

from circuits import dag
from circuits.errors import ModelError
from circuits.relu import Neuron, ReLUNetwork
from circuits.threshold import ThresholdCircuit, ThresholdGate

SETTINGS = settings(max_examples=200, deadline=None)


@st.composite
def wirings(draw, max_inputs=4, max_gates=7):
    """``(n, reads)`` with ``reads[i]`` a sorted set of nodes below ``n + i``."""
    n = draw(st.integers(0, max_inputs))
    size = draw(st.integers(0, max_gates))
    reads = []
    for i in range(size):
        nodes = draw(st.lists(st.integers(0, n + i - 1), unique=True, max_size=4)) if n + i else []
        reads.append(tuple(sorted(nodes)))
    return n, reads


def relaxed_layers(n, reads, seed=0):
    """Longest-path layers by relaxing the edges in random order until nothing changes."""
    layer = {v: 0 for v in range(n)} | {n + i: 1 for i in range(len(reads))}
    edges = [(u, n + i) for i, nodes in enumerate(reads) for u in nodes]
    random.Random(seed).shuffle(edges)
    changed = True
    while changed:
        changed = False
        for u, v in edges:
            if layer[u] + 1 > layer[v]:
                layer[v] = layer[u] + 1
                changed = True
    return tuple(layer[n + i] for i in range(len(reads)))


# ------------------------------------------------------------------ layers
@SETTINGS
@given(wirings(), st.integers(0, 3))
def test_node_layers_are_longest_paths(wiring, seed):
    n, reads = wiring
    layers = dag.node_layers(n, reads)
    assert layers == relaxed_layers(n, reads, seed)
    assert dag.depth(layers) == max(layers, default=0)
    widths = dag.layer_widths(layers)
    assert len(widths) == dag.depth(layers) and sum(widths) == len(reads)
    assert all(widths)  # a gate of layer k reads one of layer k - 1, so no layer below the top is empty


@SETTINGS
@given(wirings())
def test_is_layered_means_every_path_to_a_gate_has_one_length(wiring):
    n, reads = wiring
    layers = dag.node_layers(n, reads)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n + len(reads)))
    graph.add_edges_from((u, n + i) for i, nodes in enumerate(reads) for u in nodes)
    # The sources are the inputs and the gates that read nothing (layer 1, as if they read an input).
    # Layered means every path from a source to a gate has the same length.
    lengths: dict[int, set[int]] = {}
    for v in nx.topological_sort(graph):
        preds = list(graph.predecessors(v))
        lengths[v] = {k + 1 for u in preds for k in lengths[u]} if preds else {0 if v < n else 1}
    expected = all(len(lengths[n + i]) == 1 for i in range(len(reads)))
    assert dag.is_layered(n, reads, layers) == expected


@SETTINGS
@given(wirings())
def test_models_agree_on_layers(wiring):
    n, reads = wiring
    if not reads:
        return
    thr = ThresholdCircuit(n, tuple(ThresholdGate(tuple((u, 1) for u in nodes), 1) for nodes in reads), (n,))
    net = ReLUNetwork(n, tuple(Neuron(tuple((u, 1) for u in nodes), 0) for nodes in reads), (n,))
    layers = dag.node_layers(n, reads)
    assert thr.layers() == net.layers() == layers
    assert thr.depth == net.depth == dag.depth(layers)
    assert thr.is_layered() == net.is_layered() == (not net.has_skip_connections())
    assert net.widths() == dag.layer_widths(layers)


def test_output_depth_counts_only_what_outputs_read():
    layers = dag.node_layers(2, [(0, 1), (2,), (0,)])
    assert layers == (1, 2, 1)
    assert dag.output_depth(2, layers, [4]) == 1
    assert dag.output_depth(2, layers, [4, 3]) == 2
    assert dag.output_depth(2, layers, [0, -1]) == 0  # an input and the constant
    assert dag.depth(layers) == 2


# ------------------------------------------------------------------ validation
@SETTINGS
@given(st.integers(0, 4), st.integers(0, 5), st.lists(st.integers(0, 12), max_size=4))
def test_check_reads_rejects_exactly_the_later_nodes(n, i, nodes):
    later = [u for u in nodes if u >= n + i]
    if later:
        with pytest.raises(ModelError, match=rf"^neuron {i} \(node {n + i}\) reads node {later[0]}: "):
            dag.check_reads(n, i, nodes, "neuron")
    else:
        dag.check_reads(n, i, nodes, "neuron")


def test_check_reads_messages():
    with pytest.raises(ModelError, match="a gate may read only inputs and earlier gates$"):
        dag.check_reads(2, 0, [0, 2])
    with pytest.raises(ModelError, match="a gate may read only inputs, constants and earlier gates$"):
        dag.check_reads(2, 1, [3], "gate", "inputs, constants and earlier gates")


def test_check_outputs():
    assert dag.check_outputs(2, 3, [2, 4, 2]) == (2, 4, 2)
    with pytest.raises(ModelError, match="a network needs at least one output"):
        dag.check_outputs(2, 3, [], "neuron", "network")
    with pytest.raises(ModelError, match=r"output 1 is node 5, which is not a gate node \(gates are nodes 2..4\)"):
        dag.check_outputs(2, 3, [2, 5])
    with pytest.raises(ModelError, match=r"output 0 is node 1, which is not a neuron node \(the network has no"):
        dag.check_outputs(2, 0, [1], "neuron", "network")
    with pytest.raises(ModelError, match="output 0 is node True"):
        dag.check_outputs(0, 3, [True])
    with pytest.raises(ModelError, match="output 0 is node 2.0"):
        dag.check_outputs(0, 3, [2.0])


@pytest.mark.parametrize("bad", [-1, True, 2.0, "3", None])
def test_check_num_inputs(bad):
    assert dag.check_num_inputs(3) == 3
    with pytest.raises(ModelError, match="number of inputs must be a non-negative integer"):
        dag.check_num_inputs(bad)


# ------------------------------------------------------------------ order
@st.composite
def read_graphs(draw):
    """Keys 0..m-1 reading any keys (cycles allowed) and outside names, with distinct positions."""
    m = draw(st.integers(0, 8))
    reads = {
        k: draw(st.lists(st.one_of(st.integers(0, m - 1), st.just("x")), max_size=3)) if m else [] for k in range(m)
    }
    position = dict(zip(range(m), draw(st.permutations(range(m)))))
    return reads, position


def naive_order(reads, position):
    """Repeatedly place the ready key of smallest position."""
    placed: list = []
    while True:
        ready = [k for k in reads if k not in placed and all(u in placed or u not in reads for u in reads[k])]
        if not ready:
            return placed
        placed.append(min(ready, key=lambda k: position[k]))


@SETTINGS
@given(read_graphs())
def test_topological_order(graph):
    reads, position = graph
    order = dag.topological_order(reads, position)
    assert order == naive_order(reads, position)
    # the keys left out are exactly those on a cycle or reading one
    g = nx.DiGraph()
    g.add_nodes_from(reads)
    g.add_edges_from((u, k) for k, nodes in reads.items() for u in nodes if u in reads)
    on_cycle = {v for c in nx.strongly_connected_components(g) for v in c if len(c) > 1 or g.has_edge(v, v)}
    blocked = on_cycle | {d for v in on_cycle for d in nx.descendants(g, v)}
    assert set(order) == set(reads) - blocked
    assert len(order) == len(set(order))


def test_topological_order_keeps_file_order():
    reads = {"a": [], "b": ["a"], "c": ["in"], "d": ["c", "b"]}
    assert dag.topological_order(reads, {"a": 1, "b": 2, "c": 3, "d": 4}) == ["a", "b", "c", "d"]
    assert dag.topological_order(reads, {"a": 4, "b": 3, "c": 2, "d": 1}) == ["c", "a", "b", "d"]
    assert dag.topological_order({"a": ["b"], "b": ["a"], "c": []}, {"a": 0, "b": 1, "c": 2}) == ["c"]


def test_check_sequences():
    assert dag.check_sequences([1, 2], iter([3]), "neurons") == ((1, 2), (3,))
    with pytest.raises(ModelError, match="^neurons and outputs must be sequences$"):
        dag.check_sequences([1], 5, "neurons")


# ------------------------------------------------------------------ drawing
def test_to_networkx_order_and_attributes():
    g = dag.to_networkx(
        2,
        [("a", {"extra": 1}, [(0, {"w": 1}), (-1, {})]), ("b", {}, [(2, {"w": 2}), (1, {})])],
        [(3, {"label": ""}), (0, {})],
        sources=[(-1, "0")],
        graph_attrs={"basis": "B2"},
    )
    assert g.graph == {"basis": "B2"}
    assert list(g.nodes(data=True)) == [
        (0, {"label": "x0", "kind": "input"}),
        (1, {"label": "x1", "kind": "input"}),
        (-1, {"label": "0", "kind": "input"}),
        (2, {"label": "a", "kind": "gate", "extra": 1}),
        (3, {"label": "b", "kind": "gate"}),
        ("y0", {"label": "y0", "kind": "output"}),
        ("y1", {"label": "y1", "kind": "output"}),
    ]
    assert list(g.edges(data=True)) == [
        (0, 2, {"w": 1}),
        (0, "y1", {}),
        (1, 3, {}),
        (-1, 2, {}),
        (2, 3, {"w": 2}),
        (3, "y0", {"label": ""}),
    ]
