"""Reports of a table: the grid of stored results as a rich table, Markdown, CSV, JSON, LaTeX or a plot.

``dist`` summarises instead of listing: how many rows have each proven
minimum, per column (a Markdown table; the plot draws the same counts for
``npn:N`` rows), with the unproven rows counted apart.

A cell is printed as its exact minimum only when the stored result is
*proven*; otherwise what is known is shown with its direction: ``≤9`` (a
circuit of size 9 was found, smaller sizes are not all refuted), ``≥4`` (no
circuit found; every size below 4 refuted), ``none`` (proven: no circuit
exists under the column's options, e.g. a depth bound), ``error``,
``timeout`` (killed without a result), or empty (not run yet).

A stored cell counts only if it was computed for the cell's current
configuration (model, options, ``max_size``, proofs); results of an edited
column are ignored until the table is run again.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from circuits.errors import FormatError, SpecError
from circuits.schema import file_kind
from lbt.store import CellRecord, Store, open_store
from lbt.tablespec import Cell, TableSpec, config_sha256, load_spec, parse_spec

__all__ = ["FORMATS", "Grid", "cell_text", "cost_distribution", "export", "load_table", "plot", "read_grid"]

FORMATS = ("md", "csv", "json", "tex", "dist")

LEGEND = "≤k: size k found, minimality not proven; ≥k: no circuit found, every size below k refuted"


def load_table(path: str | Path, store: str | Path | None = None) -> tuple[TableSpec, Path]:
    """The spec and store path of a table given by its spec (``.toml``) or its store (``.sqlite``)."""
    path = Path(path)
    if path.suffix.lower() == ".sqlite":
        with open_store(path, create=False) as st:
            text = st.meta().get("spec")
        if text is None:
            raise FormatError(f"{path}: the store holds no table spec")
        spec = parse_spec(text, path.with_suffix(".toml"))
        return spec, Path(store) if store is not None else path
    if path.suffix.lower() != ".toml":
        raise SpecError(f"{path}: expected a table spec (.toml) or a store (.sqlite)")
    spec = load_spec(path)
    return spec, Path(store) if store is not None else spec.store_path()


def cell_text(rec: CellRecord | None) -> str:
    """How a stored cell is printed (see the module docstring); never a bare number unless proven."""
    if rec is None:
        return ""
    if rec.status == "error":
        return "error"
    infeasible = bool(rec.result and rec.result.get("infeasible"))
    if rec.proven and infeasible:
        return "none"
    if rec.proven and rec.size is not None:
        return str(rec.size)
    if rec.size is not None:
        return f"≤{rec.size}"
    if rec.lower_bound is not None:
        return f"≥{rec.lower_bound}"
    return "timeout"


@dataclass(frozen=True)
class Grid:
    """The spec with its stored results: ``records[(row, column)]`` (absent: not run for this configuration)."""

    spec: TableSpec
    store_path: Path
    records: dict[tuple[str, str], CellRecord]

    def cells(self) -> list[Cell]:
        return self.spec.cells()

    def get(self, cell: Cell) -> CellRecord | None:
        return self.records.get((cell.row, cell.column))

    def counts(self) -> dict[str, int]:
        out = {"cells": 0, "proven": 0, "unproven": 0, "error": 0, "missing": 0}
        for cell in self.cells():
            out["cells"] += 1
            rec = self.get(cell)
            if rec is None:
                out["missing"] += 1
            elif rec.status == "error":
                out["error"] += 1
            elif rec.proven:
                out["proven"] += 1
            else:
                out["unproven"] += 1
        return out


def read_grid(spec: TableSpec, store_path: Path) -> Grid:
    """Read the results of ``spec``'s cells from the store (an absent store gives an empty grid)."""
    records: dict[tuple[str, str], CellRecord] = {}
    if file_kind(store_path) == "file":
        with open_store(store_path, create=False) as st:
            records = _records(st, spec)
    return Grid(spec, Path(store_path), records)


def _records(st: Store, spec: TableSpec) -> dict[tuple[str, str], CellRecord]:
    wanted = {(c.row, c.column): c.config_sha256() for c in spec.cells()}
    return {
        (rec.row, rec.col): _claimed(rec)
        for rec in st.cells()
        if wanted.get((rec.row, rec.col)) == rec.config_sha256 == config_sha256(rec.config)
    }


def _claimed(rec: CellRecord) -> CellRecord:
    """``rec`` as reports show it: a row without a stored result claims nothing, whatever its columns say."""
    if rec.result is None:
        return replace(rec, size=None, proven=False, lower_bound=None, witness=None)
    return rec


def _matrix(grid: Grid) -> tuple[list[str], list[list[str]]]:
    header = ["target", *(c.name for c in grid.spec.columns)]
    rows = []
    by_key = {(c.row, c.column): c for c in grid.cells()}
    for row in grid.spec.rows:
        rows.append([row.spec, *(cell_text(grid.get(by_key[(row.spec, col.name)])) for col in grid.spec.columns)])
    return header, rows


def cell_dicts(grid: Grid) -> list[dict[str, Any]]:
    """One dict per cell (the rows of the CSV and JSON exports)."""
    out = []
    for cell in grid.cells():
        rec = grid.get(cell)
        out.append(
            {
                "row": cell.row,
                "column": cell.column,
                "model": cell.model,
                "options": cell.options,
                "status": rec.status if rec else "missing",
                "size": rec.size if rec else None,
                "proven": rec.proven if rec else False,
                "infeasible": bool(rec and rec.result and rec.result.get("infeasible")),
                "lower_bound": rec.lower_bound if rec else None,
                "text": cell_text(rec),
                "seconds": rec.wall_seconds if rec else None,
                "error": rec.error if rec else None,
            }
        )
    return out


def _md(grid: Grid) -> str:
    header, rows = _matrix(grid)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        lines.append("| " + " | ".join([f"`{row[0]}`", *(x or "·" for x in row[1:])]) + " |")
    return "\n".join(lines) + f"\n\n{LEGEND}; · not run.\n"


def cost_distribution(grid: Grid, rows: list[Any] | None = None) -> dict[str, tuple[dict[int, int], int]]:
    """Per column: ``({proven minimum: number of rows}, number of rows run but not proven)`` over ``rows``."""
    by_key = {(c.row, c.column): c for c in grid.cells()}
    out: dict[str, tuple[dict[int, int], int]] = {}
    for col in grid.spec.columns:
        counts: dict[int, int] = {}
        unproven = 0
        for r in grid.spec.rows if rows is None else rows:
            rec = grid.get(by_key[(r.spec, col.name)])
            if rec is not None and rec.proven and rec.size is not None:
                counts[rec.size] = counts.get(rec.size, 0) + 1
            elif rec is not None:
                unproven += 1
        out[col.name] = (dict(sorted(counts.items())), unproven)
    return out


def _dist(grid: Grid) -> str:
    dist = cost_distribution(grid)
    sizes = sorted({s for counts, _ in dist.values() for s in counts})
    names = list(dist)
    lines = ["| minimum size | " + " | ".join(names) + " |", "|" + "---|" * (len(names) + 1)]
    for s in sizes:
        lines.append(f"| {s} | " + " | ".join(str(dist[n][0].get(s, 0)) for n in names) + " |")
    lines.append("| not proven | " + " | ".join(str(dist[n][1]) for n in names) + " |")
    lines.append("| rows | " + " | ".join(str(sum(dist[n][0].values()) + dist[n][1]) for n in names) + " |")
    return "\n".join(lines) + f"\n\nNumber of rows of {grid.spec.title!r} with each proven minimum, per column.\n"


def _tex_escape(s: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("_", r"\_"), ("&", r"\&"), ("%", r"\%"), ("#", r"\#"),
                 ("$", r"\$"), ("{", r"\{"), ("}", r"\}")):  # fmt: skip
        s = s.replace(a, b)
    return s


def _tex_cell(text: str) -> str:
    if text.startswith("≤"):
        return f"$\\le {text[1:]}$"
    if text.startswith("≥"):
        return f"$\\ge {text[1:]}$"
    return _tex_escape(text) if text else "--"


def _tex(grid: Grid) -> str:
    header, rows = _matrix(grid)
    out = [
        "% " + _tex_escape(grid.spec.title) + " (" + LEGEND.replace("≤", "<=").replace("≥", ">=") + ")",
        "\\begin{tabular}{l" + "r" * (len(header) - 1) + "}",
        "\\toprule",
        " & ".join(_tex_escape(h) for h in header) + " \\\\",
        "\\midrule",
    ]
    for row in rows:
        out.append(" & ".join([f"\\texttt{{{_tex_escape(row[0])}}}", *(_tex_cell(x) for x in row[1:])]) + " \\\\")
    out += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(out) + "\n"


def _csv(grid: Grid) -> str:
    buf = io.StringIO()
    fields = ["row", "column", "model", "status", "size", "proven", "infeasible", "lower_bound", "text", "seconds"]
    writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for d in cell_dicts(grid):
        writer.writerow({**d, "size": "" if d["size"] is None else d["size"],
                         "lower_bound": "" if d["lower_bound"] is None else d["lower_bound"],
                         "seconds": "" if d["seconds"] is None else d["seconds"]})  # fmt: skip
    return buf.getvalue()


def to_json(grid: Grid) -> dict[str, Any]:
    return {
        "title": grid.spec.title,
        "spec": grid.spec.name,
        "store": str(grid.store_path),
        "columns": [{"name": c.name, "model": c.model, "options": c.options} for c in grid.spec.columns],
        "rows": [r.spec for r in grid.spec.rows],
        "counts": grid.counts(),
        "cells": cell_dicts(grid),
    }


def export(grid: Grid, fmt: str) -> str:
    """The grid as text in one of :data:`FORMATS`."""
    fmt = fmt.strip().lower()
    if fmt == "md":
        return _md(grid)
    if fmt == "csv":
        return _csv(grid)
    if fmt == "json":
        return json.dumps(to_json(grid), indent=1) + "\n"
    if fmt == "tex":
        return _tex(grid)
    if fmt == "dist":
        return _dist(grid)
    raise SpecError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")


def plot(grid: Grid, output: str | Path) -> Path:
    """Write a PNG: minimum size against the row parameter per column, or the cost distribution of NPN rows."""
    try:
        import matplotlib
    except ImportError:
        raise SpecError("plotting needs matplotlib: pip install 'lbt[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    output = Path(output)
    spec = grid.spec
    by_key = {(c.row, c.column): c for c in grid.cells()}
    npn_rows = [r for r in spec.rows if r.family in ("npn", "tt")]
    groups: dict[str, list] = {}
    for r in spec.rows:
        if r.family not in ("npn", "tt"):
            groups.setdefault(r.source, []).append(r)
    panels = len(groups) + (1 if npn_rows else 0)
    if panels == 0:
        raise SpecError("nothing to plot")
    cols = min(panels, 3)
    nrows = (panels + cols - 1) // cols
    fig, axes = plt.subplots(nrows, cols, figsize=(4.6 * cols, 3.6 * nrows), squeeze=False)
    flat = list(axes.flat)
    markers = "osD^vP*Xh"
    for ax, (source, rows) in zip(flat, groups.items(), strict=False):
        for j, col in enumerate(spec.columns):
            xs: list[int] = []
            ys: list[int] = []
            open_x: list[int] = []
            open_lo: list[int] = []
            open_hi: list[int | None] = []
            for i, r in enumerate(rows):
                x = r.param if r.param is not None else i
                rec = grid.get(by_key[(r.spec, col.name)])
                if rec is None or rec.status == "error":
                    continue
                if rec.proven and rec.size is not None:
                    xs.append(x)
                    ys.append(rec.size)
                    continue
                # open: from the lower bound (or the size found, if no bound is known) to the size found
                lo = rec.lower_bound if rec.lower_bound is not None else rec.size
                if lo is not None:
                    open_x.append(x)
                    open_lo.append(lo)
                    open_hi.append(rec.size)
            color = f"C{j}"
            m = markers[j % len(markers)]
            ax.plot(xs, ys, marker=m, color=color, label=col.name, linestyle="-" if len(xs) > 1 else "none")
            for x, lo, hi in zip(open_x, open_lo, open_hi, strict=True):
                top = hi if hi is not None else lo
                ax.vlines(x, lo, top, colors=color, linestyles="dotted")
                ax.plot([x], [top], marker=m, color=color, markerfacecolor="none")
                if hi is None:
                    ax.annotate("", (x, lo + 0.6), (x, lo), arrowprops={"arrowstyle": "->", "color": color})
        ax.set_title(source)
        ax.set_xlabel(rows[0].param_name or "parameter")
        ax.set_ylabel("minimum size")
        ax.grid(alpha=0.3)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.legend(fontsize="small")
    if npn_rows:
        ax = flat[len(groups)]
        width = 0.8 / max(1, len(spec.columns))
        for j, (name, (counts, unproven)) in enumerate(cost_distribution(grid, npn_rows).items()):
            sizes = sorted(counts)
            label = name + (f" ({unproven} unproven)" if unproven else "")
            ax.bar([s + (j - (len(spec.columns) - 1) / 2) * width for s in sizes], [counts[s] for s in sizes],
                   width=width, label=label, color=f"C{j}")  # fmt: skip
        what = "NPN classes" if all(r.source.lower().startswith("npn") for r in npn_rows) else "functions"
        ax.set_title(f"cost distribution of {len(npn_rows)} {what}")
        ax.set_xlabel("minimum size")
        ax.set_ylabel(what)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(fontsize="small")
    for ax in flat[panels:]:
        ax.set_visible(False)
    fig.suptitle(textwrap.fill(spec.title, width=int(9 * 4.6 * cols)))
    fig.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(output)
    return output
