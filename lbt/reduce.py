"""``lbt convert`` and ``lbt construct``: the reductions between models and the
constructions behind the size/depth barriers (:mod:`reductions`).

Every conversion and construction is checked exactly by the function that
builds it (on all ``2^n`` Boolean inputs, or at exact rational points of the
real domain) before anything is printed or written; the printed report gives
the measured size and depth next to the paper's formula and says what was
checked.  A check that fails is a bug and is raised as such; bad input (a file
of the wrong model, non-integer weights where integers are needed, a parameter
out of range or too large to check) prints one line ``lbt: error: ...`` and
exits with code 2, writing nothing.

Integer parameters of ``lbt construct`` take a value ``N`` or, with ``--table``,
a range ``A..B`` (also inside a target spec, ``--target add:1..4``); the table
has one row per value (the product of the ranges, at most
:data:`MAX_TABLE_ROWS` rows).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable, Iterable
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from circuits.errors import FormatError, LbtError, ModelError, SpecError, TooLargeError, excerpt
from circuits.output import check_output
from lbt.app import JsonOpt, app, console, emit_json, int_value, path_value
from reductions.report import Report

if TYPE_CHECKING:
    from circuits.model import CircuitModel
    from circuits.relu import ReLUNetwork
    from circuits.threshold import ThresholdCircuit

# The models and reductions (numpy, networkx) are imported by the commands that run them, so that the
# start-up of every other command does not pay for them.

__all__ = ["construct_app", "convert"]

# ------------------------------------------------------------------ caps
#: Largest number of threshold gates ``lbt convert --to thr`` builds (unary encoding of large ReLU values).
MAX_CONVERT_GATES = 100_000
#: ``bitextract``: largest ``c`` per method (the ramps have ``2^c - 1`` ramps per coordinate), largest ``d``.
MAX_BITS_C = {"ramps": 10, "sawtooth": 12}
MAX_BITS_D = 4
#: ``ip-net`` / ``disj-net``: largest ``d`` (all ``2^(2d)`` inputs are checked).
MAX_NET_D = 12
#: ``barrier``: largest ``c``, ``d`` and ``c*d`` (every cell times ``3^d`` offsets is checked).
MAX_BARRIER_C, MAX_BARRIER_D, MAX_BARRIER_CD = 6, 4, 8
#: ``selector``: largest ``m + l`` (inputs of ``g'``) and largest size of the round trip ``l (s + l + 1)``.
MAX_SELECTOR_INPUTS, MAX_SELECTOR_SIZE = 14, 20_000
#: ``lipschitz``: largest number of inputs of ``g``.
MAX_LIPSCHITZ_INPUTS = 12
#: Most rows of one ``--table``.
MAX_TABLE_ROWS = 64

#: Offsets per grid cell in the discretiser check (``per_cell + 1`` points per cell).
_PER_CELL = 8

_MODEL_NAMES = {"boolean": "Boolean circuit", "threshold": "threshold circuit", "relu": "ReLU network"}
_RESULT_MODEL = {"relu": "relu", "thr": "threshold", "b2": "boolean", "deep-narrow": "relu"}
#: What each model may be converted to.
_TARGETS = {"threshold": ("relu", "b2"), "relu": ("thr", "deep-narrow"), "boolean": ("thr",)}


# ------------------------------------------------------------------ output helpers
def _plain(obj: Any) -> Any:
    """``obj`` with Fractions as strings (ints when integral), tuples as lists: ready for ``json.dumps``."""
    if isinstance(obj, Fraction):
        return obj.numerator if obj.denominator == 1 else str(obj)
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


def _verdict(r: Report) -> str:
    if r.formula_size is None and r.formula_depth is None:
        return "no closed formula (measured only)"
    if not r.matches_formula:
        return "DOES NOT MATCH the formula"
    whose = "the paper's formula" if r.formula_source == "paper" else "lbt's own count of this construction"
    if r.formula_kind == "exact":
        return f"equal to {whose}"
    return f"within {whose} (an upper bound)"


def _measure_line(what: str, value: int, formula: int | None, kind: str, source: int | None) -> str:
    rel = "=" if kind == "exact" else "≤"
    text = f"  {what:<6}{value:>7}"
    text += f"   formula {rel} {formula}" if formula is not None else "   formula: measured only"
    if source is not None:
        text += f"   (source {source})"
    return text


def _print_report(r: Report) -> None:
    params = ", ".join(f"{k}={v}" for k, v in r.params.items())
    console.print(f"[bold]{escape(r.name)}[/bold]  {escape(params)}")
    console.print(_measure_line("size", r.size, r.formula_size, r.formula_kind, r.source_size), markup=False)
    console.print(_measure_line("depth", r.depth, r.formula_depth, r.formula_kind, r.source_depth), markup=False)
    x = r.extra
    if "width" in x:
        console.print(
            f"  width {x['width']} (formula {x['formula_width']}); parameters {x['params_before']} -> "
            f"{x['params_after']} (formula {x['formula_params']}); exact on {x['domain']}",
            markup=False,
        )
    if "unary_size" in x:
        console.print(f"  unary encoding size {x['unary_size']}, binary encoding size {x['binary_size']}", markup=False)
    if "margin_probe" in x:
        console.print(
            f"  margin probe ({x['margin_probe']}): coordinate 0 wrong at "
            f"{x['margin_probe_wrong_coordinate0']} of {x['margin_probe_points']} points (outside the claim)",
            markup=False,
        )
    if "largest_error" in x:
        console.print(f"  largest |N(x) - f(x)| at the checked points: {x['largest_error']}", markup=False)
    if "constant_gates" in x:
        console.print(f"  gates constant on every input (kept in the count): {x['constant_gates']}", markup=False)
    if "source_network" in x:
        console.print(f"  source network for g: {x['source_network']}", markup=False)
    verdict = _verdict(r)
    style = "red" if verdict.startswith("DOES NOT") else "green"
    console.print(f"  [{style}]{r.formula_kind}: {verdict}[/{style}]")
    console.print(f"  formula: {r.formula}", markup=False)
    console.print(f"  checked: {r.checked}", markup=False)


def _check_output_path(out: Path, result_model: str, *, source: Path | None = None) -> None:
    """Reject an output path before any work is done, so that errors leave nothing behind."""
    suffix = out.suffix.lower()
    allowed = (".json", ".bench", ".aag") if result_model == "boolean" else (".json",)
    if suffix not in allowed:
        raise FormatError(f"cannot write a {_MODEL_NAMES[result_model]} to {out}: use {' or '.join(allowed)}")
    check_output(out)
    if source is not None and out.resolve() == source.resolve():
        raise SpecError(f"refusing to overwrite the input file {source}; choose another -o")


def _naming(file: Path, fn: Callable[[], Any]) -> Any:
    """``fn()``, with ``file`` named in the message of every :class:`LbtError` it raises."""
    try:
        return fn()
    except LbtError as exc:
        if str(file) in str(exc):
            raise
        raise type(exc)(f"{file}: {exc}") from None


def _load(file: Path) -> CircuitModel:
    """:func:`circuits.fileformat.load`, with the file named in every error message."""
    from circuits.fileformat import load

    return _naming(file, lambda: load(file))


# ------------------------------------------------------------------ lbt convert
def _check_unary_cost(net: ReLUNetwork, encoding: str) -> None:
    """Refuse a ReLU -> threshold conversion that would build more than MAX_CONVERT_GATES gates."""
    from reductions.threshold_relu import neuron_bounds

    bounds = neuron_bounds(net)
    cost = 0
    for v, (_, hi) in zip(net.neurons, bounds):
        if v.activation == "relu":
            b = max(0, int(hi))
            cost += b if encoding == "unary" else b.bit_length()
    if cost > MAX_CONVERT_GATES:
        hint = " (try --encoding binary)" if encoding == "unary" else ""
        raise TooLargeError(
            f"the {encoding} encoding needs about {cost} threshold gates (interval bounds up to "
            f"{max(int(hi) for _, hi in bounds)}), more than {MAX_CONVERT_GATES}{hint}"
        )


@app.command()
def convert(
    file: Annotated[
        Path,
        typer.Argument(
            help="Circuit file: threshold circuit, ReLU network, Boolean circuit (.json, .bench, .aag).",
            parser=path_value,
        ),
    ],
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="relu (from thr), thr (from relu or Boolean), b2 (from thr), deep-narrow (from a one-hidden-layer relu).",
        ),
    ],
    encoding: Annotated[str | None, typer.Option("--encoding", help="relu -> thr: unary (default) or binary.")] = None,
    per_layer: Annotated[
        int | None,
        typer.Option("--per-layer", help="deep-narrow: hidden neurons per layer (default 1).", parser=int_value),
    ] = None,
    box: Annotated[
        str | None,
        typer.Option(
            "--box", help="deep-narrow: exact on [-B, B]^d only (width d+k+1); default all of R^d (width 2d+k+2)."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Output file (default: next to FILE, e.g. FILE-stem.relu.json).",
            parser=path_value,
        ),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Convert a circuit file to another model; the result is checked exactly and written atomically."""
    from circuits.fileformat import save
    from circuits.truthtable import MAX_INPUTS
    from reductions.bits import as_fraction
    from reductions.threshold_relu import ENCODINGS

    if to not in _RESULT_MODEL:
        raise SpecError(f"unknown --to {to!r} (expected one of {', '.join(_RESULT_MODEL)})")
    if encoding is not None and encoding not in ENCODINGS:
        raise SpecError(f"unknown --encoding {encoding!r} (expected one of {', '.join(ENCODINGS)})")
    box_value = None if box is None else as_fraction(box, "--box")
    if box_value is not None and box_value < 0:
        raise SpecError(f"--box must be a non-negative rational (the half-width B of [-B, B]^d), got {box}")
    if per_layer is not None and per_layer < 1:
        raise SpecError(f"--per-layer must be at least 1, got {per_layer}")
    model = _load(file)
    kind = model.MODEL
    if to not in _TARGETS[kind]:
        options = ", ".join(f"--to {t}" for t in _TARGETS[kind])
        raise FormatError(
            f"{file} holds a {_MODEL_NAMES[kind]}, which cannot be converted --to {to} (a {_MODEL_NAMES[kind]} takes {options})"
        )
    if encoding is not None and not (kind == "relu" and to == "thr"):
        raise SpecError("--encoding applies only to --to thr from a ReLU network")
    if (per_layer is not None or box is not None) and to != "deep-narrow":
        raise SpecError("--per-layer and --box apply only to --to deep-narrow")
    result_model = _RESULT_MODEL[to]
    out = output if output is not None else file.with_name(f"{file.stem}.{to}.json")
    _check_output_path(out, result_model, source=file)
    if to != "deep-narrow" and model.n > MAX_INPUTS:
        raise TooLargeError(
            f"{file} has {model.n} inputs; the result is checked on all 2^n inputs, so at most {MAX_INPUTS}"
        )

    report: Report = _naming(file, lambda: _convert(model, to, encoding, per_layer or 1, box_value))
    save(report.result, out)

    data = {
        **_plain(report.to_dict()),
        "input": str(file),
        "output": str(out),
        "source_model": kind,
        "result_model": result_model,
    }
    if json_:
        emit_json(data)
        return
    console.print(f"{file}: {_MODEL_NAMES[kind]}, {model.n} inputs -> {_MODEL_NAMES[result_model]}", markup=False)
    _print_report(report)
    console.print(f"wrote {out}", markup=False)


def _convert(model: CircuitModel, to: str, encoding: str | None, per_layer: int, box: Fraction | None) -> Report:
    from circuits.boolean import BooleanCircuit
    from circuits.relu import ReLUNetwork
    from circuits.threshold import ThresholdCircuit
    from reductions.boolean_threshold import boolean_to_threshold, threshold_to_boolean
    from reductions.threshold_relu import first_non_integer, relu_to_threshold, threshold_to_relu
    from reductions.width_depth import shallow_to_deep_narrow

    if to == "relu":
        assert isinstance(model, ThresholdCircuit)
        report = threshold_to_relu(model)
    elif to == "b2":
        assert isinstance(model, ThresholdCircuit)
        report = threshold_to_boolean(model)
    elif to == "deep-narrow":
        assert isinstance(model, ReLUNetwork)
        report = shallow_to_deep_narrow(model, per_layer=per_layer, box=box)
    elif isinstance(model, BooleanCircuit):
        report = boolean_to_threshold(model)
    else:
        assert isinstance(model, ReLUNetwork)
        enc = encoding or "unary"
        bad = first_non_integer(model)
        if bad is not None:
            raise ModelError(f"--to thr needs integer weights and biases, but {bad}")
        _check_unary_cost(model, enc)
        report = relu_to_threshold(model, enc)
    return report


# ------------------------------------------------------------------ lbt construct: parameters
construct_app = typer.Typer(
    name="construct",
    help="Build a construction of the papers, check it exactly, compare its size and depth with the formula.",
    no_args_is_help=True,
)
app.add_typer(construct_app, name="construct")

# numbers are ASCII digits, at most 18 of them (anything longer is far beyond every cap)
_RANGE = re.compile(r"\s*(-?[0-9]{1,18})\s*(?:\.\.\s*(-?[0-9]{1,18})\s*)?", re.ASCII)
_SPEC_RANGE = re.compile(r"\s*([0-9]{1,18})\s*\.\.\s*([0-9]{1,18})\s*", re.ASCII)

#: Most targets a range ``A..B`` in ``--target`` stands for.
MAX_SPEC_RANGE = 100

TableOpt = Annotated[
    bool, typer.Option("--table", help="Print the size/depth/formula/checked table over the given ranges.")
]
OutputOpt = Annotated[
    Path | None, typer.Option("-o", "--output", help="Write the construction (.json).", parser=path_value)
]


def _int_values(value: str, name: str, cap: int, *, lo: int = 1) -> list[int]:
    """``N`` or ``A..B`` as the list of values, each in ``[lo, cap]``."""
    m = _RANGE.fullmatch(value)
    if m is None:
        raise SpecError(f"--{name} must be an integer or a range A..B, got {excerpt(value)}")
    a = int(m[1])
    b = int(m[2]) if m[2] is not None else a
    if b < a:
        raise SpecError(f"--{name} {value.strip()}: the range is reversed ({a} > {b})")
    if a < lo:
        raise SpecError(f"--{name} must be at least {lo}, got {a}")
    if b > cap:
        raise TooLargeError(f"--{name} {b} is too large to check in seconds (at most {cap})")
    return list(range(a, b + 1))


def _spec_values(spec: str) -> list[str]:
    """A target spec with at most one field ``A..B`` expanded into the specs of the range."""
    fields = spec.split(":")
    ranges = [i for i, f in enumerate(fields) if _SPEC_RANGE.fullmatch(f)]
    if not ranges:
        return [spec]
    if len(ranges) > 1:
        raise SpecError(f"--target {excerpt(spec)}: at most one field may be a range A..B")
    i = ranges[0]
    m = _SPEC_RANGE.fullmatch(fields[i])
    assert m is not None
    a, b = int(m[1]), int(m[2])
    if b < a:
        raise SpecError(f"--target {excerpt(spec)}: the range is reversed ({a} > {b})")
    if b - a >= MAX_SPEC_RANGE:
        raise SpecError(f"--target {excerpt(spec)}: a range stands for at most {MAX_SPEC_RANGE} targets")
    return [":".join(fields[:i] + [str(v)] + fields[i + 1 :]) for v in range(a, b + 1)]


def _choice(value: str, name: str, options: Iterable[str]) -> str:
    options = tuple(options)
    if value not in options:
        raise SpecError(f"unknown --{name} {excerpt(value)} (expected one of {', '.join(options)})")
    return value


#: What one construction run gives back: the reports (the first one is the construction
#: written by ``-o``) and, per report, the short ``checked`` column of the table.
Built = list[tuple[Report, dict[str, str]]]


def _grid(params: dict[str, list[Any]], table: bool) -> list[dict[str, Any]]:
    varying = [k for k, v in params.items() if len(v) > 1]
    if varying and not table:
        raise SpecError(f"--{varying[0]} is a range: ranges need --table")
    rows = [dict(zip(params, combo)) for combo in itertools.product(*params.values())]
    if len(rows) > MAX_TABLE_ROWS:
        raise TooLargeError(f"the table would have {len(rows)} rows (at most {MAX_TABLE_ROWS})")
    return rows


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *(line(r) for r in rows)])


def _run(
    name: str,
    params: dict[str, list[Any]],
    build: Callable[..., Built],
    *,
    table: bool,
    output: Path | None,
    json_: bool,
    result_model: str,
) -> None:
    from circuits.fileformat import save

    rows = _grid(params, table)
    if output is not None:
        if table:
            raise SpecError("-o writes one construction; it cannot be combined with --table")
        _check_output_path(output, result_model)
    if not table:
        built = build(**rows[0])
        if output is not None:
            save(built[0][0].result, output)
        if json_:
            reports = [_plain(r.to_dict()) for r, _ in built]
            data = reports[0] if len(reports) == 1 else {"construction": name, "reports": reports}
            if output is not None:
                data["output"] = str(output)
            emit_json(data)
            return
        for r, _ in built:
            _print_report(r)
        if output is not None:
            console.print(f"wrote {output}", markup=False)
        return

    results = [(row, build(**row)) for row in rows]
    if json_:
        emit_json(
            {
                "construction": name,
                "rows": [{**_plain(row), **_plain(r.to_dict())} for row, built in results for r, _ in built],
            }
        )
        return
    several = len(results[0][1]) > 1
    extra_cols = [k for k in results[0][1][0][1] if k != "checked"]
    with_source = any(r.source_size is not None for _, built in results for r, _ in built)
    header = [
        *params,
        *(["construction"] if several else []),
        *(["source size"] if with_source else []),
        "size",
        "formula size",
        "depth",
        "formula depth",
        "kind",
        "formula from",
        "matches",
        *extra_cols,
        "checked",
    ]
    lines = []
    for row, built in results:
        for r, cols in built:
            lines.append(
                [
                    *(str(row[k]) for k in params),
                    *([r.name] if several else []),
                    *([str(r.source_size) if r.source_size is not None else "-"] if with_source else []),
                    str(r.size),
                    "-" if r.formula_size is None else str(r.formula_size),
                    str(r.depth),
                    "-" if r.formula_depth is None else str(r.formula_depth),
                    r.formula_kind,
                    r.formula_source,
                    "yes" if r.matches_formula else "NO",
                    *(cols.get(k, "") for k in extra_cols),
                    cols["checked"],
                ]
            )
    console.print(_markdown_table(header, lines), markup=False, highlight=False)
    seen: set[str] = set()
    for r, _ in results[-1][1]:
        if r.formula not in seen:
            seen.add(r.formula)
            console.print(f"formula ({r.name}): {r.formula}", markup=False)
    for r, _ in results[-1][1]:
        console.print(f"checked ({r.name}, last row): {r.checked}", markup=False)


# ------------------------------------------------------------------ lbt construct: the constructions
@construct_app.command("bitextract")
def construct_bitextract(
    c: Annotated[str, typer.Option("--c", help="Bits per coordinate (or a range A..B with --table).")] = "3",
    method: Annotated[
        str, typer.Option("--method", help="ramps (Lemma 21, depth 2) or sawtooth (Lemma 25, depth c+2).")
    ] = "ramps",
    d: Annotated[str, typer.Option("--d", help="Number of coordinates.")] = "1",
    delta: Annotated[
        str, typer.Option("--delta", help="Margin below each grid point, in grid cells (a rational p/q).")
    ] = "1/4",
    variant: Annotated[
        str | None,
        typer.Option(
            "--variant",
            help="sawtooth only: shifted (default, exact at grid points) or paper (the lemma's literal offset).",
        ),
    ] = None,
    table: TableOpt = False,
    output: OutputOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Bit extraction: x in [0,1]^d -> the c bits of floor(2^c x_i) (ramps: Lemma 21, sawtooth: Lemma 25)."""
    from reductions.bits import as_fraction, ramp_discretiser, sawtooth_discretiser

    method = _choice(method, "method", ("ramps", "sawtooth"))
    if variant is not None:
        if method != "sawtooth":
            raise SpecError("--variant applies only to --method sawtooth")
        _choice(variant, "variant", ("shifted", "paper"))
    delta_f = as_fraction(delta, "--delta")

    def build(c: int, d: int) -> Built:
        if method == "ramps":
            r = ramp_discretiser(c, d, delta_f, per_cell=_PER_CELL)
            points = (1 << c) * (_PER_CELL + 1) + 1
        else:
            r = sawtooth_discretiser(c, d, delta_f, variant=variant or "shifted", per_cell=_PER_CELL)
            points = (1 << c) * (_PER_CELL + 1)
        probe = f"{r.extra['margin_probe_wrong_coordinate0']}/{r.extra['margin_probe_points']}"
        return [(r, {"margin probe wrong": probe, "checked": f"{points} points, exact"})]

    params = {"c": _int_values(c, "c", MAX_BITS_C[method]), "d": _int_values(d, "d", MAX_BITS_D)}
    _run("bitextract", params, build, table=table, output=output, json_=json_, result_model="relu")


@construct_app.command("barrier")
def construct_barrier(
    function: Annotated[
        str, typer.Option("--function", help="The benign f: product (x_1...x_d) or average.")
    ] = "product",
    d: Annotated[str, typer.Option("--d", help="Dimension of [0,1]^d.")] = "2",
    c: Annotated[str, typer.Option("--c", help="Bits per coordinate.")] = "3",
    route: Annotated[str, typer.Option("--route", help="Discretiser: ramps (Thm 1) or sawtooth (Thm 9).")] = "ramps",
    delta: Annotated[str, typer.Option("--delta", help="Margin below each grid point, in grid cells (p/q).")] = "1/4",
    variant: Annotated[str | None, typer.Option("--variant", help="sawtooth only: shifted (default) or paper.")] = None,
    table: TableOpt = False,
    output: OutputOpt = None,
    json_: JsonOpt = False,
) -> None:
    """The barrier network of Theorems 1/9: discretise, simulate the threshold circuit of f_hat (Lemma 22), recombine."""
    from reductions.barrier import DEMO_FUNCTIONS, ROUTES, barrier_demo
    from reductions.bits import as_fraction

    function = _choice(function, "function", DEMO_FUNCTIONS)
    route = _choice(route, "route", ROUTES)
    if variant is not None:
        if route != "sawtooth":
            raise SpecError("--variant applies only to --route sawtooth")
        _choice(variant, "variant", ("shifted", "paper"))
    delta_f = as_fraction(delta, "--delta")

    def build(d: int, c: int) -> Built:
        r = barrier_demo(function, d, c, route=route, delta=delta_f, variant=variant or "shifted")
        x = r.extra
        return [
            (
                r,
                {
                    "margin wrong": f"{x['margin_points_wrong']}/{x['margin_points']}",
                    "largest err": str(x["largest_error"]),
                    "checked": f"{x['checked_points']} points, exact",
                },
            )
        ]

    params = {"d": _int_values(d, "d", MAX_BARRIER_D), "c": _int_values(c, "c", MAX_BARRIER_C)}
    for row in _grid(params, table):  # reject c*d before building any row
        c_, d_ = row["c"], row["d"]
        if c_ * d_ > MAX_BARRIER_CD:
            raise TooLargeError(
                f"c*d = {c_}*{d_} = {c_ * d_} is too large to check in seconds (at most {MAX_BARRIER_CD})"
            )
    _run("barrier", params, build, table=table, output=output, json_=json_, result_model="relu")


def _threshold_source(source: str, file: Path | None) -> tuple[ThresholdCircuit, str]:
    from circuits.targets import target
    from circuits.threshold import ThresholdCircuit
    from reductions.barrier import staircase_circuit

    if file is not None:
        model = _load(file)
        if not isinstance(model, ThresholdCircuit):
            raise FormatError(
                f"{file} holds a {_MODEL_NAMES[model.MODEL]}; the selector needs a threshold circuit (lbt convert --to thr)"
            )
        return model, str(file)
    t = target(source)
    m, l = t.table.n, t.table.m
    if m + l > MAX_SELECTOR_INPUTS:
        raise TooLargeError(
            f"{t.spec}: g' has m + l = {m} + {l} = {m + l} inputs, at most {MAX_SELECTOR_INPUTS} are checked"
        )
    return staircase_circuit(t.table), t.spec


def _constant_gates(c: ThresholdCircuit) -> int:
    """Gates that are constant whatever their inputs: threshold above the positive weights or at most the negative ones."""
    count = 0
    for g in c.gates:
        pos = sum(w for _, w in g.weights if w > 0)
        neg = sum(w for _, w in g.weights if w < 0)
        count += g.threshold > pos or g.threshold <= neg
    return count


@construct_app.command("selector")
def construct_selector(
    target_: Annotated[
        str | None,
        typer.Option(
            "--target",
            help="Multi-output g (default add:2), built as a depth-2 threshold circuit from its table; a field may be a range A..B with --table.",
        ),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="A threshold circuit file for g instead of --target.", parser=path_value),
    ] = None,
    table: TableOpt = False,
    output: OutputOpt = None,
    json_: JsonOpt = False,
) -> None:
    """The selector lemma (Lemma 20): g -> g'(x, s) = g(x)_s, and back by hard-wiring s = e_k."""
    from reductions.selector import selector_roundtrip, single_output_selector

    if target_ is not None and file is not None:
        raise SpecError("give either --target or --file, not both")
    sources = [str(file)] if file is not None else _spec_values(target_ or "add:2")

    def build(g: str) -> Built:
        circuit, label = _threshold_source(g, file)
        m, l, s = circuit.n, circuit.num_outputs, circuit.size
        if m + l > MAX_SELECTOR_INPUTS:
            raise TooLargeError(
                f"{label}: g' has m + l = {m} + {l} = {m + l} inputs, at most {MAX_SELECTOR_INPUTS} are checked"
            )
        if l * (s + l + 1) > MAX_SELECTOR_SIZE:
            raise TooLargeError(
                f"{label}: the round trip would have {l * (s + l + 1)} gates (at most {MAX_SELECTOR_SIZE})"
            )
        single = single_output_selector(circuit)
        back = selector_roundtrip(circuit)
        dead = _constant_gates(back.result)
        back = dataclasses.replace(back, extra={**back.extra, "constant_gates": dead})
        return [
            (single, {"constant gates": str(_constant_gates(single.result)), "checked": f"all 2^{m + l} inputs"}),
            (back, {"constant gates": str(dead), "checked": f"all 2^{m} inputs"}),
        ]

    _run("selector", {"g": sources}, build, table=table, output=output, json_=json_, result_model="threshold")


def _relu_source(source: str, file: Path | None) -> tuple[ReLUNetwork, str]:
    from circuits.relu import ReLUNetwork
    from circuits.targets import target
    from reductions.barrier import staircase_circuit
    from reductions.boolean_nets import disj_network, ip_network
    from reductions.threshold_relu import threshold_to_relu

    if file is not None:
        model = _load(file)
        if not isinstance(model, ReLUNetwork):
            raise FormatError(f"{file} holds a {_MODEL_NAMES[model.MODEL]}; lipschitz needs a ReLU network for g")
        return model, f"{file} (size {model.size}, depth {model.depth})"
    t = target(source)
    if t.table.m != 1:
        raise SpecError(f"{t.spec} has {t.table.m} outputs; the Lipschitz extension needs a single-output g")
    if t.table.n > MAX_LIPSCHITZ_INPUTS:
        raise TooLargeError(f"{t.spec} has {t.table.n} inputs, at most {MAX_LIPSCHITZ_INPUTS} are checked")
    family, _, rest = t.spec.partition(":")
    if family in ("ip", "disj") and int(rest) >= 1:
        r = (ip_network if family == "ip" else disj_network)(int(rest))
        return r.result, f"Thm 16 network for {t.spec} (size {r.size}, depth {r.depth})"
    r = threshold_to_relu(staircase_circuit(t.table))
    return r.result, f"Lemma 22 network of the depth-2 threshold circuit of {t.spec} (size {r.size}, depth {r.depth})"


@construct_app.command("lipschitz")
def construct_lipschitz(
    target_: Annotated[
        str | None,
        typer.Option(
            "--target",
            help="Single-output g (default ip:2; ip/disj use the Thm 16 networks); a field may be a range A..B with --table.",
        ),
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="A ReLU network file for g instead of --target.", parser=path_value)
    ] = None,
    norm: Annotated[str, typer.Option("--norm", help="Norm of dist(x, A_z): l2 (default) or linf.")] = "l2",
    table: TableOpt = False,
    output: OutputOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Proposition 17: the 4-Lipschitz extension of g and the network N(r(x)) of size m + 2d."""
    from reductions.lipschitz import NORMS, lipschitz_network

    if target_ is not None and file is not None:
        raise SpecError("give either --target or --file, not both")
    norm = _choice(norm, "norm", NORMS)
    sources = [str(file)] if file is not None else _spec_values(target_ or "ip:2")

    def build(g: str) -> Built:
        net, label = _relu_source(g, file)
        if net.n > MAX_LIPSCHITZ_INPUTS:
            raise TooLargeError(f"g has {net.n} inputs, at most {MAX_LIPSCHITZ_INPUTS} are checked")
        r = lipschitz_network(net, norm=norm)
        r = dataclasses.replace(r, extra={**r.extra, "source_network": label})
        x = r.extra
        return [
            (
                r,
                {
                    "off-supp agree": f"{x['off_support_agree']}/{x['off_support_points']}",
                    "checked": f"2^{net.n} corners + supp(mu) + pairs",
                },
            )
        ]

    _run("lipschitz", {"g": sources}, build, table=table, output=output, json_=json_, result_model="relu")


@construct_app.command("ip-net")
def construct_ip_net(
    d: Annotated[str, typer.Option("--d", help="IP_d on 2d inputs (or a range A..B with --table).")] = "3",
    gadget: Annotated[
        str, typer.Option("--gadget", help="Parity of the count: ramps (depth 3) or sawtooth (depth ceil(log2 d) + 2).")
    ] = "ramps",
    table: TableOpt = False,
    output: OutputOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Theorem 16: an O(d) ReLU network for the inner product IP_d, checked on all 2^(2d) inputs."""
    from reductions.boolean_nets import GADGETS, ip_network

    gadget = _choice(gadget, "gadget", GADGETS)

    def build(d: int) -> Built:
        return [(ip_network(d, gadget), {"checked": f"all 2^{2 * d} inputs"})]

    _run(
        "ip-net",
        {"d": _int_values(d, "d", MAX_NET_D)},
        build,
        table=table,
        output=output,
        json_=json_,
        result_model="relu",
    )


@construct_app.command("disj-net")
def construct_disj_net(
    d: Annotated[str, typer.Option("--d", help="DISJ_d on 2d inputs (or a range A..B with --table).")] = "3",
    table: TableOpt = False,
    output: OutputOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Theorem 16: a ReLU network of size d + 1 for disjointness DISJ_d, checked on all 2^(2d) inputs."""
    from reductions.boolean_nets import disj_network

    def build(d: int) -> Built:
        return [(disj_network(d), {"checked": f"all 2^{2 * d} inputs"})]

    _run(
        "disj-net",
        {"d": _int_values(d, "d", MAX_NET_D)},
        build,
        table=table,
        output=output,
        json_=json_,
        result_model="relu",
    )
