"""The comparison method: minimum threshold circuits as one mixed-integer program per size.

For each size ``s`` the program (Muroga's formulation, solved by HiGHS through
:func:`scipy.optimize.milp`) has

* binaries ``g[i][r]``: the value of gate ``i`` on row ``r``;
* integers ``w[i][u]`` in ``[-M, M]`` for every node ``u`` gate ``i`` may read, and
  ``t[i]`` in ``[-T, T]``;
* ``z[i][j][r] = w[i][n+j] * g[j][r]`` for gate inputs, linearised
  (``|z| <= M g``, ``|z - w| <= M (1 - g)``);
* per gate and row, with the linear form ``L = sum w x(r) + sum z - t`` and a big
  constant ``B``: ``L >= -B (1 - g[i][r])`` and ``L <= -1 + B g[i][r]``;
* output selection binaries for targets with several different outputs, and
  with ``fanin``/``depth``/``layered``: wiring binaries ``e[i][u]`` (``|w| <= M e``,
  ``sum e <= K``) and integer levels (``lev[i] >= lev[j] + 1`` when ``i`` reads
  ``j``; with layers equality, and a gate reading an input is on level 1).

``M`` is ``max_weight`` when given.  Otherwise it is the bound of Muroga, Toda
and Takasu (1961): every threshold function of ``d`` variables has integer weights
of absolute value at most ``(d + 1)^((d + 1)/2) / 2^d``; ``T = d M + 1``.  The
search space is the same circuits as :mod:`solvers.threshold.encoding` with the
symmetry breaking ``output_last`` and (unbounded weights only) ``normal``.

HiGHS works in floating point, so a solution is rounded and the circuit is
re-evaluated exactly before it counts; an "infeasible" answer is *not* a
certificate.  Results of this method are therefore never ``proven``: their steps
have the status ``"infeasible"`` (not ``"unsat"``) and do not raise the lower
bound.  The method exists to cross-check and to compare running times.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from circuits.errors import SpecError, WitnessError
from circuits.threshold import ThresholdCircuit, ThresholdGate
from circuits.truthtable import TruthTable
from solvers.cases import Case, Solved, proof_name
from solvers.records import Status
from solvers.threshold.encoding import (
    _distinct_output_functions,
    check_witness,
    lower_bound,
    max_useful_size,
    result_fields,
)
from solvers.threshold.options import ThresholdOptions

__all__ = [
    "MilpEngine",
    "MilpModel",
    "build_milp",
    "muroga_weight_bound",
    "solve_milp_size",
]


def muroga_weight_bound(d: int) -> int:
    """``floor((d + 1)^((d + 1)/2) / 2^d)`` (at least 1): enough weight for any threshold function of d variables."""
    return max(1, math.floor((d + 1) ** ((d + 1) / 2) / 2**d + 1e-9))


class MilpModel:
    """Variables, bounds and constraint rows of the program for one size."""

    def __init__(self) -> None:
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.integrality: list[int] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []

    def var(self, lo: float, hi: float, integer: bool = True) -> int:
        self.lb.append(lo)
        self.ub.append(hi)
        self.integrality.append(1 if integer else 0)
        return len(self.lb) - 1

    def row(self, coeffs: dict[int, float], lo: float, hi: float) -> None:
        self.rows.append((coeffs, lo, hi))


def build_milp(table: TruthTable, size: int, options: ThresholdOptions) -> tuple[MilpModel, dict[str, Any]]:
    """The program for ``size`` gates; the second value maps variables back to the circuit."""
    n, s = table.n, size
    R = 1 << n
    funcs, output_of = _distinct_output_functions(table)
    m = len(funcs)
    W = options.max_weight
    D = options.depth_bound
    need_e = options.fanin is not None or D is not None
    mdl = MilpModel()
    single = m == 1
    g = [[mdl.var(0, 1) for _ in range(R)] for _ in range(s)]
    o = [[mdl.var(0, 1) for _ in range(s)] for _ in range(m)] if not single else None
    if single:
        for r in range(R):
            v = (funcs[0] >> r) & 1
            mdl.lb[g[s - 1][r]] = mdl.ub[g[s - 1][r]] = v
        if W is None:
            for i in range(s - 1):
                mdl.ub[g[i][0]] = 0  # normal form of non-output gates
    else:
        assert o is not None
        for k in range(m):
            mdl.row({o[k][i]: 1.0 for i in range(s)}, 1, math.inf)
            for i in range(s):
                for r in range(R):
                    # o = 1 -> g = F_k(r)
                    if (funcs[k] >> r) & 1:
                        mdl.row({g[i][r]: 1.0, o[k][i]: -1.0}, 0, math.inf)
                    else:
                        mdl.row({g[i][r]: 1.0, o[k][i]: 1.0}, -math.inf, 1)
        mdl.row({o[k][s - 1]: 1.0 for k in range(m)}, 1, math.inf)
    w: list[dict[int, int]] = []
    t: list[int] = []
    e: list[dict[int, int]] = []
    lev: list[int] = []
    for i in range(s):
        d = n + i
        M: float = W if W is not None else muroga_weight_bound(d)  # bounds of MilpModel variables (floats)
        T: float = W if W is not None else d * M + 1
        w.append({u: mdl.var(-M, M) for u in range(d)})
        t.append(mdl.var(-T, T))
        if need_e:
            e.append({u: mdl.var(0, 1) for u in range(d)})
            for u in range(d):
                mdl.row({w[i][u]: 1.0, e[i][u]: -M}, -math.inf, 0)
                mdl.row({w[i][u]: 1.0, e[i][u]: M}, 0, math.inf)
            if options.fanin is not None:
                mdl.row({e[i][u]: 1.0 for u in range(d)}, -math.inf, options.fanin)
        if D is not None:
            lev.append(mdl.var(1, D))
    if D is not None:
        for i in range(s):
            for u in range(n):
                if options.layered is not None:
                    mdl.row({lev[i]: 1.0, e[i][u]: D}, -math.inf, 1 + D)  # reads an input -> level 1
            for j in range(i):
                # reads j -> lev[i] >= lev[j] + 1 (layers: equality)
                mdl.row({lev[i]: 1.0, lev[j]: -1.0, e[i][n + j]: -D}, 1 - D, math.inf)
                if options.layered is not None:
                    mdl.row({lev[i]: 1.0, lev[j]: -1.0, e[i][n + j]: D}, -math.inf, 1 + D)
            if options.layered is not None:
                # a gate above level 1 reads some gate
                mdl.row(
                    {lev[i]: 1.0, **{e[i][n + j]: -float(D) for j in range(i)}},
                    -math.inf,
                    1,
                )
    for i in range(s):
        d = n + i
        M = mdl.ub[w[i][0]] if d else 0
        T = mdl.ub[t[i]]
        z = {}
        for j in range(i):
            for r in range(R):
                zv = mdl.var(-M, M)
                z[j, r] = zv
                wv, gv = w[i][n + j], g[j][r]
                mdl.row({zv: 1.0, gv: -M}, -math.inf, 0)
                mdl.row({zv: 1.0, gv: M}, 0, math.inf)
                mdl.row({zv: 1.0, wv: -1.0, gv: M}, -math.inf, M)
                mdl.row({zv: 1.0, wv: -1.0, gv: -M}, -M, math.inf)
        B = M * d + T + 1
        for r in range(R):
            lin: dict[int, float] = {t[i]: -1.0}
            for u in range(n):
                if (r >> u) & 1:
                    lin[w[i][u]] = 1.0
            for j in range(i):
                lin[z[j, r]] = 1.0
            # g = 1 -> L >= 0 ;  g = 0 -> L <= -1
            mdl.row({**lin, g[i][r]: -B}, -B, math.inf)
            mdl.row({**lin, g[i][r]: -B}, -math.inf, -1)
    return mdl, {
        "g": g,
        "w": w,
        "t": t,
        "o": o,
        "output_of": output_of,
        "single": single,
    }


def solve_milp_size(table: TruthTable, size: int, options, time_limit: float | None = None):
    """``("sat", circuit)``, ``("infeasible", None)``, ``("timeout", None)`` or ``("unverified", None)``."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    mdl, vmap = build_milp(table, size, options)
    nv = len(mdl.lb)
    data, ri, ci, lo, hi = [], [], [], [], []
    for k, (coeffs, a, b) in enumerate(mdl.rows):
        for v, c in coeffs.items():
            ri.append(k)
            ci.append(v)
            data.append(c)
        lo.append(a)
        hi.append(b)
    A = coo_matrix((data, (ri, ci)), shape=(len(mdl.rows), nv)).tocsr()
    opts: dict[str, Any] = {"disp": False}
    if time_limit is not None:
        opts["time_limit"] = max(time_limit, 0.01)
    res = milp(
        c=np.zeros(nv),
        constraints=[LinearConstraint(A, lo, hi)] if mdl.rows else [],
        integrality=np.array(mdl.integrality),
        bounds=Bounds(mdl.lb, mdl.ub),
        options=opts,
    )
    if res.status == 2:
        return "infeasible", None
    if res.x is None:
        return "timeout", None
    x = np.rint(res.x).astype(np.int64)
    n = table.n
    gates = []
    for i in range(size):
        weights = tuple((u, int(x[vi])) for u, vi in vmap["w"][i].items())
        gates.append(ThresholdGate(weights, int(x[vmap["t"][i]])))
    if vmap["single"]:
        outputs = (n + size - 1,) * table.m
    else:
        chosen = [next(i for i in range(size) if x[vmap["o"][k][i]] == 1) for k in range(len(vmap["o"]))]
        outputs = tuple(n + chosen[k] for k in vmap["output_of"])
    circuit = ThresholdCircuit(n, tuple(gates), outputs)
    try:
        check_witness(circuit, table, options)
    except WitnessError:
        return "unverified", None
    return "sat", circuit


class MilpEngine:
    """The MILP method (a :class:`solvers.run.SizeEngine`): one program per size, nothing certified.

    Its "infeasible" answers are floating-point and refute nothing: the search
    goes on past them (:attr:`next_on`) but the result is never proven.
    """

    certificate: tuple[str, int] | None = None
    next_on: frozenset[str] = frozenset({Status.INFEASIBLE})
    certifies = False
    least_size = 1

    def __init__(self, spec: str, table: TruthTable, options: ThresholdOptions) -> None:
        self.spec, self.table, self.options = spec, table, options
        self.lb, self.bound_reason = lower_bound(table)
        self.cap = max_useful_size(table, options)
        self.tag = options.tag() + "-milp"

    def method(self, proofs: bool) -> str:
        return "milp:highs"

    def check_proofs(self) -> None:
        raise SpecError("the milp method proves nothing: it writes no proofs (use the lazy method)")

    def cases(self, size: int, deadline: float | None) -> Iterator[Case]:
        yield Case(size, proof_name(self.spec, self.tag, size), (), 0)

    def solve(self, case: Case, deadline: float | None, proof_dir: Path | None) -> Solved:
        limit = None if deadline is None else deadline - time.monotonic()
        status, circuit = solve_milp_size(self.table, case.size, self.options, limit)
        return Solved(status, circuit)

    def verify(self, path: Path) -> Any:
        raise SpecError("the milp method has no certificates")

    def accept(self, solved: Solved, case: Case) -> ThresholdCircuit:
        check_witness(solved.witness, self.table, self.options)
        return solved.witness

    def trivial(self) -> Any:
        raise AssertionError("every threshold circuit has a gate")

    def result_fields(self, search: Any) -> dict[str, Any]:
        symmetry = ("output_last",) + (("normal",) if self.options.max_weight is None else ())
        return result_fields(self.options, search, "highs", "muroga-milp", symmetry, certified=False)
