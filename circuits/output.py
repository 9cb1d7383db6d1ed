"""Output paths: checked before any work is done, written atomically.

Every command that writes a file checks its path first (:func:`check_output`), so that a
bad path fails in one line before a search runs, and writes through a temporary file in
the same directory (:func:`write_text_atomic`), so that an interrupted write leaves the old
file or nothing, never half a file.  No model imports here: solvers, tables and file
formats all use this module.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from circuits.errors import OutputError
from circuits.schema import file_kind

__all__ = ["check_output", "write_bytes_atomic", "write_text_atomic"]


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    return OutputError(f"cannot write {path}: {exc.strerror or exc}")


def _probe(directory: Path, path: Path) -> None:
    """Create and remove a scratch file in ``directory``: the one sure test that ``path`` can be written there."""
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".lbt-probe-")
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    os.close(fd)
    os.unlink(tmp)


def check_output(path: str | Path, *, directory: bool = False) -> Path:
    """``path`` as a place to write output, checked before any work is done; :class:`OutputError` if unusable.

    A file must not be a directory, and its directory must exist and take a new
    file.  A directory (``directory=True``) is created with its parents unless it
    exists; it must be a directory that takes a new file.
    """
    path = Path(path)
    kind = file_kind(path, OutputError)
    if directory:
        if kind not in (None, "dir"):
            raise OutputError(f"cannot write into {path}: it exists and is not a directory")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create directory {path}: {exc.strerror or exc}") from None
        _probe(path, path)
        return path
    if kind == "dir":
        raise OutputError(f"cannot write {path}: it is a directory")
    parent = path.parent
    parent_kind = file_kind(parent, OutputError)
    if parent_kind != "dir":
        what = "does not exist" if parent_kind is None else "is not a directory"
        raise OutputError(f"cannot write {path}: directory {parent} {what}")
    _probe(parent, path)
    return path


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same directory (:class:`OutputError` on failure)."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory (:class:`OutputError` on failure)."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _cannot_write(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
