"""Where the clients read time and wait: one seam, so tests can make time pass instantly.

Token expiry, the client-side rate limiter, backoff and Retry-After waits, and media polling
all read ``now()`` and wait through ``sleep``/``async_sleep`` of the client's clock. The
emulator's clock implements the same protocol: its sleeps move emulator time forward at once.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable
from typing import Protocol, runtime_checkable

import anyio

__all__ = ["Clock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """Time for a client: ``now()`` in Unix epoch seconds, and waiting for threads and tasks."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    def async_sleep(self, seconds: float) -> Awaitable[None]: ...


class SystemClock:
    """The real clock: ``time.time()``, ``time.sleep`` and ``anyio.sleep``."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    async def async_sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"


SYSTEM_CLOCK = SystemClock()
