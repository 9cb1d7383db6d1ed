"""The ``typer`` application object shared by the command modules of the ``lbt`` CLI.

Each command module (:mod:`lbt.cli`, :mod:`lbt.synth`, ...) registers its
commands on :data:`app`; :func:`lbt.cli.main` imports them all and runs it.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console

app = typer.Typer(
    name="lbt",
    help="The lower-bound toolkit: exact small circuits and networks for explicit Boolean functions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

#: Human-readable output goes here (stdout); ``--json`` output bypasses it.
console = Console(highlight=False, soft_wrap=True)

#: Status lines and progress bars (stderr), so that stdout stays clean for ``--json``.
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")]


def emit_json(obj: Any) -> None:
    """Print ``obj`` as one JSON document on stdout."""
    sys.stdout.write(json.dumps(obj, indent=1) + "\n")
