"""Token sets and where they are kept: no network, so the CLI can load them cheaply.

``FileTokenStore`` replaces its file atomically (write, fsync, rename) with mode 0600 in a
0700 directory: a crash mid-save never leaves a torn or world-readable token file. Its
``lock()`` is held across processes while a client reloads, refreshes and saves, so processes
sharing the file refresh one at a time and each later one finds the token the first saved.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ._operations import scopes
from ._redact import mask
from .errors import InvalidInputError

__all__ = [
    "REFRESH_LEEWAY_S",
    "SCOPES",
    "FileLock",
    "FileTokenStore",
    "MemoryTokenStore",
    "StoreLock",
    "TokenSet",
    "TokenStore",
]

# Every OAuth scope, from the spec (via the packaged operation table).
SCOPES: tuple[str, ...] = scopes()

# Refresh this long before expiry, so a request never leaves with a token about to die.
REFRESH_LEEWAY_S = 300.0


@dataclass(frozen=True, repr=False)
class TokenSet:
    """Tokens from one grant. Times are Unix epoch seconds; ``None`` means unknown."""

    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None
    refresh_token_expires_at: float | None = None
    scopes: tuple[str, ...] = field(default_factory=tuple)

    def __repr__(self) -> str:
        return (
            f"TokenSet(access_token={mask(self.access_token)}, "
            f"refresh_token={mask(self.refresh_token)}, expires_at={self.expires_at}, "
            f"refresh_token_expires_at={self.refresh_token_expires_at}, scopes={self.scopes})"
        )

    __str__ = __repr__

    def expires_within(self, seconds: float, *, now: float | None = None) -> bool:
        if self.expires_at is None:
            return False
        return (time.time() if now is None else now) >= self.expires_at - seconds

    def to_dict(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "refresh_token_expires_at": self.refresh_token_expires_at,
            "scopes": list(self.scopes),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TokenSet:
        return cls(
            access_token=str(data["access_token"]),
            refresh_token=data.get("refresh_token"),
            expires_at=data.get("expires_at"),
            refresh_token_expires_at=data.get("refresh_token_expires_at"),
            scopes=tuple(data.get("scopes") or ()),
        )


@runtime_checkable
class TokenStore(Protocol):
    """Where tokens live between runs. ``save`` is called on every refresh.

    A store that several processes share may also have ``lock() -> StoreLock``: the client
    holds that lock while it reloads the store, refreshes and saves (``FileTokenStore`` has
    one).
    """

    def load(self) -> TokenSet | None: ...

    def save(self, token: TokenSet) -> None: ...

    def clear(self) -> None: ...


class StoreLock(Protocol):
    """An exclusive lock between processes: ``acquire`` waits for it (a blocking call, which
    the async client makes in a worker thread); ``release`` never blocks and does nothing when
    the lock is not held."""

    def acquire(self) -> None: ...

    def release(self) -> None: ...


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only

    def _lock_fd(fd: int) -> None:
        import msvcrt  # the Windows counterpart of fcntl, which Windows lacks

        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # gives up after 10 s: try again
                return
            except OSError:
                continue

else:
    import fcntl

    def _lock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)


class FileLock:
    """An exclusive lock on a file between processes (``flock``); the lock file stays in place
    (removing it would let two processes lock two different files)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._guard = threading.Lock()

    def acquire(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock_fd(fd)
        except BaseException:
            os.close(fd)
            raise
        with self._guard:
            self._fd = fd

    def release(self) -> None:
        with self._guard:
            fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor releases its lock

    def __repr__(self) -> str:
        return f"FileLock({str(self.path)!r})"


class MemoryTokenStore:
    def __init__(self, token: TokenSet | None = None) -> None:
        self._token = token
        self._lock = threading.Lock()

    def load(self) -> TokenSet | None:
        with self._lock:
            return self._token

    def save(self, token: TokenSet) -> None:
        with self._lock:
            self._token = token

    def clear(self) -> None:
        with self._lock:
            self._token = None

    def __repr__(self) -> str:
        return f"MemoryTokenStore(token={self._token!r})"


def _read_token_file(path: Path) -> tuple[TokenSet | None, str | None]:
    """The token set in ``path`` (None if there is no file), or what is wrong with the file.

    Nothing is raised here, where the file's clear text is a local: the caller raises."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, exc.strerror or type(exc).__name__
    try:
        data = json.loads(text)
    except RecursionError:
        return None, "JSON nested too deeply"
    except ValueError as exc:
        return None, str(exc)  # the position only: a JSONDecodeError's text is no part of it
    try:
        return TokenSet.from_dict(data), None
    except (KeyError, TypeError, ValueError, AttributeError):
        return None, "no token set in it"


class FileTokenStore:
    """A JSON file, replaced atomically, mode 0600 in a 0700 directory."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()
        self._lock = threading.Lock()

    def load(self) -> TokenSet | None:
        with self._lock:
            token, problem = _read_token_file(self.path)
        if problem is not None:
            raise InvalidInputError(f"cannot read token file {self.path}: {problem}")
        return token

    def save(self, token: TokenSet) -> None:
        with self._lock:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tokens-", dir=self.path.parent)
            try:
                os.fchmod(fd, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(token.to_dict(), fh)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise

    def clear(self) -> None:
        with self._lock, contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def lock(self) -> FileLock:
        """A new lock on ``<file>.lock`` next to the token file, for one reload-refresh-save."""
        return FileLock(self.path.with_name(self.path.name + ".lock"))

    def __repr__(self) -> str:
        return f"FileTokenStore({str(self.path)!r})"
