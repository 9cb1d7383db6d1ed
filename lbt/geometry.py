"""lbt geometry commands."""

from lbt.app import app  # noqa: F401
