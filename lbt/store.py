"""The SQLite store of a lower-bound table: one row per finished cell, written in one transaction.

The store is a single SQLite file (by default next to the spec, ``NAME.sqlite``)
in WAL mode, with the proof files of each cell under ``NAME.proofs/CELL/`` beside
it.  Schema (``SCHEMA_VERSION`` 1)::

    meta(key TEXT PRIMARY KEY, value TEXT)     -- schema_version, spec text, title
    cells(
        row TEXT, col TEXT,                    -- target spec and column name (primary key)
        config TEXT, config_sha256 TEXT,       -- model, options, max_size, proofs (canonical JSON)
        timeout REAL,                          -- the per-cell time limit it ran with
        status TEXT,                           -- 'done' | 'timeout' | 'error'
        size INTEGER,                          -- smallest size found (an upper bound), or NULL
        proven INTEGER,                        -- 1 iff size is the proven minimum (or proven infeasible)
        lower_bound INTEGER,                   -- smallest size not refuted
        witness TEXT,                          -- the witness circuit as canonical JSON, or NULL
        result TEXT, result_sha256 TEXT,       -- the engine's whole result (``to_dict()``) as JSON
        proof_dir TEXT,                        -- relative to the store's directory, or NULL
        proof_files TEXT,                      -- JSON {file name: SHA-256} of that directory
        solver TEXT, versions TEXT,            -- solver; JSON {lbt, python-sat, python}
        seconds REAL, wall_seconds REAL,       -- engine time; wall time of the cell
        started TEXT, finished TEXT,           -- ISO 8601 UTC
        host TEXT, error TEXT)

Writes go through :meth:`Store.record`, one ``BEGIN IMMEDIATE ... COMMIT`` per
cell: SQLite's journal makes a row appear completely or not at all, whatever
moment the process is killed at, and several processes may write one store
(each write waits for the others' lock; :meth:`Store.transaction` holds the
lock over a longer step, such as moving a cell's proof files into place).  A cell is *finished* when it has a
row with status ``done`` or ``timeout`` for the same configuration (and, for a
``timeout``, a time limit at least as long); :meth:`Store.finished` is what a
resumed run skips.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from circuits.errors import FormatError, excerpt
from circuits.schema import file_kind, loads_json

__all__ = ["SCHEMA_VERSION", "STATUSES", "CellRecord", "Store", "open_store", "proofs_root"]

SCHEMA_VERSION = 1
STATUSES = ("done", "timeout", "error")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cells (
    row TEXT NOT NULL,
    col TEXT NOT NULL,
    config TEXT NOT NULL,
    config_sha256 TEXT NOT NULL,
    timeout REAL,
    status TEXT NOT NULL CHECK (status IN ('done', 'timeout', 'error')),
    size INTEGER,
    proven INTEGER NOT NULL CHECK (proven IN (0, 1)),
    lower_bound INTEGER,
    witness TEXT,
    result TEXT,
    result_sha256 TEXT,
    proof_dir TEXT,
    proof_files TEXT NOT NULL DEFAULT '{}',
    solver TEXT,
    versions TEXT NOT NULL DEFAULT '{}',
    seconds REAL,
    wall_seconds REAL,
    started TEXT,
    finished TEXT,
    host TEXT,
    error TEXT,
    PRIMARY KEY (row, col)
);
"""

_COLUMNS = (
    "row", "col", "config", "config_sha256", "timeout", "status", "size", "proven", "lower_bound", "witness",
    "result", "result_sha256", "proof_dir", "proof_files", "solver", "versions", "seconds", "wall_seconds",
    "started", "finished", "host", "error",
)  # fmt: skip


def proofs_root(store_path: str | Path) -> Path:
    """The directory holding the per-cell proof directories of a store: ``NAME.proofs`` beside it."""
    p = Path(store_path)
    return p.with_name(p.stem + ".proofs")


@dataclass(frozen=True)
class CellRecord:
    """One stored cell (the columns of the ``cells`` table, JSON fields decoded)."""

    row: str
    col: str
    config: dict[str, Any]
    config_sha256: str
    timeout: float | None
    status: str
    size: int | None
    proven: bool
    lower_bound: int | None
    witness: Any
    result: dict[str, Any] | None
    result_sha256: str | None
    proof_dir: str | None
    proof_files: dict[str, str]
    solver: str | None
    versions: dict[str, str]
    seconds: float | None
    wall_seconds: float | None
    started: str | None
    finished: str | None
    host: str | None
    error: str | None
    result_text: str | None = None
    witness_text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.col,
            "config": self.config,
            "timeout": self.timeout,
            "status": self.status,
            "size": self.size,
            "proven": self.proven,
            "lower_bound": self.lower_bound,
            "solver": self.solver,
            "seconds": self.seconds,
            "wall_seconds": self.wall_seconds,
            "proof_dir": self.proof_dir,
            "versions": self.versions,
            "error": self.error,
        }


def _loads(text: Any, what: str, kind: type | None = None, default: Any = None) -> Any:
    """A JSON column of a cell, decoded; ``FormatError`` unless it is text holding a ``kind`` (or NULL)."""
    if text is None:
        return default
    if not isinstance(text, str):
        raise FormatError(f"store: the {what} of a cell is not JSON text")
    value = loads_json(text, f"store: the {what} of a cell: ")
    if kind is not None and not isinstance(value, kind):
        raise FormatError(f"store: the {what} of a cell must be a JSON {_JSON_NAMES[kind]}")
    return value


_JSON_NAMES: dict[type, str] = {dict: "object", list: "list", str: "string"}

#: The type of each plain column as :meth:`Store.decode` reads it (``None`` allowed unless listed in ``_NOT_NULL``).
_PLAIN: dict[str, type | tuple[type, ...]] = {
    "row": str, "col": str, "config_sha256": str, "timeout": (int, float), "status": str, "size": int,
    "proven": int, "lower_bound": int, "result_sha256": str, "proof_dir": str, "solver": str,
    "seconds": (int, float), "wall_seconds": (int, float), "started": str, "finished": str, "host": str, "error": str,
}  # fmt: skip
_NOT_NULL = frozenset({"row", "col", "config_sha256", "status", "proven"})


def _plain(d: dict[str, Any], key: str) -> Any:
    value = d[key]
    if value is None and key not in _NOT_NULL:
        return None
    if not isinstance(value, _PLAIN[key]) or isinstance(value, bool):
        raise FormatError(f"store: the {key} of a cell has the wrong type ({type(value).__name__})")
    return value


#: SQLite's result codes of a lock another process holds: not a fault of the store (the caller may wait).
_BUSY = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn SQLite's errors on a damaged or foreign file into a one-line :class:`FormatError` (a lock stays
    :class:`sqlite3.OperationalError`)."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) in _BUSY:
            raise
        raise FormatError(f"{path}: damaged store ({exc})") from None


class Store:
    """An open store; use :func:`open_store`.  Safe to share between processes, not between threads."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    # -------------------------------------------------------------- life cycle
    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def proofs_root(self) -> Path:
        return proofs_root(self.path)

    # -------------------------------------------------------------- meta
    def meta(self) -> dict[str, str]:
        with _reading(self.path):
            return dict(self.conn.execute("SELECT key, value FROM meta").fetchall())

    def set_meta(self, **values: str) -> None:
        with self.transaction(), _reading(self.path):
            self.conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                list(values.items()),
            )

    # -------------------------------------------------------------- writing
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the store's write lock (``BEGIN IMMEDIATE``) until the block ends; commit, or roll back on error.

        Other processes' writes wait for it.  Nested use joins the outer transaction.
        """
        if self.conn.in_transaction:
            yield
            return
        with _reading(self.path):
            self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            with _reading(self.path):
                self.conn.execute("ROLLBACK")
            raise
        with _reading(self.path):
            self.conn.execute("COMMIT")

    def record(self, values: dict[str, Any]) -> None:
        """Insert or replace one cell, atomically (one transaction)."""
        row = {k: values.get(k) for k in _COLUMNS}
        if row["status"] not in STATUSES:
            raise ValueError(f"bad cell status {row['status']!r}")
        for key in ("config", "proof_files", "versions"):
            if not isinstance(row[key], str):
                row[key] = json.dumps(row[key] if row[key] is not None else {}, sort_keys=True)
        if row["witness"] is not None and not isinstance(row["witness"], str):
            row["witness"] = json.dumps(row["witness"], sort_keys=True, separators=(",", ":"))
        if row["result"] is not None and not isinstance(row["result"], str):
            row["result"] = json.dumps(row["result"], sort_keys=True)
        if row["result"] is not None:
            row["result_sha256"] = hashlib.sha256(row["result"].encode()).hexdigest()
        row["proven"] = 1 if row["proven"] else 0
        placeholders = ", ".join("?" for _ in _COLUMNS)
        with self.transaction(), _reading(self.path):
            self.conn.execute(
                f"INSERT OR REPLACE INTO cells ({', '.join(_COLUMNS)}) VALUES ({placeholders})",
                [row[k] for k in _COLUMNS],
            )

    # -------------------------------------------------------------- reading
    def decode(self, r: sqlite3.Row) -> CellRecord:
        """A ``cells`` row as a :class:`CellRecord`; raises :class:`FormatError` if a column is corrupt
        (not valid JSON, or a value of the wrong type)."""
        d = dict(r)
        files = _loads(d["proof_files"], "proof file list", dict, {})
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
            raise FormatError("store: the proof file list of a cell must map file names to SHA-256 strings")
        return CellRecord(
            row=_plain(d, "row"),
            col=_plain(d, "col"),
            config=_loads(d["config"], "config", dict, {}),
            config_sha256=_plain(d, "config_sha256"),
            timeout=_plain(d, "timeout"),
            status=_plain(d, "status"),
            size=_plain(d, "size"),
            proven=bool(_plain(d, "proven")),
            lower_bound=_plain(d, "lower_bound"),
            witness=_loads(d["witness"], "witness"),
            result=_loads(d["result"], "result", dict),
            result_sha256=_plain(d, "result_sha256"),
            proof_dir=_plain(d, "proof_dir"),
            proof_files=files,
            solver=_plain(d, "solver"),
            versions=_loads(d["versions"], "versions", dict, {}),
            seconds=_plain(d, "seconds"),
            wall_seconds=_plain(d, "wall_seconds"),
            started=_plain(d, "started"),
            finished=_plain(d, "finished"),
            host=_plain(d, "host"),
            error=_plain(d, "error"),
            result_text=d["result"],
            witness_text=d["witness"],
        )

    def rows(self) -> list[sqlite3.Row]:
        """The raw ``cells`` rows, in the order they were first written."""
        with _reading(self.path):
            return self.conn.execute("SELECT * FROM cells ORDER BY rowid").fetchall()

    def cells(self) -> Iterator[CellRecord]:
        for r in self.rows():
            yield self.decode(r)

    def get(self, row: str, col: str) -> CellRecord | None:
        with _reading(self.path):
            r = self.conn.execute("SELECT * FROM cells WHERE row = ? AND col = ?", (row, col)).fetchone()
        return None if r is None else self.decode(r)

    def proof_dirs(self) -> set[str]:
        """The proof directories the rows refer to (relative to the store's directory)."""
        with _reading(self.path):
            return {r[0] for r in self.conn.execute("SELECT proof_dir FROM cells WHERE proof_dir IS NOT NULL")}

    def proof_dir(self, row: str, col: str) -> str | None:
        """The proof directory of one cell's row, if it has one."""
        with _reading(self.path):
            r = self.conn.execute("SELECT proof_dir FROM cells WHERE row = ? AND col = ?", (row, col)).fetchone()
        return None if r is None else r[0]

    def finished(self, row: str, col: str, config_sha256: str, timeout: float | None) -> bool:
        """Whether a run may skip this cell: a ``done`` row, or a ``timeout`` row with at least this limit."""
        with _reading(self.path):
            r = self.conn.execute(
                "SELECT status, timeout FROM cells WHERE row = ? AND col = ? AND config_sha256 = ?",
                (row, col, config_sha256),
            ).fetchone()
        if r is None:
            return False
        if r["status"] == "done":
            return True
        if r["status"] == "timeout":
            return timeout is not None and isinstance(r["timeout"], (int, float)) and r["timeout"] >= timeout
        return False


def open_store(path: str | Path, *, create: bool = True) -> Store:
    """Open (or create) the store at ``path``; raise :class:`FormatError` if it is not a store."""
    path = Path(path)
    if not create and file_kind(path) != "file":
        raise FormatError(f"{path}: no such store")
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(str(path), timeout=60.0, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 60000")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise FormatError(f"{path}: cannot use WAL journal mode (got {mode})")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        _ensure_schema(conn, path, create)
    except sqlite3.DatabaseError as exc:
        raise FormatError(f"{path}: not a table store ({exc})") from None
    return Store(path, conn)


def _ensure_schema(conn: sqlite3.Connection, path: Path, create: bool) -> None:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "cells" not in tables:
        if not create:
            raise FormatError(f"{path}: not a table store (no cells table)")
        for attempt in range(50):
            try:
                conn.execute("BEGIN IMMEDIATE")
                for stmt in _SCHEMA.strip().split(";"):
                    if stmt.strip():
                        conn.execute(stmt)
                conn.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                )
                conn.execute("COMMIT")
                break
            except sqlite3.OperationalError:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if attempt == 49:
                    raise
                time.sleep(0.1)
    version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if version is None or version[0] != str(SCHEMA_VERSION):
        got = None if version is None else excerpt(version[0])
        raise FormatError(f"{path}: store schema version {got}, this lbt reads version {SCHEMA_VERSION}")
    missing = [c for c in _COLUMNS if c not in {r[1] for r in conn.execute("PRAGMA table_info(cells)")}]
    if missing:
        raise FormatError(f"{path}: not a table store (the cells table lacks {', '.join(missing)})")
