"""Table specs: a TOML file naming the rows (targets) and columns (models) of a lower-bound table.

A spec is read with :func:`load_spec` (or :func:`parse_spec` from text) and
validated completely before anything runs; every problem is a
:class:`~circuits.errors.SpecError` whose one-line message names the spec file
and the offending key.  Example::

    title = "Threshold and Boolean circuits of MAJ and PAR"
    rows = ["maj:3..5", "par:2..4"]
    timeout = 60          # seconds per cell (a column may override it)
    proofs = true         # write and check a proof of every refuted size

    [[columns]]
    name = "B2"
    model = "b2"

    [[columns]]
    name = "thr, 2 layers"
    model = "thr"
    layered = 2

Top-level keys: ``rows`` (required), ``columns`` (required), ``title``,
``description``, ``timeout``, ``proofs`` (default true), ``store`` (the SQLite
file, relative to the spec; default: the spec's name with ``.sqlite``).

Rows are target specs (:func:`circuits.targets.target`).  A parameter may be a
range ``A..B`` (``ip:1..3`` is ``ip:1``, ``ip:2``, ``ip:3``; several ranges give
every combination), and ``npn:N`` (N <= 4) stands for one representative of every
NPN class of N-input functions, the smallest table of the class, as ``tt:N:HEX``.

Columns: ``model`` is one of :data:`MODELS`; ``name`` defaults to the model and
its options.  Options per model are in :data:`MODEL_OPTIONS`; ``timeout`` and
``max_size`` apply to all.

>>> spec = parse_spec('rows = ["maj:3", "par:2..3"]\\n[[columns]]\\nmodel = "thr"\\nlayered = 2\\n')
>>> [c.row for c in spec.cells()], spec.columns[0].name
(['maj:3', 'par:2', 'par:3'], 'thr layered=2')
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from circuits.errors import LbtError, SpecError, excerpt
from circuits.schema import display_name, is_decimal, loads_toml, read_text
from solvers.engines import ENGINES, MODELS as _MODELS
from solvers.limits import check_timeout

__all__ = [
    "MODELS",
    "MODEL_OPTIONS",
    "Cell",
    "Column",
    "Row",
    "TableSpec",
    "expand_row",
    "load_spec",
    "parse_column",
    "parse_spec",
]

#: Column models (the built-in engines; :data:`solvers.engines.ENGINES` may hold more).
MODELS = _MODELS


def model_options(model: str) -> dict[str, type]:
    """The options a column of ``model`` accepts (besides ``name``, ``model``, ``timeout``, ``max_size``):
    the question fields of its engine's options dataclass, with their type."""
    return ENGINES[model].options.column_types()


#: The options of each built-in model, with their type (see :func:`model_options`).
MODEL_OPTIONS: dict[str, dict[str, type]] = {m: model_options(m) for m in MODELS}

_TOP_KEYS = ("title", "description", "rows", "columns", "timeout", "proofs", "store")
_COMMON_COLUMN_KEYS = ("name", "model", "timeout", "max_size")
_LOW = {"depth": 1, "fanin": 1, "layered": 1, "max_weight": 0, "hidden_layers": 1, "max_size": 1}
_RANGE = re.compile(r"^\s*(-?[0-9]{1,18})\s*\.\.\s*(-?[0-9]{1,18})\s*$", re.ASCII)
#: At most this many rows after expanding ranges (a typo such as ``ip:1..100`` is an error, not a week of work).
MAX_ROWS = 5000


@dataclass(frozen=True)
class Column:
    """One column: a model with its options (``options`` holds only the given ones)."""

    name: str
    model: str
    options: dict[str, Any] = field(default_factory=dict)
    timeout: float | None = None
    max_size: int | None = None

    def config(self) -> dict[str, Any]:
        """The options that define the column's results (model, options, max_size)."""
        return {"model": self.model, "options": dict(sorted(self.options.items())), "max_size": self.max_size}


@dataclass(frozen=True)
class Row:
    """One row: the normalised target spec, its family and the value of the parameter that varies."""

    spec: str
    family: str
    param: int | None
    source: str  # the entry of ``rows`` it came from
    param_name: str | None = None  # the family's name for that parameter (``D`` of ``ip:D``)


def config_sha256(config: dict[str, Any]) -> str:
    """The SHA-256 a cell's configuration is stored and looked up under."""
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Cell:
    """A (row, column) pair with the settings that apply to it."""

    row: str
    column: str
    model: str
    options: dict[str, Any]
    max_size: int | None
    timeout: float | None
    proofs: bool

    def config(self) -> dict[str, Any]:
        """Everything a stored result depends on; a stored cell is reused only if this matches."""
        return {
            "target": self.row,
            "model": self.model,
            "options": dict(sorted(self.options.items())),
            "max_size": self.max_size,
            "proofs": self.proofs,
        }

    def config_sha256(self) -> str:
        return config_sha256(self.config())

    def slug(self) -> str:
        """A file-name-safe, unique name for the cell (for its proof directory)."""
        raw = f"{self.row}--{self.column}"
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", raw).strip("_.")[:80]
        return f"{safe}-{hashlib.sha256(raw.encode()).hexdigest()[:8]}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "model": self.model,
            "options": dict(self.options),
            "max_size": self.max_size,
            "timeout": self.timeout,
            "proofs": self.proofs,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Cell:
        return cls(d["row"], d["column"], d["model"], dict(d["options"]), d["max_size"], d["timeout"], d["proofs"])


@dataclass(frozen=True)
class TableSpec:
    """A validated table spec (see the module docstring)."""

    path: Path | None
    text: str
    title: str
    description: str
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]
    timeout: float | None
    proofs: bool
    store: Path | None

    @property
    def name(self) -> str:
        return display_name(self.path.stem) if self.path is not None else "table"

    def store_path(self) -> Path:
        """The SQLite store: ``store`` from the spec, else the spec's path with ``.sqlite``."""
        if self.store is not None:
            return self.store
        if self.path is None:
            raise SpecError("the spec has no file name: give a store path")
        return self.path.with_suffix(".sqlite")

    def cells(self) -> list[Cell]:
        """All cells, row by row."""
        return [
            Cell(
                row.spec,
                col.name,
                col.model,
                dict(col.options),
                col.max_size,
                col.timeout if col.timeout is not None else self.timeout,
                self.proofs,
            )
            for row in self.rows
            for col in self.columns
        ]


def _where(path: Path | None) -> str:
    return f"{path}: " if path is not None else ""


def _expand_ranges(entry: str) -> list[str]:
    head, _, rest = entry.partition(":")
    if not rest:
        return [entry]
    choices = []
    for part in rest.split(":"):
        m = _RANGE.match(part)
        if m is None:
            if ".." in part:
                raise SpecError(
                    f"bad range {excerpt(part)} in row {excerpt(entry)} (expected A..B with integers A <= B)"
                )
            choices.append([part])
            continue
        a, b = int(m.group(1)), int(m.group(2))
        if a > b:
            raise SpecError(f"bad range {excerpt(part)} in row {excerpt(entry)}: {a} > {b}")
        if b - a >= MAX_ROWS:
            raise SpecError(f"range {excerpt(part)} in row {excerpt(entry)} is too long")
        choices.append([str(v) for v in range(a, b + 1)])
    return [":".join([head, *combo]) for combo in itertools.product(*choices)]


def _npn_rows(entry: str, n_text: str) -> list[Row]:
    from circuits.npn import npn_canonical_all

    if not is_decimal(n_text.strip()):
        raise SpecError(f"bad row {excerpt(entry)}: npn:N needs an integer N")
    n = int(n_text)
    if not 1 <= n <= 4:
        raise SpecError(f"bad row {excerpt(entry)}: npn:N is supported for N = 1..4")
    from circuits.truthtable import TruthTable

    classes = sorted({int(c) for c in npn_canonical_all(n)})
    return [Row(f"tt:{n}:{TruthTable.single(n, c).hex()}", "npn", n, entry, "N") for c in classes]


def expand_row(entry: str) -> list[Row]:
    """The rows an entry of ``rows`` stands for (ranges and ``npn:N`` expanded, specs normalised)."""
    from circuits.targets import family as lookup_family, target

    if not isinstance(entry, str) or not entry.strip():
        raise SpecError(f"a row must be a non-empty target spec string, got {excerpt(entry)}")
    entry = entry.strip()
    out: list[Row] = []
    for spec in _expand_ranges(entry):
        family, _, params = spec.partition(":")
        if family.strip().lower() == "npn":
            out.extend(_npn_rows(entry, params))
            continue
        try:
            t = target(spec)
        except LbtError as exc:
            raise SpecError(f"bad row {excerpt(spec)}: {exc}") from None
        fam, _, rest = t.spec.partition(":")
        numbers = [int(p) for p in rest.split(":") if re.fullmatch(r"-?[0-9]+", p)] if fam not in ("tt", "expr") else []
        varying = [i for i, p in enumerate(entry.partition(":")[2].split(":")) if ".." in p]
        param = name = None
        if numbers:
            index = varying[-1] if varying and varying[-1] < len(numbers) else len(numbers) - 1
            param = numbers[index]
            param_names = lookup_family(fam).params
            name = param_names[index] if index < len(param_names) else None
        out.append(Row(t.spec, fam, param, entry, name))
    return out


def _check_value(where: str, key: str, value: Any, kind: type) -> Any:
    if kind is int:
        if not isinstance(value, int) or isinstance(value, bool) or value < _LOW.get(key, 0):
            raise SpecError(f"{where}{key} must be an integer >= {_LOW.get(key, 0)}, got {value!r}")
        return value
    if kind is bool:
        if not isinstance(value, bool):
            raise SpecError(f"{where}{key} must be true or false, got {value!r}")
        return value
    if not isinstance(value, str):
        raise SpecError(f"{where}{key} must be a string, got {value!r}")
    return value


def _timeout(where: str, value: Any) -> float | None:
    return check_timeout(value, f"{where}timeout")


def _default_name(model: str, options: dict[str, Any]) -> str:
    return " ".join([model, *(f"{k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in options.items())])


def parse_column(raw: Any, here: str = "") -> Column:
    """Validate one column (a ``[[columns]]`` table); ``here`` prefixes every error message."""
    if not isinstance(raw, dict):
        raise SpecError(f"{here}a column must be a table ([[columns]]) with a model")
    if "model" not in raw:
        raise SpecError(f"{here}missing key 'model' (one of {', '.join(ENGINES)})")
    model = raw["model"]
    if not isinstance(model, str) or model.strip().lower() not in ENGINES:
        raise SpecError(f"{here}unknown model {excerpt(model)} (known: {', '.join(ENGINES)})")
    model = model.strip().lower()
    allowed = model_options(model)
    options: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _COMMON_COLUMN_KEYS:
            continue
        if key not in allowed:
            known = ", ".join([*_COMMON_COLUMN_KEYS, *allowed])
            raise SpecError(f"{here}unknown key {excerpt(key)} for model {model} (known: {known})")
        options[key] = _check_value(here, key, value, allowed[key])
    try:  # the values together, as the engine's options dataclass checks them
        ENGINES[model].options(**options)
    except SpecError as exc:
        raise SpecError(f"{here}{exc}") from None
    name = raw.get("name", _default_name(model, options))
    if not isinstance(name, str) or not name.strip():
        raise SpecError(f"{here}name must be a non-empty string, got {excerpt(name)}")
    max_size = raw.get("max_size")
    if max_size is not None:
        _check_value(here, "max_size", max_size, int)
    return Column(name.strip(), model, options, _timeout(here, raw.get("timeout")), max_size)


def parse_spec(text: str, path: str | Path | None = None) -> TableSpec:
    """Validate the TOML text of a spec; ``path`` names it in errors and anchors the store path."""
    path = Path(path) if path is not None else None
    where = _where(path)
    raw = loads_toml(text, where)
    for key in raw:
        if key not in _TOP_KEYS:
            raise SpecError(f"{where}unknown key {excerpt(key)} (known: {', '.join(_TOP_KEYS)})")
    for key in ("rows", "columns"):
        if key not in raw:
            raise SpecError(f"{where}missing key {excerpt(key)}")
    if not isinstance(raw["rows"], list) or not raw["rows"]:
        raise SpecError(f"{where}rows must be a non-empty list of target specs")
    if not isinstance(raw["columns"], list) or not raw["columns"]:
        raise SpecError(f"{where}columns must be a non-empty list of [[columns]] tables")
    rows: list[Row] = []
    seen: dict[str, str] = {}
    for entry in raw["rows"]:
        try:
            expanded = expand_row(entry)
        except SpecError as exc:
            raise SpecError(f"{where}{exc}") from None
        for row in expanded:
            if row.spec in seen:
                raise SpecError(f"{where}row {row.spec} appears twice (from {seen[row.spec]!r} and {excerpt(entry)})")
            seen[row.spec] = entry
            rows.append(row)
        if len(rows) > MAX_ROWS:
            raise SpecError(f"{where}more than {MAX_ROWS} rows")
    columns = [parse_column(c, f"{where}columns[{i}]: ") for i, c in enumerate(raw["columns"])]
    names = [c.name for c in columns]
    for name in names:
        if names.count(name) > 1:
            raise SpecError(f"{where}two columns are named {excerpt(name)}: give them different names")
    for key in ("title", "description", "store"):
        if key in raw and not isinstance(raw[key], str):
            raise SpecError(f"{where}{key} must be a string")
    proofs = raw.get("proofs", True)
    if not isinstance(proofs, bool):
        raise SpecError(f"{where}proofs must be true or false, got {proofs!r}")
    store = None
    if "store" in raw:
        store = Path(raw["store"])
        if not store.is_absolute() and path is not None:
            store = path.parent / store
    return TableSpec(
        path=path,
        text=text,
        title=raw.get("title", display_name(path.stem) if path is not None else "table"),
        description=raw.get("description", ""),
        rows=tuple(rows),
        columns=tuple(columns),
        timeout=_timeout(where, raw.get("timeout")),
        proofs=proofs,
        store=store,
    )


def load_spec(path: str | Path) -> TableSpec:
    """Read and validate a spec file (:func:`parse_spec`)."""
    path = Path(path)
    text = read_text(path)
    return parse_spec(text, path)
