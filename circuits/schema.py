"""Reading untrusted input: typed access to decoded JSON fields and file reading.

Every failure is a :class:`FormatError` whose one-line message names the
offending field (``gates[1].inputs[0]``) or file.
"""

from __future__ import annotations

import numbers
from pathlib import Path
from typing import Any

import numpy as np

from circuits.errors import FormatError

__all__ = ["is_int", "expect_dict", "expect_list", "expect_int", "read_bytes", "read_text"]


def is_int(value: object) -> bool:
    """True for Python and numpy integers, False for bools (and numpy bools) and everything else."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def expect_dict(value: Any, where: str, required: set[str], optional: frozenset[str] | set[str] = frozenset()) -> dict:
    if not isinstance(value, dict):
        raise FormatError(f"field {where} must be an object, got {type(value).__name__}")
    missing = sorted(required - value.keys())
    if missing:
        raise FormatError(f"field {where} is missing {', '.join(missing)}")
    unknown = sorted(str(k) for k in value.keys() - required - optional)
    if unknown:
        raise FormatError(f"field {where} has unknown field(s) {', '.join(unknown)}")
    return value


def expect_list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise FormatError(f"field {where} must be a list, got {type(value).__name__}")
    return value


def expect_int(value: Any, where: str) -> int:
    if not is_int(value):
        raise FormatError(f"field {where} must be an integer, got {value!r}")
    return int(value)


def read_bytes(path: str | Path) -> bytes:
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise FormatError(f"no such file: {path}") from None
    except OSError as exc:
        raise FormatError(f"cannot read {path}: {exc.strerror or exc}") from None


def read_text(path: str | Path) -> str:
    try:
        return read_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError(f"{path} is not UTF-8 text") from None
