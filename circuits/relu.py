"""Feedforward ReLU networks with exact rational weights.

A neuron with weights ``w_u`` on nodes ``u``, bias ``b`` and an activation computes
``act(z)`` with ``z = sum_u w_u * value(u) + b``.  There are three activations:

* ``"relu"``: ``max(0, z)``;
* ``"linear"``: ``z``.  This is the usual output neuron in the literature;
* ``"threshold"``: ``1 if z >= 0 else 0``.  The convention ``z > 0`` differs from it
  only by a shift of the bias.  A network has finitely many pre-activation values on
  the finite input set ``{0,1}^n``, so ``[z > 0] = [z - eps >= 0]`` for every small
  enough ``eps > 0``.  With integer weights and biases ``z`` is an integer on the
  cube, and ``eps = 1`` works.

Every neuron that is not an output must be a ``"relu"`` neuron.  Outputs may use any
of the three activations, but a non-ReLU neuron may not feed another neuron.

Weights and biases are :class:`fractions.Fraction`.  Ints are accepted and converted.
Floats are rejected, because every value the network computes must be exact.

Node numbering follows :mod:`circuits.model`: nodes ``0 .. n-1`` are the inputs,
neuron ``i`` is node ``n + i`` and reads only nodes with a smaller number.  Skip
connections are allowed.  Counting follows Vardi, Reichman, Pitassi and Shamir, "Size
and Depth Separation in Approximating Benign Functions with Neural Networks" (COLT
2021): **size = number of neurons including the output neuron(s)**,
and **depth = number of layers including the output layer**.  So a network with one
hidden layer has depth 2.

>>> h1 = Neuron(((0, 1), (1, 1)), 0)
>>> h2 = Neuron(((0, 1), (1, 1)), -1)
>>> out = Neuron(((2, 1), (3, -2)), 0, "linear")
>>> xor = ReLUNetwork(2, (h1, h2, out), (4,))
>>> xor.truth_table().hex(), xor.size, xor.depth
('6', 3, 2)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
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

__all__ = ["ACTIVATIONS", "Neuron", "ReLUNetwork", "evaluate_points", "fraction_to_json", "fraction_from_json"]

#: The activations a neuron may have.
ACTIVATIONS = ("relu", "linear", "threshold")

#: Integer sums whose absolute value stays below this bound are computed in int64.
_INT64_SAFE = 1 << 62

#: A node's values on a batch of rows: ``(A, D)`` with value ``A[row] / D``.
_Column = tuple[np.ndarray, int]

_FRACTION_TEXT = re.compile(r"-?[0-9]+(/[0-9]+)?")


def _exact(value: Any, what: str) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if _is_int(value):
        return Fraction(int(value))
    raise ModelError(f"{what} {value!r} is not an int or Fraction (floats are rejected to keep arithmetic exact)")


def fraction_to_json(value: Fraction) -> int | str:
    """A JSON int when ``value`` is integral, else the string ``"p/q"`` in lowest terms."""
    return value.numerator if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def fraction_from_json(value: Any, where: str) -> Fraction:
    """Inverse of :func:`fraction_to_json`.

    Accepts a JSON int or a string ``"p"`` or ``"p/q"`` with decimal ``p``, ``q`` and
    ``q > 0``.  Anything else raises :class:`FormatError` naming ``where``: floats,
    bools, ``"1.5"``, ``"1e3"`` and the like.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return Fraction(value)
    if isinstance(value, str) and _FRACTION_TEXT.fullmatch(value):
        num, _, den = value.partition("/")
        try:
            p, q = int(num), int(den or "1")
        except ValueError:
            raise FormatError(f"field {where} has too many digits") from None
        if q == 0:
            raise FormatError(f"field {where} has zero denominator: {value!r}")
        return Fraction(p, q)
    raise FormatError(f"field {where} must be an integer or a string 'p/q', got {value!r}")


@dataclass(frozen=True, slots=True, init=False)
class Neuron:
    """One neuron, ``activation(sum(w * value(node)) + bias)``.

    The constructor normalises ``weights`` in the same way as
    :class:`circuits.threshold.ThresholdGate`.  Pairs are sorted by node, and **pairs
    with weight 0 are dropped**.  A repeated node raises :class:`ModelError`.  Weights
    and the bias become Fractions (ints are accepted).  A float, bool or other
    non-exact number raises :class:`ModelError`.
    """

    weights: tuple[tuple[int, Fraction], ...]
    bias: Fraction
    activation: str = "relu"

    # An explicit constructor: it takes ints where the normalised fields hold Fractions.
    def __init__(
        self, weights: Iterable[tuple[int, Fraction | int]], bias: Fraction | int, activation: str = "relu"
    ) -> None:
        try:
            pairs = list(weights)
        except TypeError:
            raise ModelError(f"neuron weights must be a sequence of (node, weight) pairs, got {weights!r}") from None
        clean: dict[int, Fraction] = {}
        for pair in pairs:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise ModelError(f"neuron weight entry {pair!r} is not a (node, weight) pair")
            node, weight = pair
            if not _is_int(node) or node < 0:
                raise ModelError(f"neuron reads node {node!r}: nodes are non-negative integers")
            node = int(node)
            if node in clean:
                raise ModelError(f"neuron reads node {node} twice")
            clean[node] = _exact(weight, f"weight on node {node}")
        if activation not in ACTIVATIONS:
            raise ModelError(f"unknown activation {activation!r} (expected one of {', '.join(ACTIVATIONS)})")
        object.__setattr__(self, "weights", tuple((u, w) for u, w in sorted(clean.items()) if w != 0))
        object.__setattr__(self, "bias", _exact(bias, "bias"))
        object.__setattr__(self, "activation", activation)

    @property
    def nodes(self) -> tuple[int, ...]:
        """The nodes this neuron reads, in increasing order."""
        return tuple(u for u, _ in self.weights)

    @property
    def fan_in(self) -> int:
        return len(self.weights)

    def is_integer(self) -> bool:
        return self.bias.denominator == 1 and all(w.denominator == 1 for _, w in self.weights)

    def activate(self, z: Fraction) -> Fraction:
        if self.activation == "relu":
            return max(Fraction(0), z)
        if self.activation == "linear":
            return z
        return Fraction(1 if z >= 0 else 0)

    def value(self, node_values: Sequence[Fraction]) -> Fraction:
        """The neuron's output when node ``u`` has value ``node_values[u]``."""
        return self.activate(sum((w * node_values[u] for u, w in self.weights), self.bias))

    def __str__(self) -> str:
        parts = [f"{w}*[{u}]" for u, w in self.weights]
        if self.bias or not parts:
            parts.append(str(self.bias))
        return f"{self.activation}({' + '.join(parts).replace('+ -', '- ')})"


@dataclass(frozen=True, slots=True)
class ReLUNetwork(Displayed):
    """An ``n``-input ReLU network. It implements :class:`circuits.model.CircuitModel`.

    ``neurons[i]`` is node ``n + i``.  ``outputs[k]`` is the neuron node of output
    ``k``.  The constructor raises :class:`ModelError` in these cases:

    * a neuron reads a node that is not smaller than its own;
    * an output is not a neuron node, or there is no output;
    * a neuron that is not an output is not ``"relu"``;
    * a ``"linear"`` or ``"threshold"`` neuron is read by another neuron.

    Neurons that no output depends on are allowed.  They count in :attr:`size`,
    :attr:`depth` and :meth:`widths` like every other neuron.
    """

    MODEL: ClassVar[str] = "relu"

    n: int
    neurons: tuple[Neuron, ...]
    outputs: tuple[int, ...]

    def __post_init__(self) -> None:
        n = dag.check_num_inputs(self.n)
        object.__setattr__(self, "n", n)
        neurons, outputs = dag.check_sequences(self.neurons, self.outputs, "neurons")
        for i, v in enumerate(neurons):
            if not isinstance(v, Neuron):
                raise ModelError(f"neuron {i} is a {type(v).__name__}, not a Neuron")
            # v.nodes is sorted, so the nodes below n + i come before every node check_reads
            # rejects: checking them first names the first offending node of v.nodes.
            for u in v.nodes:
                if n <= u < n + i and neurons[u - n].activation != "relu":
                    raise ModelError(
                        f"neuron {i} (node {n + i}) reads node {u}, a {neurons[u - n].activation} neuron: "
                        "only relu neurons may feed other neurons"
                    )
            dag.check_reads(n, i, v.nodes, "neuron")
        outputs = dag.check_outputs(n, len(neurons), outputs, "neuron", "network")
        out_set = set(outputs)
        for i, v in enumerate(neurons):
            if v.activation != "relu" and n + i not in out_set:
                raise ModelError(
                    f"neuron {i} (node {n + i}) is a hidden neuron with activation {v.activation!r}; hidden neurons must be relu"
                )
        object.__setattr__(self, "neurons", neurons)
        object.__setattr__(self, "outputs", outputs)

    # ------------------------------------------------------------ measures
    @property
    def num_outputs(self) -> int:
        return len(self.outputs)

    @property
    def size(self) -> int:
        """Number of neurons, output neurons included."""
        return len(self.neurons)

    def layers(self) -> tuple[int, ...]:
        """Layer of each neuron (entry ``i`` is for neuron ``i``).

        Inputs are layer 0.  A neuron's layer is 1 plus the largest layer among the
        nodes it reads.  A neuron that reads nothing is in layer 1.
        """
        return dag.node_layers(self.n, (v.nodes for v in self.neurons))

    @property
    def depth(self) -> int:
        """Number of layers, output layer included, i.e. the largest layer of :meth:`layers`."""
        return dag.depth(self.layers())

    @property
    def hidden_layers(self) -> int:
        return self.depth - 1

    def widths(self) -> tuple[int, ...]:
        """Number of neurons in each layer ``1 .. depth``. The last entry is the output layer."""
        return dag.layer_widths(self.layers())

    def has_skip_connections(self) -> bool:
        """True iff some neuron reads a node outside the layer just below its own."""
        return not self.is_layered()

    def is_layered(self) -> bool:
        return dag.is_layered(self.n, (v.nodes for v in self.neurons), self.layers())

    def is_integer(self) -> bool:
        """True iff every weight and bias is an integer."""
        return all(v.is_integer() for v in self.neurons)

    def num_parameters(self) -> int:
        """Number of nonzero weights plus one bias per neuron. Zero biases are counted too."""
        return sum(v.fan_in + 1 for v in self.neurons)

    @property
    def output_activations(self) -> tuple[str, ...]:
        return tuple(self.neurons[o - self.n].activation for o in self.outputs)

    # ------------------------------------------------------------ evaluation
    def evaluate(self, x: Sequence[Fraction | int]) -> tuple[Fraction, ...]:
        """Exact output values at an arbitrary rational point ``x = (x0, ..., x_{n-1})``.

        One point in plain Fraction arithmetic; :func:`evaluate_points` evaluates many
        points at once and :meth:`values_on_cube` all Boolean points.
        """
        values = _coordinates(x, self.n, allow_bool=True)
        for v in self.neurons:
            values.append(v.value(values))
        return tuple(values[o] for o in self.outputs)

    def _cube_arrays(self) -> list[_Column]:
        """Exact values of every node on all ``2**n`` Boolean rows, as :func:`_node_columns` gives them."""
        if self.n > MAX_INPUTS:
            raise TooLargeError(f"{self.n} inputs is too many: evaluation on the cube supports at most {MAX_INPUTS}")
        index = np.arange(1 << self.n, dtype=np.int64)
        return _node_columns(self, [((index >> j) & 1, 1) for j in range(self.n)], 1 << self.n)

    def _output_arrays(self) -> list[_Column]:
        nodes = self._cube_arrays()
        return [nodes[o] for o in self.outputs]

    def values_on_cube(self) -> list[tuple[Fraction, ...]]:
        """Exact output values on all ``2**n`` Boolean rows, in row order.

        Row ``i`` is the assignment ``x_j = (i >> j) & 1``.
        """
        return list(zip(*(_fractions(column) for column in self._output_arrays())))

    def truth_table(self) -> TruthTable:
        """The Boolean function computed, if every output is exactly 0 or 1 on every row.

        Otherwise raises :class:`ModelError` naming the first offending row (smallest row
        index, then smallest output index) and its value.
        """
        table = self._table_or_first_bad()
        if not isinstance(table, TruthTable):
            row, k, value = table
            bits = "".join(str((row >> j) & 1) for j in range(self.n))
            raise ModelError(
                f"output {k} is {value} on row {row} (x0..x{self.n - 1} = {bits}), not 0 or 1"
                if self.n
                else f"output {k} is {value}, not 0 or 1"
            )
        return table

    def _table_or_first_bad(self) -> TruthTable | tuple[int, int, Fraction]:
        """The truth table, or ``(row, output, value)`` of the first value that is not 0 or 1."""
        columns = []
        first: tuple[int, int, Fraction] | None = None
        for k, (acc, den) in enumerate(self._output_arrays()):
            is_one = np.asarray(acc == den, dtype=bool)
            ok = is_one | np.asarray(acc == 0, dtype=bool)
            if not ok.all():
                row = int(np.flatnonzero(~ok)[0])
                if first is None or row < first[0]:
                    first = (row, k, Fraction(int(acc[row]), den))
            columns.append(is_one.astype(np.uint8))
        if first is not None:
            return first
        return TruthTable.from_bits(self.n, columns)

    def computes(self, target: TruthTable) -> bool:
        """True iff every output equals ``target`` exactly (0 or 1) on every Boolean row.

        Returns False, and does not raise, when some value is not 0 or 1.  Raises
        :class:`ArityError` when ``target`` has a different number of inputs or outputs.
        """
        if target.n != self.n or target.m != self.num_outputs:
            raise ArityError(
                f"network has {self.n} inputs and {self.num_outputs} outputs, "
                f"target has {target.n} inputs and {target.m} outputs"
            )
        table = self._table_or_first_bad()
        return isinstance(table, TruthTable) and table == target

    # ------------------------------------------------------------ formats
    def to_dict(self) -> dict[str, Any]:
        """JSON-native body: ``{"n", "neurons": [{"weights", "bias", "activation"}], "outputs"}``.

        ``weights`` is a list of ``[node, w]`` pairs.  Every weight and bias is a JSON int
        when integral and a string ``"p/q"`` otherwise.
        """
        return {
            "n": self.n,
            "neurons": [
                {
                    "weights": [[u, fraction_to_json(w)] for u, w in v.weights],
                    "bias": fraction_to_json(v.bias),
                    "activation": v.activation,
                }
                for v in self.neurons
            ],
            "outputs": list(self.outputs),
        }

    @classmethod
    def from_dict(cls, data: Any) -> ReLUNetwork:
        """Inverse of :meth:`to_dict`.

        Raises :class:`FormatError`, naming the field, if the data is malformed.  That
        covers wrong types, missing or unknown fields, bools, floats and number strings
        that are not ``"p/q"``.  Raises :class:`ModelError` if the data is well formed
        but the network breaks the model's rules.  An optional ``"model"`` field must
        equal ``"relu"``.
        """
        body = _expect_dict(data, "network", {"n", "neurons", "outputs"}, {"model"})
        if "model" in body and body["model"] != cls.MODEL:
            raise FormatError(f"field model is {body['model']!r}, expected {cls.MODEL!r}")
        n = _expect_int(body["n"], "n")
        neurons = []
        for i, raw in enumerate(_expect_list(body["neurons"], "neurons")):
            where = f"neurons[{i}]"
            nd = _expect_dict(raw, where, {"weights", "bias", "activation"})
            pairs = []
            for k, p in enumerate(_expect_list(nd["weights"], f"{where}.weights")):
                pw = f"{where}.weights[{k}]"
                if not isinstance(p, list) or len(p) != 2:
                    raise FormatError(f"field {pw} must be a [node, weight] pair, got {p!r}")
                pairs.append((_expect_int(p[0], f"{pw}[0]"), fraction_from_json(p[1], f"{pw}[1]")))
            activation = nd["activation"]
            if not isinstance(activation, str):
                raise FormatError(f"field {where}.activation must be a string, got {activation!r}")
            if activation not in ACTIVATIONS:
                raise FormatError(
                    f"field {where}.activation is {activation!r}, expected one of {', '.join(ACTIVATIONS)}"
                )
            neurons.append(Neuron(tuple(pairs), fraction_from_json(nd["bias"], f"{where}.bias"), activation))
        outputs = tuple(_expect_int(o, f"outputs[{k}]") for k, o in enumerate(_expect_list(body["outputs"], "outputs")))
        return cls(n, tuple(neurons), outputs)

    def to_networkx(self) -> nx.DiGraph:
        """Drawing graph: input ``j`` is node ``j``, neuron ``i`` is node ``n + i``, output ``k`` is node ``"y{k}"``.

        Node attributes are ``label`` and ``kind``.  ``kind`` is ``'input'``, ``'gate'`` or
        ``'output'``.  A neuron's label shows its activation and bias, for example
        ``"relu b=-1/2"``.  Neurons also carry ``activation`` and ``bias`` attributes.  An
        edge into a neuron has ``label`` (the weight as text) and ``weight`` (a Fraction).
        The edge from an output neuron to its ``y`` sink has label ``""``.
        """
        return dag.to_networkx(
            self.n,
            (
                (
                    f"{v.activation} b={v.bias}",
                    {"activation": v.activation, "bias": v.bias},
                    [(u, {"label": str(w), "weight": w}) for u, w in v.weights],
                )
                for v in self.neurons
            ),
            [(o, {"label": ""}) for o in self.outputs],
        )

    def __str__(self) -> str:
        lines = [
            f"ReLU network: {self.n} inputs, {self.size} neurons, depth {self.depth}, widths {list(self.widths())}"
        ]
        for i, v in enumerate(self.neurons):
            lines.append(f"  [{self.n + i}] = {v}")
        lines.append("  outputs: " + ", ".join(f"y{k} = [{o}]" for k, o in enumerate(self.outputs)))
        return "\n".join(lines)


# ---------------------------------------------------------------- exact batch evaluation
def evaluate_points(net: ReLUNetwork, points: Sequence[Sequence[Fraction | int]]) -> list[tuple[Fraction, ...]]:
    """Exact output values of ``net`` at every rational point of ``points``.

    Equal to ``[net.evaluate(p) for p in points]`` but vectorised (:func:`_node_columns`):
    for more than a few points it is much faster.  Coordinates are ints or Fractions.
    """
    rows = [_coordinates(p, net.n) for p in points]
    if not rows:
        return []
    inputs = []
    for j in range(net.n):
        den = math.lcm(*(p[j].denominator for p in rows))
        inputs.append((_int_array([p[j].numerator * (den // p[j].denominator) for p in rows]), den))
    nodes = _node_columns(net, inputs, len(rows))
    return list(zip(*(_fractions(nodes[o]) for o in net.outputs)))


def _coordinates(x: Sequence[Fraction | int], n: int, *, allow_bool: bool = False) -> list[Fraction]:
    """The coordinates of the point ``x`` of ``n`` inputs as Fractions; ints (and bools if allowed) convert."""
    if len(x) != n:
        raise ArityError(f"point has {len(x)} coordinates, network has {n} inputs")
    values: list[Fraction] = []
    for j, c in enumerate(x):
        if isinstance(c, Fraction):
            values.append(c)
        elif _is_int(c) or (allow_bool and isinstance(c, bool)):
            values.append(Fraction(int(c)))
        else:
            raise SpecError(f"coordinate x{j} = {c!r} is not an int or Fraction")
    return values


def _int_array(values: list[int]) -> np.ndarray:
    """``values`` as an int64 array when every ``|value| < 2**62``, else as an object array of Python ints."""
    if max((abs(v) for v in values), default=0) < _INT64_SAFE:
        return np.array(values, dtype=np.int64)
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


def _node_columns(net: ReLUNetwork, inputs: list[_Column], rows: int) -> list[_Column]:
    """Exact values of every node of ``net`` on ``rows`` points, the input nodes' values given.

    Node ``u`` is ``(A, D)`` with value ``A[row] / D`` and ``gcd(D, A) = 1`` (``D = 1``
    where ``A`` is all zeros).  ``A`` is an int64 array when every intermediate sum is
    provably below ``2**62`` in absolute value, and an object array of Python ints
    otherwise.  ``inputs`` has one ``(A, D)`` per input, with ``rows`` entries each.
    """
    nodes = list(inputs)
    bounds = [_largest(acc) for acc, _ in inputs]  # max |A| per node
    for v in net.neurons:
        den = math.lcm(v.bias.denominator, *(w.denominator * nodes[u][1] for u, w in v.weights))
        # A node that is 0 on every row contributes nothing; skipping it keeps |c| <= bound.
        coeffs = [(u, w.numerator * (den // (w.denominator * nodes[u][1]))) for u, w in v.weights if bounds[u]]
        offset = v.bias.numerator * (den // v.bias.denominator)
        bound = sum(abs(c) * bounds[u] for u, c in coeffs) + abs(offset)
        if bound < _INT64_SAFE:
            acc = np.full(rows, offset, dtype=np.int64)
            for u, c in coeffs:
                acc += np.int64(c) * nodes[u][0].astype(np.int64, copy=False)
        else:
            acc = np.empty(rows, dtype=object)
            acc.fill(offset)  # np.full would route a huge offset through int64
            for u, c in coeffs:
                acc = acc + nodes[u][0].astype(object) * c
        if v.activation == "relu":
            acc = np.maximum(acc, 0)
        elif v.activation == "threshold":
            acc = np.asarray(acc >= 0, dtype=bool).astype(np.int64)
            den = 1
        if acc.dtype == object:
            g = math.gcd(den, *acc.tolist())
            if g > 1:
                acc = acc // g
                den //= g
            top = _largest(acc)
            if top < _INT64_SAFE:
                acc = acc.astype(np.int64)
        else:
            common = int(np.gcd.reduce(acc))
            if common == 0:  # the node is 0 on every row
                den = 1
            else:
                g = math.gcd(den, common)  # g <= max |acc|, so it fits in int64
                if g > 1:
                    acc = acc // g
                    den //= g
            top = _largest(acc)
        nodes.append((acc, den))
        bounds.append(top)
    return nodes


def _largest(acc: np.ndarray) -> int:
    """The largest ``|a|`` of an int64 or object array (0 when it is empty)."""
    if acc.dtype == object:
        return max((abs(a) for a in acc.tolist()), default=0)
    return int(np.abs(acc).max()) if acc.size else 0


def _fractions(column: _Column) -> list[Fraction]:
    """The values of a column as Fractions, one Fraction object per distinct value."""
    acc, den = column
    distinct, inverse = np.unique(acc, return_inverse=True)
    fracs = [Fraction(int(a), den) for a in distinct.tolist()]
    return [fracs[k] for k in inverse.ravel().tolist()]
