"""The token database (SQLAlchemy 2 Core): tables, schema version, row locks.

Tables (created on first use, under a lock, so workers starting together do not race):

- ``pinkit_meta``: ``name``, ``value``; ``schema_version`` says which layout the tables have.
- ``pinkit_tokens``: one row per (``client_id``, ``user_key``): ``token_data`` (both tokens,
  encrypted together), ``encrypted``, ``scopes``, ``expires_at``, ``refresh_expires_at``,
  ``created_at``, ``updated_at``, ``refreshes`` (how many rotations it has seen).
- ``pinkit_login_states``: pending logins: ``state_hash`` (SHA-256 of the state: a dump holds
  no usable state), ``client_id``, ``user_key``, ``scopes``, ``return_to``, ``created_at``,
  ``expires_at``.

Refreshing across processes: ``DatabaseTokenStore.lock()`` opens a transaction that locks the
user's row until the rotated tokens are committed (PostgreSQL: ``SELECT ... FOR UPDATE``;
SQLite: ``BEGIN IMMEDIATE``, which takes the database's write lock). The client holds it from
reloading the row, through the refresh, to the save; ``save`` then writes and commits in that
same transaction, so nothing but the UPDATE and the COMMIT stands between Pinterest's answer
and the durable new refresh token.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from .._tokens import TokenSet
from ..errors import InvalidInputError
from ._crypto import TokenCipher
from ._errors import NotConnectedError, StorageError

__all__ = [
    "SCHEMA_VERSION",
    "DatabaseTokenStore",
    "RowLock",
    "StoredRow",
    "TokenDatabase",
    "database_url",
]

#: The layout of the tables; ``pinkit_meta.schema_version`` holds the one a database has.
SCHEMA_VERSION = 1
#: Upgrades: ``MIGRATIONS[n]`` moves a database from version n to n + 1.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {}
# A constant key for PostgreSQL's advisory lock around table creation.
_SCHEMA_LOCK_KEY = 0x70696E6B6974  # "pinkit"
MAX_USER_KEY = 255

metadata = MetaData()
meta_table = Table(
    "pinkit_meta",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(255), nullable=False),
)
tokens_table = Table(
    "pinkit_tokens",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("user_key", String(MAX_USER_KEY), primary_key=True),
    Column("token_data", Text, nullable=False),
    Column("encrypted", Boolean, nullable=False),
    Column("scopes", Text, nullable=False),
    Column("expires_at", Float),
    Column("refresh_expires_at", Float),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("refreshes", Integer, nullable=False),
)
states_table = Table(
    "pinkit_login_states",
    metadata,
    Column("state_hash", String(64), primary_key=True),
    Column("client_id", String(64), nullable=False),
    Column("user_key", String(MAX_USER_KEY), nullable=False),
    Column("scopes", Text, nullable=False),
    Column("return_to", Text),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)


def database_url(url: str) -> str:
    """A SQLAlchemy URL: ``postgres://``/``postgresql://`` use psycopg 3; a plain path is a
    SQLite file."""
    if "://" not in url:
        return f"sqlite:///{url}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def check_user_key(user_key: Any) -> str:
    if not isinstance(user_key, str) or not user_key.strip():
        raise InvalidInputError("user_key must be a non-empty string (your app's user id)")
    if len(user_key) > MAX_USER_KEY:
        raise InvalidInputError(f"user_key is longer than {MAX_USER_KEY} characters")
    return user_key


@dataclass(frozen=True)
class StoredRow:
    """A token row, without decrypting it."""

    scopes: tuple[str, ...]
    expires_at: float | None
    refresh_expires_at: float | None
    created_at: float
    updated_at: float
    refreshes: int


class TokenDatabase:
    """The engine, the schema and the transactions the stores and ``Connections`` use."""

    def __init__(
        self,
        url: str,
        cipher: TokenCipher,
        *,
        clock: Callable[[], float] = time.time,
        lock_timeout_s: float = 60.0,
    ) -> None:
        self.url = database_url(url)
        self.cipher = cipher
        self.now = clock
        self.lock_timeout_s = lock_timeout_s
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        self.engine = self._make_engine(parsed)
        self._pid = os.getpid()
        self._ready = False
        self._schema_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TokenDatabase({make_url(self.url).render_as_string(hide_password=True)!r})"

    # -- engine --------------------------------------------------------------------------------
    def _make_engine(self, parsed: Any) -> Engine:
        if self.dialect != "sqlite":
            return create_engine(parsed, pool_pre_ping=True)
        if parsed.database in (None, "", ":memory:"):
            raise InvalidInputError(
                "an in-memory SQLite database exists once per connection, so workers and locks "
                "cannot share it: give a file (sqlite:///path/to/tokens.db)"
            )
        engine = create_engine(
            parsed, connect_args={"check_same_thread": False, "timeout": self.lock_timeout_s}
        )

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            # pysqlite's own transaction handling would BEGIN late and DEFERRED; pinkit begins
            # itself (below), IMMEDIATE where it writes.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for a refresh
            cursor.execute("PRAGMA synchronous=FULL")  # a committed token survives power loss
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            mode = conn.get_execution_options().get("pinkit_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine

    def _connect(self) -> Connection:
        if os.getpid() != self._pid:  # a forked worker: never share the parent's sockets
            self.engine.dispose(close=False)
            self._pid = os.getpid()
        self.ensure_schema()
        return self.engine.connect()

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Connection]:
        """A transaction; ``write`` takes SQLite's write lock at once (no upgrade deadlock)."""
        try:
            with self._connect() as conn:
                if write and self.dialect == "sqlite":
                    conn.execution_options(pinkit_begin="IMMEDIATE")
                with conn.begin():
                    if write and self.dialect == "postgresql":
                        conn.exec_driver_sql(self.lock_timeout_sql())
                    yield conn
        except SQLAlchemyError as exc:
            raise _storage_error(exc) from None

    def lock_timeout_sql(self) -> str:
        return f"SET LOCAL lock_timeout = '{int(self.lock_timeout_s * 1000)}ms'"

    def ensure_schema(self) -> None:
        """Create the tables, or check and upgrade their version (once per process)."""
        if self._ready:
            return
        with self._schema_lock:
            if self._ready:
                return
            try:
                with self.engine.connect() as conn:
                    if self.dialect == "sqlite":
                        conn.execution_options(pinkit_begin="IMMEDIATE")
                    with conn.begin():
                        if self.dialect == "postgresql":
                            conn.exec_driver_sql(
                                f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK_KEY})"
                            )
                        metadata.create_all(conn, checkfirst=True)
                        self._check_version(conn)
            except SQLAlchemyError as exc:
                raise _storage_error(exc) from None
            self._ready = True

    @staticmethod
    def _check_version(conn: Connection) -> None:
        found = conn.execute(
            select(meta_table.c.value).where(meta_table.c.name == "schema_version")
        ).scalar()
        if found is None:
            conn.execute(
                insert(meta_table).values(name="schema_version", value=str(SCHEMA_VERSION))
            )
            return
        version = int(found)
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"the token database has schema version {version}, newer than this pinkit's "
                f"{SCHEMA_VERSION}: upgrade pinkit"
            )
        while version < SCHEMA_VERSION:
            MIGRATIONS[version](conn)
            version += 1
        conn.execute(
            update(meta_table)
            .where(meta_table.c.name == "schema_version")
            .values(value=str(SCHEMA_VERSION))
        )

    def schema_version(self) -> int:
        with self.transaction() as conn:
            value = conn.execute(
                select(meta_table.c.value).where(meta_table.c.name == "schema_version")
            ).scalar()
        return int(value or 0)

    # -- rows ------------------------------------------------------------------------------------
    @staticmethod
    def _where(client_id: str, user_key: str) -> Any:
        return (tokens_table.c.client_id == client_id) & (tokens_table.c.user_key == user_key)

    def read_tokens(self, conn: Connection, client_id: str, user_key: str) -> TokenSet | None:
        row = conn.execute(select(tokens_table).where(self._where(client_id, user_key))).first()
        if row is None:
            return None
        access, refresh = self.cipher.open(row.token_data, row.encrypted, client_id, user_key)
        return TokenSet(
            access_token=access,
            refresh_token=refresh,
            expires_at=row.expires_at,
            refresh_token_expires_at=row.refresh_expires_at,
            scopes=tuple(s for s in row.scopes.split(",") if s),
        )

    def row_info(self, client_id: str, user_key: str) -> StoredRow | None:
        columns = [c for c in tokens_table.c if c.name != "token_data"]
        with self.transaction() as conn:
            row = conn.execute(select(*columns).where(self._where(client_id, user_key))).first()
        if row is None:
            return None
        return StoredRow(
            scopes=tuple(s for s in row.scopes.split(",") if s),
            expires_at=row.expires_at,
            refresh_expires_at=row.refresh_expires_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            refreshes=row.refreshes,
        )

    def _values(self, client_id: str, user_key: str, token: TokenSet) -> dict[str, Any]:
        return {
            "token_data": self.cipher.seal(
                client_id, user_key, token.access_token, token.refresh_token
            ),
            "encrypted": self.cipher.encrypts,
            "scopes": ",".join(token.scopes),
            "expires_at": token.expires_at,
            "refresh_expires_at": token.refresh_token_expires_at,
            "updated_at": self.now(),
        }

    def write_tokens(
        self, conn: Connection, client_id: str, user_key: str, values: dict[str, Any]
    ) -> None:
        """Update the row, or insert it (a first login)."""
        done = conn.execute(
            update(tokens_table)
            .where(self._where(client_id, user_key))
            .values(**values, refreshes=tokens_table.c.refreshes + 1)
        )
        if done.rowcount:
            return
        row = {
            **values,
            "client_id": client_id,
            "user_key": user_key,
            "created_at": values["updated_at"],
            "refreshes": 0,
        }
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            statement = pg_insert(tokens_table).values(**row)
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=["client_id", "user_key"], set_=values
                )
            )
        else:  # SQLite: the IMMEDIATE transaction already serialises writers
            conn.execute(insert(tokens_table).values(**row))

    def save_tokens(self, client_id: str, user_key: str, token: TokenSet) -> None:
        values = self._values(client_id, user_key, token)
        with self.transaction(write=True) as conn:
            self.write_tokens(conn, client_id, user_key, values)

    def delete_tokens(self, client_id: str, user_key: str) -> bool:
        with self.transaction(write=True) as conn:
            done = conn.execute(delete(tokens_table).where(self._where(client_id, user_key)))
        return bool(done.rowcount)

    def rotate(self, client_id: str | None = None) -> int:
        """Re-encrypt every row (of ``client_id``, or all) not yet under the newest key; each
        row is replaced only if it did not change meanwhile (a refresh in between wins)."""
        done = 0
        query = select(
            tokens_table.c.client_id,
            tokens_table.c.user_key,
            tokens_table.c.token_data,
            tokens_table.c.encrypted,
        )
        if client_id is not None:
            query = query.where(tokens_table.c.client_id == client_id)
        with self.transaction() as conn:
            rows = conn.execute(query).all()
        for row in rows:
            sealed = self.cipher.rotate(row.token_data, row.encrypted, row.client_id, row.user_key)
            if sealed is None:
                continue
            with self.transaction(write=True) as conn:
                changed = conn.execute(
                    update(tokens_table)
                    .where(
                        self._where(row.client_id, row.user_key)
                        & (tokens_table.c.token_data == row.token_data)
                    )
                    .values(token_data=sealed, encrypted=True)
                )
            done += int(bool(changed.rowcount))
        return done

    # -- login states ----------------------------------------------------------------------------
    def add_state(
        self,
        state_hash: str,
        client_id: str,
        user_key: str,
        scopes: str,
        return_to: str | None,
        ttl_s: float,
    ) -> None:
        now = self.now()
        with self.transaction(write=True) as conn:
            conn.execute(delete(states_table).where(states_table.c.expires_at < now))
            conn.execute(
                insert(states_table).values(
                    state_hash=state_hash,
                    client_id=client_id,
                    user_key=user_key,
                    scopes=scopes,
                    return_to=return_to,
                    created_at=now,
                    expires_at=now + ttl_s,
                )
            )

    def take_state(self, state_hash: str, client_id: str, user_key: str) -> tuple[str, Any]:
        """Consume a login state: ``("ok", row)``, or ``("unknown"|"foreign"|"expired", row)``.
        A state is deleted when used or expired; another user's is left alone."""
        with self.transaction(write=True) as conn:
            row = conn.execute(
                select(states_table)
                .where(states_table.c.state_hash == state_hash)
                .with_for_update()
            ).first()
            if row is None:
                return "unknown", None
            if row.client_id != client_id or row.user_key != user_key:
                return "foreign", None
            conn.execute(delete(states_table).where(states_table.c.state_hash == state_hash))
            if self.now() >= row.expires_at:
                return "expired", row
            return "ok", row

    def dispose(self) -> None:
        self.engine.dispose()


def _storage_error(exc: SQLAlchemyError) -> StorageError:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    detail = text[0] if text else type(exc).__name__
    if isinstance(exc, DBAPIError) and any(
        marker in detail.lower() for marker in ("lock", "timeout", "timed out")
    ):
        return StorageError(f"the token database timed out waiting for a lock: {detail}")
    if isinstance(exc, IntegrityError):
        return StorageError(f"the token database refused a write: {detail}")
    return StorageError(f"the token database failed: {detail}")


class RowLock:
    """One user's row locked across processes, from ``acquire`` to the commit of ``save`` (or
    ``release``). See the module docstring."""

    def __init__(self, store: DatabaseTokenStore) -> None:
        self._store = store
        self._conn: Connection | None = None
        self.waited_s = 0.0

    def acquire(self) -> None:
        db = self._store.db
        started = time.monotonic()
        try:
            conn = db._connect()
        except SQLAlchemyError as exc:
            raise _storage_error(exc) from None
        try:
            if db.dialect == "sqlite":
                conn.execution_options(pinkit_begin="IMMEDIATE")
            conn.begin()
            if db.dialect == "postgresql":
                conn.exec_driver_sql(
                    f"SET LOCAL lock_timeout = '{int(db.lock_timeout_s * 1000)}ms'"
                )
            conn.execute(
                select(tokens_table.c.user_key)
                .where(db._where(self._store.client_id, self._store.user_key))
                .with_for_update()
            )
        except SQLAlchemyError as exc:
            conn.close()
            raise _storage_error(exc) from None
        except BaseException:
            conn.close()
            raise
        self.waited_s = time.monotonic() - started
        self._conn = conn
        self._store._held = self

    def save(self, values: dict[str, Any]) -> None:
        """Write the new tokens and commit: the lock ends with the commit."""
        conn = self._conn
        assert conn is not None
        store = self._store
        try:
            store.db.write_tokens(conn, store.client_id, store.user_key, values)
            conn.commit()
        finally:
            self._finish()

    def delete(self) -> None:
        """Delete the row and commit: the lock ends with the commit."""
        conn = self._conn
        assert conn is not None
        store = self._store
        try:
            conn.execute(
                delete(tokens_table).where(store.db._where(store.client_id, store.user_key))
            )
            conn.commit()
        except SQLAlchemyError as exc:
            raise _storage_error(exc) from None
        finally:
            self._finish()

    def release(self) -> None:
        """End the lock without saving (roll back); nothing when already released."""
        self._finish()

    def _finish(self) -> None:
        conn, self._conn = self._conn, None
        if self._store._held is self:
            self._store._held = None
        if conn is not None:
            with contextlib.suppress(SQLAlchemyError):
                conn.close()  # rolls back whatever was not committed

    def __repr__(self) -> str:
        return f"RowLock(user_key={self._store.user_key!r}, held={self._conn is not None})"


class DatabaseTokenStore:
    """A ``pinkit.TokenStore`` for one user of one app in the token database.

    ``load`` raises ``NotConnectedError`` when the user has no tokens. ``lock()`` is what lets
    several processes refresh this user's token once: see the module docstring. Make one per
    client (``Connections.client`` does): the lock it hands out is the client's.
    """

    def __init__(self, db: TokenDatabase, client_id: str, user_key: str) -> None:
        self.db = db
        self.client_id = client_id
        self.user_key = check_user_key(user_key)
        self._held: RowLock | None = None

    def __repr__(self) -> str:
        return f"DatabaseTokenStore(client_id={self.client_id!r}, user_key={self.user_key!r})"

    def load(self) -> TokenSet:
        with self.db.transaction() as conn:
            token = self.db.read_tokens(conn, self.client_id, self.user_key)
        if token is None:
            raise NotConnectedError(
                f"no Pinterest tokens for user {self.user_key!r}: connect first "
                "(Connections.begin_login)"
            )
        return token

    def save(self, token: TokenSet) -> None:
        values = self.db._values(self.client_id, self.user_key, token)
        held = self._held
        if held is None:
            self.db.save_tokens(self.client_id, self.user_key, token)
            return
        try:
            held.save(values)  # UPDATE and COMMIT in the locked transaction: nothing else
        except SQLAlchemyError as exc:
            # The rotated refresh token exists only in memory now: write it again on a fresh
            # connection before giving up (the lock is gone, but a lost token is worse).
            for _ in range(3):
                try:
                    self.db.save_tokens(self.client_id, self.user_key, token)
                    return
                except StorageError:
                    time.sleep(0.2)
            raise _storage_error(exc) from None

    def clear(self) -> None:
        self.db.delete_tokens(self.client_id, self.user_key)

    def lock(self) -> RowLock:
        return RowLock(self)
