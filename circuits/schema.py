"""Reading untrusted input: files, JSON and TOML documents, decimal numbers, typed access to decoded fields.

Every failure is an :class:`~circuits.errors.LbtError` with a one-line message
that names the offending field (``gates[1].inputs[0]``), file or text, quoting
at most a short excerpt of it.  The limits hold whatever the input:

* a file is read only if it is a regular file (a named pipe would block, a
  device such as ``/dev/zero`` never ends) of at most :data:`MAX_INPUT_BYTES`;
* a JSON or TOML document nests at most :data:`MAX_NESTING` levels of arrays
  and objects (tables), and a JSON integer has at most :data:`MAX_DIGITS` digits;
* a number in text (a spec, an option, a claim) is written with ASCII digits
  only, at most :data:`MAX_DIGITS` of them.
"""

from __future__ import annotations

import json
import numbers
import os
import re
import stat
import tomllib
from fractions import Fraction
from pathlib import Path
from typing import Any

from circuits.errors import FormatError, LbtError, SpecError, excerpt

__all__ = [
    "DIGITS",
    "MAX_DIGITS",
    "MAX_INPUT_BYTES",
    "MAX_NESTING",
    "check_input_file",
    "display_name",
    "expect_dict",
    "expect_int",
    "expect_list",
    "file_kind",
    "is_decimal",
    "as_int",
    "is_int",
    "loads_json",
    "loads_toml",
    "parse_decimal",
    "parse_rational",
    "read_bytes",
    "read_json",
    "read_text",
]

#: Largest file :func:`read_bytes` reads (256 MiB).
MAX_INPUT_BYTES = 1 << 28

#: Deepest nesting of arrays and objects in a JSON or TOML document.
MAX_NESTING = 100

#: Most digits of an integer in a document or in text (below Python's own limit of 4300).
MAX_DIGITS = 4000

#: The digits of a decimal number (``str.isdigit`` also accepts other scripts' digits, such as ``２``).
DIGITS = frozenset("0123456789")


# ------------------------------------------------------------------ typed fields
def is_int(value: object) -> bool:
    """True for Python and numpy integers, False for bools and everything else.

    numpy's ``bool_`` is not registered as a ``numbers.Integral``, so it needs no test of its own
    (and this module needs no numpy import).
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def as_int(value: object) -> int | None:
    """``value`` as a Python int when :func:`is_int` accepts it, else ``None`` (a typed :func:`is_int`).

    >>> as_int(3), as_int(True), as_int(3.0)
    (3, None, None)
    """
    return int(value) if isinstance(value, numbers.Integral) and not isinstance(value, bool) else None


def expect_dict(value: Any, where: str, required: set[str], optional: frozenset[str] | set[str] = frozenset()) -> dict:
    if not isinstance(value, dict):
        raise FormatError(f"field {where} must be an object, got {type(value).__name__}")
    missing = sorted(required - value.keys())
    if missing:
        raise FormatError(f"field {where} is missing {', '.join(missing)}")
    unknown = sorted(str(k) for k in value.keys() - required - optional)
    if unknown:
        raise FormatError(f"field {where} has unknown field(s) {excerpt(', '.join(unknown))}")
    return value


def expect_list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise FormatError(f"field {where} must be a list, got {type(value).__name__}")
    return value


def expect_int(value: Any, where: str) -> int:
    if not is_int(value):
        raise FormatError(f"field {where} must be an integer, got {excerpt(repr(value))}")
    return int(value)


# ------------------------------------------------------------------ numbers in text
def is_decimal(text: str, *, signed: bool = False) -> bool:
    """Whether ``text`` is a decimal integer: ASCII digits (leading zeros allowed), a ``-`` first if ``signed``."""
    body = text[1:] if signed and text.startswith("-") else text
    return 0 < len(body) <= MAX_DIGITS and all(c in DIGITS for c in body)


def parse_decimal(text: str, what: str, *, signed: bool = False) -> int:
    """The integer ``text`` writes (see :func:`is_decimal`); :class:`SpecError` naming ``what`` otherwise.

    >>> parse_decimal("007", "N")
    7
    >>> parse_decimal("２", "N")
    Traceback (most recent call last):
    ...
    circuits.errors.SpecError: N must be a non-negative integer (ASCII digits only), got '２'
    """
    if not is_decimal(text, signed=signed):
        if len(text.lstrip("-")) > MAX_DIGITS and all(c in DIGITS for c in text.lstrip("-")):
            raise SpecError(f"{what} has more than {MAX_DIGITS} digits")
        kind = "an integer" if signed else "a non-negative integer"
        script = " (ASCII digits only)" if any(c.isdigit() and c not in DIGITS for c in text) else ""
        raise SpecError(f"{what} must be {kind}{script}, got {excerpt(text)}")
    return int(text)


_RATIONAL = re.compile(r"\s*(-?[0-9]+)(?:\s*/\s*([0-9]+)|\.([0-9]+))?\s*", re.ASCII)


def parse_rational(text: str, what: str) -> Fraction:
    """The exact rational ``text`` writes: ``p``, ``p/q`` or a decimal ``p.d`` (ASCII digits, no exponent, at
    most :data:`MAX_DIGITS` of them); :class:`SpecError` naming ``what`` otherwise.

    >>> parse_rational("-3/4", "delta"), parse_rational("0.25", "delta")
    (Fraction(-3, 4), Fraction(1, 4))
    """
    m = _RATIONAL.fullmatch(text)
    if m is None or sum(len(g) for g in m.groups() if g) > MAX_DIGITS:
        raise SpecError(f"{what} must be an exact rational such as 3, -1/4 or 0.25, got {excerpt(text)}")
    if m[2] is not None and int(m[2]) == 0:
        raise SpecError(f"{what} has the denominator 0: {excerpt(text)}")
    if m[3] is not None:
        return Fraction(f"{m[1]}.{m[3]}")  # validated above: plain ASCII digits, no exponent
    return Fraction(int(m[1]), int(m[2] or 1))


# ------------------------------------------------------------------ files
def display_name(name: str | Path) -> str:
    """A file name as text that any UTF-8 writer takes: its undecodable bytes (surrogates) become U+FFFD.

    >>> display_name(os.fsdecode(b"bad\\xff.json"))
    'bad\ufffd.json'
    """
    return os.fsencode(name).decode("utf-8", "replace")


def file_kind(path: str | Path, error: type[LbtError] = FormatError) -> str | None:
    """What ``path`` names: ``"file"`` (a regular file), ``"dir"``, ``"other"`` (a device, a pipe) or ``None``
    (nothing); ``error`` if it cannot be looked at (no permission, a name too long)."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError) as exc:
        raise error(f"cannot look at {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return "file" if stat.S_ISREG(st.st_mode) else "dir" if stat.S_ISDIR(st.st_mode) else "other"


def _regular(path: Path, st: os.stat_result) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise FormatError(f"{path} is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise FormatError(f"{path} is not a regular file")


def _os_error(path: Path, exc: OSError) -> FormatError:
    if isinstance(exc, FileNotFoundError):
        return FormatError(f"no such file: {path}")
    return FormatError(f"cannot read {path}: {exc.strerror or exc}")


def check_input_file(path: str | Path) -> Path:
    """``path``, if it names a regular file; :class:`FormatError` (no such file, a directory, a device) if not."""
    path = Path(path)
    kind = file_kind(path)
    if kind is None:
        raise FormatError(f"no such file: {path}")
    if kind != "file":
        raise FormatError(f"{path} is {'a directory, not a file' if kind == 'dir' else 'not a regular file'}")
    return path


def read_bytes(path: str | Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The contents of a regular file of at most ``limit`` bytes (:class:`FormatError` for anything else).

    The file is opened without blocking, so a named pipe is refused instead of waited on.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (OSError, ValueError) as exc:
        raise _os_error(path, exc if isinstance(exc, OSError) else OSError(str(exc))) from None
    try:
        _regular(path, os.fstat(fd))
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise _os_error(path, exc) from None
    if len(data) > limit:
        raise FormatError(f"{path} is too large (more than {limit} bytes)")
    return data


def read_text(path: str | Path) -> str:
    """:func:`read_bytes` decoded as UTF-8."""
    try:
        return read_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError(f"{path} is not UTF-8 text") from None


# ------------------------------------------------------------------ documents
def _nesting(value: Any) -> int:
    """How deeply arrays and objects nest in a decoded document (0 for a scalar), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if depth <= MAX_NESTING:
            stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return deepest


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"a number has more than {MAX_DIGITS} digits")
    return int(text)


def loads_json(text: str | bytes, prefix: str = "") -> Any:
    """The decoded JSON document ``text``; :class:`FormatError` starting with ``prefix`` if it is not one.

    Nested at most :data:`MAX_NESTING` levels, integers of at most :data:`MAX_DIGITS` digits (``NaN`` and
    ``Infinity`` are read as Python's :mod:`json` writes them).
    """
    try:
        data = json.loads(text, parse_int=_json_int)
    except RecursionError:
        raise FormatError(f"{prefix}JSON nested deeper than {MAX_NESTING} levels") from None
    except json.JSONDecodeError as exc:
        raise FormatError(f"{prefix}corrupt JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(f"{prefix}corrupt JSON: {exc}") from None
    if _nesting(data) > MAX_NESTING:
        raise FormatError(f"{prefix}JSON nested deeper than {MAX_NESTING} levels")
    return data


def read_json(path: str | Path) -> Any:
    """The JSON document in the file ``path`` (:func:`read_bytes`, :func:`loads_json`)."""
    return loads_json(read_bytes(path), f"{path}: ")


def loads_toml(text: str, prefix: str = "") -> dict[str, Any]:
    """The decoded TOML document ``text``; :class:`SpecError` starting with ``prefix`` if it is not one
    (TOML files are specs: tables, claims).  Nested at most :data:`MAX_NESTING` levels."""
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise SpecError(f"{prefix}TOML nested deeper than {MAX_NESTING} levels") from None
    except ValueError as exc:  # TOMLDecodeError, or an integer beyond Python's digit limit
        raise SpecError(f"{prefix}not valid TOML: {exc}") from None
    if _nesting(data) > MAX_NESTING:
        raise SpecError(f"{prefix}TOML nested deeper than {MAX_NESTING} levels")
    return data
