"""Threshold circuits to ReLU networks and back, each result checked exactly.

**Threshold → ReLU** (:func:`threshold_to_relu`) is Lemma 22 of Vardi, Reichman,
Pitassi and Shamir, "Size and Depth Separation in Approximating Benign Functions
with Neural Networks" (COLT 2021).  A gate ``[w·u >= t]`` with integer weights has
the integer pre-activation ``z = w·u - t + 1`` on Boolean inputs and computes
``1[z > 0] = [z]+ - [z - 1]+``.  Each gate becomes the two ReLU neurons ``[z]+`` and
``[z - 1]+``; a gate reading an earlier gate ``g`` with weight ``w`` reads ``g``'s two
neurons with weights ``w`` and ``-w`` (the difference is folded into the weights), and
each output gets a linear neuron ``[z]+ - [z - 1]+``.  A circuit of size ``s``, depth
``m`` and ``q`` outputs becomes a network of size ``2s + q`` and depth ``m + 1``.  For
every real ``z``, ``[z]+ - [z - 1]+ = min(1, max(0, z))``, so on every real input each
output lies in ``[0, 1]``.

**ReLU → threshold** (:func:`relu_to_threshold`) takes a network with integer weights
and biases.  On Boolean inputs a ReLU neuron's pre-activation ``z`` is an integer and
its value ``v = [z]+`` lies in ``[0, B]``, where ``B`` comes from exact interval
arithmetic over the cube (inputs in ``[0, 1]``).  The neuron is represented by
threshold gates:

* ``unary``: the ``B`` gates ``[z >= k]``, ``k = 1..B``, with ``v = Σ_k [z >= k]``;
* ``binary``: the ``L = ⌈log2(B + 1)⌉`` bits of ``v`` from the top down,
  ``b_j = [z - Σ_{i>j} 2^i b_i >= 2^j]`` (each bit gate reads the higher bit gates with
  weights ``-2^i``), with ``v = Σ_j 2^j b_j``.  For ``z < 0`` every bit is 0.

A neuron reading ``v`` with weight ``w`` reads each of ``v``'s gates with ``w`` times
the gate's multiplier (1, resp. ``2^j``).  An output neuron (0/1 on the cube) becomes
one final gate: ``[z >= 1]`` for a linear or ReLU output, ``[z >= 0]`` for a threshold
output.

Both functions return a :class:`reductions.report.Report` whose result has been
compared with the source on all ``2^n`` Boolean inputs in exact arithmetic.

>>> from circuits.threshold import ThresholdCircuit
>>> maj = ThresholdCircuit.single_gate(3, [1, 1, 1], 2)
>>> r = threshold_to_relu(maj)
>>> r.size, r.depth, r.formula_size, r.formula_depth, r.result.truth_table().hex()
(3, 2, 3, 2, 'e8')
>>> back = relu_to_threshold(r.result, "binary")
>>> back.result.truth_table().hex(), back.size, back.extra["unary_size"]
('e8', 4, 4)
"""

from __future__ import annotations

import random
from fractions import Fraction

from circuits.errors import ModelError, SpecError, VerificationError
from circuits.relu import Neuron, ReLUNetwork, evaluate_points
from circuits.schema import as_int
from circuits.threshold import ThresholdCircuit, ThresholdGate
from reductions.report import Report

__all__ = [
    "ENCODINGS",
    "VerificationError",
    "first_non_integer",
    "neuron_bounds",
    "relu_to_threshold",
    "threshold_to_relu",
]

#: The two ways :func:`relu_to_threshold` represents a ReLU value by threshold gates.
ENCODINGS = ("unary", "binary")


def _check_count(value: object, what: str) -> int:
    number = as_int(value)
    if number is None or number < 0:
        raise SpecError(f"{what} must be a non-negative integer, got {value!r}")
    return number


def _random_point(rng: random.Random, n: int, lo: Fraction, hi: Fraction, den: int = 64) -> tuple[Fraction, ...]:
    """A random rational point of ``[lo, hi]^n`` with denominators dividing ``den``."""
    a, b = int(lo * den), int(hi * den)
    return tuple(Fraction(rng.randint(a, b), den) for _ in range(n))


# ------------------------------------------------------------ threshold -> ReLU
def threshold_to_relu(c: ThresholdCircuit, *, samples: int = 64, seed: int = 0) -> Report:
    """The ReLU network of Lemma 22 for the threshold circuit ``c``.

    Checked: equality with ``c`` on all ``2^n`` Boolean inputs (exact), and on
    ``samples`` random rational points of ``[-1/4, 5/4]^n`` every output lies in
    ``[0, 1]``.

    Size is exactly ``2s + q`` (two ReLUs per gate, unused gates included, plus one
    linear neuron per output; a gate listed as several outputs gets one output neuron
    per listing).  The gate pair of a gate of depth ``k`` is in layer ``k`` and the
    output neuron of output gate ``o`` in layer ``depth(o) + 1``, so the measured depth
    is ``max(m, m_out + 1)`` with ``m_out`` the largest depth of an output gate.  It
    equals ``m + 1`` when some gate of the largest depth ``m`` is an output (the usual
    case; ``formula_kind`` is then ``"exact"``); otherwise (a deepest gate that no
    output is) the depth is smaller and ``formula_kind`` is ``"upper"``.
    """
    if not isinstance(c, ThresholdCircuit):
        raise ModelError(f"threshold_to_relu needs a ThresholdCircuit, got {type(c).__name__}")
    samples = _check_count(samples, "samples")
    n = c.n
    neurons: list[Neuron] = []
    pair: dict[int, tuple[int, int]] = {}
    for i, g in enumerate(c.gates):
        terms: dict[int, int] = {}
        for u, w in g.weights:
            if u < n:
                terms[u] = w
            else:
                p, m = pair[u]
                terms[p] = w
                terms[m] = -w
        items = tuple(sorted(terms.items()))
        z0 = 1 - g.threshold  # z = w·u - t + 1
        p = n + len(neurons)
        neurons.append(Neuron(items, z0))
        neurons.append(Neuron(items, z0 - 1))
        pair[n + i] = (p, p + 1)
    outputs = []
    for o in c.outputs:
        p, m = pair[o]
        outputs.append(n + len(neurons))
        neurons.append(Neuron(((p, 1), (m, -1)), 0, "linear"))
    net = ReLUNetwork(n, tuple(neurons), tuple(outputs))

    if net.truth_table() != c.truth_table():
        raise VerificationError("threshold_to_relu: the network differs from the circuit on some Boolean input")
    rng = random.Random(seed)
    lo, hi = Fraction(-1, 4), Fraction(5, 4)
    points = [_random_point(rng, n, lo, hi) for _ in range(samples)]
    for x, values in zip(points, evaluate_points(net, points)):
        for k, y in enumerate(values):
            if not 0 <= y <= 1:
                raise VerificationError(f"threshold_to_relu: output {k} is {y} at real point {x}, outside [0, 1]")

    s, m, q = c.size, c.depth, c.num_outputs
    layers = c.layers()
    m_out = max(layers[o - n] for o in c.outputs)
    exact = m_out == m
    formula = (
        "Lemma 22 (Vardi-Reichman-Pitassi-Shamir 2021): gate [w·u >= t] -> [z]+ - [z-1]+ with "
        "z = w·u - t + 1, differences folded into the next layer's weights, one linear neuron per output; "
        "size 2s+q, depth m+1"
    )
    if not exact:
        formula += (
            f" (no output gate has the largest depth m = {m}: measured depth max(m, m_out + 1) = {max(m, m_out + 1)})"
        )
    return Report(
        name="threshold_to_relu",
        params={"n": n, "s": s, "m": m, "q": q},
        result=net,
        size=net.size,
        depth=net.depth,
        formula=formula,
        formula_size=2 * s + q,
        formula_depth=m + 1,
        checked=(
            f"equal to the circuit on all 2^{n} Boolean inputs (exact); every output in [0, 1] "
            f"at {samples} random rational points of [-1/4, 5/4]^{n}"
        ),
        formula_kind="exact" if exact else "upper",
        formula_source="paper",
        source_size=s,
        source_depth=m,
        extra={"output_gate_depth": m_out, "real_range_samples": samples},
    )


# ------------------------------------------------------------ ReLU -> threshold
def first_non_integer(net: ReLUNetwork) -> str | None:
    """Where ``net`` has a non-integer weight or bias (one line), or None if all are integers."""
    for i, v in enumerate(net.neurons):
        for u, w in v.weights:
            if w.denominator != 1:
                return f"neuron {i} (node {net.n + i}) has weight {w} on node {u}"
        if v.bias.denominator != 1:
            return f"neuron {i} (node {net.n + i}) has bias {v.bias}"
    return None


def neuron_bounds(net: ReLUNetwork) -> list[tuple[Fraction, Fraction]]:
    """Interval ``[lo, hi]`` of every neuron's pre-activation ``z`` for inputs in ``[0, 1]^n``.

    Exact interval arithmetic: each input lies in ``[0, 1]``, a ReLU neuron's value in
    ``[max(0, lo), max(0, hi)]``.  Entry ``i`` is for neuron ``i``.  The bounds hold on
    the whole real cube, hence on its Boolean vertices.
    """
    n = net.n
    value_lo: list[Fraction] = [Fraction(0)] * n
    value_hi: list[Fraction] = [Fraction(1)] * n
    out = []
    for v in net.neurons:
        lo = hi = v.bias
        for u, w in v.weights:
            a, b = w * value_lo[u], w * value_hi[u]
            lo += min(a, b)
            hi += max(a, b)
        out.append((lo, hi))
        if v.activation == "relu":
            value_lo.append(max(Fraction(0), lo))
            value_hi.append(max(Fraction(0), hi))
        else:  # never read by another neuron (the model forbids it)
            value_lo.append(lo)
            value_hi.append(hi)
    return out


def _encoding_size(bound: int, encoding: str) -> int:
    return bound if encoding == "unary" else bound.bit_length()


def relu_to_threshold(net: ReLUNetwork, encoding: str = "unary") -> Report:
    """A threshold circuit equal to the integer-weight ReLU network ``net`` on ``{0,1}^n``.

    ``encoding`` is ``"unary"`` or ``"binary"`` (module docstring).  The network must
    have integer weights and biases (else :class:`ModelError`) and 0/1 outputs on every
    Boolean input (else :class:`ModelError` naming the first bad row).

    Which neurons are encoded: every ReLU neuron except an output neuron that no other
    neuron reads.  With ``B_v`` the interval bound of neuron ``v`` (a neuron with
    ``B_v = 0`` is 0 on the cube and costs nothing), the size is exactly

        Σ_{v encoded} B_v + q'                    (unary)
        Σ_{v encoded} ⌈log2(B_v + 1)⌉ + q'        (binary)

    with ``q'`` the number of distinct output neurons.  The depth is exactly the longest
    path in the network where an encoded neuron costs 1 (unary; all of a neuron's gates
    are parallel) or ``⌈log2(B_v + 1)⌉`` (binary; the bit gates form a chain), an output
    gate costs 1 and a neuron with ``B_v = 0`` is skipped.  Unary never exceeds the
    source depth.  Checked: equality on all ``2^n`` Boolean inputs.
    """
    if not isinstance(net, ReLUNetwork):
        raise ModelError(f"relu_to_threshold needs a ReLUNetwork, got {type(net).__name__}")
    if encoding not in ENCODINGS:
        raise SpecError(f"unknown encoding {encoding!r} (known: {', '.join(ENCODINGS)})")
    bad = first_non_integer(net)
    if bad is not None:
        raise ModelError(f"relu_to_threshold needs integer weights and biases: {bad}")
    table = net.truth_table()  # ModelError if some output is not 0/1 on the cube
    n = net.n
    read = {u for v in net.neurons for u in v.nodes}
    out_nodes = set(net.outputs)
    intervals = neuron_bounds(net)

    gates: list[ThresholdGate] = []
    rep: dict[int, list[tuple[int, int]]] = {}  # neuron node -> [(gate node, multiplier)]
    out_gate: dict[int, int] = {}  # output neuron node -> its final gate node
    bounds: dict[int, int] = {}
    # the formula's depth recursion, computed on the network alone
    cost_depth: dict[int, int] = {}  # neuron node with gates -> depth of its deepest gate
    formula_depth = 0

    def add_gate(terms: dict[int, int], threshold: int) -> int:
        gates.append(ThresholdGate(tuple(terms.items()), threshold))
        return n + len(gates) - 1

    for i, v in enumerate(net.neurons):
        node = n + i
        base: dict[int, int] = {}
        pre = 0
        for u, w in v.weights:
            wi = int(w)
            if u < n:
                base[u] = base.get(u, 0) + wi
                continue
            for gnode, mult in rep.get(u, ()):
                base[gnode] = base.get(gnode, 0) + wi * mult
            if u in cost_depth:
                pre = max(pre, cost_depth[u])
        b = int(v.bias)
        if v.activation == "relu" and (node not in out_nodes or node in read):
            bound = max(0, int(intervals[i][1]))  # hi is an integer: integer weights, 0/1 inputs
            bounds[node] = bound
            cost = _encoding_size(bound, encoding)
            if encoding == "unary":
                rep[node] = [(add_gate(base, k - b), 1) for k in range(1, bound + 1)]
            else:
                bits: list[tuple[int, int]] = []
                for j in range(bound.bit_length() - 1, -1, -1):
                    terms = dict(base)
                    for gnode, mult in bits:
                        terms[gnode] = terms.get(gnode, 0) - mult
                    bits.append((add_gate(terms, (1 << j) - b), 1 << j))
                rep[node] = bits
            if cost:
                cost_depth[node] = pre + (1 if encoding == "unary" else cost)
                formula_depth = max(formula_depth, cost_depth[node])
        if node in out_nodes:
            threshold = -b if v.activation == "threshold" else 1 - b
            out_gate[node] = add_gate(base, threshold)
            formula_depth = max(formula_depth, pre + 1)

    result = ThresholdCircuit(n, tuple(gates), tuple(out_gate[o] for o in net.outputs))
    if result.truth_table() != table:
        raise VerificationError("relu_to_threshold: the circuit differs from the network on some Boolean input")

    q_distinct = len(out_nodes)
    sizes = {e: sum(_encoding_size(B, e) for B in bounds.values()) + q_distinct for e in ENCODINGS}
    sym = "B_v" if encoding == "unary" else "⌈log2(B_v+1)⌉"
    return Report(
        name=f"relu_to_threshold[{encoding}]",
        params={
            "n": n,
            "encoding": encoding,
            "encoded_neurons": len(bounds),
            "q": q_distinct,
            "max_bound": max(bounds.values(), default=0),
        },
        result=result,
        size=result.size,
        depth=result.depth,
        formula=(
            f"{encoding} encoding of each ReLU value in [0, B_v] (B_v by exact interval arithmetic on [0,1]^n): "
            f"size Σ_v {sym} + q, depth = longest path with neuron cost "
            f"{'1' if encoding == 'unary' else '⌈log2(B_v+1)⌉'} and output gate cost 1"
        ),
        formula_size=sizes[encoding],
        formula_depth=formula_depth,
        checked=f"equal to the network on all 2^{n} Boolean inputs (exact)",
        formula_kind="exact",
        source_size=net.size,
        source_depth=net.depth,
        extra={
            "bounds": {str(k): v for k, v in bounds.items()},
            "unary_size": sizes["unary"],
            "binary_size": sizes["binary"],
        },
    )
