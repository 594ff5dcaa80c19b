"""The emulator's one state store: SQLite, in memory or in a file.

Everything the emulated API remembers (users, apps, tokens, boards, pins, media...) is a
*document*: ``(kind, id, owner, JSON data)`` plus a monotonic ``seq`` that gives stable list order
and pagination cursors. Two optional indexed references, ``parent`` and ``parent2``, let an area
list and count a kind by something other than its owner without decoding JSON (pins use them for
their board and board section). Every list is keyset-paginated on ``seq`` through an index, so a
page costs the same at pin 100,000 as at pin 1. A small ``meta`` key/value table holds the rest
(ID sequence, clock offset, the default user and app). One generic shape means a new API area
needs no schema migration.

SQLite is used even for the in-memory case so there is one code path. With a file, WAL mode and a
busy timeout let several processes (``pinkit emulator serve`` plus CLI runs) share the state safely;
every request is one transaction, and writers take the lock up front (``BEGIN IMMEDIATE``) so a
read-then-write never fails half way with "database is locked".
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import cached_property
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
    parent TEXT,
    parent2 TEXT,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS docs_by_owner ON docs (kind, owner, seq);
"""

#: Added after the first release: state files written before get them on open.
_LATER_COLUMNS = ("parent", "parent2")
_LATER_INDEXES = """
CREATE INDEX IF NOT EXISTS docs_by_parent ON docs (kind, parent, seq) WHERE parent IS NOT NULL;
CREATE INDEX IF NOT EXISTS docs_by_parent2 ON docs (kind, parent2, seq) WHERE parent2 IS NOT NULL;
"""

_COLUMNS = "kind, id, owner, seq, data, parent, parent2"

#: First numeric ID handed out: Pinterest IDs are long digit strings, so are ours.
ID_BASE = 1_000_000_000_000_000

JSON = dict[str, Any]


@dataclass(frozen=True)
class Doc:
    kind: str
    id: str
    owner: str | None
    seq: int
    text: str
    """The stored JSON text (``data`` decodes it on first use)."""
    parent: str | None = None
    parent2: str | None = None

    @cached_property
    def data(self) -> JSON:
        value: JSON = json.loads(self.text)
        return value


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

    def reserve_seqs(self, count: int) -> int:
        """Reserve ``count`` consecutive sequence numbers for a bulk insert; returns the first.

        ``ID_BASE + seq`` is then a fresh ID for each of them, as :meth:`new_id` would give.
        """
        first = int(self.meta_get("seq", "0") or "0") + 1
        self.meta_set("seq", str(first + count - 1))
        return first

    def insert_many(
        self, rows: Iterable[tuple[str, str, str | None, int, str, str | None]]
    ) -> None:
        """Bulk insert ``(kind, id, owner, seq, json_text, parent)`` rows in one statement
        (``seq`` from :meth:`reserve_seqs`, ``json_text`` already serialised)."""
        self._conn.executemany(
            "INSERT INTO docs (kind, id, owner, seq, data, parent) VALUES (?, ?, ?, ?, ?, ?)", rows
        )

    # -- documents ----------------------------------------------------------------------------
    def get(self, kind: str, doc_id: str) -> JSON | None:
        doc = self.get_doc(kind, doc_id)
        return None if doc is None else doc.data

    def get_doc(self, kind: str, doc_id: str) -> Doc | None:
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM docs WHERE kind = ? AND id = ?",  # noqa: S608 (fixed column names only)
            (kind, doc_id),
        ).fetchone()
        return None if row is None else _doc(row)

    def insert(
        self,
        kind: str,
        data: JSON,
        *,
        owner: str | None = None,
        id: str | None = None,
        parent: str | None = None,
        parent2: str | None = None,
    ) -> str:
        """Add a document; ``id`` defaults to a new numeric ID. Returns the ID."""
        doc_id = self.new_id() if id is None else id
        self._conn.execute(
            "INSERT INTO docs (kind, id, owner, seq, data, parent, parent2) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (kind, doc_id, owner, self._next_seq(), _dumps(data), parent, parent2),
        )
        return doc_id

    def put(
        self,
        kind: str,
        doc_id: str,
        data: JSON,
        *,
        owner: str | None = None,
        parent: str | None = None,
        parent2: str | None = None,
    ) -> None:
        """Insert or replace a document, keeping its list position when it already exists."""
        updated = self._conn.execute(
            "UPDATE docs SET data = ?, owner = ?, parent = ?, parent2 = ? "
            "WHERE kind = ? AND id = ?",
            (_dumps(data), owner, parent, parent2, kind, doc_id),
        ).rowcount
        if not updated:
            self.insert(kind, data, owner=owner, id=doc_id, parent=parent, parent2=parent2)

    def set_refs(
        self,
        kind: str,
        *,
        where_parent: str | None = None,
        where_parent2: str | None = None,
        parent2: str | None = None,
    ) -> int:
        """Set ``parent2`` on every ``kind`` document matching the filter (no JSON rewrite):
        e.g. take all pins out of a deleted board section. Returns the number changed."""
        where, args = _filters(kind, None, where_parent, where_parent2)
        cur = self._conn.execute(f"UPDATE docs SET parent2 = ? WHERE {where}", [parent2, *args])  # noqa: S608 (fixed column names only)
        return cur.rowcount

    def delete(self, kind: str, doc_id: str) -> bool:
        cur = self._conn.execute("DELETE FROM docs WHERE kind = ? AND id = ?", (kind, doc_id))
        return cur.rowcount > 0

    def delete_all(
        self,
        kind: str,
        *,
        owner: str | None = None,
        parent: str | None = None,
        parent2: str | None = None,
    ) -> int:
        where, args = _filters(kind, owner, parent, parent2)
        return self._conn.execute(f"DELETE FROM docs WHERE {where}", args).rowcount  # noqa: S608 (fixed column names only)

    def list(
        self,
        kind: str,
        *,
        owner: str | None = None,
        parent: str | None = None,
        parent2: str | None = None,
        after_seq: int = 0,
        limit: int | None = None,
    ) -> list[Doc]:
        """Documents of ``kind`` (filtered by ``owner`` / ``parent`` / ``parent2`` when given) in
        insertion order, after a cursor."""
        where, args = _filters(kind, owner, parent, parent2)
        sql = f"SELECT {_COLUMNS} FROM docs WHERE {where} AND seq > ? ORDER BY seq"  # noqa: S608 (fixed column names only)
        args.append(after_seq)
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [_doc(row) for row in self._conn.execute(sql, args)]

    def count(
        self,
        kind: str,
        *,
        owner: str | None = None,
        parent: str | None = None,
        parent2: str | None = None,
    ) -> int:
        where, args = _filters(kind, owner, parent, parent2)
        row = self._conn.execute(f"SELECT COUNT(*) FROM docs WHERE {where}", args)  # noqa: S608 (fixed column names only)
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
            have = {row[1] for row in tx._conn.execute("PRAGMA table_info(docs)")}
            for column in _LATER_COLUMNS:
                if column not in have:
                    tx._conn.execute(f"ALTER TABLE docs ADD COLUMN {column} TEXT")
            for statement in _LATER_INDEXES.split(";"):
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


def _filters(
    kind: str, owner: str | None, parent: str | None, parent2: str | None
) -> tuple[str, list[Any]]:
    where, args = "kind = ?", [kind]
    for column, value in (("owner", owner), ("parent", parent), ("parent2", parent2)):
        if value is not None:
            where += f" AND {column} = ?"
            args.append(value)
    return where, args


def _doc(row: tuple[Any, ...]) -> Doc:
    kind, doc_id, owner, seq, data, parent, parent2 = row
    return Doc(
        kind=kind, id=doc_id, owner=owner, seq=int(seq), text=data, parent=parent, parent2=parent2
    )
