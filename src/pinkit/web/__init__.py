"""pinkit for web apps (extra ``pinkit[web]``): many users, many worker processes, a database.

- ``Connections`` (sync and async methods): the OAuth login with server-side states, every
  user's tokens encrypted in a SQL database (SQLite or PostgreSQL, through SQLAlchemy 2),
  clients per user that refresh once across all workers, share one connection pool and one
  rate limiter, and disconnect, key rotation and status.
- ``tag_event``: the Pinterest tag's snippet for an event, with the ``event_id`` the server's
  conversion uses, so Pinterest counts the event once.

See docs/webapp.md. Names load on first use: ``from pinkit.web import tag_event`` imports
neither SQLAlchemy nor cryptography.
"""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from ._connections import Connections, ConnectionStatus, LoginResult
    from ._crypto import KEYS_ENV, generate_key
    from ._errors import (
        AccessDeniedError,
        LoginError,
        LoginStateError,
        NotConnectedError,
        StorageError,
    )
    from ._store import SCHEMA_VERSION, DatabaseTokenStore, RowLock
    from ._tag import TAG_EVENT_NAMES, tag_event

_LAZY = {
    "ConnectionStatus": "._connections",
    "Connections": "._connections",
    "LoginResult": "._connections",
    "KEYS_ENV": "._crypto",
    "generate_key": "._crypto",
    "AccessDeniedError": "._errors",
    "LoginError": "._errors",
    "LoginStateError": "._errors",
    "NotConnectedError": "._errors",
    "StorageError": "._errors",
    "SCHEMA_VERSION": "._store",
    "DatabaseTokenStore": "._store",
    "RowLock": "._store",
    "TAG_EVENT_NAMES": "._tag",
    "tag_event": "._tag",
}

__all__ = [
    "AccessDeniedError",
    "ConnectionStatus",
    "Connections",
    "DatabaseTokenStore",
    "KEYS_ENV",
    "LoginError",
    "LoginResult",
    "LoginStateError",
    "NotConnectedError",
    "RowLock",
    "SCHEMA_VERSION",
    "StorageError",
    "TAG_EVENT_NAMES",
    "generate_key",
    "tag_event",
]


def __getattr__(name: str) -> Any:
    from importlib import import_module

    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pinkit.web' has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
