"""A small, safe parser for Boolean expressions over ``x0 .. x19``.

Grammar (C precedence: not binds tightest, then and, xor, or)::

    list  := or ( "," or )*             one expression per output, output 0 first
    or    := xor ( "|" xor )*
    xor   := and ( "^" and )*
    and   := unary ( "&" unary )*
    unary := ( "~" | "!" )* atom
    atom  := "x" DIGITS | "0" | "1" | "(" or ")"

Whitespace between tokens is ignored.  The text is never handed to ``eval``:
it is tokenised and parsed by hand, and every sub-expression is evaluated
bit-parallel on the integer truth tables of :mod:`circuits.truthtable`.

>>> parse_expr("x0 & x1 | x2").hex()
'f8'
>>> parse_expr("x0 ^ x1, x0 & x1").hex()
'6,8'
>>> canonical_expr("! x0 | (x1 & x2)")
'~x0|(x1&x2)'
"""

from __future__ import annotations

from dataclasses import dataclass

from circuits.errors import ArityError, SpecError, TooLargeError, excerpt
from circuits.truthtable import MAX_INPUTS, TruthTable, full_mask, var_mask

__all__ = ["parse_expr", "canonical_expr", "expr_arity", "MAX_NESTING"]

#: Deepest parenthesis nesting accepted (keeps the recursive descent far from
#: Python's recursion limit; deeper input is rejected with a SpecError).
MAX_NESTING = 100

_DIGITS = "0123456789"
_NAME_START = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
_NAME_CHARS = _NAME_START + _DIGITS
_OPERATORS = {"~": "~", "!": "~", "&": "&", "^": "^", "|": "|", "(": "(", ")": ")", ",": ","}
_SPACE = " \t\r\n"


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "var", "const", or the operator character ("~" also stands for "!")
    value: int  # variable index or constant value; 0 for operators
    col: int  # 1-based column of the first character
    text: str  # the token as written

    def render(self) -> str:
        if self.kind == "var":
            return f"x{self.value}"
        if self.kind == "const":
            return str(self.value)
        return self.kind

    def describe(self) -> str:
        return f"{excerpt(self.text, 20)} at column {self.col}"


def _tokenize(text: str) -> list[_Token]:
    if not isinstance(text, str):
        raise SpecError(f"an expression must be a string, got {type(text).__name__}")
    tokens: list[_Token] = []
    i, size = 0, len(text)
    while i < size:
        c = text[i]
        col = i + 1
        if c in _SPACE:
            i += 1
        elif c in _OPERATORS:
            tokens.append(_Token(_OPERATORS[c], 0, col, c))
            i += 1
        elif c in _DIGITS:
            j = i
            while j < size and text[j] in _DIGITS:
                j += 1
            word = text[i:j]
            if word not in ("0", "1"):
                raise SpecError(
                    f"bad constant {excerpt(word, 20)} at column {col} in {excerpt(text)}: constants are 0 and 1"
                )
            tokens.append(_Token("const", int(word), col, word))
            i = j
        elif c in _NAME_START:
            j = i
            while j < size and text[j] in _NAME_CHARS:
                j += 1
            word = text[i:j]
            digits = word[1:]
            if word[0] != "x" or not digits or any(d not in _DIGITS for d in digits):
                raise SpecError(
                    f"unknown name {excerpt(word, 20)} at column {col} in {excerpt(text)} "
                    f"(variables are x0..x{MAX_INPUTS - 1})"
                )
            significant = digits.lstrip("0") or "0"  # leading zeros are allowed, as in spec parameters
            index = int(significant) if len(significant) <= 6 else MAX_INPUTS
            if index >= MAX_INPUTS:
                raise SpecError(
                    f"variable {excerpt(word, 20)} at column {col} is out of range: variables are x0..x{MAX_INPUTS - 1}"
                )
            tokens.append(_Token("var", index, col, word))
            i = j
        else:
            raise SpecError(f"unexpected character {c!r} at column {col} in {excerpt(text)}")
    if not tokens:
        raise SpecError("empty expression")
    return tokens


class _Parser:
    """Recursive descent over the token list, evaluating as it goes.

    Each parse method returns the truth-table integer of the sub-expression on
    ``n`` inputs.
    """

    def __init__(self, text: str, tokens: list[_Token], n: int) -> None:
        self.text = text
        self.tokens = tokens
        self.pos = 0
        self.n = n
        self.full = full_mask(n)
        self.depth = 0
        self._vars: dict[int, int] = {}

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def unexpected(self, what: str) -> SpecError:
        tok = self.peek()
        if tok is None:
            return SpecError(f"expression {excerpt(self.text)} ends early: expected {what}")
        if tok.kind == ")":
            return SpecError(
                f"unbalanced parenthesis: ')' at column {tok.col} has no matching '(' in {excerpt(self.text)}"
                if self.depth == 0
                else f"expected {what}, found ')' at column {tok.col} in {excerpt(self.text)}"
            )
        return SpecError(f"expected {what}, found {tok.describe()} in {excerpt(self.text)}")

    def var(self, j: int) -> int:
        if j not in self._vars:
            self._vars[j] = var_mask(self.n, j)
        return self._vars[j]

    def parse_list(self) -> list[int]:
        outputs = [self.parse_or()]
        while (tok := self.peek()) is not None and tok.kind == ",":
            self.pos += 1
            outputs.append(self.parse_or())
        tok = self.peek()
        if tok is not None:
            if tok.kind == ")":
                raise self.unexpected("an operator")
            raise SpecError(
                f"unexpected {tok.describe()} after a complete expression in {excerpt(self.text)} "
                "(operators are ~ ! & ^ | and outputs are separated by ',')"
            )
        return outputs

    def parse_or(self) -> int:
        value = self.parse_xor()
        while (tok := self.peek()) is not None and tok.kind == "|":
            self.pos += 1
            value |= self.parse_xor()
        return value

    def parse_xor(self) -> int:
        value = self.parse_and()
        while (tok := self.peek()) is not None and tok.kind == "^":
            self.pos += 1
            value ^= self.parse_and()
        return value

    def parse_and(self) -> int:
        value = self.parse_unary()
        while (tok := self.peek()) is not None and tok.kind == "&":
            self.pos += 1
            value &= self.parse_unary()
        return value

    def parse_unary(self) -> int:
        negations = 0
        while (tok := self.peek()) is not None and tok.kind == "~":
            negations += 1
            self.pos += 1
        value = self.parse_atom()
        return value ^ self.full if negations & 1 else value

    def parse_atom(self) -> int:
        tok = self.peek()
        what = "a variable, 0, 1, '~' or '('"
        if tok is None:
            raise self.unexpected(what)
        if tok.kind == "var":
            self.pos += 1
            return self.var(tok.value)
        if tok.kind == "const":
            self.pos += 1
            return self.full if tok.value else 0
        if tok.kind == "(":
            if self.depth >= MAX_NESTING:
                raise SpecError(f"expression nested deeper than {MAX_NESTING} parentheses at column {tok.col}")
            self.pos += 1
            self.depth += 1
            value = self.parse_or()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                if closing is None:
                    raise SpecError(
                        f"unbalanced parenthesis: '(' at column {tok.col} is never closed in {excerpt(self.text)}"
                    )
                raise self.unexpected(f"an operator or ')' closing the '(' at column {tok.col}")
            self.pos += 1
            self.depth -= 1
            return value
        raise self.unexpected(what)


def _arity(tokens: list[_Token]) -> int:
    return 1 + max((t.value for t in tokens if t.kind == "var"), default=-1)


def expr_arity(text: str) -> int:
    """``1 +`` the largest variable index in ``text`` (0 if it has no variable)."""
    return _arity(_tokenize(text))


def parse_expr(text: str, n: int | None = None) -> TruthTable:
    """The function computed by ``text``: one output per comma-separated expression.

    The number of inputs is ``n`` if given (a variable ``x_j`` with ``j >= n``
    is then an :class:`ArityError`), otherwise ``1 +`` the largest variable
    index occurring in the text (0 for a variable-free expression).  Syntax
    errors raise :class:`SpecError` with a one-line message that names the
    offending token and its 1-based column.
    """
    tokens = _tokenize(text)
    needed = _arity(tokens)
    if n is None:
        n = needed
    else:
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ArityError(f"number of inputs must be a non-negative integer, got {n!r}")
        if n > MAX_INPUTS:
            raise TooLargeError(f"{n} inputs is too many: truth tables support at most {MAX_INPUTS}")
        if needed > n:
            culprit = next(t for t in tokens if t.kind == "var" and t.value == needed - 1)
            raise ArityError(
                f"variable {excerpt(culprit.text, 20)} at column {culprit.col} does not exist "
                f"for a function of {n} inputs"
            )
    parser = _Parser(text, tokens, n)
    return TruthTable(n, tuple(parser.parse_list()))


def canonical_expr(text: str) -> str:
    """A canonical spelling of a valid expression: no whitespace, ``~`` for
    ``!``, variables without leading zeros, parentheses kept as written.

    The text is fully parsed first, so a malformed expression raises the same
    error as :func:`parse_expr`.
    """
    tokens = _tokenize(text)
    _Parser(text, tokens, _arity(tokens)).parse_list()
    return "".join(t.render() for t in tokens)
