"""The node graph shared by the circuit models (Boolean, threshold, ReLU).

Node numbering follows :mod:`circuits.model`: nodes ``0 .. n-1`` are the inputs,
gate (or neuron) ``i`` is node ``n + i`` and reads only nodes with a smaller
number.  The functions here work on that numbering alone: a model describes its
wiring by ``reads``, where ``reads[i]`` lists the nodes gate ``i`` reads, and
keeps its own rules (bases, activations, negations) to itself.

Everything is a small pure function; :func:`to_networkx` imports networkx only
when it is called, so importing this module stays cheap.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from circuits.errors import ModelError
from circuits.schema import as_int

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "check_num_inputs",
    "check_sequences",
    "check_reads",
    "check_outputs",
    "topological_order",
    "node_layers",
    "depth",
    "output_depth",
    "is_layered",
    "layer_widths",
    "to_networkx",
]

#: One edge of a drawing: the source node and the edge's attributes.
DrawEdge = tuple[int, Mapping[str, Any]]

K = TypeVar("K", bound=Hashable)


# ------------------------------------------------------------------ validation
def check_num_inputs(n: object) -> int:
    """``n`` as an int if it is a non-negative integer (bools excluded), else :class:`ModelError`."""
    value = as_int(n)
    if value is None or value < 0:
        raise ModelError(f"number of inputs must be a non-negative integer, got {n!r}")
    return value


def check_sequences(
    gates: Iterable[Any], outputs: Iterable[Any], what: str = "gates"
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """``gates`` and ``outputs`` (as a constructor got them) as tuples; :class:`ModelError` if one is not iterable."""
    try:
        return tuple(gates), tuple(outputs)
    except TypeError:
        raise ModelError(f"{what} and outputs must be sequences") from None


def check_reads(n: int, i: int, nodes: Iterable[int], what: str = "gate", sources: str | None = None) -> None:
    """Raise :class:`ModelError` unless gate ``i`` (node ``n + i``) reads only nodes below ``n + i``.

    The message names the first offending node of ``nodes``, the ``what`` (``"gate"``,
    ``"neuron"``) and what such a node may read: ``sources``, by default
    ``"inputs and earlier {what}s"``.
    """
    for u in nodes:
        if u >= n + i:
            may_read = sources if sources is not None else f"inputs and earlier {what}s"
            raise ModelError(f"{what} {i} (node {n + i}) reads node {u}: a {what} may read only {may_read}")


def check_outputs(
    n: int, size: int, outputs: Iterable[object], what: str = "gate", whole: str = "circuit"
) -> tuple[int, ...]:
    """The outputs as ints if there is at least one and each is a gate node ``n .. n + size - 1``.

    Otherwise :class:`ModelError`, naming the first bad output and the gate nodes
    (``what`` is ``"gate"`` or ``"neuron"``, ``whole`` is ``"circuit"`` or ``"network"``).
    """
    outs = tuple(outputs)
    if not outs:
        raise ModelError(f"a {whole} needs at least one output")
    nodes = []
    for k, o in enumerate(outs):
        node = as_int(o)
        if node is None or not n <= node < n + size:
            span = f"{what}s are nodes {n}..{n + size - 1}" if size else f"the {whole} has no {what}s"
            raise ModelError(f"output {k} is node {o!r}, which is not a {what} node ({span})")
        nodes.append(node)
    return tuple(nodes)


# ------------------------------------------------------------------ order
def topological_order(reads: Mapping[K, Iterable[K]], position: Mapping[K, int]) -> list[K]:
    """The keys of ``reads`` ordered so that each comes after the keys it reads.

    ``reads[k]`` lists what ``k`` reads; what is not a key (an input, a constant) is
    ignored.  Among the keys ready at a step the one of smallest ``position`` (its place
    in a file) comes first, so a file written in order keeps its order.  A key on a
    cycle, or reading one, is never ready: the order is shorter than ``reads`` exactly
    when there is a cycle, and the keys it lacks are those.
    """
    keys = list(reads)
    index = {k: i for i, k in enumerate(keys)}
    users: list[list[int]] = [[] for _ in keys]
    pending = [0] * len(keys)
    for i, k in enumerate(keys):
        deps = {index[u] for u in reads[k] if u in index}
        for d in deps:
            users[d].append(i)
        pending[i] = len(deps)
    heap = [(position[k], i) for i, k in enumerate(keys) if pending[i] == 0]
    heapq.heapify(heap)
    order: list[K] = []
    while heap:
        _, i = heapq.heappop(heap)
        order.append(keys[i])
        for u in users[i]:
            pending[u] -= 1
            if pending[u] == 0:
                heapq.heappush(heap, (position[keys[u]], u))
    return order


# ------------------------------------------------------------------ layers
def node_layers(n: int, reads: Iterable[Iterable[int]]) -> tuple[int, ...]:
    """Layer (depth) of each gate: entry ``i`` is for gate ``i``.

    Inputs are layer 0.  A gate's layer is 1 plus the largest layer among the nodes it
    reads, so a gate that reads nothing is in layer 1.  ``reads[i]`` must hold only
    nodes below ``n + i`` (:func:`check_reads`).
    """
    layer = [0] * n
    for nodes in reads:
        layer.append(1 + max((layer[u] for u in nodes), default=0))
    return tuple(layer[n:])


def depth(layers: Iterable[int]) -> int:
    """The largest layer of :func:`node_layers` (0 without gates): every gate counts."""
    return max(layers, default=0)


def output_depth(n: int, layers: Sequence[int], outputs: Iterable[int]) -> int:
    """The largest layer among the ``outputs`` nodes (inputs and negative constant nodes: 0).

    Unlike :func:`depth`, gates that no output reads directly do not count by themselves.
    """
    return max((layers[o - n] if o >= n else 0 for o in outputs), default=0)


def is_layered(n: int, reads: Iterable[Iterable[int]], layers: Sequence[int]) -> bool:
    """True iff every gate reads only nodes of the layer just below its own (no skip connections)."""
    node_layer = (0,) * n + tuple(layers)
    return all(node_layer[u] == layers[i] - 1 for i, nodes in enumerate(reads) for u in nodes)


def layer_widths(layers: Iterable[int]) -> tuple[int, ...]:
    """Number of gates in each layer ``1 .. depth(layers)``."""
    layers = tuple(layers)
    counts = [0] * depth(layers)
    for layer in layers:
        counts[layer - 1] += 1
    return tuple(counts)


# ------------------------------------------------------------------ drawing
def to_networkx(
    n: int,
    gates: Iterable[tuple[str, Mapping[str, Any], Iterable[DrawEdge]]],
    outputs: Iterable[DrawEdge],
    *,
    sources: Iterable[tuple[int, str]] = (),
    graph_attrs: Mapping[str, Any] | None = None,
) -> nx.DiGraph:
    """The drawing graph of a circuit, in the form :class:`circuits.model.CircuitModel` documents.

    Input ``j`` is node ``j`` (label ``"x{j}"``), then come the extra ``sources``
    (``(node, label)`` pairs such as a constant), gate ``i`` is node ``n + i``, output
    ``k`` is node ``"y{k}"``; every node has ``label`` and ``kind`` (``'input'``,
    ``'gate'``, ``'output'``).  ``gates[i]`` is ``(label, attrs, edges)``: the gate's
    label, its further node attributes and its in-edges ``(source, edge attrs)``;
    ``outputs[k]`` is the in-edge of output ``k``.  Nodes and edges are added in this
    order, so drawings are laid out the same on every run.
    """
    import networkx as nx

    graph = nx.DiGraph(**(graph_attrs or {}))
    for j in range(n):
        graph.add_node(j, label=f"x{j}", kind="input")
    for node, label in sources:
        graph.add_node(node, label=label, kind="input")
    for i, (label, attrs, edges) in enumerate(gates):
        graph.add_node(n + i, label=label, kind="gate", **attrs)
        for u, edge_attrs in edges:
            graph.add_edge(u, n + i, **edge_attrs)
    for k, (u, edge_attrs) in enumerate(outputs):
        graph.add_node(f"y{k}", label=f"y{k}", kind="output")
        graph.add_edge(u, f"y{k}", **edge_attrs)
    return graph
