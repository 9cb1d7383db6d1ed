"""lbt reduce commands."""

from lbt.app import app  # noqa: F401
