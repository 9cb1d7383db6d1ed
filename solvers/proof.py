"""Refutations with proofs: solve a CNF with CaDiCaL, log LRAT, check it, keep it.

:func:`refute` is the only way the project turns "the SAT solver said UNSAT"
into a claim.  For a clause list it

1. writes ``workdir/NAME.cnf`` (DIMACS, from that very list, in that order);
2. solves it with CaDiCaL (inside python-sat) with LRAT proof logging
   streamed to disk, *without assumptions*;
3. on UNSAT renumbers the solver's proof into standard LRAT (see below) and
   writes it compressed to ``workdir/NAME.lrat.gz`` (or ``.xz``);
4. checks that file with the project's own checker (:mod:`solvers.lrat`);
5. returns a :class:`Refutation` record with SHA-256 hashes of both files.

On SAT it returns a :class:`Model` whose assignment has been checked against
every clause; on an exhausted time limit a :class:`Timeout`.

How python-sat is made to write LRAT
------------------------------------
python-sat has no LRAT API.  Its ``with_proof=True`` attaches CaDiCaL's proof
tracer *before* options can be set, so the tracer is the default binary DRAT
one.  Instead this module creates the solver without a proof, sets the
CaDiCaL options ``lrat=1`` and ``binary=0`` (``configure``), and only then
attaches the tracer with ``pysolvers.<solver>_tracepr(handle, file)`` — the
tracer kind is fixed when it is attached, and it must be attached before the
first clause.  The file must be opened read-write (``w+b``): the extension
``fdopen``-s its descriptor with mode ``w+`` and fails on a write-only one.
The ``FILE*`` is line buffered and never closed by the extension, so it is
flushed (``pysolvers.flushpr``) before and after the solver is deleted.

Clause ids
----------
CaDiCaL numbers original clauses in the order they were added, but
clauses it derives *while reading the input* (a clause shortened by a unit
given earlier, a clause with a repeated literal) take ids from the same
counter, between the originals.  Its raw proof is therefore not standard
LRAT, where the ``i``-th clause of the CNF has id ``i``.  :func:`renumber_lrat`
rewrites it: the ids that the raw proof never adds are the originals, in
order; derived clauses get ``m+1, m+2, ...``.  The renumberer is not trusted:
the renumbered proof is what the checker verifies against the CNF file, so
a renumbering mistake can only lead to a rejection.  The stored proof is
plain LRAT that any LRAT checker (cake_lpr, lrat-check) accepts.

Time limits and Ctrl-C
----------------------
CaDiCaL inside python-sat cannot be interrupted (``interrupt()`` raises
``NotImplementedError``) and holds the GIL while it runs, so no timer thread
can stop it.  The search is therefore run in slices of about
:data:`SLICE_SECONDS`, each bounded by a conflict budget estimated from the
previous slice, with python-sat's own SIGINT trap disabled.  A time limit is
honoured to within about one slice, and Ctrl-C raises ``KeyboardInterrupt``
at the end of the current slice, after the files of the step were removed.
Repeated solving without new clauses keeps the proof a single valid
refutation: each slice continues the same proof.  The limit also covers
renumbering and checking the proof: a refutation that is not renumbered and
checked in time is a timeout, and its proof file is removed.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import lzma
import operator
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO, Any, ClassVar

import pysat
import pysat.solvers
import pysolvers

from circuits.errors import FormatError, SolverError, SpecError
from circuits.output import write_text_atomic
from circuits.schema import check_input_file, read_json
from solvers.cnf import dimacs_sha256
from solvers.lrat import CHECKER_NAME, READ_ERRORS, CheckResult, Cnf, check_lrat, open_maybe_compressed

__all__ = [
    "SLICE_SECONDS",
    "Model",
    "Refutation",
    "RefuteResult",
    "RenumberError",
    "SolverError",
    "Timeout",
    "available_solvers",
    "file_stem",
    "refute",
    "renumber_lrat",
    "sha256_file",
    "verify_refutation",
    "write_certificate",
    "write_dimacs",
]

#: Target duration of one solver call; bounds the latency of a time limit and Ctrl-C.
SLICE_SECONDS = 1.0

_FIRST_BUDGET = 200  # conflicts in the first slice, before any rate is known
_MAX_BUDGET = 2**31 - 1  # the extension casts the budget to a C int

# name -> (CaDiCaL version, python-sat class name)
_SOLVERS: dict[str, tuple[str, str]] = {
    "cadical195": ("1.9.5", "Cadical195"),
    "cadical300": ("3.0.0", "Cadical300"),
}

_COMPRESSION = {"gzip": ".gz", "xz": ".xz", "none": ""}


def available_solvers() -> list[str]:
    """Solver names usable by :func:`refute` with this python-sat build."""
    return [name for name in _SOLVERS if hasattr(pysolvers, f"{name}_tracepr")]


@dataclass(frozen=True, slots=True)
class Refutation:
    """A stored, checked proof that a CNF is unsatisfiable.

    Trust it only if ``verified`` is true: ``verdict`` is ``"verified"``,
    ``"rejected"`` (the checker refused the proof; ``reason`` says why) or
    ``"unchecked"`` (``refute(check=False)``; run :func:`verify_refutation`).
    ``proof_sha256`` is the hash of the uncompressed LRAT text,
    ``proof_file_sha256`` that of the stored (compressed) file.
    """

    status: ClassVar[str] = "unsat"

    solver: str
    solver_version: str
    cnf_path: Path | None  # None: the CNF was not written out (a cube of a split case: regenerated to check)
    cnf_sha256: str
    proof_path: Path
    proof_sha256: str
    proof_file_sha256: str
    compression: str
    checker: str
    verdict: str
    reason: str
    num_vars: int
    num_clauses: int
    proof_steps: int
    solve_seconds: float
    check_seconds: float
    proof_format: str = "lrat"
    pysat_version: str = field(default=pysat.__version__)

    @property
    def verified(self) -> bool:
        return self.verdict == "verified"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record (paths as strings)."""
        return _record(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Refutation:
        """Inverse of :meth:`to_dict`; raises :class:`FormatError` on a malformed record."""
        try:
            if d["status"] != cls.status or d["proof_format"] != "lrat":
                raise FormatError(f"not an LRAT refutation record (status {d['status']!r})")
            return cls(
                solver=str(d["solver"]),
                solver_version=str(d["solver_version"]),
                cnf_path=None if d["cnf_path"] is None else Path(d["cnf_path"]),
                cnf_sha256=str(d["cnf_sha256"]),
                proof_path=Path(d["proof_path"]),
                proof_sha256=str(d["proof_sha256"]),
                proof_file_sha256=str(d["proof_file_sha256"]),
                compression=str(d["compression"]),
                checker=str(d["checker"]),
                verdict=str(d["verdict"]),
                reason=str(d["reason"]),
                num_vars=int(d["num_vars"]),
                num_clauses=int(d["num_clauses"]),
                proof_steps=int(d["proof_steps"]),
                solve_seconds=float(d["solve_seconds"]),
                check_seconds=float(d["check_seconds"]),
                pysat_version=str(d.get("pysat_version", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise FormatError(f"malformed refutation record: {exc!r}") from None


@dataclass(frozen=True, slots=True)
class _Decided:
    """What :class:`Model` and :class:`Timeout` record of the run: the solver and the CNF file."""

    solver: str
    solver_version: str
    cnf_path: Path | None
    cnf_sha256: str
    num_vars: int
    num_clauses: int


@dataclass(frozen=True, slots=True)
class Model(_Decided):
    """A satisfying assignment, checked against every clause.

    ``model[v-1]`` is ``v`` or ``-v`` for each variable ``v = 1..num_vars``.
    """

    status: ClassVar[str] = "sat"

    solve_seconds: float
    model: tuple[int, ...]

    def value(self, var: int) -> bool:
        """Truth value of variable ``var`` (1-based)."""
        return self.model[var - 1] > 0

    def to_dict(self) -> dict[str, Any]:
        return _record(self)


@dataclass(frozen=True, slots=True)
class Timeout(_Decided):
    """The time limit ran out before the solver decided the formula (its proof is removed)."""

    status: ClassVar[str] = "timeout"

    time_limit: float
    solve_seconds: float

    def to_dict(self) -> dict[str, Any]:
        return _record(self)


RefuteResult = Refutation | Model | Timeout


def _record(result: RefuteResult) -> dict[str, Any]:
    """The JSON-ready record of a :func:`refute` outcome: its status, then its fields in order (paths as
    strings, times rounded to microseconds, a model as a list)."""
    out: dict[str, Any] = {"status": result.status}
    for f in fields(result):
        value = getattr(result, f.name)
        if isinstance(value, Path):
            value = str(value)
        elif f.name.endswith("_seconds"):
            value = round(value, 6)
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


# --------------------------------------------------------------------------- files


def sha256_file(path: Path | str, *, decompress: bool = False) -> str:
    """SHA-256 of a file's bytes, or of its decompressed content if ``decompress``.

    :class:`FormatError` unless ``path`` is a regular file (opening a named pipe would wait for a writer).
    """
    check_input_file(path)
    h = hashlib.sha256()
    with open_maybe_compressed(path) if decompress else open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _normalise(clauses: Iterable[Iterable[int]]) -> list[list[int]]:
    """Copy ``clauses`` into lists of Python ints (numpy ints accepted), rejecting 0 and non-integers."""
    out: list[list[int]] = []
    for i, clause in enumerate(clauses, 1):
        c = []
        for lit in clause:
            if isinstance(lit, bool):
                raise TypeError(f"clause {i}: literal {lit!r} is not an integer")
            try:
                lit = operator.index(lit)
            except TypeError:
                raise TypeError(f"clause {i}: literal {lit!r} is not an integer") from None
            if lit == 0:
                raise ValueError(f"clause {i}: literal 0 is not allowed")
            c.append(lit)
        out.append(c)
    return out


def write_dimacs(clauses: Sequence[Sequence[int]], path: Path | str, num_vars: int | None = None) -> str:
    """Write ``clauses`` as DIMACS CNF, in order, and return the file's SHA-256."""
    nv = max((abs(lit) for c in clauses for lit in c), default=0)
    if num_vars is not None:
        nv = max(nv, num_vars)
    h = hashlib.sha256()
    with open(path, "wb") as fh:

        def put(text: str) -> None:
            data = text.encode("ascii")
            h.update(data)
            fh.write(data)

        put(f"p cnf {nv} {len(clauses)}\n")
        batch: list[str] = []
        for c in clauses:
            batch.append(" ".join(map(str, c)) + " 0\n" if c else "0\n")
            if len(batch) >= 4096:
                put("".join(batch))
                batch.clear()
        put("".join(batch))
    return h.hexdigest()


def _unlink(*paths: Path) -> None:
    for p in paths:
        try:
            p.unlink()
        except FileNotFoundError:
            pass


# --------------------------------------------------------------------------- renumbering


class RenumberError(Exception):
    """The raw proof does not follow the id discipline the renumberer expects."""


def renumber_lrat(
    raw: IO[bytes] | Iterable[bytes],
    out: IO[bytes],
    num_clauses: int,
    *,
    empty_clause_index: int | None = None,
    deadline: float | None = None,
) -> int:
    """Rewrite a CaDiCaL LRAT proof into standard LRAT; return the number of lines written.

    Ids that the raw proof never adds are taken, in increasing order, as the
    ``num_clauses`` original clauses ``1..m``; added clauses are numbered
    ``m+1, m+2, ...`` in order.  If the raw proof has no empty clause and
    ``empty_clause_index`` (1-based) names an empty clause of the CNF, a
    final step deriving the empty clause from it is appended.  Raises
    :class:`RenumberError` on anything it cannot map; the output is checked
    independently anyway.  Raises :class:`TimeoutError` once ``time.monotonic()``
    passes ``deadline`` (looked at every 4096 lines).
    """
    m = num_clauses
    mapping: dict[int, int] = {}
    scan = 0  # every raw id <= scan has been classified
    originals = 0  # originals mapped so far
    new_id = m  # last id written
    lines = 0
    have_empty = False
    buf: list[bytes] = []

    def advance(upto: int) -> None:
        nonlocal scan, originals
        if upto <= scan:
            return
        take = min(upto - scan, m - originals)
        for j in range(take):
            mapping[scan + 1 + j] = originals + 1 + j
        originals += take
        scan = upto

    for raw_line in raw:
        toks = raw_line.split()
        if not toks:
            continue
        try:
            if len(toks) >= 2 and toks[1] == b"d":
                ids = [int(t) for t in toks[2:-1]]
                if toks[-1] != b"0":
                    raise RenumberError(f"malformed deletion {raw_line[:60]!r}")
                if ids:
                    advance(max(ids))
                news = [mapping.pop(i) for i in ids]
                buf.append(b"%d d %s0\n" % (new_id, b"".join(b"%d " % i for i in news)))
            else:
                # Literals are copied as they are; only ids are rewritten.
                cid = int(toks[0])
                z = toks.index(b"0", 1)
                if cid <= scan or toks[-1] != b"0" or z == len(toks) - 1:
                    raise RenumberError(f"unexpected addition {raw_line[:60]!r}")
                advance(cid - 1)
                scan = cid
                hints = [int(t) for t in toks[z + 1 : -1]]
                if any(h <= 0 for h in hints):
                    raise RenumberError(f"non-positive hint in {raw_line[:60]!r}")
                toks[z + 1 : -1] = [b"%d" % mapping[h] for h in hints]
                new_id += 1
                mapping[cid] = new_id
                toks[0] = b"%d" % new_id
                if z == 1:
                    have_empty = True
                buf.append(b" ".join(toks) + b"\n")
        except (KeyError, ValueError, IndexError) as exc:
            raise RenumberError(f"cannot renumber raw proof line {lines + 1}: {exc!r}") from None
        lines += 1
        if len(buf) >= 4096:
            out.write(b"".join(buf))
            buf.clear()
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"time limit reached while renumbering, after {lines} proof lines")
    if not have_empty and empty_clause_index is not None:
        buf.append(b"%d 0 %d 0\n" % (new_id + 1, empty_clause_index))
        lines += 1
    out.write(b"".join(buf))
    return lines


class _ProofWriter:
    """Writes the standard LRAT proof, compressed, while hashing the uncompressed bytes."""

    def __init__(self, path: Path, compression: str) -> None:
        self._file = open(path, "wb")  # noqa: SIM115 - closed by close()
        self._z: io.BufferedIOBase | None
        if compression == "gzip":
            # mtime=0: the same proof always gives a byte-identical file
            self._z = gzip.GzipFile(filename="", mode="wb", fileobj=self._file, mtime=0, compresslevel=6)
        elif compression == "xz":
            self._z = lzma.LZMAFile(self._file, "wb", preset=6)  # noqa: SIM115
        else:
            self._z = None
        self._sink: io.BufferedIOBase = self._file if self._z is None else self._z
        self.hash = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return self._sink.write(data)

    def close(self) -> None:
        try:
            if self._z is not None:
                self._z.close()
        finally:
            self._file.close()


# --------------------------------------------------------------------------- solving


def _solve_with_lrat(
    solver: str,
    clauses: list[list[int]],
    proof_fh: IO[bytes],
    time_limit: float | None,
) -> tuple[int, list[int] | None, float]:
    """Run CaDiCaL with LRAT logging to ``proof_fh``; return (status 10/20/0, model, seconds)."""
    cls = getattr(pysat.solvers, _SOLVERS[solver][1])
    s = cls()
    handle = s.cadical
    tracer = None
    try:
        # Order matters: options first, then the tracer, then the clauses.
        s.configure({"lrat": 1, "binary": 0})
        tracer = getattr(pysolvers, f"{solver}_tracepr")(handle, proof_fh)
        add = getattr(pysolvers, f"{solver}_add_cl")
        start = time.perf_counter()
        deadline = None if time_limit is None else start + time_limit
        for k, c in enumerate(clauses, 1):
            add(handle, c)
            if k % 65536 == 0 and deadline is not None and time.perf_counter() >= deadline:
                return 0, None, time.perf_counter() - start  # not even loaded in time
        cbudget = getattr(pysolvers, f"{solver}_cbudget")
        solve_lim = getattr(pysolvers, f"{solver}_solve_lim")
        stats = getattr(pysolvers, f"{solver}_acc_stats")
        budget = _FIRST_BUDGET
        status = 0
        while True:
            now = time.perf_counter()
            if deadline is not None and now >= deadline:
                break
            cbudget(handle, budget)
            before = stats(handle)["conflicts"]
            # main_thread=0: no SIGINT trap (it would longjmp out of CaDiCaL);
            # a pending Ctrl-C is raised by Python when this call returns.
            res = solve_lim(handle, [], 0)
            if res != 0:
                status = 10 if res == 1 else 20
                break
            took = time.perf_counter() - now
            done = stats(handle)["conflicts"] - before
            slice_s = SLICE_SECONDS
            if deadline is not None:
                slice_s = min(slice_s, max(deadline - time.perf_counter(), 0.01))
            if done > 0 and took > 0:
                budget = int(done / took * slice_s)
            budget = max(10, min(budget, 4 * max(done, _FIRST_BUDGET), _MAX_BUDGET))
        seconds = time.perf_counter() - start
        model = None
        if status == 10:
            model = getattr(pysolvers, f"{solver}_model")(handle) or []
        return status, model, seconds
    finally:
        if tracer is not None:
            pysolvers.flushpr(tracer)
        s.delete()
        if tracer is not None:
            pysolvers.flushpr(tracer)


def refute(
    clauses: Iterable[Iterable[int]],
    workdir: Path | str,
    name: str,
    solver: str = "cadical195",
    time_limit: float | None = None,
    *,
    num_vars: int | None = None,
    compression: str = "gzip",
    check: bool = True,
    write_cnf: bool = True,
) -> RefuteResult:
    """Decide ``clauses``; on UNSAT return a checked, stored LRAT refutation.

    Files (``write_cnf=False``: no CNF file; the proof is checked against the
    clauses in memory, and the record's ``cnf_path`` is ``None``): ``workdir/name.cnf`` (DIMACS of ``clauses`` in the given order,
    declaring ``max(num_vars, largest variable)`` variables) and, on UNSAT,
    ``workdir/name.lrat.gz`` (``.lrat.xz`` / ``.lrat`` for
    ``compression="xz"`` / ``"none"``).  Existing files of that name are
    replaced.  The solver gets no assumptions: UNSAT means the clauses alone
    are unsatisfiable.

    Returns a :class:`Refutation` (check ``.verified``), a :class:`Model`
    (checked against every clause) or a :class:`Timeout` after about
    ``time_limit`` seconds of solving and checking (a proof that is not checked
    within the limit is removed: an unchecked refutation claims nothing).  On
    SAT and timeout the proof file is removed and the CNF kept.  On ``KeyboardInterrupt`` (honoured within
    about :data:`SLICE_SECONDS`) both files are removed and it is re-raised.
    """
    if solver not in _SOLVERS:
        raise SpecError(f"unknown solver {solver!r}; choose one of {', '.join(_SOLVERS)}")
    if solver not in available_solvers():
        raise SpecError(f"solver {solver!r} is not available in python-sat {pysat.__version__}")
    if compression not in _COMPRESSION:
        raise SpecError(f"unknown compression {compression!r}; choose one of {', '.join(_COMPRESSION)}")
    if time_limit is not None and not time_limit > 0:
        raise SpecError(f"time limit must be positive, got {time_limit}")
    if not name or name.startswith(".") or "/" in name or os.sep in name or "\0" in name:
        raise SpecError(f"bad proof name {name!r}: a plain file name is required")
    cls = _normalise(clauses)
    nv = max((abs(lit) for c in cls for lit in c), default=0)
    if num_vars is not None:
        nv = max(nv, num_vars)
    version = _SOLVERS[solver][0]

    deadline = None if time_limit is None else time.monotonic() + time_limit
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    cnf_path: Path | None = workdir / f"{name}.cnf" if write_cnf else None
    raw_path = workdir / f"{name}.lrat.raw"
    proof_path = workdir / f"{name}.lrat{_COMPRESSION[compression]}"
    written: list[Path] = [p for p in (cnf_path, raw_path, proof_path) if p is not None]
    try:
        cnf_sha = write_dimacs(cls, cnf_path, nv) if cnf_path is not None else dimacs_sha256(cls, nv)
        with open(raw_path, "w+b") as raw_fh:  # "w+": the extension fdopen()s it read-write
            status, model, solve_s = _solve_with_lrat(solver, cls, raw_fh, time_limit)

        def timed_out(*remove: Path) -> Timeout:
            """The limit passed (solving, renumbering or checking): remove ``remove``, keep the CNF."""
            _unlink(*remove)
            assert time_limit is not None
            return Timeout(solver, version, cnf_path, cnf_sha, nv, len(cls), time_limit, solve_s)

        if status == 0:
            return timed_out(raw_path)
        if status == 10:
            _unlink(raw_path)
            assert model is not None
            full = tuple(model[v - 1] if v <= len(model) else -v for v in range(1, nv + 1))
            _check_model(cls, full)
            return Model(solver, version, cnf_path, cnf_sha, nv, len(cls), solve_s, full)

        # UNSAT: raw proof -> standard LRAT (compressed) -> independent check.
        empty_index = next((i for i, c in enumerate(cls, 1) if not c), None)
        reason = ""
        expired = False
        writer = _ProofWriter(proof_path, compression)
        try:
            with open(raw_path, "rb") as raw_in:
                renumber_lrat(
                    raw_in,
                    writer,  # type: ignore[arg-type]
                    len(cls),
                    empty_clause_index=empty_index,
                    deadline=deadline,
                )
        except RenumberError as exc:
            reason = f"proof rejected before checking: {exc}"
        except TimeoutError:
            expired = True
        finally:
            writer.close()
        _unlink(raw_path)
        if expired:  # refuted in time, but not renumbered in time: no claim
            return timed_out(proof_path)
        proof_sha = writer.hash.hexdigest()
        file_sha = sha256_file(proof_path)
        if reason:
            result = CheckResult(False, reason, 0)
            verdict = "rejected"
        elif check:
            left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            against = cnf_path if cnf_path is not None else Cnf(nv, tuple(tuple(c) for c in cls))
            result = check_lrat(against, proof_path, time_limit=left)
            if result.timed_out:  # refuted in time, but not checked in time: no claim
                return timed_out(proof_path)
            verdict = "verified" if result.verified else "rejected"
            reason = result.reason
        else:
            result = CheckResult(False, "not checked", 0)
            verdict, reason = "unchecked", "not checked"
        return Refutation(
            solver=solver,
            solver_version=version,
            cnf_path=cnf_path,
            cnf_sha256=cnf_sha,
            proof_path=proof_path,
            proof_sha256=proof_sha,
            proof_file_sha256=file_sha,
            compression=compression,
            checker=CHECKER_NAME,
            verdict=verdict,
            reason=reason,
            num_vars=nv,
            num_clauses=len(cls),
            proof_steps=result.steps,
            solve_seconds=solve_s,
            check_seconds=result.seconds,
        )
    except BaseException:
        # Ctrl-C or any failure: leave no partial files of this step behind.
        _unlink(*written)
        raise


def _check_model(clauses: list[list[int]], model: tuple[int, ...]) -> None:
    true = set(model)
    for i, c in enumerate(clauses, 1):
        if not any(lit in true for lit in c):
            raise SolverError(f"the solver's model violates clause {i}")


def verify_refutation(
    cnf_path: Path | str | Cnf,
    proof_path: Path | str,
    *,
    cnf_sha256: str | None = None,
    proof_sha256: str | None = None,
) -> CheckResult:
    """Re-check a stored refutation; the files may be gzip or xz compressed.

    The CNF is a file, or a :class:`solvers.lrat.Cnf` regenerated in memory (a
    refutation stored without its CNF file).  If hashes are given (as recorded in
    a :class:`Refutation`: ``cnf_sha256`` of the DIMACS text, ``proof_sha256`` of
    the *uncompressed* proof), a mismatch is a rejection.  Raises
    :class:`FormatError` if the CNF is unreadable.
    """
    if cnf_sha256 is not None:
        try:
            if isinstance(cnf_path, Cnf):
                got = dimacs_sha256(cnf_path.clauses, cnf_path.num_vars)
            else:
                got = sha256_file(cnf_path)
        except (OSError, FormatError) as exc:
            raise FormatError(f"cannot read CNF {cnf_path}: {exc}") from None
        if got != cnf_sha256:
            return CheckResult(False, f"CNF sha256 mismatch: file has {got}, record says {cnf_sha256}", 0, line=0)
    if proof_sha256 is not None:
        try:
            got = sha256_file(proof_path, decompress=True)
        except (*READ_ERRORS, FormatError) as exc:
            return CheckResult(False, f"cannot read proof: {exc}", 0, line=0)
        if got != proof_sha256:
            return CheckResult(False, f"proof sha256 mismatch: file has {got}, record says {proof_sha256}", 0, line=0)
    return check_lrat(cnf_path, proof_path)


def write_certificate(
    path: Path | str,
    fmt: str,
    version: int,
    header: dict[str, Any],
    record: dict[str, Any],
    learned: Iterable[Any],
) -> str:
    """Write the certificate file of a refutation (``NAME.certs.json``); return its SHA-256.

    ``header`` states the claim (target, options, size, base encoding); ``record``
    is the :meth:`Refutation.to_dict` of the LRAT proof, whose CNF and proof files
    are named relative to the certificate; ``learned`` are the learned clauses,
    each with a ``to_dict()`` holding its justification.
    """
    data = {
        "format": fmt,
        "version": version,
        **header,
        "cnf": None if record["cnf_path"] is None else Path(record["cnf_path"]).name,
        "cnf_sha256": record["cnf_sha256"],
        "proof": Path(record["proof_path"]).name,
        "proof_sha256": record["proof_sha256"],
        "learned": [lc.to_dict() for lc in learned],
    }
    text = json.dumps(data, separators=(",", ":")) + "\n"
    write_text_atomic(path, text)
    return hashlib.sha256(text.encode()).hexdigest()


def read_certificate(path: Path | str, formats: Iterable[str], version: int, kind: str) -> dict[str, Any]:
    """Read a certificate written by :func:`write_certificate`; ``FormatError`` unless its format is one of
    ``formats`` and its version is ``version`` (``kind`` names the certificate in the message)."""
    path = Path(path)
    data = read_json(path)
    if not isinstance(data, dict) or data.get("format") not in tuple(formats):
        raise FormatError(f"{path} is not a {kind} refutation certificate")
    if data.get("version") != version:
        raise FormatError(f"{path}: unsupported certificate version {data.get('version')!r}")
    return data


def file_stem(spec: str) -> str:
    """A plain, collision-free file-name stem for a target spec, e.g. ``maj_5`` for ``maj:5``.

    ``:`` becomes ``_``.  That is one-to-one on specs made of ASCII letters, digits,
    ``-`` and ``:`` only; any other spec (one with ``_``, or with characters that
    also become ``_``: ``expr:x0^x1`` and ``expr:x0|x1``) gets 8 hex digits of its
    SHA-256 appended, and a stem that would exceed 80 characters keeps 64 and 12.

    >>> file_stem("maj:5"), file_stem("expr:x0^x1") != file_stem("expr:x0|x1")
    ('maj_5', True)
    """
    plain = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
    base = "".join(c if c in plain else "_" for c in spec).strip("_") or "target"
    digest = hashlib.sha256(spec.encode()).hexdigest()
    if len(base) > 80:
        return base[:64] + "_" + digest[:12]
    if any(c not in plain and c != ":" or c == "_" for c in spec):
        return f"{base}_{digest[:8]}"
    return base
