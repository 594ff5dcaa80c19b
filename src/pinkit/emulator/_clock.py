"""The emulator's clock: real time plus an offset that tests can move forward.

The offset lives in the store, so every process sharing a state file (the server and CLI runs)
sees the same "now"; token expiry, auth-code lifetime and rate-limit windows all read it.
"""

from __future__ import annotations

import time

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
