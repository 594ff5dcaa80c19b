"""The emulator's moving parts in one object, shared by the ASGI app and the ``Emulator``.

``Backend`` owns the store, the clock and the in-memory test controls (faults, rate limits,
request records). It has no idea about HTTP servers or pinkit's client: ``Emulator`` wraps it
for Python users and the ``/_emulator/`` routes expose it over HTTP.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import _oauth
from ._clock import Clock
from ._faults import Fault, FaultQueue
from ._ratelimit import RateLimiter
from ._records import Recorder
from ._seed import seed
from ._store import Store

__all__ = ["Backend"]


class Backend:
    def __init__(self, state_path: str | Path | None = None) -> None:
        # Handlers register themselves on import; the app needs them all before serving.
        from . import routes  # noqa: F401

        self.store = Store(state_path)
        self.clock = Clock(self.store)
        self.limiter = RateLimiter()
        self.faults = FaultQueue()
        self.recorder = Recorder()
        with self.store.write() as tx:
            if tx.meta_get("seeded") is None:
                seed(tx, self.clock.now())

    # -- state ----------------------------------------------------------------------------------
    def reset(self) -> None:
        """Fresh state; clears faults, request records and rate-limit settings too."""
        with self.store.write() as tx:
            tx.wipe()
            seed(tx, self.clock.now())
        self.limiter.reset()
        self.faults.clear()
        self.recorder.clear()

    def meta(self, key: str) -> str:
        with self.store.read() as tx:
            value = tx.meta_get(key)
        if value is None:  # pragma: no cover - seeded in __init__
            raise RuntimeError(f"emulator state has no {key!r}")
        return value

    @property
    def default_user_id(self) -> str:
        return self.meta("default_user")

    def default_app(self) -> dict[str, Any]:
        with self.store.read() as tx:
            app = _oauth.get_app(tx, self.meta("default_app"))
        assert app is not None
        return app

    # -- OAuth ----------------------------------------------------------------------------------
    def register_app(self, redirect_uri: str, *, name: str | None = None) -> dict[str, Any]:
        with self.store.write() as tx:
            return _oauth.create_app(
                tx, owner=self.meta("default_user"), redirect_uris=[redirect_uri], name=name
            )

    def issue_token(
        self, scopes: list[str] | None = None, expires_in: int = _oauth.ACCESS_TOKEN_TTL
    ) -> dict[str, Any]:
        """User tokens for the default user through the default app, without the OAuth dance."""
        granted = (
            list(_oauth.ALL_SCOPES) if scopes is None else _oauth.parse_scopes(" ".join(scopes))
        )
        now = self.clock.now()
        with self.store.write() as tx:
            grant = _oauth.issue_user_tokens(
                tx,
                user_id=self.meta("default_user"),
                client_id=self.meta("default_app"),
                scopes=granted,
                now=now,
                expires_in=expires_in,
            )
        grant["expires_at"] = now + expires_in
        grant["scopes"] = granted
        return grant

    # -- test controls ------------------------------------------------------------------------
    def inject_fault(self, fault: Fault) -> None:
        self.faults.add(fault)

    def seed_followers(self, count: int) -> None:
        """Replace the default user's followers with ``count`` generated ones."""
        from .routes.user_account import replace_followers

        if count < 0:
            raise ValueError("count must be >= 0")
        with self.store.write() as tx:
            replace_followers(tx, self.meta("default_user"), count)
