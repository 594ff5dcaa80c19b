"""``Connections``: every user's Pinterest login for one app, in a database, for a web app.

One object per app and worker process. It runs the OAuth code flow with server-side states,
keeps each user's tokens encrypted in the database, and makes clients that refresh through the
database (one refresh across all workers), share one connection pool and one rate limiter, and
count their rate limits per user and app.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import anyio.to_thread
import httpx2

from .._client import CONNECTION_LIMITS, AsyncClient, Client
from .._clock import Clock
from .._ratelimit import LocalRateLimiter, RateLimiter, RateLimitsArg, pinned_categories
from .._ratelimit import resolve_limits as _resolve_limits
from .._tokens import TokenSet
from ..auth import OAuthApp
from ..errors import InvalidInputError, PinterestError
from ._crypto import TokenCipher
from ._errors import AccessDeniedError, LoginError, LoginStateError, NotConnectedError
from ._store import DatabaseTokenStore, RowLock, TokenDatabase, check_user_key

__all__ = ["ConnectionStatus", "Connections", "LoginResult"]

log = logging.getLogger("pinkit")
T = TypeVar("T")

LOGIN_TTL_S = 600.0  # a login state is good for 10 minutes
MAX_RETURN_TO = 2048


@dataclass(frozen=True)
class LoginResult:
    """A completed login: the tokens now stored for ``user_key``, the scopes Pinterest granted,
    and where the app asked to send the user afterwards (``begin_login(return_to=...)``)."""

    user_key: str
    tokens: TokenSet
    return_to: str | None
    scopes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class ConnectionStatus:
    """Whether ``user_key`` is connected, with what, and until when.

    ``expires_at``: when the login ends unless it is used (the refresh token's expiry: a
    continuous refresh token lives 60 days and each refresh renews it; without a refresh
    token, the access token's). ``access_expires_at``: the current access token's expiry.
    Times are Unix seconds; None when unknown or not connected.
    """

    user_key: str
    connected: bool
    scopes: tuple[str, ...] = ()
    expires_at: float | None = None
    access_expires_at: float | None = None
    connected_at: float | None = None
    updated_at: float | None = None
    refreshes: int = 0


def _check_return_to(return_to: str | None) -> str | None:
    """A path on this site (``/...``): never another origin, so the redirect after a login
    cannot be turned into an open redirect."""
    if return_to is None:
        return None
    if (
        not isinstance(return_to, str)
        or not return_to.startswith("/")
        or return_to.startswith(("//", "/\\"))
        or len(return_to) > MAX_RETURN_TO
        or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in return_to)
    ):
        raise InvalidInputError(
            "return_to must be a path on this site starting with a single '/' (such as "
            "'/settings'), without control characters"
        )
    return return_to


def _one(query: Mapping[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise LoginStateError(f"the callback carries {name} more than once: refused")
    return values[0]


def _state_hash(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


_STATE_MESSAGES = {
    "missing": "the callback has no state: it did not come from a login this app started",
    "unknown": "unknown or already used login state: start the login again",
    "foreign": "this login was started by another user: start the login again",
    "expired": "the login took longer than 10 minutes: start it again",
}


class Connections:
    """Every user's Pinterest connection for ``oauth_app``, kept in ``database_url``.

    ``database_url``: a SQLAlchemy URL (``sqlite:///app.db``, ``postgresql://user@host/db``;
    a plain path is a SQLite file). ``encryption_keys``: Fernet keys, newest first (None:
    ``PINKIT_TOKEN_KEYS``, comma-separated); with none at all it refuses to start unless
    ``allow_unencrypted=True`` (which warns). ``rate_limiter``: shared by every client made here
    (``pinkit.RedisRateLimiter`` to share it with the other workers too); by default one
    ``LocalRateLimiter`` for this process, with ``rate_limits``. ``client_options`` go to every
    ``Client``/``AsyncClient`` (``max_retries``, ``timeout``, ``ad_account_id``...).

    The methods that touch the database or Pinterest have async twins (``abegin_login``,
    ``acomplete_login``, ``adisconnect``, ``astatus``, ``arotate_keys``) that run the database
    work in worker threads and the HTTP calls on the event loop.
    """

    def __init__(
        self,
        database_url: str,
        oauth_app: OAuthApp,
        *,
        encryption_keys: Sequence[str] | str | None = None,
        allow_unencrypted: bool = False,
        rate_limiter: RateLimiter | None = None,
        rate_limits: RateLimitsArg = None,
        clock: Clock | None = None,
        login_ttl_s: float = LOGIN_TTL_S,
        lock_timeout_s: float = 60.0,
        http_client: httpx2.Client | None = None,
        async_http_client: httpx2.AsyncClient | None = None,
        client_options: Mapping[str, Any] | None = None,
        env: Mapping[str, str] = os.environ,
    ) -> None:
        if not isinstance(oauth_app, OAuthApp):
            raise InvalidInputError("Connections needs a pinkit.OAuthApp")
        if rate_limiter is not None and rate_limits is not None:
            raise InvalidInputError("pass rate_limits= or rate_limiter=, not both")
        self.oauth_app = oauth_app
        self.clock = oauth_app.clock if clock is None else clock
        cipher = TokenCipher(encryption_keys, allow_unencrypted=allow_unencrypted, env=env)
        self.db = TokenDatabase(
            database_url, cipher, clock=self.clock.now, lock_timeout_s=lock_timeout_s
        )
        if rate_limiter is None:
            limits = _resolve_limits(rate_limits)
            if limits is not None:
                rate_limiter = LocalRateLimiter(
                    limits, pinned=pinned_categories(rate_limits), clock=self.clock.now
                )
        self.rate_limiter = rate_limiter
        self._limits_off = rate_limiter is None
        self.login_ttl_s = login_ttl_s
        self._http = http_client
        self._owns_http = http_client is None
        self._async_http = async_http_client
        self._owns_async_http = async_http_client is None
        self.client_options = dict(client_options or {})
        for reserved in ("access_token", "oauth_app", "token_store", "http_client", "clock"):
            if reserved in self.client_options:
                raise InvalidInputError(f"client_options cannot set {reserved}: Connections does")

    def __repr__(self) -> str:
        return f"Connections({self.db!r}, client_id={self.oauth_app.client_id!r})"

    @property
    def client_id(self) -> str:
        return self.oauth_app.client_id

    # -- identities ------------------------------------------------------------------------------
    def rate_limit_key(self, user_key: str) -> str:
        """The identity this user's rate-limit buckets are kept under: the app's client_id and
        a digest of ``user_key``, the same in every worker and across refreshes."""
        check_user_key(user_key)
        digest = hashlib.sha256(f"{self.client_id}\0{user_key}".encode()).hexdigest()[:24]
        return f"{self.client_id}:u{digest}"

    def token_store(self, user_key: str) -> DatabaseTokenStore:
        """This user's tokens in the database, as a ``pinkit.TokenStore`` (one per client)."""
        return DatabaseTokenStore(self.db, self.client_id, user_key)

    # -- logging in ------------------------------------------------------------------------------
    def begin_login(
        self, user_key: str, scopes: Iterable[str], *, return_to: str | None = None
    ) -> str:
        """The Pinterest consent URL to redirect ``user_key`` to. Its ``state`` is kept on the
        server, bound to ``user_key``, good for one callback within 10 minutes."""
        url, state_hash, scope_text, checked = self._prepare_login(user_key, scopes, return_to)
        self.db.add_state(
            state_hash, self.client_id, user_key, scope_text, checked, self.login_ttl_s
        )
        return url

    async def abegin_login(
        self, user_key: str, scopes: Iterable[str], *, return_to: str | None = None
    ) -> str:
        url, state_hash, scope_text, checked = self._prepare_login(user_key, scopes, return_to)
        await self._thread(
            self.db.add_state,
            state_hash,
            self.client_id,
            user_key,
            scope_text,
            checked,
            self.login_ttl_s,
        )
        return url

    def _prepare_login(
        self, user_key: str, scopes: Iterable[str], return_to: str | None
    ) -> tuple[str, str, str, str | None]:
        check_user_key(user_key)
        checked = _check_return_to(return_to)
        scopes = list(scopes)
        state = secrets.token_urlsafe(32)
        url, _ = self.oauth_app.authorization_url(scopes, state)  # checks the scopes
        return url, _state_hash(state), ",".join(scopes), checked

    def _take_state(self, callback_url: str, user_key: str) -> tuple[str | None, Any]:
        """Check and consume the callback's state; (code or None, state row)."""
        check_user_key(user_key)
        if not isinstance(callback_url, str):
            raise InvalidInputError("callback_url must be the URL Pinterest redirected to")
        query = parse_qs(urlsplit(callback_url).query, keep_blank_values=True)
        state = _one(query, "state")
        if not state:
            raise LoginStateError(_STATE_MESSAGES["missing"])
        outcome, row = self.db.take_state(_state_hash(state), self.client_id, user_key)
        if outcome != "ok":
            raise LoginStateError(_STATE_MESSAGES[outcome])
        error = _one(query, "error")
        if error == "access_denied":
            raise AccessDeniedError(
                "the user declined to connect their Pinterest account", return_to=row.return_to
            )
        if error:
            detail = _one(query, "error_description")
            raise LoginError(
                f"Pinterest ended the login with error={error}" + (f": {detail}" if detail else ""),
                return_to=row.return_to,
            )
        code = _one(query, "code")
        if not code:
            raise LoginError("the callback carries no authorization code", return_to=row.return_to)
        return code, row

    def complete_login(self, callback_url: str, *, user_key: str) -> LoginResult:
        """Finish the login Pinterest redirected back from (the full callback URL, with its
        query): the state must exist, belong to ``user_key`` and be fresh; the code is then
        exchanged and the tokens stored. ``LoginStateError`` for a forged, reused, expired or
        foreign state and ``AccessDeniedError`` when the user declined; nothing is stored."""
        code, row = self._take_state(callback_url, user_key)
        assert code is not None
        tokens = self.oauth_app.exchange_code(code)
        self.db.save_tokens(self.client_id, user_key, tokens)
        return LoginResult(user_key, tokens, row.return_to, tokens.scopes)

    async def acomplete_login(self, callback_url: str, *, user_key: str) -> LoginResult:
        code, row = await self._thread(self._take_state, callback_url, user_key)
        assert code is not None
        tokens = await self.oauth_app.aexchange_code(code)
        await self._thread(self.db.save_tokens, self.client_id, user_key, tokens)
        return LoginResult(user_key, tokens, row.return_to, tokens.scopes)

    def save_tokens(self, user_key: str, tokens: TokenSet) -> None:
        """Store tokens obtained elsewhere for ``user_key`` (an import, a migration)."""
        check_user_key(user_key)
        self.db.save_tokens(self.client_id, user_key, tokens)

    # -- clients ---------------------------------------------------------------------------------
    def _client_kwargs(self, user_key: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "base_url": self.oauth_app.api_base_url,
            "oauth_app": self.oauth_app,
            "token_store": self.token_store(user_key),
            "clock": self.clock,
            "rate_limit_key": self.rate_limit_key(user_key),
            **self.client_options,
        }
        if self._limits_off:
            kwargs["rate_limits"] = False
        else:
            kwargs["rate_limiter"] = self.rate_limiter
        return kwargs

    def client(self, user_key: str) -> Client:
        """A ``Client`` acting as ``user_key`` (``NotConnectedError`` if the user has no
        tokens). It shares this object's connection pool and rate limiter, and refreshes and
        saves through the database. Closing it leaves the pool open."""
        if self._http is None:
            self._http = httpx2.Client(limits=CONNECTION_LIMITS)
        return Client(http_client=self._http, **self._client_kwargs(user_key))

    def async_client(self, user_key: str) -> AsyncClient:
        """An ``AsyncClient`` acting as ``user_key``; its first request reads the tokens (in a
        worker thread: ``NotConnectedError`` if there are none). Use it on one event loop: the
        connection pool it shares belongs to that loop."""
        if self._async_http is None:
            self._async_http = httpx2.AsyncClient(limits=CONNECTION_LIMITS)
        return AsyncClient(http_client=self._async_http, **self._client_kwargs(user_key))

    # -- status, disconnect, keys ---------------------------------------------------------------
    def status(self, user_key: str) -> ConnectionStatus:
        """Whether ``user_key`` is connected, the scopes, and when the login expires (reads no
        secret: needs no key)."""
        check_user_key(user_key)
        row = self.db.row_info(self.client_id, user_key)
        if row is None:
            return ConnectionStatus(user_key, False)
        return ConnectionStatus(
            user_key,
            True,
            scopes=row.scopes,
            expires_at=row.refresh_expires_at
            if row.refresh_expires_at is not None
            else row.expires_at,
            access_expires_at=row.expires_at,
            connected_at=row.created_at,
            updated_at=row.updated_at,
            refreshes=row.refreshes,
        )

    async def astatus(self, user_key: str) -> ConnectionStatus:
        status: ConnectionStatus = await self._thread(self.status, user_key)
        return status

    def _locked_tokens(self, user_key: str) -> tuple[DatabaseTokenStore, RowLock, TokenSet | None]:
        store = self.token_store(user_key)
        lock = store.lock()
        lock.acquire()  # no refresh of this user can start or end while we revoke
        try:
            tokens = store.load()
        except NotConnectedError:
            tokens = None
        except BaseException:
            lock.release()
            raise
        return store, lock, tokens

    def disconnect(self, user_key: str) -> bool:
        """Ask Pinterest to revoke the user's tokens, then delete them. They are deleted even
        when Pinterest refuses (it revokes only system users' tokens, api-facts §3.1) or cannot
        be reached. True when Pinterest revoked them, False otherwise (or nothing was stored)."""
        check_user_key(user_key)
        _store, lock, tokens = self._locked_tokens(user_key)
        revoked = False
        try:
            if tokens is not None:
                revoked = self._revoke(tokens)
        finally:
            lock.delete()  # deletes and commits in the locked transaction: no refresh between
        return revoked

    async def adisconnect(self, user_key: str) -> bool:
        check_user_key(user_key)
        _store, lock, tokens = await self._thread(self._locked_tokens, user_key)
        revoked = False
        try:
            if tokens is not None:
                revoked = await self._arevoke(tokens)
        finally:
            await self._thread(lock.delete)
        return revoked

    def _revoke(self, tokens: TokenSet) -> bool:
        revoked = True
        for token, hint in ((tokens.refresh_token, "refresh_token"), (tokens.access_token, None)):
            if not token:
                continue
            try:
                self.oauth_app.revoke(token, token_type_hint=hint)
            except PinterestError as exc:
                log.info("Pinterest did not revoke the %s: %s", hint or "access_token", exc)
                revoked = False
        return revoked

    async def _arevoke(self, tokens: TokenSet) -> bool:
        revoked = True
        for token, hint in ((tokens.refresh_token, "refresh_token"), (tokens.access_token, None)):
            if not token:
                continue
            try:
                await self.oauth_app.arevoke(token, token_type_hint=hint)
            except PinterestError as exc:
                log.info("Pinterest did not revoke the %s: %s", hint or "access_token", exc)
                revoked = False
        return revoked

    def rotate_keys(self) -> int:
        """Re-encrypt every stored token of this app with the newest key (the first of
        ``encryption_keys``); how many rows changed. Run it after putting a new key first;
        then the old keys can go."""
        if not self.db.cipher.encrypts:
            raise InvalidInputError("rotate_keys needs encryption keys")
        return self.db.rotate(self.client_id)

    async def arotate_keys(self) -> int:
        rotated: int = await self._thread(self.rotate_keys)
        return rotated

    # -- lifecycle -------------------------------------------------------------------------------
    @staticmethod
    async def _thread(fn: Any, *args: Any) -> Any:
        return await anyio.to_thread.run_sync(partial(fn, *args))

    def close(self) -> None:
        """Close the connection pools (HTTP and database) this object made."""
        if self._http is not None and self._owns_http:
            self._http.close()
            self._http = None
        self.db.dispose()

    async def aclose(self) -> None:
        if self._async_http is not None and self._owns_async_http:
            await self._async_http.aclose()
            self._async_http = None
        await anyio.to_thread.run_sync(self.close)

    def __enter__(self) -> Connections:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Connections:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
