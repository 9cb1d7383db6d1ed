"""ISCAS BENCH files for Boolean circuits.

Reading (:func:`parse_bench`) accepts the dialects of ISCAS, ABC and cirbo::

    # comment
    INPUT(a)
    OUTPUT(s)
    s = XOR(a, b)            # AND OR NAND NOR XOR NXOR/XNOR with 2..5 operands
    n = NOT(a)               # NOT, BUF/BUFF/IFF: one operand
    t = GT(a, b)             # cirbo's GT LT GEQ LEQ LNOT RNOT LIFF RIFF: two operands
    m = MUX(a, b, c)         # ABC's multiplexer: a ? b : c
    l = LUT 0xe8 (a, b, c)   # ABC's LUT: hex truth table, operand 0 = least significant
    one = vdd                # constants: vdd, gnd, ALWAYS_TRUE(), ALWAYS_FALSE()

Gate types are case-insensitive, signal names case-sensitive.  Signals may be
defined in any order; gates keep the file order when it is already
topological and are sorted topologically otherwise.  An undefined operand
named ``vdd``/``gnd`` is the constant 1/0, as in ABC.  Constant signals are not
gates (constants are free in every basis).  A unary gate (NOT, buffer, a
1-input LUT) becomes a 2-input gate reading the same node twice (``LNOT`` or
``LIFF`` for NOT and buffer).  Without an explicit ``basis`` the circuit is
read over b2 with the smallest fan-in (at least 2) that holds its widest gate.

Writing (:func:`generate_bench`) is deterministic: inputs ``x0, x1, ...``,
gates ``g0, g1, ...`` in circuit order, constants ``c0 = gnd`` and
``c1 = vdd`` when used.  Ops are written as AND OR NAND NOR XOR NXOR (any
arity), NOT/BUFF for a gate reading one edge twice, cirbo's GT LT GEQ LEQ LNOT
RNOT LIFF RIFF for the other 2-input ops, and ``LUT 0x..`` for everything
else.  NXOR and BUFF are the spellings both ABC and cirbo read.  BENCH has no
negated edges: a circuit with them (basis aig) is written only with
``expand_negations=True``, which adds one NOT gate per negated node, so the
file then holds more gates than the circuit.
"""

from __future__ import annotations

import re
from pathlib import Path

from circuits import dag
from circuits.boolean import MAX_FANIN, Basis, BooleanCircuit, Edge, Gate, Op2, basis as make_basis, op_of
from circuits.errors import FormatError, ModelError, SpecError
from circuits.output import write_text_atomic
from circuits.schema import read_text

__all__ = ["parse_bench", "load_bench", "generate_bench", "write_bench"]

_NAME = r"[^\s(),=#]+"
_NAME_RE = re.compile(_NAME)
_IO_RE = re.compile(rf"(INPUT|OUTPUT)\s*\(\s*({_NAME})\s*\)", re.IGNORECASE)
_ASSIGN_RE = re.compile(rf"({_NAME})\s*=\s*(.*)")
_CALL_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)")
_LUT_RE = re.compile(r"LUT\s+(0[xX][0-9A-Fa-f]+)\s*\((.*)\)", re.IGNORECASE)
_CONST_RE = re.compile(r"(vdd|gnd)(?:\s*\(\s*\))?", re.IGNORECASE)

_FAMILIES = {"AND": "AND", "OR": "OR", "NAND": "NAND", "NOR": "NOR", "XOR": "XOR", "NXOR": "NXOR", "XNOR": "NXOR"}
_UNARY = {"NOT": Op2.LNOT, "BUF": Op2.LIFF, "BUFF": Op2.LIFF, "IFF": Op2.LIFF}
_BINARY = ("GT", "LT", "GEQ", "LEQ", "LNOT", "RNOT", "LIFF", "RIFF")
_CONSTS = {"ALWAYS_FALSE": False, "ALWAYS_TRUE": True}
#: ABC's MUX(a, b, c) = a ? b : c, with a the least significant input.
_MUX = sum(1 << i for i in range(8) if ((i >> 1) & 1 if i & 1 else (i >> 2) & 1))


def _lift_unary(u: int) -> int:
    """The 2-input op that applies the 1-input table ``u`` to its first input."""
    return (0b0101 if u & 1 else 0) | (0b1010 if u & 2 else 0)


def _split_args(text: str, lineno: int) -> list[str]:
    text = text.strip()
    if not text:
        return []
    args = [a.strip() for a in text.split(",")]
    for a in args:
        if not _NAME_RE.fullmatch(a):
            raise FormatError(f"line {lineno}: malformed operand {a!r}")
    return args


def _gate_spec(kind: str, args: list[str], lineno: int) -> tuple[int, list[str]] | Edge:
    """The op and operands of ``kind(args)``, or the constant edge it defines."""
    key = kind.upper()
    k = len(args)
    if key in _CONSTS and k == 0:
        return Edge(-1, _CONSTS[key])
    if key.startswith("DFF") or key == "LATCH":
        raise FormatError(f"line {lineno}: sequential element {kind} is not supported (combinational circuits only)")
    if key in _UNARY:
        if k != 1:
            raise FormatError(f"line {lineno}: {kind} takes one operand, got {k}")
        return int(_UNARY[key]), [args[0], args[0]]
    if key in _BINARY:
        if k != 2:
            raise FormatError(f"line {lineno}: {kind} takes two operands, got {k}")
        return int(Op2[key]), args
    if key == "MUX":
        if k != 3:
            raise FormatError(f"line {lineno}: MUX takes three operands, got {k}")
        return _MUX, args
    if key in _FAMILIES or key in _CONSTS:
        if k < (1 if key in _CONSTS else 2):
            raise FormatError(f"line {lineno}: {kind} needs at least two operands, got {k}")
        if k > MAX_FANIN:
            raise FormatError(f"line {lineno}: {kind} has {k} operands; gates have at most {MAX_FANIN} inputs")
        if k == 1:
            return _lift_unary(3 if _CONSTS[key] else 0), [args[0], args[0]]
        return op_of(_FAMILIES.get(key, key), k), args
    raise FormatError(f"line {lineno}: unknown gate type {kind!r}")


def _lut_spec(hex_text: str, args: list[str], lineno: int) -> tuple[int, list[str]]:
    k = len(args)
    if not 1 <= k <= MAX_FANIN:
        raise FormatError(f"line {lineno}: LUT has {k} operands; gates have 1..{MAX_FANIN} inputs")
    table = int(hex_text[2:], 16)
    if table >> (1 << k):
        raise FormatError(f"line {lineno}: LUT table {hex_text} has bits beyond the {1 << k} rows of {k} inputs")
    if k == 1:
        return _lift_unary(table), [args[0], args[0]]
    return table, args


def parse_bench(text: str, basis: Basis | str | None = None) -> BooleanCircuit:
    """Read a BENCH circuit (see the module docstring for the accepted dialect).

    ``basis`` forces the basis of the result; by default it is b2 with the smallest
    fan-in that fits.  Raises :class:`FormatError` (with the line number where there
    is one) for a malformed line, an unknown gate type, a latch, a signal defined twice,
    an undefined signal, a combinational cycle, a file without outputs, or a circuit
    that does not fit the requested basis.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    inputs: list[str] = []
    outputs: list[tuple[str, int]] = []
    defs: dict[str, tuple[int, tuple[int, list[str]] | Edge]] = {}
    input_line: dict[str, int] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = _IO_RE.fullmatch(line)
        if m:
            kind, name = m.group(1).upper(), m.group(2)
            if kind == "INPUT":
                if name in input_line:
                    raise FormatError(
                        f"line {lineno}: input {name!r} declared twice (first on line {input_line[name]})"
                    )
                input_line[name] = lineno
                inputs.append(name)
            else:
                outputs.append((name, lineno))
            continue
        m = _ASSIGN_RE.fullmatch(line)
        if not m:
            raise FormatError(f"line {lineno}: cannot parse {line!r}")
        name, body = m.group(1), m.group(2).strip()
        if name in defs:
            raise FormatError(f"line {lineno}: signal {name!r} defined twice (first on line {defs[name][0]})")
        if (c := _CONST_RE.fullmatch(body)) is not None:
            spec: tuple[int, list[str]] | Edge = Edge(-1, c.group(1).lower() == "vdd")
        elif (lut := _LUT_RE.fullmatch(body)) is not None:
            spec = _lut_spec(lut.group(1), _split_args(lut.group(2), lineno), lineno)
        elif (call := _CALL_RE.fullmatch(body)) is not None:
            spec = _gate_spec(call.group(1), _split_args(call.group(2), lineno), lineno)
        else:
            raise FormatError(f"line {lineno}: cannot parse gate definition {body!r}")
        defs[name] = (lineno, spec)

    for name in inputs:
        if name in defs:
            raise FormatError(
                f"line {defs[name][0]}: signal {name!r} is an INPUT (line {input_line[name]}) and is defined again"
            )
    if not outputs:
        raise FormatError("no OUTPUT line: a circuit needs at least one output")

    gate_defs = {name: (lineno, spec) for name, (lineno, spec) in defs.items() if not isinstance(spec, Edge)}
    gate_names = list(gate_defs)

    def check_operand(arg: str, lineno: int) -> None:
        if arg not in input_line and arg not in defs and arg not in ("vdd", "gnd"):
            raise FormatError(f"line {lineno}: undefined signal {arg!r}")

    for name in gate_names:
        lineno, (_, args) = gate_defs[name]
        for a in args:
            check_operand(a, lineno)

    # topological order, preferring file order
    order = dag.topological_order(
        {name: args for name, (_, (_, args)) in gate_defs.items()},
        {name: lineno for name, (lineno, _) in gate_defs.items()},
    )
    if len(order) < len(gate_names):
        # every unplaced gate waits on another unplaced gate: walk back until a repeat
        placed = set(order)
        stuck = {name for name in gate_names if name not in placed}
        name = min(stuck, key=lambda s: defs[s][0])
        seen: set[str] = set()
        while name not in seen:
            seen.add(name)
            name = min((a for a in gate_defs[name][1][1] if a in stuck), key=lambda s: defs[s][0])
        raise FormatError(f"line {defs[name][0]}: signal {name!r} is on a combinational cycle")

    n = len(inputs)
    where: dict[str, Edge] = {name: Edge(j) for j, name in enumerate(inputs)}
    for name, (_, spec) in defs.items():
        if isinstance(spec, Edge):
            where[name] = spec
    for i, name in enumerate(order):
        where[name] = Edge(n + i)

    def edge(arg: str) -> Edge:
        if arg in where:
            return where[arg]
        return Edge(-1, arg == "vdd")

    gates = []
    for name in order:
        op, args = gate_defs[name][1]
        gates.append(Gate(op, tuple(edge(a) for a in args)))
    outs = []
    for name, lineno in outputs:
        check_operand(name, lineno)
        outs.append(edge(name))

    if basis is None:
        chosen = Basis("b2", max([2] + [g.arity for g in gates]))
    else:
        try:
            chosen = make_basis(basis) if isinstance(basis, str) else basis
        except SpecError as exc:
            raise FormatError(str(exc)) from None
    try:
        return BooleanCircuit(n, chosen, tuple(gates), tuple(outs))
    except ModelError as exc:
        raise FormatError(f"BENCH circuit does not fit basis {chosen.label}: {exc}") from None


def load_bench(path: str | Path, basis: Basis | str | None = None) -> BooleanCircuit:
    """Read a BENCH file (see :func:`parse_bench`)."""
    return parse_bench(read_text(path), basis)


# ------------------------------------------------------------------ writing
_WRITE_NAMES_2 = {int(Op2[name]): name for name in ("AND", "OR", "NAND", "NOR", "XOR", "NXOR") + _BINARY}
_WRITE_FAMILIES = ("AND", "OR", "NAND", "NOR", "XOR", "NXOR")


def _gate_text(g: Gate, args: list[str]) -> str:
    if g.arity == 2 and g.inputs[0] == g.inputs[1] and g.op in (Op2.LNOT, Op2.LIFF):
        return f"{'NOT' if g.op == Op2.LNOT else 'BUFF'}({args[0]})"
    joined = ", ".join(args)
    if g.arity == 2 and g.op in _WRITE_NAMES_2:
        return f"{_WRITE_NAMES_2[g.op]}({joined})"
    if g.arity > 2:
        for family in _WRITE_FAMILIES:
            if op_of(family, g.arity) == g.op:
                return f"{family}({joined})"
    return f"LUT 0x{g.op:0{max(1, (1 << g.arity) // 4)}x} ({joined})"


def generate_bench(circuit: BooleanCircuit, *, expand_negations: bool = False) -> str:
    """The BENCH text of ``circuit`` (see the module docstring for the naming).

    Raises :class:`FormatError` if the circuit has negated edges (other than the
    constant true) unless ``expand_negations`` is set, which writes one NOT gate per
    negated node.
    """
    n = circuit.n
    edges = [e for g in circuit.gates for e in g.inputs] + list(circuit.outputs)
    negated = sorted({e.node for e in edges if e.neg and e.node >= 0})
    if negated and not expand_negations:
        raise FormatError(
            f"circuit over {circuit.basis.label} has negated edges, which BENCH cannot express; "
            "pass expand_negations=True to write them as NOT gates"
        )

    def node_name(v: int) -> str:
        return f"x{v}" if v < n else f"g{v - n}"

    def edge_name(e: Edge) -> str:
        if e.node == -1:
            return "c1" if e.neg else "c0"
        return node_name(e.node) + ("_n" if e.neg else "")

    lines = [
        f"# lbt Boolean circuit over {circuit.basis.label}: {n} inputs, {circuit.num_outputs} outputs, {circuit.size} gates"
    ]
    if negated:
        lines.append(
            f"# negated edges written as {len(negated)} NOT gates: this file holds {circuit.size + len(negated)} gates"
        )
    lines += [f"INPUT(x{j})" for j in range(n)]
    lines += [f"OUTPUT({edge_name(e)})" for e in circuit.outputs]
    consts = {e.neg for e in edges if e.node == -1}
    if False in consts:
        lines.append("c0 = gnd")
    if True in consts:
        lines.append("c1 = vdd")
    negated_set = set(negated)
    lines += [f"x{v}_n = NOT(x{v})" for v in negated if v < n]
    for i, g in enumerate(circuit.gates):
        lines.append(f"g{i} = {_gate_text(g, [edge_name(e) for e in g.inputs])}")
        if n + i in negated_set:
            lines.append(f"g{i}_n = NOT(g{i})")
    return "\n".join(lines) + "\n"


def write_bench(circuit: BooleanCircuit, path: str | Path, *, expand_negations: bool = False) -> None:
    """Write :func:`generate_bench` text to ``path`` (atomically)."""
    write_text_atomic(path, generate_bench(circuit, expand_negations=expand_negations))
