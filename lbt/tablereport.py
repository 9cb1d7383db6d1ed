"""Reports of a table: the grid of stored results as a rich table, Markdown, CSV, JSON, LaTeX or a plot.

``html`` is one self-contained page (no external font, script or style
sheet): the grid with each cell's value, status and how it was checked, an
inline SVG drawing of every witness (Graphviz, when ``dot`` is installed), the
paths of every cell's proofs and certificates, and the plot as inline SVG.

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

__all__ = [
    "FORMATS",
    "Grid",
    "cell_status",
    "cell_text",
    "cost_distribution",
    "export",
    "html_report",
    "load_table",
    "plot",
    "read_grid",
]

FORMATS = ("md", "csv", "json", "tex", "dist", "html")

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
    if fmt == "html":
        return html_report(grid)
    raise SpecError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")


def plot(grid: Grid, output: str | Path) -> Path:
    """Write a PNG: minimum size against the row parameter per column, or the cost distribution of NPN rows."""
    import matplotlib.pyplot as plt

    fig = _figure(grid)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(output)
    return output


def _figure(grid: Grid) -> Any:
    """The matplotlib figure of :func:`plot`."""
    try:
        import matplotlib
    except ImportError:
        raise SpecError("plotting needs matplotlib: pip install 'lbt[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    return fig


# ---------------------------------------------------------------- the HTML report
def cell_status(rec: CellRecord | None) -> str:
    """What a cell's value is: ``proven``, ``lower bound``, ``upper bound``, ``infeasible``, ``error``, ..."""
    if rec is None:
        return "not run"
    if rec.status == "error":
        return "error"
    infeasible = bool(rec.result and rec.result.get("infeasible"))
    if rec.proven:
        return "proven: no circuit exists" if infeasible else "proven minimum"
    if rec.size is not None:
        return "upper bound (≤k): smaller sizes not all refuted"
    if rec.lower_bound is not None:
        return "lower bound (≥k): every smaller size refuted"
    return "timeout: no result"


def _how_checked(rec: CellRecord | None) -> list[str]:
    """One sentence per part of what the stored result rests on (the witness, the start, the refutations)."""
    if rec is None or rec.result is None:
        return [] if rec is None else [f"no result stored ({rec.error or rec.status})"]
    res = rec.result
    out = []
    if rec.size is not None:
        exact = "exact rational arithmetic" if rec.config.get("model") == "relu" else "exactly"
        out.append(f"witness of size {rec.size} re-evaluated on all 2^{res.get('n')} inputs ({exact})")
    out.append(f"start {res.get('start')}: {res.get('bound_reason') or 'no bound needed'}")
    refs = res.get("refutations") or []
    if refs:
        sizes = [int(r["size"]) for r in refs if isinstance(r, dict) and "size" in r]
        proofs = [r.get("proof") for r in refs if isinstance(r, dict)]
        checked = [p for p in proofs if isinstance(p, dict) and p.get("verdict") == "verified"]
        methods = sorted({str(r.get("method")) for r in refs if isinstance(r, dict)})
        span = f"{min(sizes)}..{max(sizes)}" if sizes else "?"
        text = f"sizes {span} refuted ({', '.join(methods)})"
        if checked:
            checkers = sorted({str(p.get("checker")) for p in checked})
            text += f"; {len(checked)} of {len(refs)} LRAT proofs checked by {', '.join(checkers)}"
            if any(p.get("certificates_path") for p in checked):
                text += ", with their certificates re-checked in exact arithmetic"
        else:
            text += "; no proof stored (proofs = false): lbt verify cannot re-check these refutations"
        out.append(text)
    elif rec.proven and rec.size is not None:
        out.append("no size below the start needed refuting")
    if res.get("timed_out"):
        out.append(f"stopped by the time limit ({rec.timeout:g} s)" if rec.timeout else "stopped by the time limit")
    return out


def _short_check(rec: CellRecord) -> str:
    """A few words for the grid: what the cell's value rests on."""
    if rec.result is None:
        return "no result"
    refs = rec.result.get("refutations") or []
    proofs = sum(1 for r in refs if isinstance(r, dict) and isinstance(r.get("proof"), dict))
    parts = ["witness checked"] if rec.size is not None else []
    if refs:
        parts.append(f"{proofs} proof{'s' if proofs != 1 else ''} checked" if proofs else "no proofs stored")
    return ", ".join(parts)


def _witness_drawing(rec: CellRecord) -> str:
    """Inline SVG of a cell's witness, or its text when Graphviz is missing or the drawing is too large."""
    import html

    from circuits.display import html as text_html, svg
    from circuits.fileformat import MODELS

    if rec.witness is None:
        return ""
    model_name = str(rec.config.get("model"))
    kind = {"relu": "relu", "thr": "threshold"}.get(model_name, "boolean")
    try:
        model = MODELS[kind].from_dict(rec.witness)
    except Exception as exc:  # a stored witness lbt cannot read is shown as such, not drawn
        return f"<p class='bad'>witness not readable: {html.escape(str(exc))}</p>"
    drawing = svg(model)
    return drawing if drawing is not None else (text_html(model, force=True) or "")


def _plot_svg(grid: Grid) -> str:
    import html

    try:
        import matplotlib.pyplot as plt

        fig = _figure(grid)
    except SpecError as exc:
        return f"<p>No plot: {html.escape(str(exc))}</p>"
    except ImportError:
        return "<p>No plot: matplotlib is not installed (pip install 'lbt[plot]').</p>"
    buf = io.StringIO()
    fig.savefig(buf, format="svg")  # glyphs as paths: no font needed
    plt.close(fig)
    text = buf.getvalue()
    return text[text.find("<svg") :]


_CSS = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table.grid { border-collapse: collapse; margin: 1em 0; }
table.grid th, table.grid td { border: 1px solid #bbb; padding: 4px 10px; text-align: center; }
table.grid td.row { text-align: left; font-family: monospace; }
td.proven { background: #e3f4e3; } td.open { background: #fff4d6; } td.bad { background: #fbe0e0; }
td a { color: inherit; text-decoration: none; } td .status { font-size: 75%; color: #555; }
section.cell { border-top: 1px solid #ccc; padding: 0.5em 0; }
section.cell .drawing svg { max-width: 100%; height: auto; max-height: 420px; }
code, pre { font-size: 90%; } .bad { color: #a00; } ul.files { font-family: monospace; font-size: 85%; }
"""


def html_report(grid: Grid) -> str:
    """One self-contained HTML page of the table (see the module docstring)."""
    import html

    spec = grid.spec
    store_dir = grid.store_path.parent
    by_key = {(c.row, c.column): c for c in spec.cells()}
    counts = grid.counts()
    esc = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(spec.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(spec.title)}</h1>",
    ]
    if spec.description:
        out.append(f"<p>{esc(spec.description)}</p>")
    out.append(
        f"<p>Spec <code>{esc(str(spec.name))}</code>, store <code>{esc(str(grid.store_path))}</code>. "
        f"{counts['cells']} cells: {counts['proven']} proven, {counts['unproven']} unproven, "
        f"{counts['error']} error, {counts['missing']} not run. {esc(LEGEND)}. "
        f"Every number here can be re-checked with <code>lbt verify {esc(str(grid.store_path))}</code>.</p>"
    )
    out.append('<table class="grid"><tr><th>target</th>')
    out += [f"<th>{esc(c.name)}</th>" for c in spec.columns]
    out.append("</tr>")
    details = []
    for r_index, row in enumerate(spec.rows):
        out.append(f'<tr><td class="row">{esc(row.spec)}</td>')
        for c_index, col in enumerate(spec.columns):
            rec = grid.get(by_key[(row.spec, col.name)])
            status = cell_status(rec)
            kind = "proven" if rec is not None and rec.proven else "bad" if status == "error" else "open"
            anchor = f"cell-{r_index}-{c_index}"
            text = cell_text(rec) or "·"
            if rec is None:
                out.append(f'<td title="not run">{esc(text)}</td>')
                continue
            out.append(
                f'<td class="{kind}"><a href="#{anchor}">{esc(text)}<br>'
                f'<span class="status">{esc(status.split(":")[0])}<br>{esc(_short_check(rec))}</span></a></td>'
            )
            how = "".join(f"<li>{esc(h)}</li>" for h in _how_checked(rec))
            files = ""
            if rec.proof_dir:
                base = Path(rec.proof_dir)
                listed = "".join(f"<li>{esc(str(base / name))}</li>" for name in sorted(rec.proof_files))
                where = "the store's directory" if str(store_dir) == "." else f"<code>{esc(str(store_dir))}</code>"
                files = f"<p>Proof files, relative to {where}:</p><ul class='files'>{listed}</ul>"
            seconds = f"{rec.wall_seconds:.1f} s" if rec.wall_seconds is not None else "?"
            details.append(
                f'<section class="cell" id="{anchor}"><h3><code>{esc(row.spec)}</code> — {esc(col.name)}: '
                f"{esc(text)} ({esc(status)})</h3>"
                f"<p>Model <code>{esc(col.model)}</code>, options <code>{esc(json.dumps(col.options))}</code>; "
                f"status {esc(rec.status)}, {seconds}.</p><ul>{how}</ul>{files}"
                f'<div class="drawing">{_witness_drawing(rec)}</div></section>'
            )
        out.append("</tr>")
    out.append("</table>")
    out.append("<h2>Plot</h2>")
    out.append(f'<div class="plot">{_plot_svg(grid)}</div>')
    out.append("<h2>Cells</h2>")
    out += details
    out.append("</body></html>")
    return "\n".join(out) + "\n"
