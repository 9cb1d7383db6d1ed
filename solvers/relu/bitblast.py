"""Minimum ReLU networks with integer weights in ``[-W, W]``: the whole network bit-blasted into CNF.

Model: :mod:`solvers.relu.patterns` with ``max_weight=W``: every weight and bias
(output neuron included) is an integer in ``[-W, W]``, any number of hidden
layers (at most ``hidden_layers``), layered or with skip connections, output
``linear``, ``relu`` or ``threshold``.  Exact *for this model*; its minimum is
an upper bound on the real-weight minimum, never a lower bound.

Encoding (:func:`encode_profile`), for one *profile* ``(k_1, ..., k_L')`` of
hidden-layer widths (``L' <= hidden_layers``, ``sum k_l = size - 1``):

* a weight or bias is a two's-complement bit vector of ``W.bit_length() + 1``
  bits, with clauses excluding the patterns outside ``[-W, W]``;
* on every truth-table row ``r`` every neuron's pre-activation is computed by
  a circuit of AND gates (partial products ``value bit j`` x ``weight << j``) and
  ripple-carry adders (Tseitin, both directions) in a two's-complement width
  large enough that nothing overflows: a node's value is at most
  ``M = W·(sum of the maxima of the nodes it reads) + W``, inputs have maximum 1;
* ``max(0, z)``: the value bits are ``z``'s bits and-ed with the negated sign bit;
* the output's pre-activation ``z`` is pinned: linear ``z = f(r)``; relu ``z = 1``
  or ``z <= 0``; threshold ``z >= 0`` iff ``f(r) = 1`` (``[z >= 0]``, :mod:`circuits.relu`);
* symmetry: the neurons of one layer are permutable (their readers' weights
  permuted alike, which keeps every bound), so the incoming weight-and-bias bit
  vectors of consecutive neurons of a layer are lexicographically ordered.

Termination: a function may have no network at all in the bounded model (with
``W = 0`` only a constant; this case is answered directly, ``infeasible``).  For
``W >= 1`` no size cap is known, so the upward search stops only at
``max_size``, ``timeout`` or the first size found.

Profiles: a network whose neurons are layered by longest path has some
profile.  Without skip connections every composition of ``size - 1`` into at
most ``hidden_layers`` parts is tried (``size 1``: the output reads the
inputs).  With skip connections a profile is contained in each of its
refinements (a neuron may ignore the layer below it), so only compositions into
exactly ``min(hidden_layers, size - 1)`` parts are tried.  A size is refuted
when every profile's CNF is unsatisfiable; with ``proof_dir`` each one leaves
``NAME.cnf``, ``NAME.lrat.gz`` and ``NAME.certs.json`` (format
``lbt-relu-bitblast-refutation``), and :func:`solvers.relu.verify.verify_certificate`
regenerates the CNF from the header and checks the proof.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

from circuits.errors import SpecError, TooLargeError
from circuits.relu import Neuron, ReLUNetwork
from circuits.truthtable import TruthTable
from solvers.cnf import CnfBuilder, negate

__all__ = [
    "CERTIFICATE_FORMAT",
    "ENCODING",
    "ENCODING_VERSION",
    "decode",
    "encode_profile",
    "layout",
    "max_useful_size",
    "profiles",
]

ENCODING = "relu-bitblast"
ENCODING_VERSION = 1
CERTIFICATE_FORMAT = "lbt-relu-bitblast-refutation"

Lit = int | bool


class _Circuit(CnfBuilder):
    """Tseitin gates with constant folding on top of the clause builder."""

    def and2(self, a: Lit, b: Lit) -> Lit:
        return self.and_var(a, b, both=True)

    def xor2(self, a: Lit, b: Lit) -> Lit:
        if isinstance(a, bool) and isinstance(b, bool):
            return a != b
        if isinstance(a, bool):
            return negate(b) if a else b
        if isinstance(b, bool):
            return negate(a) if b else a
        if a == b:
            return False
        if a == -b:
            return True
        v = self.new()
        self.add([-v, a, b])
        self.add([-v, -a, -b])
        self.add([v, -a, b])
        self.add([v, a, -b])
        return v

    def maj3(self, a: Lit, b: Lit, c: Lit) -> Lit:
        consts = [x for x in (a, b, c) if isinstance(x, bool)]
        if consts:
            rest = [x for x in (a, b, c) if not isinstance(x, bool)]
            if len(consts) >= 2 and consts[0] == consts[1]:
                return consts[0]
            if len(consts) == 3:
                return sum(consts) >= 2
            if len(consts) == 2:  # one True and one False: the remaining literal decides
                return rest[0]
            x, y = rest
            return self.or2(x, y) if consts[0] else self.and2(x, y)
        v = self.new()
        self.add([-v, a, b])
        self.add([-v, a, c])
        self.add([-v, b, c])
        self.add([v, -a, -b])
        self.add([v, -a, -c])
        self.add([v, -b, -c])
        return v

    def or2(self, a: Lit, b: Lit) -> Lit:
        return negate(self.and2(negate(a), negate(b)))

    def add_vec(self, x: list[Lit], y: list[Lit]) -> list[Lit]:
        """``x + y`` modulo ``2**len(x)`` (both little-endian, same width)."""
        out: list[Lit] = []
        carry: Lit = False
        for a, b in zip(x, y, strict=True):
            out.append(self.xor2(self.xor2(a, b), carry))
            carry = self.maj3(a, b, carry)
        return out


def _sext(bits: list[Lit], width: int) -> list[Lit]:
    return bits[:width] + [bits[-1]] * (width - len(bits))


def weight_bits(W: int) -> int:
    """Two's-complement width that holds ``[-W, W]``."""
    return W.bit_length() + 1


def _check_widths(widths: Sequence[int]) -> tuple[int, ...]:
    widths = tuple(widths)
    if any(not isinstance(w, int) or isinstance(w, bool) or w < 1 for w in widths):
        raise SpecError(f"layer widths must be positive integers, got {list(widths)}")
    return widths


def layout(n: int, widths: Sequence[int], skip: bool) -> tuple[list[list[int]], list[int]]:
    """Nodes each neuron reads (inputs ``0..n-1``, neurons ``n..``), and each neuron's layer; the output is last."""
    reads: list[list[int]] = []
    layer_of: list[int] = []
    layer_nodes: list[list[int]] = [list(range(n))]
    node = n
    for l, width in enumerate(list(widths) + [1], start=1):
        if skip:
            src = [u for nodes in layer_nodes for u in nodes]
        else:
            src = list(layer_nodes[-1])
        nodes = []
        for _ in range(width):
            reads.append(src)
            layer_of.append(l)
            nodes.append(node)
            node += 1
        layer_nodes.append(nodes)
    return reads, layer_of


def encode_profile(table: TruthTable, widths: Sequence[int], options: Any) -> tuple[list[tuple[int, ...]], int]:
    """The CNF (deterministic) of "a network with hidden-layer widths ``widths`` computes ``table``".

    Returns ``(clauses, num_vars)``.  Variable layout: for each neuron (hidden in
    order, then the output) for each node it reads, the weight bits (LSB first),
    then its bias bits; then the gate variables.
    """
    widths = _check_widths(widths)
    W = options.max_weight
    if W is None:
        raise SpecError("bit-blasting needs max_weight")
    if len(widths) > options.hidden_layers:
        raise SpecError(f"{len(widths)} hidden layers exceed hidden_layers={options.hidden_layers}")
    n = table.n
    R = 1 << n
    t = table.outputs[0]
    f = [(t >> r) & 1 for r in range(R)]
    reads, layer_of = layout(n, widths, options.skip)
    c = _Circuit()
    bw = weight_bits(W)
    lo, hi = -W, W
    forbidden = [v for v in range(-(1 << (bw - 1)), 1 << (bw - 1)) if not lo <= v <= hi]

    def weight() -> list[Lit]:
        bits = [c.new() for _ in range(bw)]
        for v in forbidden:
            c.add([negate(b) if (v >> j) & 1 else b for j, b in enumerate(bits)])
        return bits

    weights = [[weight() for _ in src] for src in reads]
    biases = [weight() for _ in reads]
    # maxima and widths of values
    top = [1] * n
    for src in reads:
        top.append(W * sum(top[u] for u in src) + W)
    # symmetry: neurons of one hidden layer ordered by (weights, bias) bits
    for i in range(len(reads) - 2):
        if layer_of[i] == layer_of[i + 1]:
            key_i = [b for wv in weights[i] for b in reversed(wv)] + list(reversed(biases[i]))
            key_j = [b for wv in weights[i + 1] for b in reversed(wv)] + list(reversed(biases[i + 1]))
            c.lex_leq(True, key_i, key_j)
    out = len(reads) - 1
    for r in range(R):
        values: list[list[Lit]] = [[bool((r >> j) & 1)] for j in range(n)]
        for i, src in enumerate(reads):
            node_top = top[n + i]
            width = node_top.bit_length() + 1  # signed width of the pre-activation
            acc = _sext(biases[i], width)
            for u, wv in zip(src, weights[i]):
                ext = _sext(wv, width)
                for j, vb in enumerate(values[u]):
                    if vb is False:
                        continue
                    term = [False] * j + [c.and2(vb, ext[q - j]) for q in range(j, width)]
                    acc = c.add_vec(acc, term)
            if i == out:
                sign = acc[-1]
                if options.output == "linear":
                    for q, bit in enumerate(acc):
                        c.add([bit] if (f[r] >> q) & 1 else [negate(bit)])
                elif options.output == "relu" and f[r]:
                    for q, bit in enumerate(acc):
                        c.add([bit] if q == 0 else [negate(bit)])
                elif options.output == "relu":
                    for bit in acc[:-1]:
                        c.add([sign, negate(bit)])  # z <= 0: negative or zero
                else:
                    c.add([negate(sign)] if f[r] else [sign])
            else:
                sign = acc[-1]
                values.append([c.and2(bit, negate(sign)) for bit in acc[:-1]])
    return c.clauses, c.top


#: Most width profiles one size may have; a larger size is refused (its search could not finish).
MAX_PROFILES = 10_000


def profiles(size: int, options: Any) -> list[tuple[int, ...]]:
    """The hidden-layer width profiles tried for ``size`` neurons (see the module docstring).

    Raises :class:`TooLargeError` if there are more than :data:`MAX_PROFILES`.
    """
    k = size - 1
    if k == 0:
        return [()]
    L = options.hidden_layers
    parts = [min(L, k)] if options.skip else list(range(1, min(L, k) + 1))
    count = sum(math.comb(k - 1, p - 1) for p in parts)  # compositions of k into p parts
    if count > MAX_PROFILES:
        raise TooLargeError(f"{size} neurons have {count} width profiles (at most {MAX_PROFILES} are tried)")
    out = []
    for p in parts:
        for cuts in itertools.combinations(range(1, k), p - 1):
            bounds = (0,) + cuts + (k,)
            out.append(tuple(bounds[q + 1] - bounds[q] for q in range(p)))
    return out


def max_useful_size(table: TruthTable, options: Any) -> int | None:
    """No minimum network under ``options`` is larger than this (``None``: no bound known).

    With ``max_weight=0`` every weight and bias is 0, so every neuron outputs 0 and
    the output pre-activation is 0 on every row: a network computes the constant
    ``[0 >= 0] = 1`` (threshold output) or 0, and nothing else at any size (cap 0).
    """
    forced = (1 << (1 << table.n)) - 1 if options.output == "threshold" else 0
    return 0 if options.max_weight == 0 and table.outputs[0] != forced else None


def decode(table: TruthTable, widths: Sequence[int], options: Any, model: Sequence[int]) -> ReLUNetwork:
    """The network of a model of :func:`encode_profile` (its weights read off their bits)."""
    n = table.n
    reads, _ = layout(n, widths, options.skip)
    bw = weight_bits(options.max_weight)
    true = {lit for lit in model if lit > 0}
    var = 0

    def value() -> int:
        nonlocal var
        bits = [(var + 1 + j) in true for j in range(bw)]
        var += bw
        v = sum(1 << j for j, b in enumerate(bits) if b)
        return v - (1 << bw) if bits[-1] else v

    ws = [[value() for _ in src] for src in reads]
    bs = [value() for _ in reads]
    neurons = []
    for i, src in enumerate(reads):
        act = options.output if i == len(reads) - 1 else "relu"
        neurons.append(Neuron(tuple(zip(src, ws[i])), bs[i], act))
    return ReLUNetwork(n, tuple(neurons), (n + len(reads) - 1,))
