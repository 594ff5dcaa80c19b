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
from ._seed import USER, find_user_by_username, seed
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
        self,
        scopes: list[str] | None = None,
        expires_in: int = _oauth.ACCESS_TOKEN_TTL,
        user_id: str | None = None,
    ) -> dict[str, Any]:
        """User tokens for ``user_id`` (default: the default user) through the default app,
        without the OAuth dance."""
        granted = (
            list(_oauth.ALL_SCOPES) if scopes is None else _oauth.parse_scopes(" ".join(scopes))
        )
        now = self.clock.now()
        with self.store.write() as tx:
            if user_id is not None and tx.get(USER, user_id) is None:
                raise ValueError(f"no user {user_id}")
            grant = _oauth.issue_user_tokens(
                tx,
                user_id=user_id or self.meta("default_user"),
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

    def create_user(self, username: str) -> str:
        """Another (PINNER) user, e.g. to own boards the default user must not touch."""
        if not isinstance(username, str) or not username.strip() or " " in username:
            raise ValueError("username must be a non-empty string without spaces")
        with self.store.write() as tx:
            if find_user_by_username(tx, username) is not None:
                raise ValueError(f"username {username!r} is taken")
            user_id = tx.new_id()
            tx.insert(
                USER, {"id": user_id, "username": username, "account_type": "PINNER"}, id=user_id
            )
        return user_id

    def seed_pins(self, count: int, board_id: str | None = None) -> str:
        """``count`` image pins on ``board_id`` (or on a new board of the default user) in one
        transaction; returns the board ID."""
        from .routes.pins import seed_pins

        now = self.clock.now()
        with self.store.write() as tx:
            return seed_pins(tx, self.meta("default_user"), now, count, board_id)

    def configure_media(
        self, processing_seconds: float | None = None, outcome: str | None = None
    ) -> dict[str, Any]:
        from .routes.media import set_media_config

        with self.store.write() as tx:
            return set_media_config(tx, processing_seconds, outcome)

    def media_config(self) -> dict[str, Any]:
        from .routes.media import media_config

        with self.store.read() as tx:
            return media_config(tx)
