"""Building CNF formulas whose literals may be constants, and hashing clause lists.

A literal is a non-zero ``int`` (DIMACS convention) or one of the constants
``True``/``False``; :class:`CnfBuilder` simplifies constants away as clauses are
added, so encoders can write the same code for fixed and free values.  Given a
deadline, it raises :class:`solvers.limits.DeadlineReached` once it has passed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from solvers.limits import check_deadline

__all__ = ["CnfBuilder", "Lit", "clauses_hash", "dimacs_sha256", "forbid", "negate"]

Lit = int | bool


def clauses_hash(clauses: Iterable[Sequence[int]]) -> str:
    """SHA-256 of the clauses as DIMACS lines ``l1 l2 ... 0\\n`` (no header)."""
    h = hashlib.sha256()
    for c in clauses:
        h.update((" ".join(map(str, c)) + " 0\n").encode())
    return h.hexdigest()


def dimacs_sha256(clauses: Sequence[Sequence[int]], nv: int) -> str:
    """SHA-256 of the DIMACS text ``solvers.proof.write_dimacs`` writes for these clauses.

    The header declares ``max(nv, largest variable)`` variables; one clause per line.
    """
    h = hashlib.sha256()
    nv = max([nv] + [abs(x) for c in clauses for x in c])
    h.update(f"p cnf {nv} {len(clauses)}\n".encode())
    for c in clauses:
        h.update((" ".join(map(str, c)) + " 0\n" if c else "0\n").encode())
    return h.hexdigest()


class CnfBuilder:
    """A clause list with fresh variables; literals may be the constants ``True``/``False`` (simplified away)."""

    #: Clauses added between two looks at the deadline.
    DEADLINE_EVERY = 4096

    def __init__(self, deadline: float | None = None) -> None:
        self.top = 0
        self.clauses: list[tuple[int, ...]] = []
        self.unsat = False
        self.deadline = deadline

    def new(self) -> int:
        self.top += 1
        return self.top

    def add(self, lits: Iterable[Lit]) -> None:
        out: list[int] = []
        for lit in lits:
            if lit is True:
                return
            if lit is False:
                continue
            if -lit in out:
                return
            if lit not in out:
                out.append(lit)
        if not out:
            # the empty clause: keep the CNF a plain clause list with a fresh unit pair
            self.unsat = True
            v = self.new()
            self.clauses.append((v,))
            self.clauses.append((-v,))
            return
        self.clauses.append(tuple(out))
        if len(self.clauses) % self.DEADLINE_EVERY == 0:
            check_deadline(self.deadline)

    def implies_and(self, cond: list[Lit], lit: Lit) -> None:
        """cond[0] & cond[1] & ... -> lit."""
        self.add([negate(c) for c in cond] + [lit])

    def and_var(self, a: Lit, b: Lit, *, both: bool = False) -> Lit:
        """A literal implying ``a & b`` (one direction suffices where it is used), or equal to it with
        ``both`` (Tseitin's three clauses; then ``a & a`` is ``a`` and ``a & -a`` is false)."""
        if a is False or b is False:
            return False
        if a is True:
            return b
        if b is True:
            return a
        if both and a == b:
            return a
        if both and a == -b:
            return False
        v = self.new()
        self.add([-v, a])
        self.add([-v, b])
        if both:
            self.add([v, -a, -b])
        return v

    def at_most(self, lits: list[Lit], k: int) -> None:
        """Sequential counter (Sinz 2005): at most ``k`` of ``lits`` are true."""
        xs = [x for x in lits if x is not False]
        trues = sum(1 for x in xs if x is True)
        xs = [x for x in xs if x is not True]
        k -= trues
        if k < 0:
            self.add([])
            return
        if k >= len(xs):
            return
        if k == 0:
            for x in xs:
                self.add([-x])
            return
        s = [[self.new() for _ in range(k)] for _ in range(len(xs) - 1)]
        # s[j][c]: at least c+1 of xs[0..j] are true
        self.add([-xs[0], s[0][0]])
        for c in range(1, k):
            self.add([-s[0][c]])
        for j in range(1, len(xs) - 1):
            self.add([-xs[j], s[j][0]])
            self.add([-s[j - 1][0], s[j][0]])
            for c in range(1, k):
                self.add([-xs[j], -s[j - 1][c - 1], s[j][c]])
                self.add([-s[j - 1][c], s[j][c]])
            self.add([-xs[j], -s[j - 1][k - 1]])
        self.add([-xs[-1], -s[-1][k - 1]])

    def lex_leq(self, cond: Lit, a: list[Lit], b: list[Lit]) -> None:
        """cond -> a <=lex b (index 0 most significant)."""
        if cond is False:
            return
        eq: Lit = cond
        for k, (x, y) in enumerate(zip(a, b)):
            # eq -> x <= y
            self.add([negate(eq), negate(x), y])
            if k == len(a) - 1:
                break
            if x is y or (isinstance(x, bool) and isinstance(y, bool) and x == y):
                continue  # equal constants or the same literal: the prefix stays equal
            nxt = self.new()
            self.add([negate(eq), negate(x), negate(y), nxt])
            self.add([negate(eq), x, y, nxt])
            eq = nxt


def negate(lit: Lit) -> Lit:
    """The negation of a literal or constant."""
    if lit is True:
        return False
    if lit is False:
        return True
    return -lit


def forbid(lit: Lit, value: int) -> Lit:
    """The literal that is true iff ``lit`` does not have ``value``."""
    return negate(lit) if value else lit
