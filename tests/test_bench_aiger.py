"""Tests of the BENCH and AIGER formats (circuits/bench.py, circuits/aiger.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from test_boolean import SETTINGS, boolean_circuits, build, full_adder, raw_circuits, reference_tables

from circuits.aiger import generate_aiger, load_aiger, parse_aiger, to_aig, write_aiger
from circuits.bench import generate_bench, load_bench, parse_bench, write_bench
from circuits.boolean import AIG, B2, MONO, Basis, BooleanCircuit, Edge, Op2
from circuits.errors import FormatError
from circuits.truthtable import TruthTable


def table_of(n, fn):
    """Single-output table of a Python predicate on the input bits, computed row by row."""
    return sum(1 << row for row in range(1 << n) if fn([(row >> j) & 1 for j in range(n)]))


# ------------------------------------------------------------------ BENCH reading
C17 = """\
# c17 (ISCAS-85)
INPUT(1)
INPUT(2)
INPUT(3)
INPUT(6)
INPUT(7)

OUTPUT(22)
OUTPUT(23)

10 = NAND(1, 3)
11 = NAND(3, 6)
16 = NAND(2, 11)
19 = NAND(11, 7)
22 = NAND(10, 16)
23 = NAND(16, 19)
"""


def test_c17():
    c = parse_bench(C17)
    assert (c.n, c.size, c.num_outputs, c.basis) == (5, 6, 2, B2)

    def nand(a, b):
        return 1 - (a & b)

    def c17(x):
        i1, i2, i3, i6, i7 = x
        g10, g11 = nand(i1, i3), nand(i3, i6)
        g16, g19 = nand(i2, g11), nand(g11, i7)
        return nand(g10, g16), nand(g16, g19)

    assert c.truth_table().outputs == (table_of(5, lambda x: c17(x)[0]), table_of(5, lambda x: c17(x)[1]))


def test_abc_luts_and_multi_input_gates():
    text = """
    INPUT(a)
    INPUT(b)
    INPUT(c)
    OUTPUT(sum)
    OUTPUT(carry)
    OUTPUT(all)
    OUTPUT(mux)
    sum = LUT 0x96 (a, b, c)
    carry = LUT 0xe8 (a, b, c)
    all = and(a, b, c)
    mux = MUX(a, b, c)
    """
    c = parse_bench(text)
    assert c.basis == Basis("b2", 3) and c.size == 4
    assert c.truth_table().outputs == (
        table_of(3, lambda x: x[0] ^ x[1] ^ x[2]),
        table_of(3, lambda x: x[0] + x[1] + x[2] >= 2),
        table_of(3, lambda x: x[0] and x[1] and x[2]),
        table_of(3, lambda x: x[1] if x[0] else x[2]),
    )


def test_cirbo_gates_out_of_order_and_constants():
    text = """
    INPUT(a)
    INPUT(b)
    OUTPUT(o_gt)
    OUTPUT(o_lt)
    OUTPUT(o_geq)
    OUTPUT(o_leq)
    OUTPUT(o_lnot)
    OUTPUT(o_rnot)
    OUTPUT(o_liff)
    OUTPUT(o_riff)
    OUTPUT(o_xnor)
    OUTPUT(o_not)
    OUTPUT(o_buf)
    OUTPUT(one)
    OUTPUT(o_gnd)
    OUTPUT(zero)
    o_gnd = AND(a, gnd)         # undriven gnd is the constant 0
    o_not = NOT(o_buf)          # defined before its operand
    o_buf = BUFF(a)
    o_gt = GT(a, b)
    o_lt = LT(a, b)
    o_geq = GEQ(a, b)
    o_leq = LEQ(a, b)
    o_lnot = LNOT(a, b)
    o_rnot = RNOT(a, b)
    o_liff = LIFF(a, b)
    o_riff = RIFF(a, b)
    o_xnor = XNOR(a, b)
    one = vdd
    zero = ALWAYS_FALSE()
    """
    c = parse_bench(text)
    assert c.size == 12  # constants are not gates
    assert c.gates[0].inputs == (Edge(0), Edge(-1))
    assert c.outputs[-3:] == (Edge(-1, True), c.outputs[-2], Edge(-1))
    expected = [
        lambda x: x[0] and not x[1],
        lambda x: not x[0] and x[1],
        lambda x: x[0] or not x[1],
        lambda x: not x[0] or x[1],
        lambda x: not x[0],
        lambda x: not x[1],
        lambda x: x[0],
        lambda x: x[1],
        lambda x: x[0] == x[1],
        lambda x: not x[0],
        lambda x: x[0],
        lambda x: True,
        lambda x: False,
        lambda x: False,
    ]
    assert c.truth_table().outputs == tuple(table_of(2, f) for f in expected)
    # BUFF came after NOT in the file, but is ordered first; both read their operand twice
    buf, nt = c.gates[0 + 1], c.gates[0 + 2]
    assert buf.op == Op2.LIFF and buf.inputs == (Edge(0), Edge(0))
    assert nt.op == Op2.LNOT and nt.inputs == (Edge(3), Edge(3))


def test_unary_luts_read_like_not_and_buffer():
    head = "INPUT(a)\nOUTPUT(n)\nOUTPUT(b)\nOUTPUT(z)\n"
    luts = parse_bench(head + "n = LUT 0x1 (a)\nb = LUT 0x2 (a)\nz = LUT 0x0 (a)\n")
    named = parse_bench(head + "n = NOT(a)\nb = BUFF(a)\nz = ALWAYS_FALSE(a)\n")
    assert luts == named
    assert luts.truth_table().outputs == (0b01, 0b10, 0b00)
    assert [g.op for g in luts.gates] == [Op2.LNOT, Op2.LIFF, Op2.ALWAYS_FALSE]


@pytest.mark.parametrize(
    "text, needle",
    [
        ("INPUT(a)\nOUTPUT(b)\nb = FOO(a, a)\n", "line 3"),
        ("INPUT(a)\nOUTPUT(b)\nb = AND(a, c)\n", "undefined signal 'c'"),
        ("INPUT(a)\nOUTPUT(b)\nb = AND(a, c)\nc = OR(a, b)\n", "cycle"),
        ("INPUT(a)\nOUTPUT(b)\nb = AND(a, b)\n", "cycle"),
        ("INPUT(a)\nOUTPUT(z)\nb = AND(a, a)\n", "undefined signal 'z'"),
        ("INPUT(a)\nOUTPUT(b)\nthis is not bench\n", "line 3"),
        ("INPUT(a)\nOUTPUT(b)\nb = AND(a, a\n", "line 3"),
        ("INPUT(a)\nOUTPUT(b)\nb = AND(a, a)\nb = OR(a, a)\n", "defined twice"),
        ("INPUT(a)\nINPUT(a)\nOUTPUT(a)\n", "declared twice"),
        ("INPUT(a)\nOUTPUT(a)\na = NOT(a)\n", "INPUT"),
        ("INPUT(a)\nOUTPUT(b)\nb = DFF(a)\n", "sequential"),
        ("INPUT(a)\nOUTPUT(b)\nb = NOT(a, a)\n", "one operand"),
        ("INPUT(a)\nOUTPUT(b)\nb = AND(a)\n", "two operands"),
        ("INPUT(a)\nOUTPUT(b)\nb = GT(a, a, a)\n", "two operands"),
        ("INPUT(a)\nOUTPUT(b)\nb = AND(a, a, a, a, a, a)\n", "at most 5"),
        ("INPUT(a)\nOUTPUT(b)\nb = LUT 0x1ff (a, a, a)\n", "beyond"),
        ("INPUT(a)\nOUTPUT(b)\nb = AND(a, ,a)\n", "operand"),
        ("INPUT(a)\nb = NOT(a)\n", "OUTPUT"),
        ("", "OUTPUT"),
    ],
)
def test_corrupt_bench(text, needle):
    with pytest.raises(FormatError) as info:
        parse_bench(text)
    assert needle in str(info.value)
    assert "\n" not in str(info.value)


def test_bench_basis_option():
    text = "INPUT(a)\nINPUT(b)\nOUTPUT(c)\nc = OR(a, b)\n"
    assert parse_bench(text, basis="mono").basis == MONO
    assert parse_bench(text, basis=Basis("b2", 4)).basis == Basis("b2", 4)
    with pytest.raises(FormatError, match="MONO"):
        parse_bench("INPUT(a)\nINPUT(b)\nOUTPUT(c)\nc = XOR(a, b)\n", basis=MONO)
    with pytest.raises(FormatError):
        parse_bench(text, basis="xag")


# ------------------------------------------------------------------ BENCH writing
def test_generate_bench_names_and_determinism():
    text = generate_bench(full_adder())
    assert text == generate_bench(full_adder())
    lines = [ln for ln in text.splitlines() if not ln.startswith("#")]
    assert lines == [
        "INPUT(x0)",
        "INPUT(x1)",
        "INPUT(x2)",
        "OUTPUT(g1)",
        "OUTPUT(g4)",
        "g0 = XOR(x0, x1)",
        "g1 = XOR(g0, x2)",
        "g2 = AND(x0, x1)",
        "g3 = AND(g0, x2)",
        "g4 = OR(g2, g3)",
    ]


def test_generate_bench_ops_and_constants():
    c = BooleanCircuit.from_gates(
        3,
        [
            (Op2.LNOT, (0, 0)),
            (Op2.LIFF, (1, 1)),
            (Op2.GT, (0, 1)),
            (Op2.ALWAYS_TRUE, (0, 1)),
            (0xE8, (0, 1, 2)),
            (0x96, (0, 1, 2)),
            (Op2.NXOR, (Edge(-1, True), 2)),
        ],
        [3, Edge(-1), 9],
        basis=Basis("b2", 3),
    )
    body = generate_bench(c).splitlines()
    for line in [
        "g0 = NOT(x0)",
        "g1 = BUFF(x1)",
        "g2 = GT(x0, x1)",
        "g3 = LUT 0xf (x0, x1)",
        "g4 = LUT 0xe8 (x0, x1, x2)",
        "g5 = XOR(x0, x1, x2)",
        "g6 = NXOR(c1, x2)",
        "c0 = gnd",
        "c1 = vdd",
        "OUTPUT(c0)",
    ]:
        assert line in body
    assert parse_bench(generate_bench(c)) == c


def test_aig_needs_expanded_negations():
    c = BooleanCircuit.from_gates(2, [(Op2.AND, (Edge(0, True), 1))], [Edge(2, True)], basis=AIG)
    with pytest.raises(FormatError, match="expand_negations"):
        generate_bench(c)
    text = generate_bench(c, expand_negations=True)
    assert "x0_n = NOT(x0)" in text and "OUTPUT(g0_n)" in text
    back = parse_bench(text)
    assert back.size == 3 and back.truth_table() == c.truth_table()
    # the constant true is not a negation
    assert "c1 = vdd" in generate_bench(BooleanCircuit(1, AIG, (), (Edge(-1, True),)))


@SETTINGS
@given(raw_circuits())
def test_bench_round_trip(raw):
    n, b, gates, outputs = raw
    c = build(n, b, gates, outputs)
    text = generate_bench(c, expand_negations=True)
    back = parse_bench(text)
    assert back.truth_table().outputs == tuple(reference_tables(n, gates, outputs))
    assert back.basis == Basis("b2", max([2] + [len(ins) for _, ins in gates]))
    negated = {u for _, ins in gates for u, neg in ins if neg and u >= 0} | {u for u, neg in outputs if neg and u >= 0}
    assert back.size == len(gates) + len(negated)
    if b.name != "aig":
        assert generate_bench(c) == text
        assert parse_bench(text, basis=b) == c


# ------------------------------------------------------------------ AIGER
HALF_ADDER = """\
aag 7 2 0 2 3
2
4
6
12
6 13 15
12 2 4
14 3 5
i0 x
i1 y
o0 s
o1 c
c
half adder from the AIGER format description
"""


def test_half_adder_with_unordered_ands():
    c = parse_aiger(HALF_ADDER)
    assert c.basis == AIG and c.size == 3 and c.n == 2
    assert c.truth_table().outputs == (table_of(2, lambda x: x[0] ^ x[1]), table_of(2, lambda x: x[0] & x[1]))
    # the gates reading only inputs come first, in file order
    assert c.gates[0].inputs == (Edge(0), Edge(1))
    assert c.gates[1].inputs == (Edge(0, True), Edge(1, True))
    assert c.gates[2].inputs == (Edge(2, True), Edge(3, True))


def test_crlf_line_ends():
    assert parse_aiger(HALF_ADDER.replace("\n", "\r\n")) == parse_aiger(HALF_ADDER)
    assert parse_bench(C17.replace("\n", "\r\n")) == parse_bench(C17)


def test_inputs_keep_file_order_without_symbols():
    # y0 = x0 AND NOT x1 with the input literals listed in reverse order
    c = parse_aiger("aag 3 2 0 1 1\n4\n2\n6\n6 4 3\n")
    assert c.truth_table().outputs == (table_of(2, lambda x: x[0] and not x[1]),)


def test_constants_and_unused_gates_are_kept():
    c = parse_aiger("aag 3 1 0 3 2\n2\n1\n0\n3\n4 2 1\n6 2 3\n")
    assert c.size == 2
    assert c.outputs == (Edge(-1, True), Edge(-1), Edge(0, True))
    assert c.gates[0].inputs == (Edge(0), Edge(-1, True))


def test_binary_aiger(tmp_path):
    # the half adder in binary AIGER: ANDs 6 = 4 & 2, 8 = 5 & 3, 10 = 9 & 7 (delta coded)
    data = b"aig 5 2 0 2 3\n10\n6\n" + bytes([2, 2, 3, 2, 1, 2])
    path = tmp_path / "ha.aig"
    path.write_bytes(data)
    c = load_aiger(path)
    assert c.truth_table().outputs == (table_of(2, lambda x: x[0] ^ x[1]), table_of(2, lambda x: x[0] & x[1]))


def test_generate_aiger_format():
    c = parse_aiger(HALF_ADDER)
    text = generate_aiger(c)
    assert text == generate_aiger(c)
    assert text.splitlines() == [
        "aag 5 2 0 2 3",
        "2",
        "4",
        "10",
        "6",
        "6 2 4",
        "8 3 5",
        "10 7 9",
        "i0 x0",
        "i1 x1",
        "o0 y0",
        "o1 y1",
    ]
    assert parse_aiger(text) == c


def test_generate_aiger_converts_other_bases():
    text = generate_aiger(full_adder())
    assert "converted" in text
    c = parse_aiger(text)
    assert c.truth_table() == full_adder().truth_table()
    assert c.size == 9  # 2 XOR * 3 + 3 AND/OR


@pytest.mark.parametrize(
    "text, needle",
    [
        ("aag 1 1 0\n2\n", "header"),
        ("aig x\n", "header"),
        ("", "header"),
        ("aag 3 1 1 1 1\n2\n4 6\n6\n6 2 4\n", "latch"),
        ("aag 3 2 0 1 1\n2\n4\n6\n6 2 20\n", "literal 20"),
        ("aag 3 2 0 1 1\n2\n4\n9\n6 2 4\n", "output 0"),
        ("aag 4 2 0 1 1\n2\n4\n6\n6 2 8\n", "never defined"),
        ("aag 3 2 0 1 1\n2\n4\n6\n7 2 4\n", "left-hand side"),
        ("aag 4 2 0 1 2\n2\n4\n6\n6 2 4\n4 2 2\n", "defined twice"),
        ("aag 4 2 0 1 2\n2\n4\n6\n6 2 4\n6 2 2\n", "defined twice"),
        ("aag 4 2 0 1 2\n2\n4\n6\n6 2 8\n8 4 6\n", "cycle"),
        ("aag 3 2 0 0 1\n2\n4\n6 2 4\n", "no outputs"),
        ("aag 3 2 0 1 1\n2\n4\n6\n", "ends early"),
        ("aag 3 2 0 1 1\n3\n4\n6\n6 2 4\n", "input 0"),
        ("aag 3 2 0 1 1\n2\n2\n6\n6 2 4\n", "twice"),
        ("aag 3 2 0 1 1\n2\n4\n6\n6 2 4\ngarbage here\nmore\n", "unexpected"),
        ("aag 3 2 0 1 1\n2\n4\n6\n6 2 x\n", "malformed"),
        ("aag 1 1 0 1 0\n2\n2\ni0 ä\n", "ASCII"),
    ],
)
def test_corrupt_aiger(text, needle):
    with pytest.raises(FormatError) as info:
        parse_aiger(text)
    assert needle.lower() in str(info.value).lower()
    assert "\n" not in str(info.value)


@SETTINGS
@given(raw_circuits())
def test_aiger_round_trip(raw):
    n, b, gates, outputs = raw
    c = build(n, b, gates, outputs)
    back = parse_aiger(generate_aiger(c))
    assert back.basis == AIG
    assert back.truth_table().outputs == tuple(reference_tables(n, gates, outputs))
    if b == AIG:
        assert back == c
    assert back == to_aig(c)


@SETTINGS
@given(boolean_circuits(AIG))
def test_aig_round_trip_is_exact(c):
    assert parse_aiger(generate_aiger(c)) == c


# ------------------------------------------------------------------ files
def test_file_round_trips(tmp_path):
    fa = full_adder()
    write_bench(fa, tmp_path / "fa.bench")
    assert load_bench(tmp_path / "fa.bench") == fa
    write_aiger(fa, tmp_path / "fa.aag")
    assert load_aiger(tmp_path / "fa.aag").computes(TruthTable(3, (0x96, 0xE8)))
    with pytest.raises(FormatError, match="no such file"):
        load_bench(tmp_path / "missing.bench")
    with pytest.raises(FormatError, match="no such file"):
        load_aiger(tmp_path / "missing.aag")
