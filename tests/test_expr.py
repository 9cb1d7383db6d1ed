"""Tests of the Boolean expression parser.

Random expression trees are rendered to text and the parsed table is compared
with a direct evaluation of the same tree, row by row, written here.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from circuits.errors import ArityError, LbtError, SpecError, TooLargeError
from circuits.expr import MAX_NESTING, canonical_expr, expr_arity, parse_expr
from circuits.truthtable import TruthTable

# ---------------------------------------------------------------- reference
# A tree is ("var", j) | ("const", b) | ("not", t) | (op, a, b) with op in and/xor/or.
PREC = {"or": 1, "xor": 2, "and": 3}
SYMBOL = {"or": "|", "xor": "^", "and": "&"}


def evaluate(tree, x) -> int:
    kind = tree[0]
    if kind == "var":
        return x[tree[1]]
    if kind == "const":
        return tree[1]
    if kind == "not":
        return 1 - evaluate(tree[1], x)
    a, b = evaluate(tree[1], x), evaluate(tree[2], x)
    if kind == "and":
        return 1 if a == 1 and b == 1 else 0
    if kind == "or":
        return 1 if a == 1 or b == 1 else 0
    return 1 if a != b else 0


def max_var(tree) -> int:
    if tree[0] == "var":
        return tree[1]
    if tree[0] == "const":
        return -1
    return max(max_var(t) for t in tree[1:])


def trees(n: int):
    leaves = st.one_of(
        st.integers(0, n - 1).map(lambda j: ("var", j)),
        st.integers(0, 1).map(lambda b: ("const", b)),
    )

    def extend(children):
        return st.one_of(
            children.map(lambda t: ("not", t)),
            st.tuples(st.sampled_from(["and", "xor", "or"]), children, children),
        )

    return st.recursive(leaves, extend, max_leaves=12)


def render(tree, draw, min_prec: int = 0) -> str:
    """Text for ``tree`` with the fewest parentheses C precedence needs, plus
    random redundant parentheses, random spacing and both spellings of not."""

    def space() -> str:
        return draw(st.sampled_from(["", "", " ", "  ", "\t"]))

    kind = tree[0]
    if kind == "var":
        text = f"x{tree[1]}"
        prec = 4
    elif kind == "const":
        text = str(tree[1])
        prec = 4
    elif kind == "not":
        child = tree[1]
        inner = render(child, draw, 4)
        text = draw(st.sampled_from(["~", "!"])) + space() + inner
        prec = 4
    else:
        p = PREC[kind]
        text = render(tree[1], draw, p) + space() + SYMBOL[kind] + space() + render(tree[2], draw, p)
        prec = p
    if prec < min_prec or draw(st.integers(0, 9)) == 0:
        text = "(" + space() + text + space() + ")"
    return text


def reference_table(n: int, forest) -> TruthTable:
    return TruthTable.from_function(n, lambda x: [evaluate(t, x) for t in forest])


# ------------------------------------------------------------ random trees
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_expressions_match_direct_evaluation(data):
    n = data.draw(st.integers(1, 7), label="n")
    forest = data.draw(st.lists(trees(n), min_size=1, max_size=3), label="trees")
    text = ",".join(render(t, data.draw) for t in forest)
    expected = reference_table(n, forest)
    assert parse_expr(text, n) == expected, text
    # without n, the arity is 1 + the largest variable index
    inferred = 1 + max(max_var(t) for t in forest)
    assert expr_arity(text) == inferred
    assert parse_expr(text) == reference_table(inferred, forest), text
    # the canonical spelling denotes the same function
    assert parse_expr(canonical_expr(text), n) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="x0123&|^~!() ,$y", max_size=25))
def test_arbitrary_text_parses_or_raises_a_one_line_spec_error(text):
    try:
        table = parse_expr(text, 4)
    except ArityError as e:
        assert "\n" not in str(e)
    except SpecError as e:
        assert "\n" not in str(e)
    else:
        assert table.n == 4 and 1 <= table.m <= text.count(",") + 1


# ------------------------------------------------------------ known facts
@pytest.mark.parametrize(
    "text, hexes",
    [
        ("x0 & x1", "8"),
        ("x0 | x1", "e"),
        ("x0 ^ x1", "6"),
        ("~x0", "1"),
        ("!x0", "1"),
        ("x0 ^ x1 ^ x2", "96"),
        ("(x0 & x1) | (x0 & x2) | (x1 & x2)", "e8"),
        ("x0&x1|x0&x2|x1&x2", "e8"),  # & binds tighter than |
        ("x0 ^ x1, x0 & x1", "6,8"),  # half adder: sum, carry
        ("x1", "c"),
    ],
)
def test_known_tables(text, hexes):
    assert parse_expr(text).hex() == hexes


@pytest.mark.parametrize(
    "text, fn",
    [
        ("x0 | x1 & x2", lambda x: x[0] | (x[1] & x[2])),
        ("x0 & x1 | x2", lambda x: (x[0] & x[1]) | x[2]),
        ("x0 ^ x1 & x2", lambda x: x[0] ^ (x[1] & x[2])),
        ("x0 | x1 ^ x2", lambda x: x[0] | (x[1] ^ x[2])),
        ("x0 ^ x1 | x2", lambda x: (x[0] ^ x[1]) | x[2]),
        ("~x0 & x1", lambda x: (1 - x[0]) & x[1]),
        ("~(x0 & x1)", lambda x: 1 - (x[0] & x[1])),
        ("!!x2", lambda x: x[2]),
        ("~~~x1", lambda x: 1 - x[1]),
        ("x0 & 1 | 0", lambda x: x[0]),
    ],
)
def test_precedence_not_and_xor_or(text, fn):
    assert parse_expr(text, 3) == TruthTable.from_function(3, fn)


def test_arity():
    assert parse_expr("x3").n == 4
    assert parse_expr("1") == TruthTable(0, (1,))
    assert parse_expr("0", 3) == TruthTable(3, (0,))
    assert parse_expr("x0", 2).outputs == (0b1010,)
    assert parse_expr(" x05 ") == parse_expr("x5")


def test_twenty_inputs():
    t = parse_expr("x19")
    assert t.n == 20 and t.count() == 1 << 19
    assert t.evaluate(1 << 19) == (1,) and t.evaluate((1 << 19) - 1) == (0,)
    t = parse_expr("x0 & x19 | x10")
    for row in (0, 1, 1 << 19, (1 << 19) | 1, 1 << 10, 12345, (1 << 20) - 1):
        expected = ((row & 1) & (row >> 19)) | ((row >> 10) & 1)
        assert t.evaluate(row) == (expected,)


def test_long_inputs_do_not_hit_the_recursion_limit():
    assert parse_expr("~" * 10001 + "x0") == TruthTable(1, (0b01,))
    assert parse_expr(" & ".join(f"x{j % 5}" for j in range(3000))).outputs == (1 << 31,)
    deep = "(" * MAX_NESTING + "x0" + ")" * MAX_NESTING
    assert parse_expr(deep) == TruthTable(1, (0b10,))
    with pytest.raises(SpecError, match="nested"):
        parse_expr("(" * 5000 + "x0" + ")" * 5000)


def test_canonical_spelling():
    assert canonical_expr(" ! x0 |\t(x1 & x02) ") == "~x0|(x1&x2)"
    assert canonical_expr("x0 ^ x1 , 1") == "x0^x1,1"


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x0 $ x1", "'$' at column 4"),
        ("x0 &", "ends early"),
        ("& x0", "column 1"),
        ("(x0", "'(' at column 1 is never closed"),
        ("((x0)", "'(' at column 1 is never closed"),
        ("x0)", "')' at column 3 has no matching '('"),
        ("()", "column 2"),
        ("x0 x1", "'x1' at column 4"),
        ("x0 (x1)", "column 4"),
        ("x0,", "ends early"),
        (",x0", "column 1"),
        ("x0,,x1", "column 4"),
        ("x20", "x20"),
        ("x99999999999999", "out of range"),
        ("y0", "unknown name 'y0'"),
        ("X0", "unknown name"),
        ("x", "unknown name"),
        ("2", "constant"),
        ("01", "constant"),
        ("x0 && x1", "column 5"),
        ("x0 : x1", "':'"),
    ],
)
def test_syntax_errors(text, fragment):
    with pytest.raises(SpecError) as info:
        parse_expr(text)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message


def test_variable_beyond_given_arity():
    with pytest.raises(ArityError, match="x3"):
        parse_expr("x0 & x3", 3)
    with pytest.raises(TooLargeError):
        parse_expr("x0", 21)
    with pytest.raises(ArityError):
        parse_expr("x0", -1)


def test_errors_are_lbt_errors_never_python_errors():
    for text in ["(", ")", "~", "x0^", "x0|(", "!(x0,x1)", "\x00", "x0\n&\nx1\n)"]:
        with pytest.raises(LbtError):
            parse_expr(text)
