"""Running a table: every unfinished cell of a spec, locally in processes or on a Dask cluster.

:func:`run_table` reads the store, skips the finished cells
(:meth:`lbt.store.Store.finished`), runs the others and records each one in the
store as soon as it finishes (one transaction per cell).  The process that
calls it is the only one that writes the store and the proof directories; the
cells themselves run elsewhere:

* locally (default), each cell in its own process (``forkserver`` start
  method), at most ``jobs`` at a time.  A cell that overruns its time limit by
  a wide margin (:data:`HARD_LIMIT_FACTOR`) is killed and recorded as a
  timeout.  The cell processes exit when the run dies (a pipe to the runner
  closes), so ``kill -9`` of the runner leaves no solver behind;
* with ``scheduler=ADDRESS``, on a Dask distributed cluster
  (``dask.distributed.Client(ADDRESS)``): each cell is one task, its proof files
  come back inside the result and are written here, so the workers need no
  shared file system.

Proof files of a cell are written to a scratch directory under
``NAME.proofs/.tmp/`` and renamed to ``NAME.proofs/CELL/`` when the cell ends,
before its row is committed; a cell interrupted at any point is simply run
again by the next run (its scratch directory is removed then).

:func:`run_cell` is the unit of work: it calls the engine of the column's
model with the cell's options, and returns a plain dict (the store's columns
plus the file hashes) that never contains an exception.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import platform
import shutil
import signal
import socket
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from multiprocessing.connection import wait as wait_connections
from pathlib import Path
from typing import Any

from circuits.errors import LbtError, SpecError, excerpt
from circuits.output import check_output
from circuits.schema import display_name
from lbt.store import Store, open_store
from lbt.tablespec import Cell, TableSpec
from solvers.limits import check_jobs, check_timeout

__all__ = ["HARD_LIMIT_FACTOR", "RunSummary", "run_cell", "run_table", "versions"]

#: A local cell still running at ``HARD_LIMIT_FACTOR * timeout + HARD_LIMIT_GRACE`` seconds is killed.
HARD_LIMIT_FACTOR = 1.5
HARD_LIMIT_GRACE = 60.0

#: Name of the result record written into each cell's proof directory (``lbt verify DIR`` reads it).
RESULT_FILE = "cell.result.json"


def process_context() -> Any:
    """The multiprocessing context for cell and verification processes: forkserver where there is one, else spawn.

    Never fork: the parent may hold threads (Dask, rich) and solver state a child must not inherit.
    """
    return multiprocessing.get_context(
        "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    )


def versions() -> dict[str, str]:
    """Versions that a stored result depends on."""
    import importlib.metadata

    out = {"python": platform.python_version()}
    for dist in ("lbt", "python-sat"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = "unknown"
    return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _engine(cell: Cell, proof_dir: str | None, progress: Callable[[Any], None] | None, scheduler: str | None):
    from solvers.engines import synthesize_model

    return synthesize_model(
        cell.row, cell.model, max_size=cell.max_size, timeout=cell.timeout, proof_dir=proof_dir, progress=progress,
        scheduler=scheduler, **cell.options,
    )  # fmt: skip


def run_cell(
    cell: Cell | dict[str, Any],
    workdir: str | Path | None,
    progress: Callable[[Any], None] | None = None,
    scheduler: str | None = None,
):
    """Run one cell; proof files (if the cell wants proofs) go to ``workdir``.

    With ``scheduler`` (a cell running on a Dask cluster), a size still open after
    a moment is split into cubes that run on the same cluster (:mod:`solvers.cubes`).

    Returns a dict with the store's columns (``status`` is ``done``, ``timeout``,
    ``error`` or ``interrupted``, the last meaning "not finished, do not store")
    and ``files``: ``{name: sha256}`` of ``workdir``.
    """
    if isinstance(cell, dict):
        cell = Cell.from_dict(cell)
    started, t0 = _now(), time.monotonic()
    out: dict[str, Any] = {
        "row": cell.row,
        "col": cell.column,
        "config": cell.config(),
        "config_sha256": cell.config_sha256(),
        "timeout": cell.timeout,
        "versions": versions(),
        "started": started,
        "host": socket.gethostname(),
        "proven": False,
        "files": {},
    }
    proof_dir = None
    if cell.proofs and workdir is not None:
        Path(workdir).mkdir(parents=True, exist_ok=True)
        proof_dir = str(workdir)
    try:
        result = _engine(cell, proof_dir, progress, scheduler)
        record = result.to_dict()
        if record.get("interrupted"):
            status = "interrupted"
        elif record.get("timed_out"):
            status = "timeout"
        else:
            status = "done"
        out.update(
            status=status,
            size=record.get("size"),
            proven=bool(record.get("proven")),
            lower_bound=record.get("lower_bound"),
            witness=record.get("witness"),
            result=record,
            solver=record.get("solver"),
            seconds=record.get("seconds"),
        )
        if proof_dir is not None:
            text = json.dumps(record, indent=1) + "\n"
            tmp = Path(proof_dir) / (RESULT_FILE + ".tmp")
            tmp.write_text(text)
            os.replace(tmp, Path(proof_dir) / RESULT_FILE)
    except KeyboardInterrupt:
        out.update(status="interrupted", error="interrupted")
    except Exception as exc:  # noqa: BLE001 - a failing cell is recorded, the table goes on
        message = " ".join(str(exc).split()) or type(exc).__name__
        if not isinstance(exc, LbtError):
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            message = f"{type(exc).__name__}: {message} ({Path(frame.filename).name}:{frame.lineno})"
        out.update(status="error", error=message[:2000], result=None, witness=None, size=None, lower_bound=None)
    out["wall_seconds"] = round(time.monotonic() - t0, 6)
    out["finished"] = _now()
    if proof_dir is not None:
        out["files"] = _file_hashes(Path(proof_dir))
    return out


def _file_hashes(directory: Path) -> dict[str, str]:
    """SHA-256 of each regular file in ``directory``, by name."""
    from solvers.proof import sha256_file

    return {p.name: sha256_file(p) for p in sorted(directory.iterdir()) if p.is_file()}


# ------------------------------------------------------------------ local processes
def _watch_parent(conn) -> None:
    """Exit as soon as the runner's end of the pipe closes (the runner died)."""
    try:
        while True:
            conn.recv()
    except (EOFError, OSError):
        pass
    os._exit(3)


def _child_main(conn, cell_dict: dict[str, Any], workdir: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's to handle
    threading.Thread(target=_watch_parent, args=(conn,), daemon=True).start()
    lock = threading.Lock()

    def progress(ev: Any) -> None:
        with lock:
            conn.send(("progress", ev.size, ev.status, ev.elapsed))

    payload = run_cell(cell_dict, workdir, progress)
    with lock:
        conn.send(("result", payload))
    conn.close()


@dataclass
class _Running:
    cell: Cell
    key: str
    workdir: Path
    started: float
    size: int | None = None
    status: str = "starting"
    proc: Any = None
    conn: Any = None
    future: Any = None


class _LocalBackend:
    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.ctx = process_context()
        if self.ctx.get_start_method() == "forkserver":
            # what a cell imports, loaded once in the server rather than in every cell's process;
            # "__main__" too, or each cell re-runs the main script (the lbt CLI) and, if lbt was
            # upgraded while the table runs, mixes new modules with the server's old ones
            self.ctx.set_forkserver_preload(
                ["__main__", "lbt.tablerun", "solvers.boolean.engine", "solvers.threshold.engine", "solvers.relu.engine",
                 "scipy.optimize"]
            )  # fmt: skip
        self.running: dict[str, _Running] = {}

    @property
    def capacity(self) -> int:
        return self.jobs - len(self.running)

    def submit(self, run: _Running) -> None:
        parent, child = self.ctx.Pipe(duplex=True)
        proc = self.ctx.Process(target=_child_main, args=(child, run.cell.to_dict(), str(run.workdir)), daemon=False)
        proc.start()
        child.close()
        run.proc, run.conn = proc, parent
        self.running[run.key] = run

    def poll(self, timeout: float) -> list[tuple]:
        events: list[tuple] = []
        conns = {r.conn: r for r in self.running.values()}
        ready = wait_connections(list(conns), timeout=timeout) if conns else []
        if not conns:
            time.sleep(timeout)
        for ready_conn in ready:
            run = conns[ready_conn]
            conn = run.conn  # the pipe end that is ready (wait() types it as any waitable)
            try:
                while conn.poll():
                    msg = conn.recv()
                    if msg[0] == "progress":
                        events.append(("progress", run.key, msg[1], msg[2]))
                    else:
                        events.append(("result", run.key, msg[1]))
                        self._reap(run)
                        break
            except (EOFError, OSError):
                run.proc.join(5)
                code = run.proc.exitcode
                self._reap(run)
                events.append(("lost", run.key, f"the cell's process died (exit code {code})"))
        now = time.monotonic()
        for run in list(self.running.values()):
            if run.cell.timeout is None:
                continue
            if now - run.started > HARD_LIMIT_FACTOR * run.cell.timeout + HARD_LIMIT_GRACE:
                run.proc.kill()
                self._reap(run)
                events.append(
                    ("killed", run.key, f"killed after {now - run.started:.0f} s (limit {run.cell.timeout:g} s)")
                )
        return events

    def _reap(self, run: _Running) -> None:
        self.running.pop(run.key, None)
        try:
            run.conn.close()
        except OSError:
            pass
        run.proc.join(10)
        if run.proc.is_alive():
            run.proc.kill()
            run.proc.join()

    def shutdown(self) -> None:
        for run in list(self.running.values()):
            run.proc.kill()
            self._reap(run)


# ------------------------------------------------------------------ Dask
def _remote_cell(cell_dict: dict[str, Any], key: str, queue_name: str | None, scheduler: str) -> dict[str, Any]:
    """A Dask task: run the cell in a scratch directory and return its files' contents with the result; its hard
    sizes split into cubes on the cluster at ``scheduler``."""
    queue = None
    if queue_name is not None:
        try:
            from distributed import Queue

            queue = Queue(queue_name)
        except Exception:  # noqa: BLE001 - progress is optional
            queue = None

    def send(size: int | None, status: str, elapsed: float) -> None:
        if queue is not None:
            with contextlib.suppress(Exception):  # progress is optional
                queue.put((key, size, status, elapsed))

    send(None, "starting", 0.0)
    with tempfile.TemporaryDirectory(prefix="lbt-cell-") as tmp:
        payload = run_cell(cell_dict, tmp, lambda ev: send(ev.size, ev.status, ev.elapsed), scheduler)
        payload["blobs"] = {name: (Path(tmp) / name).read_bytes() for name in payload["files"]}
    return payload


class _DaskBackend:
    def __init__(self, address: Any) -> None:
        try:
            from distributed import Client, Queue
        except ImportError:
            raise SpecError("--scheduler needs dask.distributed: pip install 'lbt[dist]'") from None
        try:
            self.client = address if isinstance(address, Client) else Client(address, timeout="30s")
        except (OSError, TimeoutError, ValueError, TypeError) as exc:  # unreachable, or not an address
            raise SpecError(f"cannot connect to the Dask scheduler {excerpt(address)}: {exc}") from None
        self.own_client = not isinstance(address, Client)
        self.address: str = self.client.scheduler_info()["address"]  # where a cell sends its cubes
        self.queue_name = f"lbt-progress-{uuid.uuid4().hex}"
        self.queue = Queue(self.queue_name, client=self.client)
        self.running: dict[str, _Running] = {}

    @property
    def capacity(self) -> int:
        return 1 << 30  # the scheduler queues the tasks

    def submit(self, run: _Running) -> None:
        run.future = self.client.submit(
            _remote_cell,
            run.cell.to_dict(),
            run.key,
            self.queue_name,
            self.address,
            key=f"lbt-cell-{run.key}",
            pure=False,
        )
        run.status = "queued"
        self.running[run.key] = run

    def poll(self, timeout: float) -> list[tuple]:
        events: list[tuple] = []
        try:
            items = self.queue.get(batch=True, timeout=timeout)
        except Exception:  # noqa: BLE001 - nothing arrived
            items = []
        for key, size, status, _elapsed in items or []:
            events.append(("progress", key, size, status))
        if not items:
            time.sleep(min(timeout, 0.2))
        for run in list(self.running.values()):
            if not run.future.done():
                continue
            self.running.pop(run.key)
            if run.future.status == "finished":
                events.append(("result", run.key, run.future.result()))
            else:
                try:
                    exc = run.future.exception()
                except Exception as err:  # noqa: BLE001
                    exc = err
                events.append(("lost", run.key, f"the Dask task failed: {type(exc).__name__}: {exc}"))
        return events

    def shutdown(self) -> None:
        for run in self.running.values():
            run.future.cancel()
        with contextlib.suppress(Exception):
            self.queue.close()
        if self.own_client:
            self.client.close()


# ------------------------------------------------------------------ the run
@dataclass
class RunSummary:
    """What :func:`run_table` did: counts per outcome of the cells it ran, and the skipped ones."""

    total: int
    skipped: int
    ran: int = 0
    done: int = 0
    timeout: int = 0
    error: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "skipped": self.skipped,
            "ran": self.ran,
            "done": self.done,
            "timeout": self.timeout,
            "error": self.error,
            "seconds": round(self.seconds, 3),
            "errors": self.errors,
        }


class Reporter:
    """Receives the events of a run (the CLI's progress display implements it); the default does nothing."""

    def start(self, total: int, skipped: int, todo: int) -> None: ...
    def started(self, key: str, cell: Cell) -> None: ...
    def progress(self, key: str, size: int | None, status: str) -> None: ...
    def finished(self, key: str, cell: Cell, values: dict[str, Any]) -> None: ...
    def skipped(self, key: str, cell: Cell) -> None: ...  # another run on the store finished it
    def stop(self) -> None: ...


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clean_scratch(root: Path) -> None:
    """Remove scratch directories of dead runs on this host (``root/.tmp/HOST/PID``)."""
    host_dir = root / ".tmp" / socket.gethostname()
    if not host_dir.is_dir():
        return
    for d in host_dir.iterdir():
        if d.name.isdigit() and not _pid_alive(int(d.name)):
            shutil.rmtree(d, ignore_errors=True)


def _finished(store: Store, cell: Cell) -> bool:
    """Whether the store holds a finished row for ``cell`` (:meth:`Store.finished`)."""
    return store.finished(cell.row, cell.column, cell.config_sha256(), cell.timeout)


def _clean_orphans(store: Store) -> None:
    """Remove proof directories no row refers to (left by a run killed between moving a cell's files and
    removing those of the row it replaced).  Holds the write lock: no other run is moving files meanwhile."""
    root = store.proofs_root
    if not root.is_dir():
        return
    with store.transaction():
        referenced = {(store.path.parent / d).resolve() for d in store.proof_dirs()}
        for d in root.iterdir():
            if d.is_dir() and d.name != ".tmp" and d.resolve() not in referenced:
                shutil.rmtree(d, ignore_errors=True)


def _install(store: Store, run: _Running, payload: dict[str, Any]) -> dict[str, Any]:
    """Move the cell's files into a directory of their own and return the store row for it.

    The files a previous row of the cell refers to stay where they are until the
    new row is committed; the caller then removes them.
    """
    values = {k: v for k, v in payload.items() if k not in ("files", "blobs")}
    values["proof_files"] = {}
    values["proof_dir"] = None
    if run.cell.proofs:
        scratch = run.workdir
        if scratch.is_dir() and any(scratch.iterdir()):
            final = store.proofs_root / run.cell.slug()
            if final.exists():
                final = final.with_name(f"{final.name}.{uuid.uuid4().hex[:8]}")
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(scratch, final)
            values["proof_dir"] = os.path.relpath(final, store.path.parent)
            values["proof_files"] = _file_hashes(final)
            if payload.get("files") and payload["files"] != values["proof_files"]:
                values["status"] = "error"
                values["error"] = "the proof files changed between the cell's end and their installation"
    return values


def run_table(
    spec: TableSpec,
    *,
    store_path: str | Path | None = None,
    jobs: int = 1,
    scheduler: Any = None,
    reporter: Reporter | None = None,
    only: Callable[[Cell], bool] | None = None,
    timeout: float | None = None,
) -> RunSummary:
    """Run every unfinished cell of ``spec`` (those ``only`` accepts) and record each in the store.

    ``scheduler`` is a Dask scheduler address (or a ``distributed.Client``); without
    it cells run locally, ``jobs`` at a time.  ``timeout`` replaces the spec's
    per-cell time limits (a cell that timed out with a shorter limit runs again).
    """
    check_jobs(jobs)
    timeout = check_timeout(timeout, "--timeout")
    reporter = reporter or Reporter()
    path = Path(store_path) if store_path is not None else spec.store_path()
    if display_name(path.name) != path.name:  # the rows name the proof directories, NAME.proofs/..., in text
        raise SpecError(f"{display_name(path)}: the file name of a store must be UTF-8 text")
    check_output(path.parent, directory=True)
    check_output(path)
    t_start = time.monotonic()
    with open_store(path) as store:
        store.set_meta(spec=spec.text, title=spec.title, spec_name=spec.name)
        cells = [c for c in spec.cells() if only is None or only(c)]
        if timeout is not None:
            cells = [replace(c, timeout=float(timeout)) for c in cells]
        todo = [c for c in cells if not _finished(store, c)]
        summary = RunSummary(total=len(cells), skipped=len(cells) - len(todo))
        if not todo:
            reporter.start(len(cells), summary.skipped, 0)
            reporter.stop()
            return summary
        _clean_scratch(store.proofs_root)
        _clean_orphans(store)
        scratch_root = store.proofs_root / ".tmp" / socket.gethostname() / str(os.getpid())
        # connect first: a scheduler that cannot be reached is an error before anything is reported
        backend = _DaskBackend(scheduler) if scheduler is not None else _LocalBackend(jobs)
        reporter.start(len(cells), summary.skipped, len(todo))
        pending = list(reversed(todo))

        def finished_elsewhere(cell: Cell) -> bool:
            """Whether another run on this store has finished ``cell`` meanwhile (then it counts as skipped)."""
            if not _finished(store, cell):
                return False
            summary.skipped += 1
            reporter.skipped(cell.slug(), cell)
            return True

        runs: dict[str, _Running] = {}
        try:
            while pending or backend.running:
                while pending and backend.capacity > 0:
                    cell = pending.pop()
                    if finished_elsewhere(cell):
                        continue
                    key = cell.slug()
                    workdir = scratch_root / key
                    shutil.rmtree(workdir, ignore_errors=True)
                    run = _Running(cell, key, workdir, time.monotonic())
                    runs[key] = run
                    backend.submit(run)
                    if scheduler is None:
                        reporter.started(key, cell)
                for ev in backend.poll(0.25):
                    kind, key = ev[0], ev[1]
                    run = runs[key]
                    if kind == "progress":
                        if key not in backend.running:  # late news of a finished cell
                            continue
                        if ev[3] == "starting" and scheduler is not None:
                            run.started = time.monotonic()
                            reporter.started(key, run.cell)
                            continue
                        reporter.progress(key, ev[2], ev[3])
                        continue
                    if kind == "result":
                        payload = ev[2]
                        if payload["status"] == "interrupted":
                            summary.errors.append(f"{run.cell.row} × {run.cell.column}: interrupted, not stored")
                            continue
                        if run.cell.proofs and "blobs" in payload:  # from a Dask worker: write the files here
                            run.workdir.mkdir(parents=True, exist_ok=True)
                            for name, data in payload["blobs"].items():
                                (run.workdir / Path(name).name).write_bytes(data)
                    # Installing the files and writing the row happen under the store's write lock,
                    # so runs sharing the store never interleave them; a cell another run has
                    # finished meanwhile keeps that run's row and files.
                    with store.transaction():
                        cell = run.cell
                        if finished_elsewhere(cell):
                            shutil.rmtree(run.workdir, ignore_errors=True)
                            continue
                        replaced = store.proof_dir(cell.row, cell.column)
                        if kind == "result":
                            values = _install(store, run, payload)
                        else:
                            values = _lost(run, ev[2], "timeout" if kind == "killed" else "error")
                        store.record(values)
                    if replaced is not None and replaced != values["proof_dir"]:
                        shutil.rmtree(store.path.parent / replaced, ignore_errors=True)
                    summary.ran += 1
                    setattr(summary, values["status"], getattr(summary, values["status"]) + 1)
                    if values["status"] == "error":
                        summary.errors.append(f"{run.cell.row} × {run.cell.column}: {values.get('error')}")
                    reporter.finished(key, run.cell, values)
        finally:
            backend.shutdown()
            reporter.stop()
            shutil.rmtree(scratch_root, ignore_errors=True)
            for d in (scratch_root.parent, scratch_root.parent.parent):
                try:
                    d.rmdir()  # only if empty: other runs may be using it
                except OSError:
                    break
    summary.seconds = time.monotonic() - t_start
    return summary


def _lost(run: _Running, message: str, status: str) -> dict[str, Any]:
    cell = run.cell
    return {
        "row": cell.row,
        "col": cell.column,
        "config": cell.config(),
        "config_sha256": cell.config_sha256(),
        "timeout": cell.timeout,
        "status": status,
        "proven": False,
        "versions": versions(),
        "wall_seconds": round(time.monotonic() - run.started, 6),
        "finished": _now(),
        "host": socket.gethostname(),
        "error": message,
        "proof_files": {},
    }
