"""``RedisRateLimiter``: the client's rate-limit buckets kept in Redis, shared by every worker.

The buckets are those of ``LocalRateLimiter`` (per identity and category, per ad account for
conversions, the universal limit), kept as GCRA state: each bucket is a Redis hash holding
its *theoretical arrival time* ``tat`` (when the bucket would be empty again), the time it is
blocked until after a 429, and the limit the server advertised. One server-side script per
``reserve`` updates every bucket of a request atomically and answers how long to wait; time
is Redis's own (``TIME``), so workers on several machines agree on it.

A request's slot is taken when it is reserved (GCRA: ``tat`` moves on by one interval); a
bucket of ``n`` requests per ``w`` seconds with a burst of ``b`` lets a request go at once when
``tat - b * w / n <= now``, else after the difference. A 429 (or ``X-RateLimit-Remaining: 0``)
that one worker sees sets the bucket's ``blocked`` time to its reset, and every worker's next
reservation waits for it.

The sync client uses redis-py's client, ``AsyncClient`` its asyncio client (one per event
loop), so the event loop never waits on a socket; under trio, which redis-py does not
support, the sync call runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import anyio.to_thread
import redis
import redis.asyncio
import redis.asyncio.retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from ._ratelimit import (
    Limit,
    RateLimiterError,
    RateLimitsArg,
    pinned_categories,
    policy_targets,
    remaining_requests,
    resolve_limits,
)

__all__ = ["RedisRateLimiter"]

log = logging.getLogger("pinkit")

Key = tuple[str, ...]
OnError = Literal["open", "closed"]

# KEYS: the buckets. ARGV[1]: now ('' for Redis TIME), then per bucket: requests, window_s,
# burst (0: all requests). Returns the seconds to wait, as a string (Lua numbers would be
# truncated to integers on the way out).
RESERVE = """
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local wait = 0
for i, key in ipairs(KEYS) do
  local at = 1 + (i - 1) * 3
  local n, w, burst = tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3])
  local h = redis.call('HMGET', key, 'tat', 'blocked', 'n', 'w')
  if h[3] and h[4] then n, w = tonumber(h[3]), tonumber(h[4]) end
  local cap = n
  if burst > 0 and burst < n then cap = burst end
  local interval = w / n
  local tat = tonumber(h[1]) or now
  if tat < now then tat = now end
  tat = tat + interval
  local k = tat - cap * interval - now
  local blocked = tonumber(h[2]) or 0
  if blocked - now > k then k = blocked - now end
  if k > wait then wait = k end
  redis.call('HSET', key, 'tat', string.format('%.6f', tat))
  local horizon = math.max(tat, blocked, now + w) - now + 1
  redis.call('PEXPIRE', key, math.ceil(horizon * 1000))
end
return string.format('%.6f', wait)
"""

# KEYS[1]: the bucket. ARGV: now, limited (0/1), wait, advertised requests and window ('' for
# none), pinned (0/1), configured requests and window, burst (0: all), remaining ('' for none).
OBSERVE = """
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local key = KEYS[1]
local h = redis.call('HMGET', key, 'tat', 'blocked', 'n', 'w')
local n, w = tonumber(ARGV[7]), tonumber(ARGV[8])
if h[3] and h[4] then n, w = tonumber(h[3]), tonumber(h[4]) end
local burst = tonumber(ARGV[9])
local tat = tonumber(h[1]) or now
local an, aw = tonumber(ARGV[4]), tonumber(ARGV[5])
if an and aw and an > 0 and aw > 0 and (ARGV[6] == '0' or an / aw < n / w) then
  -- the slots already taken stay taken (never more than a window to wait, as in-process)
  local taken = math.max(0, tat - now) * n / w
  n, w = an, aw
  local newcap = n
  if burst > 0 and burst < n then newcap = burst end
  tat = now + math.min(taken, 2 * newcap) * w / n
  redis.call('HSET', key, 'n', tostring(an), 'w', tostring(aw), 'tat', string.format('%.6f', tat))
end
local cap = n
if burst > 0 and burst < n then cap = burst end
local interval = w / n
local blocked = tonumber(h[2]) or 0
local wait = tonumber(ARGV[3])
local remaining = tonumber(ARGV[10])
if remaining then
  local floor = now + (cap - remaining) * interval
  if tat < floor then
    tat = floor
    redis.call('HSET', key, 'tat', string.format('%.6f', tat))
  end
  if remaining <= 0 and wait > 0 and now + wait > blocked then blocked = now + wait end
end
if ARGV[2] == '1' and wait > 0 and now + wait > blocked then blocked = now + wait end
redis.call('HSET', key, 'blocked', string.format('%.6f', blocked))
local horizon = math.max(tat, blocked, now + w) - now + 1
redis.call('PEXPIRE', key, math.ceil(horizon * 1000))
return 1
"""

# KEYS: the buckets. ARGV[1]: now ('' for Redis TIME). Returns the seconds until the last of
# their blocks ends (0: none), as a string.
HELD = """
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local wait = 0
for _, key in ipairs(KEYS) do
  local blocked = tonumber(redis.call('HGET', key, 'blocked')) or 0
  if blocked - now > wait then wait = blocked - now end
end
return string.format('%.6f', wait)
"""


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _part(text: str) -> str:
    return text.replace("%", "%25").replace(":", "%3A")


class RedisRateLimiter:
    """A ``pinkit.RateLimiter`` whose buckets live in Redis, so every worker process (and
    machine) of an app counts against the same ones. Give the same instance to every client of
    a process (``Client(rate_limiter=...)``, ``pinkit.web.Connections(rate_limiter=...)``) and
    to ``send_bulk(limiter=...)``.

    ``limits`` takes what ``Client(rate_limits=...)`` takes (a preset, or a mapping merged over
    Standard; the categories it names are only ever lowered by the server's headers).
    ``on_error``: when Redis cannot be reached or answers with an error, ``"open"`` lets
    requests go without limiting (and logs one warning per outage), ``"closed"`` raises
    ``RateLimiterError``. Either way a call gives up after ``timeout`` seconds and Redis is not
    asked again for ``retry_after_s``. ``clock`` (seconds) replaces Redis's ``TIME``.
    """

    def __init__(
        self,
        url: str = "redis://localhost:6379/0",
        *,
        limits: RateLimitsArg = None,
        on_error: OnError = "open",
        prefix: str = "pinkit:rl",
        timeout: float = 0.5,
        retry_after_s: float = 1.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if on_error not in ("open", "closed"):
            raise ValueError('on_error must be "open" or "closed"')
        resolved = resolve_limits(limits)
        if resolved is None:
            raise ValueError("a RedisRateLimiter needs limits (a preset or a mapping)")
        self.url = url
        self.limits: dict[str, Limit] = resolved
        self.pinned = pinned_categories(limits)
        self.on_error: OnError = on_error
        self.prefix = prefix
        self.timeout = timeout
        self.retry_after_s = retry_after_s
        self._clock = clock
        self._sync = redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            health_check_interval=0,
        )
        self._reserve_script = self._sync.register_script(RESERVE)
        self._observe_script = self._sync.register_script(OBSERVE)
        self._held_script = self._sync.register_script(HELD)
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )
        self._known: dict[Key, tuple[int, float]] = {}
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._down = False

    def __repr__(self) -> str:
        return f"RedisRateLimiter({_redact(self.url)!r}, on_error={self.on_error!r})"

    # -- what the scripts are given -----------------------------------------------------------
    def _now_arg(self) -> str:
        return "" if self._clock is None else repr(float(self._clock()))

    def _redis_key(self, key: Key) -> str:
        return ":".join((self.prefix, *(_part(p) for p in key)))

    def _reserve_args(self, keys: list[Key]) -> tuple[list[str], list[str]] | None:
        names: list[str] = []
        args = [self._now_arg()]
        for key in keys:
            limit = self.limits.get(key[1]) if len(key) > 1 else None
            if limit is None:
                continue
            names.append(self._redis_key(key))
            args += [str(limit.requests), repr(float(limit.window_s)), str(limit.burst or 0)]
        return (names, args) if names else None

    def _observe_calls(
        self, key: Key, headers: Mapping[str, str], limited: bool, wait: float
    ) -> list[tuple[list[str], list[str], Key, tuple[int, float] | None]]:
        """The script's calls, one per shared bucket the answer tells something new: none for
        most answers (every one would otherwise cost a second round trip). The header's
        leading quota (``key``'s own when it states none) is the one ``X-RateLimit-Remaining``
        and a 429 speak of."""
        remaining = remaining_requests(headers)
        counted_key, targets = policy_targets(
            key, headers.get("x-ratelimit-limit"), lambda k: len(k) > 1 and k[1] in self.limits
        )
        calls = []
        for target, policy in targets:
            limit = self.limits[target[1]]
            advertised = None if policy is None else policy.limit(limit)
            seen = None if advertised is None else (advertised.requests, advertised.window_s)
            new_limit = seen is not None and self._known.get(target) != seen
            counted = target == counted_key
            basis = advertised.requests if advertised is not None else limit.requests
            near_empty = counted and remaining is not None and remaining * 10 <= basis
            blocks = counted and limited and wait > 0
            if not (blocks or new_limit or near_empty):
                continue
            args = [
                self._now_arg(),
                "1" if blocks else "0",
                repr(float(max(0.0, wait))) if counted else "0.0",
                "" if advertised is None else str(advertised.requests),
                "" if advertised is None else repr(float(advertised.window_s)),
                "1" if target[1] in self.pinned else "0",
                str(limit.requests),
                repr(float(limit.window_s)),
                str(limit.burst or 0),
                "" if remaining is None or not counted else str(remaining),
            ]
            calls.append(([self._redis_key(target)], args, target, seen))
        return calls

    def _learned(self, key: Key, seen: tuple[int, float] | None) -> None:
        if seen is not None:
            if len(self._known) > 10_000:
                self._known.clear()
            self._known[key] = seen

    # -- failure handling ----------------------------------------------------------------------
    def _skipping(self) -> bool:
        """Within ``retry_after_s`` of a failure: Redis is not asked."""
        if self._down and time.monotonic() < self._down_until:
            if self.on_error == "closed":
                raise RateLimiterError(
                    f"the shared rate limiter at {_redact(self.url)} is unreachable"
                )
            return True
        return False

    def _failed(self, exc: BaseException) -> None:
        with self._lock:
            first = not self._down
            self._down = True
            self._down_until = time.monotonic() + self.retry_after_s
        detail = f"{type(exc).__name__}: {exc}"
        if self.on_error == "closed":
            raise RateLimiterError(
                f"the shared rate limiter at {_redact(self.url)} failed ({detail})"
            ) from None
        if first:
            log.warning(
                "the shared rate limiter at %s failed (%s): requests go on without it until "
                "it answers again",
                _redact(self.url),
                detail,
            )

    def _answered(self) -> None:
        if self._down:
            with self._lock:
                was_down, self._down = self._down, False
            if was_down:
                log.warning("the shared rate limiter at %s answers again", _redact(self.url))

    # -- the RateLimiter interface ------------------------------------------------------------
    def reserve(self, keys: list[Key]) -> float:
        """Take one slot of every bucket in ``keys``; seconds to wait before sending."""
        prepared = self._reserve_args(keys)
        if prepared is None or self._skipping():
            return 0.0
        try:
            answer = self._reserve_script(keys=prepared[0], args=prepared[1])
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return 0.0
        self._answered()
        return max(0.0, float(answer))

    def observe(self, key: Key, headers: Mapping[str, str], *, limited: bool, wait: float) -> None:
        """Tell every worker what an answer said: a 429 or an exhausted bucket blocks it until
        the reset; a new advertised limit replaces the configured one (a pinned category's is
        only lowered)."""
        calls = self._observe_calls(key, headers, limited, wait)
        if not calls or self._skipping():
            return
        for names, args, target, seen in calls:
            try:
                self._observe_script(keys=names, args=args)
            except (RedisError, OSError) as exc:
                self._failed(exc)
                return
            self._learned(target, seen)
        self._answered()

    def held(self, keys: list[Key]) -> float:
        """Seconds until the blocks on ``keys`` (a 429 or an exhausted bucket that any worker
        saw) end; 0 if none. Redis failing counts as no block (or raises, when closed)."""
        prepared = self._reserve_args(keys)
        if prepared is None or self._skipping():
            return 0.0
        try:
            answer = self._held_script(keys=prepared[0], args=prepared[1][:1])
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return 0.0
        self._answered()
        return max(0.0, float(answer))

    def _async_scripts(self) -> tuple[Any, Any, Any] | None:
        """The asyncio client's scripts for the running loop (reserve, observe, held); None
        under another event loop (trio)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        scripts = self._async.get(loop)
        if scripts is None:
            client = redis.asyncio.Redis.from_url(
                self.url,
                socket_timeout=self.timeout,
                socket_connect_timeout=self.timeout,
                retry=redis.asyncio.retry.Retry(NoBackoff(), 0),
                health_check_interval=0,
            )
            scripts = (
                client,
                client.register_script(RESERVE),
                client.register_script(OBSERVE),
                client.register_script(HELD),
            )
            self._async[loop] = scripts
        return scripts[1], scripts[2], scripts[3]

    async def areserve(self, keys: list[Key]) -> float:
        scripts = self._async_scripts()
        if scripts is None:
            return await anyio.to_thread.run_sync(self.reserve, keys)
        prepared = self._reserve_args(keys)
        if prepared is None or self._skipping():
            return 0.0
        try:
            answer = await scripts[0](keys=prepared[0], args=prepared[1])
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return 0.0
        self._answered()
        return max(0.0, float(answer))

    async def aobserve(
        self, key: Key, headers: Mapping[str, str], *, limited: bool, wait: float
    ) -> None:
        scripts = self._async_scripts()
        if scripts is None:
            await anyio.to_thread.run_sync(
                lambda: self.observe(key, headers, limited=limited, wait=wait)
            )
            return
        calls = self._observe_calls(key, headers, limited, wait)
        if not calls or self._skipping():
            return
        for names, args, target, seen in calls:
            try:
                await scripts[1](keys=names, args=args)
            except (RedisError, OSError) as exc:
                self._failed(exc)
                return
            self._learned(target, seen)
        self._answered()

    async def aheld(self, keys: list[Key]) -> float:
        scripts = self._async_scripts()
        if scripts is None:
            return await anyio.to_thread.run_sync(self.held, keys)
        prepared = self._reserve_args(keys)
        if prepared is None or self._skipping():
            return 0.0
        try:
            answer = await scripts[2](keys=prepared[0], args=prepared[1][:1])
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return 0.0
        self._answered()
        return max(0.0, float(answer))

    # -- housekeeping -------------------------------------------------------------------------
    def clear(self, identity: str | None = None) -> int:
        """Delete the buckets of ``identity`` (None: all of this prefix); how many."""
        pattern = self.prefix + ":" + ("*" if identity is None else _part(identity) + ":*")
        names = list(self._sync.scan_iter(match=pattern, count=500))
        return int(self._sync.delete(*names)) if names else 0

    def close(self) -> None:
        """Close the sync client's connections (the asyncio clients: ``aclose``)."""
        self._sync.close()

    async def aclose(self) -> None:
        """Close the asyncio client of the running event loop."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        scripts = self._async.pop(loop, None)
        if scripts is not None:
            await scripts[0].aclose()
