"""Reading and writing circuit files: the canonical JSON, BENCH and AIGER.

The canonical JSON wraps a model's ``to_dict()`` body in a versioned envelope::

    {"format": "lbt", "version": 1, "model": "threshold", "circuit": {...}}

The file kind is chosen by extension: ``.json`` (any model), ``.bench``
(Boolean circuits), ``.aag`` (ASCII AIGER, Boolean circuits).  Files are
written atomically (a temporary file renamed into place), so a failed write
never leaves a partial file behind.  :func:`check_output` tells, before any
work is done, whether a path can be written at all.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from circuits.aiger import generate_aiger, parse_aiger
from circuits.bench import generate_bench, parse_bench
from circuits.boolean import BooleanCircuit
from circuits.errors import FormatError, OutputError, excerpt
from circuits.model import CircuitModel
from circuits.relu import ReLUNetwork
from circuits.schema import file_kind, loads_json, read_bytes, read_text
from circuits.threshold import ThresholdCircuit

__all__ = [
    "SCHEMA_VERSION",
    "MODELS",
    "check_output",
    "to_json",
    "from_json",
    "load",
    "save",
    "write_text_atomic",
    "envelope_to_model",
]

SCHEMA_VERSION = 1
MODELS: dict[str, type] = {cls.MODEL: cls for cls in (BooleanCircuit, ThresholdCircuit, ReLUNetwork)}


def to_json(model: CircuitModel) -> str:
    """The canonical JSON text: one line per field of the body and per list item (gate, neuron)."""
    lines = ["{", f' "format": "lbt", "version": {SCHEMA_VERSION}, "model": {json.dumps(model.MODEL)},', ' "circuit": {']
    body = model.to_dict()
    fields = []
    for key, value in body.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            items = ",\n".join("   " + json.dumps(item) for item in value)
            fields.append(f"  {json.dumps(key)}: [\n{items}\n  ]")
        else:
            fields.append(f"  {json.dumps(key)}: {json.dumps(value)}")
    lines.append(",\n".join(fields))
    lines += [" }", "}"]
    return "\n".join(lines) + "\n"


def envelope_to_model(data: Any) -> CircuitModel:
    """The model held by a parsed JSON envelope."""
    if not isinstance(data, dict) or data.get("format") != "lbt":
        raise FormatError('not an lbt circuit file (missing "format": "lbt")')
    if data.get("version") != SCHEMA_VERSION:
        raise FormatError(f"unsupported schema version {excerpt(data.get('version'))} (this lbt reads {SCHEMA_VERSION})")
    model = data.get("model")
    if not isinstance(model, str) or model not in MODELS:
        raise FormatError(f"unknown model {excerpt(model)} (known: {', '.join(sorted(MODELS))})")
    if not isinstance(data.get("circuit"), dict):
        raise FormatError('missing or malformed "circuit" object')
    return MODELS[model].from_dict(data["circuit"])


def from_json(text: str) -> CircuitModel:
    return envelope_to_model(loads_json(text))


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".json", ".bench", ".aag"):
        raise FormatError(f"unknown file kind {suffix or '(none)'!r} for {path} (use .json, .bench or .aag)")
    return suffix


def load(path: str | Path) -> CircuitModel:
    """Read a circuit file of any supported kind."""
    path = Path(path)
    kind = _kind(path)
    if kind == ".aag":
        return parse_aiger(read_bytes(path))
    text = read_text(path)
    return from_json(text) if kind == ".json" else parse_bench(text)


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    return OutputError(f"cannot write {path}: {exc.strerror or exc}")


def _probe(directory: Path, path: Path) -> None:
    """Create and remove a scratch file in ``directory``: the one sure test that ``path`` can be written there."""
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".lbt-probe-")
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    os.close(fd)
    os.unlink(tmp)


def check_output(path: str | Path, *, directory: bool = False) -> Path:
    """``path`` as a place to write output, checked before any work is done; :class:`OutputError` if unusable.

    A file must not be a directory, and its directory must exist and take a new
    file.  A directory (``directory=True``) is created with its parents unless it
    exists; it must be a directory that takes a new file.
    """
    path = Path(path)
    kind = file_kind(path, OutputError)
    if directory:
        if kind not in (None, "dir"):
            raise OutputError(f"cannot write into {path}: it exists and is not a directory")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create directory {path}: {exc.strerror or exc}") from None
        _probe(path, path)
        return path
    if kind == "dir":
        raise OutputError(f"cannot write {path}: it is a directory")
    parent = path.parent
    parent_kind = file_kind(parent, OutputError)
    if parent_kind != "dir":
        what = "does not exist" if parent_kind is None else "is not a directory"
        raise OutputError(f"cannot write {path}: directory {parent} {what}")
    _probe(parent, path)
    return path


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same directory (:class:`OutputError` on failure)."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _cannot_write(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(model: CircuitModel, path: str | Path) -> None:
    """Write a circuit in the kind given by the extension."""
    path = Path(path)
    kind = _kind(path)
    if kind == ".json":
        text = to_json(model)
    elif not isinstance(model, BooleanCircuit):
        raise FormatError(f"{kind} files hold Boolean circuits, not {model.MODEL} models")
    elif kind == ".bench":
        text = generate_bench(model)
    else:
        text = generate_aiger(model)
    write_text_atomic(path, text)
