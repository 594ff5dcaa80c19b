"""Injected faults: the way tests make the emulator misbehave on purpose.

A fault answers the next ``count`` matching requests with ``status`` (and a Pinterest-shaped body
unless one is given). ``after_processing`` faults let the handler run and commit first, which is
how a test reproduces "the write happened but the response was lost" for retry logic.

A fault is checked when it is made: one that could never fire (an unknown operation) or that
the server could not send (a header with a line break) is refused with ``EmulatorError``.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from pinkit._operations import by_id

from ._errors import EmulatorError, error_body

__all__ = ["Fault", "FaultQueue"]

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an HTTP header name (RFC 9110 token)
_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")  # no CR, LF or other control characters


def _check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise EmulatorError(f"{name} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f">= {low}"
        raise EmulatorError(f"{name} must be {bound}, got {value}")
    return value


@dataclass
class Fault:
    status: int
    operation: str | None = None
    count: int = 1
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    after_processing: bool = False

    def __post_init__(self) -> None:
        _check_int("status", self.status, 100, 599)
        _check_int("count", self.count, 1)
        if self.operation is not None:
            if not isinstance(self.operation, str):
                raise EmulatorError(f"operation must be an operationId, got {self.operation!r}")
            try:
                by_id(self.operation)
            except KeyError:
                raise EmulatorError(
                    f"unknown operation {self.operation!r}: give an operationId of the spec, "
                    "such as 'user_account/get'"
                ) from None
        if not isinstance(self.after_processing, bool):
            raise EmulatorError("after_processing must be true or false")
        if not isinstance(self.headers, dict):
            raise EmulatorError("headers must be an object of header names to values")
        for name, value in self.headers.items():
            if not isinstance(name, str) or not _TOKEN.fullmatch(name):
                raise EmulatorError(f"not a valid header name: {name!r}")
            if not isinstance(value, str) or not _VALUE.fullmatch(value):
                raise EmulatorError(f"header {name} must be a one-line string, got {value!r}")
        if self.body is None:
            self.body = error_body(self.status)
        elif not isinstance(self.body, (str, bytes)):
            try:
                json.dumps(self.body, allow_nan=False)
            except (TypeError, ValueError) as exc:
                raise EmulatorError(f"body must be JSON, text or bytes: {exc}") from None

    def as_dict(self) -> dict[str, Any]:
        body = self.body.decode("utf-8", "replace") if isinstance(self.body, bytes) else self.body
        return {
            "status": self.status,
            "operation": self.operation,
            "count": self.count,
            "body": body,
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
