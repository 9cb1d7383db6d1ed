"""Test-suite settings and shared fixtures.

In CI (environment variable ``CI`` set) hypothesis runs derandomized, so a run is
reproducible; locally it explores new examples on every run."""

import os
import sys

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def cli(capsys):
    """The command line in this process (``lbt.cli.main``): returns (exit code, stdout, stderr)."""
    from lbt.cli import main

    def call(*args):
        old = sys.argv
        sys.argv = ["lbt", *(str(a) for a in args)]
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code
        finally:
            sys.argv = old
        out = capsys.readouterr()
        return code, out.out, out.err

    return call
