"""Boolean gate circuits to threshold circuits and back, each result checked exactly.

**Boolean → threshold** (:func:`boolean_to_threshold`).  Every gate is replaced by
threshold gates computing the same function of the threshold nodes that represent
its input nodes.  A Boolean node is represented by a *literal*: a threshold node or
the constant, possibly negated.  Negations are never gates: a literal ``NOT v`` read
with weight ``w`` is ``w·(1 - v)``, folded into the weight ``-w`` and the threshold
``t - w``; AIG edge negations, constants and NOT/buffer gates are folded the same
way.  A gate whose function of its distinct input nodes ``v_1..v_r`` (negations and
constants applied) is

* constant, ``v_k`` or ``NOT v_k``: no gate (cost 0; the node becomes that literal);
* a threshold function: one gate ``[Σ w_k v_k >= t]`` (weights from the exact test of
  :func:`circuits.linsep.threshold_function`), cost 1, depth 1;
* parity or its complement: ``h_j = [Σ v >= 2j]`` for ``j = 1..⌊r/2⌋`` and
  ``[Σ v - 2 Σ h_j >= 1]`` (resp. ``[-Σ v + 2 Σ h_j >= 0]``), cost ``⌊r/2⌋ + 1``,
  depth 2;
* anything else (only possible for fan-in ≥ 3): one AND gate per row of the smaller of
  its on-set and off-set plus one OR (resp. NOR) gate, cost ``min(|on|, |off|) + 1``,
  depth 2.

So for 2-input gates (B2, AIG, monotone): the 6 ops ALWAYS_FALSE, ALWAYS_TRUE, LIFF,
RIFF, LNOT, RNOT cost 0, XOR and NXOR cost 2 (depth 2), the other 8 ops cost 1; every
AIG and monotone gate costs 1 (a gate reading the same node twice may cost less).
Threshold outputs must be gate nodes, so an output whose literal is an input, the
constant or a negated node costs one more gate (``[v >= 1]``, ``[-v >= 0]``,
``[0 >= 1]``, ``[0 >= 0]``), once per distinct literal.

**Threshold → Boolean** (:func:`threshold_to_boolean`, into B2).  A gate
``[Σ w_u u >= t]``: a negative weight is turned positive on the negated literal,
``w u = |w| (1 - u) - |w|``, so the gate is ``[S >= t']`` with ``S = Σ |w_u| ℓ_u``
(``ℓ_u = u`` or ``NOT u``) and ``t' = t + Σ_{w<0} |w|``.  Then

* ``t' <= 0`` or ``t' > W = Σ |w_u|``: the constant 1 or 0, no gate;
* at most 2 distinct input nodes: one B2 gate (or none, if it is a literal);
* otherwise: the binary expansions of the ``|w_u|`` put a copy of ``ℓ_u`` in every column
  ``j`` where bit ``j`` of ``|w_u|`` is 1; each column, lowest first, is reduced to one
  bit by full adders (5 gates: 2 XOR, 2 AND, 1 OR) and at most one half adder (2
  gates); ``S < 2^L`` with ``L = bitlen(W)``, so carries out of column ``L - 1`` are
  identically 0 and are not built (a top-column full adder costs 2, a half adder 1);
  finally ``S >= t'`` is the carry out of ``S + (2^L - t')``, a chain of at most
  ``L - 1`` AND/OR gates (the constant operand's bits select AND or OR).

Negations of B2 wires are never gates either: they are folded into the truth table of
the gate that reads them.  Constants are propagated, equal gates are shared, and gates
no output depends on are removed at the end.  The size bound implemented (``upper``):
``Σ_g β_g + q`` where ``β_g = 0`` for a constant gate, ``1`` for fan-in ≤ 2, and
``5 T_g + 3 L_g - 11`` otherwise (``T_g = Σ_u popcount|w_u|`` bits, at most ``T_g - 2``
full adders, ``L_g`` half adders, ``L_g - 1`` comparator gates), plus at most one NOT
gate per distinct output.

>>> from circuits.boolean import BooleanCircuit, Op2
>>> xor = BooleanCircuit.from_gates(2, [(Op2.XOR, (0, 1))], [2])
>>> r = boolean_to_threshold(xor)
>>> r.size, r.depth, r.result.truth_table().hex()
(2, 2, '6')
>>> back = threshold_to_boolean(r.result)
>>> back.result.truth_table().hex(), back.size
('6', 1)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from functools import cache

from circuits.boolean import B2, BooleanCircuit, Edge
from circuits.errors import ModelError
from circuits.linsep import Separator, threshold_function
from circuits.threshold import ThresholdCircuit, ThresholdGate
from circuits.truthtable import TruthTable, full_mask, var_mask
from reductions.report import Report
from reductions.threshold_relu import VerificationError

__all__ = ["boolean_to_threshold", "function_cost", "threshold_to_boolean"]

Literal = tuple[int, bool]  # (node, negated); node -1 is the constant false
_FALSE: Literal = (-1, False)
_TRUE: Literal = (-1, True)


# ------------------------------------------------------------ classification
@cache
def _separator(r: int, table: int) -> tuple[tuple[int, ...], int] | None:
    """Integer weights and threshold of the ``r``-input function ``table``, or None if it is no LTF."""
    cert = threshold_function(TruthTable(r, (table,)))
    if isinstance(cert, Separator):
        return cert.weights, cert.threshold
    return None


def _parity(r: int) -> int:
    return sum(1 << i for i in range(1 << r) if i.bit_count() & 1)


def _kind(r: int, table: int) -> str:
    """``const``, ``literal``, ``ltf``, ``parity``, ``nparity`` or ``minterms``."""
    full = full_mask(r)
    if table in (0, full):
        return "const"
    if any(table in (var_mask(r, k), full ^ var_mask(r, k)) for k in range(r)):
        return "literal"
    if _separator(r, table) is not None:
        return "ltf"
    if table == _parity(r):
        return "parity"
    if table == full ^ _parity(r):
        return "nparity"
    return "minterms"


def function_cost(r: int, table: int) -> tuple[int, int]:
    """Threshold gates and depth :func:`boolean_to_threshold` spends on a function of ``r`` distinct nodes.

    >>> function_cost(2, 0x8), function_cost(2, 0x6), function_cost(2, 0xa), function_cost(3, 0xe8)
    ((1, 1), (2, 2), (0, 0), (1, 1))
    """
    kind = _kind(r, table)
    if kind in ("const", "literal"):
        return 0, 0
    if kind == "ltf":
        return 1, 1
    if kind in ("parity", "nparity"):
        return r // 2 + 1, 2
    ones = table.bit_count()
    return min(ones, (1 << r) - ones) + 1, 2


def _local_function(op: int, lits: Sequence[Literal]) -> tuple[list[int], int]:
    """The gate ``op`` applied to literals, as a table over their distinct non-constant nodes."""
    nodes = sorted({v for v, _ in lits if v >= 0})
    index = {v: k for k, v in enumerate(nodes)}
    table = 0
    for a in range(1 << len(nodes)):
        row = 0
        for p, (v, neg) in enumerate(lits):
            bit = int(neg) if v < 0 else ((a >> index[v]) & 1) ^ int(neg)
            row |= bit << p
        if (op >> row) & 1:
            table |= 1 << a
    return nodes, table


# ------------------------------------------------------------ Boolean -> threshold
def boolean_to_threshold(c: BooleanCircuit) -> Report:
    """A threshold circuit computing the same outputs as the Boolean circuit ``c`` (module docstring).

    ``formula_size`` (an upper bound) is ``Σ_g cost(g) + e``: ``cost(g)`` is
    :func:`function_cost` of gate ``g``'s own function of its distinct input nodes
    (edge negations and constants applied), ``e`` the number of distinct output edges
    that are not a plain edge to a gate of cost ≥ 1.  Simplifications (a gate whose
    inputs turn out to be literals of the same node) can only make the result smaller.
    ``formula_depth`` (upper) is the longest path with gate weights 0/1/2 as in
    :func:`function_cost`, plus 1 for an output needing its own gate.  Checked: equality
    on all ``2^n`` Boolean inputs.  ``extra["cost_by_op"]`` tallies, per source op name,
    how many gates had it and how many threshold gates they became.
    """
    if not isinstance(c, BooleanCircuit):
        raise ModelError(f"boolean_to_threshold needs a BooleanCircuit, got {type(c).__name__}")
    n = c.n
    gates: list[ThresholdGate] = []
    rep: list[Literal] = [(j, False) for j in range(n)]
    cost_by_op: dict[str, list[int]] = {}

    def add(terms: dict[int, int], t: int) -> int:
        gates.append(ThresholdGate(tuple(terms.items()), t))
        return n + len(gates) - 1

    def edge_literal(e: Edge) -> Literal:
        v, neg = (-1, False) if e.node < 0 else rep[e.node]
        return v, neg ^ e.neg

    for g in c.gates:
        before = len(gates)
        nodes, table = _local_function(g.op, [edge_literal(e) for e in g.inputs])
        r = len(nodes)
        kind = _kind(r, table)
        if kind == "const":
            lit: Literal = _TRUE if table else _FALSE
        elif kind == "literal":
            k = next(k for k in range(r) if table in (var_mask(r, k), full_mask(r) ^ var_mask(r, k)))
            lit = (nodes[k], table != var_mask(r, k))
        elif kind == "ltf":
            weights, t = _separator(r, table)  # type: ignore[misc]
            lit = (add(dict(zip(nodes, weights)), t), False)
        elif kind in ("parity", "nparity"):
            total = {v: 1 for v in nodes}
            hs = [add(dict(total), 2 * j) for j in range(1, r // 2 + 1)]
            sign = 1 if kind == "parity" else -1
            terms = {v: sign for v in nodes}
            terms.update({h: -2 * sign for h in hs})
            lit = (add(terms, 1 if kind == "parity" else 0), False)
        else:
            ones = table.bit_count()
            use_ones = ones <= (1 << r) - ones
            rows = [a for a in range(1 << r) if ((table >> a) & 1) == use_ones]
            ms = [add({v: (1 if (a >> k) & 1 else -1) for k, v in enumerate(nodes)}, a.bit_count()) for a in rows]
            lit = (add({m: 1 for m in ms}, 1) if use_ones else add({m: -1 for m in ms}, 0), False)
        rep.append(lit)
        tally = cost_by_op.setdefault(f"{c.basis.label}:{g.name}", [0, 0])
        tally[0] += 1
        tally[1] += len(gates) - before

    out_nodes: list[int] = []
    out_cache: dict[Literal, int] = {}
    for e in c.outputs:
        v, neg = edge_literal(e)
        if v >= n and not neg:
            out_nodes.append(v)
            continue
        if (v, neg) not in out_cache:
            if v < 0:
                out_cache[(v, neg)] = add({}, 0 if neg else 1)
            else:
                out_cache[(v, neg)] = add({v: -1}, 0) if neg else add({v: 1}, 1)
        out_nodes.append(out_cache[(v, neg)])
    result = ThresholdCircuit(n, tuple(gates), tuple(out_nodes))
    if result.truth_table() != c.truth_table():
        raise VerificationError("boolean_to_threshold: the threshold circuit differs from the Boolean circuit")

    # the formula, from the source circuit alone
    f_cost: list[int] = []
    f_depth: list[int] = [0] * n
    for g in c.gates:
        lits = [(-1, e.neg) if e.node < 0 else (e.node, e.neg) for e in g.inputs]
        nodes, table = _local_function(g.op, lits)
        cost, dep = function_cost(len(nodes), table)
        f_cost.append(cost)
        f_depth.append(dep + max((f_depth[v] for v in nodes), default=0))
    extra_outs = {(e.node, e.neg) for e in c.outputs if not (e.node >= n and not e.neg and f_cost[e.node - n] >= 1)}
    formula_depth = max(f_depth[n:], default=0)
    for e in c.outputs:
        if e.node >= 0:
            formula_depth = max(formula_depth, f_depth[e.node] + int((e.node, e.neg) in extra_outs))
        else:
            formula_depth = max(formula_depth, 1)
    return Report(
        name="boolean_to_threshold",
        params={"n": n, "basis": c.basis.label, "s": c.size, "q": c.num_outputs},
        result=result,
        size=result.size,
        depth=result.depth,
        formula=(
            "per gate: 0 for constants/literals (negations folded into weights), 1 for a threshold function, "
            "⌊r/2⌋+1 for (n)parity of r inputs, min(|on|,|off|)+1 otherwise; +1 per output that is not a plain gate; "
            "depth: 1 per threshold-function gate, 2 per (n)parity or other gate"
        ),
        formula_size=sum(f_cost) + len(extra_outs),
        formula_depth=formula_depth,
        checked=f"equal to the Boolean circuit on all 2^{n} Boolean inputs (exact)",
        formula_kind="upper",
        source_size=c.size,
        source_depth=c.depth,
        extra={"cost_by_op": {k: {"gates": a, "threshold_gates": b} for k, (a, b) in sorted(cost_by_op.items())}},
    )


# ------------------------------------------------------------ Threshold -> Boolean
class _B2Builder:
    """Builds a B2 circuit from wires ``(node, negated)``; node -1 is the constant false.

    Negations stay on the wires and are folded into the truth table of the gate that
    reads them.  Constants are propagated, a function of one node is that node's
    literal, and equal gates (up to output negation) are built once.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.gates: list[tuple[int, int, int]] = []  # (op over (a, b), a, b)
        self._cache: dict[tuple[int, int, int], int] = {}

    def func(self, fn: Callable[[list[int]], int], wires: Sequence[Literal]) -> Literal:
        """The wire computing ``fn`` of the values of ``wires`` (at most two distinct nodes)."""
        nodes = sorted({v for v, _ in wires if v >= 0})
        if len(nodes) > 2:
            raise ValueError("a B2 gate reads at most two nodes")
        index = {v: k for k, v in enumerate(nodes)}
        r = len(nodes)
        table = 0
        for a in range(1 << r):
            vals = [int(neg) if v < 0 else ((a >> index[v]) & 1) ^ int(neg) for v, neg in wires]
            if fn(vals):
                table |= 1 << a
        full = full_mask(r)
        if table == 0:
            return _FALSE
        if table == full:
            return _TRUE
        for k, v in enumerate(nodes):
            if table == var_mask(r, k):
                return (v, False)
            if table == full ^ var_mask(r, k):
                return (v, True)
        neg = bool(table & 1)  # store the complement of functions that are 1 on (0, 0)
        if neg:
            table ^= full
        key = (table, nodes[0], nodes[1])
        if key not in self._cache:
            self._cache[key] = self.n + len(self.gates)
            self.gates.append(key)
        return (self._cache[key], neg)

    def xor(self, a: Literal, b: Literal) -> Literal:
        return self.func(lambda v: v[0] ^ v[1], (a, b))

    def and_(self, a: Literal, b: Literal) -> Literal:
        return self.func(lambda v: v[0] & v[1], (a, b))

    def or_(self, a: Literal, b: Literal) -> Literal:
        return self.func(lambda v: v[0] | v[1], (a, b))

    def positive(self, w: Literal) -> Literal:
        """A wire computing ``w`` without negation: one more gate if ``w`` is a negated node."""
        v, neg = w
        if v < 0 or not neg:
            return w
        if v >= self.n:
            table, a, b = self.gates[v - self.n]
            return self._raw(table ^ 0xF, a, b)
        return self._raw(0x5, v, v)  # LNOT(v, v)

    def _raw(self, table: int, a: int, b: int) -> Literal:
        key = (table, a, b)
        if key not in self._cache:
            self._cache[key] = self.n + len(self.gates)
            self.gates.append(key)
        return (self._cache[key], False)


def _threshold_of_bits(weights: list[int], threshold: int) -> Callable[[list[int]], int]:
    """The function ``[sum_j weights[j] * bits[j] >= threshold]`` of a list of bits."""
    return lambda bits: int(sum(x * y for x, y in zip(bits, weights)) >= threshold)


def _greater_equal(bld: _B2Builder, lits: list[tuple[Literal, int]], t: int) -> Literal:
    """The wire ``[Σ a·ℓ >= t]`` for literal wires ``ℓ`` with positive integer multiplicities ``a``."""
    W = sum(a for _, a in lits)
    if t <= 0:
        return _TRUE
    if t > W:
        return _FALSE
    L = W.bit_length()
    columns: list[deque[Literal]] = [deque() for _ in range(L)]
    offset = 0  # constant-1 bits met on the way, Σ 2^j

    def push(j: int, w: Literal) -> None:
        nonlocal offset
        if w[0] < 0:
            offset += (1 << j) if w[1] else 0
        else:
            columns[j].append(w)

    for w, a in lits:
        for j in range(a.bit_length()):
            if (a >> j) & 1:
                push(j, w)
    bits: list[Literal] = []
    for j in range(L):
        col = columns[j]
        top = j == L - 1  # carries out of the top column are identically 0 (S < 2^L)
        while len(col) >= 3:
            x, y, z = col.popleft(), col.popleft(), col.popleft()
            p = bld.xor(x, y)
            if not top:
                push(j + 1, bld.or_(bld.and_(x, y), bld.and_(p, z)))
            push(j, bld.xor(p, z))
        if len(col) == 2:
            x, y = col.popleft(), col.popleft()
            if not top:
                push(j + 1, bld.and_(x, y))
            push(j, bld.xor(x, y))
        bits.append(col[0] if col else _FALSE)
    t -= offset
    if t <= 0:
        return _TRUE
    const = (1 << L) - t  # S >= t iff S + const >= 2^L (both < 2^L)
    carry: Literal = _FALSE
    for j in range(L):
        carry = bld.or_(bits[j], carry) if (const >> j) & 1 else bld.and_(bits[j], carry)
    return carry


def _beta(g: ThresholdGate) -> int:
    """The per-gate size bound of the module docstring."""
    low = sum(w for _, w in g.weights if w < 0)
    high = sum(w for _, w in g.weights if w > 0)
    if g.threshold <= low or g.threshold > high:
        return 0
    if g.fan_in <= 2:
        return 1
    T = sum(abs(w).bit_count() for _, w in g.weights)
    L = sum(abs(w) for _, w in g.weights).bit_length()
    return 5 * T + 3 * L - 11


def _prune(
    n: int, gates: list[tuple[int, int, int]], outputs: list[Literal]
) -> tuple[list[tuple[int, tuple[int, int]]], list[Edge]]:
    live: set[int] = {v for v, _ in outputs if v >= n}
    for i in range(len(gates) - 1, -1, -1):
        if n + i in live:
            _, a, b = gates[i]
            live.update(u for u in (a, b) if u >= n)
    renum = {j: j for j in range(n)}
    kept: list[tuple[int, tuple[int, int]]] = []
    for i, (op, a, b) in enumerate(gates):
        if n + i in live:
            renum[n + i] = n + len(kept)
            kept.append((op, (renum[a], renum[b])))
    edges = [Edge(-1, neg) if v < 0 else Edge(renum[v], False) for v, neg in outputs]
    return kept, edges


def threshold_to_boolean(c: ThresholdCircuit) -> Report:
    """A B2 circuit (fan-in 2) computing the same outputs as the threshold circuit ``c`` (module docstring).

    ``formula_size`` is the upper bound ``Σ_g β_g + q``; ``formula_depth`` is None (the
    depth is measured only).  Checked: equality on all ``2^n`` Boolean inputs.
    ``extra["gate_sizes"]`` lists the B2 gates each threshold gate created (before
    sharing with later gates and before removing unused gates).
    """
    if not isinstance(c, ThresholdCircuit):
        raise ModelError(f"threshold_to_boolean needs a ThresholdCircuit, got {type(c).__name__}")
    n = c.n
    bld = _B2Builder(n)
    val: list[Literal] = [(j, False) for j in range(n)]
    gate_sizes = []
    for g in c.gates:
        before = len(bld.gates)
        t = g.threshold
        lits: list[tuple[Literal, int]] = []
        for u, w in g.weights:
            v, neg = val[u]
            if w < 0:  # w·u = |w|·(1 - u) - |w|
                neg = not neg
                t -= w
            lits.append(((v, neg), abs(w)))
        W = sum(a for _, a in lits)
        if t <= 0:
            wire = _TRUE
        elif t > W:
            wire = _FALSE
        elif len({v for (v, _), _ in lits if v >= 0}) <= 2:
            wire = bld.func(_threshold_of_bits([a for _, a in lits], t), [w for w, _ in lits])
        else:
            wire = _greater_equal(bld, lits, t)
        val.append(wire)
        gate_sizes.append(len(bld.gates) - before)
    outs = [bld.positive(val[o]) for o in c.outputs]
    kept, edges = _prune(n, bld.gates, outs)
    result = BooleanCircuit.from_gates(n, kept, edges, basis=B2)
    if result.truth_table() != c.truth_table():
        raise VerificationError("threshold_to_boolean: the Boolean circuit differs from the threshold circuit")
    distinct_outputs = len(set(c.outputs))
    return Report(
        name="threshold_to_boolean",
        params={"n": n, "s": c.size, "q": c.num_outputs, "total_weight": c.total_weight},
        result=result,
        size=result.size,
        depth=result.depth,
        formula=(
            "per gate [Σ w u >= t]: negative weights on negated literals, binary expansion of |w|, column compression "
            "by full adders (5 gates) and half adders (2), comparator with the constant t' (≤ L-1 gates); "
            "size ≤ Σ_g β_g + q, β_g = 0 (constant gate), 1 (fan-in ≤ 2), 5·T_g + 3·L_g - 11 (T_g = Σ popcount|w|, "
            "L_g = bitlen Σ|w|); depth measured only"
        ),
        formula_size=sum(_beta(g) for g in c.gates) + distinct_outputs,
        formula_depth=None,
        checked=f"equal to the threshold circuit on all 2^{n} Boolean inputs (exact)",
        formula_kind="upper",
        source_size=c.size,
        source_depth=c.depth,
        extra={"gate_sizes": gate_sizes},
    )
