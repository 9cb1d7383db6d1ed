"""The one run loop of every synthesis engine.

An engine (a :class:`solvers.cases.SizeEngine`: Boolean chains, lazy threshold, MILP
threshold, ReLU activation patterns, bit-blasted ReLU) says what a size
consists of (its :class:`~solvers.cases.Case` s: the whole size, or one case per hidden-layer
width profile), how to solve a case, how to re-check a refutation, and how to
check a witness.  :func:`run_engine` owns everything else, once for all of
them:

* the checks of the search options (``max_size``, ``start``, ``timeout``,
  ``proof_dir``);
* the upward size search and what it may claim (:func:`solvers.search.search_sizes`);
* the time limit, Ctrl-C and the progress events;
* splitting a hard case into cubes and running them on many processes or a Dask
  cluster (:class:`Parallel`, :mod:`solvers.cubes`);
* the proof directory and its file names (:func:`solvers.cases.proof_name`): a refuted case is
  proved (a checked LRAT proof, plus a certificate file for engines whose
  clauses need one, :mod:`solvers.certified`), and a case refuted by an earlier
  run with the same directory is re-used only after it is re-checked (resume,
  for every engine);
* the :class:`~solvers.records.StepResult` of each size and the
  :class:`~solvers.records.SynthesisResult`.

A size is refuted only when every one of its cases is; a size with one
satisfiable case is solved by that case's witness, which the engine re-checks
on all ``2**n`` rows (``SizeEngine.accept``) before the loop accepts it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from circuits.errors import SpecError
from solvers.cases import Case, Settled, SizeEngine, proof_name, settle, stored
from solvers.certified import journal_path
from solvers.cubes import CUBES_PER_JOB, SPLIT_AFTER, CubeProgress, cube_record, solve_cubes, split_case
from solvers.limits import check_jobs, check_timeout
from solvers.records import ProgressEvent, Status, StepResult, SynthesisResult
from solvers.search import Search, search_sizes
from solvers.split import MAX_CUBES

__all__ = ["Parallel", "run_engine"]


def _check_size(value: Any, what: str, least: int) -> None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < least):
        raise SpecError(f"{what} must be an integer >= {least}, got {value!r}")


@dataclass(frozen=True)
class Parallel:
    """How the cases of a size may be split and where the cubes run (see :mod:`solvers.cubes`).

    ``cubes`` splits every case that counts into at least that many cubes at
    once; otherwise, with ``jobs > 1`` or a Dask ``scheduler``, a case still
    undecided after :data:`solvers.cubes.SPLIT_AFTER` seconds is split into
    :data:`solvers.cubes.CUBES_PER_JOB` cubes per process.
    """

    jobs: int = 1
    cubes: int | None = None
    scheduler: str | None = None

    def splits(self) -> bool:
        return self.cubes is not None or self.jobs > 1 or self.scheduler is not None


def run_engine(
    engine: SizeEngine,
    *,
    max_size: int | None = None,
    start: int | None = None,
    timeout: float | None = None,
    proof_dir: str | Path | None = None,
    progress: Callable[[ProgressEvent], None] | None = None,
    jobs: int = 1,
    cubes: int | None = None,
    scheduler: str | None = None,
) -> SynthesisResult:
    """Search sizes upward from the engine's lower bound (or ``start``) and build the result record.

    ``start`` above the lower bound leaves the sizes in between unrefuted (the
    result is then not proven); ``max_size`` gives up after refuting that size;
    ``timeout`` (seconds) and Ctrl-C return the partial result; ``proof_dir``
    keeps a checked proof of every refuted case and resumes from it (see the
    module docstring).  ``jobs``, ``cubes`` and ``scheduler`` split hard cases
    into cubes and run them on that many processes or a Dask cluster
    (:class:`Parallel`).  With ``lb == 0`` the engine's size-0 witness is taken
    without a solver call.
    """
    from circuits.output import check_output

    _check_size(max_size, "max_size", engine.least_size)
    _check_size(start, "start", engine.least_size)
    _check_size(cubes, "cubes", 2)
    check_jobs(jobs, "jobs")
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise SpecError(f"scheduler must be an address such as tcp://host:8786, got {scheduler!r}")
    timeout = check_timeout(timeout)
    pdir = None if proof_dir is None else Path(proof_dir)
    if pdir is not None:
        engine.check_proofs()
        check_output(pdir, directory=True)
        pdir.mkdir(parents=True, exist_ok=True)
    parallel = Parallel(jobs, cubes, scheduler)
    t_start = time.monotonic()
    deadline = None if timeout is None else t_start + timeout
    first = engine.lb if start is None else max(start, engine.lb)

    def try_size(size: int) -> tuple[StepResult, Any]:
        return _try_size(engine, size, deadline, pdir, progress, t_start, parallel)

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
        jobs=jobs,
        name=proof_name(engine.spec, engine.tag),
    )


def _stored_split(case: Case, proof_dir: Path | None) -> int | None:
    """The number of cubes an earlier run split ``case`` into, if its coverage journal says so (resume)."""
    from circuits.errors import LbtError
    from circuits.schema import is_int, read_json

    if proof_dir is None or not journal_path(proof_dir, f"{case.name}-cover").is_file():
        return None
    try:
        count = read_json(journal_path(proof_dir, f"{case.name}-cover")).get("split_count")
    except (LbtError, AttributeError):
        return None
    return count if is_int(count) and 1 <= count <= MAX_CUBES else None


def _settle_or_split(
    engine: SizeEngine,
    case: Case,
    piece: int,
    deadline: float | None,
    proof_dir: Path | None,
    parallel: Parallel,
    report: Callable[[CubeProgress], None] | None,
) -> tuple[Settled, dict[str, Any] | None]:
    """Settle ``case`` whole, or split it into cubes (see :class:`Parallel`); the split's record, if split."""
    count = parallel.cubes if parallel.cubes is not None else _stored_split(case, proof_dir)
    if not case.counts or (count is None and not parallel.splits()):
        return settle(engine, case, deadline, proof_dir), None
    whole = None if proof_dir is None else stored(engine, case, proof_dir)  # refuted whole by an earlier run?
    if whole is not None:
        return whole, None
    if count is None:  # first the whole case, for a moment
        until = time.monotonic() + SPLIT_AFTER
        whole = settle(engine, case, until if deadline is None else min(deadline, until), proof_dir)
        if whole.status != Status.TIMEOUT or (deadline is not None and time.monotonic() >= deadline):
            return whole, None
        count = CUBES_PER_JOB * max(parallel.jobs, 1)
    parts = split_case(engine, case, count)
    run = solve_cubes(
        engine, case, piece, parts, deadline, proof_dir, jobs=parallel.jobs, scheduler=parallel.scheduler,
        progress=report,
    )  # fmt: skip
    settled = run.settled.values()
    out = Settled(
        run.status,
        clauses=sum(s.clauses for s in settled),
        method=next((s.method for s in settled if s.method), None),
        reused=bool(settled) and all(s.reused for s in settled) and bool(run.cover and run.cover.reused),
        seconds=sum(s.seconds for s in settled),
        split=True,
    )
    if run.witness_cube is not None:
        out.solved = run.settled[run.witness_cube].solved
        out.cnf_sha256 = run.settled[run.witness_cube].cnf_sha256
    if run.status != Status.UNSAT:
        return out, None
    assert run.cover is not None
    record = {
        "split": {"cubes": count, "count": len(parts.cubes)},
        "cover": run.cover.proof or {},
        "cubes": [cube_record(k, parts.cubes[k], run.settled[k]) for k in range(len(parts.cubes))],
    }
    return out, record


def _try_size(
    engine: SizeEngine,
    size: int,
    deadline: float | None,
    proof_dir: Path | None,
    progress: Callable[[ProgressEvent], None] | None,
    t_start: float,
    parallel: Parallel,
) -> tuple[StepResult, Any]:
    """One size: every case re-used (re-checked), solved or split into cubes, refuted cases proved; the record."""
    t0 = time.monotonic()
    status: str = Status.UNSAT
    found = method = None
    records: list[dict[str, Any]] = []
    hashes: list[str | None] = []  # of each case decided
    variables = clauses = reused = count = 0
    pieces = split = False

    def report(state: CubeProgress) -> None:
        if progress is not None:
            elapsed = time.monotonic() - t_start
            progress(ProgressEvent(size, Status.SPLIT, time.monotonic() - t0, elapsed, cubes=state))

    for piece, case in enumerate(engine.cases(size, deadline)):
        if count == 0 and progress is not None:
            progress(ProgressEvent(size, Status.SOLVING, 0.0, t0 - t_start, case.num_vars, len(case.clauses)))
        count += 1
        pieces = case.key is not None
        variables += case.num_vars
        outcome, parts = _settle_or_split(engine, case, piece, deadline, proof_dir, parallel, report)
        split = split or outcome.split
        clauses += outcome.clauses
        method = outcome.method or method
        reused += outcome.reused
        hashes.append(None if outcome.split and outcome.status != Status.SAT else outcome.cnf_sha256)
        if outcome.status == Status.SAT:
            assert outcome.solved is not None
            found, status = engine.accept(outcome.solved, case), Status.SAT
            break
        if outcome.status != Status.UNSAT:
            status = outcome.status
            break
        records.append({**(case.key or {}), **(parts or outcome.proof or {})})
    if method is None:
        method = engine.method(proof_dir is not None) + ("+cubes" if split else "")
        method += ":stored" if reused and reused == count else ""
    elif split:
        method += "+cubes"
    if pieces:
        proof = {"profiles": records} if status == Status.UNSAT else None
    else:
        proof = records[0] if status == Status.UNSAT and records and (proof_dir is not None or split) else None
    sha = hashes[0] if len(hashes) == 1 else None
    return StepResult(size, status, time.monotonic() - t0, variables, clauses, method, sha, proof), found
