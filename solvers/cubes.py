"""Cube-and-conquer: one hard case split into cubes, each refuted on its own, on many processes.

A case (the CNF ``F`` of a size, or of one width profile of it) is split into
*cubes*, partial assignments: the engine names groups of literals of which every
model of ``F`` makes at least one true (:meth:`SizeEngine.split_groups`; by
default, :func:`occurrence_groups`: a variable and its negation, for the
variables that occur most often), and :func:`split` takes the product of the
first groups until there are at least as many cubes as asked for.  The split is
a deterministic function of the case's CNF and the number asked for, so a
verifier derives the same cubes from the question and never takes them from a
record.

``F`` is refuted when

* the cubes cover it: ``F`` together with the negation of every cube is
  unsatisfiable (the *coverage* refutation, :func:`coverage_case`), and
* every cube is refuted: ``F`` with the cube's literals as unit clauses is
  unsatisfiable (:meth:`solvers.cases.Case.restrict`).

With ``--proof DIR`` each of these is a refutation like any other, with a checked
LRAT proof (and for the threshold and ReLU engines the exact certificates of the
clauses learned in that cube), stored as ``NAME-cover`` and ``NAME-cK``; a later
run re-checks and re-uses them, so an interrupted split resumes where it stopped.

:func:`solve_cubes` runs the cubes of one case on ``jobs`` local processes (or on
a Dask cluster with ``scheduler``); the first satisfiable cube stops the others,
and its witness is the size's witness.  The results and proofs do not depend on
where the cubes ran.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from circuits.errors import SolverError
from solvers.cases import Case, Settled, SizeEngine, settle, stored
from solvers.certified import journal_path
from solvers.records import Status
from solvers.split import derive

__all__ = [
    "RACER",
    "SPLIT_AFTER",
    "CubeProgress",
    "Split",
    "coverage_case",
    "solve_cubes",
    "split_case",
]

#: Seconds a case runs whole before ``jobs > 1`` splits it into cubes (a quick case is not split).
SPLIT_AFTER = 2.0

#: Cubes per process when ``jobs > 1`` splits a case and no number of cubes is given.
CUBES_PER_JOB = 8


@dataclass(frozen=True)
class Split:
    """How a case was split: ``count`` cubes asked for, ``cubes`` the cubes :func:`split` derived."""

    count: int
    cubes: tuple[tuple[int, ...], ...]

    def weight(self) -> float:
        """The share of the search space one cube stands for (every cube the same)."""
        return 1.0 / len(self.cubes)


def split_case(engine: SizeEngine, case: Case, count: int) -> Split:
    """The cubes of ``case`` when ``count`` are asked for: the engine's ``split_groups(case)`` if it has them."""
    groups = getattr(engine, "split_groups", None)
    return Split(count, tuple(derive(case.clauses, count, None if groups is None else groups(case))))


def coverage_case(case: Case, cubes: Sequence[Sequence[int]]) -> Case:
    """The case whose refutation shows that ``cubes`` cover ``case``: its clauses and every cube negated."""
    from dataclasses import replace

    clauses = [*case.clauses, *([-lit for lit in cube] for cube in cubes)]
    return replace(case, name=f"{case.name}-cover", clauses=clauses, header=None, claim=None, key=None, cube=())


@dataclass
class CubeProgress:
    """What a split case has done so far (given to the progress callback after each cube)."""

    done: int = 0
    total: int = 0
    refuted_share: float = 0.0
    started: float = field(default_factory=time.monotonic)

    def eta(self) -> float | None:
        """Seconds left if the remaining cubes take as long as the finished ones (None before the first)."""
        if self.done == 0 or self.done >= self.total:
            return None
        spent = time.monotonic() - self.started
        return spent / self.done * (self.total - self.done)


@dataclass
class CubeRun:
    """The outcome of :func:`solve_cubes`: the status of the case and what each cube ended in (by index)."""

    status: str
    settled: dict[int, Settled]
    witness_cube: int | None = None
    cover: Settled | None = None


def _prove_cover(case: Case, parts: Split, deadline: float | None, proof_dir: Path | None) -> Settled:
    """Refute ``F`` with every cube negated: a plain refutation (with a checked LRAT proof under ``proof_dir``,
    whose journal also says how many cubes were asked for, so that a later run splits the case alike)."""
    from solvers.cases import Solved
    from solvers.sat import solve_step

    cubes = parts.cubes
    cover = coverage_case(case, cubes)
    if proof_dir is not None:
        from solvers.certified import reuse, write_journal

        stored = reuse(proof_dir, cover.name, cnf=cover.cnf)
        if stored is not None:
            return Settled(Status.UNSAT, stored, None, len(cover.clauses), stored["cnf_sha256"], None, True)
    step = solve_step(
        [list(c) for c in cover.clauses], cover.num_vars, size=case.size, deadline=deadline, proof_dir=proof_dir,
        name=cover.name, write_cnf=False,
    )  # fmt: skip
    if step.status == Status.SAT:
        raise SolverError(f"{case.name}: the cubes do not cover the case (a model avoids all {len(cubes)})")
    if step.status == Status.UNSAT and proof_dir is not None:
        assert step.proof is not None
        write_journal(proof_dir, cover.name, {**step.proof, "split_count": parts.count, "cubes": len(cubes)})
    solved = Solved(step.status, cnf_sha256=step.cnf_sha256)
    return Settled(step.status, step.proof, solved, len(cover.clauses), step.cnf_sha256)


# --------------------------------------------------------------------------- local processes
#: What the forked workers of one :func:`solve_cubes` call need (inherited, not pickled).
_WORK: dict[str, Any] = {}


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the workers


def _local_task(index: int) -> tuple[int, Settled]:
    work = _WORK
    cube = work["case"].restrict(index, work["cubes"][index])
    return index, settle(work["engine"], cube, work["deadline"], work["proof_dir"])


#: Index of the whole case's model search that races the cubes (:func:`_run_local`).
RACER = -1


def _race_main(conn: Any, parent: int) -> None:
    """The racer: the whole case, without a proof, looking for a model; it reports only a satisfiable one.

    Its one solver call does not look at the clock, so the kernel ends it: at the
    deadline (SIGALRM, default action) and when the parent dies (Linux
    ``PR_SET_PDEATHSIG``), so that a killed search leaves no racer behind.
    """
    _init_worker()
    work = _WORK
    _die_with_parent(parent)
    if work["deadline"] is not None:
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.setitimer(signal.ITIMER_REAL, max(work["deadline"] - time.monotonic(), 0.001))
    try:
        solved = work["engine"].solve(replace(work["case"], race=True), work["deadline"], None)
        if solved.status == Status.SAT:
            solved.clauses = None  # the parent needs the witness, not the final CNF
            conn.send(Settled(Status.SAT, solved=solved, cnf_sha256=solved.cnf_sha256))
    except Exception:  # noqa: BLE001 - a failed racer leaves the cubes to decide
        pass
    finally:
        conn.close()


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent (process ``parent``) dies; a no-op elsewhere."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(0)


def _run_local(indices: list[int], jobs: int) -> Iterator[tuple[int, Settled]]:
    """The cubes on ``jobs`` forked processes; with ``jobs > 1`` one more process races them on the whole case.

    The racer only finds models: a satisfiable size is often quick as a whole
    but slow as cubes (each unsatisfiable cube needs its proof first).  A model it
    finds ends the split (``RACER`` is its index); its "unsatisfiable" refutes
    nothing (it has no proof) and is ignored, so the cubes decide that.
    """
    if jobs <= 1:
        for index in indices:
            yield _local_task(index)
        return
    ctx = multiprocessing.get_context("fork")
    pool = ctx.Pool(min(jobs, len(indices)) or 1, initializer=_init_worker)
    receive, send = ctx.Pipe(duplex=False)
    racer = ctx.Process(target=_race_main, args=(send, os.getpid()), daemon=True)
    racer.start()
    send.close()
    racing = True
    try:
        results = pool.imap_unordered(_local_task, indices)
        for _ in indices:
            while True:
                if racing and receive.poll():
                    try:
                        yield RACER, receive.recv()
                        return
                    except EOFError:  # the racer ended without a model
                        racing = False
                try:
                    yield results.next(timeout=0.2)
                    break
                except multiprocessing.TimeoutError:
                    continue
    finally:
        racer.kill()
        racer.join()
        receive.close()
        pool.terminate()
        pool.join()


# --------------------------------------------------------------------------- Dask
def _dask_task(
    engine: SizeEngine, size: int, piece: int, index: int, cube: Sequence[int], until: float | None, proofs: bool
) -> tuple[int, Settled, dict[str, bytes]]:
    """One cube on a Dask worker, proved in a scratch directory whose files go back to the caller.

    The case is encoded again on the worker (deterministically, once per worker
    and size); ``until`` is wall-clock time (monotonic clocks differ between hosts).
    """
    import tempfile

    cases = getattr(engine, "_worker_cases", None)
    if cases is None or cases[0] != size:
        cases = (size, list(engine.cases(size, None)))
        engine._worker_cases = cases  # type: ignore[attr-defined]  # one encoding per worker and size
    deadline = None if until is None else time.monotonic() + max(until - time.time(), 0.0)
    case = cases[1][piece].restrict(index, cube)
    with tempfile.TemporaryDirectory(prefix="lbt-cube-") as tmp:
        outcome = settle(engine, case, deadline, Path(tmp) if proofs else None)
        blobs = {p.name: p.read_bytes() for p in Path(tmp).iterdir() if p.is_file()}
    return index, outcome, blobs


def _received(outcome: Settled, blobs: dict[str, bytes], proof_dir: Path) -> Settled:
    """A remote cube's files written into ``proof_dir``, and its record naming them there."""
    from circuits.output import write_bytes_atomic

    for name, data in blobs.items():
        write_bytes_atomic(proof_dir / Path(name).name, data)
    if outcome.proof is not None:
        for key in ("cnf_path", "proof_path", "certificates_path"):
            if outcome.proof.get(key):
                outcome.proof[key] = str(proof_dir / Path(outcome.proof[key]).name)
    return outcome


def _dask_client(scheduler: str) -> Any:
    """A client of the cluster; inside a Dask task (a table cell on a worker), one that lets the task's thread
    go while it waits for its cubes, so that the cubes can run on that worker too."""
    from distributed import Client, get_worker, worker_client

    try:
        get_worker()
    except ValueError:
        return Client(scheduler)
    return worker_client()


def _run_dask(
    scheduler: str, engine: SizeEngine, case: Case, piece: int, cubes: Sequence[Sequence[int]], indices: list[int],
    deadline: float | None, proof_dir: Path | None,
) -> Iterator[tuple[int, Settled]]:  # fmt: skip
    """The cubes on a Dask cluster; the files of their proofs come back and are written here, so the workers
    need no shared file system.  Cubes stored by an earlier run are re-checked here, not sent."""
    from distributed import as_completed

    todo = []
    for k in indices:
        if proof_dir is not None and journal_path(proof_dir, f"{case.name}-c{k}").is_file():
            earlier = stored(engine, case.restrict(k, cubes[k]), proof_dir)  # re-checked here, never solved here
            if earlier is not None:
                yield k, earlier
                continue
        todo.append(k)
    if not todo:
        return
    until = None if deadline is None else time.time() + (deadline - time.monotonic())
    with _dask_client(scheduler) as client:
        shared = client.scatter(engine, broadcast=True)
        futures = [
            client.submit(_dask_task, shared, case.size, piece, k, cubes[k], until, proof_dir is not None, pure=False)
            for k in todo
        ]
        try:
            for future in as_completed(futures):
                index, outcome, blobs = future.result()
                yield index, outcome if proof_dir is None else _received(outcome, blobs, proof_dir)
        finally:
            client.cancel(futures)


def solve_cubes(
    engine: SizeEngine,
    case: Case,
    piece: int,
    parts: Split,
    deadline: float | None,
    proof_dir: Path | None,
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    progress: Callable[[CubeProgress], None] | None = None,
) -> CubeRun:
    """Settle every cube of ``case`` (number ``piece`` of its size) on ``jobs`` processes or a Dask cluster.

    The coverage of the cubes is refuted first (and proved under ``proof_dir``).
    Cubes stored by an earlier run are re-checked where they run.  The first
    satisfiable cube, a time limit or Ctrl-C stops the others; their status is
    the case's (``INTERRUPTED`` for Ctrl-C).
    """
    cover = _prove_cover(case, parts, deadline, proof_dir)
    if cover.status != Status.UNSAT:
        return CubeRun(cover.status, {}, cover=cover)
    state = CubeProgress(total=len(parts.cubes))
    settled: dict[int, Settled] = {}
    # hard cubes tend to sit together in the product order: a fixed shuffle spreads them over the processes
    # (and keeps the time-left estimate honest); the records are by cube index whatever the order
    indices = list(range(len(parts.cubes)))
    random.Random(len(indices)).shuffle(indices)
    if scheduler is not None:
        results = _run_dask(scheduler, engine, case, piece, parts.cubes, indices, deadline, proof_dir)
    else:
        _WORK.update(engine=engine, case=case, cubes=parts.cubes, deadline=deadline, proof_dir=proof_dir)
        results = _run_local(indices, jobs)
    status: str = Status.UNSAT
    witness_cube = None
    try:
        for index, outcome in results:
            settled[index] = outcome
            state.done += 1
            if outcome.status == Status.UNSAT:
                state.refuted_share += parts.weight()
            if progress is not None:
                progress(state)
            if outcome.status != Status.UNSAT:
                status = outcome.status
                witness_cube = index if outcome.status == Status.SAT else None
                break
    except KeyboardInterrupt:
        status = Status.INTERRUPTED
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # stops the workers of a generator not run to its end
        _WORK.clear()
    return CubeRun(status, settled, witness_cube, cover)


def cube_record(index: int, cube: Sequence[int], outcome: Settled) -> dict[str, Any]:
    """The record of one refuted cube in its size's refutation."""
    return {"cube": list(cube), "index": index, "seconds": round(outcome.seconds, 6), **(outcome.proof or {})}
