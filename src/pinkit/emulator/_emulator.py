"""``Emulator``: the emulator as a Python object, for tests and the demo; ``serve`` for the CLI.

It runs either in-process (``transport()`` / ``async_transport()``, no sockets) or as a real HTTP
server on a free loopback port (``with Emulator() as emu:`` / ``start()``). Both use the same app
and state. Its test controls are the ones the areas declare (see ``_controls``): each method
below that is bound from a control is the same function as its ``/_emulator/`` route.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx2
import uvicorn
from starlette.applications import Starlette

from pinkit._client import AsyncClient, Client
from pinkit._tokens import TokenSet
from pinkit.auth import OAuthApp

from . import _core_controls as core
from ._app import create_app
from ._backend import IN_PROCESS_ORIGIN, Backend
from ._clock import Clock
from ._records import RequestRecord
from ._registry import Registry
from ._server import ThreadedServer, bind_socket
from ._store import Tx
from ._transport import SyncASGITransport
from .areas import AREAS
from .areas.ad_accounts import controls as ad_accounts
from .areas.ad_accounts.rules import AdAccountRules
from .areas.analytics import controls as analytics
from .areas.conversions import controls as conversions
from .areas.customer_lists import controls as customer_lists
from .areas.media import controls as media
from .areas.oauth import controls as oauth
from .areas.oauth.rules import OAuthRules
from .areas.pins import controls as pins
from .areas.user_account import controls as users

__all__ = ["Emulator", "serve"]


def _registry() -> Registry:
    return Registry(AREAS)


def _as_token_set(emulator: Emulator, grant: dict[str, Any]) -> TokenSet:
    return TokenSet(
        access_token=grant["access_token"],
        refresh_token=grant["refresh_token"],
        expires_at=grant["expires_at"],
        refresh_token_expires_at=float(grant["refresh_token_expires_at"]),
        scopes=tuple(grant["scopes"]),
    )


def _as_oauth_app(emulator: Emulator, app: dict[str, Any]) -> OAuthApp:
    return emulator._oauth_app(app["client_id"], app["client_secret"], app["redirect_uri"])


class Emulator:
    """A stateful local Pinterest API v5.

    ``state_path=None`` keeps the state in memory; a path keeps it in that SQLite file, which
    survives restarts and can be shared by several processes. ``sandbox=True`` answers as
    ``https://api-sandbox.pinterest.com/v5`` does: operations the spec marks
    ``x-sandbox: disabled`` are refused, and ``sandbox/delete`` works.
    """

    def __init__(self, *, state_path: str | Path | None = None, sandbox: bool = False) -> None:
        self._backend = Backend(_registry(), state_path, sandbox=sandbox)
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
            self._backend.origin = f"http://{server.host}:{server.port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
            self._backend.origin = IN_PROCESS_ORIGIN

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
    def sandbox(self) -> bool:
        return self._backend.sandbox

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT`` when serving, else the in-process ``http://emulator.local``."""
        return self._backend.origin

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
    @property
    def default_app(self) -> OAuthApp:
        """The built-in app that ``issue_token()`` tokens belong to (accepts loopback redirects)."""
        with self._backend.read() as state:
            app = state.rules(OAuthRules).default_app()
        return self._oauth_app(app["client_id"], app["client_secret"], app["redirect_uris"][0])

    def _oauth_app(self, client_id: str, secret: str, redirect_uri: str) -> OAuthApp:
        extra: dict[str, Any] = {}
        if not self.running:  # in-process: the app's token calls must not touch the network
            extra["http_client"] = httpx2.Client(transport=self.transport())
            extra["async_http_client"] = httpx2.AsyncClient(transport=self.async_transport())
        return OAuthApp(
            client_id,
            secret,
            redirect_uri,
            api_base_url=self.base_url,
            authorize_url=self.authorize_url,
            clock=self.clock,
            **extra,
        )

    def app_secret(self, client_id: str) -> str:
        """The client_secret of a registered app (for tests doing the token calls by hand)."""
        with self._backend.read() as state:
            app = state.rules(OAuthRules).get_app(client_id)
        if app is None:
            raise KeyError(client_id)
        return str(app["client_secret"])

    # -- test controls: each one declared once, in its area -----------------------------------
    info = oauth.info.bind()
    register_app = oauth.register_app.bind_as(_as_oauth_app)
    issue_token = oauth.issue_token.bind_as(_as_token_set)
    issue_conversion_token = oauth.issue_conversion_token.bind_as(
        lambda _, made: str(made["access_token"])
    )
    authorize = oauth.authorize.bind()
    create_user = users.create_user.bind_as(lambda _, created: str(created["id"]))
    seed_followers = users.seed_followers.bind()
    seed_pins = pins.seed_pins.bind_as(lambda _, seeded: str(seeded["board_id"]))
    create_ad_account = ad_accounts.create_ad_account.bind_as(lambda _, made: str(made["id"]))
    grant_ad_account_role = ad_accounts.grant_ad_account_role.bind()
    conversion_events = conversions.conversion_events.bind()
    configure_customer_lists = customer_lists.configure_customer_lists.bind()
    fail_next_reports = analytics.fail_next_reports.bind()
    configure_reports = analytics.configure_reports.bind()
    media_config = media.media_config.bind()
    configure_media = media.configure_media.bind()
    reset = core.reset.bind()
    clear_requests = core.clear_requests.bind()
    pending_faults = core.pending_faults.bind()
    inject_fault = core.inject_fault.bind()
    clear_faults = core.clear_faults.bind()
    clock_state = core.clock_state.bind()
    advance_clock = core.advance_clock.bind()
    rate_limits = core.rate_limits.bind()
    set_rate_limit = core.set_rate_limit.bind()

    @property
    def requests(self) -> list[RequestRecord]:
        """Every /v5 request answered so far, oldest first (the ``requests`` control)."""
        return core.requests.call(self._backend)

    @property
    def clock(self) -> Clock:
        """Emulator time: ``now()``, ``advance(seconds)``, and ``sleep`` for clients."""
        return self._backend.clock

    @property
    def default_user_id(self) -> str:
        return self._backend.default_user_id

    @property
    def default_ad_account_id(self) -> str:
        """The default user's own ad account (USD), made with the fresh state."""
        with self._backend.write() as state:
            accounts = state.rules(AdAccountRules)
            accounts.ensure_for(state.default_user_id)
            owned = state.tx.list("ad_account", owner=state.default_user_id, limit=1)
        return owned[0].id

    def store_read(self) -> AbstractContextManager[Tx]:
        """A read transaction on the state store, for assertions on what the emulator holds."""
        return self._backend.store.read()


def serve(
    host: str = "127.0.0.1",
    port: int = 8080,
    state_path: str | Path | None = None,
    *,
    sandbox: bool = False,
    on_ready: Callable[[str], None] | None = None,
    record_limit_mb: int | None = None,
) -> None:
    """Run the emulator until interrupted (``pinkit emulator serve``).

    The socket is bound (and the state opened) before ``on_ready(base_url)`` is called, so the
    URL it gets is one that answers; a port in use raises ``OSError`` before anything is served.
    With ``state_path`` the state lives in that SQLite file: it survives restarts and can be
    shared with other processes (CLI runs, a second server). ``record_limit_mb`` bounds what
    the request records hold (the oldest go first; None keeps all). The process's
    garbage collector is tuned for serving (see ``_tune_gc``).
    """
    if record_limit_mb is not None and (
        isinstance(record_limit_mb, bool) or not isinstance(record_limit_mb, int)
    ):
        raise TypeError(f"record_limit_mb must be a whole number of MB, got {record_limit_mb!r}")
    if record_limit_mb is not None and record_limit_mb < 1:
        raise ValueError("record_limit_mb must be at least 1")
    limit = None if record_limit_mb is None else record_limit_mb * 2**20
    backend = Backend(_registry(), state_path, sandbox=sandbox, record_limit_bytes=limit)
    sock = bind_socket(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    backend.origin = f"http://{shown}:{bound_port}"
    app = create_app(backend)
    _tune_gc()
    if on_ready is not None:
        on_ready(f"{backend.origin}/v5")
    config = uvicorn.Config(app, log_level="info", lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        backend.store.close()


#: Net new containers between young collections while serving (the default is 700).
SERVE_GC_THRESHOLD = 50_000


def _tune_gc() -> None:
    """Collection thresholds for a process that only serves: what is loaded at start (the spec,
    the compiled checks) is frozen out of collections, and young collections wait for 50,000
    new containers. A 1,000-event conversions body decodes into some 6,000 of them, all freed
    with the request; with the default threshold every request set off collections that
    walked the whole heap (about a fifth of the emulator's time per event)."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(SERVE_GC_THRESHOLD, middle, old)
