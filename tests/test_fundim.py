"""Exact functional dimension (circuits/fundim.py): Jacobian, rank, bound D - H, width-1 chains."""

from __future__ import annotations

import random
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from circuits.errors import SpecError
from circuits.fundim import (
    Architecture,
    exact_rank,
    functional_dimension,
    jacobian,
    network_output,
    parse_architecture,
    random_parameters,
    sample_points,
)

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def flat(theta):
    return [x for W, b in theta for x in [w for row in W for w in row] + list(b)]


def unflat(arch, values):
    out, k, w = [], 0, arch.widths
    for i in range(1, len(w)):
        W = [values[k + r * w[i - 1] : k + (r + 1) * w[i - 1]] for r in range(w[i])]
        k += w[i] * w[i - 1]
        out.append((W, values[k : k + w[i]]))
        k += w[i]
    return out


def chain(ws, bs):
    """Parameters of a width-1 chain from lists of (weight rows) and biases."""
    return [([[F(x) for x in row]], [F(b)]) for row, b in zip(ws, bs)]


# ------------------------------------------------------------------ parsing and counting
@pytest.mark.parametrize(
    "arch, d, h, bound",
    # the examples of D - H listed in the notes, recounted by the formula sum n_l (n_{l-1} + 1)
    [
        ((2, 2, 1), 9, 2, 7),
        ((2, 3, 1), 13, 3, 10),
        ((2, 2, 2, 1), 15, 4, 11),
        ((3, 3, 3, 1), 28, 6, 22),
        ((2, 1, 1, 1, 1), 9, 3, 6),
    ],
)
def test_counts(arch, d, h, bound):
    a = Architecture(arch)
    assert (a.params, a.hidden, a.bound) == (d, h, bound)
    assert len(flat(random_parameters(a, random.Random(0)))) == d


@pytest.mark.parametrize("text", ["", "2", "2,", "2,x,1", "2;3", "-1,2", "2, ,1"])
def test_malformed_architecture(text):
    with pytest.raises(SpecError):
        parse_architecture(text)


def test_zero_width_rejected():
    with pytest.raises(SpecError, match=">= 1"):
        parse_architecture("2,0,1")


# ------------------------------------------------------------------ the Jacobian against exact finite differences
@given(st.integers(0, 10**6), st.sampled_from([(2, 2, 1), (1, 3, 2), (2, 2, 2, 1), (3, 1, 2, 2)]))
@SETTINGS
def test_jacobian_matches_difference_quotients(seed, widths):
    """F is affine in each single parameter inside a linear region, so an exact difference quotient is the derivative."""
    rng = random.Random(seed)
    arch = Architecture(widths)
    theta = random_parameters(arch, rng)
    pts = sample_points(arch, theta, 3, rng)
    rows = jacobian(theta, pts)
    base = flat(theta)
    h = F(1, 10**9)
    for j in range(arch.params):
        moved = list(base)
        moved[j] += h
        th2 = unflat(arch, moved)
        col = []
        for z in pts:
            f0, f1 = network_output(theta, z), network_output(th2, z)
            col += [(b - a) / h for a, b in zip(f0, f1)]
        assert col == [r[j] for r in rows]


@given(st.integers(0, 10**6), st.sampled_from([(2, 2, 1), (2, 3, 2, 1), (3, 2, 2, 2)]))
@SETTINGS
def test_rescaling_directions_are_in_the_kernel(seed, widths):
    """Scaling a hidden neuron's inputs by c and outputs by 1/c fixes F, so that tangent vector is in ker J."""
    rng = random.Random(seed)
    arch = Architecture(widths)
    theta = random_parameters(arch, rng)
    rows = jacobian(theta, sample_points(arch, theta, 4, rng))
    w = arch.widths
    for layer in range(1, len(w) - 1):
        for i in range(w[layer]):
            tangent = []
            for lv, (W, b) in enumerate(theta, start=1):
                for r, row in enumerate(W):
                    for c, x in enumerate(row):
                        tangent.append(
                            x if (lv == layer and r == i) else (-x if (lv == layer + 1 and c == i) else F(0))
                        )
                tangent += [x if (lv == layer and r == i) else F(0) for r, x in enumerate(b)]
            assert all(sum(a * t for a, t in zip(row, tangent)) == 0 for row in rows)


@given(st.lists(st.lists(st.integers(-3, 3), min_size=6, max_size=6), min_size=1, max_size=8), st.integers(1, 5))
@SETTINGS
def test_exact_rank_matches_numpy(rows, den):
    frac = [[F(a, den) for a in r] for r in rows]
    assert exact_rank(frac) == np.linalg.matrix_rank(np.array(rows, dtype=float))


@given(st.integers(0, 10**6), st.sampled_from([(2, 2, 1), (1, 2, 1), (2, 1, 1, 1), (1, 1, 1, 1, 1), (2, 2, 2, 1)]))
@SETTINGS
def test_rank_never_exceeds_the_bound(seed, widths):
    arch = Architecture(widths)
    rng = random.Random(seed)
    theta = random_parameters(arch, rng, anchored=bool(seed % 2))
    assert exact_rank(jacobian(theta, sample_points(arch, theta, 3 * arch.params, rng))) <= arch.bound


# ------------------------------------------------------------------ the claims
@pytest.mark.parametrize(
    "widths", [(2, 2, 1), (2, 3, 1), (2, 2, 2, 1), (3, 3, 3, 1), (3, 2, 2), (4, 3, 2, 1), (2, 2, 2, 2, 1)]
)
def test_widths_at_least_two_reach_the_bound(widths):
    """Grillo-Montufar: input and hidden widths >= 2 give functional dimension D - H on an open set."""
    res = functional_dimension(widths, seed=1, tries=30)
    assert res.rank == res.bound and res.attains_bound


def test_one_hidden_layer_width_one_reaches_the_bound():
    assert functional_dimension((2, 1, 1), seed=0).attains_bound


def test_deep_width_one_chain_explicit_parameters():
    """(2,1,1,1,1): bound 6; the realized functions are clipped ramps a + b clip(w.x, t1, t2), a family of dimension 5.

    This theta realizes a clipped ramp with both breakpoints and reaches 5.
    """
    # u = relu(x1 + 2 x2), y = relu(1 - u), v = relu(y + 1) = y + 1, out = 3 v - 1
    theta = chain([[1, 2], [-1], [1], [3]], [0, 1, 1, -1])
    rng = random.Random(0)
    pts = []
    while len(pts) < 60:
        z = [F(rng.randint(-400, 400), 64) for _ in range(2)]
        u = z[0] + 2 * z[1]
        if u != 0 and u != 1:
            pts.append(z)
    assert exact_rank(jacobian(theta, pts)) == 5


def test_deep_width_one_chain_stays_below_the_bound():
    """The best over many random theta is 5 = bound - 1 for (2,1,1,1,1) (the notes predict <= 5 for every theta)."""
    res = functional_dimension((2, 1, 1, 1, 1), seed=0, tries=40)
    assert res.bound == 6 and res.rank == 5 and all(r <= 5 for r in res.ranks)


def test_one_input_chain_inhomogeneity():
    """(1,1,1,1): one breakpoint (w, v > 0, c < 0) gives rank 3, two breakpoints (v < 0, c > 0) give rank 4 = D - H."""
    pts = [[F(x, 7)] for x in range(-60, 60) if x % 7]
    one = chain([[1], [1], [1]], [0, -1, 0])  # relu(relu(x) - 1): breakpoint at x = 1 only
    two = chain([[1], [-1], [1]], [0, 1, 0])  # relu(1 - relu(x)): breakpoints at 0 and 1
    assert exact_rank(jacobian(one, pts)) == 3
    assert exact_rank(jacobian(two, pts)) == 4 == Architecture((1, 1, 1, 1)).bound


def test_one_input_three_layer_chain_reaches_four():
    """(1,1,1,1,1): bound 5, clipped ramps in one variable form a 4-dimensional family; 4 is reached."""
    pts = [[F(x, 7)] for x in range(-60, 60) if x % 7]
    theta = chain([[1], [-1], [1], [1]], [0, 1, 1, 0])
    assert exact_rank(jacobian(theta, pts)) == 4 < Architecture((1, 1, 1, 1, 1)).bound


def test_points_on_breakpoints_rejected():
    theta = chain([[1], [1]], [0, 0])
    with pytest.raises(ValueError, match="breakpoint"):
        jacobian(theta, [[F(0)]])


@pytest.mark.slow
@pytest.mark.parametrize("widths", [(5, 5, 5, 1), (2, 2, 2, 2, 2, 1), (1, 3, 3, 1)])
def test_larger_architectures_reach_the_bound(widths):
    assert functional_dimension(widths, seed=7, tries=150).attains_bound
