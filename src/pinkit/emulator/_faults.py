"""Injected faults: the way tests make the emulator misbehave on purpose.

A fault answers the next ``count`` matching requests with ``status`` (and a Pinterest-shaped body
unless one is given). ``after_processing`` faults let the handler run and commit first, which is
how a test reproduces "the write happened but the response was lost" for retry logic.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from ._errors import error_body

__all__ = ["Fault", "FaultQueue"]


@dataclass
class Fault:
    status: int
    operation: str | None = None
    count: int = 1
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    after_processing: bool = False

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError("count must be >= 1")
        if not 100 <= self.status <= 599:
            raise ValueError("status must be an HTTP status code")
        if self.body is None:
            self.body = error_body(self.status)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "operation": self.operation,
            "count": self.count,
            "body": self.body,
            "headers": dict(self.headers),
            "after_processing": self.after_processing,
        }


class FaultQueue:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def take(self, operation_id: str, *, after_processing: bool) -> Fault | None:
        """The first pending fault for this operation and phase, using up one of its count."""
        with self._lock:
            for fault in self._faults:
                if fault.after_processing != after_processing:
                    continue
                if fault.operation not in (None, operation_id):
                    continue
                fault.count -= 1
                if fault.count == 0:
                    self._faults.remove(fault)
                return fault
            return None

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
