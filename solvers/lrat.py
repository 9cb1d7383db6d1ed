"""An independent checker for clausal LRAT refutations: the trust base of every "UNSAT".

A claim "no circuit of size s exists" rests on a SAT solver answering UNSAT.
The solver is not trusted: it writes an LRAT proof, and this module — small,
self-contained, sharing no code with the solver — replays it.

Formats
-------
The formula is DIMACS CNF: a header ``p cnf V C`` then exactly ``C`` clauses,
each a list of non-zero literals ``|l| <= V`` ended by ``0`` (clauses may span
lines; lines starting with ``c`` are comments).  The ``i``-th clause of the
file has id ``i``.

The proof is text LRAT, one step per line:

* addition ``k l1 ... ln 0 h1 ... hm 0``: clause ``k`` is ``(l1 ... ln)``
  and the hints ``h1 ... hm`` are ids of live clauses;
* deletion ``k d i1 ... im 0``: clauses ``i1 ... im`` are removed (``k`` is
  ignored).

An addition is accepted only by reverse unit propagation over exactly the
hinted clauses, in the given order: assume every literal of the new clause
false; then each hint but the last must be *unit* (all literals false but one
unassigned, which then becomes true) and the last must be *falsified*.  The
proof is accepted only if every step is valid and the empty clause is derived.

Deliberately rejected, each with a one-line reason naming the line:

* RAT steps (negative hints).  CaDiCaL never writes them in LRAT mode, and the
  trust base stays smaller without them.
* an id that is not larger than every id so far, a hint or deletion naming an
  unknown or already deleted clause, a satisfied or non-unit hint, a conflict
  before the last hint, no conflict at all, a tautological added clause, a
  literal over a variable the CNF does not declare, any malformed line, a
  proof without the empty clause.

Proof files are streamed line by line (never loaded whole) and may be
compressed: ``.gz`` and ``.xz`` are recognised by their magic bytes.

The malformed-CNF case raises :class:`~circuits.errors.FormatError` (the
formula is not a proof to judge); everything wrong with the proof itself is a
rejection, returned as a :class:`CheckResult` with ``verified=False``.
"""

from __future__ import annotations

import gzip
import io
import lzma
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from itertools import filterfalse
from operator import neg
from pathlib import Path
from typing import IO

from circuits.errors import FormatError

__all__ = [
    "CHECKER_NAME",
    "READ_ERRORS",
    "CheckResult",
    "Cnf",
    "check_lrat",
    "check_lrat_stream",
    "open_maybe_compressed",
    "read_dimacs",
]

#: Name recorded as the checker of a refutation.
CHECKER_NAME = "lbt.lrat"

_GZIP_MAGIC = b"\x1f\x8b"

#: What reading a (possibly damaged) plain, gzip or xz file may raise.
READ_ERRORS = (OSError, EOFError, lzma.LZMAError, zlib.error)

#: Bytes ``int()`` accepts inside a number that a DIMACS or LRAT integer (``-?[0-9]+``) never has.
_NOT_DIMACS = (b"+", b"_")
_XZ_MAGIC = b"\xfd7zXZ\x00"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Verdict of :func:`check_lrat`.

    ``steps`` counts the proof lines read (additions and deletions);
    ``additions`` the clauses verified by unit propagation; ``line`` is the
    1-based proof line of the failure (``0`` when the failure is not tied to a
    line, ``None`` on success).  ``timed_out``: the check stopped at its time
    limit, so the proof is neither accepted nor found wrong.
    """

    verified: bool
    reason: str
    steps: int
    additions: int = 0
    deletions: int = 0
    line: int | None = None
    seconds: float = 0.0
    timed_out: bool = False

    def __bool__(self) -> bool:
        return self.verified


@dataclass(frozen=True, slots=True)
class Cnf:
    """A DIMACS formula: declared variable count and clauses in file order."""

    num_vars: int
    clauses: tuple[tuple[int, ...], ...]


class _Reject(Exception):
    """Internal: the proof is invalid; carries the one-line reason."""


def open_maybe_compressed(path: Path | str) -> io.BufferedIOBase:
    """Open ``path`` for binary reading, transparently decompressing gzip or xz.

    The format is recognised by its magic bytes, not by the file name.
    """
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(6)
    if head.startswith(_GZIP_MAGIC):
        return gzip.open(path, "rb")
    if head.startswith(_XZ_MAGIC):
        return lzma.open(path, "rb")
    return open(path, "rb")


def read_dimacs(path: Path | str) -> Cnf:
    """Parse a DIMACS CNF file (optionally gzip/xz compressed) strictly.

    Raises :class:`FormatError` on a missing or malformed header, a clause
    count different from the header's, a literal outside ``1..V``, a
    non-integer token or an unterminated last clause.
    """
    path = Path(path)
    try:
        with open_maybe_compressed(path) as fh:
            data = fh.read()
    except READ_ERRORS as exc:
        raise FormatError(f"cannot read CNF {path}: {exc}") from None
    num_vars = num_clauses = -1
    clauses: list[tuple[int, ...]] = []
    current: list[int] = []
    for lineno, raw in enumerate(data.splitlines(), 1):
        toks = raw.split()
        if not toks or toks[0].startswith(b"c"):
            continue
        if toks[0] == b"p":
            if num_vars >= 0:
                raise FormatError(f"CNF {path} line {lineno}: second 'p' header")
            if len(toks) != 4 or toks[1] != b"cnf":
                raise FormatError(f"CNF {path} line {lineno}: header must be 'p cnf VARS CLAUSES'")
            try:
                num_vars, num_clauses = _integer(toks[2]), _integer(toks[3])
            except ValueError:
                raise FormatError(f"CNF {path} line {lineno}: header must be 'p cnf VARS CLAUSES'") from None
            if num_vars < 0 or num_clauses < 0:
                raise FormatError(f"CNF {path} line {lineno}: negative count in header")
            continue
        if num_vars < 0:
            raise FormatError(f"CNF {path} line {lineno}: clause before the 'p cnf' header")
        for tok in toks:
            try:
                lit = _integer(tok)
            except ValueError:
                raise FormatError(f"CNF {path} line {lineno}: bad token {tok.decode(errors='replace')!r}") from None
            if lit == 0:
                # Duplicate literals are harmless; keep the first occurrence.
                clauses.append(tuple(dict.fromkeys(current)))
                current = []
            elif -num_vars <= lit <= num_vars:
                current.append(lit)
            else:
                raise FormatError(f"CNF {path} line {lineno}: literal {lit} outside the {num_vars} declared variables")
    if num_vars < 0:
        raise FormatError(f"CNF {path}: no 'p cnf' header")
    if current:
        raise FormatError(f"CNF {path}: last clause is not terminated by 0")
    if len(clauses) != num_clauses:
        raise FormatError(f"CNF {path}: header declares {num_clauses} clauses, file has {len(clauses)}")
    return Cnf(num_vars, tuple(clauses))


def check_lrat(
    cnf_path: Path | str | Cnf,
    proof_path: Path | str,
    *,
    progress: Callable[[int], None] | None = None,
    time_limit: float | None = None,
) -> CheckResult:
    """Check the LRAT proof at ``proof_path`` against the DIMACS CNF at ``cnf_path`` (or a :class:`Cnf` held in
    memory: the clauses of a cube of a split case, which are not written out).

    Both files may be gzip or xz compressed.  Returns a :class:`CheckResult`;
    ``verified`` is true only if every step is valid and the empty clause is
    derived.  Raises :class:`FormatError` if the CNF is unreadable or
    malformed.  An unreadable proof is a rejection.  ``progress``, if given,
    is called with the number of lines read every 2**20 lines.  After
    ``time_limit`` seconds the check stops with ``timed_out`` set.
    """
    start = time.perf_counter()
    deadline = None if time_limit is None else time.monotonic() + time_limit
    cnf = cnf_path if isinstance(cnf_path, Cnf) else read_dimacs(cnf_path)
    try:
        fh = open_maybe_compressed(proof_path)
    except OSError as exc:
        return CheckResult(False, f"cannot read proof: {exc}", 0, line=0)
    with fh:
        result = check_lrat_stream(cnf, fh, progress=progress, deadline=deadline)
    return replace(result, seconds=time.perf_counter() - start)


def check_lrat_stream(
    cnf: Cnf,
    lines: IO[bytes] | Iterator[bytes],
    *,
    progress: Callable[[int], None] | None = None,
    deadline: float | None = None,
) -> CheckResult:
    """Check LRAT proof lines (bytes) against ``cnf``; see :func:`check_lrat` (``deadline``: a ``time.monotonic()``)."""
    # Clause database: id -> tuple of literals.  Originals get ids 1..m.
    db: dict[int, tuple[int, ...]] = {i: c for i, c in enumerate(cnf.clauses, 1)}
    get = db.get
    max_var = cnf.num_vars
    last_id = len(cnf.clauses)  # every new id must exceed every id so far
    lineno = additions = deletions = 0
    derived_empty = False
    try:
        try:
            for raw in lines:
                lineno += 1
                if not lineno & 0xFFFF:
                    if progress is not None and not lineno & 0xFFFFF:
                        progress(lineno)
                    if deadline is not None and time.monotonic() > deadline:
                        reason = f"time limit reached after {lineno} proof lines"
                        return CheckResult(False, reason, lineno, additions, deletions, 0, timed_out=True)
                toks = raw.split()
                if len(toks) > 1 and toks[1] == b"d":
                    _delete(db, toks, last_id)
                    deletions += 1
                    continue
                if not toks:
                    continue
                try:
                    nums = list(map(int, toks))
                    if _NOT_DIMACS[0] in raw or _NOT_DIMACS[1] in raw:  # int() accepts them, LRAT does not
                        raise ValueError
                except ValueError:
                    raise _Reject(f"malformed line (non-integer token): {_show(raw)}") from None
                # Addition: id lits 0 hints 0.
                if len(nums) < 3 or nums[-1] != 0:
                    raise _Reject(f"malformed addition (must be 'id lits 0 hints 0'): {_show(raw)}")
                cid = nums[0]
                if cid <= last_id:
                    raise _Reject(f"clause id {cid} is not larger than every earlier id ({last_id})")
                z = nums.index(0, 1)  # nums[-1] == 0, so there is one
                lits = nums[1:z]
                hints = nums[z + 1 : -1]
                if not hints:
                    raise _Reject("addition without hints")
                if 0 in hints:
                    raise _Reject(f"malformed addition (extra 0 in hints): {_show(raw)}")

                # Reverse unit propagation over exactly the hinted clauses.
                # ``false`` holds the literals false under the current
                # assignment: those of the new clause, then the negation of
                # each literal a hint makes true.
                false = set(lits)
                has_duplicates = len(false) < len(lits)
                if lits:
                    if max(lits) > max_var or -min(lits) > max_var:
                        bad = next(x for x in lits if abs(x) > max_var)
                        raise _Reject(f"literal {bad} outside the {max_var} variables of the CNF")
                    if not false.isdisjoint(map(neg, lits)):
                        bad = next(x for x in lits if -x in false)
                        raise _Reject(f"added clause is a tautology (contains {bad} and {-bad})")
                is_false = false.__contains__
                for hid in hints[:-1]:
                    clause = get(hid)
                    if clause is None:
                        raise _Reject(_bad_hint(hid))
                    free = filterfalse(is_false, clause)
                    unit = next(free, None)
                    if unit is None:
                        raise _Reject(f"hint {hid} is already falsified before the last hint")
                    if next(free, None) is not None:
                        raise _Reject(f"hint {hid} is not unit (two or more literals not false)")
                    if -unit in false:
                        raise _Reject(f"hint {hid} is satisfied, not unit")
                    false.add(-unit)
                hid = hints[-1]
                clause = get(hid)
                if clause is None:
                    raise _Reject(_bad_hint(hid))
                if not all(map(is_false, clause)):
                    raise _Reject(f"the hints do not end in a conflict (last hint {hid} is not falsified)")

                db[cid] = tuple(dict.fromkeys(lits)) if has_duplicates else tuple(lits)
                last_id = cid
                additions += 1
                if not lits:
                    derived_empty = True
        except READ_ERRORS as exc:
            raise _Reject(f"cannot read proof: {exc}") from None
    except _Reject as rej:
        return CheckResult(False, f"line {lineno}: {rej}", lineno, additions, deletions, lineno)
    if not derived_empty:
        return CheckResult(False, "the proof never derives the empty clause", lineno, additions, deletions, 0)
    return CheckResult(True, "empty clause derived; every step verified", lineno, additions, deletions, None)


def _integer(tok: bytes) -> int:
    """The integer a token spells, accepting exactly ``-?[0-9]+`` (``int()`` also takes ``+2`` and ``1_0``)."""
    if _NOT_DIMACS[0] in tok or _NOT_DIMACS[1] in tok:
        raise ValueError(tok)
    return int(tok)


def _bad_hint(hid: int) -> str:
    if hid < 0:
        return f"RAT hint {hid}: RAT steps are not supported (only RUP hints)"
    return f"hint {hid} names a deleted or unknown clause"


def _show(raw: bytes, limit: int = 60) -> str:
    text = raw.strip().decode("ascii", errors="replace")
    return text if len(text) <= limit else text[:limit] + "..."


def _delete(db: dict[int, tuple[int, ...]], toks: list[bytes], last_id: int) -> None:
    if toks[-1] != b"0" or len(toks) < 3:
        raise _Reject("malformed deletion (must be 'id d ids 0')")
    try:
        ids = [_integer(t) for t in toks[2:-1]]
        _integer(toks[0])
    except ValueError:
        raise _Reject("malformed deletion (non-integer token)") from None
    for cid in ids:
        if db.pop(cid, None) is None:
            if cid <= 0:
                raise _Reject(f"deletion of invalid clause id {cid}")
            what = "already deleted" if cid <= last_id else "unknown"
            raise _Reject(f"deletion of {what} clause {cid}")
