"""The emulator's one state store: SQLite, in memory or in a file.

Everything the emulated API remembers (users, apps, tokens, and later boards, pins, ads...) is a
*document*: ``(kind, id, owner, JSON data)`` plus a monotonic ``seq`` that gives stable list order
and pagination cursors. A small ``meta`` key/value table holds the rest (ID sequence, clock offset,
the default user and app). One generic shape means a new API area needs no schema migration.

SQLite is used even for the in-memory case so there is one code path. With a file, WAL mode and a
busy timeout let several processes (``pinkit emulator serve`` plus CLI runs) share the state safely;
every request is one transaction, and writers take the lock up front (``BEGIN IMMEDIATE``) so a
read-then-write never fails half way with "database is locked".
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Doc", "Store", "Tx"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    owner TEXT,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS docs_by_owner ON docs (kind, owner, seq);
"""

#: First numeric ID handed out: Pinterest IDs are long digit strings, so are ours.
ID_BASE = 1_000_000_000_000_000

JSON = dict[str, Any]


@dataclass(frozen=True)
class Doc:
    kind: str
    id: str
    owner: str | None
    seq: int
    data: JSON


class Tx:
    """Operations available inside one transaction (see :meth:`Store.transaction`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    # -- meta ---------------------------------------------------------------------------------
    def meta_get(self, key: str, default: str | None = None) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else str(row[0])

    def meta_set(self, key: str, value: str) -> None:
        self._conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def _next_seq(self) -> int:
        current = int(self.meta_get("seq", "0") or "0") + 1
        self.meta_set("seq", str(current))
        return current

    def new_id(self) -> str:
        """A fresh numeric-string ID, unique across processes sharing the file."""
        return str(ID_BASE + self._next_seq())

    # -- documents ----------------------------------------------------------------------------
    def get(self, kind: str, doc_id: str) -> JSON | None:
        doc = self.get_doc(kind, doc_id)
        return None if doc is None else doc.data

    def get_doc(self, kind: str, doc_id: str) -> Doc | None:
        row = self._conn.execute(
            "SELECT kind, id, owner, seq, data FROM docs WHERE kind = ? AND id = ?",
            (kind, doc_id),
        ).fetchone()
        return None if row is None else _doc(row)

    def insert(
        self, kind: str, data: JSON, *, owner: str | None = None, id: str | None = None
    ) -> str:
        """Add a document; ``id`` defaults to a new numeric ID. Returns the ID."""
        doc_id = self.new_id() if id is None else id
        self._conn.execute(
            "INSERT INTO docs (kind, id, owner, seq, data) VALUES (?, ?, ?, ?, ?)",
            (kind, doc_id, owner, self._next_seq(), _dumps(data)),
        )
        return doc_id

    def put(self, kind: str, doc_id: str, data: JSON, *, owner: str | None = None) -> None:
        """Insert or replace a document, keeping its list position when it already exists."""
        updated = self._conn.execute(
            "UPDATE docs SET data = ?, owner = ? WHERE kind = ? AND id = ?",
            (_dumps(data), owner, kind, doc_id),
        ).rowcount
        if not updated:
            self.insert(kind, data, owner=owner, id=doc_id)

    def delete(self, kind: str, doc_id: str) -> bool:
        cur = self._conn.execute("DELETE FROM docs WHERE kind = ? AND id = ?", (kind, doc_id))
        return cur.rowcount > 0

    def delete_all(self, kind: str, *, owner: str | None = None) -> int:
        if owner is None:
            cur = self._conn.execute("DELETE FROM docs WHERE kind = ?", (kind,))
        else:
            cur = self._conn.execute("DELETE FROM docs WHERE kind = ? AND owner = ?", (kind, owner))
        return cur.rowcount

    def list(
        self,
        kind: str,
        *,
        owner: str | None = None,
        after_seq: int = 0,
        limit: int | None = None,
    ) -> list[Doc]:
        """Documents of ``kind`` (of ``owner`` if given) in insertion order, after a cursor."""
        sql = "SELECT kind, id, owner, seq, data FROM docs WHERE kind = ? AND seq > ?"
        args: list[Any] = [kind, after_seq]
        if owner is not None:
            sql += " AND owner = ?"
            args.append(owner)
        sql += " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [_doc(row) for row in self._conn.execute(sql, args)]

    def count(self, kind: str, *, owner: str | None = None) -> int:
        if owner is None:
            row = self._conn.execute("SELECT COUNT(*) FROM docs WHERE kind = ?", (kind,))
        else:
            row = self._conn.execute(
                "SELECT COUNT(*) FROM docs WHERE kind = ? AND owner = ?", (kind, owner)
            )
        return int(row.fetchone()[0])

    def wipe(self) -> None:
        """Delete everything (used by reset)."""
        self._conn.execute("DELETE FROM docs")
        self._conn.execute("DELETE FROM meta")


class Store:
    """A SQLite database shared by every thread of the emulator (and by other processes).

    One connection per ``Store`` guarded by a re-entrant lock: requests are short, and a nested
    ``transaction()`` (e.g. the clock reading its offset inside a request) joins the outer one.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = None if path is None else Path(path)
        target = ":memory:" if self.path is None else str(self.path)
        self._conn = sqlite3.connect(
            target, timeout=30.0, isolation_level=None, check_same_thread=False
        )
        self._lock = threading.RLock()
        self._depth = 0
        self._writing = False
        self._conn.execute("PRAGMA busy_timeout = 30000")
        if self.path is not None:
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
        with self.transaction(write=True) as tx:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    tx._conn.execute(statement)

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Tx]:
        """One atomic unit: committed on success, rolled back on any exception."""
        with self._lock:
            if self._depth:
                if write and not self._writing:
                    raise RuntimeError("cannot start a write inside a read transaction")
                self._depth += 1
                try:
                    yield Tx(self._conn)
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            self._depth, self._writing = 1, write
            try:
                yield Tx(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth, self._writing = 0, False

    def read(self) -> AbstractContextManager[Tx]:
        """Shorthand for ``transaction(write=False)``."""
        return self.transaction(write=False)

    def write(self) -> AbstractContextManager[Tx]:
        """Shorthand for ``transaction(write=True)``."""
        return self.transaction(write=True)

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _dumps(data: JSON) -> str:
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


def _doc(row: tuple[Any, ...]) -> Doc:
    kind, doc_id, owner, seq, data = row
    return Doc(kind=kind, id=doc_id, owner=owner, seq=int(seq), data=json.loads(data))
