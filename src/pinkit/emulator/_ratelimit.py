"""Per-category rate limits on the emulator clock.

Pinterest meters each token's user+app per ``x-ratelimit-category`` and reports it in
``X-RateLimit-Limit`` / ``-Remaining`` / ``-Reset`` (seconds until the window resets). The limit
header uses the measured IETF policy form (``1000, 1000;w=60;name="org_read"``): clients parse the
first integer. The universal quota the request also counted in follows as a second policy
(``, 100;w=1;name="universal"``), so a client learns a raised universal limit as it learns a
category's; a refusal by the universal limit states that one alone.

Windows are fixed, starting at the first request. Counters are in memory (they are per emulator
process, like a real edge node); the limits table is configuration.

Beside the category limits, every request counts against the universal limit: 100 calls per
second per user per app (api-facts §2.1), whatever the category.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from pinkit._operations import all_operations
from pinkit._ratelimit import UNIVERSAL

from ._clock import check_seconds
from ._errors import EmulatorError

__all__ = ["CATEGORIES", "DEFAULT_LIMITS", "UNIVERSAL", "Limit", "RateLimiter", "Verdict"]


@dataclass(frozen=True)
class Limit:
    limit: int
    window_s: float


#: Standard-tier limits per minute (api-facts §2.2). The three categories with no published
#: number (msot_write, advanced_auction_*) get the emulator's own conservative choice.
DEFAULT_LIMITS: dict[str, Limit] = {
    UNIVERSAL: Limit(100, 1),
    "ads_analytics": Limit(300, 60),
    "ads_conversions": Limit(120_000, 60),
    "ads_read": Limit(1000, 60),
    "ads_write": Limit(400, 60),
    "org_read": Limit(1000, 60),
    "org_write": Limit(100, 60),
    "org_analytics": Limit(60, 60),
    "catalogs_read": Limit(100, 60),
    "catalogs_write": Limit(100, 60),
    "trends_read": Limit(60, 60),
    "msot_write": Limit(100, 60),
    "advanced_auction_read": Limit(1000, 60),
    "advanced_auction_write": Limit(400, 60),
}
#: Every category a limit can be set for: the spec's ``x-ratelimit-category`` values and
#: the universal limit.
CATEGORIES: frozenset[str] = frozenset(
    {UNIVERSAL} | {op.category for op in all_operations() if op.category}
)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    category: str
    limit: Limit
    remaining: int
    reset_s: int
    #: The universal limit the request also counted in, listed after the category's.
    universal: Limit | None = None

    def headers(self) -> dict[str, str]:
        n = self.limit.limit
        policies = [_policy(self.limit, self.category)]
        if self.universal is not None and self.category != UNIVERSAL:
            policies.append(_policy(self.universal, UNIVERSAL))
        return {
            "X-RateLimit-Limit": ", ".join([str(n), *policies]),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_s),
        }


def _policy(limit: Limit, name: str) -> str:
    return f'{limit.limit};w={int(limit.window_s)};name="{name}"'


class RateLimiter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._limits = dict(DEFAULT_LIMITS)
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}

    def set_limit(self, category: str, limit: int, window_s: float = 60.0) -> None:
        if category not in CATEGORIES:
            raise EmulatorError(
                f"unknown rate-limit category {category!r}: one of {', '.join(sorted(CATEGORIES))}"
            )
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise EmulatorError(f"limit must be an integer >= 0, got {limit!r}")
        window = check_seconds(window_s, "window_s")
        if window == 0:
            raise EmulatorError("window_s must be > 0")
        with self._lock:
            self._limits[category] = Limit(limit, window)
            self._windows = {k: v for k, v in self._windows.items() if k[1] != category}

    def limit_for(self, category: str) -> Limit:
        return self._limits.get(category, Limit(1000, 60))

    def reset(self) -> None:
        with self._lock:
            self._limits = dict(DEFAULT_LIMITS)
            self._windows.clear()

    def hit(
        self,
        key: str,
        category: str,
        now: float,
        *,
        consume: bool = True,
        universal: Limit | None = None,
    ) -> Verdict:
        """Count one request (unless ``consume`` is false) and say whether it may proceed.
        ``universal``: the universal limit the request counted in too, for the headers."""
        with self._lock:
            limit = self.limit_for(category)
            start, used = self._windows.get((key, category), (now, 0))
            if now >= start + limit.window_s:
                start, used = now, 0
            allowed = used < limit.limit
            if consume and allowed:
                used += 1
            self._windows[(key, category)] = (start, used)
            reset_s = max(0, math.ceil(start + limit.window_s - now))
            return Verdict(allowed, category, limit, max(0, limit.limit - used), reset_s, universal)
