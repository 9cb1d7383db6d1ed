"""Tests of the target library.

Every family is checked against a definition written here with plain loops
over the rows (only TruthTable.from_function / evaluate are used from the
package), plus known tables from the literature and the error contract.
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings, strategies as st

from circuits.errors import ArityError, LbtError, SpecError, TooLargeError
from circuits.targets import Family, Target, families, family, register_family, target, unregister_family
from circuits.truthtable import TruthTable

FAST = settings(max_examples=25, deadline=None)


def ones(x) -> int:
    count = 0
    for b in x:
        if b:
            count += 1
    return count


def number(bits) -> int:
    """Bits, least significant first, as an integer."""
    value = 0
    for k, b in enumerate(bits):
        if b:
            value += 2**k
    return value


def brute(n, fn) -> TruthTable:
    return TruthTable.from_function(n, fn)


def names(prefix, count):
    return tuple(prefix + str(j) for j in range(count))


# ------------------------------------------------------- symmetric families
@FAST
@given(st.integers(1, 10))
def test_par(N):
    t = target(f"par:{N}")
    assert t.table == brute(N, lambda x: ones(x) % 2 == 1)
    assert t.inputs == names("x", N) and t.outputs == ("par",)
    assert t.spec == f"par:{N}" and t.family == "par"


@FAST
@given(st.integers(1, 10))
def test_maj(N):
    half_up = N // 2 + (N % 2)  # ceil(N/2)
    t = target(f"maj:{N}")
    assert t.table == brute(N, lambda x: ones(x) >= half_up)
    assert t.inputs == names("x", N) and t.outputs == ("maj",)


@FAST
@given(st.data())
def test_thr(data):
    N = data.draw(st.integers(1, 10))
    K = data.draw(st.integers(0, N + 1))
    t = target(f"thr:{N}:{K}")
    assert t.table == brute(N, lambda x: ones(x) >= K)
    assert t.inputs == names("x", N) and t.outputs == ("thr",)


@FAST
@given(st.data())
def test_exact(data):
    N = data.draw(st.integers(1, 10))
    K = data.draw(st.integers(0, N))
    assert target(f"exact:{N}:{K}").table == brute(N, lambda x: ones(x) == K)


@FAST
@given(st.data())
def test_mod(data):
    N = data.draw(st.integers(1, 10))
    M = data.draw(st.integers(2, 12))
    R = data.draw(st.integers(0, M - 1))
    t = target(f"mod:{N}:{M}:{R}")
    assert t.table == brute(N, lambda x: ones(x) % M == R)
    assert t.outputs == ("mod",)


@FAST
@given(st.integers(1, 10))
def test_sum(N):
    width = len(bin(N)) - 2
    t = target(f"sum:{N}")
    assert t.table == brute(N, lambda x: [(ones(x) >> k) & 1 for k in range(width)])
    assert t.inputs == names("x", N) and t.outputs == names("s", width)


# ----------------------------------------------------- two-operand families
def operands(x, D):
    return number(x[:D]), number(x[D:])


@FAST
@given(st.integers(1, 5))
def test_ip(D):
    def ip(x):
        total = 0
        for j in range(D):
            total += x[j] * x[D + j]
        return total % 2

    t = target(f"ip:{D}")
    assert t.table == brute(2 * D, ip)
    assert t.inputs == names("x", D) + names("y", D) and t.outputs == ("ip",)


@FAST
@given(st.integers(1, 5))
def test_disj(D):
    def disj(x):
        for j in range(D):
            if x[j] == 1 and x[D + j] == 1:
                return 0
        return 1

    t = target(f"disj:{D}")
    assert t.table == brute(2 * D, disj)
    assert t.inputs == names("x", D) + names("y", D) and t.outputs == ("disj",)


@FAST
@given(st.integers(1, 5))
def test_eq(D):
    assert target(f"eq:{D}").table == brute(2 * D, lambda x: x[:D] == x[D:])


@FAST
@given(st.integers(1, 5))
def test_gt(D):
    def gt(x):
        a, b = operands(x, D)
        return a > b

    t = target(f"gt:{D}")
    assert t.table == brute(2 * D, gt)
    assert t.inputs == names("x", D) + names("y", D) and t.outputs == ("gt",)


@FAST
@given(st.integers(1, 5))
def test_add(D):
    def add(x):
        a, b = operands(x, D)
        total = a + b
        return [(total >> k) & 1 for k in range(D + 1)]

    t = target(f"add:{D}")
    assert t.table == brute(2 * D, add)
    assert t.inputs == names("x", D) + names("y", D)
    assert t.outputs == names("s", D) + ("c",)


@settings(max_examples=5, deadline=None)
@given(st.integers(1, 3))
def test_mux(K):
    def mux(x):
        select = number(x[:K])
        return x[K + select]

    t = target(f"mux:{K}")
    assert t.table == brute(K + 2**K, mux)
    assert t.inputs == names("s", K) + names("d", 2**K) and t.outputs == ("mux",)


# ------------------------------------------------------------ tt, rand, expr
@FAST
@given(st.data())
def test_tt(data):
    N = data.draw(st.integers(0, 6))
    m = data.draw(st.integers(1, 3))
    tables = [data.draw(st.integers(0, 2 ** (2**N) - 1)) for _ in range(m)]
    digits = max(1, 2**N // 4)
    text = ",".join(data.draw(st.sampled_from(["", "0x"])) + f"{t:0{digits}x}" for t in tables)
    if data.draw(st.booleans()):
        text = text.upper().replace("0X", "0x")
    t = target(f"tt:{N}:{text}")
    for k, value in enumerate(tables):
        for i in range(2**N):
            assert t.table.evaluate(i)[k] == (value >> i) & 1
    assert t.inputs == names("x", N) and t.outputs == names("y", m)
    assert t.spec == f"tt:{N}:" + ",".join(f"{v:0{digits}x}" for v in tables)


@FAST
@given(st.integers(0, 10), st.integers(0, 2**64))
def test_rand(N, seed):
    t = target(f"rand:{N}:{seed}")
    expected = random.Random(seed).getrandbits(2**N)
    assert t.table.outputs == (expected,)
    assert t.spec == f"rand:{N}:{seed}" and t.inputs == names("x", N) and t.outputs == ("y0",)
    assert target(f"rand:{N}:{seed}") == t  # deterministic


def test_rand_differs_between_seeds():
    assert target("rand:6:1").table != target("rand:6:2").table


def test_expr_family():
    t = target("expr: x0 & !x1 | x2 ")
    assert t.table == brute(3, lambda x: (x[0] and not x[1]) or x[2])
    assert t.spec == "expr:x0&~x1|x2" and t.inputs == ("x0", "x1", "x2") and t.outputs == ("y0",)
    for quoted in ["expr:'x0 & x1'", 'expr:"x0 & x1"', "expr:  'x0 & x1'  "]:
        assert target(quoted).spec == "expr:x0&x1"
    t = target("expr:x0 ^ x1, x0 & x1")
    assert t.table == brute(2, lambda x: [x[0] ^ x[1], x[0] & x[1]]) and t.outputs == ("y0", "y1")
    t = target("expr:4:x1")
    assert t.spec == "expr:4:x1" and t.table == brute(4, lambda x: x[1])
    assert target("expr:2:x1").spec == "expr:x1"  # N equal to the inferred arity is dropped
    assert target("expr:1").table == TruthTable(0, (1,))
    assert target("expr:3:0").table == brute(3, lambda x: 0)


# ------------------------------------------------------- literature / facts
def test_known_tables():
    assert target("maj:3").table.hex() == "e8"
    assert target("par:3").table.hex() == "96"
    assert target("thr:2:2").table.hex() == "8"  # AND_2
    assert target("thr:2:1").table.hex() == "e"  # OR_2
    assert target("exact:2:1").table == target("par:2").table
    assert target("tt:3:e8").table == target("maj:3").table


def test_sum3_is_a_full_adder():
    t = target("sum:3")
    assert t.table.output(0) == brute(3, lambda x: x[0] ^ x[1] ^ x[2])
    assert t.table.output(1) == brute(3, lambda x: (x[0] & x[1]) | (x[0] & x[2]) | (x[1] & x[2]))
    assert t.table.output(1) == target("maj:3").table


def test_add1_is_a_half_adder():
    t = target("add:1")
    assert t.inputs == ("x0", "y0") and t.outputs == ("s0", "c")
    assert t.table.output(0) == brute(2, lambda x: x[0] ^ x[1])
    assert t.table.output(1) == brute(2, lambda x: x[0] & x[1])


def test_mux1_selects_with_x0():
    t = target("mux:1")
    assert t.inputs == ("s0", "d0", "d1")
    assert t.table == brute(3, lambda x: x[2] if x[0] else x[1])
    # mux:2 on s = 2 (s0 = 0, s1 = 1) outputs d2
    m = target("mux:2")
    for data in range(16):
        row = [0, 1] + [(data >> j) & 1 for j in range(4)]
        assert m.table(*row) == (data >> 2) & 1


def test_maj_even_breaks_ties_towards_one():
    t = target("maj:4")
    assert t.table(1, 1, 0, 0) == 1
    assert t.table(0, 1, 0, 1) == 1
    assert t.table(1, 0, 0, 0) == 0


def test_gt_and_add_read_lsb_first():
    # x = 1 (x0 = 1), y = 2 (y1 = 1): x > y is false, x + y = 3
    assert target("gt:2").table(1, 0, 0, 1) == 0
    assert target("gt:2").table(0, 1, 1, 0) == 1
    assert target("add:2").table(1, 0, 0, 1) == (1, 1, 0)
    assert target("add:2").table(1, 1, 1, 1) == (0, 1, 1)  # 3 + 3 = 6


def test_twenty_inputs_by_counting():
    assert target("par:20").table.count() == 2**19
    assert target("maj:20").table.count() == sum(math.comb(20, k) for k in range(10, 21))
    assert target("thr:20:15").table.count() == sum(math.comb(20, k) for k in range(15, 21))
    assert target("exact:20:7").table.count() == math.comb(20, 7)
    assert target("ip:10").table.count() == (4**10 - 2**10) // 2
    assert target("disj:10").table.count() == 3**10
    assert target("eq:10").table.count() == 2**10
    assert target("gt:10").table.count() == (4**10 - 2**10) // 2
    rng = random.Random(5)
    add = target("add:10").table
    for _ in range(50):
        a, b = rng.randrange(1024), rng.randrange(1024)
        bits = [(a >> j) & 1 for j in range(10)] + [(b >> j) & 1 for j in range(10)]
        assert add(*bits) == tuple(((a + b) >> k) & 1 for k in range(11))
    mux = target("mux:4").table
    assert mux.n == 20
    for _ in range(50):
        s, d = rng.randrange(16), rng.randrange(2**16)
        bits = [(s >> j) & 1 for j in range(4)] + [(d >> j) & 1 for j in range(16)]
        assert mux(*bits) == (d >> s) & 1


# --------------------------------------------------------- normal form
@pytest.mark.parametrize(
    "spec, normal",
    [
        ("MAJ:05", "maj:5"),
        ("  maj : 5  ", "maj:5"),
        ("Thr:3:002", "thr:3:2"),
        ("tt:2:0X6", "tt:2:6"),
        ("TT : 3 : E8", "tt:3:e8"),
        ("tt:2: 6 , 8 ", "tt:2:6,8"),
        ("rand:3:007", "rand:3:7"),
        ("expr:!x0|x1", "expr:~x0|x1"),
    ],
)
def test_normal_form(spec, normal):
    t = target(spec)
    assert t.spec == normal and str(t) == normal
    assert target(normal) == t


@FAST
@given(
    st.sampled_from(["par:{a}", "maj:{a}", "thr:{a}:{b}", "sum:{a}", "ip:{c}", "add:{c}", "rand:{a}:{b}"]),
    st.integers(1, 8),
    st.integers(0, 3),
    st.integers(1, 4),
)
def test_spec_round_trip(pattern, a, b, c):
    if pattern.startswith("thr"):
        b = min(b, a + 1)  # thr:N:K needs K <= N + 1
    t = target(pattern.format(a=a, b=b, c=c))
    assert target(t.spec) == t
    assert "\n" not in t.description
    assert t.spec in t.description
    for name in t.inputs:  # the description shows the input order
        assert name in t.description or ".." in t.description


def test_description_mentions_input_order():
    d = target("add:3").description
    assert "x0..x2, y0..y2" in d and "s0..s2, c" in d
    assert "s0, d0, d1" in target("mux:1").description


# ------------------------------------------------------------- bad specs
@pytest.mark.parametrize(
    "spec, fragment",
    [
        ("", "empty"),
        ("   ", "empty"),
        (":3", "family"),
        ("foo:3", "unknown family 'foo' (known: add, disj, "),
        ("maj", "maj takes 1 parameter (N), got 0"),
        ("maj:", "must be a non-negative integer"),
        ("maj:3:4", "maj takes 1 parameter (N), got 2"),
        ("thr:3", "thr takes 2 parameters (N, K), got 1"),
        ("maj:x", "maj:N must be a non-negative integer, got 'x'"),
        ("maj:3.0", "non-negative integer"),
        ("maj:-3", "non-negative integer"),
        ("maj:+3", "non-negative integer"),
        ("maj:0x3", "non-negative integer"),
        ("par:0", "par:N needs N >= 1, got 0"),
        ("maj:0", "N >= 1"),
        ("ip:0", "D >= 1"),
        ("mux:0", "K >= 1"),
        ("thr:3:5", "K <= N+1"),
        ("exact:3:4", "K <= N"),
        ("mod:4:1:0", "M >= 2"),
        ("mod:4:3:3", "R < M"),
        ("tt:3:e", "digits"),
        ("tt:3:e8e8", "digits"),
        ("tt:2:g", "malformed"),
        ("tt:3", "tt takes 2 parameters"),
        ("tt:x:e8", "non-negative integer"),
        ("rand:3", "rand takes 2 parameters"),
        ("expr:", "empty expression"),
        ("expr:x0 &", "ends early"),
        ("expr:(x0", "never closed"),
        ("expr:x0 @ x1", "'@' at column 4"),
        ("expr:x0:x1", "':'"),
        ("maj:" + "9" * 5000, "maj:N"),
    ],
)
def test_bad_specs(spec, fragment):
    with pytest.raises(SpecError) as info:
        target(spec)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "spec",
    [
        "par:30",
        "maj:21",
        "thr:100:3",
        "ip:11",
        "add:11",
        "mux:5",
        "mux:1000000000",
        "tt:21:0",
        "rand:21:0",
        "expr:21:x0",
        "sum:99999999999",
    ],
)
def test_too_large(spec):
    with pytest.raises(TooLargeError) as info:
        target(spec)
    assert "\n" not in str(info.value) and "20" in str(info.value)


def test_expr_variable_beyond_declared_arity():
    with pytest.raises(ArityError):
        target("expr:2:x3")


def test_non_string_spec():
    with pytest.raises(SpecError):
        target(5)  # type: ignore[arg-type]


# ------------------------------------------------------------- registry
def test_families_lists_the_built_ins():
    listed = {f.name: f for f in families()}
    for name, usage in [
        ("par", "par:N"),
        ("maj", "maj:N"),
        ("thr", "thr:N:K"),
        ("exact", "exact:N:K"),
        ("mod", "mod:N:M:R"),
        ("ip", "ip:D"),
        ("disj", "disj:D"),
        ("eq", "eq:D"),
        ("gt", "gt:D"),
        ("sum", "sum:N"),
        ("add", "add:D"),
        ("mux", "mux:K"),
        ("tt", "tt:N:HEX"),
        ("rand", "rand:N:SEED"),
        ("expr", "expr:EXPR"),
    ]:
        assert listed[name].usage == usage
        assert listed[name].doc and listed[name].summary
    assert [f.name for f in families()] == sorted(listed)
    assert isinstance(family("MAJ"), Family)


@pytest.fixture
def cleanup():
    added: list[str] = []
    yield added
    for name in added:
        try:
            unregister_family(name)
        except SpecError:
            pass


def test_readme_snippet(cleanup):
    cleanup.append("tribes")
    # --- README snippet (kept verbatim) ---
    from circuits.targets import register_family, target
    from circuits.truthtable import TruthTable

    @register_family("tribes", params=("K", "W"), doc="OR of K ANDs of W bits", inputs="block-major")
    def tribes(K: int, W: int) -> TruthTable:
        return TruthTable.from_function(K * W, lambda x: any(all(x[i * W : (i + 1) * W]) for i in range(K)))

    t = target("tribes:2:3")
    assert t.table.n == 6 and t.inputs[0] == "x0" and t.outputs == ("y0",)
    # --- end of snippet ---
    assert t.table == brute(6, lambda x: (x[0] and x[1] and x[2]) or (x[3] and x[4] and x[5]))
    assert t.spec == "tribes:2:3" and t.family == "tribes"
    assert "OR of K ANDs of W bits" in t.description
    assert family("tribes").inputs == "block-major"
    assert "tribes" in {f.name for f in families()}
    with pytest.raises(SpecError, match="tribes takes 2 parameters"):
        target("tribes:2")
    with pytest.raises(TooLargeError):
        target("tribes:5:5")


def test_register_existing_name_needs_replace(cleanup):
    with pytest.raises(SpecError, match="already registered"):
        register_family("maj", params=("N",))(lambda N: TruthTable.const(N, 1))
    cleanup.append("myconst")
    register_family("myconst", params=("N",), doc="constant 1")(lambda N: TruthTable.const(N, 1))
    with pytest.raises(SpecError, match="already registered"):
        register_family("MyConst", params=("N",))(lambda N: TruthTable.const(N, 0))
    zero = register_family("myconst", params=("N",), doc="constant 0", replace=True)
    zero(lambda N: TruthTable.const(N, 0))
    assert target("myconst:3").table == brute(3, lambda x: 0)
    unregister_family("myconst")
    with pytest.raises(SpecError, match="unknown family 'myconst'"):
        target("myconst:3")


def test_family_returning_names_and_custom_parser(cleanup):
    cleanup.extend(["andor", "bits"])

    @register_family("andor", params=("D",), doc="AND and OR of a0..a{D-1}")
    def andor(D: int):
        table = TruthTable.from_function(D, lambda x: [all(x), any(x)])
        return table, [f"a{j}" for j in range(D)], ["all", "any"]

    t = target("andor:3")
    assert t.inputs == ("a0", "a1", "a2") and t.outputs == ("all", "any")
    assert t.table == brute(3, lambda x: [x[0] & x[1] & x[2], x[0] | x[1] | x[2]])

    def parse_bits(text: str) -> tuple:
        text = text.strip()
        if not text or any(c not in "01" for c in text):
            raise SpecError(f"bits needs a 0/1 string, got {text!r}")
        return (text,)

    @register_family("bits", params=("ROWS",), parse=parse_bits, doc="table given row by row")
    def bits(rows: str) -> Target:
        n = len(rows).bit_length() - 1
        table = TruthTable.from_function(n, lambda x: rows[number(x)] == "1")
        return Target("ignored", table, names("u", n), ("f",), "bits", "")

    t = target("bits: 0001 ")
    assert t.spec == "bits:0001" and t.inputs == ("u0", "u1") and t.outputs == ("f",)
    assert t.table == brute(2, lambda x: x[0] & x[1])
    with pytest.raises(SpecError, match="0/1 string"):
        target("bits:012")


def test_bad_family_results_are_reported(cleanup):
    cleanup.extend(["badnames", "dupnames", "badtype"])
    register_family("badnames", params=())(lambda: (TruthTable.var(2, 0), ["a"], ["f"]))
    register_family("dupnames", params=())(lambda: (TruthTable.var(1, 0), ["a"], ["a"]))
    register_family("badtype", params=())(lambda: 42)
    with pytest.raises(SpecError, match="1 input names for a function of 2 inputs"):
        target("badnames")
    with pytest.raises(SpecError, match="used twice"):
        target("dupnames")
    with pytest.raises(SpecError, match="expected a TruthTable"):
        target("badtype")
    with pytest.raises(SpecError, match="badtype takes 0 parameters, got 1"):
        target("badtype:1")


def test_bad_registrations():
    for name in ["", "9lives", "a:b", "with space"]:
        with pytest.raises(SpecError):
            register_family(name)
    with pytest.raises(SpecError):
        register_family("okname", params=("N", "N"))
    with pytest.raises(SpecError):
        unregister_family("never-registered")


def test_target_is_frozen_and_all_errors_are_lbt_errors():
    t = target("maj:3")
    with pytest.raises(AttributeError):
        t.spec = "maj:5"  # type: ignore[misc]
    assert t.n == 3 and t.m == 1
    for spec in ["maj:3:", "expr:)", "tt:1:", "mux:x", "add:-", "rand::"]:
        with pytest.raises(LbtError):
            target(spec)


def test_resolve_target_names_a_table_by_its_tt_spec():
    from circuits.targets import resolve_target

    spec, table = resolve_target(" MAJ:3 ")
    assert spec == "maj:3" and table == target("maj:3").table
    # a table given directly is named tt:N:HEX, and that spec gives the same table back
    t = TruthTable.from_hex(3, "96")
    spec, same = resolve_target(t)
    assert spec == "tt:3:96" and same is t and target(spec).table == t
    with pytest.raises(SpecError, match="target must be a TruthTable or a spec string, got int"):
        resolve_target(3)
