"""``lbt table run|show|export|plot|verify``: lower-bound tables from a TOML spec.

A table is a spec (:mod:`lbt.tablespec`: rows = targets, columns = models),
a SQLite store of finished cells (:mod:`lbt.store`), the proof files of each
cell under ``NAME.proofs/`` beside the store, and reports
(:mod:`lbt.tablereport`).  ``lbt table run`` (:mod:`lbt.tablerun`) computes the
unfinished cells; running it again after an interruption redoes only those.

Verification (:func:`verify_table`, also reached through ``lbt verify
SPEC.toml`` or ``lbt verify STORE.sqlite``) trusts nothing the run computed: for
every stored cell it checks that the row's columns agree with the stored
result and the result with the cell's configuration, that every proof file
still has its recorded SHA-256, and then audits the result
(:func:`solvers.audit.audit_result`: the witness on all inputs, every CNF
regenerated and every LRAT proof and threshold or ReLU certificate re-checked,
the proven claim).  Exit code 1 on any failure.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Group
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from circuits.errors import FormatError, SpecError
from circuits.output import check_output, write_text_atomic
from circuits.schema import file_kind
from lbt.app import JsonOpt, app, console, emit_json, err_console, int_value, path_value, seconds_value
from lbt.tablereport import FORMATS
from lbt.tablerun import Reporter
from solvers.limits import check_jobs

if TYPE_CHECKING:
    from lbt.store import CellRecord
    from lbt.tablespec import Cell

# The store, the engines and the audit are imported by the commands that use them (fast start-up).

__all__ = ["CellAudit", "table_app", "verify_store", "verify_table"]

table_app = typer.Typer(
    help="Lower-bound tables: run a TOML spec of targets x models, show, export, plot and verify the results.",
    no_args_is_help=True,
)
app.add_typer(table_app, name="table")

SpecArg = Annotated[Path, typer.Argument(help="Table spec (.toml) or its store (.sqlite).", parser=path_value)]
JobsOpt = Annotated[
    int, typer.Option("--jobs", "-j", help="Cells checked at the same time (processes).", parser=int_value)
]
StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", help="The SQLite store (default: the spec's file name with .sqlite).", parser=path_value),
]


# ------------------------------------------------------------------ progress display
def _fmt_seconds(s: float) -> str:
    s = int(s)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class _Display(Reporter):
    """Cells done/total, ETA and the running cells with their current size (a live view on a terminal)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.live: Live | None = None
        self.t0 = time.monotonic()
        self.total = self.todo = self.finished_n = 0
        self.counts = {"done": 0, "timeout": 0, "error": 0}
        self.running: dict[str, list] = {}  # key -> [label, started, size, status]

    def start(self, total: int, skipped: int, todo: int) -> None:
        self.total, self.todo, self.t0 = total, todo, time.monotonic()
        if self.quiet:
            return
        err_console.print(f"{total} cells: {skipped} already finished, {todo} to run")
        if todo and err_console.is_terminal:
            self.live = Live(self._render(), console=err_console, refresh_per_second=4, transient=True)
            self.live.start()

    def _eta(self) -> str:
        if not self.finished_n:
            return "ETA --"
        elapsed = time.monotonic() - self.t0
        return f"ETA {_fmt_seconds(elapsed / self.finished_n * (self.todo - self.finished_n))}"

    def _render(self):
        elapsed = time.monotonic() - self.t0
        head = Text(
            f"cells {self.finished_n}/{self.todo} finished (timeout {self.counts['timeout']}, error "
            f"{self.counts['error']}), {len(self.running)} running  elapsed {_fmt_seconds(elapsed)}  {self._eta()}"
        )
        table = Table.grid(padding=(0, 2))
        now = time.monotonic()
        for label, started, size, status in sorted(self.running.values(), key=lambda r: r[1]):
            where = f"size {size} {status}" if size is not None else status
            table.add_row(label, where, _fmt_seconds(now - started))
        return Group(head, table)

    def _refresh(self) -> None:
        if self.live is not None:
            self.live.update(self._render())

    def started(self, key: str, cell: Cell) -> None:
        self.running[key] = [f"{cell.row} × {cell.column}", time.monotonic(), None, "starting"]
        self._refresh()

    def progress(self, key: str, size: int | None, status: str) -> None:
        if key in self.running:
            self.running[key][2] = size
            self.running[key][3] = {"unsat": "refuted", "sat": "found"}.get(status, status)
        self._refresh()

    def finished(self, key: str, cell: Cell, values: dict[str, Any]) -> None:
        self.counts[values["status"]] = self.counts.get(values["status"], 0) + 1
        extra = f": {values.get('error')}" if values["status"] == "error" else ""
        self._done(
            key,
            cell,
            f"{_text_of(values)} ({values['status']}, {values.get('wall_seconds') or 0:.1f} s){extra}",
        )

    def skipped(self, key: str, cell: Cell) -> None:
        self._done(key, cell, "finished by another run, kept")

    def _done(self, key: str, cell: Cell, text: str) -> None:
        """A cell leaves the running list: one line ``[i/n] ROW × COLUMN: text`` unless quiet."""
        self.running.pop(key, None)
        self.finished_n += 1
        if not self.quiet:
            line = f"[{self.finished_n}/{self.todo}] {cell.row} × {cell.column}: {text}"
            (self.live.console if self.live is not None else err_console).print(line, markup=False)
        self._refresh()

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None


def _text_of(values: dict[str, Any]) -> str:
    from lbt.store import CellRecord
    from lbt.tablereport import cell_text

    result = values.get("result") if isinstance(values.get("result"), dict) else None
    rec = CellRecord(
        row=values["row"], col=values["col"], config={}, config_sha256="", timeout=None, status=values["status"],
        size=values.get("size"), proven=bool(values.get("proven")), lower_bound=values.get("lower_bound"),
        witness=None, result=result, result_sha256=None, proof_dir=None, proof_files={}, solver=None, versions={},
        seconds=None, wall_seconds=None, started=None, finished=None, host=None, error=None,
    )  # fmt: skip
    return cell_text(rec)


# ------------------------------------------------------------------ verification
@dataclass(frozen=True)
class CellAudit:
    """The verdict on one stored cell."""

    row: str
    column: str
    model: str | None
    text: str
    ok: bool
    checks: tuple[tuple[bool, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "model": self.model,
            "text": self.text,
            "ok": self.ok,
            "checks": [{"ok": good, "check": msg} for good, msg in self.checks],
        }


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def _audit_cell(rec: CellRecord, store_dir: Path) -> CellAudit:
    """The audit of one stored cell; whatever a damaged store does, it fails verification instead of raising."""
    from lbt.tablereport import cell_text

    try:
        return _audit_cell_checks(rec, store_dir)
    except Exception as exc:  # noqa: BLE001
        return CellAudit(rec.row, rec.col, rec.config.get("model"), cell_text(rec), False,
                         ((False, f"cannot be checked: {type(exc).__name__}: {exc}"),))  # fmt: skip


def _audit_cell_checks(rec: CellRecord, store_dir: Path) -> CellAudit:
    from lbt.tablereport import cell_text
    from lbt.tablespec import config_sha256
    from solvers.audit import audit_result
    from solvers.engines import record_options
    from solvers.proof import sha256_file

    checks: list[tuple[bool, str]] = []
    model = rec.config.get("model")
    result = rec.result
    if not isinstance(result, dict):
        return CellAudit(rec.row, rec.col, model, cell_text(rec), False, ((False, "no result stored"),))
    # the configuration is the question: it must be the one the row is stored (and looked up) under
    if config_sha256(rec.config) != rec.config_sha256 or rec.config.get("target") != rec.row:
        checks.append((False, "the cell's configuration is not the one its row is stored under"))
    # the row's columns must say what the stored result says
    if rec.result_text is not None and hashlib.sha256(rec.result_text.encode()).hexdigest() != rec.result_sha256:
        checks.append((False, "the stored result does not match its SHA-256"))
    mismatches = [
        name
        for name, mine, theirs in (
            ("target", rec.row, result.get("target")),
            ("model", model, result.get("model")),
            ("size", rec.size, result.get("size")),
            ("proven", rec.proven, bool(result.get("proven"))),
            ("lower bound", rec.lower_bound, result.get("lower_bound")),
        )
        if mine != theirs
    ]
    if _canonical(rec.witness) != _canonical(result.get("witness")):
        mismatches.append("witness")
    # the result must answer the column's question: every option, defaults included, and no don't-cares
    for key, value in record_options(model, **rec.config.get("options", {})).items():
        if result.get(key) != value:
            mismatches.append(f"option {key}")
    if mismatches:
        checks.append((False, "the cell's " + ", ".join(mismatches) + " differ from its stored result"))
    else:
        checks.append((True, "cell agrees with its stored result and configuration"))
    # the proof files must be those that were recorded
    base = store_dir
    if rec.proof_dir is not None:
        base = store_dir / rec.proof_dir
        bad = []
        for name, digest in sorted(rec.proof_files.items()):
            p = base / name
            if not p.is_file():
                bad.append(f"{name} missing")
            elif sha256_file(p) != digest:
                bad.append(f"{name} changed")
        if bad:
            checks.append((False, "proof files: " + "; ".join(bad)))
        else:
            checks.append((True, f"{len(rec.proof_files)} proof files with their recorded SHA-256"))
    # the claim itself, re-checked from the files
    record = dict(result)
    record["witness"] = rec.witness  # audit what the table shows
    checks += list(audit_result(record, base, f"{rec.row} × {rec.col}").checks)
    ok = all(good for good, _ in checks)
    return CellAudit(rec.row, rec.col, model, cell_text(rec), ok, tuple(checks))


def verify_store(
    store_path: str | Path,
    cells: list[Cell] | None = None,
    jobs: int = 1,
    on_audit: Callable[[CellAudit], None] | None = None,
) -> tuple[list[CellAudit], list[CellRecord]]:
    """Audit every stored cell (only those of ``cells``, for their configuration, if given), ``jobs`` at a time.

    Returns the audits (in store order) and the stored cells without a result
    (status ``error``), which carry no claim.  ``on_audit`` is called with each
    audit as it finishes.
    """
    from lbt.store import open_store
    from lbt.tablerun import process_context

    check_jobs(jobs)
    store_path = Path(store_path)
    wanted = None if cells is None else {(c.row, c.column): c.config_sha256() for c in cells}
    audits: list[CellAudit | None] = []
    todo: list[tuple[int, CellRecord]] = []
    no_result = []
    with open_store(store_path, create=False) as st:
        for raw in st.rows():
            if wanted is not None and wanted.get((raw["row"], raw["col"])) != raw["config_sha256"]:
                continue
            try:
                rec = st.decode(raw)
            except FormatError as exc:
                audit = CellAudit(raw["row"], raw["col"], None, "?", False, ((False, str(exc)),))
                audits.append(audit)
                if on_audit is not None:
                    on_audit(audit)
                continue
            if rec.status == "error" or (rec.result is None and rec.status == "timeout"):
                claims = [k for k, v in (("size", rec.size), ("proven", rec.proven), ("lower bound", rec.lower_bound),
                                         ("witness", rec.witness)) if v not in (None, False)]  # fmt: skip
                if not claims:
                    no_result.append(rec)  # no claim: an error, or a cell killed at its time limit
                    continue
                failure = f"no result stored, but the row states a {', '.join(claims)}"
                audit = CellAudit(rec.row, rec.col, rec.config.get("model"), "?", False, ((False, failure),))
                audits.append(audit)
                if on_audit is not None:
                    on_audit(audit)
                continue
            todo.append((len(audits), rec))
            audits.append(None)
    recs = [rec for _, rec in todo]
    dirs = [store_path.parent] * len(recs)
    with contextlib.ExitStack() as stack:
        if jobs > 1 and len(recs) > 1:
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=jobs, mp_context=process_context()))
            done = pool.map(_audit_cell, recs, dirs)
        else:
            done = map(_audit_cell, recs, dirs)
        for (index, _), audit in zip(todo, done, strict=True):
            audits[index] = audit
            if on_audit is not None:
                on_audit(audit)
    return [a for a in audits if a is not None], no_result


def verify_table(path: Path, json_: bool = False, jobs: int = 1) -> None:
    """``lbt verify SPEC.toml|STORE.sqlite``: audit every stored cell (``jobs`` processes); exit 1 if any fails."""
    from lbt.tablereport import load_table

    spec, store_path = load_table(path)
    if file_kind(store_path) != "file":
        raise FormatError(f"{store_path}: no such store (run: lbt table run {path})")
    cells = spec.cells() if path.suffix.lower() == ".toml" else None

    def show(a: CellAudit) -> None:  # one line per cell as soon as it is checked
        head = "[green]OK[/green]    " if a.ok else "[red]FAILED[/red]"
        console.print(f"{head} {escape(f'{a.row} × {a.column}: {a.text}')}")
        for good, msg in a.checks:
            if not good:
                console.print(f"  FAIL {msg}", markup=False)

    audits, no_result = verify_store(store_path, cells, jobs, None if json_ else show)
    failed = [a for a in audits if not a.ok]
    missing = 0
    if cells is not None:
        missing = len(cells) - len(audits) - len(no_result)
    if json_:
        emit_json(
            {
                "store": str(store_path),
                "verified": len(audits) - len(failed),
                "failed": len(failed),
                "no_result": len(no_result),
                "not_run": missing,
                "cells": [a.to_dict() for a in audits],
            }
        )
    else:
        for rec in no_result:
            console.print(f"no result {rec.row} × {rec.col}: {rec.status} ({rec.error})", markup=False)
        extra = f", no result {len(no_result)}" if no_result else ""
        extra += f", not run {missing}" if missing else ""
        console.print(f"{store_path}: verified {len(audits) - len(failed)}, failed {len(failed)}{extra}")
    if failed:
        raise typer.Exit(1)


# ------------------------------------------------------------------ commands
@table_app.command("run")
def run(
    spec: Annotated[Path, typer.Argument(help="Table spec (.toml).", parser=path_value)],
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="Cells run at the same time (local processes).", parser=int_value)
    ] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address (e.g. tcp://host:8786): run the cells on that cluster."),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(help="Per-cell time limit in seconds, replacing the spec's limits.", parser=seconds_value),
    ] = None,
    store: StoreOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Compute every unfinished cell of a table and store it (a resumed run redoes only unfinished cells)."""
    from lbt.tablereport import load_table
    from lbt.tablerun import run_table

    if spec.suffix.lower() != ".toml":
        raise SpecError(f"{spec}: expected a table spec (.toml)")
    table_spec, store_path = load_table(spec, store)
    display = _Display(quiet or json_)
    summary = run_table(
        table_spec, store_path=store_path, jobs=jobs, scheduler=scheduler, reporter=display, timeout=timeout
    )
    if json_:
        emit_json({"store": str(store_path), **summary.to_dict()})
    else:
        console.print(
            f"{store_path}: ran {summary.ran} cells in {summary.seconds:.1f} s (done {summary.done}, "
            f"timeout {summary.timeout}, error {summary.error}); {summary.skipped} were already finished"
        )
        for line in summary.errors:
            console.print(f"  {line}", markup=False)
    if summary.error:
        raise typer.Exit(1)


@table_app.command("show")
def show(spec: SpecArg, store: StoreOpt = None, json_: JsonOpt = False) -> None:
    """Print the table of stored results (unproven cells as ≤k / ≥k)."""
    from lbt.tablereport import LEGEND, cell_text, load_table, read_grid, to_json

    table_spec, store_path = load_table(spec, store)
    grid = read_grid(table_spec, store_path)
    if json_:
        emit_json(to_json(grid))
        return
    table = Table(title=table_spec.title, title_justify="left")
    table.add_column("target", style="bold")
    for col in table_spec.columns:
        table.add_column(col.name, justify="right")
    by_key = {(c.row, c.column): c for c in grid.cells()}
    for row in table_spec.rows:
        texts = []
        for col in table_spec.columns:
            rec = grid.get(by_key[(row.spec, col.name)])
            text = cell_text(rec)
            style = "" if rec is None or rec.proven else "red" if rec.status == "error" else "yellow"
            texts.append(Text(text or "·", style=style))
        table.add_row(row.spec, *texts)
    console.print(table)
    c = grid.counts()
    console.print(
        f"{c['cells']} cells: {c['proven']} proven, {c['unproven']} unproven, {c['error']} error, "
        f"{c['missing']} not run.  {LEGEND}."
    )


@table_app.command("export")
def export_(
    spec: SpecArg,
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of {', '.join(FORMATS)}.")] = "md",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file (default: stdout).", parser=path_value)
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Export the table as Markdown, CSV (one line per cell), JSON, a LaTeX tabular, a cost distribution (dist) or
    one self-contained HTML page (html: values, status, how each cell was checked, witness drawings, proofs, plot)."""
    from lbt.tablereport import export, load_table, read_grid

    if output is not None:
        check_output(output)
    table_spec, store_path = load_table(spec, store)
    text = export(read_grid(table_spec, store_path), fmt)
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_text_atomic(output, text)
        err_console.print(f"wrote {output}")


@table_app.command("plot")
def plot_(
    spec: SpecArg,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="PNG file (default: beside the store).", parser=path_value)
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Plot minimum size against the parameter per model (or the cost distribution of an npn table) as PNG."""
    from lbt.tablereport import load_table, plot, read_grid

    table_spec, store_path = load_table(spec, store)
    out = output if output is not None else store_path.with_suffix(".png")
    if out.suffix.lower() != ".png":
        raise SpecError(f"{out}: the plot is written as PNG (.png)")
    check_output(out)
    plot(read_grid(table_spec, store_path), out)
    console.print(f"wrote {out}")


@table_app.command("verify")
def verify_(spec: SpecArg, jobs: JobsOpt = 1, json_: JsonOpt = False) -> None:
    """Re-check every stored cell (witnesses, proofs, certificates, file hashes); exit 1 on any failure."""
    verify_table(spec, json_, jobs)
