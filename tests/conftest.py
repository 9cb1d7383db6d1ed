"""Test-suite settings and shared fixtures.

In CI (environment variable ``CI`` set) hypothesis runs derandomized, so a run is
reproducible; locally it explores new examples on every run."""

import os
import signal

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# A shell without job control starts a background command (``bash .ci/run &``) with SIGINT ignored, and an
# ignored signal stays ignored in every process started below it: the tests of Ctrl-C would then test nothing
# and fail.  Ctrl-C is restored here, so that this process and the lbt processes the tests start (a handled
# signal reverts to the default action in a new program) see it as a user's terminal sends it.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def cli():
    """The command line in this process, through typer's CliRunner (exit codes and the one-line errors are the
    application's own, as a user gets them): returns (exit code, stdout, stderr).  An exception the CLI does
    not map to an exit code propagates, as it would end ``lbt`` with a traceback."""
    from typer.testing import CliRunner

    from lbt.cli import app

    runner = CliRunner()

    def call(*args):
        result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return call
