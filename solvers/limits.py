"""The limits every search honours: its deadline, its processes, the sizes and depths worth encoding.

* A deadline (a :func:`time.monotonic` instant) bounds the whole search, building
  each formula included: an encoder calls :func:`check_deadline` as it goes, and
  :func:`solvers.search.search_sizes` records a size whose formula was not built in
  time as a ``"timeout"`` step.
* ``timeout`` and ``jobs`` options are checked once, here (:func:`check_timeout`,
  :func:`check_jobs`).
* A depth bound above the size being encoded says nothing (a circuit of ``s`` gates
  has depth at most ``s``); :func:`encoded_depth` lowers an absurd one, so that a
  bound such as ``10**20`` costs no more than no bound.  :func:`cone_size` is the
  largest cone of a depth and fan-in, or ``None`` when no search could reach it.
* :func:`check_encoding_size` refuses a size whose formula would not fit in memory
  before any of it is built.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any

from circuits.errors import SpecError, TooLargeError

__all__ = [
    "DEPTH_ENCODED_EXACTLY",
    "MAX_CONE",
    "MAX_ENCODING",
    "DeadlineReached",
    "check_deadline",
    "check_encoding_size",
    "check_jobs",
    "check_timeout",
    "cone_size",
    "encoded_depth",
    "max_jobs",
]

#: Depth bounds up to this value are encoded as given, whatever the size.
DEPTH_ENCODED_EXACTLY = 64

#: A cone larger than this many gates is as good as no cap: no search refutes that many sizes.
MAX_CONE = 1 << 40

#: Most base variables (gate input choices, gate values on rows) of one size's formula.
MAX_ENCODING = 10**7


class DeadlineReached(Exception):
    """The search's deadline passed while a formula was being built (not an error: the search timed out)."""


def check_deadline(deadline: float | None) -> None:
    """Raise :class:`DeadlineReached` once ``time.monotonic()`` has passed ``deadline``."""
    if deadline is not None and time.monotonic() >= deadline:
        raise DeadlineReached


def check_timeout(value: Any, what: str = "timeout") -> float | None:
    """``value`` as seconds: ``None`` (no limit) or a positive, finite number; :class:`SpecError` otherwise."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise SpecError(f"{what} must be a positive number of seconds, got {value!r}")
    return float(value)


def max_jobs() -> int:
    """The most processes a run may use at once: the CPUs of this machine (at least 2)."""
    return max(2, os.cpu_count() or 1)


def check_jobs(value: Any, what: str = "--jobs") -> int:
    """``value`` as a number of processes, ``1..max_jobs()``; :class:`SpecError` otherwise."""
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= max_jobs():
        raise SpecError(f"{what} must be an integer in 1..{max_jobs()} (the CPUs of this machine), got {value!r}")
    return value


def encoded_depth(depth: int | None, size: int) -> int | None:
    """The depth bound a formula for ``size`` gates encodes: ``depth`` itself up to
    ``max(size, DEPTH_ENCODED_EXACTLY)``, that value above it (a bound at least ``size`` excludes nothing).

    >>> encoded_depth(3, 10), encoded_depth(10**20, 10), encoded_depth(10**20, 100), encoded_depth(None, 5)
    (3, 64, 100, None)
    """
    if depth is None:
        return None
    return min(depth, max(size, DEPTH_ENCODED_EXACTLY))


def cone_size(fanin: int, depth: int) -> int | None:
    """Most gates in a cone of ``depth`` levels of fan-in ``fanin`` (``1 + K + ... + K**(D-1)``), or ``None``
    if that exceeds :data:`MAX_CONE` (no cap worth having).

    >>> cone_size(2, 3), cone_size(1, 5), cone_size(2, 10**20)
    (7, 5, None)
    """
    if fanin == 1:
        return depth if depth <= MAX_CONE else None
    if depth * math.log2(fanin) > math.log2(MAX_CONE) + 1:
        return None
    cone = (fanin**depth - 1) // (fanin - 1)
    return cone if cone <= MAX_CONE else None


def check_encoding_size(size: int, variables: int) -> None:
    """Refuse to encode ``size`` when its formula has more than :data:`MAX_ENCODING` base ``variables``."""
    if variables > MAX_ENCODING:
        raise TooLargeError(f"size {size} is too large to encode (more than {MAX_ENCODING:,} base variables)")
