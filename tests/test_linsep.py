"""Exact single-threshold-gate test against OEIS A000609 and brute force."""

from itertools import product

import numpy as np
import pytest
from hypothesis import given, strategies as st

from circuits.linsep import Inseparability, Separator, separate, threshold_function
from circuits.npn import npn_canonical_all
from circuits.truthtable import TruthTable


def is_threshold(f):
    result = threshold_function(f)
    rows = [tuple((i >> k) & 1 for k in range(f.n)) for i in range(1 << f.n)]
    pos = [r for r in rows if f.evaluate(r)[0]]
    neg = [r for r in rows if not f.evaluate(r)[0]]
    assert result.check(pos, neg)  # every answer carries a valid exact certificate
    return isinstance(result, Separator)


# OEIS A000609: number of threshold functions of n variables: 2, 4, 14, 104, 1882, 94572
@pytest.mark.parametrize("n, count", [(0, 2), (1, 4), (2, 14), (3, 104)])
def test_count_small(n, count):
    assert sum(is_threshold(TruthTable.single(n, t)) for t in range(1 << (1 << n))) == count


def test_count_four_inputs_by_npn_classes():
    # Threshold-ness is NPN invariant, so count class representatives weighted by class size.
    reps, sizes = np.unique(npn_canonical_all(4), return_counts=True)
    assert sum(int(s) for r, s in zip(reps, sizes) if is_threshold(TruthTable.single(4, int(r)))) == 1882


@pytest.mark.slow
def test_count_four_inputs_directly():
    assert sum(is_threshold(TruthTable.single(4, t)) for t in range(1 << 16)) == 1882


def test_majority_weights():
    sep = threshold_function(TruthTable.from_function(5, lambda x: sum(x) >= 3))
    assert sep == Separator((1, 1, 1, 1, 1), 3)


def test_monotone_non_threshold_needs_lp_certificate():
    # x0x1 OR x2x3 is monotone (so no binate input) but not a threshold function:
    # (1,1,0,0)+(0,0,1,1) = (1,0,1,0)+(0,1,0,1).
    f = TruthTable.from_function(4, lambda x: (x[0] and x[1]) or (x[2] and x[3]))
    assert not is_threshold(f)


@given(st.lists(st.integers(-3, 3), min_size=3, max_size=3), st.integers(-4, 4))
def test_every_gate_is_recognised(w, t):
    f = TruthTable.from_function(3, lambda x: sum(a * b for a, b in zip(w, x)) >= t)
    assert is_threshold(f)


def test_tampered_certificate_rejected():
    pos, neg = [(0, 1), (1, 0)], [(0, 0), (1, 1)]
    cert = separate(pos, neg)
    assert isinstance(cert, Inseparability) and cert.check(pos, neg)
    bad = Inseparability(cert.positive, ((cert.negative[0][0], 2),))
    assert not bad.check(pos, neg)
    assert not Separator((1, 1), 1).check(pos, neg)


@given(st.lists(st.tuples(st.integers(-2, 2), st.integers(-2, 2)), min_size=1, max_size=8, unique=True), st.data())
def test_separate_general_points(points, data):
    labels = data.draw(st.lists(st.booleans(), min_size=len(points), max_size=len(points)))
    pos = [p for p, l in zip(points, labels) if l]
    neg = [p for p, l in zip(points, labels) if not l]
    result = separate(pos, neg)
    assert result.check(pos, neg)
    # brute force over small integer separators: found one => result must be a separator
    brute = any(
        all(a * p[0] + b * p[1] >= t for p in pos) and all(a * q[0] + b * q[1] < t for q in neg)
        for a, b, t in product(range(-4, 5), range(-4, 5), range(-12, 13))
    )
    if brute:
        assert isinstance(result, Separator)
