"""Exact minimum ReLU networks over Boolean inputs, with rational certificates.

Model
-----
A network (:class:`circuits.relu.ReLUNetwork`) has hidden neurons
``max(0, w·u + b)`` and one output neuron.  **Size is the number of neurons,
the output neuron included** (Vardi, Reichman, Pitassi and Shamir, COLT 2021).
It must compute the single-output target ``f`` exactly on every ``x`` in
``{0,1}^n``.  Options (:class:`ReLUOptions`):

* ``output``: ``"linear"`` (default; the output value is exactly ``f(x)``),
  ``"relu"`` (``max(0, z) = f(x)``) or ``"threshold"`` (``[z >= 0] = f(x)``, the
  convention of :mod:`circuits.relu`);
* ``hidden_layers=L`` (default 1): depth at most ``L + 1``, i.e. *at most* ``L``
  hidden layers (a network with fewer layers counts);
* ``skip``: without it (default) the network is layered: a neuron of layer
  ``l`` reads only neurons of layer ``l - 1`` (layer 0 = the inputs) and the
  output reads only the last hidden layer (so a network of size 1 is the
  output neuron reading the inputs); with it every neuron (the output too) may
  also read the inputs and all earlier layers;
* ``max_weight=W``: every weight and bias is an integer in ``[-W, W]`` (output
  neuron included).  Without it weights are arbitrary reals.

Engines and what is proven
--------------------------
**Real weights, one hidden layer** (``hidden_layers=1``, no ``max_weight``):
exact.  A network of ``s`` neurons has ``k = s - 1`` hidden neurons.  By
positive homogeneity (``a·max(0, p) = sign(a)·max(0, |a|·p)``) each hidden
neuron's outgoing weight can be taken to be ``+1`` or ``-1``; a zero outgoing
weight is the same as ``-1`` on a neuron that is never active.  For a hidden
neuron ``p_i(x) = w_i·x + b_i`` its *canonical activation column* is
``A_i(r) = [p_i(x_r) > 0]`` on the rows ``r`` of the truth table.  With the
columns ``A`` and the signs ``S`` fixed, the network exists iff this linear
system in ``(w, b, c, v)`` is feasible (without hidden neurons the output
reads the inputs, ``v``, in both architectures)::

    A_i(r) = 1:  p_i(x_r) >= 0        A_i(r) = 0:  p_i(x_r) <= 0
    z(r) = sum_i S_i·A_i(r)·p_i(x_r) + c (+ v·x_r with skip)
    linear: z(r) = f(r);  relu: z(r) = 1 if f(r) else z(r) <= 0;
    threshold: z(r) >= 0 if f(r) else z(r) <= -1

Every solution is a network computing ``f`` (where ``A_i(r) = 1`` the neuron's
value is ``p_i >= 0``, where ``A_i(r) = 0`` it is ``0``, also when ``p_i = 0``
there); every network gives a solution with its canonical columns (and, for
the threshold output, after scaling every weight and bias by the same
positive factor so that the negative outputs are ``<= -1``).  The non-strict
inequalities are what makes the relaxation exact: a neuron with ``p_i = 0`` on
some row satisfies both directions, so no network is lost.

The system actually solved (:func:`lp_rows`) has a value variable ``y_ir``
per neuron and row, with ``y_ir >= 0`` and ``y_ir >= p_i(r)`` for every column
(true of ``max(0, p)``), ``y_ir <= p_i(r)`` where active and ``y_ir <= 0``
where not, and ``z(r) = sum_i S_i·y_ir + c (+ v·x_r)``.  It forces
``y_ir = A_i(r)·p_i(r)``, so it is feasible iff the system above is; its
advantage is that an output constraint depends only on the signs, and a
bound valid for every column depends on nothing, which makes learned clauses
short.

A SAT solver (CaDiCaL, :mod:`pysat`) searches the columns ``A[i][r]`` and signs
``S[i]``; a lazy external propagator (IPASIR-UP) checks every complete
assignment exactly:

1. each column must be a threshold function of the inputs (a canonical
   column ``{r : p_i(x_r) > 0}`` is one); a column that is not yields an
   :class:`~circuits.linsep.Inseparability` certificate and the clause
   forbidding the column's values on its rows (kind ``"ltf"``);
2. the linear system above; HiGHS proposes, exact rational arithmetic decides.
   Infeasible: a Farkas certificate, non-negative multipliers on a subset of
   the constraints (free on equalities) whose combination is ``0 <= -1``, found
   by an LP that prefers cheap constraints, recomputed exactly on its support
   and checked in :class:`~fractions.Fraction` (by the verifier's own code);
   the clause forbids exactly the values the used constraints depend on:
   ``A[i][r]`` for a used ``y_ir <= ...`` row, every ``S[i]`` for a used output
   row (kind ``"lp"``).
   Feasible: the solution is rationalised into a network that is re-evaluated
   with Fractions on all ``2**n`` rows before it is accepted.

Base encoding (:data:`SYMMETRY_BREAKING`); each item holds for some minimum
network in canonical form, so a refuted size below the minimum stays refuted
and the minimum stays satisfiable:

``ltf_pairs``
    a column is never 1, 1 on rows ``a, b`` and 0, 0 on rows ``c, d`` with
    ``x_a + x_b = x_c + x_d`` (it is a threshold function); holds for every network.
``cells``
    for such a quadruple, ``Δz = z(a) + z(b) - z(c) - z(d)`` gets nothing from the
    output bias and the skip part (affine) and ``S·(p(a) + p(b) - p(c) - p(d))
    = 0`` from a neuron active on all four or none.  More precisely, with
    ``p(a) + p(b) = p(c) + p(d)``, ``p >= 0`` where active and ``p <= 0`` where
    not, a neuron's share ``S·Σ ±p`` over its active rows can be ``> 0`` only if
    ``S = +1`` and it is active on exactly one of ``a, b``, or ``S = -1`` and
    active on exactly one of ``c, d`` (the other sign: swap the pairs).  So if
    the output values force ``Δz > 0`` (the output's bounds: linear ``z = f``;
    relu ``z = 1`` if ``f`` else ``z <= 0``; threshold ``z >= 0`` if ``f`` else
    ``z <= -1``) some neuron has such a share; likewise for ``Δz < 0``.  Holds
    for every network.
``alive``
    every column has a 1 (a neuron inactive on every row contributes nothing;
    removing it gives a smaller network).
``normal`` (skip only)
    every column is 0 on row 0: ``S·max(0, p) = S·p + S·max(0, -p)``, and the
    affine part ``S·p`` moves into the output's skip weights and bias.  A
    neuron with ``p > 0`` at row 0 is flipped; a flipped neuron is not dead
    (that would make the original affine on the cube, hence removable).
``order``
    the keys ``(S[i], A[i][0], ..., A[i][R-1])`` strictly increase with ``i``:
    hidden neurons can be permuted, and two with equal sign and column merge
    into one (``p_1 + p_2`` is ``> 0`` exactly where both are, ``<= 0`` elsewhere).

``alive``, ``normal`` and ``order`` exclude networks that are not minimum,
so a single refuted size means "no minimum network of this size"; the lower
bound of a result is therefore the first size not refuted in a gap-free run
upward from 1 (the same argument as :mod:`solvers.threshold.encoding`).

**Integer weights in [-W, W], any number of hidden layers**
(:mod:`solvers.relu.bitblast`): exact for that weight-bounded model by
bit-blasting the whole network (weights as two's-complement bits, values on
every row through adders and multipliers) into one CNF per layer-width
profile; a size is refuted when every profile's CNF has a checked LRAT proof.
Minima there are upper bounds for real weights, never lower bounds.

**Real weights, two or more hidden layers**: only partly.  A network of
``s <= 2`` neurons has at most one hidden neuron, so depth at most 2: the
one-hidden-layer refutations of sizes 1 and 2 are valid for every ``L`` and
are used as lower bounds.  A one-hidden-layer network is also a network with at most ``L``
hidden layers, so the one-hidden-layer minimum is an upper bound.  The result is
``proven`` only when the two meet (the minimum is at most 3); otherwise it
reports the upper bound found, ``proven = False`` and the valid lower bound.
Nothing about sizes ``>= 3`` with two or more hidden layers is claimed: such a
size refuted for one hidden layer appears in ``steps`` with the status
``"unsat-one-hidden-layer"``, never in ``refutations``, and gets no proof files.

Refuted sizes of the exact engines leave, with ``proof_dir``, ``NAME.cnf``
(base encoding then learned clauses), ``NAME.lrat.gz`` (checked by
:mod:`solvers.lrat`) and ``NAME.certs.json`` (one certificate per learned
clause); :func:`solvers.relu.verify.verify_certificate` re-checks them without
the solver and without the LP.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from circuits.errors import CertificationError, SpecError, TooLargeError, WitnessError
from circuits.linsep import Inseparability, equal_sum_quadruples, threshold_function
from circuits.relu import Neuron, ReLUNetwork
from circuits.truthtable import TruthTable
from solvers.cnf import CnfBuilder, Lit, forbid, negate
from solvers.lazy import LazyEncoding, LazyOutcome, check_size, chosen_symmetry, solve_lazily
from solvers.limits import check_encoding_size
from solvers.relu.clauses import check_learned_clause
from solvers.relu.options import MAX_WEIGHT, OUTPUTS, ReLUOptions

__all__ = [
    "ENCODING",
    "ENCODING_VERSION",
    "MAX_INPUTS",
    "MAX_WEIGHT",
    "OUTPUTS",
    "SYMMETRY_BREAKING",
    "CertificationError",
    "Encoding",
    "LearnedClause",
    "ReLUOptions",
    "WitnessError",
    "check_witness",
    "encode",
    "lp_rows",
    "one_layer_refutes",
    "solve_size",
]

#: Name and version of the one-hidden-layer base encoding; recorded in every certificate.
ENCODING = "relu-patterns"
ENCODING_VERSION = 1

#: Largest number of inputs accepted (rows are SAT variables and LP constraints).
MAX_INPUTS = 8

#: Constraints of the base encoding, in the order of the module docstring.
SYMMETRY_BREAKING = ("ltf_pairs", "cells", "alive", "normal", "order")


def one_layer_refutes(options: ReLUOptions, size: int) -> bool:
    """Whether a refutation of ``size`` neurons with one hidden layer refutes the question of ``options``.

    With real weights it always does for one hidden layer; for ``L >= 2`` hidden
    layers only up to 2 neurons (a network of ``s`` neurons has depth at most ``s``).
    """
    return options.hidden_layers == 1 or size <= 2


def default_symmetry_breaking(options: ReLUOptions) -> frozenset[str]:
    """All constraints that are sound for ``options``."""
    sym = set(SYMMETRY_BREAKING)
    if not options.skip:
        sym.discard("normal")
    return frozenset(sym)


# ---------------------------------------------------------------- encoding
@dataclass(kw_only=True)
class Encoding(LazyEncoding):
    """The base CNF for one size of the one-hidden-layer model and its variable map.

    ``A[i][r]`` (canonical activation of hidden neuron ``i`` on row ``r``) and
    ``S[i]`` (outgoing weight ``+1`` when true, ``-1`` when false) are DIMACS
    literals or Python bools (constants).
    """

    options: ReLUOptions
    A: list[list[Lit]]
    S: list[Lit]

    @property
    def hidden(self) -> int:
        return self.size - 1

    @property
    def fbits(self) -> list[int]:
        t = self.table.outputs[0]
        return [(t >> r) & 1 for r in range(self.rows)]


_INF = float("inf")


def _output_bounds(output: str, value: int) -> tuple[float, float]:
    """The interval the output neuron's pre-activation ``z`` must lie in on a row where ``f = value``."""
    if output == "linear":
        return float(value), float(value)
    if output == "relu":
        return (1.0, 1.0) if value else (-_INF, 0.0)
    return (0.0, _INF) if value else (-_INF, -1.0)


def forced_direction(output: str, fa: int, fb: int, fc: int, fd: int) -> int:
    """``+1`` if the output values force ``z(a) + z(b) > z(c) + z(d)``, ``-1`` if ``<``, else 0."""
    la, ha = _output_bounds(output, fa)
    lb, hb = _output_bounds(output, fb)
    lc, hc = _output_bounds(output, fc)
    ld, hd = _output_bounds(output, fd)
    if la + lb > hc + hd:
        return 1
    if ha + hb < lc + ld:
        return -1
    return 0


def check_table(table: Any) -> None:
    if not isinstance(table, TruthTable):
        raise SpecError(f"target must be a TruthTable, got {type(table).__name__}")
    if table.m != 1:
        raise SpecError(f"ReLU synthesis needs a single-output target, got {table.m} outputs")
    if table.n > MAX_INPUTS:
        raise TooLargeError(f"{table.n} inputs is too many for ReLU synthesis (at most {MAX_INPUTS})")


def encode(
    table: TruthTable,
    size: int,
    options: ReLUOptions = ReLUOptions(),
    symmetry: Iterable[str] | None = None,
    deadline: float | None = None,
) -> Encoding:
    """The base CNF of "a one-hidden-layer network of ``size`` neurons computes ``table``" (deterministic).

    ``symmetry`` selects constraints of :data:`SYMMETRY_BREAKING` (default: all that
    are sound for ``options``); one that is unsound for the model raises :class:`SpecError`.
    Building stops with :class:`solvers.limits.DeadlineReached` once ``deadline`` has passed.
    """
    check_table(table)
    check_size(size)
    if options.max_weight is not None:
        raise SpecError("the pattern encoding is for real weights; bounded weights use solvers.relu.bitblast")
    sym = chosen_symmetry(symmetry, default_symmetry_breaking(options), SYMMETRY_BREAKING)
    if "normal" in sym and not options.skip:
        raise SpecError("symmetry breaking 'normal' is sound only with skip connections")

    n, k = table.n, size - 1
    R = 1 << n
    check_encoding_size(size, size * R)  # activation columns
    t = table.outputs[0]
    f = [(t >> r) & 1 for r in range(R)]
    b = CnfBuilder(deadline)
    S: list[Lit] = [b.new() for _ in range(k)]
    A: list[list[Lit]] = []
    for _ in range(k):
        A.append([False if (r == 0 and "normal" in sym) else b.new() for r in range(R)])

    quads = equal_sum_quadruples(n) if ("ltf_pairs" in sym or "cells" in sym) else []
    if "ltf_pairs" in sym:
        for i in range(k):
            col = A[i]
            for (a, bb), (c, d) in quads:
                b.add([negate(col[a]), negate(col[bb]), col[c], col[d]])
                b.add([negate(col[c]), negate(col[d]), col[a], col[bb]])
    if "cells" in sym:
        differ: dict[tuple[int, int, int], Lit] = {}

        def xor(i: int, a: int, c: int) -> Lit:
            """A literal implying A[i][a] != A[i][c]."""
            key = (i, a, c)
            if key not in differ:
                x, y = A[i][a], A[i][c]
                if isinstance(x, bool) and isinstance(y, bool):
                    differ[key] = x != y
                else:
                    v = b.new()
                    b.add([-v, x, y])
                    b.add([-v, negate(x), negate(y)])
                    differ[key] = v
            return differ[key]

        for (a, bb), (c, d) in quads:
            direction = forced_direction(options.output, f[a], f[bb], f[c], f[d])
            if direction == 0:
                continue
            plus, minus = ((a, bb), (c, d)) if direction > 0 else ((c, d), (a, bb))
            lits = []
            for i in range(k):
                # share > 0 possible: (S_i and one of plus active) or (not S_i and one of minus active)
                v = b.new()
                b.add([-v, negate(S[i]), xor(i, *plus)])
                b.add([-v, S[i], xor(i, *minus)])
                lits.append(v)
            b.add(lits)
    if "alive" in sym:
        for i in range(k):
            b.add(A[i])
    if "order" in sym:
        for i in range(k - 1):
            key_i = [S[i]] + A[i] + [True]
            key_j = [S[i + 1]] + A[i + 1] + [False]
            b.lex_leq(True, key_i, key_j)  # the sentinel makes it strict
    return Encoding(
        table=table,
        size=size,
        options=options,
        symmetry=sym,
        A=A,
        S=S,
        clauses=b.clauses,
        num_vars=b.top,
        trivially_unsat=b.unsat,
    )


# ---------------------------------------------------------------- the linear system
def lp_rows(
    n: int, f: Sequence[int], output: str, skip: bool, cols: Sequence[Sequence[int]], signs: Sequence[int]
) -> tuple[list[tuple[tuple, np.ndarray, float, bool]], int]:
    """The linear system for columns ``cols`` and signs ``signs`` (1 = +1), with value variables.

    Returns ``(rows, num_vars)``; each row is ``(ref, a, beta, is_equality)`` meaning
    ``a·y <= beta`` or ``a·y = beta``.  Variables: ``w_i`` (``n`` entries) and ``b_i``
    for each hidden neuron ``i`` (block ``i·(n+1)``), then ``y_ir`` (the neuron's value
    on row ``r``, at ``k·(n+1) + i·R + r``), the output bias ``c`` and the skip weights
    ``v`` (with ``skip``, and always when there is no hidden neuron: the output
    then reads the inputs).  With ``p_i(r) = w_i·x_r + b_i`` the rows are (``ref``):

    * ``("ge0", i, r)``: ``-y_ir <= 0`` and ``("gep", i, r)``: ``p_i(r) - y_ir <= 0``
      (true of ``max(0, p)`` whatever the activation);
    * ``("act", i, r)``: ``y_ir - p_i(r) <= 0`` if ``cols[i][r]``, else ``y_ir <= 0``;
    * ``("out", r)``: ``z(r) = sum_i ±y_ir + c (+ v·x_r)`` against ``f(r)``: linear
      ``z = f``; relu ``z = 1`` or ``z <= 0``; threshold ``-z <= 0`` or ``z <= -1``.

    Together they force ``y_ir = max(0, p_i(r))`` with ``p_i(r) >= 0`` where
    ``cols[i][r]`` and ``p_i(r) <= 0`` elsewhere: the system of the module docstring.
    """
    k = len(cols)
    R = 1 << n
    skip = skip or k == 0  # without hidden neurons the output reads the inputs
    base_y = k * (n + 1)
    c_idx = base_y + k * R
    nv = c_idx + 1 + (n if skip else 0)
    rows: list[tuple[tuple, np.ndarray, float, bool]] = []
    X = np.array([[(r >> j) & 1 for j in range(n)] + [1] for r in range(R)], dtype=float)
    for i in range(k):
        for r in range(R):
            yv = base_y + i * R + r
            a = np.zeros(nv)
            a[yv] = -1.0
            rows.append((("ge0", i, r), a, 0.0, False))
            a = np.zeros(nv)
            a[i * (n + 1) : (i + 1) * (n + 1)] = X[r]
            a[yv] = -1.0
            rows.append((("gep", i, r), a, 0.0, False))
            a = np.zeros(nv)
            a[yv] = 1.0
            if cols[i][r]:
                a[i * (n + 1) : (i + 1) * (n + 1)] = -X[r]
            rows.append((("act", i, r), a, 0.0, False))
    for r in range(R):
        z = np.zeros(nv)
        for i in range(k):
            z[base_y + i * R + r] = 1.0 if signs[i] else -1.0
        z[c_idx] = 1.0
        if skip:
            z[c_idx + 1 :] = X[r][:n]
        if output == "linear":
            rows.append((("out", r), z, float(f[r]), True))
        elif output == "relu":
            rows.append((("out", r), z, 1.0, True) if f[r] else (("out", r), z, 0.0, False))
        else:
            rows.append((("out", r), -z, 0.0, False) if f[r] else (("out", r), z, -1.0, False))
    return rows, nv


def _rref_solve(M: list[list[Fraction]], rhs: list[Fraction], hint: Sequence[Fraction]) -> list[Fraction] | None:
    """A solution of ``M y = rhs`` in exact arithmetic (free variables take ``hint``), or None."""
    m = len(M)
    nv = len(hint)
    aug = [list(row) + [rhs[i]] for i, row in enumerate(M)]
    pivots: list[int] = []
    prow = 0
    for col in range(nv):
        sel = next((r for r in range(prow, m) if aug[r][col] != 0), None)
        if sel is None:
            continue
        aug[prow], aug[sel] = aug[sel], aug[prow]
        pv = aug[prow][col]
        if pv != 1:
            aug[prow] = [x / pv for x in aug[prow]]
        for r in range(m):
            if r != prow and aug[r][col] != 0:
                fac = aug[r][col]
                aug[r] = [x - fac * y for x, y in zip(aug[r], aug[prow])]
        pivots.append(col)
        prow += 1
        if prow == m:
            break
    for r in range(prow, m):
        if aug[r][nv] != 0:
            return None
    y = [Fraction(h) for h in hint]
    pivot_set = set(pivots)
    for r, col in enumerate(pivots):
        val = aug[r][nv]
        for j in range(nv):
            if j not in pivot_set and aug[r][j] != 0:
                val -= aug[r][j] * y[j]
        y[col] = val
    return y


def _exact_row(a: np.ndarray) -> list[Fraction]:
    return [Fraction(int(v)) for v in np.rint(a).astype(np.int64)]


def _farkas(rows: list[tuple[tuple, np.ndarray, float, bool]], nv: int, cost: Sequence[float]) -> list[Fraction] | None:
    """Exact Farkas multipliers (one per row) proving the system infeasible, or None if HiGHS finds it feasible."""
    from scipy.optimize import linprog

    m = len(rows)
    eq_idx = [t for t, row in enumerate(rows) if row[3]]
    cols = m + len(eq_idx)  # lambda_t for every row (>= 0), and minus parts of equality rows
    Aeq = np.zeros((nv + 1, cols))
    for t, (_, a, beta, _) in enumerate(rows):
        Aeq[:nv, t] = a
        Aeq[nv, t] = beta
    for j, t in enumerate(eq_idx):
        Aeq[:nv, m + j] = -rows[t][1]
        Aeq[nv, m + j] = -rows[t][2]
    beq = np.zeros(nv + 1)
    beq[nv] = -1.0
    c = np.concatenate([np.asarray(cost, float), np.asarray([cost[t] for t in eq_idx], float)])
    res = linprog(c, A_eq=Aeq, b_eq=beq, bounds=(0, None), method="highs-ds")
    if res.status == 2:
        return None
    if res.status != 0:
        raise CertificationError(f"HiGHS failed on the Farkas system (status {res.status})")
    lam = res.x[:m].copy()
    for j, t in enumerate(eq_idx):
        lam[t] -= res.x[m + j]
    support = [t for t in range(m) if abs(lam[t]) > 1e-9]
    for den in (1, 2, 6, 12, 60, 840):
        full = [Fraction(float(v)).limit_denominator(den) if abs(v) > 1e-9 else Fraction(0) for v in lam]
        if _farkas_ok(rows, nv, full):
            return full
    # unknowns: multipliers on the support; equations: combination = 0, rhs combination = -1
    used = sorted({j for t in support for j in np.flatnonzero(rows[t][1])})
    M = [[Fraction(round(float(rows[t][1][j]))) for t in support] for j in used]
    M.append([Fraction(round(rows[t][2])) for t in support])
    rhs = [Fraction(0)] * len(used) + [Fraction(-1)]
    for hint_den in (None, 10**6):
        hint = [
            Fraction(0) if hint_den is None else Fraction(float(lam[t])).limit_denominator(hint_den) for t in support
        ]
        sol = _rref_solve(M, rhs, hint)
        if sol is None:
            break
        full = [Fraction(0)] * m
        for s, t in enumerate(support):
            full[t] = sol[s]
        if _farkas_ok(rows, nv, full):
            return full
    raise CertificationError("Farkas multipliers could not be made exact")


def _farkas_ok(rows: list[tuple[tuple, np.ndarray, float, bool]], nv: int, lam: Sequence[Fraction]) -> bool:
    """Exact check (integer arithmetic after clearing denominators) of Farkas multipliers."""
    nz = [(t, q) for t, q in enumerate(lam) if q != 0]
    if not nz or any(q < 0 and not rows[t][3] for t, q in nz):
        return False
    den = math.lcm(*(q.denominator for _, q in nz))
    total = np.zeros(nv, dtype=object)
    rhs = 0
    for t, q in nz:
        mult = q.numerator * (den // q.denominator)
        total = total + np.rint(rows[t][1]).astype(np.int64).astype(object) * mult
        rhs += mult * round(rows[t][2])
    return rhs < 0 and not any(total)


# ---------------------------------------------------------------- learned clauses
@dataclass(frozen=True)
class LearnedClause:
    """A clause with its certificate.

    ``kind == "ltf"``: hidden neuron ``neuron``'s column values on ``rows``
    (``(row, label, multiplicity)``) are not a threshold function: the label-1 and
    label-0 rows have equal total multiplicity and equal sums of input points.
    ``kind == "lp"``: ``terms`` lists constraints of :func:`lp_rows`
    (``(kind, i, r, m)`` for ``ge0``, ``gep``, ``act``, or ``("out", r, m)``) with exact
    multipliers ``m`` that sum them to ``0 <= negative`` under the configuration
    the clause forbids.
    """

    kind: str
    clause: tuple[int, ...]
    neuron: int | None = None
    rows: tuple[tuple[int, int, int], ...] = ()
    terms: tuple[tuple, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        from circuits.relu import fraction_to_json

        d: dict[str, Any] = {"kind": self.kind, "clause": list(self.clause)}
        if self.kind == "ltf":
            d["neuron"] = self.neuron
            d["rows"] = [list(t) for t in self.rows]
        else:
            d["terms"] = [list(t[:-1]) + [fraction_to_json(t[-1])] for t in self.terms]
        return d


def _clean_clause(lits: Iterable[Lit]) -> tuple[int, ...]:
    out: list[int] = []
    for lit in lits:
        if lit is False:
            continue
        if lit is True:
            raise WitnessError("a learned clause is satisfied by the model it was learned from")
        if lit not in out:
            out.append(lit)
    return tuple(out)


def _ltf_clause(enc: Encoding, i: int, cert: Inseparability) -> LearnedClause | None:
    """The clause forbidding neuron ``i`` the certificate's column values; None if a constant already does."""
    n = enc.n

    def row_of(point: Sequence[int]) -> int:
        return sum(int(v) << j for j, v in enumerate(point[:n]))

    rows = [(row_of(p), 1, int(a)) for p, a in cert.positive] + [(row_of(q), 0, int(m)) for q, m in cert.negative]
    lits = [forbid(enc.A[i][r], lab) for r, lab, _ in rows]
    if any(lit is True for lit in lits):
        return None
    return LearnedClause("ltf", _clean_clause(lits), neuron=i, rows=tuple(rows))


def _lp_clause(enc: Encoding, cols: Sequence[Sequence[int]], signs: Sequence[int], rows, lam) -> LearnedClause:
    terms: list[tuple] = []
    lits: list[Lit] = []
    for (ref, *_), m in zip(rows, lam):
        if m == 0:
            continue
        terms.append(tuple(ref) + (m,))
        if ref[0] == "act":
            _, i, r = ref
            lits.append(forbid(enc.A[i][r], cols[i][r]))
        elif ref[0] == "out":
            for i in range(enc.hidden):
                lits.append(forbid(enc.S[i], signs[i]))
    order = {"ge0": 0, "gep": 1, "act": 2, "out": 3}
    terms.sort(key=lambda t: (order[t[0]], t[1:-1]))
    return LearnedClause("lp", _clean_clause(lits), terms=tuple(terms))


# ---------------------------------------------------------------- witnesses
def _network(n: int, output: str, skip: bool, signs: Sequence[int], y: Sequence[Fraction]) -> ReLUNetwork:
    k = len(signs)
    neurons = []
    for i in range(k):
        block = y[i * (n + 1) : (i + 1) * (n + 1)]
        neurons.append(Neuron(tuple((j, block[j]) for j in range(n)), block[n], "relu"))
    c_idx = k * (n + 1) + k * (1 << n)
    c = y[c_idx]
    weights: list[tuple[int, Fraction | int]] = [(n + i, 1 if signs[i] else -1) for i in range(k)]
    if skip or k == 0:
        weights += [(j, y[c_idx + 1 + j]) for j in range(n)]
    neurons.append(Neuron(tuple(weights), c, output))
    return ReLUNetwork(n, tuple(neurons), (n + k,))


def _exact_witness(enc: Encoding, signs: Sequence[int], rows, nv: int) -> ReLUNetwork | None:
    """A network from the system's solution, re-evaluated exactly; None if HiGHS finds the system infeasible."""
    from scipy.optimize import linprog

    ub = [(a, beta) for _, a, beta, is_eq in rows if not is_eq]
    eq = [(a, beta) for _, a, beta, is_eq in rows if is_eq]
    kw: dict[str, Any] = {}
    if ub:
        kw["A_ub"] = np.array([a for a, _ in ub])
        kw["b_ub"] = np.array([beta for _, beta in ub])
    if eq:
        kw["A_eq"] = np.array([a for a, _ in eq])
        kw["b_eq"] = np.array([beta for _, beta in eq])
    res = linprog(np.zeros(nv), bounds=(None, None), method="highs-ds", **kw)
    if res.status == 2:
        return None
    if res.status != 0:
        raise CertificationError(f"HiGHS failed on the network system (status {res.status})")
    y = res.x
    opts = enc.options

    def attempt(vals: Sequence[Fraction]) -> ReLUNetwork | None:
        net = _network(enc.n, opts.output, opts.skip, signs, vals)
        return net if net.computes(enc.table) else None

    for den in (1, 2, 6, 12, 60, 840, 10**4, 10**6):
        net = attempt([Fraction(float(v)).limit_denominator(den) for v in y])
        if net is not None:
            return net
    # exact solve of the constraints tight at HiGHS's solution
    tight = [(a, beta) for a, beta in eq] + [(a, beta) for a, beta in ub if abs(float(a @ y) - beta) < 1e-7]
    M = [_exact_row(a) for a, _ in tight]
    rhs = [Fraction(round(beta)) for _, beta in tight]
    sol = _rref_solve(M, rhs, [Fraction(float(v)).limit_denominator(10**3) for v in y])
    if sol is not None:
        net = attempt(sol)
        if net is not None:
            return net
    raise CertificationError("the network system is feasible for HiGHS but no exact solution was recovered")


def check_witness(
    net: ReLUNetwork,
    table: TruthTable,
    options: ReLUOptions,
    size: int | None = None,
    layer_of: Sequence[int] | None = None,
) -> None:
    """Raise :class:`WitnessError` unless ``net`` computes ``table`` exactly within the model.

    ``layer_of`` (one entry per neuron) is the intended layering; without skip
    connections every neuron must read only nodes of the layer below its own.  By
    default it is the network's longest-path layering (:meth:`ReLUNetwork.layers`).
    """
    if not net.computes(table):
        raise WitnessError("witness does not compute the target")
    if size is not None and net.size != size:
        raise WitnessError(f"witness has {net.size} neurons, expected {size}")
    if net.output_activations != (options.output,) or net.outputs != (net.n + net.size - 1,):
        raise WitnessError(f"witness output is {net.output_activations}, expected one {options.output} neuron last")
    layers = tuple(layer_of) if layer_of is not None else net.layers()
    if len(layers) != net.size or max(layers, default=0) > options.hidden_layers + 1:
        raise WitnessError(f"witness has more than {options.hidden_layers} hidden layers")
    full = (0,) * net.n + layers
    for i, v in enumerate(net.neurons):
        for u in v.nodes:
            if full[u] >= layers[i] or (not options.skip and full[u] != layers[i] - 1):
                raise WitnessError(f"neuron {i} (layer {layers[i]}) reads node {u} of layer {full[u]}")
    if options.max_weight is not None:
        W = options.max_weight
        for v in net.neurons:
            if not v.is_integer() or abs(v.bias) > W or any(abs(w) > W for _, w in v.weights):
                raise WitnessError(f"witness has a weight or bias outside [-{W}, {W}]")


# ---------------------------------------------------------------- one size
#: Preference of the Farkas LP: constraints that need no literal are nearly free.
_COST = {"ge0": 0.01, "gep": 0.01, "act": 1.0, "out": 1.0}

#: Threshold-function test results by (n, column): an inseparability certificate or None (an LTF).
_LTF_CACHE: dict[int, dict[int, Inseparability | None]] = {}


class _Checker:
    """Checks complete assignments (threshold columns, then the linear system) and queues learned clauses."""

    def __init__(self, enc: Encoding) -> None:
        self.enc = enc
        self.f = enc.fbits
        self.ltf = _LTF_CACHE.setdefault(enc.n, {})
        self.lp_calls = 0
        self.network: ReLUNetwork | None = None

    def learn(self, model: Sequence[int]) -> list[LearnedClause]:
        """The theory of :func:`solvers.lazy.solve_lazily`: the clauses ``model`` violates."""
        return self.check(model)

    def _value(self, lit: Lit, true: set[int]) -> int:
        if isinstance(lit, bool):
            return int(lit)
        return int(lit in true) if lit > 0 else int(-lit not in true)

    def check(self, model: Sequence[int]) -> list[LearnedClause]:
        enc = self.enc
        true = {lit for lit in model if lit > 0}
        k, R = enc.hidden, enc.rows
        cols = [[self._value(enc.A[i][r], true) for r in range(R)] for i in range(k)]
        signs = [self._value(enc.S[i], true) for i in range(k)]
        new: list[LearnedClause] = []
        for i in range(k):
            key = sum(b << r for r, b in enumerate(cols[i]))
            if key not in self.ltf:
                ans = threshold_function(TruthTable.single(enc.n, key))
                self.ltf[key] = ans if isinstance(ans, Inseparability) else None
            cert = self.ltf[key]
            if cert is not None:  # no neuron may have this column: forbid it for all of them
                for j in [i] + [j for j in range(k) if j != i]:
                    lc = _ltf_clause(enc, j, cert)
                    if j == i and lc is None:
                        raise WitnessError("a column the model gives is excluded by a constant of the encoding")
                    if lc is not None and all(lc.clause != old.clause for old in new):
                        new.append(lc)
        if not new:
            rows, nv = lp_rows(enc.n, self.f, enc.options.output, enc.options.skip, cols, signs)
            cost = [_COST[ref[0]] + (0.5 * k if ref[0] == "out" else 0.0) for ref, *_ in rows]
            self.lp_calls += 1
            lam = _farkas(rows, nv, cost)
            if lam is None:
                net = _exact_witness(enc, signs, rows, nv)
                if net is None:
                    raise CertificationError("HiGHS calls both the system and its Farkas system infeasible")
                self.network = net
                return []
            new.append(_lp_clause(enc, cols, signs, rows, lam))
        for lc in new:  # exact re-check, by the verifier's code, before the solver sees the clause
            try:
                check_learned_clause(enc, lc.to_dict(), lc.clause)
            except Exception as exc:  # noqa: BLE001 - any rejection is an internal error
                raise CertificationError(f"a learned clause failed its exact check: {exc}") from None
        return new


def solve_size(enc: Encoding, *, deadline: float | None = None, slice_seconds: float = 0.5) -> LazyOutcome:
    """Run the lazy search for one size (see the module docstring).

    The solver runs in conflict-budgeted slices of about ``slice_seconds``, so
    ``deadline`` (a :func:`time.monotonic` instant) and Ctrl-C stop it within a
    slice; the outcome is then ``"unknown"`` with ``interrupted`` set.  Learned
    clauses are recorded in the order the solver received them.
    """
    start = time.monotonic()
    out = LazyOutcome("unknown", enc.size)
    checker = _Checker(enc)
    run = None
    try:
        if enc.trivially_unsat:
            out.status = "unsat"
            return out
        if enc.hidden == 0:  # no variables: check the one assignment directly
            new = checker.check([])
            if new:
                out.learned = new
                out.status = "unsat"
            else:
                out.status, out.witness = "sat", checker.network
            return out
        obs = sorted({abs(x) for x in [*enc.S, *(a for col in enc.A for a in col)] if not isinstance(x, bool)})
        run = solve_lazily(enc.clauses, obs, checker, deadline=deadline, slice_seconds=slice_seconds)
        out.learned = list(run.learned)
        out.interrupted = run.interrupted
        if run.answer is False:
            out.status = "unsat"
        elif run.answer is True:
            assert run.model is not None
            checker.network = None
            if checker.check(run.model):
                raise WitnessError("the solver's final model fails the exact check")
            out.status, out.witness = "sat", checker.network
    finally:
        out.iterations = run.checks if run is not None else 1
        out.stats["lp_calls"] = checker.lp_calls
        out.seconds = time.monotonic() - start
    if out.status == "sat":
        assert out.witness is not None
        check_witness(out.witness, enc.table, enc.options, enc.size)
    return out


# ---------------------------------------------------------------- certificates
CERTIFICATE_FORMAT = "lbt-relu-refutation"
CERTIFICATE_VERSION = 1
