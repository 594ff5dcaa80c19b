"""Everything a request needs that does no I/O: URL and headers, retry decisions, backoff,
rate-limit bookkeeping, error mapping and redacted logging. Both clients run ``request_flow``.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import os
import random
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

import httpx2

from . import __version__
from ._flow import Flow, Send, Sleep
from ._operations import Operation, find
from ._ratelimit import (
    LocalRateLimiter,
    RateLimiter,
    RateLimitsArg,
    exhausted,
    held_flow,
    observe_flow,
    pinned_categories,
    reserve_flow,
    resolve_limits,
)
from ._redact import (
    Env,
    RedactingFilter,
    Secret,
    redact_headers,
    redact_json,
    redact_text,
    redact_url,
)
from ._validate import check_headers, check_id, check_seconds
from .errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    InvalidInputError,
    PinterestError,
    RateLimitError,
    error_class_for,
)

if TYPE_CHECKING:
    from ._clock import Clock
    from ._resource import Call
    from .auth import TokenManager

T = TypeVar("T")

log = logging.getLogger("pinkit")
log.addFilter(RedactingFilter())

PRODUCTION_URL = "https://api.pinterest.com/v5"
SANDBOX_URL = "https://api-sandbox.pinterest.com/v5"
DEFAULT_TIMEOUT = httpx2.Timeout(60.0, connect=5.0)
DEFAULT_ATTEMPT_TIMEOUT_S = 60.0
DEFAULT_MAX_RETRIES = 2
MAX_RETRY_WAIT_S = 60.0
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
# POSTs that are safe to repeat: conversions are deduplicated by event_id; the others only read.
IDEMPOTENT_POSTS = frozenset(
    {"events/create", "ad_groups/audience_sizing", "ad_groups_bid_floor/get"}
)
# Errors raised before any byte reached the server: safe to retry for every method.
NOT_SENT_ERRORS = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout)
USER_AGENT = f"pinkit/{__version__}"


HEADER_SAFE = re.compile(r"[\x21-\x7e]+")  # visible ASCII: no spaces, no CR/LF


class Authorization:
    """The ``Authorization`` value for the last access token seen: a token is checked for
    header safety and turned into ``Bearer ...`` once, not on every request; a rotated token
    is checked anew. Both stay ``Secret`` (no frame holds them in the clear, for tracebacks
    that print locals) and its repr shows neither."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: tuple[Secret, Secret] | None = None  # (access token, header), set at once

    def value(self, token: Secret) -> str:
        last = self._last
        if last is None or not (token is last[0] or token == last[0]):
            if not HEADER_SAFE.fullmatch(token.get_secret_value()):
                raise InvalidInputError("the access token has characters no HTTP header may carry")
            last = self._last = (token, Secret("Bearer " + token.get_secret_value()))
        return last[1].get_secret_value()

    def __repr__(self) -> str:
        return "Authorization(<hidden>)"


@lru_cache(maxsize=1024)
def parsed_url(url: str) -> httpx2.URL:
    """``httpx2.URL(url)``, parsed once per URL (a client calls the same few URLs over and
    over; URLs are immutable). Only for URLs without a query, which may carry secrets."""
    return httpx2.URL(url)


def check_base_url(url: str) -> str:
    """The base URL without a trailing slash; ``InvalidInputError`` unless http(s) with a host."""
    try:
        parsed = httpx2.URL(url)
    except (httpx2.InvalidURL, TypeError):
        raise InvalidInputError(f"not a valid base URL: {url!r}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InvalidInputError(f"the base URL must be http(s)://host/..., got {url!r}")
    return url.rstrip("/")


def attempt_timeout(timeout: httpx2.Timeout) -> float | None:
    """How long one attempt may take in all: the longest phase limit (a number given as
    ``timeout=`` is all of them but connect). None when reads are unlimited."""
    if timeout.read is None:
        return None
    return max(v for v in timeout.as_dict().values() if v is not None)


def resolve_timeout(timeout: float | httpx2.Timeout | None) -> httpx2.Timeout:
    """The phases' limits: a number of seconds (connect: 5 s at most), an ``httpx2.Timeout``
    as it is, None for the default. Every limit is a finite number of seconds above 0."""
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, httpx2.Timeout):
        for phase, value in timeout.as_dict().items():
            if value is not None:
                check_seconds(f"timeout ({phase})", value, positive=True)
        return timeout
    seconds = check_seconds("timeout", timeout, positive=True)
    return httpx2.Timeout(seconds, connect=min(5.0, seconds))


DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: httpx2.URL) -> tuple[str, str, int | None]:
    """Scheme, host and port, with the scheme's default port written out."""
    return url.scheme, url.host, url.port or DEFAULT_PORTS.get(url.scheme)


def setup_logging(env: Env = os.environ) -> None:
    """``PINKIT_LOG=debug|info`` sends the ``pinkit`` logger to stderr (redacted)."""
    level = (env.get("PINKIT_LOG") or "").lower()
    if level not in ("debug", "info") or getattr(log, "_pinkit_configured", False):
        return
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s pinkit %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.DEBUG if level == "debug" else logging.INFO)
    log._pinkit_configured = True  # type: ignore[attr-defined]


def request_id(response: httpx2.Response) -> str | None:
    return response.headers.get("x-pinterest-rid") or response.headers.get("x-request-id")


def _parse_seconds(value: str | None, clock: Clock) -> float | None:
    """Seconds from ``"12"``, ``"12, 120;w=60"`` or an HTTP date (counted from the clock's
    now); None when unparseable."""
    if not value:
        return None
    try:
        seconds = float(value.split(",")[0].strip())
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - clock.now())


def retry_after(headers: Mapping[str, str], clock: Clock) -> float | None:
    """Seconds from ``Retry-After-Ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    if (ms := _parse_seconds(headers.get("retry-after-ms"), clock)) is not None:
        return ms / 1000
    return _parse_seconds(headers.get("retry-after"), clock)


def server_wait(headers: Mapping[str, str], clock: Clock) -> float | None:
    """How long a rate-limited answer asks us to wait: Retry-After, else X-RateLimit-Reset.

    ``X-RateLimit-Reset`` comes on every answer (seconds until the window resets), so it only
    means "wait" on a 429 or when ``X-RateLimit-Remaining`` is 0.
    """
    wait = retry_after(headers, clock)
    return wait if wait is not None else _parse_seconds(headers.get("x-ratelimit-reset"), clock)


def backoff(attempt: int) -> float:
    """Exponential backoff with ±25% jitter: 0.5 s, 1 s, 2 s … capped at 8 s."""
    return min(0.5 * 2.0**attempt, 8.0) * random.uniform(0.75, 1.25)


class JSONTooDeep(ValueError):
    """JSON nested deeper than the parser recurses (``json`` raises ``RecursionError``)."""


def read_json(content: bytes) -> Any:
    """``content`` parsed as JSON; ``ValueError`` when it is not JSON, ``JSONTooDeep`` when it
    is nested too deeply to parse (a RecursionError is no answer a caller can handle)."""
    try:
        return json.loads(content)
    except RecursionError:
        raise JSONTooDeep("JSON nested too deeply to read") from None


def _error_body(response: httpx2.Response) -> tuple[Any, int | None, str]:
    try:
        body = redact_json(read_json(response.content))
    except JSONTooDeep:
        reason = response.reason_phrase or "HTTP error"
        return redact_text(response.text)[:300], None, f"{reason} (an answer nested too deeply)"
    except ValueError:
        text = redact_text(response.text.strip())[:300]
        return text, None, text or response.reason_phrase or "HTTP error"
    if isinstance(body, dict):
        code = body.get("code")
        message = body.get("message") or body.get("message_detail") or response.reason_phrase
        return body, code if isinstance(code, int) else None, redact_text(str(message))
    return body, None, response.reason_phrase or "HTTP error"


def status_error(
    response: httpx2.Response,
    *,
    clock: Clock,
    error_class: type[APIStatusError] | None = None,
    category: str | None = None,
) -> APIStatusError:
    body, code, message = _error_body(response)
    request = response.request
    common: dict[str, Any] = {
        "status_code": response.status_code,
        "code": code,
        "request_id": request_id(response),
        "body": body,
        "headers": redact_headers(response.headers),
        "method": request.method,
        "url": redact_url(str(request.url)),
    }
    cls = error_class or error_class_for(response.status_code)
    if cls is RateLimitError or (response.status_code == 429 and error_class is None):
        return RateLimitError(
            message,
            retry_after=server_wait(response.headers, clock),
            category=category,
            spam="spam" in message.lower(),
            **common,
        )
    return cls(message, **common)


def connection_error(exc: Exception, request: httpx2.Request) -> APIConnectionError:
    cls = APITimeoutError if isinstance(exc, httpx2.TimeoutException) else APIConnectionError
    detail = redact_text(str(exc)) or type(exc).__name__
    return cls(
        f"{cls.__doc__ or 'error'} {detail}".strip(),
        method=request.method,
        url=redact_url(str(request.url)),
    )


@lru_cache(maxsize=4096)
def operation_for(method: str, path: str) -> Operation | None:
    return find(method, path)


QueryPairs = list[tuple[str, str | int | float | bool | None]]


def encode_params(params: Mapping[str, Any] | None) -> QueryPairs:
    """Query pairs: ``None`` dropped, booleans lower-case, sequences as repeated keys."""
    pairs: QueryPairs = []
    for key, value in (params or {}).items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if item is None:
                continue
            pairs.append((key, str(item).lower() if isinstance(item, bool) else str(item)))
    return pairs


class RetryPolicy:
    """Whether and how long to wait before another attempt."""

    def __init__(self, max_retries: int, max_wait: float) -> None:
        if max_retries < 0:
            raise InvalidInputError("max_retries must be >= 0")
        self.max_retries = max_retries
        self.max_wait = max_wait

    @staticmethod
    def may_repeat(method: str, operation: Operation | None) -> bool:
        return method in IDEMPOTENT_METHODS or (
            operation is not None and operation.id in IDEMPOTENT_POSTS
        )

    def wait_for_status(
        self, response: httpx2.Response, attempt: int, repeatable: bool, clock: Clock
    ) -> float | None:
        """Seconds to wait before retrying ``response``, or None to give up."""
        status = response.status_code
        if attempt >= self.max_retries or status not in RETRY_STATUSES:
            return None
        if status != 429 and not repeatable:
            return None  # a POST that may have been processed: never risk a duplicate
        if response.headers.get("x-should-retry") == "false":
            return None
        headers = response.headers
        wait = server_wait(headers, clock) if status == 429 else retry_after(headers, clock)
        return backoff(attempt) if wait is None else wait


class BaseClient:
    """Configuration and the request flow both clients execute."""

    def __init__(
        self,
        *,
        base_url: str | None,
        sandbox: bool,
        max_retries: int,
        timeout: float | httpx2.Timeout | None,
        rate_limits: RateLimitsArg,
        ad_account_id: str | None,
        env: Env,
        clock: Clock,
        transfer_timeout: float | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        setup_logging(env)
        self.clock = clock
        if base_url is None:
            base_url = SANDBOX_URL if sandbox else env.get("PINTEREST_API_URI") or PRODUCTION_URL
        self.base_url = check_base_url(base_url)
        base = httpx2.URL(self.base_url)
        self._base_path = base.path.rstrip("/")
        self._origin = _origin(base)
        self._origin_text = f"{base.scheme}://{base.netloc.decode('ascii')}"
        self.timeout = resolve_timeout(timeout)
        self.attempt_timeout = attempt_timeout(self.timeout)
        # What every request carries, made once: httpx2 copies them into each request.
        self._headers = httpx2.Headers({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self._json_headers = httpx2.Headers(self._headers)
        self._json_headers["Content-Type"] = "application/json"
        self._extensions = {"timeout": self.timeout.as_dict()}
        self._authorization = Authorization()
        self._limit_keys_cache: dict[tuple[str, str | None], list[tuple[str, ...]]] = {}
        self.transfer_timeout = (
            None
            if transfer_timeout is None
            else check_seconds("transfer_timeout", transfer_timeout, positive=True)
        )
        self.retry = RetryPolicy(max_retries, MAX_RETRY_WAIT_S)
        self.limiter: RateLimiter | None
        if rate_limiter is not None:
            if rate_limits is not None:
                raise InvalidInputError(
                    "pass rate_limits= (this client's own limiter) or rate_limiter= (a shared "
                    "one), not both"
                )
            self.limiter = rate_limiter
        else:
            limits = resolve_limits(rate_limits)
            self.limiter = (
                None
                if limits is None
                else LocalRateLimiter(
                    limits, pinned=pinned_categories(rate_limits), clock=clock.now
                )
            )
        self.ad_account_id = ad_account_id or env.get("PINTEREST_AD_ACCOUNT_ID") or None
        if self.ad_account_id is not None:
            check_id("ad_account_id", self.ad_account_id)

    def _url(self, path: str) -> tuple[str, str]:
        """The absolute URL and the path relative to the API root (``/user_account``).

        An absolute URL must have the base URL's origin (scheme, host and port): the access
        token goes to that origin only, so any other is ``InvalidInputError``.
        """
        if path.startswith(("http://", "https://")):
            try:
                url = httpx2.URL(path)
            except httpx2.InvalidURL:
                raise InvalidInputError(f"not a valid URL: {redact_url(path)!r}") from None
            if _origin(url) != self._origin:
                raise InvalidInputError(
                    f"{redact_url(path)!r} is not on {self._origin_text}: the client sends its "
                    "token to the base URL's origin only"
                )
            rel = url.path
            if self._base_path and rel.startswith(self._base_path):
                rel = rel[len(self._base_path) :]
            return path, rel or "/"
        rel = "/" + path.lstrip("/")
        return self.base_url + rel, rel

    def build_request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> tuple[httpx2.Request, Operation | None]:
        method = method.upper()
        url, rel = self._url(path)
        sent = self._headers if content is None else self._json_headers
        if headers:
            sent = httpx2.Headers(sent)
            sent.update(check_headers(headers))  # case-insensitive: -H accept:... replaces
        request = httpx2.Request(
            method,
            url if "?" in url else parsed_url(url),
            params=encode_params(params) or None,  # None keeps a query written in the path
            json=json,
            data=dict(data) if data is not None else None,
            content=content,
            headers=sent,  # copied by the request
            extensions=self._extensions,  # copied by the request
        )
        return request, operation_for(method, rel)

    def _limit_keys(
        self, operation: Operation | None, identity: str, request: httpx2.Request
    ) -> list[tuple[str, ...]]:
        """The buckets a request counts in: the universal one and its category's (scoped by
        the ad account for conversions). The same for every request of one operation and
        identity, conversions apart: kept."""
        category = operation.category if operation is not None else None
        if category == "ads_conversions":
            assert operation is not None
            match = operation.match(self._url(str(request.url))[1])
            scope = (match or {}).get("ad_account_id", "")
            return [(identity, "universal"), (identity, category, scope)]
        cache_key = (identity, operation.id if operation is not None else None)
        keys = self._limit_keys_cache.get(cache_key)
        if keys is None:
            keys = [(identity, "universal")]
            if category:
                keys.append((identity, category))
            if len(self._limit_keys_cache) > 10_000:  # identities come and go (pinkit.web)
                self._limit_keys_cache.clear()
            self._limit_keys_cache[cache_key] = keys
        return list(keys)  # the limiter's to keep: the cached list stays as it is

    def request_flow(
        self,
        request: httpx2.Request,
        operation: Operation | None,
        tokens: TokenManager,
        *,
        repeatable: bool | None = None,
    ) -> Flow[httpx2.Response]:
        """Send with auth, client-side limits and retries; return the successful response.
        ``repeatable`` overrides the operation's idempotency (None: as the operation says)."""
        if repeatable is None:
            repeatable = self.retry.may_repeat(request.method, operation)
        category = operation.category if operation else None
        refreshed = False
        attempt = 0
        while True:
            # A Secret: tracebacks that print locals show this frame's token masked.
            token = yield from tokens.access_token_flow()
            request.headers["Authorization"] = self._authorization.value(token)
            keys: list[tuple[str, ...]] = []
            if self.limiter is not None:
                keys = self._limit_keys(operation, tokens.rate_key, request)
                wait = yield from reserve_flow(self.limiter, keys)
                what = "next slot in"
                while wait > 0:
                    if wait > self.retry.max_wait:
                        raise RateLimitError(
                            f"client-side {category or 'universal'} rate limit: {what} "
                            f"{wait:.0f}s, over the {self.retry.max_wait:.0f}s cap",
                            status_code=429,
                            retry_after=wait,
                            category=category,
                            method=request.method,
                            url=redact_url(str(request.url)),
                        )
                    log.info("rate limit %s: waiting %.2fs", category, wait)
                    yield Sleep(wait)
                    # A block that an answer set meanwhile (a 429 or an exhausted bucket,
                    # seen by another request or another worker) holds this request too.
                    wait = yield from held_flow(self.limiter, keys)
                    what = "blocked for"
            if log.isEnabledFor(logging.DEBUG):  # the URL is redacted for the log only
                log.debug("request %s %s", request.method, redact_url(str(request.url)))
            try:
                response: httpx2.Response = yield Send(request, self.attempt_timeout)
            except httpx2.TransportError as exc:
                may_retry = repeatable or isinstance(exc, NOT_SENT_ERRORS)
                if attempt < self.retry.max_retries and may_retry:
                    delay = backoff(attempt)
                    log.info("%s; retrying in %.2fs", type(exc).__name__, delay)
                    attempt += 1
                    yield Sleep(delay)
                    continue
                raise connection_error(exc, request) from None
            self._log_response(response)
            status = response.status_code
            if self.limiter is not None and keys:
                headers = response.headers
                # The in-process limiter reads the wait of a 429 or an exhausted bucket only.
                wait_hint = (
                    server_wait(headers, self.clock)
                    if status == 429
                    or not isinstance(self.limiter, LocalRateLimiter)
                    or exhausted(headers)
                    else None
                )
                yield from observe_flow(
                    self.limiter,
                    keys[-1],
                    headers,
                    limited=status == 429,
                    wait=wait_hint or 0.0,
                )
            if status < 400:
                return response
            if status == 401 and not refreshed and tokens.can_refresh:
                refreshed = True
                yield from tokens.refresh_after_401(token)
                continue
            error = status_error(response, clock=self.clock, category=category)
            if isinstance(error, RateLimitError) and (
                error.spam or (error.retry_after or 0) > self.retry.max_wait
            ):
                raise error
            retry_in = self.retry.wait_for_status(response, attempt, repeatable, self.clock)
            if retry_in is None or retry_in > self.retry.max_wait:
                raise error
            log.info("%s %s; retry %d in %.2fs", status, category, attempt + 1, retry_in)
            attempt += 1
            yield Sleep(retry_in)

    def call_flow(self, call: Call[T], tokens: TokenManager) -> Flow[T]:
        """Send ``call`` through ``request_flow`` and parse the answer."""
        request, operation = self.build_request(
            call.method,
            call.path,
            params=call.params,
            json=call.json,
            data=call.data,
            headers=call.headers,
            content=call.content,
        )
        response = yield from self.request_flow(
            request, operation, tokens, repeatable=call.repeatable
        )
        if call.on_response is not None:
            call.on_response(response)
        try:
            return call.parse(response.content if call.raw else parse_body(response))
        except PinterestError:
            raise
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            raise APIResponseValidationError(
                f"unexpected answer from {request.method} {redact_url(str(request.url))}: "
                f"{redact_text(_first_problem(exc))}",
                status_code=response.status_code,
                request_id=request_id(response),
            ) from None

    def _log_response(self, response: httpx2.Response) -> None:
        if not log.isEnabledFor(logging.DEBUG):
            return
        headers = response.headers
        log.debug(
            "response %s %s rid=%s ratelimit=%s/%s reset=%s",
            response.status_code,
            redact_url(str(response.request.url)),
            request_id(response),
            headers.get("x-ratelimit-remaining"),
            headers.get("x-ratelimit-limit"),
            headers.get("x-ratelimit-reset"),
        )


def _first_problem(exc: ValueError) -> str:
    """``field: message`` of a pydantic error, else the error's first line."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        return f"{where}: {first.get('msg', '')}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def parse_body(response: httpx2.Response) -> Any:
    """JSON for JSON answers, None for empty ones, text otherwise."""
    if response.status_code == 204 or not response.content:
        return None
    content_type = response.headers.get("content-type", "")
    if "json" in content_type or response.content[:1] in (b"{", b"["):
        try:
            return read_json(response.content)
        except JSONTooDeep:
            raise
        except ValueError:
            pass
    return response.text
