"""Exceptions raised by lbt.

Every error a user can cause (a malformed spec, an arity mismatch, a corrupt
file, an impossible option) is an :class:`LbtError`; the CLI prints its message
on one line and exits with code 2.
"""

from __future__ import annotations

__all__ = ["LbtError", "SpecError", "ArityError", "TooLargeError", "FormatError", "ModelError", "OutputError", "excerpt"]

#: Longest excerpt of user input an error message quotes.
EXCERPT_CHARS = 60


class LbtError(Exception):
    """Base class of all errors caused by bad input."""


class SpecError(LbtError):
    """A target spec, expression or option value is malformed or unknown."""


class ArityError(LbtError):
    """Number of inputs or outputs does not match."""


class TooLargeError(LbtError):
    """The operation does not support that many inputs."""


class FormatError(LbtError):
    """A file is corrupt, has the wrong schema or the wrong model."""


class ModelError(LbtError):
    """A circuit or network violates the rules of its model."""


class OutputError(LbtError):
    """An output path cannot be written: a directory where a file belongs (or the reverse), a missing or
    unwritable directory."""


def excerpt(text: object, limit: int = EXCERPT_CHARS) -> str:
    """User input quoted for an error message: one line, at most ``limit`` characters, ``...`` if cut.

    >>> excerpt("0123456789" * 10, 16)
    "'0123456789012...'"
    >>> excerpt("a\\nb")
    "'a b'"
    """
    flat = " ".join(str(text).split())
    return repr(flat if len(flat) <= limit else flat[: limit - 3] + "...")
