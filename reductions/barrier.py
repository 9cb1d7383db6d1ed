"""The barrier assembly of Theorems 1 and 9 of paper 002: threshold circuit -> ReLU network on [0,1]^d.

Given a threshold circuit for ``f_hat: {0,1}^(c d) -> {0,1}^q`` (input ``i*c + k``
is bit ``k``, least significant first, of the cell index ``a_i = floor(2^c x_i)``;
output ``k`` has weight ``2^k``), :func:`barrier_network` builds

    N(x) = sum_k 2^(k - q) * f_hat(bits(trunc(x)))_k

in three stages, with every activation-free layer merged into the next:

1. discretise each coordinate to ``c`` bits: Lemma 21 ramps (``route="ramps"``,
   depth 2) or Lemma 25 sawtooth (``route="sawtooth"``, depth ``c + 2``), see
   :mod:`reductions.bits`;
2. simulate the circuit by Lemma 22 (:func:`reductions.threshold_relu.threshold_to_relu`,
   two ReLUs per gate);
3. one linear output neuron recombines the ``q`` output bits.

Size is exactly ``H + 2s + 1`` with ``H`` the discretiser's hidden ReLUs
(``2d(2^c - 1)`` for the ramps, ``d(c^2 + 3c)`` for the sawtooth) and ``s`` the
circuit's gates: the discretiser's bit outputs and the simulation's output
differences are linear and merge into their readers.  Depth with the ramps is
``m + 2`` for a circuit of depth ``m`` (``k`` for a TC0_{k-2} circuit, as in
Theorem 1); with the sawtooth at most ``c + m + 2``.

:func:`barrier_demo` runs the whole chain for a small benign ``f``
(``"product"``: ``x_1 ... x_d``, or ``"average"``: ``(x_1 + ... + x_d)/d``) with
``f_hat(a) = floor(2^c f(a / 2^c))`` built as a depth-2 threshold circuit from its
table (:func:`staircase_circuit`).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
from fractions import Fraction

import numpy as np

from circuits.errors import ArityError, SpecError
from circuits.relu import evaluate_points
from circuits.threshold import ThresholdCircuit, ThresholdGate
from circuits.truthtable import TruthTable
from reductions.bits import (
    Affine,
    NetBuilder,
    cell_offsets,
    check_delta,
    check_positive_int,
    ramp_bits,
    sawtooth_bits,
    trunc_index,
)
from reductions.report import Report

__all__ = [
    "ROUTES",
    "DEMO_FUNCTIONS",
    "staircase_circuit",
    "demo_table",
    "barrier_network",
    "barrier_demo",
    "discretiser_hidden",
]

ROUTES = ("ramps", "sawtooth")
DEMO_FUNCTIONS = ("product", "average")
_MAX_CELLS = 4096


def discretiser_hidden(route: str, c: int, d: int) -> int:
    """Hidden ReLUs of the discretiser (its linear bit outputs merge into the next layer)."""
    return 2 * d * ((1 << c) - 1) if route == "ramps" else d * (c * c + 3 * c)


def staircase_circuit(table: TruthTable) -> ThresholdCircuit:
    """A depth-2 threshold circuit for any table, read as a function of the row index ``N``.

    Layer 1 holds ``G_t = [sum_j 2^j x_j >= t]`` for every ``t`` at which some output
    changes value between rows ``t - 1`` and ``t``; output ``k`` is
    ``[sum_t (f_k(t) - f_k(t-1)) G_t >= 1 - f_k(0)]`` (the telescoping sum is exactly
    ``f_k(N) - f_k(0)``).  Size ``|T| + q`` with ``T`` the set of change points.
    """
    n = table.n
    columns = [table.bits(k).astype(np.int64) for k in range(table.m)]
    changes = sorted({int(t) for col in columns for t in np.flatnonzero(np.diff(col)) + 1})
    gates = [ThresholdGate(tuple((j, 1 << j) for j in range(n)), t) for t in changes]
    node = {t: n + i for i, t in enumerate(changes)}
    outputs = []
    for col in columns:
        steps = np.diff(col)
        pairs = tuple((node[int(t) + 1], int(steps[t])) for t in np.flatnonzero(steps))
        outputs.append(n + len(gates))
        gates.append(ThresholdGate(pairs, 1 - int(col[0])))
    return ThresholdCircuit(n, tuple(gates), tuple(outputs))


def _demo_value(function: str, a: tuple[int, ...], c: int) -> int:
    """``floor(2^c f(a / 2^c))`` for the demo functions, exactly."""
    d = len(a)
    if function == "product":
        return math.prod(a) >> (c * (d - 1))
    return sum(a) // d


def _demo_real(function: str, x: list[Fraction]) -> Fraction:
    return math.prod(x, start=Fraction(1)) if function == "product" else sum(x, Fraction(0)) / len(x)


def demo_table(function: str, d: int, c: int) -> TruthTable:
    """The table of ``f_hat`` on ``c d`` inputs and ``c`` outputs for a demo function."""
    if function not in DEMO_FUNCTIONS:
        raise SpecError(f"unknown demo function {function!r} (expected one of {', '.join(DEMO_FUNCTIONS)})")
    mask = (1 << c) - 1

    def fn(bits: tuple[int, ...]) -> list[int]:
        index = sum(b << j for j, b in enumerate(bits))
        a = tuple((index >> (i * c)) & mask for i in range(d))
        v = _demo_value(function, a, c)
        return [(v >> k) & 1 for k in range(c)]

    return TruthTable.from_function(c * d, fn)


def _cells(c: int, d: int, rng: random.Random) -> tuple[list[tuple[int, ...]], str]:
    total = 1 << (c * d)
    if total <= _MAX_CELLS:
        return list(itertools.product(range(1 << c), repeat=d)), f"all {total} grid cells"
    return [
        tuple(rng.randrange(1 << c) for _ in range(d)) for _ in range(_MAX_CELLS)
    ], f"{_MAX_CELLS} random grid cells (seeded) of {total}"


def barrier_network(
    circuit: ThresholdCircuit,
    d: int,
    c: int,
    *,
    route: str = "ramps",
    delta: Fraction | int | str = Fraction(1, 4),
    variant: str = "shifted",
    check: bool = True,
    seed: int = 0,
) -> Report:
    """The ReLU network ``x -> real(f_hat(bin(trunc(x))))`` of Theorems 1/9 for the circuit of ``f_hat``.

    Checked exactly: at every cell (all of them while ``2^(cd) <= 4096``) and the
    offsets ``{0, (1 - delta)/2, 1 - delta}`` per coordinate (cell units; the paper
    sawtooth uses ``[delta/2, 1 - delta/2]``), ``N(x)`` equals the recombined output of
    the circuit on the cell's bits; at the margin midpoints ``N(x)`` lies in
    ``[0, 1 - 2^-q]`` (Lemma 22's range bound) and the report counts where it differs.
    """
    if not isinstance(circuit, ThresholdCircuit):
        raise SpecError(f"expected a ThresholdCircuit, got {type(circuit).__name__}")
    d = check_positive_int(d, "d")
    c = check_positive_int(c, "c")
    delta = check_delta(delta)
    if route not in ROUTES:
        raise SpecError(f"unknown route {route!r} (expected one of {', '.join(ROUTES)})")
    if circuit.n != c * d:
        raise ArityError(f"the circuit has {circuit.n} inputs, c*d = {c}*{d} = {c * d} are needed")
    from reductions.threshold_relu import threshold_to_relu

    sim = threshold_to_relu(circuit)
    q = circuit.num_outputs
    builder = NetBuilder(d)
    bits: list[Affine] = []
    for i in range(d):
        x = builder.input(i)
        bits.extend(
            ramp_bits(builder, x, c, delta) if route == "ramps" else sawtooth_bits(builder, x, c, delta, variant)
        )
    outs = builder.embed(sim.result, bits)
    total = Affine()
    for k, o in enumerate(outs):
        assert isinstance(o, Affine)
        total = total + o * Fraction(1 << k, 1 << q)
    net = builder.build([total])

    s, m = circuit.size, circuit.depth
    hidden = discretiser_hidden(route, c, d)
    layers = circuit.layers()
    m_out = max(layers[o - circuit.n] for o in circuit.outputs)
    if route == "ramps":
        formula_depth = m + 2
        exact = m_out == m and all(g.weights for g in circuit.gates)
        formula = (
            "lbt's count of its Thm 1 network (Lemma 21 + Lemma 22 + linear recombination; the paper states "
            "poly(d) size): size 2d(2^c - 1) + 2s + 1, depth m + 2 (= k for a TC0_{k-2} circuit)"
        )
    else:
        formula_depth = c + m + 2
        exact = False
        formula = (
            "lbt's count of its Thm 9 network (Lemma 25 + Lemma 22 + linear recombination; the paper states "
            "O(d log^2 d)): size exactly d(c^2 + 3c) + 2s + 1, depth at most c + m + 2"
        )
    checked = "not checked"
    extra: dict = {"s": s, "m": m, "q": q, "discretiser_hidden": hidden, "route": route}
    if check:
        rng = random.Random(seed)
        cache: dict[tuple[int, ...], Fraction] = {}

        def value(cell: tuple[int, ...]) -> Fraction:
            if cell not in cache:
                bits = tuple((a >> k) & 1 for a in cell for k in range(c))
                out = circuit.evaluate(bits)
                cache[cell] = Fraction(sum(b << k for k, b in enumerate(out)), 1 << q)
            return cache[cell]

        paper = route == "sawtooth" and variant == "paper"
        offs = cell_offsets(delta, "paper" if paper else "ramps", 2)
        cells, cells_text = _cells(c, d, rng)
        points, expected = [], []
        for cell in cells:
            for off in itertools.product(offs, repeat=d):
                points.append([(a + o) / (1 << c) for a, o in zip(cell, off)])
                expected.append(value(cell))
        got = evaluate_points(net, points)
        for p, (v,), e in zip(points, got, expected):
            if v != e:
                raise AssertionError(f"assembled network is {v} at {[str(t) for t in p]}, expected {e}")
        margin = [
            [(a + 1 - delta / 2) / (1 << c) if not paper else Fraction(max(a, 1), 1 << c) for a in cell]
            for cell in cells
        ]
        top = 1 - Fraction(1, 1 << q)
        wrong = 0
        for p, (v,) in zip(margin, evaluate_points(net, margin)):
            if not 0 <= v <= top:
                raise AssertionError(f"assembled network is {v} at margin point {p}, outside [0, {top}]")
            wrong += v != value(tuple(trunc_index(t, c) for t in p))
        extra.update({"checked_points": len(points), "margin_points": len(margin), "margin_points_wrong": wrong})
        region = "[delta/2, 1 - delta/2]" if paper else "[0, 1 - delta]"
        checked = (
            f"exact rationals: N = recombined circuit output on the cell's bits at {len(points)} points "
            f"({cells_text} x offsets {{{', '.join(str(o) for o in offs)}}}^{d}, region {region} in cell units); "
            f"N in [0, 1 - 2^-{q}] at {len(margin)} margin points ({wrong} of them differ from the cell value)"
        )
    return Report(
        name="barrier_network",
        params={
            "d": d,
            "c": c,
            "route": route,
            "delta": str(delta),
            **({"variant": variant} if route == "sawtooth" else {}),
        },
        result=net,
        size=net.size,
        depth=net.depth,
        formula=formula,
        formula_size=hidden + 2 * s + 1,
        formula_depth=formula_depth,
        checked=checked,
        formula_kind="exact" if exact else "upper",
        source_size=s,
        source_depth=m,
        extra=extra,
    )


def barrier_demo(
    function: str = "product",
    d: int = 2,
    c: int = 3,
    *,
    route: str = "ramps",
    delta: Fraction | int | str = Fraction(1, 4),
    variant: str = "shifted",
    seed: int = 0,
) -> Report:
    """:func:`barrier_network` for a demo function, plus the paper's error budget checked exactly.

    ``f_hat(a) = floor(2^c f(a / 2^c))`` (a depth-2 :func:`staircase_circuit`).  At every
    checked point, ``|N(x) - f(x)| <= 2^-c + L * sum_i (x_i - trunc(x_i))`` with the
    coordinate-wise Lipschitz constant ``L`` (1 for the product, ``1/d`` for the average).
    """
    d = check_positive_int(d, "d")
    c = check_positive_int(c, "c")
    delta_f = check_delta(delta)
    if c * d > 12:
        raise ArityError(f"the demo builds a table of f_hat on c*d inputs; c*d = {c * d} exceeds 12")
    table = demo_table(function, d, c)
    circuit = staircase_circuit(table)
    if circuit.truth_table() != table:
        raise AssertionError("staircase circuit differs from its table")
    report = barrier_network(circuit, d, c, route=route, delta=delta_f, variant=variant, seed=seed)
    net = report.result
    lip = Fraction(1) if function == "product" else Fraction(1, d)
    paper = route == "sawtooth" and variant == "paper"
    offs = cell_offsets(delta_f, "paper" if paper else "ramps", 2)
    rng = random.Random(seed)
    cells, _ = _cells(c, d, rng)
    points = [
        [(a + o) / (1 << c) for a, o in zip(cell, off)] for cell in cells for off in itertools.product(offs, repeat=d)
    ]
    worst = Fraction(0)
    for p, (v,) in zip(points, evaluate_points(net, points)):
        gap = sum((t - Fraction(trunc_index(t, c), 1 << c) for t in p), Fraction(0))
        bound = Fraction(1, 1 << c) + lip * gap
        err = abs(v - _demo_real(function, p))
        if err > bound:
            raise AssertionError(f"|N - f| = {err} exceeds the budget {bound} at {p}")
        worst = max(worst, err)
    checked = report.checked + (
        f"; |N(x) - f(x)| <= 2^-c + {lip} * sum_i (x_i - trunc x_i) at all {len(points)} points (largest error {worst})"
    )
    return dataclasses.replace(
        report,
        name="barrier_demo",
        params={"function": function, **report.params},
        checked=checked,
        extra={**report.extra, "staircase_gates": circuit.size, "largest_error": str(worst)},
    )
