"""One case of a size: what an engine gives the run loop, and how a case is settled.

An engine (a :class:`SizeEngine`) splits a size into :class:`Case` s (the whole
size, or one case per hidden-layer width profile); :func:`settle` decides one
case: re-used from a proof directory after a full re-check, or solved, and if
refuted, proved and stored.  The run loop (:mod:`solvers.run`) settles the cases
of each size in turn; a hard case may be split into cubes (:mod:`solvers.cubes`),
each a case of its own (:meth:`Case.restrict`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from solvers.cnf import dimacs_sha256
from solvers.lrat import Cnf
from solvers.records import Status

if TYPE_CHECKING:
    from circuits.truthtable import TruthTable
    from solvers.certificate import Verdict
    from solvers.search import Search

__all__ = ["Case", "Settled", "SizeEngine", "Solved", "proof_name", "settle", "stored"]


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
    ``data`` is the engine's own encoding object.  ``cube`` is the partial
    assignment of a cube of a split case (:meth:`restrict`): its unit clauses
    follow the case's clauses.  ``race`` marks the whole case as the racer of a
    split solves it, for a model only (:mod:`solvers.cubes`): a solver may then
    search differently from the cubes (:func:`solvers.sat.solve_step`).
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
    cube: tuple[int, ...] = ()
    race: bool = False

    def restrict(self, index: int, cube: Sequence[int]) -> Case:
        """Cube number ``index`` of this case: its clauses, then ``cube`` as unit clauses (``NAME-cINDEX``).

        The certificate header and the claim name the cube; the engine's encoding
        object follows the clauses if it can (``with_clauses``).
        """
        from solvers.cnf import clauses_hash

        clauses = [*self.clauses, *([lit] for lit in cube)]
        header = None
        if self.header is not None:
            header = {**self.header, "cube": list(cube), "base_clauses": len(clauses)}
            header["base_sha256"] = clauses_hash(clauses)
        with_clauses = getattr(self.data, "with_clauses", None)
        cube_claim = {"cube": list(cube) or None, "base": clauses_hash(self.clauses) if cube else None}
        return replace(
            self,
            name=f"{self.name}-c{index}",
            clauses=clauses,
            header=header,
            claim=None if self.claim is None else {**self.claim, **cube_claim},
            data=self.data if with_clauses is None else with_clauses(clauses),
            cube=tuple(cube),
        )

    def cnf(self) -> Cnf:
        """The case's clauses as a :class:`solvers.lrat.Cnf` (to check a proof against them in memory)."""
        return Cnf(self.num_vars, tuple(tuple(c) for c in self.clauses))

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


def _reuse(engine: SizeEngine, case: Case, proof_dir: Path) -> dict[str, Any] | None:
    """The refutation of ``case`` stored by an earlier run, re-checked now (:func:`solvers.certified.reuse`)."""
    from solvers.certified import reuse

    if engine.certificate is None:
        return reuse(proof_dir, case.name, cnf=case.cnf)
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
        solved.stats, write_cnf=not case.cube,
    )  # fmt: skip


@dataclass
class Settled:
    """How :func:`settle` ended one case, with what the step record needs of it.

    ``status`` is a :class:`~solvers.records.Status`; ``proof`` the refutation
    record of a refuted case (proved now or ``reused`` from an earlier run, re-checked);
    ``solved`` what the engine's solver returned (for ``SAT``: the witness, before
    :meth:`SizeEngine.accept`); ``clauses`` the size of the final CNF.
    """

    status: str
    proof: dict[str, Any] | None = None
    solved: Solved | None = None
    clauses: int = 0
    cnf_sha256: str | None = None
    method: str | None = None
    reused: bool = False
    seconds: float = 0.0
    split: bool = False  # settled as cubes (:mod:`solvers.cubes`)


def stored(engine: SizeEngine, case: Case, proof_dir: Path) -> Settled | None:
    """``case`` as an earlier run refuted it in ``proof_dir``, re-checked now; ``None`` if there is no such
    refutation that passes the check."""
    t0 = time.monotonic()
    record = _reuse(engine, case, proof_dir)
    if record is None:
        return None
    clauses = int(record.get("num_clauses", len(case.clauses)))
    return Settled(Status.UNSAT, record, None, clauses, record["cnf_sha256"], None, True, time.monotonic() - t0)


def settle(engine: SizeEngine, case: Case, deadline: float | None, proof_dir: Path | None) -> Settled:
    """Decide ``case``: re-use its stored refutation (re-checked), or solve it and prove a refutation."""
    t0 = time.monotonic()
    if proof_dir is not None and case.counts:
        reused = stored(engine, case, proof_dir)
        if reused is not None:
            return reused
    solved = engine.solve(case, deadline, proof_dir if engine.certificate is None and case.counts else None)
    final = case.clauses if solved.clauses is None else solved.clauses
    out = Settled(solved.status, solved.proof, solved, len(final), solved.cnf_sha256, solved.method)
    if solved.status == Status.UNSAT and not case.counts:
        out.status = case.unsat_status
    elif solved.status == Status.UNSAT and proof_dir is not None:
        out.status, out.proof = _prove(engine, case, solved, proof_dir, deadline)
        out.cnf_sha256 = (out.proof or {}).get("cnf_sha256") or out.cnf_sha256
    if proof_dir is not None and out.status in (Status.SAT, Status.UNSAT) and out.cnf_sha256 is None:
        out.cnf_sha256 = case.cnf_sha256(final)  # the hash of what was decided, only where proofs are kept
    solved.clauses = None  # the caller needs the witness, not the (possibly large) final CNF
    out.seconds = time.monotonic() - t0
    return out
