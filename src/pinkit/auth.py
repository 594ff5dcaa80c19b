"""OAuth 2.0 for Pinterest: the app, the token endpoint and automatic refresh.

Pinterest rotates refresh tokens (continuous refresh): every refresh answer carries a new
refresh token and the old one may stop working at once. Losing the new one logs the user out
for good, so every refresh is saved to the token store before the new token is used.
"""

from __future__ import annotations

import base64
import functools
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx2

from . import _base
from ._clock import SYSTEM_CLOCK, Clock
from ._flow import Blocking, Exclusive, Flow, Locks, Send, run_async, run_sync
from ._ratelimit import token_fingerprint
from ._tokens import (
    REFRESH_LEEWAY_S,
    SCOPES,
    FileTokenStore,
    MemoryTokenStore,
    TokenSet,
    TokenStore,
)
from .errors import AuthenticationError, InvalidInputError, OAuthError

__all__ = [
    "DEFAULT_API_BASE_URL",
    "DEFAULT_AUTHORIZE_URL",
    "SCOPES",
    "FileTokenStore",
    "MemoryTokenStore",
    "OAuthApp",
    "TokenSet",
    "TokenStore",
]

T = TypeVar("T")

DEFAULT_API_BASE_URL = "https://api.pinterest.com/v5"
DEFAULT_AUTHORIZE_URL = "https://www.pinterest.com/oauth/"


def _split_scopes(value: str | None) -> tuple[str, ...]:
    return tuple(s for s in (value or "").replace(",", " ").split() if s)


def _join_scopes(scopes: Iterable[str]) -> str:
    scopes = list(scopes)
    if not scopes:
        raise InvalidInputError("at least one scope is required")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise InvalidInputError(f"unknown scope(s): {', '.join(unknown)}")
    return ",".join(scopes)


def _expiry(now: float, seconds_in: Any, at: Any) -> float | None:
    if isinstance(seconds_in, (int, float)):
        return now + float(seconds_in)
    if isinstance(at, (int, float)):
        return float(at) / 1000 if at > 1e12 else float(at)
    return None


class OAuthApp:
    """A registered Pinterest app: builds the consent URL and talks to the token endpoint.

    Client authentication is HTTP Basic ``client_id:client_secret``; bodies are form-encoded;
    scopes are comma-separated, as Pinterest expects. Expiry times are counted from ``clock``
    (the system clock by default; a client refreshing through the app uses its own).
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        *,
        api_base_url: str | None = None,
        authorize_url: str | None = None,
        http_client: httpx2.Client | None = None,
        async_http_client: httpx2.AsyncClient | None = None,
        clock: Clock | None = None,
    ) -> None:
        if not client_id or not client_secret:
            raise InvalidInputError("OAuthApp needs a client_id and a client_secret")
        self.client_id = client_id
        self._client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.api_base_url = (api_base_url or DEFAULT_API_BASE_URL).rstrip("/")
        self.authorize_endpoint = authorize_url or DEFAULT_AUTHORIZE_URL
        self._http_client = http_client
        self._async_http_client = async_http_client
        self.clock = SYSTEM_CLOCK if clock is None else clock
        self._locks = Locks()

    def __repr__(self) -> str:
        return (
            f"OAuthApp(client_id={self.client_id!r}, client_secret=[REDACTED], "
            f"redirect_uri={self.redirect_uri!r}, api_base_url={self.api_base_url!r})"
        )

    @property
    def token_url(self) -> str:
        return f"{self.api_base_url}/oauth/token"

    @property
    def revoke_url(self) -> str:
        return f"{self.api_base_url}/oauth/token/revoke"

    def authorization_url(self, scopes: Iterable[str], state: str | None = None) -> tuple[str, str]:
        """The consent page URL and the ``state`` to check on the redirect."""
        state = state or secrets.token_urlsafe(24)
        query = urlencode(
            {
                "client_id": self.client_id,
                "redirect_uri": self.redirect_uri,
                "response_type": "code",
                "scope": _join_scopes(scopes),
                "state": state,
            }
        )
        sep = "&" if "?" in self.authorize_endpoint else "?"
        return f"{self.authorize_endpoint}{sep}{query}", state

    # -- flows shared by the sync and async entry points and by the refreshing client --

    def token_request(self, fields: Mapping[str, str], url: str | None = None) -> httpx2.Request:
        credentials = f"{self.client_id}:{self._client_secret}".encode()
        basic = "Basic " + base64.b64encode(credentials).decode("ascii")
        return httpx2.Request(
            "POST",
            url or self.token_url,
            data=dict(fields),
            headers={"Authorization": basic, "Accept": "application/json"},
        )

    def grant_flow(
        self,
        fields: Mapping[str, str],
        previous: TokenSet | None = None,
        *,
        clock: Clock | None = None,
    ) -> Flow[TokenSet]:
        """POST ``fields`` to the token endpoint; expiry is counted from ``clock`` (default:
        the app's)."""
        request = self.token_request(fields)
        try:
            response = yield Send(request)
        except httpx2.TransportError as exc:
            raise _base.connection_error(exc, request) from None
        return self.parse_token_response(response, previous, clock=clock)

    def revoke_flow(self, token: str, token_type_hint: str | None = None) -> Flow[None]:
        """POST ``token`` to ``oauth/token/revoke``; ``OAuthError`` when Pinterest refuses (it
        revokes only tokens of system users, api-facts §3.1)."""
        if not token:
            raise InvalidInputError("a token to revoke is required")
        fields = {"token": token}
        if token_type_hint is not None:
            if token_type_hint not in ("access_token", "refresh_token"):
                raise InvalidInputError("token_type_hint is access_token or refresh_token")
            fields["token_type_hint"] = token_type_hint
        request = self.token_request(fields, self.revoke_url)
        try:
            response = yield Send(request)
        except httpx2.TransportError as exc:
            raise _base.connection_error(exc, request) from None
        if response.status_code >= 300:
            raise _base.status_error(response, clock=self.clock, error_class=OAuthError)

    def parse_token_response(
        self,
        response: httpx2.Response,
        previous: TokenSet | None = None,
        *,
        clock: Clock | None = None,
    ) -> TokenSet:
        clock = self.clock if clock is None else clock
        if response.status_code != 200:
            raise _base.status_error(response, clock=clock, error_class=OAuthError)
        try:
            data = response.json()
            access_token = str(data["access_token"])
        except (ValueError, KeyError, TypeError):
            raise OAuthError(
                "token endpoint answered without an access_token",
                status_code=response.status_code,
                request_id=_base.request_id(response),
            ) from None
        now = clock.now()
        refresh_token = data.get("refresh_token") or (previous.refresh_token if previous else None)
        refresh_expiry = _expiry(
            now, data.get("refresh_token_expires_in"), data.get("refresh_token_expires_at")
        )
        if refresh_expiry is None and previous and refresh_token == previous.refresh_token:
            refresh_expiry = previous.refresh_token_expires_at
        return TokenSet(
            access_token=access_token,
            refresh_token=refresh_token,
            expires_at=_expiry(now, data.get("expires_in"), None),
            refresh_token_expires_at=refresh_expiry,
            scopes=_split_scopes(data.get("scope")) or (previous.scopes if previous else ()),
        )

    def _code_fields(self, code: str, continuous_refresh: bool) -> dict[str, str]:
        if not code:
            raise InvalidInputError("an authorization code is required")
        fields = {"grant_type": "authorization_code", "code": code}
        fields["redirect_uri"] = self.redirect_uri
        if continuous_refresh:
            fields["continuous_refresh"] = "true"
        return fields

    @staticmethod
    def _refresh_fields(refresh_token: str, scopes: Iterable[str] | None) -> dict[str, str]:
        if not refresh_token:
            raise InvalidInputError("a refresh token is required")
        fields = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        if scopes is not None:
            fields["scope"] = _join_scopes(scopes)
        return fields

    @staticmethod
    def _client_credentials_fields(scopes: Iterable[str]) -> dict[str, str]:
        return {"grant_type": "client_credentials", "scope": _join_scopes(scopes)}

    def _run(self, flow: Flow[T]) -> T:
        if self._http_client is not None:
            return run_sync(flow, self._http_client, self._locks, self.clock)
        with httpx2.Client(timeout=_base.DEFAULT_TIMEOUT) as http:
            return run_sync(flow, http, self._locks, self.clock)

    async def _arun(self, flow: Flow[T]) -> T:
        if self._async_http_client is not None:
            return await run_async(flow, self._async_http_client, self._locks, self.clock)
        async with httpx2.AsyncClient(timeout=_base.DEFAULT_TIMEOUT) as http:
            return await run_async(flow, http, self._locks, self.clock)

    # -- public grants --

    def exchange_code(self, code: str, *, continuous_refresh: bool = True) -> TokenSet:
        """Trade the code from the redirect for tokens (continuous refresh by default)."""
        return self._run(self.grant_flow(self._code_fields(code, continuous_refresh)))

    def refresh(self, refresh_token: str, *, scopes: Iterable[str] | None = None) -> TokenSet:
        """New tokens; the answer carries a *new* refresh token: save it."""
        return self._run(self.grant_flow(self._refresh_fields(refresh_token, scopes)))

    def client_credentials(self, scopes: Iterable[str]) -> TokenSet:
        """An app-only token for the app owner's account."""
        return self._run(self.grant_flow(self._client_credentials_fields(scopes)))

    def revoke(self, token: str, *, token_type_hint: str | None = None) -> None:
        """Ask Pinterest to revoke an access or refresh token (``OAuthError`` if it refuses:
        only system users' tokens are revocable today)."""
        self._run(self.revoke_flow(token, token_type_hint))

    async def arevoke(self, token: str, *, token_type_hint: str | None = None) -> None:
        await self._arun(self.revoke_flow(token, token_type_hint))

    async def aexchange_code(self, code: str, *, continuous_refresh: bool = True) -> TokenSet:
        return await self._arun(self.grant_flow(self._code_fields(code, continuous_refresh)))

    async def arefresh(
        self, refresh_token: str, *, scopes: Iterable[str] | None = None
    ) -> TokenSet:
        return await self._arun(self.grant_flow(self._refresh_fields(refresh_token, scopes)))

    async def aclient_credentials(self, scopes: Iterable[str]) -> TokenSet:
        return await self._arun(self.grant_flow(self._client_credentials_fields(scopes)))


TokenCallback = Callable[[TokenSet], None]


class TokenManager:
    """The client's view of its token: refreshes shortly before expiry and once after a 401.

    Refreshes run as ``Exclusive`` flows, so concurrent requests on a stale token wait for one
    refresh instead of each starting their own (which, with rotation, would invalidate each
    other's refresh tokens). Token-store reads and writes are ``Blocking`` steps: the async
    client runs them in a worker thread. Expiry is judged on ``clock``.

    ``rate_key`` is the identity the client's rate-limit buckets are kept under (see the
    property).
    """

    def __init__(
        self,
        token: TokenSet | None,
        *,
        app: OAuthApp | None = None,
        store: TokenStore | None = None,
        on_token_refresh: TokenCallback | None = None,
        leeway: float = REFRESH_LEEWAY_S,
        clock: Clock = SYSTEM_CLOCK,
        load_now: bool = True,
        rate_key: str | None = None,
    ) -> None:
        """Without a ``token``, the one in ``store`` is used: read here when ``load_now``,
        else by the first flow (the async client, which must not block its event loop)."""
        self._unread_store = token is None and store is not None
        if self._unread_store and load_now:
            assert store is not None
            token = store.load()
            self._unread_store = False
        self._token = token
        self.app = app
        self.store = store
        self.on_token_refresh = on_token_refresh
        self.leeway = leeway
        self.clock = clock
        self._rate_key = rate_key

    @property
    def token(self) -> TokenSet | None:
        return self._token

    @property
    def rate_key(self) -> str:
        """Who the rate-limit buckets count: the key given (``pinkit.web`` gives the app's
        client_id and the user's key), else the app's client_id and a fingerprint of the first
        access token used, kept for the life of this manager. A refresh rotates the access
        token but not the user and app that Pinterest meters, so it never resets a count."""
        if self._rate_key is None:
            token = self._token
            seed = token_fingerprint(token.access_token) if token and token.access_token else "-"
            self._rate_key = f"{self.app.client_id}:{seed}" if self.app is not None else seed
        return self._rate_key

    @property
    def can_refresh(self) -> bool:
        return self.app is not None and (self._token is None or bool(self._token.refresh_token))

    def load_flow(self) -> Flow[TokenSet | None]:
        """Read the store if no flow has yet (at most once)."""
        if self._unread_store and self.store is not None:
            self._token = yield Blocking(self.store.load)
            self._unread_store = False
        return self._token

    def access_token_flow(self) -> Flow[str]:
        """The access token to use now, refreshing first if it is missing or about to expire."""
        if self._unread_store:
            yield Exclusive(self.load_flow())
        token = self._token
        if token is None or token.expires_within(self.leeway, now=self.clock.now()):
            if self.can_refresh and (token is None or token.refresh_token):
                token = yield Exclusive(self.refresh_flow(token.access_token if token else None))
            elif token is None:
                raise AuthenticationError(
                    "no access token: pass access_token=, set PINTEREST_ACCESS_TOKEN, "
                    "or log in with `pinkit auth login`",
                    status_code=401,
                )
        assert token is not None
        return token.access_token

    def fresh_token_flow(self) -> Flow[TokenSet]:
        """The token set to use now (refreshed first when ``access_token_flow`` would)."""
        yield from self.access_token_flow()
        assert self._token is not None
        return self._token

    def refresh_flow(self, stale_access_token: str | None) -> Flow[TokenSet]:
        """Refresh unless someone else (a thread, a task, another process) already did.

        Threads and tasks of one client come here one at a time (``Exclusive``). Processes
        sharing a store that has ``lock()`` (``pinkit.web``'s database store: a row lock) do
        too: the lock is held from the reload to the save, so whoever comes second finds the
        first one's token in the store and uses it. ``acquire`` and ``release`` are blocking
        steps (worker threads under the async client); a store may save and release at once.
        """
        make_lock = getattr(self.store, "lock", None)
        if not callable(make_lock):
            return (yield from self._refresh_once_flow(stale_access_token))
        lock = make_lock()
        yield Blocking(lock.acquire)
        try:
            token = yield from self._refresh_once_flow(stale_access_token)
        except Exception:
            yield Blocking(lock.release)
            raise
        except BaseException:  # closed or cancelled: no step can run any more
            lock.release()
            raise
        yield Blocking(lock.release)
        return token

    def _refresh_once_flow(self, stale_access_token: str | None) -> Flow[TokenSet]:
        current = self._token
        if self.store is not None:
            stored: TokenSet | None = yield Blocking(self.store.load)
            self._unread_store = False
            if stored is not None and stored.access_token != stale_access_token:
                current = self._token = stored
        if current is not None and current.access_token != stale_access_token:
            return current
        if self.app is None or current is None or not current.refresh_token:
            raise AuthenticationError(
                "the access token expired and cannot be refreshed "
                "(needs an OAuthApp and a refresh token)",
                status_code=401,
            )
        fields = OAuthApp._refresh_fields(current.refresh_token, None)
        new = yield from self.app.grant_flow(fields, previous=current, clock=self.clock)
        if self.store is not None:
            yield Blocking(functools.partial(self.store.save, new))
        elif self.on_token_refresh is None:
            _base.log.warning(
                "tokens refreshed and kept in memory only: the old refresh token may no longer "
                "work; pass token_store= or on_token_refresh= to keep the rotated one"
            )
        self._token = new
        if self.on_token_refresh is not None:
            self.on_token_refresh(new)
        return new

    def refresh_after_401(self, rejected_access_token: str) -> Flow[TokenSet]:
        token: TokenSet = yield Exclusive(self.refresh_flow(rejected_access_token))
        return token


def token_from_env(env: Mapping[str, str]) -> TokenSet | None:
    access = env.get("PINTEREST_ACCESS_TOKEN")
    refresh = env.get("PINTEREST_REFRESH_TOKEN") or env.get("PINTEREST_REFRESH_ACCESS_TOKEN")
    if access:
        return TokenSet(access_token=access, refresh_token=refresh or None)
    if refresh:
        # No access token yet: an already-expired placeholder makes the first call refresh.
        return replace(TokenSet(access_token="", refresh_token=refresh), expires_at=0.0)
    return None


def app_from_env(env: Mapping[str, str], api_base_url: str) -> OAuthApp | None:
    client_id = env.get("PINTEREST_CLIENT_ID") or env.get("PINTEREST_APP_ID")
    secret = env.get("PINTEREST_CLIENT_SECRET") or env.get("PINTEREST_APP_SECRET")
    if client_id and secret:
        return OAuthApp(
            client_id, secret, env.get("PINTEREST_REDIRECT_URI", ""), api_base_url=api_base_url
        )
    return None
