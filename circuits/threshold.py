"""Threshold circuits: feedforward circuits of linear threshold gates.

A gate with weights ``w_u`` on nodes ``u`` and threshold ``t`` outputs

    g = 1  iff  sum_u w_u * value(u) >= t,   else 0.

Weights and thresholds are Python integers of unbounded size.  Integer weights
lose no generality on Boolean inputs: every real-weight gate computes the same
function as some integer one.  The literature usually writes a gate as
``sign(sum_u w_u u - theta)`` with ``sign(z) = 1 iff z > 0``; with integer weights and
``theta`` this is the gate above with ``t = theta + 1``.

Node numbering follows :mod:`circuits.model`: nodes ``0 .. n-1`` are the inputs
``x0 .. x_{n-1}``, gate ``i`` is node ``n + i`` and reads only nodes with a smaller
number.  A gate may read inputs and any earlier gate, so the circuit can have any
depth and skip connections; layered circuits are a special case
(:meth:`ThresholdCircuit.is_layered`).  Outputs are gate nodes.

>>> maj3 = ThresholdCircuit.single_gate(3, [1, 1, 1], 2)
>>> maj3.truth_table().hex()
'e8'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from circuits import dag
from circuits.display import Displayed
from circuits.errors import ArityError, FormatError, ModelError, SpecError, TooLargeError
from circuits.schema import (
    expect_dict as _expect_dict,
    expect_int as _expect_int,
    expect_list as _expect_list,
    is_int as _is_int,
)
from circuits.truthtable import MAX_INPUTS, TruthTable

if TYPE_CHECKING:
    import networkx as nx  # imported by to_networkx() (fast start-up)

__all__ = ["ThresholdGate", "ThresholdCircuit"]

#: Sums whose absolute value stays below this bound are computed in int64.
_INT64_SAFE = 1 << 62


@dataclass(frozen=True, slots=True)
class ThresholdGate:
    """One linear threshold gate: ``1 iff sum(w * value(node)) >= threshold``.

    ``weights`` holds ``(node, weight)`` pairs.  The constructor normalises them:
    pairs are sorted by node, and **pairs with weight 0 are dropped**, because a zero
    weight is no connection.  So two gates that compute the same linear form compare
    equal, and fan-in and drawings show only real wires.  A repeated node raises
    :class:`ModelError`, and so does a non-integer node, weight or threshold.  Bools
    and floats count as non-integers.  A gate with no weights is a constant,
    ``[0 >= threshold]``.
    """

    weights: tuple[tuple[int, int], ...]
    threshold: int

    def __post_init__(self) -> None:
        try:
            pairs = list(self.weights)
        except TypeError:
            raise ModelError(f"gate weights must be a sequence of (node, weight) pairs, got {self.weights!r}") from None
        clean: dict[int, int] = {}
        for pair in pairs:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise ModelError(f"gate weight entry {pair!r} is not a (node, weight) pair")
            node, weight = pair
            if not _is_int(node) or node < 0:
                raise ModelError(f"gate reads node {node!r}: nodes are non-negative integers")
            if not _is_int(weight):
                raise ModelError(f"weight {weight!r} on node {node} is not an integer")
            node, weight = int(node), int(weight)
            if node in clean:
                raise ModelError(f"gate reads node {node} twice")
            clean[node] = weight
        if not _is_int(self.threshold):
            raise ModelError(f"threshold {self.threshold!r} is not an integer")
        object.__setattr__(self, "weights", tuple((u, w) for u, w in sorted(clean.items()) if w != 0))
        object.__setattr__(self, "threshold", int(self.threshold))

    @property
    def nodes(self) -> tuple[int, ...]:
        """The nodes this gate reads, in increasing order."""
        return tuple(u for u, _ in self.weights)

    @property
    def fan_in(self) -> int:
        return len(self.weights)

    def value(self, node_values: Sequence[int]) -> int:
        """The gate's output when node ``u`` has value ``node_values[u]``."""
        return int(sum(w * node_values[u] for u, w in self.weights) >= self.threshold)

    def __str__(self) -> str:
        terms = " + ".join(f"{w}*[{u}]" for u, w in self.weights).replace("+ -", "- ")
        return f"[{terms or '0'} >= {self.threshold}]"


@dataclass(frozen=True, slots=True)
class ThresholdCircuit(Displayed):
    """An ``n``-input threshold circuit. It implements :class:`circuits.model.CircuitModel`.

    ``gates[i]`` is node ``n + i``.  ``outputs[k]`` is the gate node computing output
    ``k``.  The same gate may appear as several outputs.  The constructor raises
    :class:`ModelError` if a gate reads a node that is not smaller than its own, if an
    output is not a gate node, or if there is no output.

    Gates that no output depends on are allowed.  They count in :attr:`size`,
    :attr:`depth`, :attr:`total_weight` and :attr:`max_weight` like every other gate.
    """

    MODEL: ClassVar[str] = "threshold"

    n: int
    gates: tuple[ThresholdGate, ...]
    outputs: tuple[int, ...]

    def __post_init__(self) -> None:
        n = dag.check_num_inputs(self.n)
        object.__setattr__(self, "n", n)
        gates, outputs = dag.check_sequences(self.gates, self.outputs, "gates")
        for i, g in enumerate(gates):
            if not isinstance(g, ThresholdGate):
                raise ModelError(f"gate {i} is a {type(g).__name__}, not a ThresholdGate")
            dag.check_reads(n, i, g.nodes, "gate")
        object.__setattr__(self, "gates", gates)
        object.__setattr__(self, "outputs", dag.check_outputs(n, len(gates), outputs, "gate", "circuit"))

    # ------------------------------------------------------------ build
    @classmethod
    def single_gate(cls, n: int, weights: Sequence[int], threshold: int) -> ThresholdCircuit:
        """The one-gate circuit ``[sum_j weights[j] * x_j >= threshold]`` on ``n`` inputs."""
        weights = list(weights)
        if len(weights) != n:
            raise ArityError(f"a gate on {n} inputs needs {n} weights, got {len(weights)}")
        return cls(n, (ThresholdGate(tuple(enumerate(weights)), threshold),), (n,))

    # ------------------------------------------------------------ measures
    @property
    def num_outputs(self) -> int:
        return len(self.outputs)

    @property
    def size(self) -> int:
        """Number of gates, output gates included."""
        return len(self.gates)

    def layers(self) -> tuple[int, ...]:
        """Depth of each gate (entry ``i`` is for gate ``i``).

        Inputs have depth 0.  A gate's depth is 1 plus the largest depth among the nodes
        it reads.  A gate that reads nothing has depth 1.
        """
        return dag.node_layers(self.n, (g.nodes for g in self.gates))

    @property
    def depth(self) -> int:
        """Number of gates on the longest path, i.e. the largest gate depth of :meth:`layers`."""
        return dag.depth(self.layers())

    def is_layered(self) -> bool:
        """True iff every gate reads only nodes of depth exactly one less than its own.

        Inputs have depth 0, so a gate of depth ``k`` reads only gates of depth ``k - 1``,
        and a depth-1 gate reads only inputs.
        """
        return dag.is_layered(self.n, (g.nodes for g in self.gates), self.layers())

    @property
    def total_weight(self) -> int:
        """The sum of ``|w|`` over every weight of every gate. Thresholds are not included."""
        return sum(abs(w) for g in self.gates for _, w in g.weights)

    @property
    def max_weight(self) -> int:
        """The largest of ``|w|`` and ``|t|`` over all weights ``w`` and thresholds ``t``.

        The value is 0 if there are no gates.
        """
        return max((max([abs(g.threshold)] + [abs(w) for _, w in g.weights]) for g in self.gates), default=0)

    # ------------------------------------------------------------ evaluation
    def evaluate(self, x: Sequence[int]) -> tuple[int, ...]:
        """Output bits (output 0 first) on one Boolean assignment ``x = (x0, ..., x_{n-1})``."""
        if len(x) != self.n:
            raise ArityError(f"assignment has {len(x)} bits, circuit has {self.n} inputs")
        values = []
        for j, b in enumerate(x):
            if not isinstance(b, (int, np.integer)) or b not in (0, 1):
                raise SpecError(f"input x{j} = {b!r} is not a bit 0 or 1")
            values.append(int(b))
        for g in self.gates:
            values.append(g.value(values))
        return tuple(values[o] for o in self.outputs)

    def node_values(self) -> np.ndarray:
        """Values of every node on all ``2**n`` rows: a ``uint8`` array of shape ``(n + size, 2**n)``.

        A gate uses int64 arithmetic when its sum of ``|w|`` plus ``|t|`` stays below
        ``2**62``, which rules out overflow.  Otherwise it uses exact Python integers in
        object arrays.
        """
        if self.n > MAX_INPUTS:
            raise TooLargeError(f"{self.n} inputs is too many: truth tables support at most {MAX_INPUTS}")
        rows = 1 << self.n
        values = np.empty((self.n + self.size, rows), dtype=np.uint8)
        index = np.arange(rows, dtype=np.int64)
        for j in range(self.n):
            values[j] = (index >> j) & 1
        for i, g in enumerate(self.gates):
            bound = sum(abs(w) for _, w in g.weights) + abs(g.threshold)
            if bound < _INT64_SAFE:
                acc = np.zeros(rows, dtype=np.int64)
                for u, w in g.weights:
                    acc += np.int64(w) * values[u]
            else:
                acc = np.zeros(rows, dtype=object)
                for u, w in g.weights:
                    acc = acc + values[u].astype(object) * w
            values[self.n + i] = np.asarray(acc >= g.threshold, dtype=bool)
        return values

    def truth_table(self) -> TruthTable:
        """The exact function computed on all ``2**n`` Boolean rows."""
        values = self.node_values()
        return TruthTable.from_bits(self.n, [values[o] for o in self.outputs])

    def computes(self, target: TruthTable) -> bool:
        """True iff the circuit computes ``target`` exactly.

        Raises :class:`ArityError` if ``target`` has a different number of inputs or
        outputs.
        """
        if target.n != self.n or target.m != self.num_outputs:
            raise ArityError(
                f"circuit has {self.n} inputs and {self.num_outputs} outputs, "
                f"target has {target.n} inputs and {target.m} outputs"
            )
        return self.truth_table() == target

    # ------------------------------------------------------------ formats
    def to_dict(self) -> dict[str, Any]:
        """JSON-native body: ``{"n", "gates": [{"weights": [[node, w], ...], "threshold"}], "outputs"}``."""
        return {
            "n": self.n,
            "gates": [{"weights": [[u, w] for u, w in g.weights], "threshold": g.threshold} for g in self.gates],
            "outputs": list(self.outputs),
        }

    @classmethod
    def from_dict(cls, data: Any) -> ThresholdCircuit:
        """Inverse of :meth:`to_dict`.

        Raises :class:`FormatError`, naming the field, if the data is malformed: a wrong
        type, a missing or unknown field, or a bool where an integer belongs.  Raises
        :class:`ModelError` if the data is well formed but the circuit breaks the model's
        rules.  An optional ``"model"`` field must equal ``"threshold"``.
        """
        body = _expect_dict(data, "circuit", {"n", "gates", "outputs"}, {"model"})
        if "model" in body and body["model"] != cls.MODEL:
            raise FormatError(f"field model is {body['model']!r}, expected {cls.MODEL!r}")
        n = _expect_int(body["n"], "n")
        gates_raw = _expect_list(body["gates"], "gates")
        gates = []
        for i, graw in enumerate(gates_raw):
            where = f"gates[{i}]"
            gd = _expect_dict(graw, where, {"weights", "threshold"})
            pairs = []
            for k, p in enumerate(_expect_list(gd["weights"], f"{where}.weights")):
                pw = f"{where}.weights[{k}]"
                if not isinstance(p, list) or len(p) != 2:
                    raise FormatError(f"field {pw} must be a [node, weight] pair, got {p!r}")
                pairs.append((_expect_int(p[0], f"{pw}[0]"), _expect_int(p[1], f"{pw}[1]")))
            gates.append(ThresholdGate(tuple(pairs), _expect_int(gd["threshold"], f"{where}.threshold")))
        outputs = tuple(_expect_int(o, f"outputs[{k}]") for k, o in enumerate(_expect_list(body["outputs"], "outputs")))
        return cls(n, tuple(gates), outputs)

    def to_networkx(self) -> nx.DiGraph:
        """Drawing graph: input ``j`` is node ``j``, gate ``i`` is node ``n + i``, output ``k`` is node ``"y{k}"``.

        Node attributes are ``label`` and ``kind``.  ``kind`` is ``'input'``, ``'gate'`` or
        ``'output'``.  A gate's label is its threshold, for example ``"≥3"``.  An edge from
        node ``u`` to a gate has ``label`` (the weight as a string) and ``weight`` (an int).
        The edge from an output gate to its ``y`` sink has label ``""``.
        """
        return dag.to_networkx(
            self.n,
            ((f"≥{g.threshold}", {}, [(u, {"label": str(w), "weight": w}) for u, w in g.weights]) for g in self.gates),
            [(o, {"label": ""}) for o in self.outputs],
        )

    def __str__(self) -> str:
        lines = [f"threshold circuit: {self.n} inputs, {self.size} gates, depth {self.depth}"]
        for i, g in enumerate(self.gates):
            lines.append(f"  [{self.n + i}] = {g}")
        lines.append("  outputs: " + ", ".join(f"y{k} = [{o}]" for k, o in enumerate(self.outputs)))
        return "\n".join(lines)


# ---------------------------------------------------------------- parsing
