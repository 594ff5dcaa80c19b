"""``Emulator``: the emulator as a Python object, for tests and the demo.

It runs either in-process (``transport()`` / ``async_transport()``, no sockets) or as a real HTTP
server on a free loopback port (``with Emulator() as emu:`` / ``start()``). Both use the same app
and state. The only place that touches pinkit's client types, lazily, is the convenience methods
returning ``pinkit.Client``, ``TokenSet`` and ``OAuthApp``.
"""

from __future__ import annotations

import weakref
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx2
from starlette.applications import Starlette

from ._app import create_app
from ._backend import Backend
from ._clock import Clock
from ._consent import decide_url
from ._faults import Fault
from ._records import RequestRecord
from ._server import ThreadedServer
from ._store import Tx
from ._transport import SyncASGITransport

if TYPE_CHECKING:
    from pinkit import AsyncClient, Client
    from pinkit.auth import OAuthApp, TokenSet

__all__ = ["Emulator"]

IN_PROCESS_ORIGIN = "http://emulator.local"


class Emulator:
    """A stateful local Pinterest API v5.

    ``state_path=None`` keeps the state in memory; a path keeps it in that SQLite file, which
    survives restarts and can be shared by several processes.
    """

    def __init__(self, *, state_path: str | Path | None = None) -> None:
        self._backend = Backend(state_path)
        self.app: Starlette = create_app(self._backend)
        self._server: ThreadedServer | None = None
        self._transports: weakref.WeakSet[SyncASGITransport] = weakref.WeakSet()

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> Emulator:
        """Serve over HTTP on 127.0.0.1 and a free port, in a background thread."""
        if self._server is None:
            server = ThreadedServer(self.app)
            server.start()
            self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def close(self) -> None:
        """Stop serving, close the in-process transports handed out, release the store."""
        self.stop()
        for transport in list(self._transports):
            transport.close()
        self._backend.store.close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT`` when serving, else the in-process ``http://emulator.local``."""
        if self._server is None:
            return IN_PROCESS_ORIGIN
        return f"http://{self._server.host}:{self._server.port}"

    @property
    def base_url(self) -> str:
        """The API base URL (``.../v5``) to give a client."""
        return f"{self.origin}/v5"

    @property
    def authorize_url(self) -> str:
        """The consent page (the emulator's ``https://www.pinterest.com/oauth/``)."""
        return f"{self.origin}/oauth/"

    # -- transports and clients -----------------------------------------------------------------
    def transport(self) -> httpx2.BaseTransport:
        """A sync httpx2 transport that runs the app in-process (no sockets)."""
        transport = SyncASGITransport(self.app)
        self._transports.add(transport)
        return transport

    def async_transport(self) -> httpx2.AsyncBaseTransport:
        return httpx2.ASGITransport(app=self.app)

    def http_client(self, **kw: Any) -> httpx2.Client:
        """A plain ``httpx2.Client`` for the API: over HTTP when serving, else in-process."""
        if self.running:
            return httpx2.Client(base_url=self.base_url, **kw)
        return httpx2.Client(transport=self.transport(), base_url=self.base_url, **kw)

    def client(self, **kw: Any) -> Client:
        """A ``pinkit.Client`` with an all-scopes token for the default user, on the emulator
        clock unless ``clock=`` says otherwise (its waits advance emulator time instantly)."""
        from pinkit import Client

        kw.setdefault("access_token", self.issue_token().access_token)
        kw.setdefault("base_url", self.base_url)
        kw.setdefault("clock", self.clock)
        if not self.running:
            kw.setdefault(
                "http_client", httpx2.Client(transport=self.transport(), base_url=self.base_url)
            )
        return Client(**kw)

    def async_client(self, **kw: Any) -> AsyncClient:
        """A ``pinkit.AsyncClient`` with an all-scopes token for the default user, on the
        emulator clock unless ``clock=`` says otherwise."""
        from pinkit import AsyncClient

        kw.setdefault("access_token", self.issue_token().access_token)
        kw.setdefault("base_url", self.base_url)
        kw.setdefault("clock", self.clock)
        if not self.running:
            kw.setdefault(
                "http_client",
                httpx2.AsyncClient(transport=self.async_transport(), base_url=self.base_url),
            )
        return AsyncClient(**kw)

    # -- OAuth --------------------------------------------------------------------------------
    def register_app(self, redirect_uri: str, *, name: str | None = None) -> OAuthApp:
        """A new OAuth app (numeric client_id, random secret) pointing at this emulator."""
        app = self._backend.register_app(redirect_uri, name=name)
        return self._oauth_app(app, redirect_uri)

    @property
    def default_app(self) -> OAuthApp:
        """The built-in app that ``issue_token()`` tokens belong to (accepts loopback redirects)."""
        app = self._backend.default_app()
        return self._oauth_app(app, app["redirect_uris"][0])

    def _oauth_app(self, app: dict[str, Any], redirect_uri: str) -> OAuthApp:
        from pinkit.auth import OAuthApp

        extra: dict[str, Any] = {}
        if not self.running:  # in-process: the app's token calls must not touch the network
            extra["http_client"] = httpx2.Client(transport=self.transport())
            extra["async_http_client"] = httpx2.AsyncClient(transport=self.async_transport())
        return OAuthApp(
            app["client_id"],
            app["client_secret"],
            redirect_uri,
            api_base_url=self.base_url,
            authorize_url=self.authorize_url,
            **extra,
        )

    def app_secret(self, client_id: str) -> str:
        """The client_secret of a registered app (for tests doing the token calls by hand)."""
        with self._backend.store.read() as tx:
            app = tx.get("oauth_app", client_id)
        if app is None:
            raise KeyError(client_id)
        return str(app["client_secret"])

    def authorize(self, url: str, *, approve: bool = True) -> str:
        """Answer the consent page for authorize ``url`` headlessly; returns the redirect URL
        (with ``code`` and ``state``, or ``error=access_denied`` when ``approve`` is false)."""
        return decide_url(self._backend, url, approve=approve)

    def issue_token(
        self,
        scopes: list[str] | tuple[str, ...] | None = None,
        expires_in: int = 2592000,
        *,
        user_id: str | None = None,
    ) -> TokenSet:
        """A valid token set for ``user_id`` (None: the default user) and the default app,
        skipping the OAuth dance.

        ``scopes=None`` grants all 19 scopes. The refresh token works with ``default_app``.
        """
        from pinkit.auth import TokenSet

        grant = self.issue_token_raw(scopes, expires_in, user_id=user_id)
        return TokenSet(
            access_token=grant["access_token"],
            refresh_token=grant["refresh_token"],
            expires_at=grant["expires_at"],
            refresh_token_expires_at=float(grant["refresh_token_expires_at"]),
            scopes=tuple(grant["scopes"]),
        )

    def issue_token_raw(
        self,
        scopes: list[str] | tuple[str, ...] | None = None,
        expires_in: int = 2592000,
        *,
        user_id: str | None = None,
    ) -> dict[str, Any]:
        """``issue_token`` as the token endpoint's JSON plus ``expires_at`` and ``scopes``."""
        return self._backend.issue_token(
            None if scopes is None else list(scopes), expires_in, user_id=user_id
        )

    def create_user(self, username: str) -> str:
        """Add another user (a PINNER account) and return its ID. Give it tokens with
        ``issue_token(user_id=...)``; its boards and pins follow the same privacy rules as
        Pinterest's for everyone else."""
        return self._backend.create_user(username)

    # -- test controls ------------------------------------------------------------------------
    def store_read(self) -> AbstractContextManager[Tx]:
        """A read transaction on the state store, for assertions on what the emulator holds."""
        return self._backend.store.read()

    @property
    def clock(self) -> Clock:
        return self._backend.clock

    @property
    def default_user_id(self) -> str:
        return self._backend.default_user_id

    @property
    def requests(self) -> list[RequestRecord]:
        """Every /v5 request answered so far, oldest first."""
        return self._backend.recorder.all()

    def clear_requests(self) -> None:
        self._backend.recorder.clear()

    def inject_fault(
        self,
        status: int,
        *,
        operation: str | None = None,
        count: int = 1,
        body: Any = None,
        headers: dict[str, str] | None = None,
        after_processing: bool = False,
    ) -> None:
        """Answer the next ``count`` requests for ``operation`` (an operationId such as
        ``"user_account/get"``; None = any) with ``status``. ``body`` defaults to a
        Pinterest-shaped error. With ``after_processing`` the handler runs (and its state
        changes are kept) before the fault replaces its answer."""
        if operation is not None:
            from pinkit._operations import by_id

            by_id(operation)  # a typo should fail here, not silently never match
        self._backend.inject_fault(
            Fault(
                status=status,
                operation=operation,
                count=count,
                body=body,
                headers=dict(headers or {}),
                after_processing=after_processing,
            )
        )

    def set_rate_limit(self, category: str, limit: int, window_s: float = 60.0) -> None:
        """Allow ``limit`` requests per ``window_s`` seconds in ``category`` (per user and app)."""
        self._backend.limiter.set_limit(category, limit, window_s)

    def seed_followers(self, count: int) -> None:
        """Replace the default user's followers with ``count`` generated ones."""
        self._backend.seed_followers(count)

    def seed_pins(self, count: int, *, board_id: str | None = None) -> str:
        """Add ``count`` image pins in one transaction (fast: 100,000 in about a second) to
        ``board_id``, or to a new PUBLIC board of the default user; returns the board ID."""
        return self._backend.seed_pins(count, board_id)

    def configure_media(self, processing_seconds: float = 2.0, outcome: str = "succeeded") -> None:
        """How later video uploads behave: they stay ``processing`` for ``processing_seconds``
        of emulator time, then end as ``outcome`` (``"succeeded"``, or ``"failed"`` for every
        upload). Bytes that are not an ISO-BMFF video always fail. ``reset()`` restores the
        defaults."""
        self._backend.configure_media(processing_seconds, outcome)

    def reset(self) -> None:
        """Fresh state; clears faults, request records and rate-limit settings."""
        self._backend.reset()
