"""AIGER files (combinational and-inverter graphs) for Boolean circuits.

Reading uses py-aiger's line parser (``aiger.parser``) for the ASCII ``aag``
and binary ``aig`` formats of AIGER 1.0, then checks the literals and builds
an AIG :class:`~circuits.boolean.BooleanCircuit` with the file's exact
structure: input ``j`` is the ``j``-th input line, the AND gates keep the file
order when it is topological (and are sorted topologically otherwise, as the
ASCII format allows), gates no output uses are kept, and literal ``2v + 1`` is a
negated edge.  Symbol names and comments are ignored.  (``aiger.parse`` itself
is not used for the conversion: it returns inputs and outputs as unordered
name sets, drawing uuid names when a file has no symbol table, and folds
``AND(a, a)`` into ``a``.)

Writing (:func:`generate_aiger`) produces deterministic ``aag`` text: input
``j`` is variable ``j + 1``, gate ``i`` variable ``n + 1 + i``, symbols
``i0 x0`` ... and ``o0 y0`` ....  A circuit over another basis is first
converted with :func:`to_aig`, and the file says so in its comment section.
"""

from __future__ import annotations

import operator
from pathlib import Path
from typing import TYPE_CHECKING

from circuits import dag
from circuits.boolean import AIG, BooleanCircuit, Edge, Gate, Op2
from circuits.errors import FormatError
from circuits.output import write_text_atomic
from circuits.schema import read_bytes

if TYPE_CHECKING:
    from aiger import parser as _aag  # py-aiger (and pydantic) load when a file is read

__all__ = ["parse_aiger", "load_aiger", "generate_aiger", "write_aiger", "to_aig"]

_FALSE = Edge(-1)
_TRUE = Edge(-1, True)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _read_state(data: bytes) -> _aag.State:
    """Run py-aiger's AIGER parsers over ``data``, as ``aiger.parse`` does, and return the raw state."""
    from aiger import parser as _aag

    state = _aag.State()
    parsers = _aag.parse_seq()
    parser = next(parsers)
    stream = iter(data)
    while operator.length_hint(stream) > 0:
        while not parser(state, stream):
            parser = next(parsers, None)
            if parser is None:
                raise FormatError("unexpected content after the AND gates (expected symbols or a comment section)")
    if state.header is None:
        raise FormatError("empty file: missing the 'aag M I L O A' header")
    for what, left in (
        ("inputs", state.remaining_inputs),
        ("latches", state.remaining_latches),
        ("outputs", state.remaining_outputs),
        ("AND gates", state.remaining_ands),
    ):
        if left > 0:
            raise FormatError(f"file ends early: {left} {what} announced in the header are missing")
    return state


def parse_aiger(text: str | bytes) -> BooleanCircuit:
    """Read a combinational AIGER circuit (``aag`` text, or ``aig`` bytes) as an AIG circuit.

    Raises :class:`FormatError` with a one-line message for a malformed file, latches,
    a literal out of range or undefined, a variable defined twice, a cycle, or no outputs.
    """
    if isinstance(text, str):
        try:
            data = text.encode("ascii")
        except UnicodeEncodeError:
            raise FormatError("AIGER text must be ASCII") from None
    else:
        data = bytes(text)
    if data.startswith(b"aag"):
        data = data.replace(b"\r\n", b"\n")  # only the ASCII format may be re-lined
    try:
        state = _read_state(data)
    except FormatError:
        raise
    except Exception as exc:  # py-aiger raises ValueError, AssertionError, StopIteration, ...
        raise FormatError(f"malformed AIGER: {_one_line(exc)}") from None

    header = state.header
    max_var = header.max_var_index
    if header.num_latches or state.latches:
        raise FormatError(f"AIGER file has {header.num_latches} latches: only combinational circuits are supported")
    if not state.outputs:
        raise FormatError("AIGER file has no outputs: a circuit needs at least one output")

    input_index: dict[int, int] = {}
    for j, lit in enumerate(state.inputs):
        if lit & 1 or lit == 0 or lit >> 1 > max_var:
            raise FormatError(f"input {j} has literal {lit}: inputs are even literals 2..{2 * max_var}")
        if lit >> 1 in input_index:
            raise FormatError(f"variable {lit >> 1} is declared as an input twice")
        input_index[lit >> 1] = j

    and_defs: dict[int, tuple[int, int, int]] = {}  # variable -> (position in file, rhs0, rhs1)
    for pos, a in enumerate(state.ands):
        if a.lhs & 1 or a.lhs == 0 or a.lhs >> 1 > max_var:
            raise FormatError(f"AND gate {pos} has left-hand side {a.lhs}: it must be an even literal 2..{2 * max_var}")
        var = a.lhs >> 1
        if var in input_index or var in and_defs:
            raise FormatError(f"variable {var} (literal {a.lhs}) is defined twice")
        for rhs in (a.rhs0, a.rhs1):
            if rhs >> 1 > max_var:
                raise FormatError(f"AND gate {a.lhs} reads literal {rhs}, beyond the maximum variable index {max_var}")
        and_defs[var] = (pos, a.rhs0, a.rhs1)

    def check_defined(lit: int, where: str) -> None:
        var = lit >> 1
        if var > max_var:
            raise FormatError(f"{where} is literal {lit}, beyond the maximum variable index {max_var}")
        if var != 0 and var not in input_index and var not in and_defs:
            raise FormatError(f"{where} is literal {lit}, whose variable {var} is never defined")

    for var, (_, r0, r1) in and_defs.items():
        check_defined(r0, f"an input of AND gate {2 * var}")
        check_defined(r1, f"an input of AND gate {2 * var}")
    for k, lit in enumerate(state.outputs):
        check_defined(lit, f"output {k}")

    # topological order of the AND gates, preferring file order
    order = dag.topological_order(
        {var: (r0 >> 1, r1 >> 1) for var, (_, r0, r1) in and_defs.items()},
        {var: pos for var, (pos, _, _) in and_defs.items()},
    )
    if len(order) < len(and_defs):
        placed = set(order)
        stuck = min(2 * var for var in and_defs if var not in placed)
        raise FormatError(f"AND gates form a cycle (AND gate {stuck} cannot be ordered)")

    n = len(state.inputs)
    node = dict(input_index)
    for i, var in enumerate(order):
        node[var] = n + i

    def edge(lit: int) -> Edge:
        return Edge(node[lit >> 1] if lit >> 1 else -1, bool(lit & 1))

    gates = tuple(Gate(Op2.AND, (edge(and_defs[var][1]), edge(and_defs[var][2]))) for var in order)
    return BooleanCircuit(n, AIG, gates, tuple(edge(lit) for lit in state.outputs))


def load_aiger(path: str | Path) -> BooleanCircuit:
    """Read an AIGER file, ASCII ``aag`` or binary ``aig`` (see :func:`parse_aiger`)."""
    return parse_aiger(read_bytes(path))


# ------------------------------------------------------------------ to AIG
class _AigBuilder:
    """Appends 2-input AND gates, folding constants and trivial cases (``a AND a``, ``a AND NOT a``)."""

    def __init__(self) -> None:
        self.gates: list[Gate] = []
        self.offset = 0

    def and2(self, a: Edge, b: Edge) -> Edge:
        if a == _FALSE or b == _FALSE or a == ~b:
            return _FALSE
        if a == _TRUE or a == b:
            return b
        if b == _TRUE:
            return a
        self.gates.append(Gate(Op2.AND, (a, b)))
        return Edge(self.offset + len(self.gates) - 1)

    def or2(self, a: Edge, b: Edge) -> Edge:
        return ~self.and2(~a, ~b)

    def xor2(self, a: Edge, b: Edge) -> Edge:
        return self.or2(self.and2(a, ~b), self.and2(~a, b))

    def op(self, op: int, edges: tuple[Edge, ...]) -> Edge:
        """An edge computing ``op`` (over ``edges``, edge 0 = least significant bit), by cofactoring
        on the last edge: AND/OR-type ops cost one AND per input beyond the first, XOR-type
        three, any other split a 3-AND multiplexer."""
        k = len(edges)
        full = (1 << (1 << k)) - 1
        if op == 0:
            return _FALSE
        if op == full:
            return _TRUE
        half = 1 << (k - 1)
        half_full = (1 << half) - 1
        lo, hi = op & half_full, op >> half
        x, rest = edges[-1], edges[:-1]
        if lo == hi:
            return self.op(lo, rest)
        if hi == 0:
            return self.and2(self.op(lo, rest), ~x)
        if lo == 0:
            return self.and2(self.op(hi, rest), x)
        if hi == half_full:
            return self.or2(self.op(lo, rest), x)
        if lo == half_full:
            return self.or2(self.op(hi, rest), ~x)
        if hi == lo ^ half_full:
            return self.xor2(self.op(lo, rest), x)
        return self.or2(self.and2(self.op(hi, rest), x), self.and2(self.op(lo, rest), ~x))


def to_aig(circuit: BooleanCircuit) -> BooleanCircuit:
    """An AIG circuit (fan-in 2) computing the same function as ``circuit``.

    An AIG circuit of fan-in 2 is returned unchanged.  Otherwise each gate is expanded on
    its own, in order, into 2-input ANDs with negated edges: AND/OR-type 2-input ops
    (AND, OR, NAND, NOR, GT, LT, GEQ, LEQ) cost 1 AND, XOR/NXOR 3, projections and
    constants 0; a k-input AND or OR costs k - 1.  Constants are folded inside a gate's
    expansion; there is no optimisation across gates, so the result is not minimal.
    """
    if circuit.basis == AIG:
        return circuit
    n = circuit.n
    builder = _AigBuilder()
    builder.offset = n
    mapped = [Edge(j) for j in range(n)]

    def image(e: Edge) -> Edge:
        if e.node == -1:
            return e
        m = mapped[e.node]
        return ~m if e.neg else m

    for g in circuit.gates:
        mapped.append(builder.op(g.op, tuple(image(e) for e in g.inputs)))
    return BooleanCircuit(n, AIG, tuple(builder.gates), tuple(image(e) for e in circuit.outputs))


# ------------------------------------------------------------------ writing
def generate_aiger(circuit: BooleanCircuit) -> str:
    """The ``aag`` text of ``circuit`` (converted with :func:`to_aig` first unless it is an AIG of fan-in 2).

    Variables: input ``j`` is ``j + 1`` (literal ``2j + 2``), gate ``i`` is ``n + 1 + i``;
    a negated edge adds 1 to the literal, the constant false is literal 0 and true 1.
    """
    source = circuit
    if circuit.basis != AIG:
        circuit = to_aig(circuit)
    n, a = circuit.n, circuit.size

    def lit(e: Edge) -> int:
        return (0 if e.node == -1 else 2 * (e.node + 1)) + int(e.neg)

    lines = [f"aag {n + a} {n} 0 {circuit.num_outputs} {a}"]
    lines += [str(2 * (j + 1)) for j in range(n)]
    lines += [str(lit(e)) for e in circuit.outputs]
    for i, g in enumerate(circuit.gates):
        lines.append(f"{2 * (n + 1 + i)} {lit(g.inputs[0])} {lit(g.inputs[1])}")
    lines += [f"i{j} x{j}" for j in range(n)]
    lines += [f"o{k} y{k}" for k in range(circuit.num_outputs)]
    if source is not circuit:
        lines += ["c", f"converted by lbt from a {source.size}-gate circuit over {source.basis.label} to {a} AND gates"]
    return "\n".join(lines) + "\n"


def write_aiger(circuit: BooleanCircuit, path: str | Path) -> None:
    """Write :func:`generate_aiger` text to ``path`` (atomically)."""
    write_text_atomic(path, generate_aiger(circuit))
