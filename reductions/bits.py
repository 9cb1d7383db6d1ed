"""Bit extraction by ReLU networks: the two discretisers of Vardi, Reichman,
Pitassi and Shamir (COLT 2021), paper 002 of the project notes.

Both map a point ``x in [0, 1]^d`` to the ``c * d`` bits of the grid cells
``trunc(2^c x_i)``.  Output ``i*c + k`` is bit ``k`` (weight ``2^k``, least
significant first, the library's convention for numbers) of the integer
``a_i = floor(2^c x_i)`` in ``[0, 2^c)``.  With ``t = 2^c x_i`` both are exact
whenever every coordinate has ``frac(t) <= 1 - delta``: the *margin* is the
strip of width ``delta`` (in units of one grid cell) just below each grid
point.

* :func:`ramp_discretiser` (Lemma 21): ramps
  ``g_l(t) = [(t - l + delta)/delta]+ - [(t - l)/delta]+`` (0 for
  ``t <= l - delta``, 1 for ``t >= l``) and, for bit ``k``,
  ``h_k = sum_l bit_k(l) (g_l - g_{l+1})``.  Collecting terms, ``h_k`` is a
  combination of the ramps ``l = 1 .. 2^c - 1`` only (``g_0 = 1`` on
  ``[0, 1]`` carries coefficient ``bit_k(0) = 0``, and the top window is left
  open, ``g_{2^c} := 0``, so ``x = 1`` gives all ones, i.e. ``trunc(1) =
  (2^c - 1)/2^c``).  Size ``2(2^c - 1) + c`` per coordinate, depth 2.
* :func:`sawtooth_discretiser` (Lemma 25): bit ``j`` after the binary point
  (``j = c - k``) is ``1`` iff ``phi^(j)(x - 2^(-j-1)) >= 1/2`` for ``x`` off the
  grid, ``phi(z) = [2z]+ - [4z - 2]+`` the tent map.  The step ``>= 1/2`` is a
  ramp difference of width ``2 delta'``, ``delta' = delta 2^(j-1-c)``.  In the
  paper's form (``variant="paper"``) the ambiguous strip is centred on the grid
  points: exact for ``frac(t) in [delta/2, 1 - delta/2]`` and *not* at the grid
  points themselves (there ``phi^(j) = 1/2`` exactly for both bit values).  The
  default ``variant="shifted"`` evaluates at ``x - 2^(-j-1) + delta/2^(c+1)``,
  which moves the strip below the grid points, so it has the same exactness
  region as the ramps.  Per bit ``2j`` tent neurons, 2 step neurons and one
  linear output: size ``c^2 + 4c`` per coordinate, depth ``c + 2`` (bit ``j``
  has depth ``j + 2``, so the network has skip-free chains of different
  lengths).  Note ``x = 1`` wraps to all zeros here (``phi^(j)(u) = 0`` past the
  last tooth).

The module also holds the small exact tools the other constructions share:
:class:`Affine` forms and the :class:`NetBuilder` that merges linear layers
into the next layer (as the paper does).  :func:`evaluate_points`, the exact
vectorised evaluation of a network at many rational points, is
:func:`circuits.relu.evaluate_points`, re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

from circuits.errors import ArityError, SpecError, excerpt
from circuits.relu import Neuron, ReLUNetwork, evaluate_points
from circuits.schema import as_int, parse_rational
from reductions.report import Report

__all__ = [
    "Affine",
    "NetBuilder",
    "evaluate_points",
    "as_fraction",
    "check_positive_int",
    "check_delta",
    "cell_offsets",
    "coordinate_values",
    "trunc_index",
    "ramp_bits",
    "sawtooth_bits",
    "ramp_discretiser",
    "sawtooth_discretiser",
    "ramp_size",
    "sawtooth_size",
    "bit_extraction_table",
]

_VARIANTS = ("shifted", "paper")


# ------------------------------------------------------------------ parameters
def as_fraction(value: object, what: str) -> Fraction:
    """``value`` as an exact Fraction: ints, Fractions and strings ``"p/q"``; floats are rejected."""
    if isinstance(value, Fraction):
        return value
    number = as_int(value)
    if number is not None:
        return Fraction(number)
    if isinstance(value, str):
        return parse_rational(value, what)  # ASCII digits, no exponent: Fraction("1e999999999") never ends
    raise SpecError(f"{what} must be an exact rational (int, Fraction or 'p/q'), got {excerpt(repr(value))}")


def check_positive_int(value: object, what: str) -> int:
    number = as_int(value)
    if number is None or number < 1:
        raise SpecError(f"{what} must be an integer >= 1, got {value!r}")
    return number


def check_delta(delta: object) -> Fraction:
    value = as_fraction(delta, "delta")
    if not 0 < value < 1:
        raise SpecError(f"delta must lie strictly between 0 and 1 (a fraction of one grid cell), got {value}")
    return value


# ------------------------------------------------------------------ affine forms
class Affine:
    """An exact affine form ``sum_u coeffs[u] * node_u + const`` over network nodes."""

    __slots__ = ("coeffs", "const")

    def __init__(self, coeffs: dict[int, Fraction] | None = None, const: Fraction | int = 0) -> None:
        self.coeffs = {u: Fraction(w) for u, w in (coeffs or {}).items() if w != 0}
        self.const = Fraction(const)

    @classmethod
    def node(cls, u: int) -> Affine:
        return cls({u: Fraction(1)})

    def __add__(self, other: Affine | Fraction | int) -> Affine:
        if not isinstance(other, Affine):
            return Affine(self.coeffs, self.const + other)
        coeffs = dict(self.coeffs)
        for u, w in other.coeffs.items():
            coeffs[u] = coeffs.get(u, Fraction(0)) + w
        return Affine(coeffs, self.const + other.const)

    __radd__ = __add__

    def __neg__(self) -> Affine:
        return Affine({u: -w for u, w in self.coeffs.items()}, -self.const)

    def __sub__(self, other: Affine | Fraction | int) -> Affine:
        return self + (-other)

    def __rsub__(self, other: Fraction | int) -> Affine:
        return (-self) + other

    def __mul__(self, k: Fraction | int) -> Affine:
        k = Fraction(k)
        return Affine({u: w * k for u, w in self.coeffs.items()}, self.const * k)

    __rmul__ = __mul__

    def __truediv__(self, k: Fraction | int) -> Affine:
        return self * (1 / Fraction(k))

    def as_node(self) -> int | None:
        """The node if this form is exactly one node with coefficient 1, else None."""
        if self.const == 0 and len(self.coeffs) == 1:
            ((u, w),) = self.coeffs.items()
            if w == 1:
                return u
        return None

    def __repr__(self) -> str:
        terms = " + ".join(f"{w}*[{u}]" for u, w in sorted(self.coeffs.items()))
        return f"Affine({terms or '0'} + {self.const})"


def affine_sum(forms: Iterable[tuple[Fraction | int, Affine]]) -> Affine:
    """``sum k * form`` over ``(k, form)`` pairs."""
    total = Affine()
    for k, form in forms:
        total = total + form * k
    return total


class NetBuilder:
    """Builds a :class:`ReLUNetwork` neuron by neuron.

    Intermediate linear combinations are kept as :class:`Affine` forms and never
    become neurons: a ReLU reading a linear combination of ReLUs reads those ReLUs
    directly.  This is the merging of activation-free layers into the next layer
    that the paper's depth accounting uses.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.neurons: list[Neuron] = []

    def input(self, j: int) -> Affine:
        if not 0 <= j < self.n:
            raise ArityError(f"input x{j} does not exist ({self.n} inputs)")
        return Affine.node(j)

    def neuron(self, form: Affine, activation: str = "relu") -> int:
        node = self.n + len(self.neurons)
        self.neurons.append(Neuron(tuple(sorted(form.coeffs.items())), form.const, activation))
        return node

    def relu(self, form: Affine) -> Affine:
        return Affine.node(self.neuron(form, "relu"))

    def embed(self, net: ReLUNetwork, inputs: Sequence[Affine]) -> list[Affine | int]:
        """Copy ``net`` with its input ``j`` replaced by the form ``inputs[j]``.

        Every ReLU neuron is copied (the size grows by exactly the number of ReLU
        neurons of ``net``).  A linear output neuron is returned as its affine form
        (no neuron is added); a threshold output neuron is added as a neuron and
        returned as its node number, since nothing may read it.
        """
        if len(inputs) != net.n:
            raise ArityError(f"network has {net.n} inputs, {len(inputs)} forms were given")
        values: list[Affine | None] = list(inputs)
        threshold_nodes: dict[int, int] = {}
        for i, v in enumerate(net.neurons):
            form = Affine(const=v.bias)
            for u, w in v.weights:
                src = values[u]
                assert src is not None  # the model forbids reading non-relu neurons
                form = form + src * w
            if v.activation == "relu":
                values.append(self.relu(form))
            elif v.activation == "linear":
                values.append(form)
            else:
                threshold_nodes[net.n + i] = self.neuron(form, "threshold")
                values.append(None)
        outs: list[Affine | int] = []
        for o in net.outputs:
            outs.append(threshold_nodes[o] if o in threshold_nodes else values[o])  # type: ignore[arg-type]
        return outs

    def build(self, outputs: Sequence[Affine | int]) -> ReLUNetwork:
        """The network; an :class:`Affine` output becomes a new linear neuron, an int is an existing node."""
        nodes = []
        for out in outputs:
            nodes.append(out if isinstance(out, int) else self.neuron(out, "linear"))
        return ReLUNetwork(self.n, tuple(self.neurons), tuple(nodes))


# ------------------------------------------------------------------ reference quantities
def trunc_index(x: Fraction, c: int) -> int:
    """``floor(2^c x)`` clipped to ``[0, 2^c - 1]`` (so ``x = 1`` is in the top cell)."""
    return min(max(math.floor(x * (1 << c)), 0), (1 << c) - 1)


def cell_offsets(delta: Fraction, variant: str = "shifted", per_cell: int = 8) -> list[Fraction]:
    """``per_cell + 1`` equally spaced offsets (in cell units) covering the exactness region of a cell.

    ``[0, 1 - delta]`` for the ramps and the shifted sawtooth, ``[delta/2, 1 - delta/2]``
    for the paper's sawtooth.
    """
    lo = delta / 2 if variant == "paper" else Fraction(0)
    width = 1 - delta
    return [lo + width * i / per_cell for i in range(per_cell + 1)]


def coordinate_values(c: int, offsets: Sequence[Fraction]) -> list[Fraction]:
    """All ``(k + o) / 2^c`` for cells ``k`` and offsets ``o``."""
    scale = Fraction(1, 1 << c)
    return [(k + o) * scale for k in range(1 << c) for o in offsets]


def _diagonal_points(values: Sequence[Fraction], d: int) -> list[list[Fraction]]:
    """``len(values)`` points; coordinate ``i`` of point ``m`` is ``values[(m + i*shift) % N]``.

    Every coordinate runs over every value once, and the coordinates of a point differ.
    """
    count = len(values)
    shift = max(1, count // (d + 1)) if d > 1 else 0
    return [[values[(m + i * shift) % count] for i in range(d)] for m in range(count)]


# ------------------------------------------------------------------ building blocks
def ramp_bits(builder: NetBuilder, x: Affine, c: int, delta: Fraction) -> list[Affine]:
    """Lemma 21 on the coordinate form ``x``: the ``c`` bits (LSB first) as affine forms of new ramp ReLUs."""
    t = x * (1 << c)
    ramps: dict[int, Affine] = {}
    for l in range(1, 1 << c):
        up = builder.relu((t - l + delta) / delta)
        down = builder.relu((t - l) / delta)
        ramps[l] = up - down
    bits = []
    for k in range(c):
        # h_k = sum_l bit_k(l) (g_l - g_{l+1}) = sum_l (bit_k(l) - bit_k(l-1)) g_l, g_0 = 1 cancels, g_{2^c} := 0
        terms = [(((l >> k) & 1) - (((l - 1) >> k) & 1), ramps[l]) for l in range(1, 1 << c)]
        bits.append(affine_sum((coef, g) for coef, g in terms if coef))
    return bits


def _tent(builder: NetBuilder, y: Affine) -> Affine:
    """``phi(y) = [2y]+ - [4y - 2]+`` with two new ReLUs."""
    return builder.relu(y * 2) - builder.relu(y * 4 - 2)


def sawtooth_bits(builder: NetBuilder, x: Affine, c: int, delta: Fraction, variant: str = "shifted") -> list[Affine]:
    """Lemma 25 on the coordinate form ``x``: the ``c`` bits (LSB first), bit ``k`` from ``j = c - k`` tents."""
    if variant not in _VARIANTS:
        raise SpecError(f"unknown sawtooth variant {variant!r} (expected one of {', '.join(_VARIANTS)})")
    bits: list[Affine] = [Affine()] * c
    for j in range(1, c + 1):
        shift = delta / (1 << (c + 1)) if variant == "shifted" else Fraction(0)
        y = x - Fraction(1, 1 << (j + 1)) + shift
        for _ in range(j):
            y = _tent(builder, y)
        half_width = delta * Fraction(1 << j, 1 << (c + 1))  # delta' = delta 2^(j-1-c)
        step = builder.relu((y - Fraction(1, 2) + half_width) / (2 * half_width)) - builder.relu(
            (y - Fraction(1, 2) - half_width) / (2 * half_width)
        )
        bits[c - j] = step
    return bits


def ramp_size(c: int, d: int = 1) -> int:
    """Neurons of :func:`ramp_discretiser`: ``d (2(2^c - 1) + c)``."""
    return d * (2 * ((1 << c) - 1) + c)


def sawtooth_size(c: int, d: int = 1) -> int:
    """Neurons of :func:`sawtooth_discretiser`: ``d sum_j (2j + 3) = d (c^2 + 4c)``."""
    return d * (c * c + 4 * c)


# ------------------------------------------------------------------ checks
def _check_discretiser(
    net: ReLUNetwork, c: int, d: int, delta: Fraction, variant: str, per_cell: int, top_is_max: bool
) -> tuple[str, dict[str, Any]]:
    offsets = cell_offsets(delta, variant, per_cell)
    values = coordinate_values(c, offsets)
    if top_is_max:
        values.append(Fraction(1))
    points = _diagonal_points(values, d)
    got = evaluate_points(net, points)
    for p, out in zip(points, got):
        for i, xi in enumerate(p):
            a = trunc_index(xi, c)
            for k in range(c):
                if out[i * c + k] != (a >> k) & 1:
                    raise AssertionError(
                        f"discretiser output {i * c + k} is {out[i * c + k]} at x = {[str(v) for v in p]}, "
                        f"expected bit {k} of {a}"
                    )
    region = "[delta/2, 1 - delta/2]" if variant == "paper" else "[0, 1 - delta]"
    checked = (
        f"exact rationals: every coordinate over all 2^{c} cells x {len(offsets)} offsets in {region} "
        f"(cell units){' plus x = 1' if top_is_max else ''}, {len(points)} points; outputs equal the bits of "
        f"floor(2^c x_i) exactly"
    )
    # Points inside the margins, to show what fails there (not part of the claim).
    mid = (
        [(k + 1 - delta / 2) / (1 << c) for k in range(1 << c)]
        if variant != "paper"
        else [Fraction(k, 1 << c) for k in range(1, 1 << c)]
    )
    bad = 0
    for p, out in zip(_diagonal_points(mid, d), evaluate_points(net, _diagonal_points(mid, d))):
        xi = p[0]
        a = trunc_index(xi, c)
        if any(out[k] != (a >> k) & 1 for k in range(c)):
            bad += 1
    where = "grid points k/2^c, k >= 1" if variant == "paper" else "margin midpoints (k + 1 - delta/2)/2^c"
    extra = {"margin_probe": where, "margin_probe_points": len(mid), "margin_probe_wrong_coordinate0": bad}
    return checked, extra


def _discretiser_params(c: object, d: object, delta: object) -> tuple[int, int, Fraction]:
    return check_positive_int(c, "c"), check_positive_int(d, "d"), check_delta(delta)


# ------------------------------------------------------------------ public constructions
def ramp_discretiser(
    c: int, d: int = 1, delta: Fraction | int | str = Fraction(1, 4), *, check: bool = True, per_cell: int = 8
) -> Report:
    """Lemma 21: depth-2 network mapping ``x in [0,1]^d`` to the ``c*d`` bits of ``floor(2^c x_i)``.

    Exact for every ``x`` whose coordinates satisfy ``frac(2^c x_i) <= 1 - delta`` and at
    ``x_i = 1``.  Size ``d (2(2^c - 1) + c)``, depth 2.
    """
    c, d, delta = _discretiser_params(c, d, delta)
    builder = NetBuilder(d)
    outs: list[Affine] = []
    for i in range(d):
        outs.extend(ramp_bits(builder, builder.input(i), c, delta))
    net = builder.build(outs)
    checked: str = "not checked"
    extra: dict[str, Any] = {}
    if check:
        checked, extra = _check_discretiser(net, c, d, delta, "ramps", per_cell, True)
    return Report(
        name="ramp_discretiser",
        params={"c": c, "d": d, "delta": str(delta)},
        result=net,
        size=net.size,
        depth=net.depth,
        formula="lbt's count of its Lemma 21 construction (the paper states size O(d 2^c), depth 2): per coordinate "
        "2^c - 1 ramps of 2 ReLUs plus c linear bit outputs: size d(2(2^c - 1) + c), depth 2",
        formula_size=ramp_size(c, d),
        formula_depth=2,
        checked=checked,
        formula_kind="exact",
        extra=extra,
    )


def sawtooth_discretiser(
    c: int,
    d: int = 1,
    delta: Fraction | int | str = Fraction(1, 4),
    *,
    variant: str = "shifted",
    check: bool = True,
    per_cell: int = 8,
) -> Report:
    """Lemma 25: bit ``j`` after the binary point from ``phi^(j)`` (tent map) and a soft step at 1/2.

    ``variant="shifted"`` (default) is exact where :func:`ramp_discretiser` is, grid points
    included (not at ``x = 1``); ``variant="paper"`` is the lemma's literal offset
    ``2^(-j-1)``, exact for ``frac(2^c x_i) in [delta/2, 1 - delta/2]``.  Size
    ``d(c^2 + 4c)``, depth ``c + 2``.
    """
    c, d, delta = _discretiser_params(c, d, delta)
    if variant not in _VARIANTS:
        raise SpecError(f"unknown sawtooth variant {variant!r} (expected one of {', '.join(_VARIANTS)})")
    builder = NetBuilder(d)
    outs: list[Affine] = []
    for i in range(d):
        outs.extend(sawtooth_bits(builder, builder.input(i), c, delta, variant))
    net = builder.build(outs)
    checked: str = "not checked"
    extra: dict[str, Any] = {}
    if check:
        checked, extra = _check_discretiser(net, c, d, delta, variant, per_cell, False)
    return Report(
        name="sawtooth_discretiser",
        params={"c": c, "d": d, "delta": str(delta), "variant": variant},
        result=net,
        size=net.size,
        depth=net.depth,
        formula="lbt's count of its Lemma 25 construction (the paper states O(j) neurons and depth O(j) for bit j): "
        "bit j (j = 1..c after the binary point) costs j tent maps (2j ReLUs), a 2-ReLU step and a linear output: "
        "size d(c^2 + 4c), depth c + 2 (bit j: j + 2)",
        formula_size=sawtooth_size(c, d),
        formula_depth=c + 2,
        checked=checked,
        formula_kind="exact",
        extra=extra,
    )


def bit_extraction_table(
    c_max: int = 8, delta: Fraction | int | str = Fraction(1, 4), *, check: bool = True
) -> list[dict]:
    """Sizes and depths of both discretisers (one coordinate) for ``c = 1 .. c_max``."""
    c_max = check_positive_int(c_max, "c_max")
    rows = []
    for c in range(1, c_max + 1):
        ramps = ramp_discretiser(c, 1, delta, check=check)
        saw = sawtooth_discretiser(c, 1, delta, check=check)
        rows.append(
            {
                "c": c,
                "ramp_size": ramps.size,
                "ramp_depth": ramps.depth,
                "ramp_formula_size": ramps.formula_size,
                "sawtooth_size": saw.size,
                "sawtooth_depth": saw.depth,
                "sawtooth_formula_size": saw.formula_size,
                "checked": check,
            }
        )
    return rows
