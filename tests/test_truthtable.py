"""TruthTable operations against brute-force row-by-row definitions."""

from itertools import product

import pytest
from hypothesis import given, strategies as st

from circuits.errors import ArityError, SpecError, TooLargeError
from circuits.truthtable import MAX_INPUTS, TruthTable


@st.composite
def tables(draw, max_n=5, max_m=2):
    n = draw(st.integers(0, max_n))
    m = draw(st.integers(1, max_m))
    return TruthTable(n, tuple(draw(st.integers(0, (1 << (1 << n)) - 1)) for _ in range(m)))


def rows(n):
    return list(product((0, 1), repeat=n))


def value(f, x):
    """Independent row lookup: bit sum(x_j 2^j) of each output table."""
    i = sum(b << j for j, b in enumerate(x))
    return tuple((t >> i) & 1 for t in f.outputs)


def test_known_tables():
    # ABC / kitty convention: MAJ3 = 0xe8, AND2 = 0x8, x0 on 4 inputs = 0xaaaa
    assert TruthTable.from_function(3, lambda x: x[0] + x[1] + x[2] >= 2).hex() == "e8"
    assert TruthTable.from_function(2, lambda x: x[0] and x[1]).hex() == "8"
    assert TruthTable.from_function(3, lambda x: x[0] ^ x[1] ^ x[2]).hex() == "96"
    assert TruthTable.var(4, 0).hex() == "aaaa"
    assert TruthTable.var(4, 3).hex() == "ff00"


def test_knuth_round_trip():
    # TAOCP 7.1.1 lists MAJ3 as 00010111 (x1 = our x0 most significant)
    assert TruthTable.single(3, 0xE8).to_knuth() == "00010111"
    assert TruthTable.from_knuth("00010111") == TruthTable.single(3, 0xE8)


@given(tables())
def test_hex_round_trip(f):
    assert TruthTable.from_hex(f.n, f.hex()) == f


@given(tables())
def test_evaluate_matches_rows(f):
    for x in rows(f.n):
        assert f.evaluate(x) == value(f, x)


@given(tables(), st.data())
def test_restrict(f, data):
    if f.n == 0:
        return
    j = data.draw(st.integers(0, f.n - 1))
    v = data.draw(st.integers(0, 1))
    g = f.restrict(j, v)
    assert g.n == f.n - 1
    for x in rows(f.n - 1):
        assert g.evaluate(x) == value(f, x[:j] + (v,) + x[j:])


@given(tables(), st.data())
def test_permute_and_negate(f, data):
    perm = data.draw(st.permutations(range(f.n)))
    mask = data.draw(st.integers(0, (1 << f.n) - 1))
    g = f.permute(perm)
    h = f.negate_inputs(mask)
    for x in rows(f.n):
        assert g.evaluate(x) == value(f, tuple(x[perm[j]] for j in range(f.n)))
        assert h.evaluate(x) == value(f, tuple(b ^ ((mask >> j) & 1) for j, b in enumerate(x)))


@given(tables())
def test_complement_and_support(f):
    g = ~f
    for x in rows(f.n):
        assert g.evaluate(x) == tuple(1 - b for b in value(f, x))
    for j in range(f.n):
        flips = any(value(f, x) != value(f, x[:j] + (1 - x[j],) + x[j + 1 :]) for x in rows(f.n))
        assert (j in f.support()) == flips


@given(tables(max_n=3), st.integers(0, 3), st.data())
def test_compose(f, k, data):
    inner = [TruthTable(k, (data.draw(st.integers(0, (1 << (1 << k)) - 1)),)) for _ in range(f.n)]
    if not inner:
        return
    h = f.compose(inner)
    for x in rows(k):
        assert h.evaluate(x) == value(f, tuple(value(g, x)[0] for g in inner))


@given(tables(max_n=4), st.integers(0, 2))
def test_extend(f, extra):
    g = f.extend(f.n + extra)
    for x in rows(g.n):
        assert g.evaluate(x) == value(f, x[: f.n])


def test_bad_input():
    with pytest.raises(SpecError):
        TruthTable.from_hex(3, "1ff")
    with pytest.raises(SpecError):
        TruthTable.from_hex(4, "e8")  # 4 inputs need 4 digits
    with pytest.raises(SpecError):
        TruthTable.from_hex(2, "g")
    with pytest.raises(SpecError):
        TruthTable(2, (16,))
    with pytest.raises(TooLargeError):
        TruthTable.const(MAX_INPUTS + 1, 0)
    with pytest.raises(ArityError):
        TruthTable.single(2, 1).evaluate((1, 0, 1))
    with pytest.raises(ArityError):
        TruthTable.single(2, 1).permute((0, 0))
