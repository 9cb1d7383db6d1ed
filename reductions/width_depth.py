"""Width against depth: a shallow wide ReLU network as a deep narrow one, exactly.

Vardi, Yehudai and Shamir, "Width is Less Important than Depth in ReLU Neural
Networks" (COLT 2022), state an exact representation of wide shallow networks by
deep narrow ones that, in certain cases, does not increase the number of
parameters.  :func:`shallow_to_deep_narrow` implements the standard sequential
simulation (the construction is ours; the paper's constants were not checked
against it).  The source is a one-hidden-layer network on ``R^d`` with ``n`` hidden
ReLUs and one linear output,

    N(x) = c + Σ_{i=1..n} u_i σ(w_i·x + b_i),

and the hidden neurons are split, in order, into ``L = ⌈n/k⌉`` groups of ``k``
(``per_layer``).  Layer ``t`` of the deep network computes group ``t`` from a copy of
``x`` carried through the layers, and a running sum adds the previous group's
``u_i σ(...)``; the linear output adds the last group.  Two ways to carry:

**On a box** ``[-B, B]^d`` (``box=B``; the construction of the notes, §D.1): carry
``s_j = σ(x_j + B)`` (then ``σ(s_j)``), which is ``x_j + B`` when ``x_j >= -B``; group
``t >= 2`` reads ``σ(w_i·s + b_i - B Σ_j w_ij)``.  The running sum is one neuron
``a = σ(M + Σ_{i<…} u_i h_i)`` started at ``a_1 = σ(M)`` with
``M = Σ_{u_i<0} |u_i| max(0, B‖w_i‖_1 + b_i)``, the largest possible negative part on
the box; the output is ``a_L + Σ_{i∈G_L} u_i h_i + c - M``.  Width ``d + k + 1``.  It is
exact wherever every ``x_j >= -B`` and every prefix sum is ``>= -M``, which contains
the box ``[-B, B]^d``; outside, it may differ.

**On all of** ``R^d`` (``box=None``, the default): carry ``σ(x_j)`` and ``σ(-x_j)``
(``x_j = σ(x_j) - σ(-x_j)``) and keep two running sums ``A+`` (terms with ``u_i > 0``)
and ``A-`` (``|u_i|`` for ``u_i < 0``), both non-negative, so every ReLU is the identity
on them; the output is ``A+_L - A-_L + Σ_{i∈G_L} u_i h_i + c``.  Width ``2d + k + 2``.

A hidden neuron that reads no input is the constant ``σ(b_i)``; it is folded into the
output bias and not built (``extra["folded_constant_neurons"]``).  Counts (``n`` hidden
neurons that read some input, ``L = ⌈n/k⌉``, ``P`` = source parameters after that
folding, ``extra["params_folded"]``; ``f_i`` = fan-in of hidden neuron ``i``; all exact,
carries of every input in layers ``1..L-1``):

=================  ===========================  ==========================================
                   box ``[-B,B]^d``              all of ``R^d``
=================  ===========================  ==========================================
size               ``n + d(L-1) + L + 1``        ``n + 2d(L-1) + 2L + 1``
depth              ``L + 1``                     ``L + 1``
width (L >= 2)     ``d + k + 1``                 ``2d + k + 2``
width (L = 1)      ``n + 1``                     ``n + 2``
parameters         ``P + 2(d+1)(L-1) + 2``       ``P + Σ_{i∉G_1} f_i + 4(d+1)(L-1) + 4``
=================  ===========================  ==========================================

With ``k = 1`` on a box: width ``d + 2``, depth ``n + 1`` (``n`` hidden layers); with
``k = d``: width ``2d + 1``, depth ``⌈n/d⌉ + 1``.  Parameters are counted as
:meth:`circuits.relu.ReLUNetwork.num_parameters` does (nonzero weights plus one bias
per neuron).

>>> from circuits.relu import Neuron, ReLUNetwork
>>> hidden = [Neuron(((0, 1), (1, -2)), 1), Neuron(((0, 3),), -1), Neuron(((1, 1),), 0)]
>>> net = ReLUNetwork(2, (*hidden, Neuron(((2, 1), (3, -1), (4, 2)), 5, "linear")), (5,))
>>> r = shallow_to_deep_narrow(net, box=1)
>>> r.size, r.depth, r.extra["width"], r.extra["params_before"], r.extra["params_after"]
(11, 4, 4, 11, 25)
>>> r.matches_formula, r.extra["params_after"] == r.extra["formula_params"]
(True, True)
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from fractions import Fraction

from circuits.errors import ModelError, SpecError
from circuits.relu import Neuron, ReLUNetwork, evaluate_points
from circuits.schema import as_int
from reductions.report import Report
from reductions.threshold_relu import VerificationError

__all__ = ["shallow_to_deep_narrow"]


def _check_source(net: ReLUNetwork) -> None:
    if not isinstance(net, ReLUNetwork):
        raise ModelError(f"shallow_to_deep_narrow needs a ReLUNetwork, got {type(net).__name__}")
    if net.num_outputs != 1:
        raise ModelError(f"shallow_to_deep_narrow needs a single output; the network has {net.num_outputs}")
    out = net.outputs[0]
    v = net.neurons[out - net.n]
    if v.activation != "linear":
        raise ModelError(f"shallow_to_deep_narrow needs a linear output neuron; the output is {v.activation}")
    for u in v.nodes:
        if u < net.n:
            raise ModelError(
                f"the output reads input x{u} directly (a skip connection); only hidden neurons may feed it"
            )
    layers = net.layers()
    if any(layer != 1 for i, layer in enumerate(layers) if net.n + i != out):
        raise ModelError(
            f"shallow_to_deep_narrow needs exactly one hidden layer; the network has {net.depth - 1} hidden layers"
        )
    if net.size < 2:
        raise ModelError("shallow_to_deep_narrow needs at least one hidden neuron")


def _check_options(per_layer: object, box: object, samples: object) -> tuple[int, Fraction | None, int]:
    layers = as_int(per_layer)
    if layers is None or layers < 1:
        raise SpecError(f"per_layer must be a positive integer, got {per_layer!r}")
    if box is not None:
        box_int = as_int(box)
        if box_int is not None:
            box = Fraction(box_int)
        if not isinstance(box, Fraction) or box < 0:
            raise SpecError(f"box must be a non-negative int or Fraction (the half-width B of [-B, B]^d), got {box!r}")
    count = as_int(samples)
    if count is None or count < 0:
        raise SpecError(f"samples must be a non-negative integer, got {samples!r}")
    return layers, box, count


def shallow_to_deep_narrow(
    net: ReLUNetwork,
    *,
    per_layer: int = 1,
    box: int | Fraction | None = None,
    samples: int = 64,
    seed: int = 0,
) -> Report:
    """The deep narrow network equal to the one-hidden-layer ``net`` (module docstring).

    ``per_layer`` hidden neurons of ``net`` are computed per layer; ``box=B`` builds
    the width ``d + k + 1`` network exact on ``[-B, B]^d``, ``box=None`` the width
    ``2d + k + 2`` network exact on all of ``R^d``.  Raises :class:`ModelError` unless
    ``net`` has one hidden layer of ReLUs reading only inputs and one linear output
    reading only hidden neurons.

    Hidden neurons the output does not read (weight 0) are kept and computed like the
    others.  Checked, in exact rational arithmetic, ``N(x) = N'(x)`` at: ``samples`` random
    rational points of the domain (the box, or ``[-R, R]^d`` with ``R`` beyond every
    breakpoint); for every hidden neuron, points on its hyperplane ``w_i·x + b_i = 0``
    and just beside it (±1/997 along a coordinate), those that lie in the domain; and,
    for a box, its corners (all of them for ``d <= 8``, else 64 random ones).
    """
    _check_source(net)
    k, B, samples = _check_options(per_layer, box, samples)
    d = net.n
    out_node = net.outputs[0]
    out = net.neurons[out_node - d]
    u_of = dict(out.weights)
    every = [(net.n + i, v) for i, v in enumerate(net.neurons) if net.n + i != out_node]
    # a hidden neuron reading no input is the constant σ(b): fold u·σ(b) into the output bias
    hidden = [(node, v) for node, v in every if v.weights]
    constants = [(node, v) for node, v in every if not v.weights]
    c_out = out.bias + sum(
        (u_of.get(node, Fraction(0)) * max(v.bias, Fraction(0)) for node, v in constants), Fraction(0)
    )
    if not hidden:
        raise ModelError("shallow_to_deep_narrow: the network is constant (no hidden neuron reads an input)")
    nh = len(hidden)
    u = [u_of.get(node, Fraction(0)) for node, _ in hidden]
    # parameters of the source with the constant neurons folded away
    P_folded = net.num_parameters() - sum(1 + (node in u_of) for node, _ in constants)
    W = [dict(v.weights) for _, v in hidden]
    b = [v.bias for _, v in hidden]
    groups = [list(range(g, min(g + k, nh))) for g in range(0, nh, k)]
    L = len(groups)

    neurons: list[Neuron] = []

    def add(weights: Sequence[tuple[int, Fraction | int]], bias: Fraction | int, activation: str = "relu") -> int:
        neurons.append(Neuron(tuple(weights), bias, activation))
        return d + len(neurons) - 1

    h_node: dict[int, int] = {}
    M = Fraction(0)
    if B is not None:
        M = sum(
            (-u[i] * max(Fraction(0), B * sum(abs(w) for w in W[i].values()) + b[i]) for i in range(nh) if u[i] < 0),
            Fraction(0),
        )
        carry = list(range(d))  # nodes holding x_j + B (layer 0: x_j itself, shift applied in layer 1)
        acc = -1
        for t, group in enumerate(groups, start=1):
            new_carry = []
            if t < L:
                new_carry = [add([(carry[j], 1)], B if t == 1 else 0) for j in range(d)]
            for i in group:
                if t == 1:
                    h_node[i] = add(list(W[i].items()), b[i])
                else:
                    h_node[i] = add([(carry[j], w) for j, w in W[i].items()], b[i] - B * sum(W[i].values()))
            if t == 1:
                acc = add([], M)
            else:
                acc = add([(acc, 1)] + [(h_node[i], u[i]) for i in groups[t - 2]], 0)
            carry = new_carry
        result_out = add([(acc, 1)] + [(h_node[i], u[i]) for i in groups[-1]], c_out - M, "linear")
    else:
        pos = list(range(d))
        neg: list[int] = []
        acc_p = acc_n = -1
        for t, group in enumerate(groups, start=1):
            new_pos: list[int] = []
            new_neg: list[int] = []
            if t < L:
                if t == 1:
                    new_pos = [add([(j, 1)], 0) for j in range(d)]
                    new_neg = [add([(j, -1)], 0) for j in range(d)]
                else:
                    new_pos = [add([(pos[j], 1)], 0) for j in range(d)]
                    new_neg = [add([(neg[j], 1)], 0) for j in range(d)]
            for i in group:
                if t == 1:
                    h_node[i] = add(list(W[i].items()), b[i])
                else:
                    terms = [(pos[j], w) for j, w in W[i].items()] + [(neg[j], -w) for j, w in W[i].items()]
                    h_node[i] = add(terms, b[i])
            if t == 1:
                acc_p, acc_n = add([], 0), add([], 0)
            else:
                prev = groups[t - 2]
                acc_p = add([(acc_p, 1)] + [(h_node[i], u[i]) for i in prev if u[i] > 0], 0)
                acc_n = add([(acc_n, 1)] + [(h_node[i], -u[i]) for i in prev if u[i] < 0], 0)
            pos, neg = new_pos, new_neg
        result_out = add([(acc_p, 1), (acc_n, -1)] + [(h_node[i], u[i]) for i in groups[-1]], c_out, "linear")
    deep = ReLUNetwork(d, tuple(neurons), (result_out,))

    # ---------------------------------------------------------------- check
    rng = random.Random(seed)
    den = 64
    if B is not None:
        lo, hi = -B, B
    else:
        scale = max([Fraction(1)] + [abs(x) for x in b] + [abs(x) for Wi in W for x in Wi.values()])
        lo, hi = -2 * scale * scale, 2 * scale * scale  # |x_j| up to 2 scale^2 reaches past every breakpoint

    def in_domain(x: tuple[Fraction, ...]) -> bool:
        return B is None or all(-B <= c <= B for c in x)

    def rand_point() -> tuple[Fraction, ...]:
        return tuple(lo + (hi - lo) * Fraction(rng.randint(0, den), den) for _ in range(d))

    points: list[tuple[Fraction, ...]] = [rand_point() for _ in range(samples)]
    n_random = len(points)
    delta = Fraction(1, 997)
    for i in range(nh):
        coords = list(W[i])
        if not coords:
            continue
        for _ in range(4):
            p = list(rand_point())
            rng.shuffle(coords)
            for j in coords:
                rest = b[i] + sum(w * p[m] for m, w in W[i].items() if m != j)
                q = list(p)
                q[j] = -rest / W[i][j]
                on = tuple(q)
                if in_domain(on):
                    points.append(on)
                    for s in (delta, -delta):
                        q2 = list(on)
                        q2[j] += s
                        if in_domain(tuple(q2)):
                            points.append(tuple(q2))
                    break
    n_break = len(points) - n_random
    n_corner = 0
    if B is not None:
        if d <= 8:
            corners = [tuple(B if (c >> j) & 1 else -B for j in range(d)) for c in range(1 << d)]
        else:
            corners = [tuple(B if rng.random() < 0.5 else -B for _ in range(d)) for _ in range(64)]
        points.extend(corners)
        n_corner = len(corners)
    for x, shallow_value, deep_value in zip(points, evaluate_points(net, points), evaluate_points(deep, points)):
        if shallow_value != deep_value:
            raise VerificationError(f"shallow_to_deep_narrow: the networks differ at {x}")

    # ---------------------------------------------------------------- formulas
    P = P_folded
    fan_rest = sum(len(W[i]) for g in groups[1:] for i in g)
    if B is not None:
        f_size = nh + d * (L - 1) + L + 1
        f_params = P + 2 * (d + 1) * (L - 1) + 2
        f_width = d + k + 1 if L >= 2 else nh + 1
        domain = f"[-{B}, {B}]^{d}"
        formula = (
            f"box [-B,B]^d, k = {k} hidden neurons per layer, L = ⌈n/k⌉: size n + d(L-1) + L + 1, depth L + 1, "
            "width d + k + 1 (L ≥ 2), parameters P + 2(d+1)(L-1) + 2"
        )
    else:
        f_size = nh + 2 * d * (L - 1) + 2 * L + 1
        f_params = P + fan_rest + 4 * (d + 1) * (L - 1) + 4
        f_width = 2 * d + k + 2 if L >= 2 else nh + 2
        domain = f"R^{d}"
        formula = (
            f"all of R^d, k = {k} hidden neurons per layer, L = ⌈n/k⌉: size n + 2d(L-1) + 2L + 1, depth L + 1, "
            "width 2d + k + 2 (L ≥ 2), parameters P + Σ_{i∉G_1} f_i + 4(d+1)(L-1) + 4"
        )
    widths = deep.widths()
    return Report(
        name="shallow_to_deep_narrow",
        params={"d": d, "n": nh, "per_layer": k, "box": None if B is None else str(B), "layers": L},
        result=deep,
        size=deep.size,
        depth=deep.depth,
        formula=formula,
        formula_size=f_size,
        formula_depth=L + 1,
        checked=(
            f"exact equality on {domain} at {len(points)} rational points: {n_random} random, "
            f"{n_break} on or beside the {nh} hidden hyperplanes, {n_corner} box corners"
        ),
        formula_kind="exact",
        source_size=net.size,
        source_depth=net.depth,
        extra={
            "domain": domain,
            "params_before": net.num_parameters(),
            "params_folded": P,
            "folded_constant_neurons": len(constants),
            "params_after": deep.num_parameters(),
            "formula_params": f_params,
            "widths_before": list(net.widths()),
            "widths_after": list(widths),
            "width": max(widths),
            "formula_width": f_width,
            "M": str(M),
        },
    )
