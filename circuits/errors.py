"""Exceptions raised by lbt.

Every error a user can cause (a malformed spec, an arity mismatch, a corrupt
file, an impossible option) is an :class:`LbtError`; the CLI prints its message
on one line and exits with code 2.
"""

from __future__ import annotations

__all__ = ["LbtError", "SpecError", "ArityError", "TooLargeError", "FormatError", "ModelError"]


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
