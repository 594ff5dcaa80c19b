"""The emulator's one state store: SQLite, in memory or in a file.

Everything the emulated API remembers (users, apps, tokens, boards, pins, media...) is a
*document*: ``(kind, id, owner, JSON data)`` plus a monotonic ``seq`` that gives stable list order
and pagination cursors. Documents point at each other through **named references** (a pin's
``board`` and ``board_section``, an ad's ``ad_account``, ``campaign`` and ``ad_group``...), kept in
their own indexed table, so an area lists and counts a kind by any reference without decoding
JSON, and moving a pin or emptying a section rewrites no JSON. Every list is keyset-paginated on
``seq`` through an index, so a page costs the same at pin 100,000 as at pin 1. A ``marks`` table
keeps a time per key where a document per key would cost too much (the deduplication keys of a
million conversion events), and a small ``meta`` key/value table holds the rest (ID sequence,
clock offset, schema version, the default user).

SQLite is used even for the in-memory case so there is one code path. With a file, WAL mode and a
busy timeout let several processes (``pinkit emulator serve`` plus CLI runs) share the state
safely; every request is one transaction, and writers take the lock up front (``BEGIN
IMMEDIATE``) so a read-then-write never fails half way with "database is locked".

State files carry a schema version. Opening a file written by an earlier release migrates it in
one transaction; a file from a newer release, or one that is not a pinkit state file, is refused
with :class:`StateFileError` before anything is read.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ._errors import EmulatorError

__all__ = ["ID_BASE", "SCHEMA_VERSION", "Doc", "Refs", "StateFileError", "Store", "Tx", "Where"]

SCHEMA_VERSION = 4

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    owner TEXT,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    refs TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS docs_by_owner ON docs (kind, owner, seq);
CREATE INDEX IF NOT EXISTS docs_by_seq ON docs (kind, seq);
CREATE TABLE IF NOT EXISTS refs (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    target TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (kind, id, name)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS refs_by_target ON refs (kind, name, target, seq);
CREATE TABLE IF NOT EXISTS marks (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
"""

#: Schema 1 (before named references) kept two unnamed columns; what they meant per kind.
_V1_PARENTS = {"pin": ("board", "board_section"), "board_section": ("board", None)}

_SEP = "\x1f"  # between the "name=target" pairs of a document's refs column
_COLUMNS = "d.kind, d.id, d.owner, d.seq, d.data, d.refs"

#: First numeric ID handed out: Pinterest IDs are long digit strings, so are ours.
ID_BASE = 1_000_000_000_000_000

#: How long a transaction waits for another process's lock on a shared file.
_BUSY_TIMEOUT_S = 30.0

JSON = dict[str, Any]
Refs = Mapping[str, str | None]
"""Named references of a document: ``{"board": "123", "board_section": None}``."""
Where = Mapping[str, "str | Collection[str] | None"]
"""Filter on references: a value, any of several values, or ``None`` for "has no such ref"."""


class StateFileError(EmulatorError):
    """The state file cannot be used as it is (newer schema, not SQLite, unreadable)."""


@dataclass(frozen=True)
class Doc:
    kind: str
    id: str
    owner: str | None
    seq: int
    text: str
    """The stored JSON text (``data`` decodes it on first use)."""
    refs: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def data(self) -> JSON:
        value: JSON = json.loads(self.text)
        return value

    def ref(self, name: str) -> str | None:
        return self.refs.get(name)


def _dumps(data: JSON) -> str:
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


def _parse_refs(text: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in text.split(_SEP)) if text else {}


def _encode_refs(refs: Mapping[str, str]) -> str:
    return _SEP.join(f"{name}={target}" for name, target in sorted(refs.items()))


def _doc(row: tuple[Any, ...]) -> Doc:
    kind, doc_id, owner, seq, data, refs = row
    return Doc(kind=kind, id=doc_id, owner=owner, seq=int(seq), text=data, refs=_parse_refs(refs))


def _filters(
    kind: str, owner: str | None, where: Where | None, *, alias: str = "d"
) -> tuple[str, list[Any]]:
    """SQL conditions for a kind, an owner and reference filters on table ``alias``."""
    sql, args = f"{alias}.kind = ?", [kind]
    if owner is not None:
        sql += f" AND {alias}.owner = ?"
        args.append(owner)
    for name, value in (where or {}).items():
        if value is None:
            sql += (
                f" AND NOT EXISTS (SELECT 1 FROM refs x WHERE x.kind = {alias}.kind"  # noqa: S608
                f" AND x.id = {alias}.id AND x.name = ?)"
            )
            args.append(name)
            continue
        targets = [value] if isinstance(value, str) else list(value)
        marks = ",".join("?" * len(targets)) or "NULL"
        sql += (
            f" AND EXISTS (SELECT 1 FROM refs x WHERE x.kind = {alias}.kind"  # noqa: S608
            f" AND x.id = {alias}.id AND x.name = ? AND x.target IN ({marks}))"
        )
        args += [name, *targets]
    return sql, args


class Tx:
    """Operations available inside one transaction (see :meth:`Store.transaction`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._savepoints = 0

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
        self, kind: str, rows: Iterable[tuple[str, str | None, int, str]], refs: Refs | None = None
    ) -> None:
        """Bulk insert ``(id, owner, seq, json_text)`` rows of one kind, all with the same
        ``refs`` (``seq`` from :meth:`reserve_seqs`, ``json_text`` already serialised)."""
        named = {n: t for n, t in (refs or {}).items() if t is not None}
        encoded = _encode_refs(named)
        seqs: list[int] = []

        def docs() -> Iterator[tuple[str, str, str | None, int, str, str]]:
            for doc_id, owner, seq, text in rows:
                seqs.append(seq)
                yield kind, doc_id, owner, seq, text, encoded

        self._conn.executemany(
            "INSERT INTO docs (kind, id, owner, seq, data, refs) VALUES (?, ?, ?, ?, ?, ?)", docs()
        )
        if seqs and named:
            for name, target in named.items():
                self._conn.execute(
                    "INSERT INTO refs (kind, id, name, target, seq) SELECT kind, id, ?, ?, seq "
                    "FROM docs WHERE kind = ? AND seq BETWEEN ? AND ?",
                    (name, target, kind, min(seqs), max(seqs)),
                )

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested unit inside the transaction: rolled back alone if its block raises (one
        item of a bulk write that turns out invalid half way)."""
        name = f"sp{id(self)}_{self._savepoints}"
        self._savepoints += 1
        self._conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self._conn.execute(f"ROLLBACK TO {name}")
            self._conn.execute(f"RELEASE {name}")
            raise
        else:
            self._conn.execute(f"RELEASE {name}")

    # -- documents ----------------------------------------------------------------------------
    def get(self, kind: str, doc_id: str) -> JSON | None:
        doc = self.get_doc(kind, doc_id)
        return None if doc is None else doc.data

    def get_many(self, kind: str, ids: Iterable[str]) -> dict[str, JSON]:
        """The data of the ``kind`` documents among ``ids`` that exist, by ID (one query per
        500 IDs: what a bulk write checks before inserting)."""
        rows = self._select_in("SELECT id, data FROM docs WHERE kind = ? AND id IN", kind, ids)
        return {doc_id: json.loads(text) for doc_id, text in rows}

    def _select_in(self, sql: str, kind: str, keys: Iterable[str]) -> Iterator[Any]:
        """The rows of ``sql`` (ending in ``IN``) for ``kind`` and each 500 of ``keys``."""
        wanted = list(dict.fromkeys(keys))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            yield from self._conn.execute(f"{sql} ({marks})", [kind, *chunk])

    # -- marks: a time per key ----------------------------------------------------------------
    def get_marks(self, kind: str, keys: Iterable[str]) -> dict[str, float]:
        """The times set for those of ``keys`` that have one."""
        rows = self._select_in("SELECT key, at FROM marks WHERE kind = ? AND key IN", kind, keys)
        return {key: float(at) for key, at in rows}

    def set_marks(self, kind: str, marks: Iterable[tuple[str, float]]) -> None:
        """Set (or move) the time of each key: one small row each and no document, which is
        what a deduplication window over a million keys needs."""
        self._conn.executemany(
            "INSERT OR REPLACE INTO marks (kind, key, at) VALUES (?, ?, ?)",
            ((kind, key, at) for key, at in marks),
        )

    def get_doc(self, kind: str, doc_id: str) -> Doc | None:
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM docs d WHERE d.kind = ? AND d.id = ?",  # noqa: S608 (fixed SQL only)
            (kind, doc_id),
        ).fetchone()
        return None if row is None else _doc(row)

    def _write_refs(self, kind: str, doc_id: str, seq: int, current: str, refs: Refs) -> None:
        merged = _parse_refs(current)
        for name, target in refs.items():
            self._conn.execute(
                "DELETE FROM refs WHERE kind = ? AND id = ? AND name = ?", (kind, doc_id, name)
            )
            merged.pop(name, None)
            if target is not None:
                merged[name] = target
                self._conn.execute(
                    "INSERT INTO refs (kind, id, name, target, seq) VALUES (?, ?, ?, ?, ?)",
                    (kind, doc_id, name, target, seq),
                )
        self._conn.execute(
            "UPDATE docs SET refs = ? WHERE kind = ? AND id = ?",
            (_encode_refs(merged), kind, doc_id),
        )

    def insert(
        self,
        kind: str,
        data: JSON,
        *,
        owner: str | None = None,
        id: str | None = None,
        refs: Refs | None = None,
    ) -> str:
        """Add a document; ``id`` defaults to a new numeric ID. Returns the ID."""
        doc_id = self.new_id() if id is None else id
        seq = self._next_seq()
        self._conn.execute(
            "INSERT INTO docs (kind, id, owner, seq, data) VALUES (?, ?, ?, ?, ?)",
            (kind, doc_id, owner, seq, _dumps(data)),
        )
        if refs:
            self._write_refs(kind, doc_id, seq, "", refs)
        return doc_id

    def put(
        self,
        kind: str,
        doc_id: str,
        data: JSON,
        *,
        owner: str | None = None,
        refs: Refs | None = None,
    ) -> None:
        """Insert or replace a document, keeping its list position when it already exists.

        ``refs`` sets the references it names (``None`` values remove one) and keeps the others.
        """
        row = self._conn.execute(
            "UPDATE docs SET data = ?, owner = ? WHERE kind = ? AND id = ? RETURNING seq, refs",
            (_dumps(data), owner, kind, doc_id),
        ).fetchone()
        if row is None:
            self.insert(kind, data, owner=owner, id=doc_id, refs=refs)
        elif refs:
            self._write_refs(kind, doc_id, int(row[0]), str(row[1]), refs)

    def set_ref(self, kind: str, name: str, target: str | None, *, where: Where) -> int:
        """Point reference ``name`` of every ``kind`` document matching ``where`` at ``target``
        (``None`` removes it), rewriting no JSON: e.g. take all pins out of a deleted section.
        Returns the number of documents changed."""
        cond, args = _filters(kind, None, where)
        sql = f"SELECT d.id, d.seq, d.refs FROM docs d WHERE {cond}"  # noqa: S608 (fixed SQL only)
        rows = self._conn.execute(sql, args).fetchall()
        for doc_id, seq, current in rows:
            self._write_refs(kind, doc_id, int(seq), str(current), {name: target})
        return len(rows)

    def delete(self, kind: str, doc_id: str) -> bool:
        self._conn.execute("DELETE FROM refs WHERE kind = ? AND id = ?", (kind, doc_id))
        cur = self._conn.execute("DELETE FROM docs WHERE kind = ? AND id = ?", (kind, doc_id))
        return cur.rowcount > 0

    def delete_all(self, kind: str, *, owner: str | None = None, where: Where | None = None) -> int:
        cond, args = _filters(kind, owner, where)
        ids = [
            (kind, r[0])
            for r in self._conn.execute(f"SELECT d.id FROM docs d WHERE {cond}", args)  # noqa: S608
        ]
        self._conn.executemany("DELETE FROM refs WHERE kind = ? AND id = ?", ids)
        self._conn.executemany("DELETE FROM docs WHERE kind = ? AND id = ?", ids)
        return len(ids)

    def delete_referencing(self, name: str, target: str) -> int:
        """Delete every document, of any kind, whose reference ``name`` is ``target`` (what an
        account's deletion takes with it). Returns how many."""
        rows = self._conn.execute(
            "SELECT kind, id FROM refs WHERE name = ? AND target = ?", (name, target)
        ).fetchall()
        self._conn.executemany("DELETE FROM refs WHERE kind = ? AND id = ?", rows)
        self._conn.executemany("DELETE FROM docs WHERE kind = ? AND id = ?", rows)
        return len(rows)

    def list(
        self,
        kind: str,
        *,
        owner: str | None = None,
        where: Where | None = None,
        after_seq: int | None = None,
        limit: int | None = None,
        descending: bool = False,
    ) -> list[Doc]:
        """Documents of ``kind`` (filtered by owner and references) in insertion order (or the
        reverse), after the cursor ``after_seq``. With exactly one reference filter on one
        value, the page is one range scan of the reference index."""
        args: list[Any]
        order, compare = ("DESC", "<") if descending else ("ASC", ">")
        cursor = after_seq if after_seq is not None else (2**63 - 1 if descending else 0)
        filters = (where or {}).items()
        driver = next(iter(filters)) if len(filters) == 1 else None
        if driver is not None and isinstance(driver[1], str):
            name, target = driver
            sql = (
                f"SELECT {_COLUMNS} FROM refs k JOIN docs d ON d.kind = k.kind AND d.id = k.id "  # noqa: S608 (fixed SQL only)
                f"WHERE k.kind = ? AND k.name = ? AND k.target = ? AND k.seq {compare} ?"
            )
            args = [kind, name, target, cursor]
            if owner is not None:
                sql += " AND d.owner = ?"
                args.append(owner)
            sql += f" ORDER BY k.seq {order}"
        else:
            cond, args = _filters(kind, owner, where)
            sql = f"SELECT {_COLUMNS} FROM docs d WHERE {cond} AND d.seq {compare} ?"  # noqa: S608 (fixed SQL only)
            sql += f" ORDER BY d.seq {order}"
            args.append(cursor)
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [_doc(row) for row in self._conn.execute(sql, args)]

    def count(self, kind: str, *, owner: str | None = None, where: Where | None = None) -> int:
        cond, args = _filters(kind, owner, where)
        row = self._conn.execute(f"SELECT COUNT(*) FROM docs d WHERE {cond}", args)  # noqa: S608 (fixed SQL only)
        return int(row.fetchone()[0])

    def kinds(self) -> dict[str, int]:
        """How many documents of each kind the state holds (``{"board": 2, "pin": 7, ...}``)."""
        rows = self._conn.execute("SELECT kind, COUNT(*) FROM docs GROUP BY kind")
        return {str(kind): int(count) for kind, count in rows}

    def wipe(self) -> None:
        """Delete everything (used by reset)."""
        for table in ("refs", "marks", "docs", "meta"):
            self._conn.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed table names)
        self.meta_set("schema_version", str(SCHEMA_VERSION))


class Store:
    """A SQLite database shared by every thread of the emulator (and by other processes).

    One connection per ``Store`` guarded by a re-entrant lock: requests are short, and a nested
    ``transaction()`` (e.g. the clock reading its offset inside a request) joins the outer one.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = None if path is None else Path(path)
        if self.path is not None and self.path.exists() and not self.path.is_file():
            raise StateFileError(f"the emulator state {self.path} is not a file")
        target = ":memory:" if self.path is None else str(self.path)
        try:
            self._conn = sqlite3.connect(
                target, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StateFileError(f"cannot open the emulator state {self.path}: {exc}") from None
        self._lock = threading.RLock()
        self._depth = 0
        self._writing = False
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
            if self.path is not None:
                _use_wal(self._conn)
                self._conn.execute("PRAGMA synchronous = NORMAL")
            with self.transaction(write=True) as tx:
                self._open_schema(tx)
        except sqlite3.OperationalError as exc:
            self._conn.close()
            raise StateFileError(f"cannot use the emulator state {self.path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StateFileError(
                f"{self.path} is not a pinkit emulator state file ({exc}); "
                "give another path, or delete it to start afresh"
            ) from None

    def _open_schema(self, tx: Tx) -> None:
        conn = tx._conn
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables and not {"meta", "docs"} <= tables:
            raise StateFileError(
                f"{self.path} is an SQLite file but not a pinkit emulator state; "
                "give another path, or delete it to start afresh"
            )
        version = 0
        if "meta" in tables:
            raw = tx.meta_get("schema_version")
            version = int(raw) if raw and raw.isdigit() else (1 if "docs" in tables else 0)
        if version > SCHEMA_VERSION:
            raise StateFileError(
                f"{self.path} was written by a newer pinkit (state schema {version}, this one "
                f"reads {SCHEMA_VERSION}): upgrade pinkit, or give another state file"
            )
        if version == 1:
            _migrate_v1(conn)
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        if version in (1, 2, 3):
            _migrate_v2(conn)
        tx.meta_set("schema_version", str(SCHEMA_VERSION))

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


def _use_wal(conn: sqlite3.Connection, timeout: float = _BUSY_TIMEOUT_S) -> None:
    """Put the file in WAL mode (once per file: the mode is kept in it).

    Switching needs the file to itself, and while another connection writes it (or is
    switching it too) SQLite answers "database is locked" at once, without the busy timeout:
    several processes opening a fresh file at once would fail. So the switch is retried until
    the other writer is done, up to the busy timeout; a file already in WAL mode answers at
    once.
    """
    deadline = time.monotonic() + timeout
    pause = 0.002
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def _migrate_v1(conn: sqlite3.Connection) -> None:
    """Schema 1 -> 2, inside the caller's transaction: ``parent``/``parent2`` columns become
    named references, and video media get the timeline the jobs engine reads."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(docs)")}
    conn.execute(
        "CREATE TABLE docs_v2 (kind TEXT NOT NULL, id TEXT NOT NULL, owner TEXT, "
        "seq INTEGER NOT NULL, data TEXT NOT NULL, refs TEXT NOT NULL DEFAULT '', "
        "PRIMARY KEY (kind, id))"
    )
    conn.execute(
        "INSERT INTO docs_v2 (kind, id, owner, seq, data) "
        "SELECT kind, id, owner, seq, data FROM docs"
    )
    conn.execute(
        "CREATE TABLE IF NOT EXISTS refs (kind TEXT NOT NULL, id TEXT NOT NULL, "
        "name TEXT NOT NULL, target TEXT NOT NULL, seq INTEGER NOT NULL, "
        "PRIMARY KEY (kind, id, name)) WITHOUT ROWID"
    )
    for kind, names in _V1_PARENTS.items():
        for column, name in zip(("parent", "parent2"), names, strict=True):
            if name is None or column not in columns:
                continue
            conn.execute(
                f"INSERT INTO refs (kind, id, name, target, seq) SELECT kind, id, ?, {column}, "  # noqa: S608 (fixed names)
                f"seq FROM docs WHERE kind = ? AND {column} IS NOT NULL",
                (name, kind),
            )
    linked = conn.execute("SELECT kind, id, name, target FROM refs").fetchall()
    by_doc: dict[tuple[str, str], dict[str, str]] = {}
    for kind, doc_id, name, target in linked:
        by_doc.setdefault((kind, doc_id), {})[name] = target
    conn.executemany(
        "UPDATE docs_v2 SET refs = ? WHERE kind = ? AND id = ?",
        [(_encode_refs(refs), kind, doc_id) for (kind, doc_id), refs in by_doc.items()],
    )
    rows = conn.execute("SELECT id, data FROM docs_v2 WHERE kind = 'media'").fetchall()
    for doc_id, text in rows:
        data = json.loads(text)
        if "timeline" not in data:
            data["timeline"] = _v1_media_timeline(data)
            conn.execute(
                "UPDATE docs_v2 SET data = ? WHERE kind = 'media' AND id = ?",
                (_dumps(data), doc_id),
            )
    conn.execute("DROP TABLE docs")
    conn.execute("ALTER TABLE docs_v2 RENAME TO docs")


#: What schemas 2 and 3 kept of conversion events, and what schema 4 keeps (as the conversions
#: area names them): a document per event, linked to its ad account (schema 3: owned by it), its
#: ID the deduplication key (``account:name:event_id``) for an online event; now a document per
#: request owned by the ad account, and the keys as marks.
_V2_EVENT, _V2_SEEN = "conversion_event", "conversion_seen"
_V3_BATCH, _V3_DEDUP = "conversion_batch", "conversion"


def _migrate_v2(conn: sqlite3.Connection) -> None:
    """Schema 2 or 3 -> 4, inside the caller's transaction and after the schema's statements
    (the ``marks`` table exists): each conversion event becomes a batch of one, and the keys
    its ID and the ``conversion_seen`` documents held become marks."""
    rows = conn.execute(
        "SELECT d.id, d.data, COALESCE(d.owner, r.target) FROM docs d LEFT JOIN refs r "
        "ON r.kind = d.kind AND r.id = d.id AND r.name = 'ad_account' WHERE d.kind = ?",
        (_V2_EVENT,),
    ).fetchall()
    seen: dict[str, float] = {}
    for doc_id, text, account in rows:
        data = json.loads(text)
        if ":" in doc_id:  # an online event, under its key
            seen[doc_id] = float(data.get("seen_at") or data["received_at"])
        batch = {"received_at": data["received_at"], "events": [data["event"]]}
        conn.execute(
            "UPDATE docs SET kind = ?, owner = ?, refs = '', data = ? WHERE kind = ? AND id = ?",
            (_V3_BATCH, account, _dumps(batch), _V2_EVENT, doc_id),
        )
    for key, text in conn.execute("SELECT id, data FROM docs WHERE kind = ?", (_V2_SEEN,)):
        seen[key] = max(seen.get(key, 0.0), float(json.loads(text)["at"]))
    conn.executemany(
        "INSERT OR REPLACE INTO marks (kind, key, at) VALUES (?, ?, ?)",
        ((_V3_DEDUP, key, at) for key, at in seen.items()),
    )
    conn.execute("DELETE FROM docs WHERE kind = ?", (_V2_SEEN,))
    conn.execute("DELETE FROM refs WHERE kind IN (?, ?)", (_V2_EVENT, _V2_SEEN))


def _v1_media_timeline(data: dict[str, Any]) -> list[list[Any]]:
    steps: list[list[Any]] = [[float(data.get("registered_at") or 0.0), "registered"]]
    if data.get("uploaded_at") is not None:
        steps.append([float(data["uploaded_at"]), "processing"])
        steps.append([float(data["ready_at"]), str(data.get("outcome") or "failed")])
    return steps
