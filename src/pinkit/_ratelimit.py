"""Client-side rate limiting keyed by identity (user and app) and ``x-ratelimit-category``.

``RateLimiter`` is the interface; ``LocalRateLimiter`` keeps its buckets in the process and
``pinkit.RedisRateLimiter`` in Redis, shared by every worker. A bucket key is
``(identity, category[, ad account])``: the identity names a user of an app, as Pinterest
meters them (``TokenManager.rate_key``), so a refresh, which rotates the access token, never
resets a count.

Each bucket is a token bucket refilled continuously. ``reserve`` takes a slot and answers how
long to wait for it, so the caller sleeps outside any lock (threads and tasks alike). Server
headers adapt the bucket: a ``X-RateLimit-Limit`` replaces the configured limit, and an
exhausted ``X-RateLimit-Remaining`` or a 429 blocks the bucket until ``X-RateLimit-Reset``.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache, partial
from typing import Any, Protocol, runtime_checkable

from ._flow import Blocking, Flow
from ._validate import check_seconds
from .errors import InvalidInputError, PinterestError

__all__ = [
    "STANDARD",
    "TRIAL",
    "Limit",
    "LocalRateLimiter",
    "RateLimiter",
    "RateLimiterError",
    "RateLimitsArg",
    "exhausted",
    "held_flow",
    "observe_flow",
    "remaining_requests",
    "reserve_flow",
    "token_fingerprint",
]

Key = tuple[str, ...]


class RateLimiterError(PinterestError):
    """A shared rate limiter could not be asked (``RedisRateLimiter(on_error="closed")``)."""


@dataclass(frozen=True)
class Limit:
    """``requests`` per ``window_s`` seconds. ``burst``: how many may go at once from a full
    bucket (None: all ``requests``; 1 spaces every request ``window_s / requests`` apart, which
    keeps any window of ``window_s`` under the limit, as a server counting fixed windows
    wants)."""

    requests: int
    window_s: float
    burst: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.requests, bool) or not isinstance(self.requests, int):
            raise ValueError(f"requests must be an integer, got {self.requests!r}")
        if self.requests < 1 or not self.window_s > 0:
            raise ValueError("a limit needs requests >= 1 and window_s > 0")
        if self.burst is not None and self.burst < 1:
            raise ValueError("burst must be >= 1")

    @cached_property
    def rate(self) -> float:
        return self.requests / self.window_s

    @cached_property
    def capacity(self) -> float:
        """Slots a full bucket holds."""
        return float(self.requests if self.burst is None else min(self.burst, self.requests))


_MINUTE, _DAY = 60.0, 86_400.0
# Pinterest's published Standard-access limits per user per app (api-facts §2.2). The
# conversions limit has three documented values; 5,000/min is the safe one.
STANDARD: Mapping[str, Limit] = {
    "universal": Limit(100, 1.0),
    "ads_analytics": Limit(300, _MINUTE),
    "ads_conversions": Limit(5_000, _MINUTE),
    "ads_read": Limit(1_000, _MINUTE),
    "ads_write": Limit(400, _MINUTE),
    "org_read": Limit(1_000, _MINUTE),
    "org_write": Limit(100, _MINUTE),
    "org_analytics": Limit(60, _MINUTE),
    "catalogs_read": Limit(100, _MINUTE),
    "catalogs_write": Limit(100, _MINUTE),
    "trends_read": Limit(60, _MINUTE),
}
TRIAL: Mapping[str, Limit] = {
    "universal": Limit(1_000, _DAY),
    "ads_analytics": Limit(1_000, _DAY),
    "ads_conversions": Limit(1_000, _DAY),
    "ads_read": Limit(1_000, _DAY),
    "ads_write": Limit(300, _DAY),
    "org_read": Limit(1_000, _DAY),
    "org_write": Limit(300, _DAY),
    "org_analytics": Limit(1_000, _DAY),
    "catalogs_read": Limit(1_000, _DAY),
    "catalogs_write": Limit(1_000, _DAY),
}
PRESETS = {"standard": STANDARD, "trial": TRIAL}

RateLimitsArg = str | bool | Mapping[str, Limit | tuple[int, float] | None] | None

UNIVERSAL = "universal"


def token_fingerprint(token: str) -> str:
    """A bucket key that identifies a token without holding it."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def remaining_requests(headers: Mapping[str, str]) -> int | None:
    """``X-RateLimit-Remaining`` as a number; None when absent or not ASCII digits."""
    remaining = headers.get("x-ratelimit-remaining")
    if remaining is None:
        return None
    remaining = remaining.strip()
    return int(remaining) if remaining.isascii() and remaining.isdigit() else None


def exhausted(headers: Mapping[str, str]) -> bool:
    """Whether ``X-RateLimit-Remaining`` says no request is left in the window."""
    return remaining_requests(headers) == 0


def pinned_categories(arg: RateLimitsArg) -> frozenset[str]:
    """The categories the user set explicitly."""
    return frozenset(arg) if isinstance(arg, Mapping) else frozenset()


def resolve_limits(arg: RateLimitsArg) -> dict[str, Limit] | None:
    """``None``/``True``/"standard" → Standard, "trial", ``False``/"off" → no limiting, or a
    mapping of category → ``Limit``/``(requests, window_s)``/``None`` merged over Standard."""
    if arg is False or arg == "off":
        return None
    if arg is None or arg is True:
        return dict(STANDARD)
    if isinstance(arg, str):
        try:
            return dict(PRESETS[arg])
        except KeyError:
            raise InvalidInputError(
                f"unknown rate-limit preset {arg!r}: use one of {list(PRESETS)}"
            ) from None
    table = dict(STANDARD)
    for category, value in arg.items():
        if value is None:
            table.pop(category, None)
        else:
            table[category] = _check_limit(category, value)
    return table


def _check_limit(category: str, value: Limit | tuple[int, float]) -> Limit:
    """``value`` as a ``Limit``: at least one request in a finite window above 0 seconds."""
    try:
        requests, window_s = (value.requests, value.window_s) if isinstance(value, Limit) else value
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"rate limit for {category} must be (requests, window_s), got {value!r}"
        ) from None
    if isinstance(requests, bool) or not isinstance(requests, int) or requests < 1:
        raise InvalidInputError(
            f"rate limit for {category}: requests must be an integer >= 1, got {requests!r}"
        )
    window_s = check_seconds(f"rate limit for {category}: window_s", window_s, positive=True)
    return Limit(requests, window_s, burst=value.burst if isinstance(value, Limit) else None)


@dataclass(frozen=True)
class Policy:
    """One quota an ``X-RateLimit-Limit`` states: ``requests`` per ``window_s`` (None: the header
    gave no window), for the bucket it names (None: the bucket the request counted in)."""

    requests: int
    window_s: float | None = None
    name: str | None = None

    def limit(self, current: Limit) -> Limit:
        """This quota as a ``Limit``, with ``current``'s window when it states none, and its
        burst."""
        return replace(current, requests=self.requests, window_s=self.window_s or current.window_s)


@lru_cache(maxsize=256)
def limit_policies(header: str | None) -> tuple[Policy, ...]:
    """The quotas an ``X-RateLimit-Limit`` header states, the one its leading number (and
    ``X-RateLimit-Remaining``) speaks of first. Pinterest sends one
    (``120000, 120000;w=60;name="..."``); the IETF form may list more, and the emulator lists the
    universal limit beside the category's (``...;name="universal"``). What is not a quota (a
    number that is none, or of more than 15 digits) is passed over. Remembered: every answer
    carries the same few headers."""
    if not header:
        return ()
    items = _split(header, ",")
    lead = None
    if ";" not in items[0]:  # the leading number: the quota nearest its end
        lead, items = _count(items[0]), items[1:]
    policies = []
    for item in items:
        number, *params = _split(item, ";")
        requests = _count(number)
        if requests is None:
            continue
        found = {k.strip(): v.strip() for k, _, v in (p.partition("=") for p in params)}
        window = _count(found.get("w", ""))  # "w=0" is no window (it would divide by zero)
        name = found.get("name", "").strip('"') or None
        policies.append(Policy(requests, None if window is None else float(window), name))
    if lead is not None:
        if not policies:
            return (Policy(lead),)
        first = next((i for i, p in enumerate(policies) if p.requests == lead), 0)
        policies.insert(0, policies.pop(first))
    return tuple(policies)


def _split(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside double quotes (a quoted name may hold one)."""
    return re.split(separator + r'(?=(?:[^"]*"[^"]*")*[^"]*$)', text)


def _count(text: str) -> int | None:
    """A header's positive whole number: ASCII digits only (a header's "١٢" is none), at most
    15 of them (no limit is larger, and a longer one would overflow a rate)."""
    text = text.strip()
    if 0 < len(text) <= 15 and text.isascii() and text.isdigit() and (n := int(text)) > 0:
        return n
    return None


def policy_targets(
    key: Key, header: str | None, known: Callable[[Key], bool]
) -> tuple[Key, list[tuple[Key, Policy | None]]]:
    """What an answer's ``X-RateLimit-Limit`` tells the buckets of a request counted in ``key``:
    the bucket its ``X-RateLimit-Remaining`` and a 429 speak of (its leading quota's, else
    ``key``), and each ``known`` bucket's quota (the first one stated for it). A quota named
    ``universal`` is the identity's universal bucket's, any other ``key``'s own."""
    targets: dict[Key, Policy | None] = {}
    counted = key
    for i, policy in enumerate(limit_policies(header)):
        target = (key[0], UNIVERSAL) if policy.name == UNIVERSAL else key
        if not known(target):
            continue
        if i == 0:
            counted = target
        targets.setdefault(target, policy)
    if counted not in targets and known(key):
        targets[key] = None
    return counted, list(targets.items())


@runtime_checkable
class RateLimiter(Protocol):
    """What a client (``Client(rate_limiter=...)``) and the conversions bulk sender ask before
    each request and tell after each answer. Keys are ``(identity, category, *scope)``: the
    identity names a user of an app (``Client(rate_limit_key=...)``), the category is the
    operation's ``x-ratelimit-category`` or ``"universal"``, the scope the ad account of a
    conversions request. The async forms are what ``AsyncClient`` awaits, so a limiter that does
    I/O never blocks the event loop."""

    def reserve(self, keys: list[Key]) -> float:
        """Take one slot of every bucket in ``keys``; seconds to wait before sending."""
        ...

    def observe(self, key: Key, headers: Mapping[str, str], *, limited: bool, wait: float) -> None:
        """Learn from an answer: its ``X-RateLimit-*`` headers; ``limited`` (a 429) blocks the
        bucket for ``wait`` seconds."""
        ...

    async def areserve(self, keys: list[Key]) -> float: ...

    async def aobserve(
        self, key: Key, headers: Mapping[str, str], *, limited: bool, wait: float
    ) -> None: ...


# A limiter may also have ``held(keys) -> float`` (and ``aheld``): how long a block that an
# answer set (a 429, or an exhausted bucket) still holds any of ``keys``. A request that waited
# for its slot asks it before it sends, so a block set while it waited holds it too. Both
# limiters here have it; a limiter without it is not asked.


def reserve_flow(limiter: Any, keys: list[Key]) -> Flow[float]:
    """Reserve ``keys`` on ``limiter``: inline for the in-process limiter (no I/O), else as a
    blocking step with its async form (``areserve``) for the async client. A limiter with no
    async form (a plain ``SendLimiter``) runs in a worker thread under ``AsyncClient``."""
    if isinstance(limiter, LocalRateLimiter):
        return limiter.reserve(keys)
    areserve = getattr(limiter, "areserve", None)
    wait = yield Blocking(
        partial(limiter.reserve, keys), None if areserve is None else partial(areserve, keys)
    )
    return float(wait)


def held_flow(limiter: Any, keys: list[Key]) -> Flow[float]:
    """``limiter.held(keys)`` as ``reserve_flow`` runs ``reserve``; 0 for a limiter without
    ``held``."""
    held = getattr(limiter, "held", None)
    if held is None:
        return 0.0
    if isinstance(limiter, LocalRateLimiter):
        return limiter.held(keys)
    aheld = getattr(limiter, "aheld", None)
    wait = yield Blocking(partial(held, keys), None if aheld is None else partial(aheld, keys))
    return float(wait)


def observe_flow(
    limiter: Any, key: Key, headers: Mapping[str, str], *, limited: bool, wait: float
) -> Flow[None]:
    """``observe`` as ``reserve_flow`` runs ``reserve``."""
    if isinstance(limiter, LocalRateLimiter):
        limiter.observe(key, headers, limited=limited, wait=wait)
        return
    aobserve = getattr(limiter, "aobserve", None)
    sync = partial(limiter.observe, key, headers, limited=limited, wait=wait)
    native = (
        None if aobserve is None else partial(aobserve, key, headers, limited=limited, wait=wait)
    )
    yield Blocking(sync, native)


class _Bucket:
    __slots__ = (
        "blocked_until",
        "capacity",
        "counted",
        "header",
        "limit",
        "rate",
        "tokens",
        "updated",
    )

    def __init__(self, limit: Limit, now: float) -> None:
        self.limit, self.rate, self.capacity = limit, limit.rate, limit.capacity
        self.tokens = limit.capacity
        self.updated = now
        self.blocked_until = 0.0
        self.header: str | None = None  # the last X-RateLimit-Limit read
        self.counted = self  # the bucket that header's leading quota (and Remaining) speaks of

    def set_limit(self, limit: Limit, now: float) -> None:
        """Follow ``limit`` from ``now`` on, the slots already taken still taken: a lower one
        holds at once, a higher one frees its extra slots at once. Never more than a window of
        the new limit is owed (a server's window ends by then)."""
        self._refill(now)
        taken = self.capacity - self.tokens
        self.limit, self.rate, self.capacity = limit, limit.rate, limit.capacity
        self.tokens = max(limit.capacity - taken, -limit.capacity)

    def _refill(self, now: float) -> None:
        elapsed = now - self.updated
        if elapsed > 0:
            self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = now

    def reserve(self, now: float) -> float:
        self._refill(now)
        tokens = self.tokens = self.tokens - 1.0
        wait = 0.0 if tokens >= 0 else -tokens / self.rate
        return wait if wait >= self.blocked_until - now else self.blocked_until - now


class LocalRateLimiter:
    """Buckets per (identity, category[, ad account]) in this process; thread-safe, no I/O.

    ``Client(rate_limits=...)`` makes one per client; pass one to several clients
    (``rate_limiter=``) to share its counts between them, or a ``RedisRateLimiter`` to share
    them between processes.
    """

    def __init__(
        self,
        limits: Mapping[str, Limit],
        *,
        pinned: frozenset[str] = frozenset(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``pinned`` categories were set by the user: server headers may lower them, never
        raise them; the others follow what the server advertises."""
        self.limits = dict(limits)
        self.pinned = pinned
        self._clock = clock
        self._buckets: dict[tuple[str, ...], _Bucket] = {}
        self._lock = threading.Lock()

    def _bucket(self, key: tuple[str, ...], category: str, now: float) -> _Bucket | None:
        bucket = self._buckets.get(key)
        if bucket is None:
            limit = self.limits.get(category)
            if limit is None:
                return None
            bucket = self._buckets[key] = _Bucket(limit, now)
        return bucket

    def reserve(self, keys: list[tuple[str, ...]]) -> float:
        """Take one slot from every bucket in ``keys``; seconds to wait before sending.

        A key is ``(identity, category, *scope)``; its limit is the category's.
        """
        wait = 0.0
        with self._lock:
            now = self._clock()
            for key in keys:
                bucket = self._buckets.get(key) or self._bucket(key, key[1], now)
                if bucket is not None and (slot := bucket.reserve(now)) > wait:
                    wait = slot
        return wait

    def observe(
        self, key: tuple[str, ...], headers: Mapping[str, str], *, limited: bool, wait: float
    ) -> None:
        """Adapt ``key``'s bucket to what the server said about it."""
        with self._lock:
            now = self._clock()
            bucket = self._bucket(key, key[1], now)
            header = headers.get("x-ratelimit-limit")
            if bucket is None:  # a category not limited: its answer may still name others
                counted = self._follow(key, header, now)
                if counted is None:
                    return
            else:
                if header != bucket.header:  # the same text as the last answer's: nothing new
                    bucket.header = header
                    bucket.counted = self._follow(key, header, now) or bucket
                counted = bucket.counted
            remaining = remaining_requests(headers)
            if remaining is not None:
                counted._refill(now)
                counted.tokens = min(counted.tokens, float(remaining))
                if remaining == 0 and wait > 0:
                    counted.blocked_until = max(counted.blocked_until, now + wait)
            if limited and wait > 0:
                counted.blocked_until = max(counted.blocked_until, now + wait)

    def _follow(self, key: Key, header: str | None, now: float) -> _Bucket | None:
        """Take the quotas ``header`` advertises for ``key``'s buckets (a pinned category's
        only lowered); the bucket that Remaining and a 429 speak of."""
        counted, targets = policy_targets(key, header, lambda k: k[1] in self.limits)
        for target, policy in targets:
            bucket = self._bucket(target, target[1], now)
            if bucket is not None and policy is not None:
                advertised = policy.limit(bucket.limit)
                if target[1] not in self.pinned or advertised.rate < bucket.rate:
                    bucket.set_limit(advertised, now)
        return self._buckets.get(counted)

    def held(self, keys: list[tuple[str, ...]]) -> float:
        """Seconds until the blocks (a 429, an exhausted bucket) on ``keys`` end; 0 if none."""
        with self._lock:
            now = self._clock()
            ends = [b.blocked_until for key in keys if (b := self._buckets.get(key)) is not None]
        return max([end - now for end in ends] + [0.0])

    async def areserve(self, keys: list[tuple[str, ...]]) -> float:
        return self.reserve(keys)

    async def aheld(self, keys: list[tuple[str, ...]]) -> float:
        return self.held(keys)

    async def aobserve(
        self, key: tuple[str, ...], headers: Mapping[str, str], *, limited: bool, wait: float
    ) -> None:
        self.observe(key, headers, limited=limited, wait=wait)
