"""Boolean gate circuits over the bases B2 (Bk), AIG and monotone.

Node numbering follows :mod:`circuits.model`: nodes ``0 .. n-1`` are the inputs
``x0 .. x_{n-1}``, gate ``i`` is node ``n + i`` and reads only smaller nodes.
Node ``-1`` is the constant false; an :class:`Edge` to it with ``neg=True`` is
the constant true.  Constants are free (they are not gates) in every basis.

A gate's ``op`` is the truth table of the gate over its own inputs, in the
convention of :mod:`circuits.truthtable`: bit ``i`` of ``op`` is the gate's
value when gate input ``j`` equals bit ``j`` of ``i``.  So ``AND = 0x8``,
``OR = 0xe``, ``XOR = 0x6``, ``GT = 0x2`` (``a AND NOT b`` with ``a`` the first
input) and the 3-input majority is ``0xe8``.

The bases (:func:`basis`):

* ``b2``: any Boolean function of up to ``fanin`` inputs as a gate, no free
  negations.  With the default fan-in 2 this is the full binary basis B2; with
  fan-in ``k`` it is Bk.
* ``aig``: AND gates of 2 .. ``fanin`` edges, every edge (gate input or output)
  may be negated for free.
* ``mono``: AND and OR gates of 2 .. ``fanin`` inputs, no negations.

Every gate has at least 2 inputs; a unary gate (NOT, buffer) is a 2-input gate
reading the same node twice, e.g. ``Gate(Op2.LNOT, (Edge(a), Edge(a)))``.

>>> fa = BooleanCircuit.from_gates(3, [(Op2.XOR, (0, 1)), (Op2.XOR, (3, 2)),
...     (Op2.AND, (0, 1)), (Op2.AND, (3, 2)), (Op2.OR, (5, 6))], outputs=[4, 7])
>>> fa.truth_table().hex(), fa.size, fa.depth
('96,e8', 5, 3)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from circuits import dag
from circuits.display import Displayed
from circuits.errors import ArityError, FormatError, ModelError, SpecError, TooLargeError
from circuits.schema import (
    expect_dict as _expect_dict,
    expect_int as _expect_int,
    expect_list as _expect_list,
    is_int as _is_int,
)
from circuits.truthtable import MAX_INPUTS, TruthTable, full_mask, var_mask

if TYPE_CHECKING:
    import networkx as nx  # imported by to_networkx() (fast start-up)

__all__ = [
    "MAX_FANIN",
    "Basis",
    "basis",
    "B2",
    "AIG",
    "MONO",
    "Op2",
    "op_name",
    "op_of",
    "Edge",
    "Gate",
    "BooleanCircuit",
]

#: Largest gate fan-in a basis may allow.
MAX_FANIN = 5

_BASIS_NAMES = ("b2", "aig", "mono")


class Op2(enum.IntEnum):
    """The 16 two-input gate ops, with cirbo's names; ``a`` is gate input 0, ``b`` input 1."""

    ALWAYS_FALSE = 0x0
    NOR = 0x1
    GT = 0x2  # a AND NOT b
    RNOT = 0x3  # NOT b
    LT = 0x4  # NOT a AND b
    LNOT = 0x5  # NOT a
    XOR = 0x6
    NAND = 0x7
    AND = 0x8
    NXOR = 0x9
    LIFF = 0xA  # a
    GEQ = 0xB  # a OR NOT b
    RIFF = 0xC  # b
    LEQ = 0xD  # NOT a OR b
    OR = 0xE
    ALWAYS_TRUE = 0xF


# ------------------------------------------------------------------ gate ops
def _k_ary_ops(arity: int) -> dict[str, int]:
    """The named ops of every arity: AND, OR, XOR and their negations, and the constants."""
    rows = 1 << arity
    full = (1 << rows) - 1
    and_op = 1 << (rows - 1)
    or_op = full ^ 1
    xor_op = sum(1 << i for i in range(rows) if i.bit_count() & 1)
    return {
        "AND": and_op,
        "OR": or_op,
        "XOR": xor_op,
        "NAND": full ^ and_op,
        "NOR": full ^ or_op,
        "NXOR": full ^ xor_op,
        "ALWAYS_FALSE": 0,
        "ALWAYS_TRUE": full,
    }


def _check_arity(arity: int) -> None:
    if not _is_int(arity) or not 2 <= arity <= MAX_FANIN:
        raise ArityError(f"gate arity must be an integer in 2..{MAX_FANIN}, got {arity!r}")


def op_name(op: int, arity: int = 2) -> str:
    """The name of a gate op: cirbo's name for every 2-input op, ``AND``/``OR``/``XOR``/
    ``NAND``/``NOR``/``NXOR``/``ALWAYS_FALSE``/``ALWAYS_TRUE`` for wider gates, otherwise
    the hex table (``"0x96"``-style, ``max(1, 2**arity // 4)`` digits).

    >>> op_name(0x2), op_name(0x80, 3), op_name(0xca, 3)
    ('GT', 'AND', '0xca')
    """
    _check_arity(arity)
    if not _is_int(op) or not 0 <= op < 1 << (1 << arity):
        raise ModelError(f"op {op!r} is not a truth table of {arity} inputs")
    op = int(op)
    if arity == 2:
        return Op2(op).name
    for name, value in _k_ary_ops(arity).items():
        if value == op:
            return name
    return f"0x{op:0{max(1, (1 << arity) // 4)}x}"


def op_of(name: str, arity: int = 2) -> int:
    """Inverse of :func:`op_name`: the op called ``name`` (case-insensitive) on ``arity`` inputs.

    >>> op_of("xor", 3) == 0x96, op_of("0xe8", 3)
    (True, 232)
    """
    _check_arity(arity)
    key = name.strip().upper()
    if key.startswith("0X"):
        try:
            value = int(key[2:], 16)
        except ValueError:
            raise SpecError(f"malformed hex gate op {name!r}") from None
        if value >> (1 << arity):
            raise SpecError(f"gate op {name} has bits beyond the {1 << arity} rows of {arity} inputs")
        return value
    if arity == 2 and key in Op2.__members__:
        return int(Op2[key])
    ops = _k_ary_ops(arity)
    if key not in ops:
        known = ", ".join(Op2.__members__) if arity == 2 else ", ".join(ops)
        raise SpecError(f"unknown {arity}-input gate op {name!r} (known: {known}, or a hex table 0x..)")
    return ops[key]


# ---------------------------------------------------------------------- basis
@dataclass(frozen=True, slots=True)
class Basis:
    """A gate basis: its ``name`` (``"b2"``, ``"aig"``, ``"mono"``) and gate fan-in bound.

    Gates have between 2 and ``fanin`` inputs.  Which ops a gate may have and whether
    edges may be negated follow from the name (:attr:`op_names`, :attr:`free_negations`,
    :meth:`allows`).
    """

    name: str
    fanin: int = 2

    def __post_init__(self) -> None:
        if self.name not in _BASIS_NAMES:
            raise SpecError(f"unknown basis {self.name!r} (known: {', '.join(_BASIS_NAMES)})")
        if not isinstance(self.fanin, int) or isinstance(self.fanin, bool) or not 2 <= self.fanin <= MAX_FANIN:
            raise SpecError(f"basis fan-in must be an integer in 2..{MAX_FANIN}, got {self.fanin!r}")

    @property
    def free_negations(self) -> bool:
        """True iff any edge may be negated at no cost (only in ``aig``)."""
        return self.name == "aig"

    @property
    def op_names(self) -> tuple[str, ...] | None:
        """The allowed gate ops by name, or ``None`` when every op is allowed (``b2``)."""
        return {"b2": None, "aig": ("AND",), "mono": ("AND", "OR")}[self.name]

    def allows(self, op: int, arity: int) -> bool:
        """True iff a gate of ``arity`` inputs computing ``op`` belongs to this basis."""
        if not 2 <= arity <= self.fanin or not 0 <= op < 1 << (1 << arity):
            return False
        names = self.op_names
        if names is None:
            return True
        ops = _k_ary_ops(arity)
        return any(ops[name] == op for name in names)

    @property
    def label(self) -> str:
        """Short display name: ``B2``, ``B3``, ``AIG``, ``AIG3``, ``MONO``, ``MONO3``."""
        if self.name == "b2":
            return f"B{self.fanin}"
        return self.name.upper() + ("" if self.fanin == 2 else str(self.fanin))


def basis(name: str, fanin: int | None = None) -> Basis:
    """The basis called ``name`` (case-insensitive) with gate fan-in ``fanin`` (default 2).

    ``"b3"``, ``"b4"``, ``"b5"`` are accepted as ``b2`` with that fan-in.
    Raises :class:`SpecError` for an unknown name or a fan-in outside 2..5.
    """
    if not isinstance(name, str):
        raise SpecError(f"basis name must be a string, got {name!r}")
    key = name.strip().lower()
    if len(key) == 2 and key[0] == "b" and key[1] in "345":
        implied = int(key[1])
        if fanin is not None and fanin != implied:
            raise SpecError(f"basis {name!r} has fan-in {implied}, not {fanin}")
        return Basis("b2", implied)
    if key not in _BASIS_NAMES:
        raise SpecError(f"unknown basis {name!r} (known: {', '.join(_BASIS_NAMES)}; b3..b5 for b2 with fan-in 3..5)")
    return Basis(key, 2 if fanin is None else fanin)


B2 = Basis("b2")
AIG = Basis("aig")
MONO = Basis("mono")


# ------------------------------------------------------------- edges, gates
@dataclass(frozen=True, slots=True)
class Edge:
    """A wire from ``node`` (``-1`` = constant false), negated if ``neg``.

    ``Edge(-1)`` is the constant false and ``Edge(-1, True)`` the constant true.
    ``~edge`` flips the negation.
    """

    node: int
    neg: bool = False

    def __post_init__(self) -> None:
        if not _is_int(self.node) or self.node < -1:
            raise ModelError(f"edge node must be an integer >= -1 (-1 = constant), got {self.node!r}")
        if not (isinstance(self.neg, bool) or (_is_int(self.neg) and self.neg in (0, 1))):
            raise ModelError(f"edge negation must be a bool, got {self.neg!r}")
        object.__setattr__(self, "node", int(self.node))
        object.__setattr__(self, "neg", bool(self.neg))

    @property
    def is_const(self) -> bool:
        return self.node == -1

    def __invert__(self) -> Edge:
        return Edge(self.node, not self.neg)

    def __str__(self) -> str:
        if self.node == -1:
            return "1" if self.neg else "0"
        return f"{'~' if self.neg else ''}[{self.node}]"


@dataclass(frozen=True, slots=True)
class Gate:
    """A gate computing ``op`` (its truth table over ``inputs``, input 0 = least significant bit)."""

    op: int
    inputs: tuple[Edge, ...]

    def __post_init__(self) -> None:
        try:
            inputs = tuple(self.inputs)
        except TypeError:
            raise ModelError(f"gate inputs must be a sequence of edges, got {self.inputs!r}") from None
        for e in inputs:
            if not isinstance(e, Edge):
                raise ModelError(f"gate input {e!r} is not an Edge")
        if not 2 <= len(inputs) <= MAX_FANIN:
            raise ModelError(f"a gate has 2..{MAX_FANIN} inputs, got {len(inputs)}")
        if not _is_int(self.op) or not 0 <= self.op < 1 << (1 << len(inputs)):
            raise ModelError(f"gate op {self.op!r} is not a truth table of {len(inputs)} inputs")
        object.__setattr__(self, "inputs", inputs)
        object.__setattr__(self, "op", int(self.op))

    @property
    def arity(self) -> int:
        return len(self.inputs)

    @property
    def name(self) -> str:
        """The op's name (:func:`op_name`)."""
        return op_name(self.op, self.arity)

    def value(self, bits: Sequence[int]) -> int:
        """The gate's output when its inputs carry ``bits`` (negations already applied)."""
        return (self.op >> sum((b & 1) << j for j, b in enumerate(bits))) & 1

    def __str__(self) -> str:
        return f"{self.name}({', '.join(str(e) for e in self.inputs)})"


def _model_basis(value: object) -> Basis:
    """``value`` if it is a :class:`Basis`, the basis it names if it is a string; else :class:`ModelError`."""
    if isinstance(value, str):
        try:
            return basis(value)
        except SpecError as exc:
            raise ModelError(str(exc)) from None
    if not isinstance(value, Basis):
        raise ModelError(f"basis must be a Basis, got {value!r}")
    return value


def _coerce_edge(value: Edge | int, where: str) -> Edge:
    if isinstance(value, Edge):
        return value
    if _is_int(value):
        return Edge(value)
    raise ModelError(f"{where} must be an Edge or a node number, got {value!r}")


# -------------------------------------------------------------------- circuit
@dataclass(frozen=True, slots=True)
class BooleanCircuit(Displayed):
    """An ``n``-input gate circuit over ``basis``. It implements :class:`circuits.model.CircuitModel`.

    ``gates[i]`` is node ``n + i``; ``outputs[k]`` is the edge computing output ``k``
    (a gate, an input or a constant, possibly negated in ``aig``).  The constructor
    raises :class:`ModelError` if a gate reads a node that is not smaller than its own,
    has more inputs than the basis fan-in, has an op outside the basis, or reads a
    negated node in a basis without free negations; also if an output edge is not a
    node of the circuit or there is no output.  Gates no output depends on are
    allowed and count in :attr:`size`.
    """

    MODEL: ClassVar[str] = "boolean"

    n: int
    basis: Basis
    gates: tuple[Gate, ...]
    outputs: tuple[Edge, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "n", dag.check_num_inputs(self.n))
        object.__setattr__(self, "basis", _model_basis(self.basis))
        gates, outputs = dag.check_sequences(self.gates, self.outputs, "gates")
        b, n = self.basis, self.n
        for i, g in enumerate(gates):
            if not isinstance(g, Gate):
                raise ModelError(f"gate {i} is a {type(g).__name__}, not a Gate")
            if g.arity > b.fanin:
                raise ModelError(f"gate {i} has {g.arity} inputs; basis {b.label} allows at most {b.fanin}")
            if not b.allows(g.op, g.arity):
                raise ModelError(f"gate {i} computes {g.name}, which is not a gate of basis {b.label}")
            for e in g.inputs:
                if e.node >= n + i:
                    break  # the first offending edge reads a later node: check_reads names it
                if e.neg and e.node >= 0 and not b.free_negations:
                    raise ModelError(
                        f"gate {i} reads a negated edge from node {e.node}; basis {b.label} has no free negations"
                    )
            dag.check_reads(n, i, (e.node for e in g.inputs), "gate", "inputs, constants and earlier gates")
        if not outputs:
            raise ModelError("a circuit needs at least one output")
        for k, e in enumerate(outputs):
            if not isinstance(e, Edge):
                raise ModelError(f"output {k} is a {type(e).__name__}, not an Edge")
            if e.node >= n + len(gates):
                span = (
                    f"nodes are 0..{n + len(gates) - 1}" if n + len(gates) else "the circuit has no input or gate nodes"
                )
                raise ModelError(f"output {k} reads node {e.node}, which does not exist ({span})")
            if e.neg and e.node >= 0 and not b.free_negations:
                raise ModelError(
                    f"output {k} is a negated edge from node {e.node}; basis {b.label} has no free negations"
                )
        object.__setattr__(self, "gates", gates)
        object.__setattr__(self, "outputs", outputs)

    # ------------------------------------------------------------ build
    @classmethod
    def from_gates(
        cls,
        n: int,
        gates: Iterable[tuple[int, Sequence[Edge | int]]],
        outputs: Sequence[Edge | int],
        basis: Basis | str = B2,
    ) -> BooleanCircuit:
        """Build from ``[(op, (a, b, ...)), ...]`` where inputs and outputs are edges or node numbers.

        >>> BooleanCircuit.from_gates(2, [(Op2.AND, (0, 1))], [2]).truth_table().hex()
        '8'
        """
        built = []
        for i, item in enumerate(gates):
            try:
                op, ins = item
            except (TypeError, ValueError):
                raise ModelError(f"gate {i} must be an (op, inputs) pair, got {item!r}") from None
            built.append(Gate(op, tuple(_coerce_edge(e, f"gate {i} input") for e in ins)))
        outs = tuple(_coerce_edge(e, f"output {k}") for k, e in enumerate(outputs))
        # n is checked before the basis, in the order the constructor checks them
        return cls(dag.check_num_inputs(n), _model_basis(basis), tuple(built), outs)

    # ------------------------------------------------------------ measures
    @property
    def num_outputs(self) -> int:
        return len(self.outputs)

    @property
    def size(self) -> int:
        """Number of gates (unused gates included; inputs and constants are free)."""
        return len(self.gates)

    def gate_depths(self) -> tuple[int, ...]:
        """Depth of each gate: 1 + the largest depth among the nodes it reads (inputs, constants: 0)."""
        return dag.node_layers(self.n, (tuple(e.node for e in g.inputs if e.node >= 0) for g in self.gates))

    @property
    def depth(self) -> int:
        """Number of gates on the longest path from an input or constant to an output."""
        return dag.output_depth(self.n, self.gate_depths(), (e.node for e in self.outputs))

    # ------------------------------------------------------------ evaluation
    def node_tables(self) -> tuple[int, ...]:
        """The table of every node (inputs, then gates) as an int of ``2**n`` bits."""
        n = self.n
        if n > MAX_INPUTS:
            raise TooLargeError(f"{n} inputs is too many: truth tables support at most {MAX_INPUTS}")
        full = full_mask(n)
        tables = [var_mask(n, j) for j in range(n)]

        def edge_table(e: Edge) -> int:
            t = tables[e.node] if e.node >= 0 else 0
            return t ^ full if e.neg else t

        for g in self.gates:
            ins = [edge_table(e) for e in g.inputs]
            rows = 1 << g.arity
            ones = g.op.bit_count()
            # OR of the minterms of op, or the complement of the OR of its zeros, whichever is shorter
            want = 1 if 2 * ones <= rows else 0
            acc = 0
            for r in range(rows):
                if (g.op >> r) & 1 == want:
                    term = full
                    for j, t in enumerate(ins):
                        term &= t if (r >> j) & 1 else t ^ full
                    acc |= term
            tables.append(acc if want else acc ^ full)
        return tuple(tables)

    def truth_table(self) -> TruthTable:
        """The exact function computed on all ``2**n`` Boolean rows."""
        tables = self.node_tables()
        full = full_mask(self.n)
        outs = []
        for e in self.outputs:
            t = tables[e.node] if e.node >= 0 else 0
            outs.append(t ^ full if e.neg else t)
        return TruthTable(self.n, tuple(outs))

    def computes(self, target: TruthTable) -> bool:
        """True iff the circuit computes ``target`` exactly.

        Raises :class:`ArityError` if ``target`` has a different number of inputs or outputs.
        """
        if target.n != self.n or target.m != self.num_outputs:
            raise ArityError(
                f"circuit has {self.n} inputs and {self.num_outputs} outputs, "
                f"target has {target.n} inputs and {target.m} outputs"
            )
        return self.truth_table() == target

    # ------------------------------------------------------------ formats
    def to_dict(self) -> dict[str, Any]:
        """JSON-native body.

        ``{"n": 3, "basis": "b2", "fanin": 2, "gates": [{"op": 6, "inputs": [[0, false],
        [1, false]]}, ...], "outputs": [[4, false], ...]}``: an edge is ``[node, neg]``,
        node ``-1`` the constant false (``[-1, true]`` is the constant true).
        """
        return {
            "n": self.n,
            "basis": self.basis.name,
            "fanin": self.basis.fanin,
            "gates": [{"op": g.op, "inputs": [[e.node, e.neg] for e in g.inputs]} for g in self.gates],
            "outputs": [[e.node, e.neg] for e in self.outputs],
        }

    @classmethod
    def from_dict(cls, data: Any) -> BooleanCircuit:
        """Inverse of :meth:`to_dict`.

        Raises :class:`FormatError`, naming the field, if the data is malformed (a wrong
        type, a missing or unknown field, a bool where an integer belongs, an unknown
        basis).  Raises :class:`ModelError` if the data is well formed but the circuit
        breaks the model's rules.  An optional ``"model"`` field must equal ``"boolean"``.
        """
        body = _expect_dict(data, "circuit", {"n", "basis", "fanin", "gates", "outputs"}, {"model"})
        if "model" in body and body["model"] != cls.MODEL:
            raise FormatError(f"field model is {body['model']!r}, expected {cls.MODEL!r}")
        n = _expect_int(body["n"], "n")
        if n < 0:
            raise FormatError(f"field n must be a non-negative integer, got {n}")
        if not isinstance(body["basis"], str):
            raise FormatError(f"field basis must be a string, got {body['basis']!r}")
        fanin = _expect_int(body["fanin"], "fanin")
        try:
            b = Basis(body["basis"], fanin)
        except SpecError as exc:
            raise FormatError(f"field basis/fanin: {exc}") from None
        gates = []
        for i, graw in enumerate(_expect_list(body["gates"], "gates")):
            where = f"gates[{i}]"
            gd = _expect_dict(graw, where, {"op", "inputs"})
            op = _expect_int(gd["op"], f"{where}.op")
            ins = tuple(
                _expect_edge(e, f"{where}.inputs[{k}]")
                for k, e in enumerate(_expect_list(gd["inputs"], f"{where}.inputs"))
            )
            try:
                gates.append(Gate(op, ins))
            except ModelError as exc:
                raise ModelError(f"gate {i}: {exc}") from None
        outputs = tuple(
            _expect_edge(e, f"outputs[{k}]") for k, e in enumerate(_expect_list(body["outputs"], "outputs"))
        )
        return cls(n, b, tuple(gates), outputs)

    def to_networkx(self) -> nx.DiGraph:
        """Drawing graph: input ``j`` is node ``j``, gate ``i`` node ``n + i``, output ``k`` node ``"y{k}"``.

        Node attributes: ``label`` and ``kind`` (``'input'``, ``'gate'``, ``'output'``);
        gates also have ``op`` (int), ``name`` (``"g{i}"``) and ``inputs`` (the
        ``(node, neg)`` pairs in input order).  The constant is node ``-1`` (label ``"0"``,
        kind ``'input'``), present only if some edge uses it.  An edge ``u -> v`` has
        ``neg`` (True if some connection from ``u`` to ``v`` is negated), ``negs`` and
        ``pins`` (per connection: negation and input position of ``v``; a gate may read
        one node twice).  The graph attribute ``basis`` is the basis label.
        """
        uses_const = any(e.node == -1 for g in self.gates for e in g.inputs) or any(e.node == -1 for e in self.outputs)
        return dag.to_networkx(
            self.n,
            (
                (
                    g.name,
                    {"op": g.op, "name": f"g{i}", "inputs": [(e.node, e.neg) for e in g.inputs]},
                    _draw_edges(g.inputs),
                )
                for i, g in enumerate(self.gates)
            ),
            [_draw_edges((e,))[0] for e in self.outputs],
            sources=[(-1, "0")] if uses_const else [],
            graph_attrs={"basis": self.basis.label},
        )

    def __str__(self) -> str:
        lines = [f"boolean circuit over {self.basis.label}: {self.n} inputs, {self.size} gates, depth {self.depth}"]
        for i, g in enumerate(self.gates):
            lines.append(f"  [{self.n + i}] = {g}")
        lines.append("  outputs: " + ", ".join(f"y{k} = {e}" for k, e in enumerate(self.outputs)))
        return "\n".join(lines)


# ---------------------------------------------------------------- drawing
def _draw_edges(edges: Sequence[Edge]) -> list[dag.DrawEdge]:
    """The drawing edges into one gate (or output) reading ``edges`` in pin order.

    A gate may read one node twice, so the connections from one node merge into one
    edge whose ``negs`` and ``pins`` list them (negation, input position) and whose
    ``neg`` is True if any of them is negated.
    """
    merged: dict[int, dict[str, Any]] = {}
    for pin, e in enumerate(edges):
        data = merged.get(e.node)
        if data is None:
            merged[e.node] = {"neg": e.neg, "negs": (e.neg,), "pins": (pin,)}
        else:
            data["pins"] += (pin,)
            data["negs"] += (e.neg,)
            data["neg"] = any(data["negs"])
    return list(merged.items())


# ---------------------------------------------------------------- parsing
def _expect_edge(value: Any, where: str) -> Edge:
    if not isinstance(value, list) or len(value) != 2:
        raise FormatError(f"field {where} must be a [node, neg] pair, got {value!r}")
    node = _expect_int(value[0], f"{where}[0]")
    if node < -1:
        raise FormatError(f"field {where}[0] must be a node >= -1 (-1 = constant), got {node}")
    if not isinstance(value[1], bool):
        raise FormatError(f"field {where}[1] must be a bool, got {value[1]!r}")
    return Edge(node, value[1])
