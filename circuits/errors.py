"""Exceptions raised by lbt.

Two families, never mixed:

- :class:`LbtError`: every error a user can cause (a malformed spec, an arity
  mismatch, a corrupt file, an impossible option).  The CLI prints its message
  on one line and exits with code 2.
- :class:`SoundnessError`: lbt's own output failed lbt's own check (a witness
  that does not compute its target, a proof or certificate its checker rejects,
  a conversion whose result differs from its input).  That is a bug in lbt, or
  in a solver it calls, and never a result: the CLI prints
  ``lbt: soundness check failed: ...`` on one line and exits with code 3.
"""

from __future__ import annotations

__all__ = [
    "LbtError",
    "SpecError",
    "ArityError",
    "TooLargeError",
    "FormatError",
    "ModelError",
    "OutputError",
    "SoundnessError",
    "WitnessError",
    "CertificationError",
    "ProofRejected",
    "VerificationError",
    "SolverError",
    "excerpt",
]

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


class SoundnessError(Exception):
    """lbt's own output failed its own check: a bug, never bad input and never a result (CLI exit code 3)."""


class WitnessError(SoundnessError):
    """A witness a search decoded does not compute its target within the model (inputs, basis, depth, size)."""


class CertificationError(SoundnessError):
    """An exact certificate (separability, Farkas combination, learned clause) failed its own check, or
    an LP answer could not be turned into one."""


class ProofRejected(SoundnessError):
    """The checker rejected the proof of a size a search refuted: the size is not refuted, loudly."""


class VerificationError(SoundnessError):
    """A conversion or construction built an object that failed its exhaustive equivalence check."""


class SolverError(SoundnessError):
    """A SAT solver misbehaved: a model that violates a clause, or one that does not decode."""


def excerpt(text: object, limit: int = EXCERPT_CHARS) -> str:
    """User input quoted for an error message: one line, at most ``limit`` characters, ``...`` if cut.

    >>> excerpt("0123456789" * 10, 16)
    "'0123456789012...'"
    >>> excerpt("a\\nb")
    "'a b'"
    """
    flat = " ".join(str(text).split())
    return repr(flat if len(flat) <= limit else flat[: limit - 3] + "...")
