"""Client-side rate limiting keyed by token and ``x-ratelimit-category``.

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
from dataclasses import dataclass

from ._validate import check_seconds
from .errors import InvalidInputError

__all__ = ["STANDARD", "TRIAL", "Limit", "RateLimiter", "RateLimitsArg", "token_fingerprint"]


@dataclass(frozen=True)
class Limit:
    requests: int
    window_s: float

    @property
    def rate(self) -> float:
        return self.requests / self.window_s


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

# ASCII digits only: a header's "١٢" is no number.
_FIRST_INT = re.compile(r"[0-9]+")
_WINDOW = re.compile(r"\bw=([0-9]+)")
_DIGITS = re.compile(r"[0-9]+")


def token_fingerprint(token: str) -> str:
    """A bucket key that identifies a token without holding it."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


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
    return Limit(requests, window_s)


class _Bucket:
    __slots__ = ("blocked_until", "limit", "tokens", "updated")

    def __init__(self, limit: Limit, now: float) -> None:
        self.limit = limit
        self.tokens = float(limit.requests)
        self.updated = now
        self.blocked_until = 0.0

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(float(self.limit.requests), self.tokens + elapsed * self.limit.rate)
        self.updated = now

    def reserve(self, now: float) -> float:
        self._refill(now)
        self.tokens -= 1.0
        wait = 0.0 if self.tokens >= 0 else -self.tokens / self.limit.rate
        return max(wait, self.blocked_until - now)


class RateLimiter:
    """Buckets per (token fingerprint, category[, ad account]); thread-safe, no I/O."""

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

        A key is ``(fingerprint, category, *scope)``; its limit is the category's.
        """
        with self._lock:
            now = self._clock()
            waits = [
                bucket.reserve(now)
                for key in keys
                if (bucket := self._bucket(key, key[1], now)) is not None
            ]
        return max(waits, default=0.0)

    def observe(
        self, key: tuple[str, ...], headers: Mapping[str, str], *, limited: bool, wait: float
    ) -> None:
        """Adapt ``key``'s bucket to what the server said about it."""
        with self._lock:
            now = self._clock()
            bucket = self._bucket(key, key[1], now)
            if bucket is None:
                return
            limit_header = headers.get("x-ratelimit-limit")
            if limit_header and (m := _FIRST_INT.search(limit_header)):
                window = _WINDOW.search(limit_header)
                window_s = float(window.group(1)) if window else bucket.limit.window_s
                window_s = window_s or bucket.limit.window_s  # "w=0" is no window
                advertised = Limit(int(m.group()), window_s)
                if advertised.requests > 0 and (
                    key[1] not in self.pinned or advertised.rate < bucket.limit.rate
                ):
                    bucket.limit = advertised
            remaining = headers.get("x-ratelimit-remaining")
            if remaining is not None and _DIGITS.fullmatch(remaining.strip()):
                bucket._refill(now)
                bucket.tokens = min(bucket.tokens, float(remaining))
                if int(remaining) == 0 and wait > 0:
                    bucket.blocked_until = max(bucket.blocked_until, now + wait)
            if limited and wait > 0:
                bucket.blocked_until = max(bucket.blocked_until, now + wait)
