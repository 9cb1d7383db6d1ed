"""Tests of the shallow-to-deep-narrow conversion (reductions/width_depth.py).

Values are compared with a plain-Python reference evaluation of the source formula
``c + Σ u_i σ(w_i·x + b_i)``, written here.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from circuits.errors import LbtError, ModelError, SpecError
from circuits.relu import Neuron, ReLUNetwork
from reductions.width_depth import shallow_to_deep_narrow

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

frac = st.builds(Fraction, st.integers(-6, 6), st.integers(1, 4))
nonzero = frac.filter(bool)


def ref_deep(net: ReLUNetwork, x) -> Fraction:
    vals = [Fraction(v) for v in x]
    for v in net.neurons:
        z = v.bias + sum((w * vals[u] for u, w in v.weights), Fraction(0))
        vals.append(max(z, Fraction(0)) if v.activation == "relu" else z)
    (o,) = net.outputs
    return vals[o]


def shallow_value(hidden, u, c, x) -> Fraction:
    total = Fraction(c)
    for (ws, b), ui in zip(hidden, u):
        z = b + sum((w * x[j] for j, w in ws), Fraction(0))
        total += ui * max(z, Fraction(0))
    return total


@st.composite
def shallow_networks(draw, max_d=4, max_n=7):
    d = draw(st.integers(1, max_d))
    n = draw(st.integers(1, max_n))
    hidden = []
    for _ in range(n):
        coords = draw(st.lists(st.integers(0, d - 1), unique=True, max_size=d))
        hidden.append(([(j, draw(nonzero)) for j in coords], draw(frac)))
    u = [draw(frac) for _ in range(n)]
    c = draw(frac)
    neurons = [Neuron(tuple(ws), b) for ws, b in hidden]
    neurons.append(Neuron(tuple((d + i, ui) for i, ui in enumerate(u)), c, "linear"))
    net = ReLUNetwork(d, tuple(neurons), (d + n,))
    return net, hidden, u, c


def on_hyperplane(ws, b, x, j):
    """Move coordinate j of x onto the hyperplane Σ w x + b = 0."""
    wj = dict(ws)[j]
    rest = b + sum(w * x[m] for m, w in ws if m != j)
    y = list(x)
    y[j] = -rest / wj
    return y


@SETTINGS
@given(shallow_networks(), st.integers(1, 5), st.sampled_from([None, 1, 2, Fraction(1, 2), 3]), st.data())
def test_deep_narrow_equal_and_counts(source, k, box, data):
    net, hidden, u, c = source
    d, n = net.n, len(hidden)
    P = net.num_parameters()
    constant = [i for i, (ws, _) in enumerate(hidden) if not ws]
    live = [i for i, (ws, _) in enumerate(hidden) if ws]
    if not live:
        with pytest.raises(ModelError, match="constant"):
            shallow_to_deep_narrow(net)
        return
    P -= sum(1 + (u[i] != 0) for i in constant)
    r = shallow_to_deep_narrow(net, per_layer=k, box=box, samples=8)
    deep = r.result
    assert r.extra["folded_constant_neurons"] == len(constant)
    n = len(live)
    L = -(-n // k)
    # exact equality: random rational points of the domain, then points on and beside each hyperplane
    bound = Fraction(box) if box is not None else Fraction(12)
    coord = st.builds(lambda a: bound * Fraction(a, 24), st.integers(-24, 24))
    for _ in range(3):
        x = data.draw(st.lists(coord, min_size=d, max_size=d))
        assert ref_deep(deep, x) == shallow_value(hidden, u, c, x)
        for ws, b in hidden:
            for j, _ in ws:
                y = on_hyperplane(ws, b, x, j)
                for eps in (0, Fraction(1, 101), Fraction(-1, 101)):
                    z = list(y)
                    z[j] += eps
                    if box is None or all(abs(t) <= bound for t in z):
                        assert ref_deep(deep, z) == shallow_value(hidden, u, c, z)
    # counts
    assert deep.depth == r.depth == L + 1 == r.formula_depth
    assert deep.is_layered()
    widths = deep.widths()
    assert r.extra["width"] == max(widths) == r.extra["formula_width"]
    assert r.extra["params_before"] == net.num_parameters() and r.extra["params_folded"] == P
    assert r.extra["params_after"] == deep.num_parameters() == r.extra["formula_params"]
    if box is not None:
        assert deep.size == r.formula_size == n + d * (L - 1) + L + 1
        assert max(widths) <= d + k + 1
        assert deep.num_parameters() == P + 2 * (d + 1) * (L - 1) + 2
        if L >= 2:
            assert max(widths) == d + k + 1
    else:
        assert deep.size == r.formula_size == n + 2 * d * (L - 1) + 2 * L + 1
        assert max(widths) <= 2 * d + k + 2
        later = sum(len(hidden[i][0]) for i in live[k:])
        assert deep.num_parameters() == P + later + 4 * (d + 1) * (L - 1) + 4
    assert r.matches_formula and r.formula_kind == "exact"


def test_width_d_plus_2_and_2d_plus_1_variants():
    # d = 2, n = 6 hidden neurons
    hidden = [Neuron(((0, i - 2), (1, 1)), Fraction(i, 3) - 1) for i in range(6)]
    out = Neuron(tuple((2 + i, (-1) ** i * (i + 1)) for i in range(6)), 1, "linear")
    net = ReLUNetwork(2, (*hidden, out), (8,))
    narrow = shallow_to_deep_narrow(net, per_layer=1, box=1)
    assert narrow.extra["width"] == 2 + 2 and narrow.depth == 6 + 1
    block = shallow_to_deep_narrow(net, per_layer=2, box=1)
    assert block.extra["width"] == 2 * 2 + 1 and block.depth == 3 + 1
    assert "[-1, 1]^2" in narrow.extra["domain"]
    everywhere = shallow_to_deep_narrow(net, per_layer=1)
    assert everywhere.extra["domain"] == "R^2" and everywhere.extra["width"] == 2 * 2 + 1 + 2


def test_box_variant_is_exact_only_on_its_domain():
    # N(x) = σ(x) + σ(-x) = |x|; the second neuron is computed from the carried σ(x + 1)
    net = ReLUNetwork(1, (Neuron(((0, 1),), 0), Neuron(((0, -1),), 0), Neuron(((1, 1), (2, 1)), 0, "linear")), (3,))
    boxed = shallow_to_deep_narrow(net, box=1).result
    everywhere = shallow_to_deep_narrow(net).result
    for x in (Fraction(-1), Fraction(-1, 3), Fraction(0), Fraction(1)):
        assert ref_deep(boxed, [x]) == abs(x) == ref_deep(everywhere, [x])
    assert ref_deep(boxed, [Fraction(-3)]) != 3  # outside [-1, 1] the carry σ(x + 1) is clipped
    assert ref_deep(everywhere, [Fraction(-3)]) == 3


def test_running_sum_offset_keeps_negative_prefixes():
    # u = (-5, 1): the first prefix sum is -5 σ(x) < 0; the offset M keeps the accumulator exact
    net = ReLUNetwork(1, (Neuron(((0, 1),), 0), Neuron(((0, 1),), 1), Neuron(((1, -5), (2, 1)), 0, "linear")), (3,))
    r = shallow_to_deep_narrow(net, box=2)
    assert r.extra["M"] == "10"
    for x in (Fraction(-2), Fraction(1, 2), Fraction(2)):
        assert ref_deep(r.result, [x]) == -5 * max(x, 0) + max(x + 1, 0)


def test_rejects_networks_outside_the_model():
    two_hidden = ReLUNetwork(1, (Neuron(((0, 1),), 0), Neuron(((1, 1),), 0), Neuron(((2, 1),), 0, "linear")), (3,))
    with pytest.raises(ModelError) as info:
        shallow_to_deep_narrow(two_hidden)
    assert "\n" not in str(info.value) and "2 hidden layers" in str(info.value)
    skip = ReLUNetwork(1, (Neuron(((0, 1),), 0), Neuron(((0, 1), (1, 1)), 0, "linear")), (2,))
    with pytest.raises(ModelError, match="skip connection"):
        shallow_to_deep_narrow(skip)
    thr = ReLUNetwork(1, (Neuron(((0, 1),), 0), Neuron(((1, 1),), 0, "threshold")), (2,))
    with pytest.raises(ModelError, match="linear output"):
        shallow_to_deep_narrow(thr)
    two_out = ReLUNetwork(
        1, (Neuron(((0, 1),), 0), Neuron(((1, 1),), 0, "linear"), Neuron(((1, 2),), 0, "linear")), (2, 3)
    )
    with pytest.raises(ModelError, match="single output"):
        shallow_to_deep_narrow(two_out)
    ok = ReLUNetwork(1, (Neuron(((0, 1),), 0), Neuron(((1, 1),), 0, "linear")), (2,))
    for bad in ({"per_layer": 0}, {"box": 0.5}, {"box": -1}, {"samples": -2}):
        with pytest.raises(SpecError):
            shallow_to_deep_narrow(ok, **bad)
    with pytest.raises(LbtError):
        shallow_to_deep_narrow("net")  # type: ignore[arg-type]
