"""The ``typer`` application object shared by the command modules of the ``lbt`` CLI.

Each command module (:mod:`lbt.cli`, :mod:`lbt.synth`, ...) registers its
commands on :data:`app`; :func:`lbt.cli.main` imports them all and runs it.

The application keeps the CLI's error contract itself (:class:`LbtGroup`), so
that ``typer.testing.CliRunner().invoke(app, args)`` gives the exit code and
the one stderr line that a user of ``lbt`` gets.
"""

from __future__ import annotations

import io
import json
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from typer.core import TyperGroup

from circuits.errors import LbtError, SoundnessError
from circuits.schema import parse_decimal

#: Exit code of bad input: a malformed spec, a corrupt file, an impossible option or a usage error.
EXIT_BAD_INPUT = 2

#: Exit code of a failed soundness check of lbt's own output (never bad input, which is 2).
EXIT_SOUNDNESS = 4

#: Exit code of an interrupted command (Ctrl-C).
EXIT_INTERRUPTED = 130

#: Longest error line :class:`LbtGroup` prints (a message never needs more; user input in it is quoted short anyway).
MAX_ERROR_CHARS = 1000


def error_line(message: str, prefix: str = "lbt: error") -> str:
    """``PREFIX: MESSAGE`` on one line of at most about :data:`MAX_ERROR_CHARS` characters (the middle of a
    longer one is cut, so that the reason at its end stays)."""
    flat = " ".join(message.split())
    if len(flat) > MAX_ERROR_CHARS:
        half = MAX_ERROR_CHARS // 2
        flat = f"{flat[:half]} ... {flat[-half:]}"
    return f"{prefix}: {flat}"


class LbtGroup(TyperGroup):
    """The top-level ``lbt`` command group, which keeps the CLI's error contract.

    Run in standalone mode (the ``lbt`` program, and ``typer.testing.CliRunner``), :meth:`main` exits with
    the command's exit code; bad input (:class:`circuits.errors.LbtError`, a usage error) prints one line
    ``lbt: error: ...`` on stderr and exits with :data:`EXIT_BAD_INPUT`; a failed soundness check
    (:class:`circuits.errors.SoundnessError`) prints ``lbt: soundness check failed: ...`` and exits with
    :data:`EXIT_SOUNDNESS`; Ctrl-C exits with :data:`EXIT_INTERRUPTED`.  With ``standalone_mode=False``
    exceptions reach the caller unchanged, as in click.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        # what cannot be encoded (a file name's undecodable bytes, as surrogates) is printed escaped, not a crash
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(errors="backslashreplace")
        try:
            result = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except LbtError as exc:
            _fail(error_line(str(exc)), EXIT_BAD_INPUT)
        except SoundnessError as exc:
            _fail(error_line(f"{type(exc).__name__}: {exc}", "lbt: soundness check failed"), EXIT_SOUNDNESS)
        except (KeyboardInterrupt, typer.Abort):
            _fail("lbt: interrupted", EXIT_INTERRUPTED)
        except typer.TyperException as exc:
            # click's usage errors (typer's vendored click): a message and exit code 2; any other is a bug
            if exc.exit_code != EXIT_BAD_INPUT:
                raise
            _fail(error_line(exc.format_message() or "a command is needed (see the list above)"), EXIT_BAD_INPUT)
        # the result is the command's return value, or the code of a typer.Exit it raised
        sys.exit(result if isinstance(result, int) else 0)


def _fail(line: str, code: int) -> NoReturn:
    """Print ``line`` on stderr and exit with ``code``."""
    print(line, file=sys.stderr)
    sys.exit(code)


app = typer.Typer(
    cls=LbtGroup,
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
