"""The ``typer`` application object shared by the command modules of the ``lbt`` CLI.

Each command module (:mod:`lbt.cli`, :mod:`lbt.synth`, ...) registers its
commands on :data:`app`; :func:`lbt.cli.main` imports them all and runs it.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from circuits.errors import LbtError
from circuits.schema import parse_decimal

app = typer.Typer(
    name="lbt",
    help="The lower-bound toolkit: exact small circuits and networks for explicit Boolean functions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,  # plain click help: rich's help renderer costs ~0.1 s per call
)

#: Human-readable output goes here (stdout); ``--json`` output bypasses it.
console = Console(highlight=False, soft_wrap=True)

#: Status lines and progress bars (stderr), so that stdout stays clean for ``--json``.
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")]


def emit_json(obj: Any) -> None:
    """Print ``obj`` as one JSON document on stdout."""
    sys.stdout.write(json.dumps(obj, indent=1) + "\n")


# ------------------------------------------------------------------ option values
# Parsers of option and argument values (``typer.Option(parser=...)``): a bad value is click's one-line
# "Invalid value for '--depth': ..." error.  Numbers are ASCII digits only, as everywhere in lbt.

_SECONDS = re.compile(r"([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]{1,3})?")


def path_value(text: str) -> Path:
    """A path given on the command line; never empty (``Path("")`` would silently be the current directory)."""
    if isinstance(text, Path):  # a default value
        return text
    if not text:
        raise typer.BadParameter("an empty path")
    return Path(text)


def int_value(text: str) -> int:
    """An integer given on the command line: an optional ``-`` and ASCII digits."""
    if isinstance(text, int):  # a default value
        return text
    try:
        return parse_decimal(text, "the value", signed=True)
    except LbtError as exc:
        raise typer.BadParameter(str(exc)) from None


def seconds_value(text: str) -> float:
    """A time limit given on the command line: a positive, finite decimal number of seconds."""
    if isinstance(text, float):  # a default value
        return text
    value = float(text) if _SECONDS.fullmatch(text) else math.nan
    if not 0 < value < math.inf:
        raise typer.BadParameter(f"expected a positive number of seconds, got {text[:40]!r}")
    return value
