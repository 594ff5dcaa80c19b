"""``Client`` and ``AsyncClient``: configuration shared, two thin I/O loops.

Everything that decides (auth, retries, limits, errors, pagination) lives in flows that both
clients run; the classes below only own an HTTP connection pool and a runner.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

import httpx2

from ._base import BaseClient
from ._clock import SYSTEM_CLOCK, Clock
from ._deadline import bounded_http_client
from ._flow import Flow, Locks, run_async, run_sync
from ._pagination import AsyncPager, SyncPager
from ._ratelimit import RateLimiter, RateLimitsArg
from ._redact import Environment, Secret
from ._resource import Async, AsyncHost, Call, Host, M, PageCall, Sync, SyncHost
from .auth import (
    OAuthApp,
    TokenCallback,
    TokenManager,
    TokenSet,
    TokenStore,
    app_from_env,
    token_from_env,
)

if TYPE_CHECKING:
    from .resources import (
        AdAccountsAPI,
        AdGroupsAPI,
        AdsAPI,
        AnalyticsAPI,
        BoardsAPI,
        CampaignsAPI,
        ConversionsAPI,
        MediaAPI,
        PinsAPI,
        ReportsAPI,
        UserAccountAPI,
    )

__all__ = ["AsyncClient", "Client"]

H = TypeVar("H", httpx2.Client, httpx2.AsyncClient)
ResponseHook = Callable[[httpx2.Response], None]
T = TypeVar("T")
CONNECTION_LIMITS = httpx2.Limits(max_connections=100, max_keepalive_connections=20)


class _ClientBase(BaseClient, Generic[H, M]):
    _http: H
    _is_async: bool

    def __init__(
        self,
        access_token: str | Secret | None = None,
        *,
        base_url: str | None = None,
        sandbox: bool = False,
        oauth_app: OAuthApp | None = None,
        token_store: TokenStore | None = None,
        max_retries: int = 2,
        timeout: float | httpx2.Timeout | None = 60.0,
        transfer_timeout: float | None = None,
        http_client: H | None = None,
        rate_limits: RateLimitsArg = None,
        on_token_refresh: TokenCallback | None = None,
        ad_account_id: str | None = None,
        clock: Clock | None = None,
        rate_limiter: RateLimiter | None = None,
        rate_limit_key: str | None = None,
    ) -> None:
        """Defaults come from PINTEREST_ACCESS_TOKEN, PINTEREST_REFRESH_TOKEN,
        PINTEREST_CLIENT_ID/SECRET, PINTEREST_AD_ACCOUNT_ID and PINTEREST_API_URI.

        With an ``oauth_app`` and a refresh token the client refreshes shortly before expiry
        and once after a 401, saving each rotated token to ``token_store``.

        ``timeout`` bounds each attempt of an API request as a whole (connect, send, and read
        the answer to its end; an ``httpx2.Timeout`` sets each phase, and the attempt may take
        as long as the longest); ``APITimeoutError`` when it passes. File transfers (video
        uploads) are held to ``transfer_timeout`` instead: no overall limit by default, only
        the per-read and per-write timeouts of ``timeout``.

        ``clock`` (a ``pinkit.Clock``; the system clock by default) is where the client reads
        time and waits: token expiry, rate-limit pacing, retry backoff and Retry-After, media
        polling. The emulator's clock makes those waits pass instantly in tests.

        ``rate_limits`` configures the client's own in-process limiter (a preset, a mapping of
        categories to limits, or False); ``rate_limiter`` replaces it with one shared by
        several clients or processes (``pinkit.LocalRateLimiter``, ``pinkit.RedisRateLimiter``).
        ``rate_limit_key`` names the user and app its buckets count (default: the app's
        client_id and this client's first token, kept across refreshes).
        """
        # Secrets as Secret, the environment behind a repr without values: the locals of this
        # frame show in tracebacks of bad settings (pytest --showlocals, rich, Sentry).
        access_token = Secret.of(access_token)
        env = Environment()
        super().__init__(
            base_url=base_url,
            sandbox=sandbox,
            max_retries=max_retries,
            timeout=timeout,
            rate_limits=rate_limits,
            ad_account_id=ad_account_id,
            env=env,
            clock=SYSTEM_CLOCK if clock is None else clock,
            transfer_timeout=transfer_timeout,
            rate_limiter=rate_limiter,
        )
        token: TokenSet | None = None
        if access_token:
            token = TokenSet(
                access_token.get_secret_value(), refresh_token=env.get("PINTEREST_REFRESH_TOKEN")
            )
        elif token_store is None:
            token = token_from_env(env)
        self._tokens = TokenManager(
            token,
            app=oauth_app or app_from_env(env, self.base_url),
            store=token_store,
            on_token_refresh=on_token_refresh,
            clock=self.clock,
            timeout=self.attempt_timeout,
            load_now=not self._is_async,  # the async client reads the store off its loop
            rate_key=rate_limit_key,
        )
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else self._default_http()
        self._locks = Locks()

    # The resources (and the pydantic models they parse into) load on first use, so that
    # making a client costs little more than making its connection pool.

    @cached_property
    def user_account(self) -> UserAccountAPI[M]:
        """The authenticated user: account, businesses, followers, following, websites."""
        from .resources.user_account import UserAccountAPI

        return UserAccountAPI(self._host())

    @cached_property
    def boards(self) -> BoardsAPI[M]:
        """Boards and their sections."""
        from .resources.boards import BoardsAPI

        return BoardsAPI(self._host())

    @cached_property
    def pins(self) -> PinsAPI[M]:
        """Pins: create (image, carousel, video), read, update, delete, save."""
        from .resources.pins import PinsAPI

        return PinsAPI(self._host())

    @cached_property
    def media(self) -> MediaAPI[M]:
        """Video uploads for pins."""
        from .resources.media import MediaAPI

        return MediaAPI(self._host())

    @cached_property
    def ad_accounts(self) -> AdAccountsAPI[M]:
        """Ad accounts: list, get, create."""
        from .resources.ad_accounts import AdAccountsAPI

        return AdAccountsAPI(self._host())

    @cached_property
    def campaigns(self) -> CampaignsAPI[M]:
        """Campaigns of an ad account."""
        from .resources.campaigns import CampaignsAPI

        return CampaignsAPI(self._host())

    @cached_property
    def ad_groups(self) -> AdGroupsAPI[M]:
        """Ad groups of an ad account."""
        from .resources.ad_groups import AdGroupsAPI

        return AdGroupsAPI(self._host())

    @cached_property
    def ads(self) -> AdsAPI[M]:
        """Ads (promoted pins) of an ad account."""
        from .resources.ads import AdsAPI

        return AdsAPI(self._host())

    @cached_property
    def conversions(self) -> ConversionsAPI[M]:
        """The Conversions API: server-side events, tokens."""
        from .resources.conversions import ConversionsAPI

        return ConversionsAPI(self._host())

    @cached_property
    def analytics(self) -> AnalyticsAPI[M]:
        """Analytics: user account, pins and ads (synchronous)."""
        from .resources.analytics import AnalyticsAPI

        return AnalyticsAPI(self._host())

    @cached_property
    def reports(self) -> ReportsAPI[M]:
        """Async reports: create, poll, download."""
        from .resources.reports import ReportsAPI

        return ReportsAPI(self._host())

    def _default_http(self) -> H:
        raise NotImplementedError

    def _host(self) -> Host:
        """This client as its resources see it."""
        raise NotImplementedError

    def _call_flow(self, call: Call[T]) -> Flow[T]:
        return self.call_flow(call, self._tokens)

    @property
    def token(self) -> TokenSet | None:
        """The current token set (its repr shows no secret). A token that only the
        ``token_store`` holds shows here on ``AsyncClient`` once the first request read it."""
        return self._tokens.token

    @property
    def oauth_app(self) -> OAuthApp | None:
        return self._tokens.app

    def __repr__(self) -> str:
        # Safe on a half-made client too: tracebacks of a bad setting print it as a local.
        return f"{type(self).__name__}(base_url={getattr(self, 'base_url', None)!r})"


class Client(_ClientBase[httpx2.Client, Sync]):
    """Synchronous Pinterest API v5 client."""

    _is_async: Literal[False] = False

    def _default_http(self) -> httpx2.Client:
        return bounded_http_client(timeout=self.timeout, limits=CONNECTION_LIMITS)

    def _host(self) -> SyncHost:
        return self

    def _run(self, flow: Flow[T]) -> T:
        return run_sync(flow, self._http, self._locks, self.clock)

    def _execute(self, call: Call[T]) -> T:
        return self._run(self._call_flow(call))

    def fresh_token(self) -> TokenSet:
        """The token set requests would use now, refreshed (and saved) first if it is
        missing or about to expire."""
        return self._run(self._tokens.fresh_token_flow())

    def _pager(self, call: PageCall[T]) -> SyncPager[T]:
        return SyncPager(self, call)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        on_response: ResponseHook | None = None,
    ) -> Any:
        """Call any operation; ``path`` is relative to the base URL. Returns parsed JSON.

        ``headers`` are added to the client's (not ``Authorization``, ``Host`` or the
        framing ones); ``on_response`` sees the successful ``httpx2.Response`` first."""
        call: Call[Any] = Call(
            method,
            path,
            params=params,
            json=json,
            data=data,
            headers=headers,
            on_response=on_response,
        )
        return self._execute(call)

    def paginate(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        headers: Mapping[str, str] | None = None,
        on_response: ResponseHook | None = None,
    ) -> SyncPager[Any]:
        """Every item of a bookmark-paginated list, fetched page by page."""
        self._url(path)  # another origin is refused now, before the first page
        call: PageCall[Any] = PageCall(
            path, params, page_size, max_items, headers=headers, on_response=on_response
        )
        return SyncPager(self, call)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient(_ClientBase[httpx2.AsyncClient, Async]):
    """Asynchronous Pinterest API v5 client (asyncio or trio, through anyio).

    File reads for uploads and token-store reads and writes run in worker threads, never on
    the event loop; a ``token_store`` is first read by the first request (or ``fresh_token``).
    """

    _is_async: Literal[True] = True

    def _default_http(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(timeout=self.timeout, limits=CONNECTION_LIMITS)

    def _host(self) -> AsyncHost:
        return self

    async def _run(self, flow: Flow[T]) -> T:
        return await run_async(flow, self._http, self._locks, self.clock)

    async def _execute(self, call: Call[T]) -> T:
        return await self._run(self._call_flow(call))

    async def fresh_token(self) -> TokenSet:
        """The token set requests would use now, refreshed (and saved) first if it is
        missing or about to expire."""
        return await self._run(self._tokens.fresh_token_flow())

    def _pager(self, call: PageCall[T]) -> AsyncPager[T]:
        return AsyncPager(self, call)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        on_response: ResponseHook | None = None,
    ) -> Any:
        """Call any operation; ``path`` is relative to the base URL. Returns parsed JSON.

        ``headers`` are added to the client's (not ``Authorization``, ``Host`` or the
        framing ones); ``on_response`` sees the successful ``httpx2.Response`` first."""
        call: Call[Any] = Call(
            method,
            path,
            params=params,
            json=json,
            data=data,
            headers=headers,
            on_response=on_response,
        )
        return await self._execute(call)

    def paginate(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        headers: Mapping[str, str] | None = None,
        on_response: ResponseHook | None = None,
    ) -> AsyncPager[Any]:
        """Every item of a bookmark-paginated list: ``async for item in ...``."""
        self._url(path)  # another origin is refused now, before the first page
        call: PageCall[Any] = PageCall(
            path, params, page_size, max_items, headers=headers, on_response=on_response
        )
        return AsyncPager(self, call)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
