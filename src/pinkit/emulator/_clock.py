"""The emulator's clock: real time plus an offset that tests can move forward.

The offset lives in the store, so every process sharing a state file (the server and CLI runs)
sees the same "now"; token expiry, auth-code lifetime, rate-limit windows and jobs all read it.

It is also a ``pinkit.Clock`` (``now``, ``sleep``, ``async_sleep``): clients made by the emulator
sleep on it, and a sleep moves emulator time to the sleeper's wake time at once, so a test that
waits out a rate-limit window or a video's processing costs no real time.
"""

from __future__ import annotations

import math
import time

import anyio

from .._validate import check_seconds as _check_seconds
from ._errors import EmulatorError
from ._store import Store

__all__ = ["Clock", "check_seconds"]

_KEY = "clock_offset"


def check_seconds(seconds: object, what: str = "seconds") -> float:
    """``seconds`` as a finite float >= 0, or ``EmulatorError`` (a control's bad argument)."""
    return _check_seconds(what, seconds, error=EmulatorError)


class Clock:
    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def offset(self) -> float:
        with self._store.read() as tx:
            raw = tx.meta_get(_KEY, "0") or "0"
        try:
            value = float(raw)
        except ValueError:
            return 0.0
        # A state written before offsets were checked may hold NaN: never let it stop the clock.
        return value if math.isfinite(value) else 0.0

    def now(self) -> float:
        """Emulator time as epoch seconds."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> float:
        """Move emulator time forward (never backward); returns the new ``now()``."""
        step = check_seconds(seconds)
        with self._store.write() as tx:
            offset = self._offset_in(tx.meta_get(_KEY, "0")) + step
            tx.meta_set(_KEY, repr(offset))
        return time.time() + offset

    def advance_to(self, moment: float) -> float:
        """Move emulator time to ``moment`` unless it is already later; returns ``now()``."""
        with self._store.write() as tx:
            offset = self._offset_in(tx.meta_get(_KEY, "0"))
            offset = max(offset, moment - time.time())
            tx.meta_set(_KEY, repr(offset))
        return time.time() + offset

    @staticmethod
    def _offset_in(raw: str | None) -> float:
        try:
            value = float(raw or "0")
        except ValueError:
            return 0.0
        return value if math.isfinite(value) else 0.0

    def sleep(self, seconds: float) -> None:
        """Sleep on emulator time: return at once, with ``now()`` at least the wake time.

        Each sleeper moves time on to its own wake time (``now()`` at the call plus
        ``seconds``) in one store write, one writer at a time across threads and processes,
        unless time is already later; so it never moves backward, and every sleeper, once
        woken, sees a time at or after its own wake time.
        """
        self.advance_to(self.now() + check_seconds(seconds, "seconds to sleep"))

    async def async_sleep(self, seconds: float) -> None:
        """``sleep`` for tasks: the store write runs in a worker thread."""
        await anyio.to_thread.run_sync(self.sleep, seconds)
