"""lbt synth commands."""

from lbt.app import app  # noqa: F401
