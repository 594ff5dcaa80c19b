"""OAuth 2.0 for Pinterest: the app, the token endpoint and automatic refresh.

Pinterest rotates refresh tokens (continuous refresh): every refresh answer carries a new
refresh token and the old one may stop working at once. Losing the new one logs the user out
for good, so every refresh is saved to the token store before the new token is used.
"""

from __future__ import annotations

import base64
import functools
import os
import secrets
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx2

from . import _base
from ._clock import SYSTEM_CLOCK, Clock
from ._deadline import bounded_http_client
from ._flow import Blocking, Exclusive, Flow, Locks, Send, run_async, run_sync
from ._ratelimit import token_fingerprint
from ._redact import Env, Secret, reveal
from ._tokens import (
    REFRESH_LEEWAY_S,
    SCOPES,
    FileTokenStore,
    MemoryTokenStore,
    StoreLock,
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
    The token endpoint is under ``api_base_url``: by default ``PINTEREST_API_URI``, as for
    ``Client``, else production.
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str | Secret,
        redirect_uri: str,
        *,
        api_base_url: str | None = None,
        authorize_url: str | None = None,
        http_client: httpx2.Client | None = None,
        async_http_client: httpx2.AsyncClient | None = None,
        clock: Clock | None = None,
    ) -> None:
        client_secret = Secret(client_secret)  # from here on, locals show it masked
        if not client_id or not client_secret:
            raise InvalidInputError("OAuthApp needs a client_id and a client_secret")
        self.client_id = client_id
        self._secret = client_secret
        self.redirect_uri = redirect_uri
        base = api_base_url or os.environ.get("PINTEREST_API_URI") or DEFAULT_API_BASE_URL
        self.api_base_url = base.rstrip("/")
        self.authorize_endpoint = authorize_url or DEFAULT_AUTHORIZE_URL
        self._http_client = http_client
        self._async_http_client = async_http_client
        self.clock = SYSTEM_CLOCK if clock is None else clock
        self._locks = Locks()

    def __repr__(self) -> str:
        # Safe on a half-made app too: tracebacks of bad arguments print it as a local.
        shown = {name: getattr(self, name, None) for name in ("client_id", "redirect_uri")}
        return (
            f"OAuthApp(client_id={shown['client_id']!r}, client_secret=[REDACTED], "
            f"redirect_uri={shown['redirect_uri']!r}, "
            f"api_base_url={getattr(self, 'api_base_url', None)!r})"
        )

    @property
    def _client_secret(self) -> str:
        """The clear client secret (for tests and tools that need it as a string)."""
        return self._secret.get_secret_value()

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

    def token_request(
        self, fields: Mapping[str, str | Secret], url: str | None = None
    ) -> httpx2.Request:
        """The POST to the token endpoint (or ``url``, the revoke endpoint): the only place the
        clear secrets are written out."""
        credentials = f"{self.client_id}:{self._secret.get_secret_value()}".encode()
        return httpx2.Request(
            "POST",
            url or self.token_url,
            data={name: reveal(value) for name, value in fields.items()},
            headers={
                "Authorization": "Basic " + base64.b64encode(credentials).decode("ascii"),
                "Accept": "application/json",
            },
        )

    def grant_flow(
        self,
        fields: Mapping[str, str | Secret],
        previous: TokenSet | None = None,
        *,
        clock: Clock | None = None,
        timeout: float | None = _base.DEFAULT_ATTEMPT_TIMEOUT_S,
    ) -> Flow[TokenSet]:
        """POST ``fields`` to the token endpoint; expiry is counted from ``clock`` (default:
        the app's); the exchange may take ``timeout`` seconds in all."""
        request = self.token_request(fields)
        try:
            response = yield Send(request, timeout)
        except httpx2.TransportError as exc:
            raise _base.connection_error(exc, request) from None
        return self.parse_token_response(response, previous, clock=clock)

    def revoke_flow(
        self, token: str | Secret | None, token_type_hint: str | None = None
    ) -> Flow[None]:
        """POST ``token`` to ``oauth/token/revoke``; ``OAuthError`` when Pinterest refuses (it
        revokes only tokens of system users, api-facts §3.1)."""
        token = Secret.of(token)
        if not token:
            raise InvalidInputError("a token to revoke is required")
        fields: dict[str, str | Secret] = {"token": token}
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
        data = _token_answer(response)
        if isinstance(data, str):
            raise OAuthError(
                f"token endpoint answered {data}",
                status_code=response.status_code,
                request_id=_base.request_id(response),
            )
        now = clock.now()
        refresh_token = data.get("refresh_token") or Secret.of(
            previous.refresh_token if previous else None
        )
        refresh_expiry = _expiry(
            now, data.get("refresh_token_expires_in"), data.get("refresh_token_expires_at")
        )
        kept = previous is not None and refresh_token == Secret.of(previous.refresh_token)
        if refresh_expiry is None and previous and kept:
            refresh_expiry = previous.refresh_token_expires_at
        return TokenSet(
            access_token=data["access_token"].get_secret_value(),
            refresh_token=None if refresh_token is None else refresh_token.get_secret_value(),
            expires_at=_expiry(now, data.get("expires_in"), None),
            refresh_token_expires_at=refresh_expiry,
            scopes=_split_scopes(data.get("scope")) or (previous.scopes if previous else ()),
        )

    def _code_fields(self, code: Secret, continuous_refresh: bool) -> dict[str, str | Secret]:
        if not code:
            raise InvalidInputError("an authorization code is required")
        fields: dict[str, str | Secret] = {"grant_type": "authorization_code", "code": code}
        fields["redirect_uri"] = self.redirect_uri
        if continuous_refresh:
            fields["continuous_refresh"] = "true"
        return fields

    @staticmethod
    def _refresh_fields(
        refresh_token: str | Secret, scopes: Iterable[str] | None
    ) -> dict[str, str | Secret]:
        refresh_token = Secret(refresh_token)
        if not refresh_token:
            raise InvalidInputError("a refresh token is required")
        fields: dict[str, str | Secret] = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        if scopes is not None:
            fields["scope"] = _join_scopes(scopes)
        return fields

    @staticmethod
    def _client_credentials_fields(scopes: Iterable[str]) -> dict[str, str | Secret]:
        return {"grant_type": "client_credentials", "scope": _join_scopes(scopes)}

    def _run(self, flow: Flow[T]) -> T:
        if self._http_client is not None:
            return run_sync(flow, self._http_client, self._locks, self.clock)
        with bounded_http_client(timeout=_base.DEFAULT_TIMEOUT) as http:
            return run_sync(flow, http, self._locks, self.clock)

    async def _arun(self, flow: Flow[T]) -> T:
        if self._async_http_client is not None:
            return await run_async(flow, self._async_http_client, self._locks, self.clock)
        async with httpx2.AsyncClient(timeout=_base.DEFAULT_TIMEOUT) as http:
            return await run_async(flow, http, self._locks, self.clock)

    # -- public grants --

    # Each entry point rebinds its secret argument to a Secret first: the argument is a local
    # of the frame, which tracebacks that show locals would print for as long as it runs.

    def exchange_code(self, code: str | Secret, *, continuous_refresh: bool = True) -> TokenSet:
        """Trade the code from the redirect for tokens (continuous refresh by default)."""
        code = Secret(code)
        return self._run(self.grant_flow(self._code_fields(code, continuous_refresh)))

    def refresh(
        self, refresh_token: str | Secret, *, scopes: Iterable[str] | None = None
    ) -> TokenSet:
        """New tokens; the answer carries a *new* refresh token: save it."""
        refresh_token = Secret(refresh_token)
        return self._run(self.grant_flow(self._refresh_fields(refresh_token, scopes)))

    def client_credentials(self, scopes: Iterable[str]) -> TokenSet:
        """An app-only token for the app owner's account."""
        return self._run(self.grant_flow(self._client_credentials_fields(scopes)))

    def revoke(self, token: str | Secret, *, token_type_hint: str | None = None) -> None:
        """Ask Pinterest to revoke an access or refresh token (``OAuthError`` if it refuses:
        only system users' tokens are revocable today)."""
        self._run(self.revoke_flow(token, token_type_hint))

    async def arevoke(self, token: str | Secret, *, token_type_hint: str | None = None) -> None:
        await self._arun(self.revoke_flow(token, token_type_hint))

    async def aexchange_code(
        self, code: str | Secret, *, continuous_refresh: bool = True
    ) -> TokenSet:
        code = Secret(code)
        return await self._arun(self.grant_flow(self._code_fields(code, continuous_refresh)))

    async def arefresh(
        self, refresh_token: str | Secret, *, scopes: Iterable[str] | None = None
    ) -> TokenSet:
        refresh_token = Secret(refresh_token)
        return await self._arun(self.grant_flow(self._refresh_fields(refresh_token, scopes)))

    async def aclient_credentials(self, scopes: Iterable[str]) -> TokenSet:
        return await self._arun(self.grant_flow(self._client_credentials_fields(scopes)))


_TOKEN_FIELDS = ("access_token", "refresh_token")


def _token_answer(response: httpx2.Response) -> dict[str, Any] | str:
    """The token endpoint's answer with its tokens as ``Secret``, or why it cannot be used.

    Nothing is raised here, where the clear values are locals: the caller raises."""
    try:
        data = _base.read_json(response.content)
    except _base.JSONTooDeep as exc:
        return f"with {exc}"
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("access_token") in (None, ""):
        return "without an access_token"
    answer = {key: value for key, value in data.items() if key not in _TOKEN_FIELDS}
    for key in _TOKEN_FIELDS:
        if data.get(key):
            answer[key] = Secret(str(data[key]))
    return answer


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
        timeout: float | None = _base.DEFAULT_ATTEMPT_TIMEOUT_S,
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
        self.timeout = timeout
        self._rate_key = rate_key
        self._secret: tuple[TokenSet, Secret] | None = None  # the last token set's, as a Secret

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

    def access_token_flow(self) -> Flow[Secret]:
        """The access token to use now, refreshing first if it is missing or about to expire."""
        if self._unread_store:
            yield Exclusive(self.load_flow())
        token = self._token
        if token is None or token.expires_within(self.leeway, now=self.clock.now()):
            if self.can_refresh and (token is None or token.refresh_token):
                stale = Secret(token.access_token) if token else None
                token = yield Exclusive(self.refresh_flow(stale))
            elif token is None:
                raise AuthenticationError(
                    "no access token: pass access_token=, set PINTEREST_ACCESS_TOKEN, "
                    "or log in with `pinkit auth login`",
                    status_code=401,
                )
        assert token is not None
        last = self._secret
        if last is None or last[0] is not token:
            last = self._secret = (token, Secret(token.access_token))
        return last[1]

    def fresh_token_flow(self) -> Flow[TokenSet]:
        """The token set to use now (refreshed first when ``access_token_flow`` would)."""
        yield from self.access_token_flow()
        assert self._token is not None
        return self._token

    @staticmethod
    def _is(token: TokenSet, access_token: Secret | None) -> bool:
        return access_token is not None and Secret(token.access_token) == access_token

    def _replaces(self, token: TokenSet | None, stale_access_token: Secret | None) -> bool:
        """Whether ``token`` is another one than the stale token, and good for a while."""
        return (
            token is not None
            and not self._is(token, stale_access_token)
            and not token.expires_within(self.leeway, now=self.clock.now())
        )

    def _reload_flow(self) -> Flow[TokenSet | None]:
        """The store's token (None without a store or token); the newest one when set."""
        if self.store is None:
            return None
        stored: TokenSet | None = yield Blocking(self.store.load)
        self._unread_store = False
        return stored

    def refresh_flow(self, stale_access_token: Secret | None) -> Flow[TokenSet]:
        """Refresh unless someone else (a thread, a task, another process) already did.

        Threads and tasks of one client come here one at a time (``Exclusive``). Processes
        sharing a store that has ``lock()`` (``FileTokenStore``: a file lock; ``pinkit.web``'s
        database store: a row lock) do as well: the lock is held from the reload to the save,
        so whoever comes second finds the first one's token in the store and uses it. A refused
        refresh reloads the store once more, for a token that a process not holding the lock
        saved meanwhile, before giving up. ``acquire`` and ``release`` are blocking steps
        (worker threads under the async client); a store may save and release at once.
        """
        make_lock = getattr(self.store, "lock", None)
        if not callable(make_lock):
            return (yield from self._refresh_once_flow(stale_access_token))
        lock: StoreLock = make_lock()
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

    def _refresh_once_flow(self, stale_access_token: Secret | None) -> Flow[TokenSet]:
        current = self._token
        stored = yield from self._reload_flow()
        if stored is not None:
            if self._replaces(stored, stale_access_token):
                self._token = stored
                return stored
            if stored.refresh_token:  # the newest refresh token: the others may be spent
                current = self._token = stored
        if current is not None and not self._is(current, stale_access_token):
            return current  # another thread or task of this client refreshed it already
        if self.app is None or current is None or not current.refresh_token:
            raise AuthenticationError(
                "the access token expired and cannot be refreshed "
                "(needs an OAuthApp and a refresh token)",
                status_code=401,
            )
        try:
            new = yield from self._grant_flow(current)
        except OAuthError:
            stored = yield from self._reload_flow()
            if stored is None or stored.refresh_token in (None, current.refresh_token):
                raise
            # Another process rotated the tokens while we asked: its are the ones that work.
            _base.log.info("refresh refused; using the token another process saved")
            current = self._token = stored
            if self._replaces(stored, stale_access_token):
                return stored
            new = yield from self._grant_flow(stored)
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

    def _grant_flow(self, current: TokenSet) -> Flow[TokenSet]:
        assert self.app is not None
        fields = OAuthApp._refresh_fields(current.refresh_token or "", None)
        new: TokenSet = yield from self.app.grant_flow(
            fields, previous=current, clock=self.clock, timeout=self.timeout
        )
        return new

    def refresh_after_401(self, rejected_access_token: Secret) -> Flow[TokenSet]:
        token: TokenSet = yield Exclusive(self.refresh_flow(rejected_access_token))
        return token


def _secret_env(env: Env, *names: str) -> Secret | None:
    """The first of ``names`` set in ``env``, as a ``Secret``."""
    for name in names:
        value = env.get(name)
        if value:
            return Secret(value)
    return None


def token_from_env(env: Env) -> TokenSet | None:
    access = _secret_env(env, "PINTEREST_ACCESS_TOKEN")
    refresh = _secret_env(env, "PINTEREST_REFRESH_TOKEN", "PINTEREST_REFRESH_ACCESS_TOKEN")
    if access:
        return TokenSet(
            access_token=access.get_secret_value(),
            refresh_token=refresh.get_secret_value() if refresh else None,
        )
    if refresh:
        # No access token yet: an already-expired placeholder makes the first call refresh.
        return TokenSet(access_token="", refresh_token=refresh.get_secret_value(), expires_at=0.0)
    return None


def app_from_env(env: Env, api_base_url: str) -> OAuthApp | None:
    client_id = env.get("PINTEREST_CLIENT_ID") or env.get("PINTEREST_APP_ID")
    secret = _secret_env(env, "PINTEREST_CLIENT_SECRET", "PINTEREST_APP_SECRET")
    if client_id and secret:
        return OAuthApp(
            client_id, secret, env.get("PINTEREST_REDIRECT_URI") or "", api_base_url=api_base_url
        )
    return None
