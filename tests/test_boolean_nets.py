"""Tests of the O(d) ReLU networks for DISJ_d and IP_d (reductions/boolean_nets.py, Thm 16 of paper 002)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from circuits.errors import ModelError, SpecError
from circuits.relu import Neuron, ReLUNetwork
from circuits.targets import target
from circuits.truthtable import TruthTable
from reductions.boolean_nets import boolean_net_table, disj_network, ip_network


# ------------------------------------------------------------------ references written here
def ref_table(d: int, fn) -> TruthTable:
    """Brute force over all 2^(2d) rows; x = inputs 0..d-1, y = inputs d..2d-1."""

    def row(bits):
        x, y = bits[:d], bits[d:]
        return fn(x, y)

    return TruthTable.from_function(2 * d, row)


def ip_ref(x, y):
    return sum(a & b for a, b in zip(x, y)) % 2


def disj_ref(x, y):
    return all(not (a and b) for a, b in zip(x, y))


def expected_ip_size(d, gadget):
    levels = math.ceil(math.log2(d)) if d > 1 else 0
    return 2 * d + 1 if gadget == "ramps" else d + 2 * levels + 1


def expected_ip_depth(d, gadget):
    levels = math.ceil(math.log2(d)) if d > 1 else 0
    return 3 if gadget == "ramps" else levels + 2


def float_cube_eval(net: ReLUNetwork, chunk_bits: int = 18) -> np.ndarray:
    """The output on all 2^n rows in float64, chunked.

    Exact here: every weight and bias is a dyadic rational with a small denominator and
    every intermediate value is a dyadic rational of small magnitude, so float64
    (53-bit mantissa) represents each of them exactly; the function asserts the
    dyadic-weight premise.
    """
    for v in net.neurons:
        for q in [v.bias] + [w for _, w in v.weights]:
            assert q.denominator & (q.denominator - 1) == 0 and q.denominator <= 2**10 and abs(q) <= 2**20
    n = net.n
    out = np.empty(1 << n, dtype=np.float64)
    step = 1 << min(n, chunk_bits)
    for start in range(0, 1 << n, step):
        rows = np.arange(start, start + step, dtype=np.int64)
        vals = [((rows >> j) & 1).astype(np.float64) for j in range(n)]
        for v in net.neurons:
            z = np.full(step, float(v.bias))
            for u, w in v.weights:
                z += float(w) * vals[u]
            vals.append(np.maximum(z, 0.0) if v.activation == "relu" else z)
        out[start : start + step] = vals[net.outputs[0]]
    return out


# ------------------------------------------------------------------ exactness
@pytest.mark.parametrize("d", range(1, 7))
def test_disj_exact(d):
    r = disj_network(d, check=False)
    table = r.result.truth_table()
    assert table == ref_table(d, disj_ref) == target(f"disj:{d}").table


@pytest.mark.parametrize("d", range(1, 7))
@pytest.mark.parametrize("gadget", ["ramps", "sawtooth"])
def test_ip_exact(d, gadget):
    r = ip_network(d, gadget, check=False)
    table = r.result.truth_table()  # raises ModelError if any output is not exactly 0/1
    assert table == ref_table(d, ip_ref) == target(f"ip:{d}").table


@pytest.mark.parametrize("d", range(1, 7))
def test_float_reference_agrees_with_exact(d):
    """The float64 reference used in the slow test agrees with exact evaluation where both run."""
    for net in (disj_network(d, check=False).result, ip_network(d, "sawtooth", check=False).result):
        exact = np.array([float(v[0]) for v in net.values_on_cube()])
        assert np.array_equal(float_cube_eval(net), exact)


@pytest.mark.slow
@pytest.mark.parametrize("d", range(7, 13))
def test_exact_large_d(d):
    n = 2 * d
    rows = np.arange(1 << n, dtype=np.int64)
    x, y = rows & ((1 << d) - 1), rows >> d
    x_and_y = x & y
    ip = (np.bitwise_count(x_and_y) & 1).astype(np.float64)
    disj = (x_and_y == 0).astype(np.float64)
    for gadget in ("ramps", "sawtooth"):
        r = ip_network(d, gadget, check=d <= 11)  # d <= 11: also the module's own exhaustive check
        assert np.array_equal(float_cube_eval(r.result), ip)
    assert np.array_equal(float_cube_eval(disj_network(d).result), disj)
    if n <= 20:
        assert ip_network(d, check=False).result.computes(target(f"ip:{d}").table)
        assert disj_network(d, check=False).result.computes(target(f"disj:{d}").table)


def test_self_check_runs():
    r = ip_network(4, "sawtooth")
    assert "2^8" in r.checked and r.matches_formula


# ------------------------------------------------------------------ sizes
@pytest.mark.parametrize("d", range(1, 13))
def test_sizes_and_depths(d):
    disj = disj_network(d, check=False)
    assert (disj.size, disj.depth) == (d + 1, 2) and disj.matches_formula
    assert disj.result.output_activations == ("relu",)
    for gadget in ("ramps", "sawtooth"):
        r = ip_network(d, gadget, check=False)
        assert r.size == expected_ip_size(d, gadget) and r.depth == expected_ip_depth(d, gadget)
        assert r.matches_formula
    assert not ip_network(d, "ramps", check=False).result.has_skip_connections()


def test_table():
    rows = boolean_net_table(12, check_up_to=3)
    assert [r["d"] for r in rows] == list(range(1, 13))
    for r in rows:
        d = r["d"]
        assert r["disj_size"] == d + 1
        assert r["ip_ramps_size"] == expected_ip_size(d, "ramps")
        assert r["ip_sawtooth_size"] == expected_ip_size(d, "sawtooth")
        assert r["ip_sawtooth_depth"] == expected_ip_depth(d, "sawtooth")
        assert r["formulas_match"] and r["checked"] == (d <= 3)


# ------------------------------------------------------------------ the output activation matters
@pytest.mark.parametrize("d", [2, 3, 4])
def test_linear_disj_output_is_not_boolean(d):
    net = disj_network(d, check=False).result
    last = net.neurons[-1]
    linear = ReLUNetwork(net.n, net.neurons[:-1] + (Neuron(last.weights, last.bias, "linear"),), net.outputs)
    with pytest.raises(ModelError):
        linear.truth_table()
    x = [1, 1] + [0] * (d - 2)
    assert linear.evaluate(x + x)[0] == Fraction(-1)


def test_linear_disj_output_fine_for_d1():
    net = disj_network(1, check=False).result
    last = net.neurons[-1]
    linear = ReLUNetwork(net.n, net.neurons[:-1] + (Neuron(last.weights, last.bias, "linear"),), net.outputs)
    assert linear.truth_table() == target("disj:1").table


def test_ip_wrong_gadget_detected():
    """A broken parity gadget (one sign flipped) is caught by the reference comparison."""
    net = ip_network(3, "ramps", check=False).result
    last = net.neurons[-1]
    weights = list(last.weights)
    u, w = weights[-1]
    weights[-1] = (u, -w)
    broken = ReLUNetwork(net.n, net.neurons[:-1] + (Neuron(tuple(weights), last.bias, "linear"),), net.outputs)
    assert not broken.computes(ref_table(3, ip_ref))


# ------------------------------------------------------------------ invalid parameters
@pytest.mark.parametrize(
    "call",
    [
        lambda: disj_network(0),
        lambda: ip_network(0),
        lambda: ip_network(3, "bumps"),
        lambda: boolean_net_table(0),
        lambda: ip_network(2.0),
    ],
)
def test_invalid_parameters(call):
    with pytest.raises(SpecError):
        call()
