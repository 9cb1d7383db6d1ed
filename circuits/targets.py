"""Explicit Boolean functions named by spec strings such as ``"maj:5"``.

A spec is ``family:param:param...``.  :func:`target` looks the family up in a
registry, validates the parameters and returns a :class:`Target`: the truth
table together with the names of its inputs and outputs.

>>> t = target("add:2")
>>> t.inputs, t.outputs
(('x0', 'x1', 'y0', 'y1'), ('s0', 's1', 'c'))
>>> target("maj:3").table.hex()
'e8'

Leniency and normal form
------------------------
Whitespace around the spec and around each field is ignored, the family name
is case-insensitive, integer parameters are plain decimal numbers (leading
zeros allowed, no sign, no ``0x``, no ``_``).  :attr:`Target.spec` is the normal
form: lower-case family, fields joined by ``:`` without spaces, integers
without leading zeros, ``tt`` tables as printed by :meth:`TruthTable.hex`
(lower case, no ``0x``), ``expr`` expressions as given by
:func:`circuits.expr.canonical_expr`.  ``target(t.spec) == t`` always holds,
so ``target(" MAJ : 05 ").spec == "maj:5"``.

Families
--------
Symmetric families (``par maj thr exact mod sum``) read inputs ``x0..x{N-1}``.
Two-operand families (``ip disj eq gt add``) read the ``D``-bit numbers ``x``
from inputs ``0..D-1`` (named ``x0..x{D-1}``) and ``y`` from inputs
``D..2D-1`` (named ``y0..y{D-1}``), least significant bit first.  ``mux:K``
reads the select bits ``s0..s{K-1}`` (LSB first) and then the data bits
``d0..d{2^K-1}``.  ``tt``, ``rand`` and ``expr`` read ``x0..x{N-1}`` and name
their outputs ``y0, y1, ...``.  A built-in single-output family names its
output after itself (``maj``, ``ip``, ...), ``sum`` and ``add`` name theirs
``s0, s1, ...`` (and ``c`` for the carry of ``add``).

Adding a family
---------------
::

    from circuits.targets import register_family
    from circuits.truthtable import TruthTable

    @register_family("tribes", params=("K", "W"), doc="OR of K ANDs of W bits", inputs="block-major")
    def tribes(K: int, W: int) -> TruthTable:
        return TruthTable.from_function(K * W, lambda x: any(all(x[i*W:(i+1)*W]) for i in range(K)))

    target("tribes:2:3")

Parameters are non-negative integers unless the family declares a ``parse``
hook.  The builder returns a :class:`TruthTable` (inputs named ``x0..``,
outputs ``y0..``) or a triple ``(table, input_names, output_names)`` (a
:class:`Target` is accepted too).
"""

from __future__ import annotations

import inspect
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from circuits.errors import LbtError, SpecError, TooLargeError
from circuits.expr import canonical_expr, expr_arity, parse_expr
from circuits.schema import parse_decimal
from circuits.truthtable import MAX_INPUTS, TruthTable

__all__ = [
    "name_mismatch",
    "Target",
    "Family",
    "target",
    "resolve_target",
    "families",
    "family",
    "register_family",
    "unregister_family",
]

_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_FAMILY_RE = re.compile(r"[a-z][a-z0-9_]*\Z")


# --------------------------------------------------------------------- Target
@dataclass(frozen=True)
class Target:
    """An explicit Boolean function with named inputs and outputs.

    ``inputs[j]`` names input ``j`` (bit ``j`` of a row index of ``table``),
    ``outputs[k]`` names output ``k``.
    """

    spec: str
    table: TruthTable
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    family: str
    description: str

    def __post_init__(self) -> None:
        for attr in ("inputs", "outputs"):
            value = getattr(self, attr)
            if not isinstance(value, tuple):
                object.__setattr__(self, attr, tuple(value))
        _check_names(self.spec, self.table, self.inputs, self.outputs)
        if "\n" in self.description:
            raise SpecError(f"{self.spec}: a target description must be one line")

    @property
    def n(self) -> int:
        """Number of inputs."""
        return self.table.n

    @property
    def m(self) -> int:
        """Number of outputs."""
        return self.table.m

    def __str__(self) -> str:
        return self.spec


def _check_names(spec: str, table: TruthTable, inputs: tuple, outputs: tuple) -> None:
    if not isinstance(table, TruthTable):
        raise SpecError(f"{spec}: the table must be a TruthTable, got {type(table).__name__}")
    if len(inputs) != table.n:
        raise SpecError(f"{spec}: {len(inputs)} input names for a function of {table.n} inputs")
    if len(outputs) != table.m:
        raise SpecError(f"{spec}: {len(outputs)} output names for a function of {table.m} outputs")
    seen: set[str] = set()
    for name in inputs + outputs:
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise SpecError(f"{spec}: {name!r} is not a valid signal name (letters, digits, '_')")
        if name in seen:
            raise SpecError(f"{spec}: signal name {name!r} is used twice")
        seen.add(name)


# ------------------------------------------------------------------- registry
@dataclass(frozen=True)
class Family:
    """A registered family of targets."""

    name: str
    params: tuple[str, ...]
    doc: str
    build: Callable[..., Any] = field(repr=False)
    #: Short note on the input order (e.g. ``"x then y, LSB first"``).
    inputs: str = ""
    #: ``parse(text) -> tuple`` turns the text after ``name:`` into the
    #: builder's arguments; ``None`` means colon-separated non-negative integers.
    parse: Callable[[str], tuple] | None = field(default=None, repr=False)
    #: ``format(args) -> str`` renders parsed arguments in normal form
    #: (default: ``str`` of each argument joined by ``:``).
    format: Callable[[tuple], str] | None = field(default=None, repr=False)

    @property
    def usage(self) -> str:
        """The spec pattern, e.g. ``"thr:N:K"``."""
        return ":".join((self.name,) + self.params)

    @property
    def summary(self) -> str:
        """First line of the doc."""
        return self.doc.strip().splitlines()[0] if self.doc.strip() else ""


_REGISTRY: dict[str, Family] = {}


def register_family(
    name: str,
    *,
    params: Sequence[str] = (),
    doc: str = "",
    inputs: str = "",
    parse: Callable[[str], tuple] | None = None,
    format: Callable[[tuple], str] | None = None,
    replace: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator registering ``fn(*params) -> TruthTable | (table, inputs, outputs)``.

    ``name`` is matched case-insensitively and stored in lower case.  Without
    a ``parse`` hook the spec must give exactly ``len(params)`` non-negative
    decimal integers (range checks beyond that are the builder's job: raise
    :class:`SpecError` with a one-line message).  ``parse(text) -> tuple``
    replaces that rule: it receives the text after ``name:`` (``""`` if the
    spec has no colon) and returns the builder's arguments, raising
    :class:`SpecError` on bad input; ``format(args) -> str`` renders them in
    the normal form (default: ``str`` of each argument joined by ``:``).
    ``doc`` (default: the function's docstring) should name the input order
    on its first line; ``inputs`` is a short label of that order for
    listings.  Registering a name that exists raises :class:`SpecError`
    unless ``replace=True``.  The decorated function is returned unchanged.
    """
    key = name.strip().lower() if isinstance(name, str) else name
    if not isinstance(key, str) or not _FAMILY_RE.match(key):
        raise SpecError(f"family name {name!r} must be a letter followed by letters, digits or '_'")
    params = tuple(params)
    bad = any(not isinstance(p, str) or not _NAME_RE.match(p) for p in params)
    if bad or len(set(params)) != len(params):
        raise SpecError(f"family {key!r}: parameter names must be distinct identifiers, got {params!r}")
    if key in _REGISTRY and not replace:
        raise SpecError(f"family {key!r} is already registered (pass replace=True to override it)")

    def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
        text = doc if doc else inspect.cleandoc(fn.__doc__ or "")
        _REGISTRY[key] = Family(key, params, text.strip(), fn, inputs, parse, format)
        return fn

    return decorator


def unregister_family(name: str) -> None:
    """Remove a family (``SpecError`` if it is not registered)."""
    key = name.strip().lower()
    if key not in _REGISTRY:
        raise SpecError(_unknown(key))
    del _REGISTRY[key]


def families() -> tuple[Family, ...]:
    """All registered families, sorted by name."""
    return tuple(_REGISTRY[k] for k in sorted(_REGISTRY))


def family(name: str) -> Family:
    """The family called ``name`` (case-insensitive)."""
    key = name.strip().lower()
    if key not in _REGISTRY:
        raise SpecError(_unknown(key))
    return _REGISTRY[key]


def _unknown(key: str) -> str:
    return f"unknown family {key!r} (known: {', '.join(sorted(_REGISTRY))})"


# ------------------------------------------------------------------- parsing
def _parse_ints(fam: Family, rest: str | None) -> tuple[int, ...]:
    fields = [] if rest is None else [f.strip() for f in rest.split(":")]
    if len(fields) != len(fam.params):
        wanted = len(fam.params)
        names = f" ({', '.join(fam.params)})" if fam.params else ""
        raise SpecError(f"{fam.name} takes {wanted} parameter{'s' if wanted != 1 else ''}{names}, got {len(fields)}")
    return tuple(_int_field(fam.name, p, f) for p, f in zip(fam.params, fields))


def _int_field(fam: str, param: str, text: str) -> int:
    return parse_decimal(text, f"{fam}:{param}")


def target(spec: str) -> Target:
    """The target named by ``spec`` (see the module docstring for the syntax)."""
    if not isinstance(spec, str):
        raise SpecError(f"a target spec must be a string, got {type(spec).__name__}")
    text = spec.strip()
    if not text:
        raise SpecError("empty target spec")
    head, colon, rest = text.partition(":")
    key = head.strip().lower()
    if not key:
        raise SpecError(f"target spec {_one_line(text)} has no family name before ':'")
    if key not in _REGISTRY:
        raise SpecError(_unknown(key))
    fam = _REGISTRY[key]
    if fam.parse is not None:
        args = tuple(fam.parse(rest if colon else ""))
    else:
        args = _parse_ints(fam, rest if colon else None)
    if fam.format is not None:
        params_text = fam.format(args)
    else:
        params_text = ":".join(str(a) for a in args)
    normal = f"{fam.name}:{params_text}" if fam.params or params_text else fam.name
    result = fam.build(*args)
    return _as_target(fam, normal, args, result)


def resolve_target(obj: str | TruthTable) -> tuple[str, TruthTable]:
    """``(spec, table)`` of a target given as a spec string or a table (a table's spec is ``tt:N:HEX``)."""
    if isinstance(obj, str):
        t = target(obj)
        return t.spec, t.table
    if isinstance(obj, TruthTable):
        return f"tt:{obj.n}:{obj.hex()}", obj
    raise SpecError(f"target must be a TruthTable or a spec string, got {type(obj).__name__}")


def name_mismatch(spec: object, table: TruthTable, holder: str = "the record") -> str | None:
    """Why ``spec`` does not name ``table`` (it does not parse, or defines another table); ``None`` if it does.

    A stored result or certificate (``holder``) carries both a name and a table;
    a checker that shows the name must first see that it means the table.

    >>> name_mismatch("maj:3", TruthTable.from_hex(3, "e8")) is None
    True
    >>> name_mismatch("par:3", TruthTable.from_hex(3, "e8"))
    'target par:3 has table 96, the record has e8'
    """
    if not isinstance(spec, str):
        return f"the target name must be a spec string, got {type(spec).__name__}"
    try:
        defined = target(spec).table
    except (LbtError, ArithmeticError, ValueError, RecursionError) as exc:  # whatever a parser may raise
        return f"target {_excerpt(spec, 60)} does not parse: {exc}"
    if defined != table:
        return f"target {_excerpt(spec, 60)} has table {_excerpt(defined.hex())}, {holder} has {_excerpt(table.hex())}"
    return None


def _excerpt(text: str, limit: int = 40) -> str:
    """``text`` on one line, cut to ``limit`` characters (user input quoted in a message stays short)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _one_line(text: str) -> str:
    return repr(_excerpt(text, 60))


def _as_target(fam: Family, spec: str, args: tuple, result: Any) -> Target:
    if isinstance(result, TruthTable):
        table = result
        inputs = tuple(f"x{j}" for j in range(table.n))
        outputs = tuple(f"y{k}" for k in range(table.m))
    elif isinstance(result, Target):
        table, inputs, outputs = result.table, result.inputs, result.outputs
    elif isinstance(result, (tuple, list)) and len(result) == 3:
        table, inputs, outputs = result[0], tuple(result[1]), tuple(result[2])
    else:
        raise SpecError(
            f"{spec}: family {fam.name!r} returned {type(result).__name__}; "
            "expected a TruthTable or (table, input_names, output_names)"
        )
    _check_names(spec, table, inputs, outputs)
    return Target(spec, table, inputs, outputs, fam.name, _describe(fam, spec, args, inputs, outputs))


def _span(names: Sequence[str]) -> str:
    """``x0..x3, y0..y3`` style compression of a name list."""
    parts: list[str] = []
    i = 0
    while i < len(names):
        m = re.fullmatch(r"(.*?)(\d+)", names[i])
        j = i
        if m:
            stem, start = m.group(1), int(m.group(2))
            while j + 1 < len(names) and names[j + 1] == f"{stem}{start + j + 1 - i}":
                j += 1
        if j - i >= 2:
            parts.append(f"{names[i]}..{names[j]}")
        else:
            parts.extend(names[i : j + 1])
        i = j + 1
    return ", ".join(parts) if parts else "none"


def _describe(fam: Family, spec: str, args: tuple, inputs: Sequence[str], outputs: Sequence[str]) -> str:
    head = spec
    if fam.params and len(args) == len(fam.params) and all(isinstance(a, int) for a in args):
        head += " (" + ", ".join(f"{p}={a}" for p, a in zip(fam.params, args)) + ")"
    text = f"{head}: {fam.summary}; inputs {_span(inputs)}; outputs {_span(outputs)}"
    return " ".join(text.split())


# ------------------------------------------------------------ built-in helpers
def _need(ok: bool, message: str) -> None:
    if not ok:
        raise SpecError(message)


def _fits(spec: str, n: int) -> None:
    if n > MAX_INPUTS:
        raise TooLargeError(f"{spec} needs {n} inputs; truth tables support at most {MAX_INPUTS}")


def _rows(n: int) -> np.ndarray:
    return np.arange(1 << n, dtype=np.int64)


def _weights(n: int) -> np.ndarray:
    return np.bitwise_count(_rows(n)).astype(np.int64)


def _table(n: int, *columns: np.ndarray) -> TruthTable:
    return TruthTable.from_bits(n, [np.asarray(c, dtype=np.uint8) for c in columns])


def _xs(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{j}" for j in range(count))


def _symmetric(name: str, n: int, column: np.ndarray) -> tuple[TruthTable, tuple, tuple]:
    return _table(n, column), _xs("x", n), (name,)


def _check_symmetric(name: str, N: int) -> None:
    _need(N >= 1, f"{name}:N needs N >= 1, got {N}")
    _fits(f"{name}:{N}", N)


def _check_operands(name: str, D: int) -> None:
    _need(D >= 1, f"{name}:D needs D >= 1, got {D}")
    _fits(f"{name}:{D}", 2 * D)


def _operands(D: int) -> tuple[np.ndarray, np.ndarray]:
    rows = _rows(2 * D)
    return rows & ((1 << D) - 1), rows >> D


def _operand_names(D: int) -> tuple[str, ...]:
    return _xs("x", D) + _xs("y", D)


# ------------------------------------------------------------------ built-ins
@register_family(
    "par",
    params=("N",),
    inputs="x0..x{N-1}",
    doc="parity: 1 iff an odd number of the N inputs x0..x{N-1} are 1",
)
def _par(N: int):
    _check_symmetric("par", N)
    return _symmetric("par", N, _weights(N) & 1)


@register_family(
    "maj",
    params=("N",),
    inputs="x0..x{N-1}",
    doc="majority: 1 iff at least ceil(N/2) of the N inputs x0..x{N-1} are 1 (even N: ties give 1)",
)
def _maj(N: int):
    _check_symmetric("maj", N)
    return _symmetric("maj", N, _weights(N) >= (N + 1) // 2)


@register_family(
    "thr",
    params=("N", "K"),
    inputs="x0..x{N-1}",
    doc="threshold: 1 iff at least K of the N inputs x0..x{N-1} are 1 (0 <= K <= N+1)",
)
def _thr(N: int, K: int):
    _check_symmetric("thr", N)
    _need(K <= N + 1, f"thr:N:K needs 0 <= K <= N+1 = {N + 1}, got K={K}")
    return _symmetric("thr", N, _weights(N) >= K)


@register_family(
    "exact",
    params=("N", "K"),
    inputs="x0..x{N-1}",
    doc="exactly-K: 1 iff exactly K of the N inputs x0..x{N-1} are 1 (0 <= K <= N)",
)
def _exact(N: int, K: int):
    _check_symmetric("exact", N)
    _need(K <= N, f"exact:N:K needs 0 <= K <= N = {N}, got K={K}")
    return _symmetric("exact", N, _weights(N) == K)


@register_family(
    "mod",
    params=("N", "M", "R"),
    inputs="x0..x{N-1}",
    doc="counting mod M: 1 iff the number of 1s among x0..x{N-1} is R mod M (M >= 2, 0 <= R < M)",
)
def _mod(N: int, M: int, R: int):
    _check_symmetric("mod", N)
    _need(M >= 2, f"mod:N:M:R needs M >= 2, got M={M}")
    _need(R < M, f"mod:N:M:R needs 0 <= R < M = {M}, got R={R}")
    counts = np.array([c % M == R for c in range(N + 1)])  # per number of 1s (M and R may be huge)
    return _symmetric("mod", N, counts[_weights(N)])


@register_family(
    "sum",
    params=("N",),
    inputs="x0..x{N-1}",
    doc="binary count of the 1s among x0..x{N-1}: outputs s0 (LSB)..s{b-1}, b = bit_length(N)",
)
def _sum(N: int):
    _check_symmetric("sum", N)
    w = _weights(N)
    b = N.bit_length()
    return _table(N, *[(w >> k) & 1 for k in range(b)]), _xs("x", N), _xs("s", b)


@register_family(
    "ip",
    params=("D",),
    inputs="x0..x{D-1} then y0..y{D-1}, LSB first",
    doc="inner product mod 2 of x = inputs 0..D-1 and y = inputs D..2D-1: XOR of x_j AND y_j",
)
def _ip(D: int):
    _check_operands("ip", D)
    x, y = _operands(D)
    return _table(2 * D, np.bitwise_count(x & y) & 1), _operand_names(D), ("ip",)


@register_family(
    "disj",
    params=("D",),
    inputs="x0..x{D-1} then y0..y{D-1}, LSB first",
    doc="disjointness of x = inputs 0..D-1 and y = inputs D..2D-1: 1 iff no j has x_j = y_j = 1",
)
def _disj(D: int):
    _check_operands("disj", D)
    x, y = _operands(D)
    return _table(2 * D, (x & y) == 0), _operand_names(D), ("disj",)


@register_family(
    "eq",
    params=("D",),
    inputs="x0..x{D-1} then y0..y{D-1}, LSB first",
    doc="equality of x = inputs 0..D-1 and y = inputs D..2D-1: 1 iff x_j = y_j for all j",
)
def _eq(D: int):
    _check_operands("eq", D)
    x, y = _operands(D)
    return _table(2 * D, x == y), _operand_names(D), ("eq",)


@register_family(
    "gt",
    params=("D",),
    inputs="x0..x{D-1} then y0..y{D-1}, LSB first",
    doc="comparison: 1 iff x > y as D-bit numbers, x = inputs 0..D-1, y = inputs D..2D-1, LSB first",
)
def _gt(D: int):
    _check_operands("gt", D)
    x, y = _operands(D)
    return _table(2 * D, x > y), _operand_names(D), ("gt",)


@register_family(
    "add",
    params=("D",),
    inputs="x0..x{D-1} then y0..y{D-1}, LSB first",
    doc="D-bit adder: x = inputs 0..D-1, y = inputs D..2D-1, LSB first; outputs s0..s{D-1} = x+y mod 2^D, then carry c",
)
def _add(D: int):
    _check_operands("add", D)
    x, y = _operands(D)
    s = x + y
    return _table(2 * D, *[(s >> k) & 1 for k in range(D + 1)]), _operand_names(D), _xs("s", D) + ("c",)


@register_family(
    "mux",
    params=("K",),
    inputs="s0..s{K-1} (LSB first) then d0..d{2^K-1}",
    doc="multiplexer: select bits s0..s{K-1} (inputs 0..K-1, LSB first), data d0..d{2^K-1} (inputs K..); output d[s]",
)
def _mux(K: int):
    _need(K >= 1, f"mux:K needs K >= 1, got {K}")
    if K > MAX_INPUTS:
        raise TooLargeError(f"mux:{K} needs 2^{K} + {K} inputs; truth tables support at most {MAX_INPUTS}")
    n = K + (1 << K)
    _fits(f"mux:{K}", n)
    rows = _rows(n)
    s = rows & ((1 << K) - 1)
    data = rows >> K
    return _table(n, (data >> s) & 1), _xs("s", K) + _xs("d", 1 << K), ("mux",)


def _parse_tt(rest: str) -> tuple:
    fields = rest.split(":")
    if len(fields) != 2:
        raise SpecError(f"tt takes 2 parameters (N, HEX), got {len(fields) if rest.strip() else 0}")
    n = _int_field("tt", "N", fields[0].strip())
    _fits(f"tt:{n}", n)
    return (n, TruthTable.from_hex(n, fields[1].strip()))


@register_family(
    "tt",
    params=("N", "HEX"),
    inputs="x0..x{N-1}",
    parse=_parse_tt,
    format=lambda args: f"{args[0]}:{args[1].hex()}",
    doc="any table: HEX as printed by TruthTable.hex() (bit i = f(x) with x_j = bit j of i, x0 = LSB), "
    "outputs comma separated, output y0 first",
)
def _tt(n: int, table: TruthTable) -> TruthTable:
    return table


@register_family(
    "rand",
    params=("N", "SEED"),
    inputs="x0..x{N-1}",
    doc="random function, deterministic in SEED: table = random.Random(SEED).getrandbits(2^N)",
)
def _rand(N: int, SEED: int) -> TruthTable:
    _fits(f"rand:{N}", N)
    return TruthTable.single(N, random.Random(SEED).getrandbits(1 << N))


def _strip_quotes(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1].strip()
    return text


def _parse_expr_spec(rest: str) -> tuple:
    body = _strip_quotes(rest)
    n: int | None = None
    m = re.fullmatch(r"([0-9]+)\s*:(.*)", body, re.DOTALL)
    if m:  # "N:EXPR" -- a valid expression never contains ':'
        n = _int_field("expr", "N", m.group(1))
        _fits(f"expr:{n}", n)
        body = _strip_quotes(m.group(2))
    text = canonical_expr(body)
    if n is not None and n == expr_arity(text):
        n = None
    if n is not None:
        parse_expr(text, n)  # reports a variable beyond N
    return (text, n)


@register_family(
    "expr",
    params=("EXPR",),
    inputs="x0..x{N-1}",
    parse=_parse_expr_spec,
    format=lambda args: args[0] if args[1] is None else f"{args[1]}:{args[0]}",
    doc="Boolean expression over x0..x{N-1}; comma-separated expressions give outputs y0, y1, ...\n"
    "Operators ~ or ! (not), & (and), ^ (xor), | (or) in decreasing precedence, parentheses, "
    "constants 0 and 1, variables x0..x19.  N is 1 + the largest variable index, or given "
    "explicitly as expr:N:EXPR.  Quotes around EXPR are dropped.",
)
def _expr(text: str, n: int | None) -> TruthTable:
    return parse_expr(text, n)
