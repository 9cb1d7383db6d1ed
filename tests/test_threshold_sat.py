"""Exact minimum threshold circuits (solvers.threshold.encoding) against independent brute force.

The oracles here share no code with the solver: threshold functions are
enumerated from small integer weights, and the enumeration is shown complete by
counting the threshold functions of n variables (OEIS A000609: 2, 4, 14, 104,
1882, 94572) before it is used.
"""

from __future__ import annotations

import itertools
import math
from functools import cache

import numpy as np
import pytest

from circuits.errors import SpecError
from circuits.npn import npn_canonical_all
from circuits.targets import target
from circuits.threshold import ThresholdCircuit
from circuits.truthtable import TruthTable
from solvers.threshold.encoding import (
    SYMMETRY_BREAKING,
    ThresholdOptions,
    encode,
    solve_size,
)
from solvers.threshold.engine import synthesize_threshold

A000609 = {1: 4, 2: 14, 3: 104, 4: 1882, 5: 94572}


@cache
def npn4() -> list[int]:
    """The 222 NPN class representatives of 4-input functions."""
    reps = sorted({int(v) for v in npn_canonical_all(4)})
    assert len(reps) == 222
    return reps


# ---------------------------------------------------------------- brute force
def _inputs(n: int) -> np.ndarray:
    return np.array([[(r >> j) & 1 for j in range(n)] for r in range(1 << n)], dtype=np.int64)


@cache
def gates(n: int, W: int, T: int | None = None, support: int | None = None) -> frozenset[int]:
    """Tables of ``[w.x >= t]`` on n inputs, ``w`` in [-W, W]^n, ``t`` in [-T, T] (default: all cuts)."""
    grid = np.array(list(itertools.product(range(-W, W + 1), repeat=n)), dtype=np.int64).reshape(-1, n)
    if support is not None:
        grid = grid[(grid != 0).sum(axis=1) <= support]
    S = grid @ _inputs(n).T
    if T is None:
        T = W * n + 1
    pw = np.left_shift(np.int64(1), np.arange(1 << n, dtype=np.int64))
    return frozenset(np.unique(np.concatenate([((S >= t) * pw).sum(axis=1) for t in range(-T, T + 1)])).tolist())


#: Weight bounds that give every threshold function (checked by test_enumeration_is_complete).
FULL_W = {1: 1, 2: 1, 3: 2, 4: 3, 5: 5}


def thr(n: int) -> frozenset[int]:
    return gates(n, FULL_W[n])


def compose(h_tables: np.ndarray, g: int, n: int) -> np.ndarray:
    """``h(x, g(x))`` for every table ``h`` on n+1 inputs (input n is g)."""
    out = np.zeros(len(h_tables), dtype=np.int64)
    for x in range(1 << n):
        src = x + ((g >> x) & 1) * (1 << n)
        out |= ((h_tables >> src) & 1) << x
    return out


@cache
def size_at_most_2(n: int, W: int | None = None, support: int | None = None) -> tuple[frozenset[int], frozenset[int]]:
    """(functions of size 1, functions of size <= 2) on n inputs, by enumeration.

    Size 2: a first gate ``g1`` on x and an output gate on ``(x, g1)``.  With
    ``W`` weights and thresholds lie in [-W, W]; with ``support`` each gate reads
    at most that many nodes.
    """
    if W is None and support is None:
        one, two_h = thr(n), thr(n + 1)
    else:
        w = W if W is not None else FULL_W[n + 1]
        t = W if W is not None else None
        one = gates(n, w if W is not None else FULL_W[n], t, support)
        two_h = gates(n + 1, w, t, support)
    h = np.array(sorted(two_h), dtype=np.int64)
    two = set(one)
    for g in one:
        two.update(compose(h, g, n).tolist())
    return frozenset(one), frozenset(two)


def brute_min(table: int, n: int, **kw) -> int:
    """1, 2, or 3 meaning "more than 2"."""
    one, two = size_at_most_2(n, **kw)
    return 1 if table in one else 2 if table in two else 3


def engine_min(f: TruthTable, max_size: int = 2, **kw) -> int:
    r = synthesize_threshold(f, max_size=max_size, **kw)
    if r.size is not None:
        assert r.circuit is not None and r.circuit.computes(f) and r.circuit.size == r.size
        assert r.proven
        return r.size
    assert r.lower_bound == max_size + 1
    return max_size + 1


# ---------------------------------------------------------------- the oracle itself
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_enumeration_is_complete(n):
    assert len(thr(n)) == A000609[n]


def test_enumeration_needs_the_weights():
    # a sanity check that the count can fail: weights in [-1, 1] miss 4-input threshold functions
    assert len(gates(4, 1)) < A000609[4]


# ---------------------------------------------------------------- brute force vs engine
def test_all_3_input_functions_up_to_size_2():
    for t in range(256):
        f = TruthTable.single(3, t)
        assert engine_min(f) == brute_min(t, 3), hex(t)


def brute_min_4(f: int) -> int:
    """Like :func:`brute_min` for one 4-input function, without tabulating all size-2 functions.

    Size 2 iff for some first gate g1 some 5-input threshold function h agrees with
    f on the 16 points ``(x, g1(x))``.
    """
    if f in thr(4):
        return 1
    h = np.array(sorted(thr(5)), dtype=np.uint64)
    for g in thr(4):
        mask = want = 0
        for x in range(16):
            bit = 1 << (x + 16 * ((g >> x) & 1))
            mask |= bit
            if (f >> x) & 1:
                want |= bit
        if np.any((h & np.uint64(mask)) == np.uint64(want)):
            return 2
    return 3


def test_4_input_npn_classes_up_to_size_2():
    sample = npn4()[::20] + [0x01AC, 0x06B4]  # the last two need 3 gates
    outcomes = set()
    for t in sample:
        expected = brute_min_4(t)
        outcomes.add(expected)
        assert engine_min(TruthTable.single(4, t)) == expected, hex(t)
    assert outcomes == {1, 2, 3}


@pytest.mark.slow
def test_all_4_input_npn_classes_up_to_size_2():
    for t in npn4():
        assert engine_min(TruthTable.single(4, t)) == brute_min(t, 4), hex(t)


@pytest.mark.parametrize("W", [1, 2])
def test_bounded_weights_3_inputs(W):
    for t in range(0, 256, 3):
        f = TruthTable.single(3, t)
        assert engine_min(f, max_weight=W) == brute_min(t, 3, W=W), hex(t)


def test_fanin_2_3_inputs():
    for t in range(256):
        f = TruthTable.single(3, t)
        assert engine_min(f, fanin=2) == brute_min(t, 3, support=2), hex(t)


@cache
def layered2_size3() -> frozenset[int]:
    """3-input functions computed by two layer-1 gates and an output reading only them."""
    one = sorted(thr(3))
    h2 = sorted(thr(2))
    out = set()
    for a in one:
        for b in one:
            for h in h2:
                t = 0
                for x in range(8):
                    t |= ((h >> (((a >> x) & 1) | (((b >> x) & 1) << 1))) & 1) << x
                out.add(t)
    return frozenset(out)


def test_layered_depth_2_3_inputs():
    one = thr(3)
    three = layered2_size3()
    for t in range(0, 256, 5):
        f = TruthTable.single(3, t)
        # layered: a size-2 circuit is an output reading only one gate, i.e. size 1
        expected = 1 if t in one else 3 if t in three else 4
        assert engine_min(f, max_size=3, layered=2) == expected, hex(t)


def test_depth_2_equals_any_depth_up_to_size_2():
    for t in range(0, 256, 7):
        f = TruthTable.single(3, t)
        assert engine_min(f, depth=2) == brute_min(t, 3), hex(t)


def test_depth_1_is_a_single_gate():
    r = synthesize_threshold("par:3", depth=1)
    assert r.size is None and r.infeasible and r.proven
    r = synthesize_threshold("maj:3", depth=1)
    assert r.size == 1 and r.proven


# ---------------------------------------------------------------- symmetry breaking
def _minimum(f: TruthTable, sym, **kw) -> int:
    opts = ThresholdOptions(**kw)
    for s in range(1, 8):
        out = solve_size(encode(f, s, opts, sym))
        if out.status == "sat":
            assert out.witness is not None and out.witness.computes(f)
            return s
        assert out.status == "unsat"
    raise AssertionError("no circuit up to 7 gates")


SB_SAMPLE = [0x96, 0xE8, 0x6CA0, 0x1668, 0x0116, 0x6996, 0x8001, 0x17E8, 0x0660, 0x01AC, 0x035E, 0x06B4]


@pytest.mark.parametrize("drop", ["all"] + list(SYMMETRY_BREAKING))
def test_each_symmetry_breaking_preserves_minima(drop):
    for t in SB_SAMPLE:
        n = 3 if t < 256 else 4
        f = TruthTable.single(n, t)
        full = _minimum(f, set(SYMMETRY_BREAKING))
        sym = set() if drop == "all" else set(SYMMETRY_BREAKING) - {drop}
        assert _minimum(f, sym) == full, (hex(t), drop)


def test_symmetry_breaking_with_bounded_weights_preserves_minima():
    from solvers.threshold.encoding import allowed_symmetry_breaking

    sym = allowed_symmetry_breaking(ThresholdOptions(max_weight=1))
    assert sym == {"output_last", "used", "order", "pairs", "pairs_output"}
    for t in (0x96, 0xE8, 0x1668):
        n = 3 if t < 256 else 4
        f = TruthTable.single(n, t)
        assert _minimum(f, sym, max_weight=1) == _minimum(f, set(), max_weight=1), hex(t)


@pytest.mark.slow
@pytest.mark.parametrize("kw", [{}, {"layered": 2}, {"depth": 2}, {"max_weight": 1}])
def test_symmetry_breaking_npn4_sample_slow(kw):
    from solvers.threshold.encoding import allowed_symmetry_breaking

    sym = allowed_symmetry_breaking(ThresholdOptions(**kw))
    for t in npn4()[::11]:
        f = TruthTable.single(4, t)
        assert _minimum(f, sym, **kw) == _minimum(f, set(), **kw), (hex(t), kw)


def test_parity_fanin_2_needs_6_gates():
    # two XORs of three fan-in-2 gates each; 6 is also the minimum without any
    # symmetry breaking (test_symmetry_breaking_parity_fanin_2).  A larger minimum is
    # where an unsound ordering constraint shows (it gave 10 in a deliberate mutation).
    r = synthesize_threshold("par:3", fanin=2)
    assert r.size == 6 and r.proven
    assert all(g.fan_in <= 2 for g in r.circuit.gates)


@pytest.mark.slow
def test_symmetry_breaking_parity_fanin_2():
    f = target("par:3").table
    opts = ThresholdOptions(fanin=2)
    assert solve_size(encode(f, 5, opts, set())).status == "unsat"
    out = solve_size(encode(f, 6, opts, set()))
    assert out.status == "sat" and out.witness.computes(f)


def test_unsound_symmetry_breaking_is_refused_with_bounded_weights():
    with pytest.raises(SpecError):
        encode(TruthTable.single(3, 0x96), 2, ThresholdOptions(max_weight=2), {"normal"})


# ---------------------------------------------------------------- parity
@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_parity_minimum_is_log(n):
    # Parity of n inputs needs and has ceil(log2(n + 1)) threshold gates in the
    # unrestricted-depth model: the binary-count construction computes the bits of
    # sum(x) from the most significant down (R. C. Minnick, "Linear-input logic",
    # IRE Trans. Electronic Computers EC-10, 1961; S. Muroga, "Threshold Logic and
    # its Applications", Wiley 1971).
    r = synthesize_threshold(f"par:{n}")
    assert r.proven and r.size == math.ceil(math.log2(n + 1))
    assert r.circuit.computes(target(f"par:{n}").table)
    assert r.circuit.size <= math.ceil(math.log2(n + 1))


def test_known_small_minima():
    cases = {"maj:5": 1, "eq:2": 2, "disj:2": 2, "ip:2": 2, "exact:4:2": 2}
    for spec, size in cases.items():
        r = synthesize_threshold(spec)
        assert (r.size, r.proven) == (size, True), spec
        assert r.circuit.computes(target(spec).table)


def test_multi_output_shares_equal_outputs_and_checks_witness():
    f = target("sum:3").table
    r = synthesize_threshold(f)
    assert r.proven and r.size == 2 and r.circuit.computes(f)
    dup = f.output(0).stack(f.output(0))
    r = synthesize_threshold(dup)
    assert r.size == 2 and r.circuit.outputs[0] == r.circuit.outputs[1]


def test_constant_and_literal_targets():
    for t in (0x00, 0xFF, 0xAA, 0x55):
        r = synthesize_threshold(TruthTable.single(3, t))
        assert r.size == 1 and r.proven and r.circuit.computes(TruthTable.single(3, t))


def test_result_keys_and_witness():
    r = synthesize_threshold("par:3")
    d = r.to_dict()
    for key in ("target", "model", "size", "proven", "lower_bound", "witness", "refutations", "seconds"):
        assert key in d
    assert d["model"] == "thr" and d["size"] == 2 and d["proven"] is True
    c = ThresholdCircuit.from_dict(d["witness"])
    assert c.computes(target("par:3").table)
    assert d["witness_max_weight"] == c.max_weight


def test_start_above_bound_is_not_proven():
    r = synthesize_threshold("par:4", start=3)
    assert r.size == 3 and not r.proven


def test_max_weight_witness_respects_bound():
    r = synthesize_threshold("par:3", max_weight=1)
    assert r.proven and r.circuit.max_weight <= 1
    r2 = synthesize_threshold("par:3")
    assert r.size >= r2.size


def test_timeout_returns_partial_result():
    r = synthesize_threshold("par:6", max_weight=1, timeout=1.0)
    assert r.timed_out and r.size is None


# ---------------------------------------------------------------- options
@pytest.mark.parametrize(
    "kw",
    [
        {"layered": 0},
        {"max_weight": -1},
        {"depth": 0},
        {"fanin": 0},
        {"depth": 2, "layered": 2},
        {"depth": True},
        {"fanin": 1.5},
        {"method": "magic"},
        {"max_size": 0},
        {"timeout": -1},
        {"symmetry": {"nonsense"}},
    ],
)
def test_option_validation(kw):
    with pytest.raises(SpecError) as exc:
        synthesize_threshold("maj:3", **kw)
    assert "\n" not in str(exc.value)


def test_minimise_weights_keeps_columns_and_reaches_the_least_bound():
    from circuits.threshold import ThresholdCircuit, ThresholdGate
    from solvers.threshold.encoding import bounded_separator, minimise_weights

    # PAR_3 with inflated weights: gate a = MAJ_3 = [5x0 + 5x1 + 5x2 >= 10], out = [x0+x1+x2 - 2a >= 1] scaled by 7
    inflated = ThresholdCircuit(
        3,
        (
            ThresholdGate(((0, 5), (1, 5), (2, 5)), 10),
            ThresholdGate(((0, 7), (1, 7), (2, 7), (3, -14)), 7),
        ),
        (4,),
    )
    small = minimise_weights(inflated)
    assert (small.node_values() == inflated.node_values()).all()
    assert [[u for u, _ in g.weights] for g in small.gates] == [[0, 1, 2], [0, 1, 2, 3]]
    # each gate reaches the least bound W for which an exhaustive search finds a separator
    values = inflated.node_values()
    for i, g in enumerate(small.gates):
        reads = [u for u, _ in g.weights]
        pts = values[reads].T.tolist()
        col = values[3 + i]
        pos = [p for p, lab in zip(pts, col) if lab]
        neg = [p for p, lab in zip(pts, col) if not lab]
        w = max(abs(g.threshold), *(abs(x) for _, x in g.weights))
        assert bounded_separator(pos, neg, w - 1) is None
    assert small.max_weight == 2
