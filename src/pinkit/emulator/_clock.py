"""The emulator's clock: real time plus an offset that tests can move forward.

The offset lives in the store, so every process sharing a state file (the server and CLI runs)
sees the same "now"; token expiry, auth-code lifetime and rate-limit windows all read it.

It is also a ``pinkit.Clock``: a client given it (``Emulator.client()`` does) waits by moving
emulator time forward instead of sleeping, so rate-limit waits, retry backoff and media polling
in tests cost no real time.
"""

from __future__ import annotations

import math
import time

import anyio.to_thread

from ._store import Store

__all__ = ["Clock"]

_KEY = "clock_offset"


class Clock:
    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def offset(self) -> float:
        with self._store.read() as tx:
            return float(tx.meta_get(_KEY, "0") or "0")

    def now(self) -> float:
        """Emulator time as epoch seconds."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> float:
        """Move emulator time forward (never backward); returns the new ``now()``."""
        if seconds < 0:
            raise ValueError("the emulator clock only moves forward")
        with self._store.write() as tx:
            offset = float(tx.meta_get(_KEY, "0") or "0") + seconds
            tx.meta_set(_KEY, repr(offset))
        return time.time() + offset

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of emulator time without waiting in real time: emulator time moves
        on to this sleeper's wake time (``now()`` at the call plus ``seconds``) unless it is
        already later. Time never moves backward, so when several threads sleep at once each
        one, once woken, sees a time at or after its own wake time."""
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"cannot sleep {seconds!r} seconds: give a finite number >= 0")
        wake = self.now() + seconds
        with self._store.write() as tx:  # one writer at a time, across threads and processes
            offset = float(tx.meta_get(_KEY, "0") or "0")
            needed = wake - time.time()
            if needed > offset:
                tx.meta_set(_KEY, repr(needed))

    async def async_sleep(self, seconds: float) -> None:
        """``sleep`` for tasks; the store write runs in a worker thread."""
        await anyio.to_thread.run_sync(self.sleep, seconds)
