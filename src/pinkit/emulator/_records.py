"""A log of the /v5 requests the emulator answered, for assertions in tests."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams

from pinkit._redact import redact_headers, redact_text

__all__ = ["RequestRecord", "Recorder"]


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    """Path as received, e.g. ``/v5/user_account``."""
    query: QueryParams
    """Query parameters: ``query["bookmark"]`` / ``.get()`` give one value, ``.getlist()`` all."""
    headers: dict[str, str]
    body: bytes
    operation_id: str | None
    status: int
    response_headers: dict[str, str]
    response_body: bytes
    time: float
    """Emulator clock time when the request arrived."""
    request_id: str = ""
    """The ``x-pinterest-rid`` the answer carried."""

    def json(self) -> Any:
        """The request body parsed as JSON (``None`` when empty)."""
        return json.loads(self.body) if self.body else None

    def response_json(self) -> Any:
        return json.loads(self.response_body) if self.response_body else None

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form for ``GET /_emulator/requests`` (bodies as text, or base64), with
        credentials redacted: this output ends up in CI logs and bug reports."""
        return {
            "method": self.method,
            "path": self.path,
            "query": {key: self.query.getlist(key) for key in self.query},
            "headers": redact_headers(self.headers),
            "body": redact_text(_text(self.body)),
            "operation_id": self.operation_id,
            "status": self.status,
            "response_headers": redact_headers(self.response_headers),
            "response_body": redact_text(_text(self.response_body)),
            "time": self.time,
            "request_id": self.request_id,
        }


class Recorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def all(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(data).decode("ascii")
