"""CNF encoding of "a circuit of ``s`` gates over a basis computes ``f``" (SAT chains).

The encoding follows the SAT-chain formulation of Kojevnikov, Kulikov and
Yaroslavtsev [1] and Knuth [2], with the single-selection-variable layout of
Haaswijk et al. [3].  Node numbering is that of :mod:`circuits.boolean`: nodes
``0 .. n-1`` are the inputs, gate ``i`` is node ``n + i``.

Variables (:class:`pysat.formula.IDPool` keys)
----------------------------------------------
``("S", i, T)``
    gate ``i`` reads the tuple ``T`` (strictly increasing node numbers, each
    smaller than ``n + i``; ``2 .. fanin`` of them).
``("O", i, r)``
    bit ``r`` of gate ``i``'s op: its value when tuple member ``p`` carries bit
    ``p`` of ``r`` (the :mod:`circuits.boolean` convention).
``("C", i, a, op)``
    ``aig``/``mono`` only: gate ``i`` reads ``a`` nodes and has the op ``op``
    (one of the few ops of the basis).
``("X", i, t)``
    the value of gate ``i`` on row ``t`` of the truth table.
``("Out", k, v)``
    output ``k`` is node ``v``; ``("Pol", k)`` its polarity when not fixed.
``("U", i)``
    gate ``i`` is read by a later gate.
Auxiliary variables: ``("Z", i, a)`` (gate ``i`` reads ``a`` nodes), ``("L", i, l)``
(depth of gate ``i`` is at most ``l``), ``("G", i, q)`` (order ladder for the
colex constraint), ``("A", j, i)`` (input ``j`` is read by one of gates ``0..i``),
``("P", i)`` (gate ``i`` is a projection), difference variables for ``nodup`` and
``fnodup``, and those of :class:`pysat.card.CardEnc`.

Normal form
-----------
With ``normal=True`` (the default) every gate is *normal* (0-preserving): its
value on the all-zero row is 0, so row 0 is dropped and op bit 0 is fixed to 0.
Nothing is lost: a gate computing ``h`` is represented by its normal part
``h XOR h(0)``; in ``b2`` and ``aig`` every consumer gate absorbs the
complement into its own op, and the polarity ``h(0)`` is a free choice of the
decoder (every B2 op is allowed; in ``aig`` an OR-type normal gate is an AND of
negated edges with negated output).  Only the outputs see polarities: output
``k`` is node ``v`` with polarity ``pi_k`` meaning ``f_k = h'_v XOR pi_k``.
``pi_k = f_k(0)`` when row 0 is a care row of output ``k``, otherwise it is a
variable.  In ``aig`` output negations are free.  In ``b2`` an output cannot
negate, so the decoder gives gate ``v`` the polarity of the outputs it feeds:
two outputs of different polarities cannot share a gate, and an output with
polarity 1 cannot be an input.  An output such as ``NOT x0`` or the
complement of a gate that another output needs is then realised by a
*projection gate* (a gate whose normal op copies one of its inputs; decoded as a
NOT gate).  ``mono`` circuits are normal by nature.  This accounting is exact:
a B2 circuit of ``s`` gates exists iff the normal encoding with ``s`` gates is
satisfiable.  ``normal=False`` gives the plain encoding (rows and ops in full,
no polarity), kept as a reference for tests; the strengthenings that rely on
normal form are then not applied.

Strengthenings
--------------
Each one only removes circuits that are not of a canonical form every
minimum circuit can be brought to, so the *minimum size* is preserved (a size
below the minimum stays unsatisfiable, the minimum stays satisfiable).  Gate
inputs are always ordered (``T`` strictly increasing).  :data:`STRENGTHENINGS`
lists the optional ones:

``nontrivial``
    no gate op is constant; a gate depending on one input only (a projection
    gate) feeds no gate (it can only be an output's NOT gate); a gate of 3 or
    more inputs depends on all of them.
``all_used``
    every gate feeds a later gate or an output; with one output the output is
    the last gate.
``nodup``
    two gates reading the same tuple have different ops (b2 with a depth bound
    and outputs of mixed polarity: the later one feeds no gate).
``fnodup``
    no gate computes (in normal form) the constant 0 or an input, and no two
    gates compute the same function; in ``b2`` the second of a pair may be a
    projection gate (the NOT gate of an output).  With a depth bound, b2 and
    outputs of mixed polarity, the gate/gate part is dropped.
``noreapply``
    no gate reads a gate ``j`` together with nothing but inputs of ``j`` (it would
    be a function of ``j``'s inputs alone and could read them instead); in
    ``b2`` projection gates are exempt (a NOT gate may read ``(j, x)``).  For
    ``aig`` and ``mono`` only with fan-in 2 (an AND of a negated AND and some of
    its inputs is not one gate of fan-in 3).
``colex``
    consecutive gates read tuples in colexicographic order (tuples compared as
    bit masks of nodes); a gate reading its predecessor satisfies this anyway,
    so it orders exactly the independent consecutive pairs.  By transitivity
    the whole sequence of tuples is then sorted.
``symmetry``
    if the target (with its care masks) is invariant under swapping inputs
    ``a < b`` of one symmetry class with no class member in between, input ``a``
    is read no later than input ``b`` (first occurrences in gate order).
``symlex``
    for the same pairs ``a < b``: the set of gates reading ``a``, as a bit
    vector in gate order, is lexicographically no smaller than the set reading
    ``b`` (at the first gate reading exactly one of them, it reads ``a``).
    Implies ``symmetry``.
``support``
    (implied, valid for every circuit) every input some output certainly
    depends on is read by a gate or is an output.

Why the combination is sound (sketch; the tests compare minima with and
without each strengthening against brute force): take a minimum circuit and
pass over its gates in order, redirecting every read of a gate that is a
projection, a copy (same tuple and op) of an earlier gate or, without a depth
bound, computes the same normal function as an earlier node, to that earlier
node (re-reading ``(v, x)`` with an input ``x`` if a gate would read ``v``
twice); such a gate then feeds only outputs, becoming a projection of its
representative when it must stay (for a polarity an output needs); dead gates
cannot exist in a minimum circuit; a 3+-input gate that ignores an input reads
fewer; a gate reading a gate ``j`` and only inputs of ``j`` reads ``j``'s
inputs instead.  Each step keeps the size, lowers (number of non-projection
gates, sum of the node numbers read) or removes a gate, so the pass ends; only
the "same function" redirection can increase depth, which is why it is not
used with a depth bound.  Finally, among all topological orders of the gates
and all relabellings of inputs by target symmetries, take the one whose
sequence of tuples is lexicographically smallest: moving a gate to an earlier
position it may occupy, or swapping the labels of two symmetric inputs, would
otherwise give a smaller sequence.  All properties above survive reordering
and relabelling.

References
----------
1. A. Kojevnikov, A. S. Kulikov, G. Yaroslavtsev. Finding efficient circuits
   using SAT-solvers. SAT 2009, LNCS 5584, 32-44.
2. D. E. Knuth. The Art of Computer Programming, Vol. 4A, Section 7.1.2, and
   Vol. 4B, Section 7.2.2.2 ("SAT chains").
3. W. Haaswijk, M. Soeken, A. Mishchenko, G. De Micheli. SAT-based exact
   synthesis: encodings, topology families, and parallelism. IEEE TCAD 39(4),
   2020.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations, pairwise
from math import comb

from pysat.card import CardEnc, EncType
from pysat.formula import IDPool

from circuits.boolean import B2, Basis, BooleanCircuit, Edge, Gate
from circuits.errors import ArityError, SolverError, SpecError, TooLargeError, WitnessError
from circuits.truthtable import TruthTable, full_mask, var_mask
from solvers.limits import check_deadline, check_encoding_size, cone_size, encoded_depth

__all__ = [
    "DEFAULT_STRENGTHENINGS",
    "ENCODING",
    "ENCODING_VERSION",
    "MAX_SAT_INPUTS",
    "STRENGTHENINGS",
    "ChainEncoding",
    "DecodeError",
    "Problem",
    "check_witness",
    "encode",
    "input_symmetries",
    "lower_bound",
    "max_useful_size",
    "trivial_circuit",
]

#: Name and version of the encoding, recorded with every result.
ENCODING = "sat-chain"
ENCODING_VERSION = 1

#: Largest number of inputs the encoding accepts.
MAX_SAT_INPUTS = 10

#: The optional strengthenings, in the order they are described in the module docstring.
STRENGTHENINGS = ("nontrivial", "all_used", "nodup", "fnodup", "noreapply", "colex", "symmetry", "symlex", "support")

#: Strengthenings on by default: all of them.
DEFAULT_STRENGTHENINGS = frozenset(STRENGTHENINGS)

# strengthenings that need normal form
_NORMAL_ONLY = frozenset({"nontrivial", "nodup", "fnodup"})


class DecodeError(SolverError):
    """A model does not decode to a circuit that computes the target: a bug, never a user error."""


# ---------------------------------------------------------------- problem
@dataclass(frozen=True)
class Problem:
    """What to synthesise: ``target`` over ``basis``, optionally with a depth bound and care masks.

    ``care[k]`` is a mask of ``2**n`` bits: the rows on which output ``k`` is
    constrained (``None``: all rows).  Rows outside it are don't-cares.
    """

    target: TruthTable
    basis: Basis = B2
    depth: int | None = None
    care: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.target, TruthTable):
            raise SpecError(f"target must be a TruthTable, got {type(self.target).__name__}")
        if not isinstance(self.basis, Basis):
            raise SpecError(f"basis must be a Basis, got {self.basis!r}")
        if self.target.n > MAX_SAT_INPUTS:
            raise TooLargeError(f"{self.target.n} inputs is too many for the SAT encoding (at most {MAX_SAT_INPUTS})")
        if self.depth is not None and (
            not isinstance(self.depth, int) or isinstance(self.depth, bool) or self.depth < 1
        ):
            raise SpecError(f"depth bound must be an integer >= 1, got {self.depth!r}")
        if self.care is not None:
            care = tuple(self.care)
            if len(care) != self.target.m:
                raise ArityError(f"{len(care)} care masks given for {self.target.m} outputs")
            full = full_mask(self.target.n)
            for k, c in enumerate(care):
                if not isinstance(c, int) or isinstance(c, bool) or not 0 <= c <= full:
                    raise SpecError(f"care mask of output {k} is not a table of {self.target.n} inputs")
            object.__setattr__(self, "care", care)

    @property
    def n(self) -> int:
        return self.target.n

    @property
    def m(self) -> int:
        return self.target.m

    def care_mask(self, k: int) -> int:
        return full_mask(self.n) if self.care is None else self.care[k]

    def constant_value(self, k: int) -> int | None:
        """0 or 1 if output ``k`` is constant on its care rows, else ``None``."""
        care = self.care_mask(k)
        ones = self.target.outputs[k] & care
        if ones == 0:
            return 0
        if ones == care:
            return 1
        return None

    def agrees(self, k: int, table: int) -> bool:
        """True iff ``table`` equals output ``k`` on its care rows."""
        care = self.care_mask(k)
        return (table ^ self.target.outputs[k]) & care == 0

    def essential_inputs(self, k: int) -> tuple[int, ...]:
        """Inputs every completion of output ``k`` depends on (two care rows differing only there disagree)."""
        n, f, care = self.n, self.target.outputs[k], self.care_mask(k)
        out = []
        for j in range(n):
            mask = var_mask(n, j)
            shift = 1 << j
            lo_care = care & ~mask & full_mask(n)
            both = lo_care & (care >> shift)  # rows with x_j = 0 whose partner is also a care row
            if (f ^ (f >> shift)) & both:
                out.append(j)
        return tuple(out)

    def is_monotone_extendable(self) -> bool:
        """True iff every output has a monotone completion (no care rows x <= y with f(x)=1, f(y)=0)."""
        n = self.n
        rows = 1 << n
        for k in range(self.m):
            f, care = self.target.outputs[k], self.care_mask(k)
            ones = [x for x in range(rows) if (care >> x) & 1 and (f >> x) & 1]
            zeros = [y for y in range(rows) if (care >> y) & 1 and not (f >> y) & 1]
            for x in ones:
                for y in zeros:
                    if x & y == x:
                        return False
        return True


def input_symmetries(problem: Problem) -> list[tuple[int, ...]]:
    """Classes (of size >= 2) of inputs the target and its care masks are symmetric in.

    Inputs ``a`` and ``b`` are in one class iff swapping them leaves every output
    table and care mask unchanged (this relation is an equivalence).
    """
    n = problem.n
    f = problem.target
    care = TruthTable(n, tuple(problem.care_mask(k) for k in range(problem.m)))
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            a = parent[a]
        return a

    for a in range(n):
        for b in range(a + 1, n):
            if find(a) == find(b):
                continue
            perm = list(range(n))
            perm[a], perm[b] = b, a
            if f.permute(perm) == f and care.permute(perm) == care:
                parent[find(b)] = find(a)
    classes: dict[int, list[int]] = {}
    for j in range(n):
        classes.setdefault(find(j), []).append(j)
    return [tuple(c) for c in classes.values() if len(c) > 1]


# ------------------------------------------------------------ size 0, bounds
def trivial_circuit(problem: Problem) -> BooleanCircuit | None:
    """A circuit without gates for ``problem`` (outputs are constants or inputs), or ``None``."""
    n, basis = problem.n, problem.basis
    outs = []
    for k in range(problem.m):
        const = problem.constant_value(k)
        if const is not None:
            outs.append(Edge(-1, bool(const)))
            continue
        found = None
        for j in range(n):
            vj = var_mask(n, j)
            if problem.agrees(k, vj):
                found = Edge(j)
                break
            if basis.free_negations and problem.agrees(k, vj ^ full_mask(n)):
                found = Edge(j, True)
                break
        if found is None:
            return None
        outs.append(found)
    return BooleanCircuit(n, basis, (), tuple(outs))


def lower_bound(problem: Problem) -> tuple[int, str]:
    """A size below which no circuit exists, and the one-line reason.

    * 0 if :func:`trivial_circuit` finds a circuit, else at least 1;
    * an output that every completion makes depend on ``r`` inputs needs
      ``ceil((r - 1) / (fanin - 1))`` gates (a cone of ``g`` gates of fan-in ``k``
      reads at most ``(k - 1) g + 1`` inputs);
    * without don't-cares: pairwise different output functions that are not free
      (constants, inputs and, in ``aig``, negated inputs; in ``aig`` a function and
      its complement count once) need different gates.
    """
    if trivial_circuit(problem) is not None:
        return 0, "outputs are constants or inputs"
    k = problem.basis.fanin
    best, why = 1, "some output is not a constant or an input"
    for out in range(problem.m):
        if problem.constant_value(out) is not None:
            continue
        r = len(problem.essential_inputs(out))
        bound = -(-(r - 1) // (k - 1)) if r > 1 else 0
        if bound > best:
            best, why = bound, f"output {out} depends on {r} inputs; fan-in {k} needs {bound} gates"
    if problem.care is None:
        n, full = problem.n, full_mask(problem.n)
        free = {0, full} | {var_mask(n, j) for j in range(n)}
        if problem.basis.free_negations:
            free |= {var_mask(n, j) ^ full for j in range(n)}
        distinct = set()
        for t in problem.target.outputs:
            if t in free:
                continue
            if problem.basis.free_negations:
                t = min(t, t ^ full)
            distinct.add(t)
        if len(distinct) > best:
            best, why = len(distinct), f"{len(distinct)} different output functions need different gates"
    return best, why


def max_useful_size(problem: Problem) -> int | None:
    """With a depth bound ``D``: no minimum circuit has more gates than this (``None`` without a bound).

    Every gate of a minimum circuit lies in the cone of some output, and a cone of
    depth ``D`` and fan-in ``k`` has at most ``(k**D - 1) / (k - 1)`` gates.
    """
    if problem.depth is None:
        return None
    cone = cone_size(problem.basis.fanin, problem.depth)
    if cone is None:
        return None
    outputs = sum(1 for out in range(problem.m) if problem.constant_value(out) is None)
    return outputs * cone


# ---------------------------------------------------------------- ops
def _normal_ops(basis: Basis, a: int, normal: bool) -> list[int] | None:
    """The ops a gate of ``a`` inputs may have in ``aig``/``mono`` (``None``: any op, ``b2``).

    Only ops depending on all ``a`` inputs are listed (a gate ignoring an input
    reads fewer nodes); in normal form, ops with bit 0 cleared.
    """
    if basis.name == "b2":
        return None
    rows = 1 << a
    full = (1 << rows) - 1
    if basis.name == "mono":
        return [1 << (rows - 1), full ^ 1] if a >= 2 else []
    # aig: an AND of a literals is a single minterm
    if a < 2:
        return []
    if not normal:
        return [1 << m for m in range(rows)]
    return [1 << m for m in range(1, rows)] + [full ^ 1]


# ---------------------------------------------------------------- encoding
@dataclass
class ChainEncoding:
    """The CNF for one size, with what is needed to decode a model.

    ``clauses`` is a list of DIMACS clauses over variables ``1 .. nv``; every
    restriction is a clause (no assumptions), so an UNSAT answer refutes exactly
    this list.
    """

    problem: Problem
    size: int
    normal: bool
    strengthenings: frozenset[str]
    clauses: list[list[int]] = field(repr=False)
    vpool: IDPool = field(repr=False)
    tuples: list[list[tuple[int, ...]]] = field(repr=False)
    sat_outputs: tuple[int, ...] = ()
    polarity: dict[int, int | None] = field(default_factory=dict, repr=False)

    @property
    def nv(self) -> int:
        return self.vpool.top

    def var(self, *key) -> int:
        """The variable of a key, e.g. ``enc.var("S", 0, (0, 1))`` (0 if the key was never used)."""
        return self.vpool.obj2id.get(key, 0)

    def split_groups(self) -> list[list[int]]:
        """Groups of literals of which every model makes one true: which tuple gate ``i`` reads
        (``S`` variables), for ``i`` from the first gate up: the topology of the first gates.  A split
        of the size into cubes takes them in this order (:mod:`solvers.cubes`).  Measured on MAJ_5 with 8
        gates: 29 cubes of at most 3.5 s and 35 s in all, where the last gates' tuples gave cubes of up to
        50 s and 135 s in all (most of their tuples are ruled out at once, the rest are hard)."""
        groups = [[self.var("S", i, T) for T in self.tuples[i]] for i in range(self.size)]
        return [[v for v in group if v] for group in groups if any(group)]

    # ------------------------------------------------------------ decoding
    def decode(self, model: Iterable[int]) -> BooleanCircuit:
        """The circuit a satisfying assignment describes.

        Raises :class:`DecodeError` if the model is inconsistent with the encoding
        (no tuple selected, an op outside the basis); the caller still has to check
        the circuit with :meth:`BooleanCircuit.computes`.
        """
        true = {lit for lit in model if lit > 0}
        p, n, s = self.problem, self.problem.n, self.size
        basis = p.basis

        def val(*key) -> bool:
            v = self.vpool.obj2id.get(key)
            return v is not None and v in true

        # tuples and normal ops
        tuples: list[tuple[int, ...]] = []
        nops: list[int] = []
        for i in range(s):
            chosen = [T for T in self.tuples[i] if val("S", i, T)]
            if not chosen:
                raise DecodeError(f"model selects no input tuple for gate {i}")
            T = chosen[0]
            a = len(T)
            op = 0
            for r in range(1 << a):
                if r == 0 and self.normal:
                    continue
                if val("O", i, r):
                    op |= 1 << r
            tuples.append(T)
            nops.append(op)
        # outputs
        out_node: dict[int, int] = {}
        out_pol: dict[int, int] = {}
        for k in self.sat_outputs:
            nodes = [v for v in range(n + s) if val("Out", k, v)]
            if not nodes:
                raise DecodeError(f"model assigns no node to output {k}")
            out_node[k] = nodes[0]
            fixed = self.polarity[k]
            out_pol[k] = fixed if fixed is not None else int(val("Pol", k))
        # real polarity of each gate: the value the real node adds to the normal one
        pol = [0] * (n + s)
        if self.normal and basis.name == "b2":
            for k, v in out_node.items():
                if v >= n:
                    pol[v] = out_pol[k]
        elif self.normal and basis.name == "aig":
            for i in range(s):
                a = len(tuples[i])
                if nops[i].bit_count() > 1:  # OR type: an AND of negated edges, output negated
                    pol[n + i] = 1
                elif nops[i].bit_count() == 0 and a:
                    raise DecodeError(f"gate {i} has a constant op in aig")
        gates = []
        for i in range(s):
            T, op = tuples[i], nops[i]
            a = len(T)
            rows = 1 << a
            # real op over real input values y: op(y XOR pol_T) XOR pol_gate
            tmask = sum(pol[v] << q for q, v in enumerate(T))
            real = 0
            for y in range(rows):
                if ((op >> (y ^ tmask)) & 1) ^ pol[n + i]:
                    real |= 1 << y
            if a == 1:  # a unary gate reads its node twice
                T = (T[0], T[0])
                real = sum(((real >> (y & 1)) & 1) << y for y in range(4))
                a = 2
            if basis.name == "aig":
                if real.bit_count() != 1:
                    raise DecodeError(f"gate {i} decodes to op {real:#x}, not an AND of literals")
                m = real.bit_length() - 1
                edges = tuple(Edge(v, not (m >> q) & 1) for q, v in enumerate(T))
                gates.append(Gate(1 << ((1 << a) - 1), edges))
            else:
                gates.append(Gate(real, tuple(Edge(v) for v in T)))
        outs = []
        for k in range(p.m):
            if k in out_node:
                v = out_node[k]
                neg = bool(out_pol[k] ^ pol[v])
                if neg and not basis.free_negations:
                    raise DecodeError(f"output {k} would need a negated edge in {basis.label}")
                outs.append(Edge(v, neg))
            else:
                outs.append(Edge(-1, bool(p.constant_value(k))))
        return BooleanCircuit(n, basis, tuple(gates), tuple(outs))


#: Clauses added between two looks at the deadline.
_DEADLINE_EVERY = 4096


class _Builder:
    def __init__(
        self, problem: Problem, size: int, strengthenings: frozenset[str], normal: bool, deadline: float | None
    ) -> None:
        self.p = problem
        self.s = size
        self.depth = encoded_depth(problem.depth, size)
        self.normal = normal
        self.st = strengthenings
        self.deadline = deadline
        self.pool = IDPool()
        self.clauses: list[list[int]] = []
        n = problem.n
        self.n = n
        self.k = problem.basis.fanin
        self.basis = problem.basis
        self.rows = list(range(1 if normal else 0, 1 << n))

    # -------------------------------------------------------------- helpers
    def v(self, *key) -> int:
        return self.pool.id(key)

    def add(self, clause: Sequence[int]) -> None:
        self.clauses.append(list(clause))
        if len(self.clauses) % _DEADLINE_EVERY == 0:
            check_deadline(self.deadline)

    def exactly_one(self, lits: list[int]) -> None:
        if not lits:
            self.add([])
            return
        self.add(lits)
        if len(lits) <= 6:
            for a, b in combinations(lits, 2):
                self.add([-a, -b])
        else:
            enc = CardEnc.atmost(lits, 1, vpool=self.pool, encoding=EncType.seqcounter)
            self.clauses.extend(enc.clauses)

    def node_value(self, v: int, t: int) -> int | bool:
        """Literal of node ``v`` on row ``t``, or a bool for inputs."""
        if v < self.n:
            return bool((t >> v) & 1)
        return self.v("X", v - self.n, t)

    # -------------------------------------------------------------- build
    def build(self) -> ChainEncoding:
        p, n, s = self.p, self.n, self.s
        if n < 1:
            raise ArityError("the SAT encoding needs at least one input")
        self.tuples: list[list[tuple[int, ...]]] = []
        for i in range(s):
            check_deadline(self.deadline)
            nodes = n + i
            sizes = range(2, min(self.k, nodes) + 1) if nodes >= 2 else ([1] if self.basis.name == "b2" else [])
            ts = [T for a in sizes for T in combinations(range(nodes), a)]
            ts.sort(key=lambda T: sum(1 << v for v in T))  # colex order = order of node masks
            self.tuples.append(ts)
        self.sat_outputs = tuple(k for k in range(p.m) if p.constant_value(k) is None)
        self.polarity: dict[int, int | None] = {}
        for k in self.sat_outputs:
            if self.basis.name == "mono" or (not self.normal and self.basis.name == "b2"):
                self.polarity[k] = 0
            elif not self.normal:
                self.polarity[k] = None
            elif (p.care_mask(k) & 1) == 1:
                self.polarity[k] = p.target.outputs[k] & 1
            else:
                self.polarity[k] = None
        pols = {self.polarity[k] for k in self.sat_outputs}
        self.mixed = self.basis.name == "b2" and self.normal and (None in pols or len(pols) > 1)

        for i in range(s):
            check_deadline(self.deadline)
            self.gate(i)
        self.outputs()
        if self.depth is not None:
            self.depth_bound()
        st = self.st
        if "nontrivial" in st:
            self.nontrivial()
        if "all_used" in st:
            self.all_used()
        if "nodup" in st:
            self.nodup()
        if "fnodup" in st:
            self.fnodup()
        if "noreapply" in st:
            self.noreapply()
        if "colex" in st:
            self.colex()
        if "symmetry" in st:
            self.symmetry()
        if "symlex" in st:
            self.symlex()
        if "support" in st:
            self.support()
        return ChainEncoding(
            problem=p,
            size=s,
            normal=self.normal,
            strengthenings=st,
            clauses=self.clauses,
            vpool=self.pool,
            tuples=self.tuples,
            sat_outputs=self.sat_outputs,
            polarity=self.polarity,
        )

    def sizes(self, i: int) -> list[int]:
        return sorted({len(T) for T in self.tuples[i]})

    def size_lit(self, i: int, a: int) -> int | None:
        """Literal "gate i reads a nodes", or None when every tuple of gate i has a nodes."""
        if len(self.sizes(i)) == 1:
            return None
        return self.v("Z", i, a)

    def gate(self, i: int) -> None:
        n = self.n
        ts = self.tuples[i]
        sel = [self.v("S", i, T) for T in ts]
        self.exactly_one(sel)
        sizes = self.sizes(i)
        # used size indicator
        if len(sizes) > 1:
            for a in sizes:
                z = self.v("Z", i, a)
                members = [self.v("S", i, T) for T in ts if len(T) == a]
                self.add([-z] + members)
                for m in members:
                    self.add([-m, z])
        amax = max(sizes) if sizes else 0
        first = 1 if self.normal else 0
        ops = {r: self.v("O", i, r) for r in range(first, 1 << amax)}
        # op bits beyond the tuple size are 0 (they are meaningless)
        if len(sizes) > 1:
            for a in sizes:
                z = self.v("Z", i, a)  # = self.size_lit(i, a): gate i has tuples of several sizes
                for r in range(1 << a, 1 << amax):
                    self.add([-z, -ops[r]])
        # allowed ops (aig, mono)
        if self.basis.name != "b2":
            choices = []
            for a in sizes:
                reads_a = self.size_lit(i, a)
                allowed = _normal_ops(self.basis, a, self.normal)
                assert allowed is not None  # None only for b2
                for op in allowed:
                    c = self.v("C", i, a, op)
                    choices.append(c)
                    if reads_a is not None:
                        self.add([-c, reads_a])
                    for r in range(first, 1 << a):
                        self.add([-c, ops[r] if (op >> r) & 1 else -ops[r]])
            self.exactly_one(choices)
        # semantics: x_{i,t} = op(values of T on row t)
        for T in ts:
            sv = self.v("S", i, T)
            gate_pos = [q for q, u in enumerate(T) if u >= n]
            for t in self.rows:
                base = sum(((t >> u) & 1) << q for q, u in enumerate(T) if u < n)
                x = self.v("X", i, t)
                for bits in range(1 << len(gate_pos)):
                    r = base
                    clause = [-sv]
                    for b, q in enumerate(gate_pos):
                        xv = self.v("X", T[q] - n, t)
                        if (bits >> b) & 1:
                            r |= 1 << q
                            clause.append(-xv)
                        else:
                            clause.append(xv)
                    if r == 0 and self.normal:
                        self.add(clause + [-x])
                    else:
                        o = ops[r]
                        self.add(clause + [-x, o])
                        self.add(clause + [x, -o])

    def outputs(self) -> None:
        p, n, s = self.p, self.n, self.s
        b2 = self.basis.name == "b2"
        for k in self.sat_outputs:
            fixed = self.polarity[k]
            pol = None if fixed is not None else self.v("Pol", k)
            care = p.care_mask(k)
            f = p.target.outputs[k]
            cands = []
            for v in range(n + s):
                o = self.v("Out", k, v)
                cands.append(o)
                if v < n and b2 and self.normal:
                    # a B2 output cannot negate an input
                    if fixed == 1:
                        self.add([-o])
                        continue
                    if pol is not None:
                        self.add([-o, -pol])
                for t in self.rows:
                    if not (care >> t) & 1:
                        continue
                    want = (f >> t) & 1
                    xv = self.node_value(v, t)
                    if fixed is not None:
                        need = want ^ fixed  # required node value
                        if isinstance(xv, bool):
                            if xv != bool(need):
                                self.add([-o])
                                break
                        else:
                            self.add([-o, xv if need else -xv])
                    else:
                        # node value XOR pol == want
                        assert pol is not None  # the polarity of output k is free
                        if isinstance(xv, bool):
                            need_pol = int(xv) ^ want
                            self.add([-o, pol if need_pol else -pol])
                        else:
                            if want:
                                self.add([-o, xv, pol])
                                self.add([-o, -xv, -pol])
                            else:
                                self.add([-o, xv, -pol])
                                self.add([-o, -xv, pol])
            self.exactly_one(cands)
        # b2: outputs sharing a gate need the same polarity
        if b2 and self.normal:
            outs = self.sat_outputs
            for x in range(len(outs)):
                for y in range(x + 1, len(outs)):
                    k, l = outs[x], outs[y]
                    pk, pl = self.polarity[k], self.polarity[l]
                    if pk is not None and pl is not None and pk == pl:
                        continue
                    for v in range(n, n + s):
                        ok, ol = self.v("Out", k, v), self.v("Out", l, v)
                        if pk is not None and pl is not None:
                            self.add([-ok, -ol])
                        else:
                            lk = self.v("Pol", k) if pk is None else None
                            ll = self.v("Pol", l) if pl is None else None
                            # pol_k == pol_l
                            if lk is not None and ll is not None:
                                self.add([-ok, -ol, -lk, ll])
                                self.add([-ok, -ol, lk, -ll])
                            elif lk is not None:
                                self.add([-ok, -ol, lk if pl else -lk])
                            else:
                                assert ll is not None  # pk is fixed, so pl is free
                                self.add([-ok, -ol, ll if pk else -ll])

    def depth_bound(self) -> None:
        n, s, D = self.n, self.s, self.depth
        assert D is not None

        def L(i: int, l: int) -> int | bool:
            if l >= D:
                return True
            if l <= 0:
                return False
            return self.v("L", i, l)

        for i in range(s):
            for l in range(1, D - 1):
                self.add([-self.v("L", i, l), self.v("L", i, l + 1)])
            for T in self.tuples[i]:
                sv = self.v("S", i, T)
                for u in T:
                    if u < n:
                        continue
                    j = u - n
                    for l in range(1, D + 1):
                        li, lj = L(i, l), L(j, l - 1)
                        clause = [-sv]
                        if li is not True:
                            clause.append(-li)
                        if lj is True:
                            continue
                        if lj is not False:
                            clause.append(lj)
                        self.add(clause)

    # ---------------------------------------------------- strengthenings
    def used(self, i: int) -> int:
        """Variable U_i: gate i is read by a later gate (defined both ways)."""
        key = ("U", i)
        if key in self.pool.obj2id:
            return self.pool.obj2id[key]
        u = self.v("U", i)
        node = self.n + i
        readers = [self.v("S", j, T) for j in range(i + 1, self.s) for T in self.tuples[j] if node in T]
        for r in readers:
            self.add([-r, u])
        self.add([-u] + readers)
        return u

    def projection(self, i: int) -> int | None:
        """Variable P_i: gate i's op is a projection (defined both ways). None if impossible."""
        if self.basis.name != "b2":
            return None
        key = ("P", i)
        if key in self.pool.obj2id:
            return self.pool.obj2id[key]
        sizes = [a for a in self.sizes(i) if a <= 2]
        if not sizes:
            return None
        pv = self.v("P", i)
        alts = []
        for a in sizes:
            z = self.size_lit(i, a)
            for q in range(a):
                alt = self.v("Pq", i, q)
                alts.append(alt)
                if z is not None:
                    self.add([-alt, z])
                match = []  # literals true when the op matches the projection
                for r in range(0 if not self.normal else 1, 1 << a):
                    o = self.v("O", i, r)
                    lit = o if (r >> q) & 1 else -o
                    self.add([-alt, lit])
                    match.append(lit)
                # the op is this projection (on a tuple of a nodes) => alt
                self.add([alt] + ([-z] if z is not None else []) + [-lit for lit in match])
        self.add([-pv] + alts)
        for alt in alts:
            self.add([-alt, pv])
        return pv

    def nontrivial(self) -> None:
        if not self.normal:
            return
        s = self.s
        for i in range(s):
            for a in self.sizes(i):
                z = self.size_lit(i, a)
                pre = [] if z is None else [-z]
                if self.basis.name == "b2":
                    # op not constant
                    self.add(pre + [self.v("O", i, r) for r in range(1, 1 << a)])
                    if a >= 3:
                        # depends on every input
                        for q in range(a):
                            diffs = []
                            for r in range(1 << a):
                                if (r >> q) & 1:
                                    continue
                                r2 = r | (1 << q)
                                o2 = self.v("O", i, r2)
                                if r == 0:
                                    diffs.append(o2)
                                    continue
                                d = self.v("Dep", i, q, r)
                                o1 = self.v("O", i, r)
                                self.add([-d, o1, o2])
                                self.add([-d, -o1, -o2])
                                diffs.append(d)
                            self.add(pre + diffs)
            # a projection gate feeds no gate
            if i < s - 1:
                pv = self.projection(i)
                if pv is not None:
                    self.add([-pv, -self.used(i)])

    def all_used(self) -> None:
        n, s = self.n, self.s
        outs = self.sat_outputs
        if not outs:
            return
        if len(outs) == 1 and s > 0:
            self.add([self.v("Out", outs[0], n + s - 1)])
        for i in range(s):
            clause = [self.v("Out", k, n + i) for k in outs]
            if i < s - 1:
                clause.append(self.used(i))
            self.add(clause)

    def ops_differ(self, i: int, j: int) -> list[int]:
        """Literals of which one is true iff gates i and j have different op bits (one-way)."""
        lits = []
        amax = max(max(self.sizes(i)), max(self.sizes(j)))
        first = 1 if self.normal else 0
        for r in range(first, 1 << amax):
            oi, oj = self.pool.obj2id.get(("O", i, r)), self.pool.obj2id.get(("O", j, r))
            if oi is None or oj is None:
                continue
            d = self.v("Dop", i, j, r)
            self.add([-d, oi, oj])
            self.add([-d, -oi, -oj])
            lits.append(d)
        return lits

    def nodup(self) -> None:
        if not self.normal:
            return
        weak = self.mixed and self.depth is not None
        for i in range(self.s):
            for j in range(i):
                common = set(self.tuples[j]) & set(self.tuples[i])
                if not common:
                    continue
                same = self.v("Same", j, i)
                for T in common:
                    self.add([-self.v("S", j, T), -self.v("S", i, T), same])
                clause = [-same] + self.ops_differ(i, j)
                if weak:
                    if i == self.s - 1:
                        continue
                    clause.append(-self.used(i))
                self.add(clause)

    def fnodup(self) -> None:
        if not self.normal:
            return
        n, s = self.n, self.s
        b2 = self.basis.name == "b2"
        rows = self.rows
        for i in range(s):
            xs = [self.v("X", i, t) for t in rows]
            # not the constant 0
            self.add(xs)
            pv = self.projection(i) if b2 else None
            extra = [pv] if pv is not None else []
            # not an input
            for j in range(n):
                self.add([(-x if (t >> j) & 1 else x) for x, t in zip(xs, rows)] + extra)
            if self.mixed and self.depth is not None:
                continue
            for j in range(i):
                diffs = []
                for t in rows:
                    d = self.v("Dx", j, i, t)
                    xi, xj = self.v("X", i, t), self.v("X", j, t)
                    self.add([-d, xi, xj])
                    self.add([-d, -xi, -xj])
                    diffs.append(d)
                self.add(diffs + extra)

    def noreapply(self) -> None:
        if not self.normal or (self.basis.name != "b2" and self.k > 2):
            return
        n = self.n
        for i in range(self.s):
            pv = self.projection(i) if self.basis.name == "b2" else None
            extra = [pv] if pv is not None else []
            for T in self.tuples[i]:
                for u in T:
                    if u < n:
                        continue
                    j = u - n
                    rest = set(T) - {u}
                    for Tj in self.tuples[j]:
                        if rest <= set(Tj):
                            self.add([-self.v("S", i, T), -self.v("S", j, Tj)] + extra)

    def colex(self) -> None:
        n, s = self.n, self.s
        for i in range(s - 1):
            ts = self.tuples[i]
            index = {T: q for q, T in enumerate(ts)}
            # G[i, q]: the tuple of gate i has index >= q (ladder)
            G = {q: self.v("G", i, q) for q in range(1, len(ts))}
            for q in range(2, len(ts)):
                self.add([-G[q], G[q - 1]])
            for q, T in enumerate(ts):
                sv = self.v("S", i, T)
                if q >= 1:
                    self.add([-sv, G[q]])
                if q + 1 < len(ts):
                    self.add([-sv, -G[q + 1]])
            for T in self.tuples[i + 1]:
                if T[-1] >= n + i:  # reads gate i: larger anyway
                    continue
                at = index.get(T)
                if at is not None and at + 1 < len(ts):
                    self.add([-self.v("S", i + 1, T), -G[at + 1]])

    def symmetry(self) -> None:
        s = self.s
        if s == 0:
            return
        for cls in input_symmetries(self.p):
            for a, b in pairwise(cls):
                # A[a, i]: input a is read by one of gates 0..i
                for i in range(s):
                    A = self.v("A", a, i)
                    readers = [self.v("S", i, T) for T in self.tuples[i] if a in T]
                    prev = [self.v("A", a, i - 1)] if i > 0 else []
                    self.add([-A] + prev + readers)
                    for r in readers + prev:
                        self.add([-r, A])
                    for T in self.tuples[i]:
                        if b in T and a not in T:
                            self.add([-self.v("S", i, T)] + prev)

    def occurs(self, j: int, i: int) -> int:
        """Variable "input j is read by gate i" (defined both ways)."""
        key = ("Occ", j, i)
        if key in self.pool.obj2id:
            return self.pool.obj2id[key]
        occ = self.v(*key)
        readers = [self.v("S", i, T) for T in self.tuples[i] if j in T]
        self.add([-occ] + readers)
        for r in readers:
            self.add([-r, occ])
        return occ

    def symlex(self) -> None:
        s = self.s
        for cls in input_symmetries(self.p):
            for a, b in pairwise(cls):
                # the gates reading a, as a bit vector in gate order, are >= lexicographically
                # those reading b: E[p] = "they agree on gates 0..p-1"
                for i in range(s):
                    oa, ob = self.occurs(a, i), self.occurs(b, i)
                    eq = [] if i == 0 else [-self.v("Eq", a, b, i)]
                    self.add(eq + [oa, -ob])
                    if i + 1 < s:
                        nxt = self.v("Eq", a, b, i + 1)
                        self.add(eq + [oa, ob, nxt])
                        self.add(eq + [-oa, -ob, nxt])

    def support(self) -> None:
        p, s = self.p, self.s
        needed: set[int] = set()
        for k in self.sat_outputs:
            needed.update(p.essential_inputs(k))
        for j in sorted(needed):
            clause = [self.v("S", i, T) for i in range(s) for T in self.tuples[i] if j in T]
            clause += [self.v("Out", k, j) for k in self.sat_outputs]
            self.add(clause)


def _base_variables(problem: Problem, size: int) -> int:
    """Gate input choices (tuples of every gate, by the hockey-stick identity) plus gate values on the rows."""
    n, k = problem.n, problem.basis.fanin
    tuples = sum(comb(n + size, a + 1) - comb(n, a + 1) for a in range(2, k + 1)) + size
    return tuples + size * (1 << n)


def encode(
    problem: Problem,
    size: int,
    *,
    strengthenings: Iterable[str] | None = None,
    normal: bool = True,
    deadline: float | None = None,
) -> ChainEncoding:
    """The CNF "a circuit of ``size`` gates over ``problem.basis`` computes ``problem.target``".

    ``strengthenings`` defaults to :data:`DEFAULT_STRENGTHENINGS`; unknown names raise
    :class:`SpecError`.  With ``normal=False`` the strengthenings that rely on
    normal form (``nontrivial``, ``nodup``, ``fnodup``) are not applied.
    Outputs that are constant on their care rows are constants of the circuit and
    are left out of the CNF.  A depth bound is encoded as
    :func:`solvers.limits.encoded_depth` gives it.  Building stops with
    :class:`solvers.limits.DeadlineReached` once ``deadline`` has passed; a size whose
    formula cannot fit in memory is a :class:`TooLargeError`.

    >>> from circuits.truthtable import TruthTable
    >>> enc = encode(Problem(TruthTable.single(2, 0x6)), 1)
    >>> from pysat.solvers import Solver
    >>> with Solver(name="cadical195", bootstrap_with=enc.clauses) as s:
    ...     s.solve(), enc.decode(s.get_model()).truth_table().hex()
    (True, '6')
    """
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise SpecError(f"circuit size must be a non-negative integer, got {size!r}")
    st = DEFAULT_STRENGTHENINGS if strengthenings is None else frozenset(strengthenings)
    unknown = sorted(st - set(STRENGTHENINGS))
    if unknown:
        raise SpecError(f"unknown strengthening(s) {', '.join(unknown)} (known: {', '.join(STRENGTHENINGS)})")
    if not normal:
        st = st - _NORMAL_ONLY
    check_encoding_size(size, _base_variables(problem, size))
    return _Builder(problem, size, frozenset(st), normal, deadline).build()


def check_witness(circuit: BooleanCircuit, problem: Problem, size: int | None = None) -> None:
    """Raise :class:`WitnessError` unless ``circuit`` computes the target on its care rows,
    over the right basis, within the depth bound and (if given) with ``size`` gates."""
    if circuit.n != problem.n or circuit.num_outputs != problem.m:
        raise WitnessError(
            f"witness has {circuit.n} inputs and {circuit.num_outputs} outputs, expected {problem.n} and {problem.m}"
        )
    if circuit.basis != problem.basis:
        raise WitnessError(f"witness is over {circuit.basis.label}, expected {problem.basis.label}")
    table = circuit.truth_table()
    for k in range(problem.m):
        if not problem.agrees(k, table.outputs[k]):
            raise WitnessError(
                f"witness output {k} computes {table.output(k).hex()}, target {problem.target.output(k).hex()}"
            )
    if problem.care is None and not circuit.computes(problem.target):
        raise WitnessError("witness does not compute the target")
    if problem.depth is not None and circuit.depth > problem.depth:
        raise WitnessError(f"witness has depth {circuit.depth}, bound {problem.depth}")
    if size is not None and circuit.size != size:
        raise WitnessError(f"witness has {circuit.size} gates, expected {size}")
