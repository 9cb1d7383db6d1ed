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
from pathlib import Path
from typing import Any

from circuits.bench import generate_bench, parse_bench
from circuits.boolean import BooleanCircuit
from circuits.errors import FormatError, excerpt
from circuits.model import CircuitModel
from circuits.output import write_text_atomic
from circuits.relu import ReLUNetwork
from circuits.schema import loads_json, read_bytes, read_text
from circuits.threshold import ThresholdCircuit

__all__ = [
    "SCHEMA_VERSION",
    "MODELS",
    "to_json",
    "from_json",
    "load",
    "save",
    "envelope_to_model",
]

SCHEMA_VERSION = 1
MODELS: dict[str, type[BooleanCircuit] | type[ThresholdCircuit] | type[ReLUNetwork]] = {
    cls.MODEL: cls for cls in (BooleanCircuit, ThresholdCircuit, ReLUNetwork)
}


def to_json(model: CircuitModel) -> str:
    """The canonical JSON text: one line per field of the body and per list item (gate, neuron)."""
    lines = [
        "{",
        f' "format": "lbt", "version": {SCHEMA_VERSION}, "model": {json.dumps(model.MODEL)},',
        ' "circuit": {',
    ]
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
        raise FormatError(
            f"unsupported schema version {excerpt(data.get('version'))} (this lbt reads {SCHEMA_VERSION})"
        )
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
        from circuits.aiger import parse_aiger  # py-aiger loads only for AIGER files

        return parse_aiger(read_bytes(path))
    text = read_text(path)
    return from_json(text) if kind == ".json" else parse_bench(text)


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
        from circuits.aiger import generate_aiger

        text = generate_aiger(model)
    write_text_atomic(path, text)
