"""The one run loop of every synthesis engine.

An engine (a :class:`SizeEngine`: Boolean chains, lazy threshold, MILP
threshold, ReLU activation patterns, bit-blasted ReLU) says what a size
consists of (its :class:`Case` s: the whole size, or one case per hidden-layer
width profile), how to solve a case, how to re-check a refutation, and how to
check a witness.  :func:`run_engine` owns everything else, once for all of
them:

* the checks of the search options (``max_size``, ``start``, ``timeout``,
  ``proof_dir``);
* the upward size search and what it may claim (:func:`solvers.search.search_sizes`);
* the time limit, Ctrl-C and the progress events;
* the proof directory and its file names (:func:`proof_name`): a refuted case is
  proved (a checked LRAT proof, plus a certificate file for engines whose
  clauses need one, :mod:`solvers.certified`), and a case refuted by an earlier
  run with the same directory is re-used only after it is re-checked (resume,
  for every engine);
* the :class:`~solvers.records.StepResult` of each size and the
  :class:`~solvers.records.SynthesisResult`.

A size is refuted only when every one of its cases is; a size with one
satisfiable case is solved by that case's witness, which the engine re-checks
on all ``2**n`` rows (:meth:`SizeEngine.accept`) before the loop accepts it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from circuits.errors import SpecError
from solvers.cnf import dimacs_sha256
from solvers.limits import check_timeout
from solvers.records import ProgressEvent, Status, StepResult, SynthesisResult
from solvers.search import Search, search_sizes

if TYPE_CHECKING:
    from circuits.truthtable import TruthTable
    from solvers.certificate import Verdict

__all__ = ["Case", "SizeEngine", "Solved", "proof_name", "run_engine"]


@dataclass(frozen=True)
class Case:
    """One piece a size's refutation consists of: the whole size, or one width profile of it.

    ``name`` is the file stem of its CNF, proof, journal and certificate under
    ``--proof DIR`` (:func:`proof_name`); ``key`` (e.g. ``{"widths": [2, 1]}``)
    names the piece in its refutation record when a size has several;
    ``header`` is the certificate header (the question, and ``base_clauses`` and
    ``base_sha256`` of the base encoding) of engines with certificate files, and
    ``claim`` the :func:`solvers.records.refuted_claim` its verified certificate
    must state.  ``counts`` is false for a case whose refutation refutes nothing
    of the question (a one-hidden-layer refutation asked of a deeper network):
    it is neither proved nor re-used, and the size ends in ``unsat_status``.
    ``data`` is the engine's own encoding object.
    """

    size: int
    name: str
    clauses: Sequence[Sequence[int]]
    num_vars: int
    key: dict[str, Any] | None = None
    header: dict[str, Any] | None = None
    claim: dict[str, Any] | None = None
    counts: bool = True
    unsat_status: str = Status.UNSAT_ONE_HIDDEN_LAYER
    data: Any = field(default=None, repr=False, compare=False)

    def cnf_sha256(self, clauses: Sequence[Sequence[int]] | None = None) -> str | None:
        """SHA-256 of the DIMACS text of the case's clauses (or of ``clauses``, what they grew into).

        ``None`` for a case without a CNF (a method that solves no formula, MILP).
        """
        return dimacs_sha256(self.clauses if clauses is None else clauses, self.num_vars) if self.num_vars else None


@dataclass
class Solved:
    """What :meth:`SizeEngine.solve` found for one case.

    ``status`` is a :class:`~solvers.records.Status`: ``SAT`` (with ``witness``,
    whatever :meth:`SizeEngine.accept` decodes), ``UNSAT``, ``TIMEOUT``,
    ``INTERRUPTED`` or a status of :attr:`SizeEngine.next_on`.  ``clauses`` is the
    final CNF when it grew while solving (the case's clauses plus the learned
    ones, whose justifications are ``learned``); ``proof`` the refutation record
    of an engine that proves while it solves; ``stats`` go into the record;
    ``method`` overrides the engine's; ``cnf_sha256`` is the hash of the CNF if
    the solver computed it.
    """

    status: str
    witness: Any = None
    clauses: Sequence[Sequence[int]] | None = None
    learned: Sequence[Any] = ()
    stats: dict[str, Any] = field(default_factory=dict)
    proof: dict[str, Any] | None = None
    method: str | None = None
    cnf_sha256: str | None = None


class SizeEngine(Protocol):
    """What one model (or one method of a model) gives :func:`run_engine`.

    Set by the constructor: the question (``spec``, ``table``), the justified
    lower bound ``lb`` with its ``bound_reason``, and ``cap``, the largest size a
    minimum can have under the options (``None``: unbounded; every size up to it
    refuted means no circuit exists).
    """

    spec: str
    table: TruthTable
    lb: int
    bound_reason: str
    cap: int | None
    #: File-name tag of the options, e.g. ``thr-d2`` (see :func:`proof_name`).
    tag: str
    #: ``(format, version)`` of the certificate file of a refuted case, or ``None``
    #: when the LRAT proof of the case's own CNF is the whole certificate.
    certificate: tuple[str, int] | None
    #: Step statuses after which the next size is tried.
    next_on: frozenset[str]
    #: Whether refutations count: ``False`` for a method whose "no" is not exact (MILP).
    certifies: bool
    #: Processes a size may use.
    jobs: int
    #: The smallest size a circuit of the model can have (0: inputs and constants need no gate).
    least_size: int

    def method(self, proofs: bool) -> str:
        """The ``method`` of a step (``"lazy:cadical195"``, ``"lrat:cadical195"``, ...)."""
        ...

    def check_proofs(self) -> None:
        """Raise :class:`SpecError` if this engine cannot write proofs as configured."""
        ...

    def cases(self, size: int, deadline: float | None) -> Iterator[Case]:
        """The cases of ``size``, encoded lazily (an encoding past ``deadline`` raises DeadlineReached)."""
        ...

    def solve(self, case: Case, deadline: float | None, proof_dir: Path | None) -> Solved:
        """Decide ``case``; ``proof_dir`` is given only to engines without a certificate (they prove inline)."""
        ...

    def verify(self, path: Path) -> Verdict:
        """The verifier of this engine's certificate files (engines with a certificate)."""
        ...

    def accept(self, solved: Solved, case: Case) -> Any:
        """Decode and re-check the witness on every row (raise WitnessError); return the one to report."""
        ...

    def trivial(self) -> Any:
        """The witness of size 0 when ``lb == 0`` (no solver call), re-checked."""
        ...

    def result_fields(self, search: Search) -> dict[str, Any]:
        """The fields of the result record that the search does not decide (model, options, encoding, ...)."""
        ...


def proof_name(spec: str, tag: str, size: int | None = None, piece: Sequence[int] | None = None) -> str:
    """The file stem under ``--proof DIR`` of a question (``maj_5-b2``), one of its sizes (``maj_5-b2-s8``)
    or one piece of a size (``maj_4-relu-l2-lin-w1-s3-p2``: ``piece`` is a width profile, the empty one ``-p0``).
    """
    from solvers.proof import file_stem

    name = f"{file_stem(spec)}-{tag}"
    if size is not None:
        name += f"-s{size}"
    return name if piece is None else name + "-p" + ("-".join(map(str, piece)) or "0")


def _check_size(value: Any, what: str, least: int) -> None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < least):
        raise SpecError(f"{what} must be an integer >= {least}, got {value!r}")


def run_engine(
    engine: SizeEngine,
    *,
    max_size: int | None = None,
    start: int | None = None,
    timeout: float | None = None,
    proof_dir: str | Path | None = None,
    progress: Callable[[ProgressEvent], None] | None = None,
) -> SynthesisResult:
    """Search sizes upward from the engine's lower bound (or ``start``) and build the result record.

    ``start`` above the lower bound leaves the sizes in between unrefuted (the
    result is then not proven); ``max_size`` gives up after refuting that size;
    ``timeout`` (seconds) and Ctrl-C return the partial result; ``proof_dir``
    keeps a checked proof of every refuted case and resumes from it (see the
    module docstring).  With ``lb == 0`` the engine's size-0 witness is taken
    without a solver call.
    """
    from circuits.output import check_output

    _check_size(max_size, "max_size", engine.least_size)
    _check_size(start, "start", engine.least_size)
    timeout = check_timeout(timeout)
    pdir = None if proof_dir is None else Path(proof_dir)
    if pdir is not None:
        engine.check_proofs()
        check_output(pdir, directory=True)
        pdir.mkdir(parents=True, exist_ok=True)
    t_start = time.monotonic()
    deadline = None if timeout is None else t_start + timeout
    first = engine.lb if start is None else max(start, engine.lb)

    def try_size(size: int) -> tuple[StepResult, Any]:
        return _try_size(engine, size, deadline, pdir, progress, t_start)

    if engine.lb == 0:
        witness = engine.trivial()
        if progress is not None:
            progress(ProgressEvent(0, Status.TRIVIAL, 0.0, 0.0))
        search = Search((), witness, 0, 0, True, False, False, False)
    else:
        search = search_sizes(
            try_size,
            lb=engine.lb,
            first=first,
            cap=engine.cap,
            max_size=max_size,
            deadline=deadline,
            started=t_start,
            progress=progress,
            next_on=engine.next_on,
        )
    fields = search.result_fields()
    if not engine.certifies:  # its "no" answers refute nothing
        fields.update(proven=False, lower_bound=engine.lb, refutations=(), infeasible=False)
    return SynthesisResult(
        **fields,
        **engine.result_fields(search),
        target=engine.spec,
        table=engine.table.hex(),
        n=engine.table.n,
        m=engine.table.m,
        bound_reason=engine.bound_reason,
        start=first,
        seconds=time.monotonic() - t_start,
        max_size=max_size,
        proofs=pdir is not None,
        jobs=engine.jobs,
        name=proof_name(engine.spec, engine.tag),
    )


def _reuse(engine: SizeEngine, case: Case, proof_dir: Path) -> dict[str, Any] | None:
    """The refutation of ``case`` stored by an earlier run, re-checked now (:func:`solvers.certified.reuse`)."""
    from solvers.certified import reuse

    if engine.certificate is None:
        return reuse(proof_dir, case.name, cnf_sha256=lambda: case.cnf_sha256() or "")
    assert case.header is not None
    return reuse(proof_dir, case.name, base_sha256=case.header["base_sha256"], claim=case.claim, verify=engine.verify)


def _prove(
    engine: SizeEngine, case: Case, solved: Solved, proof_dir: Path, deadline: float | None
) -> tuple[str, dict[str, Any] | None]:
    """Store the refutation of ``case`` (proving it first for engines with a certificate)."""
    from solvers.certified import prove_and_store, write_journal

    if engine.certificate is None:  # proved while solving
        assert solved.proof is not None
        write_journal(proof_dir, case.name, solved.proof)
        return Status.UNSAT, solved.proof
    assert case.header is not None
    final = case.clauses if solved.clauses is None else solved.clauses
    return prove_and_store(
        final, case.num_vars, case.header, solved.learned, proof_dir, case.name, deadline, engine.certificate,
        solved.stats,
    )  # fmt: skip


def _try_size(
    engine: SizeEngine,
    size: int,
    deadline: float | None,
    proof_dir: Path | None,
    progress: Callable[[ProgressEvent], None] | None,
    t_start: float,
) -> tuple[StepResult, Any]:
    """One size: every case re-used (re-checked) or solved, refuted cases proved; the step record."""
    t0 = time.monotonic()
    status: str = Status.UNSAT
    found = method = None
    records: list[dict[str, Any]] = []
    hashes: list[str | None] = []  # of each case decided
    variables = clauses = reused = count = 0
    pieces = False
    for case in engine.cases(size, deadline):
        if count == 0 and progress is not None:
            progress(ProgressEvent(size, Status.SOLVING, 0.0, t0 - t_start, case.num_vars, len(case.clauses)))
        count += 1
        pieces = case.key is not None
        variables += case.num_vars
        if proof_dir is not None and case.counts:
            stored = _reuse(engine, case, proof_dir)
            if stored is not None:  # refuted by an earlier run, re-checked now
                clauses += int(stored.get("num_clauses", len(case.clauses)))
                hashes.append(stored["cnf_sha256"])
                records.append({**(case.key or {}), **stored})
                reused += 1
                continue
        solved = engine.solve(case, deadline, proof_dir if engine.certificate is None and case.counts else None)
        final = case.clauses if solved.clauses is None else solved.clauses
        clauses += len(final)
        method = solved.method or method
        if solved.status == Status.SAT:
            found, status = engine.accept(solved, case), Status.SAT
            hashes.append(solved.cnf_sha256 or case.cnf_sha256(final))
            break
        if solved.status != Status.UNSAT:
            status = solved.status
            hashes.append(solved.cnf_sha256)
            break
        if not case.counts:
            status = case.unsat_status
            hashes.append(solved.cnf_sha256 or case.cnf_sha256(final))
            break
        info = solved.proof
        if proof_dir is not None:
            st, info = _prove(engine, case, solved, proof_dir, deadline)
            if st != Status.UNSAT:
                status = st
                break
        sha = (info or {}).get("cnf_sha256") or solved.cnf_sha256 or case.cnf_sha256(final)
        hashes.append(sha)
        records.append({**(case.key or {}), **(info or {"cnf_sha256": sha})})
    if method is None:
        method = engine.method(proof_dir is not None) + (":stored" if reused and reused == count else "")
    if pieces:
        proof = {"profiles": records} if status == Status.UNSAT else None
    else:
        proof = records[0] if status == Status.UNSAT and records and proof_dir is not None else None
    sha = hashes[0] if len(hashes) == 1 else None
    return StepResult(size, status, time.monotonic() - t0, variables, clauses, method, sha, proof), found
