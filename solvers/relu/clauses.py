"""The exact check of one learned clause of the ReLU pattern encoding (see :mod:`solvers.relu.verify`).

:func:`check_learned_clause` is what the verifier requires of every learned
clause of a certificate file; the search (:mod:`solvers.relu.patterns`) runs it
on each clause it learns, so a clause it could not justify never enters a CNF.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any, TypeGuard

from circuits.errors import FormatError
from circuits.relu import fraction_from_json
from solvers.certificate import Reject
from solvers.cnf import forbid

__all__ = ["check_learned_clause"]


def _is_int(v: Any) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


# ---------------------------------------------------------------- one learned clause
def _check_ltf(enc: Any, cert: dict[str, Any], clause: Sequence[int]) -> None:
    i = cert.get("neuron")
    if not _is_int(i) or not 0 <= i < enc.size - 1:
        raise Reject(f"neuron {i!r} out of range")
    rows = cert.get("rows")
    if not isinstance(rows, list) or not rows:
        raise Reject("rows must be a non-empty list")
    seen: set[int] = set()
    expected: set[int] = set()
    pos: list[tuple[int, int]] = []
    neg: list[tuple[int, int]] = []
    for item in rows:
        if not isinstance(item, list) or len(item) != 3 or not all(_is_int(v) for v in item):
            raise Reject(f"row entry {item!r} is not [row, label, multiplicity]")
        r, label, mult = item
        if not 0 <= r < enc.rows or label not in (0, 1) or mult < 1:
            raise Reject(f"row entry {item!r} out of range")
        if r in seen:
            raise Reject(f"row {r} listed twice")
        seen.add(r)
        lit = forbid(enc.A[i][r], label)
        if lit is True:
            raise Reject("the forbidden column contradicts a constant of the encoding")
        if lit is not False:
            expected.add(lit)
        (pos if label else neg).append((r, mult))
    if set(clause) != expected or len(set(clause)) != len(clause):
        raise Reject("clause does not match its certificate")
    if not pos or not neg:
        raise Reject("an inseparability certificate needs rows of both labels")
    if sum(m for _, m in pos) != sum(m for _, m in neg):
        raise Reject("multiplicities of the two labels differ")
    for j in range(enc.n):
        if sum(m * ((r >> j) & 1) for r, m in pos) != sum(m * ((r >> j) & 1) for r, m in neg):
            raise Reject(f"sums differ on input {j}")


def _check_lp(enc: Any, cert: dict[str, Any], clause: Sequence[int]) -> None:
    n, k, R = enc.n, enc.size - 1, enc.rows
    t = enc.table.outputs[0]
    f = [(t >> r) & 1 for r in range(R)]
    skip, output = enc.options.skip or k == 0, enc.options.output  # no hidden neuron: the output reads x
    where: dict[int, tuple] = {}
    for i in range(k):
        if not isinstance(enc.S[i], bool):
            where[abs(enc.S[i])] = ("S", i)
        for r in range(R):
            if not isinstance(enc.A[i][r], bool):
                where[abs(enc.A[i][r])] = ("A", i, r)
    config: dict[int, int] = {}
    for lit in clause:
        if abs(lit) not in where:
            raise Reject(f"clause literal {lit} is not an activation or sign variable")
        config[abs(lit)] = 0 if lit > 0 else 1  # the forbidden assignment falsifies the clause
    used: set[int] = set()

    def value(lit: int | bool, what: str) -> int:
        if isinstance(lit, bool):
            return int(lit)
        if abs(lit) not in config:
            raise Reject(f"clause does not fix {what}")
        used.add(abs(lit) if config[abs(lit)] == 0 else -abs(lit))
        v = config[abs(lit)]
        return v if lit > 0 else 1 - v

    def affine(i: int, r: int, scale: int) -> dict[tuple, Fraction]:
        out: dict[tuple, Fraction] = {("b", i): Fraction(scale)}
        for j in range(n):
            if (r >> j) & 1:
                out[("w", i, j)] = Fraction(scale)
        return out

    terms = cert.get("terms")
    if not isinstance(terms, list) or not terms:
        raise Reject("terms must be a non-empty list")
    total: dict[tuple, Fraction] = {}
    beta_total = Fraction(0)
    seen: set[tuple] = set()
    for term in terms:
        if not isinstance(term, list) or not term or term[0] not in ("ge0", "gep", "act", "out"):
            raise Reject(f'term {term!r} is not [kind, i, r, m] (kind ge0, gep, act) or ["out", r, m]')
        if term[0] != "out":
            if len(term) != 4 or not _is_int(term[1]) or not _is_int(term[2]):
                raise Reject(f"malformed term {term!r}")
            kind, i, r, raw = term
            if not (0 <= i < k and 0 <= r < R):
                raise Reject(f"term {term!r} out of range")
            beta, is_eq = Fraction(0), False
            coeffs: dict[tuple, Fraction]
            if kind == "ge0":  # max(0, p) >= 0
                coeffs = {("y", i, r): Fraction(-1)}
            elif kind == "gep":  # max(0, p) >= p
                coeffs = affine(i, r, 1)
                coeffs[("y", i, r)] = Fraction(-1)
            elif value(enc.A[i][r], f"the activation of neuron {i} on row {r}"):  # active: y <= p
                coeffs = affine(i, r, -1)
                coeffs[("y", i, r)] = Fraction(1)
            else:  # inactive: y <= 0
                coeffs = {("y", i, r): Fraction(1)}
            key: tuple = (kind, i, r)
        else:
            if len(term) != 3 or not _is_int(term[1]):
                raise Reject(f"malformed term {term!r}")
            _, r, raw = term
            if not 0 <= r < R:
                raise Reject(f"term {term!r} out of range")
            coeffs = {("c",): Fraction(1)}
            for i in range(k):
                coeffs[("y", i, r)] = Fraction(1 if value(enc.S[i], f"the sign of neuron {i}") else -1)
            if skip:
                for j in range(n):
                    if (r >> j) & 1:
                        coeffs[("v", j)] = Fraction(1)
            if output == "linear":
                beta, is_eq = Fraction(f[r]), True
            elif output == "relu":
                beta, is_eq = (Fraction(1), True) if f[r] else (Fraction(0), False)
            elif f[r]:
                coeffs = {key2: -c for key2, c in coeffs.items()}
                beta, is_eq = Fraction(0), False
            else:
                beta, is_eq = Fraction(-1), False
            key = ("out", r)
        if key in seen:
            raise Reject(f"constraint {key} listed twice")
        seen.add(key)
        try:
            m = fraction_from_json(raw, "multiplier")
        except FormatError as exc:
            raise Reject(str(exc)) from None
        if m == 0 or (m < 0 and not is_eq):
            raise Reject(f"multiplier {m} of {key} is not allowed (inequalities need > 0)")
        for var, c in coeffs.items():
            total[var] = total.get(var, Fraction(0)) + m * c
        beta_total += m * beta
    if any(c != 0 for c in total.values()):
        raise Reject("the combination of the constraints is not the zero row")
    if not beta_total < 0:
        raise Reject(f"the combination's right-hand side is {beta_total}, not negative")
    if used != set(clause) or len(set(clause)) != len(clause):
        raise Reject("clause does not match the variables its constraints depend on")


def check_learned_clause(enc: Any, cert: dict[str, Any], clause: Sequence[int]) -> None:
    """Raise an exception with a one-line reason unless ``cert`` justifies ``clause`` for ``enc``."""
    kind = cert.get("kind")
    if kind == "ltf":
        _check_ltf(enc, cert, clause)
    elif kind == "lp":
        _check_lp(enc, cert, clause)
    else:
        raise Reject(f"unknown certificate kind {kind!r}")
