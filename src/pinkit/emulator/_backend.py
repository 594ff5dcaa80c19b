"""The emulator's moving parts in one object, shared by the ASGI app and the ``Emulator``.

``Backend`` owns the store, the clock, the areas (through their :class:`Registry`) and the
in-memory test controls (faults, rate limits, request records). It knows nothing of HTTP servers
or pinkit's client: ``Emulator`` wraps it for Python users, the app serves it over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ._clock import Clock
from ._faults import FaultQueue
from ._ratelimit import RateLimiter
from ._records import Recorder
from ._registry import Registry, State
from ._store import Store, Tx

__all__ = ["IN_PROCESS_ORIGIN", "Backend"]

IN_PROCESS_ORIGIN = "http://emulator.local"


class Backend:
    def __init__(
        self,
        registry: Registry,
        state_path: str | Path | None = None,
        *,
        sandbox: bool = False,
        record_limit_bytes: int | None = None,
    ) -> None:
        self.registry = registry
        self.sandbox = sandbox
        self.origin = IN_PROCESS_ORIGIN
        """Where the emulator is reached; the server sets it when it starts."""
        self.store = Store(state_path)
        self.clock = Clock(self.store)
        self.limiter = RateLimiter()
        self.faults = FaultQueue()
        self.recorder = Recorder(record_limit_bytes)
        with self.store.write() as tx:
            if tx.meta_get("seeded") is None:
                self._seed(tx)

    def state(self, tx: Tx, origin: str | None = None) -> State:
        return State(self, tx, self.clock.now(), origin or self.origin)

    @contextmanager
    def write(self, origin: str | None = None) -> Iterator[State]:
        """A write transaction on the state, at the current emulator time."""
        with self.store.write() as tx:
            yield self.state(tx, origin)

    @contextmanager
    def read(self, origin: str | None = None) -> Iterator[State]:
        with self.store.read() as tx:
            yield self.state(tx, origin)

    def _seed(self, tx: Tx) -> None:
        state = self.state(tx)
        for area in self.registry.seed_order:
            if area.seed is not None:
                area.seed(state)
        tx.meta_set("seeded", "1")

    def reset(self) -> None:
        """Fresh state; clears faults, request records and rate-limit settings too."""
        with self.store.write() as tx:
            tx.wipe()
            self._seed(tx)
        self.limiter.reset()
        self.faults.clear()
        self.recorder.clear()

    @property
    def default_user_id(self) -> str:
        with self.read() as state:
            return state.default_user_id
