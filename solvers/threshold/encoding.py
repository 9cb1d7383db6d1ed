"""Exact minimum threshold circuits: SAT over gate columns, separability checked lazily and exactly.

Problem
-------
Given a target ``f`` on ``n`` inputs and a size ``s``, is there a threshold
circuit (:class:`circuits.threshold.ThresholdCircuit`) of ``s`` gates computing
``f``?  Size counts every gate, output gates included.  Models:

* any depth (default): gate ``i`` may read every input and every earlier gate;
* ``depth=D``: additionally every path has at most ``D`` gates (skip connections
  allowed);
* ``layered=D``: every gate has a layer ``1..D``; a layer-1 gate reads only
  inputs, a layer-``l`` gate only gates of layer ``l - 1`` (``is_layered()``
  and depth at most ``D``);
* ``fanin=K``: every gate reads at most ``K`` nodes;
* ``max_weight=W``: integer weights and thresholds in ``[-W, W]``.  Without it
  real and integer weights are the same model.

Outputs are gates.  Two outputs with the same function share one gate (so the
size counts distinct gates); outputs with different functions are different
gates, and an output gate may also feed later gates.

Method
------
Variables (numbered deterministically by :func:`encode`):

``G[i][r]``
    the value of gate ``i`` on truth-table row ``r`` (a constant where the
    symmetry breaking fixes it: the output column of a single-output target,
    row 0 of a non-output gate);
``E[i][u]``
    gate ``i`` reads node ``u`` (its weight on ``u`` may be non-zero);
``O[k][i]``
    output ``k`` (of the distinct output functions) is gate ``i``;
plus order-encoded depth or layer variables and auxiliary variables of the
symmetry breaking and of the fan-in counter.

The base CNF says nothing about linear separability.  The lazy loop asks the
SAT solver for a model, and for each gate ``i`` it forms the labelled point
set: row ``r`` gives the point ``(value of u at r for u read by i)`` with label
``G[i][r]``.  :func:`circuits.linsep.separate` decides separability exactly.  An
inseparable gate yields an :class:`~circuits.linsep.Inseparability`
certificate (positive and negative multisets with equal sizes and equal sums);
the loop adds the clause forbidding exactly that labelled configuration: the
gate's values on the certificate rows, the values of the gates it reads on those
rows, and ``E[i][u]`` for every node ``u`` it does *not* read (a separator that
reads fewer nodes is a separator on more nodes with zero weights, so the
configuration stays inseparable on every subset of the read nodes).  With
``max_weight`` a gate that is separable with real weights but not with weights in
``[-W, W]`` yields a *bounded core*: a set of labelled rows that no weights in
range separate (found and re-checked by exhaustive search, :func:`bounded_separator`).
The check runs inside CaDiCaL as a lazy external propagator (IPASIR-UP): the
solver calls it on every complete assignment and continues its search with the
learned clauses, instead of being restarted.
When every gate is separable the separators are the witness; it is re-evaluated
with :meth:`ThresholdCircuit.computes` before it is returned.  When the CNF
(base encoding plus every learned clause, in the order given to the solver)
is unsatisfiable, size ``s`` is refuted; each learned clause comes with its
certificate, and the CNF with an LRAT proof (see :mod:`solvers.threshold.verify`).

Symmetry breaking
-----------------
:data:`SYMMETRY_BREAKING` lists the constraints; each removes only circuits that
some *minimum* circuit can be transformed away from, so a size below the
minimum stays unsatisfiable and the minimum stays satisfiable.  The argument
starts from a minimum circuit, in which no gate can be removed:

``output_last``
    the last gate is an output (a gate no later gate reads and no output uses is
    removable, so every sink is an output, and a sink can be put last).
``used``
    a non-output gate is read by a later gate (else removable).
``nontrivial``
    a non-output gate is not constant and not an input or a negated input (its
    readers absorb a constant into their threshold, read the input instead, or
    read it with the negated weight: ``w (1 - x) = w - w x``); with layers only the
    constant part holds (an input copy may be needed to reach the next layer).
``distinct``
    two gates never compute the same column, and a non-output gate never
    computes the complement of an output (flip it and it duplicates the
    output).  Of two gates with one column, keep the shallower one: a reader of
    the other has larger depth, so reading the kept gate creates no cycle and
    increases no depth or fan-in.  With layers this holds only within a layer.
``fanin2``
    a non-output gate reads at least two nodes (a gate of fan-in one is a copy,
    a negation or a constant); with layers: at least one.
``normal``
    a non-output gate is 0 on row 0 (the all-zero input): complementing a gate
    (``[w u >= t]`` becomes ``[-w u >= 1 - t]``) and adjusting its readers changes
    nothing else.
``order``
    two consecutive non-last gates of which the second does not read the first
    (with layers: two consecutive gates of one layer) are ordered: the key
    ``(E[i][u] for u from the highest node down, then G[i][r] for r = 0, 1, ...)``
    of the first is lexicographically at most that of the second.  Among all
    admissible topological orders take the one whose sequence of keys is
    smallest; swapping such a pair would give a smaller one.

Bounded weights (``max_weight``) keep only ``output_last``, ``used`` and
``order``: the others rewrite weights or thresholds, which may leave the range.
``E`` may be 1 on a node whose weight ends up 0, so the solver can satisfy
``used``, ``fanin2`` and ``order`` with spare wires; that weakens them but keeps
them sound (the argument only needs the true wiring to satisfy them).

One *implied* constraint is listed with them, valid in every model:

``pairs``
    for every gate and every two pairs of rows ``{a, b}``, ``{c, d}`` with
    ``x(a) + x(b) = x(c) + x(d)`` (as vectors): if the gate is 1 on ``a, b`` and 0
    on ``c, d``, then some gate it reads has different sums on the two pairs
    (otherwise the four points are an inseparability certificate).  An auxiliary
    variable per (gate, quadruple) states "different sums".  These are the
    2-asummability conditions, eagerly; the lazy check learns everything else.
    It grows like ``3**n`` and is on by default up to :data:`PAIRS_MAX_INPUTS` inputs.
``pairs_output``
    the same, only for gates whose column is fixed (the output of a single-output
    target); the default beyond :data:`PAIRS_MAX_INPUTS` inputs.

Tests compare minima with and without every constraint.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from circuits.errors import ArityError, SpecError, TooLargeError, WitnessError
from circuits.linsep import Inseparability, Separator, equal_sum_quadruples, separate
from circuits.threshold import ThresholdCircuit, ThresholdGate
from circuits.truthtable import TruthTable
from solvers.cnf import CnfBuilder, Lit, clauses_hash, forbid, negate
from solvers.lazy import LazyEncoding, LazyOutcome, check_size, chosen_symmetry, solve_lazily
from solvers.limits import check_encoding_size, cone_size, encoded_depth
from solvers.threshold.options import ThresholdOptions

__all__ = [
    "ENCODING",
    "ENCODING_VERSION",
    "MAX_INPUTS",
    "SYMMETRY_BREAKING",
    "Encoding",
    "LearnedClause",
    "ThresholdOptions",
    "WitnessError",
    "bounded_separator",
    "check_bounded_infeasible",
    "encode",
    "solve_size",
]

#: Name and version of the base encoding; recorded in every certificate.
ENCODING = "threshold-columns"
ENCODING_VERSION = 1

#: Largest number of inputs accepted (rows are SAT variables).
MAX_INPUTS = 10

#: All symmetry-breaking constraints, in the order of the module docstring.
SYMMETRY_BREAKING = (
    "output_last",
    "used",
    "nontrivial",
    "distinct",
    "fanin2",
    "normal",
    "order",
    "pairs",
    "pairs_output",
)

#: Largest number of inputs for which ``pairs`` is on by default.
PAIRS_MAX_INPUTS = 7

#: Those that stay sound with bounded weights.
_BOUNDED_SAFE = frozenset({"output_last", "used", "order", "pairs", "pairs_output"})


def default_symmetry_breaking(n: int, options: ThresholdOptions) -> frozenset[str]:
    """All sound constraints; ``pairs`` up to :data:`PAIRS_MAX_INPUTS` inputs, ``pairs_output`` beyond."""
    sym = allowed_symmetry_breaking(options) - {"pairs", "pairs_output"}
    return sym | {"pairs" if n <= PAIRS_MAX_INPUTS else "pairs_output"}


def allowed_symmetry_breaking(options: ThresholdOptions) -> frozenset[str]:
    if options.max_weight is not None:
        return _BOUNDED_SAFE
    return frozenset(SYMMETRY_BREAKING)


# ---------------------------------------------------------------- encoding
@dataclass(kw_only=True)
class Encoding(LazyEncoding):
    """The base CNF for one size and the variable map needed to read a model.

    Literals in ``G``, ``E`` and ``O`` are DIMACS integers or Python bools (constants).
    """

    options: ThresholdOptions
    functions: tuple[int, ...]  # distinct output functions
    output_of: tuple[int, ...]  # output k of the target -> index into functions
    G: list[list[Lit]]
    E: list[dict[int, Lit]]
    O: list[list[Lit]]

    def readable(self, i: int) -> list[int]:
        """Nodes gate ``i`` may read (those with a variable or constant ``E``), increasing."""
        return sorted(self.E[i])

    def header(self) -> dict[str, Any]:
        return {
            "encoding": ENCODING,
            "encoding_version": ENCODING_VERSION,
            "n": self.n,
            "table": self.table.hex(),
            "size": self.size,
            "options": self.options.to_dict(),
            "symmetry": sorted(self.symmetry),
        }

    def base_hash(self) -> str:
        return clauses_hash(self.clauses)


def _distinct_output_functions(
    table: TruthTable,
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    funcs: list[int] = []
    output_of = []
    for t in table.outputs:
        if t not in funcs:
            funcs.append(t)
        output_of.append(funcs.index(t))
    return tuple(funcs), tuple(output_of)


def encode(
    table: TruthTable,
    size: int,
    options: ThresholdOptions = ThresholdOptions(),
    symmetry: Iterable[str] | None = None,
    deadline: float | None = None,
) -> Encoding:
    """The base CNF for "a circuit of ``size`` gates computes ``table``" (deterministic).

    ``symmetry`` selects constraints of :data:`SYMMETRY_BREAKING` (default: all that
    are sound for ``options``); asking for one that is unsound for the model raises
    :class:`SpecError`.  Depth and layer bounds are encoded as
    :func:`solvers.limits.encoded_depth` gives them; building stops with
    :class:`solvers.limits.DeadlineReached` once ``deadline`` has passed.
    """
    if not isinstance(table, TruthTable):
        raise SpecError(f"target must be a TruthTable, got {type(table).__name__}")
    if table.n > MAX_INPUTS:
        raise TooLargeError(f"{table.n} inputs is too many for threshold synthesis (at most {MAX_INPUTS})")
    check_size(size)
    allowed = allowed_symmetry_breaking(options)
    sym = chosen_symmetry(symmetry, default_symmetry_breaking(table.n, options), SYMMETRY_BREAKING)
    if sym - allowed:
        raise SpecError(f"symmetry breaking {sorted(sym - allowed)} is unsound with bounded weights")

    n, s = table.n, size
    R = 1 << n
    check_encoding_size(s, s * (n + s + R))  # wires and gate columns
    funcs, output_of = _distinct_output_functions(table)
    m = len(funcs)
    fbits = [[(f >> r) & 1 for r in range(R)] for f in funcs]
    layered = encoded_depth(options.layered, s)
    depth = encoded_depth(options.depth, s)
    b = CnfBuilder(deadline)

    single = m == 1 and "output_last" in sym
    # ---- output selection
    O: list[list[Lit]] = []
    for _ in range(m):
        if single:
            O.append([*[False] * (s - 1), True])
        else:
            O.append([b.new() for _ in range(s)])

    def known_non_output(i: int) -> bool:
        return all(O[k][i] is False for k in range(m))

    def output_lits(i: int) -> list[Lit]:
        return [O[k][i] for k in range(m)]

    # ---- gate columns
    G: list[list[Lit]] = []
    for i in range(s):
        col: list[Lit] = []
        for r in range(R):
            if single and i == s - 1:
                col.append(bool(fbits[0][r]))
            elif "normal" in sym and r == 0 and known_non_output(i):
                col.append(False)
            else:
                col.append(b.new())
        G.append(col)

    # ---- wiring
    E: list[dict[int, Lit]] = []
    for i in range(s):
        E.append({u: b.new() for u in range(n + i)})

    # ---- layers / depth (order encoding)
    ge: list[list[Lit]] = []  # layered: ge[i][l] = layer(i) >= l, l = 0..D+1
    le: list[list[Lit]] = []  # depth:   le[i][l] = depth(i) <= l, l = 0..D
    if layered is not None:
        D = layered
        for _ in range(s):
            row: list[Lit] = [True, True] + [b.new() for _ in range(2, D + 1)] + [False]
            ge.append(row)
    if depth is not None:
        D = depth
        for _ in range(s):
            le.append([False] + [b.new() for _ in range(1, D)] + [True])

    # ================= clauses
    # outputs: each distinct output function is some gate; the gate computes it
    for k in range(m):
        if not single:
            b.add(O[k])
        for i in range(s):
            if O[k][i] is False:
                continue
            for r in range(R):
                b.add([negate(O[k][i]), G[i][r] if fbits[k][r] else negate(G[i][r])])

    # fan-in bound
    if options.fanin is not None:
        for i in range(s):
            b.at_most([E[i][u] for u in sorted(E[i])], options.fanin)

    # depth bound
    if depth is not None:
        D = depth
        for i in range(s):
            for l in range(1, D):
                b.add([negate(le[i][l]), le[i][l + 1]])
            for j in range(i):
                e = E[i][n + j]
                for l in range(1, D + 1):
                    # reads j and depth(i) <= l  ->  depth(j) <= l - 1
                    b.add([negate(e), negate(le[i][l]), le[j][l - 1]])

    # layers
    if layered is not None:
        D = layered
        for i in range(s):
            for l in range(2, D):
                b.add([negate(ge[i][l + 1]), ge[i][l]])
            if i + 1 < s:
                for l in range(2, D + 1):
                    b.add([negate(ge[i][l]), ge[i + 1][l]])  # layers non-decreasing in gate order
            for u in range(n):
                b.add([negate(E[i][u]), negate(ge[i][2])])  # reads an input -> layer 1
            for j in range(i):
                e = E[i][n + j]
                for l in range(1, D + 1):
                    # reads j -> (layer(i) >= l + 1  <->  layer(j) >= l)
                    b.add([negate(e), negate(ge[i][l + 1]), ge[j][l]])
                    b.add([negate(e), ge[i][l + 1], negate(ge[j][l])])
            # a gate above layer 1 reads some gate (its depth is its layer)
            b.add([negate(ge[i][2])] + [E[i][n + j] for j in range(i)])

    # ---------------- symmetry breaking
    if "output_last" in sym and not single:
        b.add(output_lits(s - 1))

    if "used" in sym:
        for i in range(s - 1):
            b.add(output_lits(i) + [E[j][n + i] for j in range(i + 1, s)])
        if single:
            pass  # the last gate is the output

    def non_output_clause(i: int, lits: list[Lit]) -> None:
        b.add(output_lits(i) + lits)

    def differs_from(i: int, bits: Sequence[int]) -> list[Lit]:
        return [negate(G[i][r]) if bits[r] else G[i][r] for r in range(R)]

    if "nontrivial" in sym:
        zero = [0] * R
        one = [1] * R
        for i in range(s):
            non_output_clause(i, differs_from(i, zero))
            non_output_clause(i, differs_from(i, one))
            if layered is None:
                for j in range(n):
                    xj = [(r >> j) & 1 for r in range(R)]
                    non_output_clause(i, differs_from(i, xj))
                    non_output_clause(i, differs_from(i, [1 - v for v in xj]))

    if "normal" in sym:
        for i in range(s):
            if G[i][0] is not False:
                non_output_clause(i, [negate(G[i][0])])

    if "fanin2" in sym:
        for i in range(s):
            lits = [E[i][u] for u in sorted(E[i])]
            non_output_clause(i, lits)
            if layered is None:
                for u in sorted(E[i]):
                    non_output_clause(i, [negate(E[i][u])] + [E[i][v] for v in sorted(E[i]) if v != u])

    def same_layer_lits(i: int, j: int) -> list[Lit]:
        """Literals one of which is true when gates i < j are in different layers."""
        assert layered is not None  # only layered circuits have layers
        out: list[Lit] = []
        for l in range(2, layered + 1):
            out.append(b.and_var(ge[j][l], negate(ge[i][l])))
        return out

    if "distinct" in sym:
        for i in range(s):
            for j in range(i + 1, s):
                diff: list[Lit] = []
                for r in range(R):
                    x, y = G[i][r], G[j][r]
                    if isinstance(x, bool) and isinstance(y, bool):
                        if x != y:
                            diff = [True]
                            break
                        continue
                    z = b.new()
                    b.add([-z, x, y])
                    b.add([-z, negate(x), negate(y)])
                    diff.append(z)
                if layered is not None:
                    diff = diff + same_layer_lits(i, j)
                b.add(diff)
        if layered is None:
            for i in range(s):
                for k in range(m):
                    comp = [1 - v for v in fbits[k]]
                    non_output_clause(i, differs_from(i, comp))

    if "order" in sym:
        for i in range(s - 2):
            key_i = [E[i][u] for u in range(n + i - 1, -1, -1)] + G[i]
            key_j = [E[i + 1][u] for u in range(n + i - 1, -1, -1)] + G[i + 1]
            if layered is not None:
                # same layer -> ordered.  Layers are non-decreasing, so "different" is
                # ge[i+1][l] & ~ge[i][l] for some l; cond = same layer.
                cond: Lit = b.new()
                b.add([cond] + same_layer_lits(i, i + 1))
            else:
                cond = negate(E[i + 1][n + i])
            b.lex_leq(cond, key_i, key_j)

    if "pairs" in sym or "pairs_output" in sym:
        quads = equal_sum_quadruples(n)
        dist: dict[tuple[int, int], Lit] = {}

        def distinguishes(j: int, q: int) -> Lit:
            """A literal implying: gate j's values on the two pairs of quadruple q have different sums."""
            key = (j, q)
            if key not in dist:
                (a, bb), (c, d) = quads[q]
                cols = [G[j][a], G[j][bb], G[j][c], G[j][d]]
                if all(isinstance(x, bool) for x in cols):
                    dist[key] = (int(cols[0]) + int(cols[1])) != (int(cols[2]) + int(cols[3]))
                else:
                    v = b.new()
                    for pat in _EQUAL_SUM_PATTERNS:
                        b.add([-v] + [forbid(x, val) for x, val in zip(cols, pat)])
                    dist[key] = v
            return dist[key]

        for i in range(s):
            if "pairs" not in sym and not all(isinstance(x, bool) for x in G[i]):
                continue  # pairs_output: only gates with a fixed column
            for q, ((a, bb), (c, d)) in enumerate(quads):
                for (p0, p1), (n0, n1) in (((a, bb), (c, d)), ((c, d), (a, bb))):
                    premise = [G[i][p0], G[i][p1], negate(G[i][n0]), negate(G[i][n1])]
                    if any(x is False for x in premise):
                        continue
                    lits = [negate(x) for x in premise]
                    for j in range(i):
                        lits.append(b.and_var(distinguishes(j, q), E[i][n + j]))
                    b.add(lits)

    return Encoding(
        table=table,
        size=s,
        options=options,
        symmetry=sym,
        functions=funcs,
        output_of=output_of,
        G=G,
        E=E,
        O=O,
        clauses=b.clauses,
        num_vars=b.top,
        trivially_unsat=b.unsat,
    )


_EQUAL_SUM_PATTERNS = tuple(
    (a, b, c, d) for a in (0, 1) for b in (0, 1) for c in (0, 1) for d in (0, 1) if a + b == c + d
)


# ---------------------------------------------------------------- learned clauses
@dataclass(frozen=True)
class LearnedClause:
    """A clause forbidding an inseparable labelled configuration of one gate.

    ``reads`` are the nodes the configuration lets the gate read (every other
    readable node ``u`` appears as the positive literal ``E[gate][u]``).  ``rows``
    holds ``(row, label, multiplicity)``: with ``kind == "farkas"`` the rows of
    label 1 and of label 0 have equal total multiplicity and equal sums of points;
    with ``kind == "bounded"`` (multiplicity 1) no integer weights and threshold in
    ``[-W, W]`` separate them.
    """

    kind: str
    gate: int
    reads: tuple[int, ...]
    rows: tuple[tuple[int, int, int], ...]
    clause: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "gate": self.gate,
            "reads": list(self.reads),
            "rows": [list(t) for t in self.rows],
            "clause": list(self.clause),
        }

    @classmethod
    def from_dict(cls, data: dict) -> LearnedClause:
        return cls(
            kind=str(data["kind"]),
            gate=int(data["gate"]),
            reads=tuple(int(u) for u in data["reads"]),
            rows=tuple((int(a), int(b), int(c)) for a, b, c in data["rows"]),
            clause=tuple(int(x) for x in data["clause"]),
        )


def _lit_value(lit: Lit, model: np.ndarray) -> int:
    if lit is True:
        return 1
    if lit is False:
        return 0
    return int(model[abs(lit)] if lit > 0 else 1 - model[abs(lit)])


class _Values:
    """The model's gate columns and wiring, as numpy arrays."""

    def __init__(self, enc: Encoding, model: Sequence[int]) -> None:
        arr = np.zeros(enc.num_vars + 1, dtype=np.int8)
        for lit in model:
            if 0 < abs(lit) <= enc.num_vars and lit > 0:
                arr[lit] = 1
        self.model = arr
        n, R = enc.n, enc.rows
        self.nodes = np.zeros((n + enc.size, R), dtype=np.int8)
        idx = np.arange(R)
        for j in range(n):
            self.nodes[j] = (idx >> j) & 1
        for i in range(enc.size):
            self.nodes[n + i] = [_lit_value(x, arr) for x in enc.G[i]]
        self.reads = [tuple(u for u in enc.readable(i) if _lit_value(enc.E[i][u], arr)) for i in range(enc.size)]


def _points(values: _Values, nodes: Sequence[int]) -> np.ndarray:
    return values.nodes[list(nodes)].T.copy() if nodes else np.zeros((values.nodes.shape[1], 0), dtype=np.int8)


def _quick_certificates(P: np.ndarray, labels: np.ndarray, limit: int) -> list[list[tuple[int, int, int]]]:
    """Cheap inseparability certificates: a point with both labels, or p1 + p2 = q1 + q2.

    Returns lists of ``(row, label, multiplicity)``.
    """
    R, d = P.shape
    keys: np.ndarray | None  # None: too many columns (d >= 62) for one int64 key per point
    if d == 0:
        keys = np.zeros(R, dtype=np.int64)
    else:
        keys = (P.astype(np.int64) << np.arange(d, dtype=np.int64)).sum(axis=1) if d < 62 else None
    found: list[list[tuple[int, int, int]]] = []
    if keys is not None:
        first: dict[tuple[int, int], int] = {}
        for r in range(R):
            first.setdefault((int(keys[r]), int(labels[r])), r)
        for (key, lab), r in first.items():
            if lab == 1 and (key, 0) in first:
                found.append([(r, 1, 1), (first[(key, 0)], 0, 1)])
                if len(found) >= limit:
                    return found
        if found:
            return found
        pos = sorted(r for (key, lab), r in first.items() if lab == 1)
        neg = sorted(r for (key, lab), r in first.items() if lab == 0)
    else:
        pos = [r for r in range(R) if labels[r]]
        neg = [r for r in range(R) if not labels[r]]
    if len(pos) < 2 or len(neg) < 2 or d > 38:
        return found
    codes = (P.astype(np.int64) * (3 ** np.arange(d, dtype=np.int64))).sum(axis=1)
    cp, cn = codes[pos], codes[neg]
    sp = np.add.outer(cp, cp)
    sn = np.add.outer(cn, cn)
    iu = np.triu_indices(len(pos), 1)
    ju = np.triu_indices(len(neg), 1)
    pv, nv = sp[iu], sn[ju]
    common = np.intersect1d(pv, nv)
    used_rows: set[int] = set()
    for c in common[: 8 * limit]:
        a = np.nonzero(pv == c)[0][0]
        bb = np.nonzero(nv == c)[0][0]
        rows = [pos[iu[0][a]], pos[iu[1][a]], neg[ju[0][bb]], neg[ju[1][bb]]]
        if used_rows.intersection(rows):
            continue
        used_rows.update(rows)
        found.append([(rows[0], 1, 1), (rows[1], 1, 1), (rows[2], 0, 1), (rows[3], 0, 1)])
        if len(found) >= limit:
            break
    return found


def _farkas_rows(P: np.ndarray, labels: np.ndarray, cert: Inseparability) -> list[tuple[int, int, int]]:
    """Map the points of a certificate back to rows with the right label."""
    where: dict[tuple[tuple[int, ...], int], int] = {}
    for r in range(P.shape[0]):
        where.setdefault((tuple(int(v) for v in P[r]), int(labels[r])), r)
    out = []
    for pt, a in cert.positive:
        out.append((where[(tuple(pt), 1)], 1, int(a)))
    for pt, bmul in cert.negative:
        out.append((where[(tuple(pt), 0)], 0, int(bmul)))
    return out


def _make_clause(
    enc: Encoding,
    values: _Values,
    gate: int,
    reads: Sequence[int],
    rows: Iterable[tuple[int, int, int]],
) -> tuple[int, ...]:
    n = enc.n
    lits: list[Lit] = []
    read_set = set(reads)
    for u in enc.readable(gate):
        if u not in read_set:
            lits.append(enc.E[gate][u])
    for r, label, _ in rows:
        lits.append(forbid(enc.G[gate][r], label))
        for u in reads:
            if u >= n:
                lits.append(forbid(enc.G[u - n][r], int(values.nodes[u][r])))
    out: list[int] = []
    for lit in lits:
        if lit is False:
            continue
        if lit is True:
            raise WitnessError("a learned clause is satisfied by the model it was learned from")
        if lit not in out:
            out.append(lit)
    return tuple(out)


# ---------------------------------------------------------------- bounded weights
def bounded_separator(
    positive: Sequence[Sequence[int]], negative: Sequence[Sequence[int]], bound: int
) -> Separator | None:
    """An integer separator with every weight and the threshold in ``[-bound, bound]``, or ``None``.

    Exhaustive depth-first search over the weights with interval pruning: exact,
    and ``None`` is a proof that no such separator exists.
    """
    dims = {len(p) for p in positive} | {len(q) for q in negative}
    if len(dims) > 1:
        raise ArityError(f"points of different dimensions: {sorted(dims)}")
    d = dims.pop() if dims else 0
    pos = np.array([list(p) for p in positive], dtype=np.int64).reshape(len(positive), d)
    neg = np.array([list(q) for q in negative], dtype=np.int64).reshape(len(negative), d)
    # augmented points: last coordinate -1 carries the threshold; pos: w'.p' >= 0, neg: w'.q' <= -1
    A = np.concatenate(
        [
            np.concatenate([pos, -np.ones((len(pos), 1), np.int64)], axis=1),
            np.concatenate([neg, -np.ones((len(neg), 1), np.int64)], axis=1),
        ]
    )
    sign = np.concatenate([np.ones(len(pos), np.int64), -np.ones(len(neg), np.int64)])
    need = np.concatenate([np.zeros(len(pos), np.int64), np.ones(len(neg), np.int64)])
    # condition: sign * (w'.a) >= need
    S = A * sign[:, None]
    D = d + 1
    rem = np.zeros((D + 1, len(S)), np.int64)
    for k in range(D - 1, -1, -1):
        rem[k] = rem[k + 1] + bound * np.abs(S[:, k])
    values = [0]
    for v in range(1, bound + 1):
        values += [v, -v]
    w = [0] * D

    def dfs(k: int, acc: np.ndarray) -> bool:
        if np.any(acc + rem[k] < need):
            return False
        if k == D:
            return True
        col = S[:, k]
        for v in values:
            w[k] = v
            if dfs(k + 1, acc + v * col):
                return True
        w[k] = 0
        return False

    if not dfs(0, np.zeros(len(S), np.int64)):
        return None
    sep = Separator(tuple(w[:d]), w[d])
    if not sep.check([tuple(p) for p in positive], [tuple(q) for q in negative]):
        raise WitnessError("bounded separator search returned a wrong separator")
    return sep


def check_bounded_infeasible(points: Sequence[Sequence[int]], labels: Sequence[int], bound: int) -> bool:
    """True iff no weights and threshold in ``[-bound, bound]`` separate the labelled points."""
    pos = [p for p, lab in zip(points, labels) if lab]
    neg = [p for p, lab in zip(points, labels) if not lab]
    return bounded_separator(pos, neg, bound) is None


def _bounded_core(P: np.ndarray, labels: np.ndarray, bound: int) -> list[int]:
    """Rows of a minimal set of labelled points that no bounded separator separates (search)."""
    rows = list(range(P.shape[0]))
    seen: dict[tuple[tuple[int, ...], int], int] = {}
    for r in rows:
        seen.setdefault((tuple(int(v) for v in P[r]), int(labels[r])), r)
    core = sorted(seen.values())

    def infeasible(rs: list[int]) -> bool:
        return check_bounded_infeasible([P[r] for r in rs], [labels[r] for r in rs], bound)

    return _shrink(core, infeasible)


def _shrink(core: list[int], infeasible: Callable[[list[int]], bool]) -> list[int]:
    """Deletion-based minimisation: drop every row whose removal keeps the set infeasible."""
    k = 0
    while k < len(core):
        trial = core[:k] + core[k + 1 :]
        if trial and infeasible(trial):
            core = trial
        else:
            k += 1
    return core


#: Largest (number of weight vectors) x (number of points) enumerated with numpy.
_ENUM_LIMIT = 1 << 24
_WEIGHT_GRIDS: dict[tuple[int, int], np.ndarray] = {}


def _weight_grid(d: int, bound: int) -> np.ndarray:
    """All integer vectors in ``[-bound, bound]^d`` as rows (cached)."""
    key = (d, bound)
    if key not in _WEIGHT_GRIDS:
        axis = np.arange(-bound, bound + 1, dtype=np.int32)
        if d == 0:
            grid = np.zeros((1, 0), dtype=np.int32)
        else:
            grid = np.stack(np.meshgrid(*([axis] * d), indexing="ij"), axis=-1).reshape(-1, d)
        _WEIGHT_GRIDS[key] = grid
    return _WEIGHT_GRIDS[key]


def _bounded_by_enumeration(P: np.ndarray, labels: np.ndarray, bound: int) -> tuple[Separator | None, list[int] | None]:
    """Exact bounded separability by enumerating every weight vector (numpy).

    Returns ``(separator, None)`` or ``(None, core rows)``; ``(None, None)`` when the
    enumeration would be too large.  The threshold is not enumerated: weights ``w``
    separate iff ``max(-W, 1 + max over label-0 sums) <= min(W, min over label-1 sums)``.
    """
    R, d = P.shape
    if (2 * bound + 1) ** d * R > _ENUM_LIMIT:
        return None, None
    grid = _weight_grid(d, bound)
    S = grid @ P.T.astype(np.int32)  # (V, R)
    posm = labels.astype(bool)
    big = np.int32(1 << 30)
    lo = np.full(len(grid), -bound, dtype=np.int32)
    hi = np.full(len(grid), bound, dtype=np.int32)
    if (~posm).any():
        lo = np.maximum(lo, S[:, ~posm].max(axis=1) + 1)
    if posm.any():
        hi = np.minimum(hi, S[:, posm].min(axis=1))
    ok = np.nonzero(lo <= hi)[0]
    if len(ok):
        v = int(ok[0])
        return Separator(tuple(int(x) for x in grid[v]), int(lo[v])), None
    # greedy core: repeatedly add the point that rules out the most surviving vectors
    lo = np.full(len(grid), -bound, dtype=np.int32)
    hi = np.full(len(grid), bound, dtype=np.int32)
    alive = np.ones(len(grid), dtype=bool)
    core: list[int] = []
    while alive.any():
        idx = np.nonzero(alive)[0]
        Sa = S[idx]
        kill_pos = Sa < lo[idx][:, None]  # a label-1 point with sum below the lowest threshold
        kill_neg = Sa + 1 > hi[idx][:, None]  # a label-0 point with sum at or above the highest
        kills = np.where(posm[None, :], kill_pos, kill_neg).sum(axis=0)
        kills[core] = -1
        r = int(np.argmax(kills))
        if kills[r] <= 0:
            raise WitnessError("bounded enumeration: no point rules out a surviving weight vector")
        core.append(r)
        if posm[r]:
            hi = np.minimum(hi, S[:, r])
        else:
            lo = np.maximum(lo, S[:, r] + 1)
        alive = lo <= hi
    del big

    def infeasible(rs: list[int]) -> bool:
        sub = S[:, rs]
        pm = posm[rs]
        l = np.full(len(grid), -bound, dtype=np.int32)
        h = np.full(len(grid), bound, dtype=np.int32)
        if (~pm).any():
            l = np.maximum(l, sub[:, ~pm].max(axis=1) + 1)
        if pm.any():
            h = np.minimum(h, sub[:, pm].min(axis=1))
        return not bool((l <= h).any())

    return None, sorted(_shrink(sorted(core), infeasible))


# ---------------------------------------------------------------- one gate
def _gate_check(enc: Encoding, values: _Values, i: int, limit: int) -> tuple[Separator | None, list[LearnedClause]]:
    reads = values.reads[i]
    P = _points(values, reads)
    labels = values.nodes[enc.n + i]
    learned: list[LearnedClause] = []
    for rows in _quick_certificates(P, labels, limit):
        learned.append(
            LearnedClause(
                "farkas",
                i,
                reads,
                tuple(rows),
                _make_clause(enc, values, i, reads, rows),
            )
        )
    if learned:
        return None, learned
    W = enc.options.max_weight
    if W is not None:
        bounded, core = _bounded_by_enumeration(P, labels, W)
        if bounded is not None:
            return bounded, []
        if core is not None:
            rows = [(r, int(labels[r]), 1) for r in core]
            return None, [
                LearnedClause(
                    "bounded",
                    i,
                    reads,
                    tuple(rows),
                    _make_clause(enc, values, i, reads, rows),
                )
            ]
    pos = [tuple(int(v) for v in P[r]) for r in range(P.shape[0]) if labels[r]]
    neg = [tuple(int(v) for v in P[r]) for r in range(P.shape[0]) if not labels[r]]
    answer = separate(pos, neg)
    if isinstance(answer, Inseparability):
        rows = _farkas_rows(P, labels, answer)
        return None, [
            LearnedClause(
                "farkas",
                i,
                reads,
                tuple(rows),
                _make_clause(enc, values, i, reads, rows),
            )
        ]
    if W is None:
        return answer, []
    if max([abs(answer.threshold)] + [abs(w) for w in answer.weights]) <= W:
        return answer, []
    bounded = bounded_separator(pos, neg, W)
    if bounded is not None:
        return bounded, []
    core = _bounded_core(P, labels, W)
    rows = [(r, int(labels[r]), 1) for r in core]
    return None, [LearnedClause("bounded", i, reads, tuple(rows), _make_clause(enc, values, i, reads, rows))]


# ---------------------------------------------------------------- one size
def _build_circuit(enc: Encoding, values: _Values, seps: list[Separator]) -> ThresholdCircuit:
    n = enc.n
    gates = []
    for i, sep in enumerate(seps):
        reads = values.reads[i]
        gates.append(ThresholdGate(tuple(zip(reads, sep.weights)), sep.threshold))
    outputs = []
    for k in enc.output_of:
        sel = [i for i in range(enc.size) if _lit_value(enc.O[k][i], values.model)]
        if not sel:
            raise WitnessError(f"model selects no gate for output function {k}")
        outputs.append(n + sel[0])
    return ThresholdCircuit(n, tuple(gates), tuple(outputs))


#: Largest weight grid ``(2W + 1) ** (fan-in + 1)`` :func:`minimise_weights` searches for one gate.
_MINIMISE_GRID = 1 << 20


def minimise_weights(circuit: ThresholdCircuit) -> ThresholdCircuit:
    """The same circuit with each gate's largest ``|w|`` or ``|t|`` made as small as possible.

    Every gate keeps the nodes it reads and its output column; among the integer
    separators of that labelled point set, :func:`bounded_separator` (exhaustive)
    finds one with the smallest bound ``W``.  Gates whose search grid would exceed
    :data:`_MINIMISE_GRID` keep their weights.  This is a per-gate minimum for the
    circuit found, reported as a secondary figure, not the least weight over all
    minimum circuits.
    """
    values = circuit.node_values()
    gates = []
    for i, g in enumerate(circuit.gates):
        reads = [u for u, _ in g.weights]
        points = values[reads].T.tolist()
        column = values[circuit.n + i]
        pos = [p for p, lab in zip(points, column) if lab]
        neg = [p for p, lab in zip(points, column) if not lab]
        current = max([abs(g.threshold), *(abs(w) for _, w in g.weights)])
        better = None
        for bound in range(1, current):
            if (2 * bound + 1) ** (len(reads) + 1) > _MINIMISE_GRID:
                break
            better = bounded_separator(pos, neg, bound)
            if better is not None:
                break
        if better is None:
            gates.append(g)
        else:
            gates.append(ThresholdGate(tuple(zip(reads, better.weights)), better.threshold))
    return ThresholdCircuit(circuit.n, tuple(gates), circuit.outputs)


def check_witness(circuit: ThresholdCircuit, table: TruthTable, options: ThresholdOptions) -> None:
    """Raise :class:`WitnessError` unless ``circuit`` computes ``table`` within the model."""
    if not circuit.computes(table):
        raise WitnessError("witness does not compute the target")
    if options.depth is not None and circuit.depth > options.depth:
        raise WitnessError(f"witness has depth {circuit.depth} > {options.depth}")
    if options.layered is not None and (not circuit.is_layered() or circuit.depth > options.layered):
        raise WitnessError("witness is not layered within the depth bound")
    if options.fanin is not None and any(g.fan_in > options.fanin for g in circuit.gates):
        raise WitnessError("witness exceeds the fan-in bound")
    if options.max_weight is not None and circuit.max_weight > options.max_weight:
        raise WitnessError(f"witness has weight {circuit.max_weight} > {options.max_weight}")


class _LazyChecker:
    """Checks complete assignments exactly: every gate's labelled points must be separable."""

    def __init__(self, enc: Encoding, certs_per_gate: int) -> None:
        self.enc = enc
        self.limit = certs_per_gate

    def learn(self, model: Sequence[int]) -> list[LearnedClause]:
        """The theory of :func:`solvers.lazy.solve_lazily`: the clauses ``model`` violates."""
        return self.check(model)[2]

    def check(self, model: Sequence[int]) -> tuple[_Values, list[Separator | None], list[LearnedClause]]:
        values = _Values(self.enc, model)
        seps: list[Separator | None] = []
        new: list[LearnedClause] = []
        for i in range(self.enc.size):
            sep, learned = _gate_check(self.enc, values, i, self.limit)
            seps.append(sep)
            new.extend(learned)
        return values, seps, new


def _observed(enc: Encoding) -> list[int]:
    obs: set[int] = set()
    for i in range(enc.size):
        for x in list(enc.G[i]) + list(enc.E[i].values()) + [enc.O[k][i] for k in range(len(enc.O))]:
            if not isinstance(x, bool):
                obs.add(abs(x))
    return sorted(obs)


def solve_size(
    enc: Encoding,
    *,
    deadline: float | None = None,
    certs_per_gate: int = 1,
    slice_seconds: float = 0.5,
) -> LazyOutcome:
    """Run the lazy search for one size (see the module docstring).

    CaDiCaL runs with the separability check attached as a lazy external
    propagator: every complete assignment is checked, and the learned clauses are
    added inside the search.  The solver runs in conflict-budgeted slices of about
    ``slice_seconds``, so ``deadline`` (a :func:`time.monotonic` instant) and
    Ctrl-C stop it within a slice; the outcome is then ``"unknown"`` with
    ``interrupted`` set.  The learned clauses are recorded in the order the solver
    received them.
    """
    start = time.monotonic()
    out = LazyOutcome("unknown", enc.size)
    if enc.trivially_unsat:
        out.status = "unsat"
        out.seconds = time.monotonic() - start
        return out
    checker = _LazyChecker(enc, certs_per_gate)
    run = solve_lazily(enc.clauses, _observed(enc), checker, deadline=deadline, slice_seconds=slice_seconds)
    out.interrupted = run.interrupted
    if run.answer is False:
        out.status = "unsat"
    elif run.answer is True:
        assert run.model is not None
        values, seps, new = checker.check(run.model)
        if new:
            raise WitnessError("the solver's final model fails the separability check")
        circuit = _build_circuit(enc, values, seps)  # type: ignore[arg-type]
        check_witness(circuit, enc.table, enc.options)
        out.status = "sat"
        out.witness = circuit
    out.learned = list(run.learned)
    out.iterations = run.checks
    out.seconds = time.monotonic() - start
    return out


# ---------------------------------------------------------------- the question
CERTIFICATE_FORMAT = "lbt-threshold-refutation"
CERTIFICATE_VERSION = 1


def lower_bound(table: TruthTable) -> tuple[int, str]:
    """A size every circuit needs, with the one-line reason: one gate per distinct output function."""
    m = len(_distinct_output_functions(table)[0])
    if m == 1:
        return 1, "outputs are gates: at least one gate"
    return m, f"{m} different output functions need different gates"


def max_useful_size(table: TruthTable, options: ThresholdOptions) -> int | None:
    """No minimum circuit under ``options`` is larger than this (``None``: no bound known).

    * depth 1 or fan-in 1: each output is one gate reading inputs (a gate of fan-in 1
      computes a constant or a literal, and so does any chain of them);
    * ``max_weight=0``: every gate computes ``[0 >= 0] = 1``, so one gate is all a circuit can use;
    * a depth bound ``D`` and a fan-in bound ``K``: every gate of a minimum circuit is in
      the cone of an output, which has at most ``1 + K + ... + K**(D-1)`` gates.
    """
    outputs = len(_distinct_output_functions(table)[0])
    D, K = options.depth_bound, options.fanin
    caps = []
    if D == 1 or K == 1:
        caps.append(outputs)
    if options.max_weight == 0:
        caps.append(1)
    if D is not None and K is not None:
        cone = cone_size(K, D)
        if cone is not None:
            caps.append(outputs * cone)
    return min(caps, default=None)


def result_fields(
    options: ThresholdOptions, search: Any, solver: str, encoding: str, symmetry: Iterable[str], certified: bool
) -> dict[str, Any]:
    """The fields of the result record of a threshold search (lazy or MILP) that its options decide."""
    chosen = set(symmetry)
    return {
        "model": "thr",
        "care": None,
        "fanin": options.fanin,
        "depth": options.depth,
        "solver": solver,
        "encoding": encoding,
        "encoding_version": ENCODING_VERSION,
        "strengthenings": tuple(x for x in SYMMETRY_BREAKING if x in chosen),
        "extra": {
            "layered": options.layered,
            "max_weight": options.max_weight,
            "method": options.method,
            "certified": certified,
            "witness_max_weight": None if search.witness is None else search.witness.max_weight,
        },
    }
