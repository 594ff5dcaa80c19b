"""A log of the /v5 requests the emulator answered, for assertions in tests.

Records are redacted before anyone sees them, in-process as over HTTP: tests print them (failing
assertions, ``--showlocals``) and their output ends up in CI logs. The recorder redacts an
exchange when the records are first read, not while the request is answered. An
``Authorization`` header keeps its scheme and shows the credential's mask (``Bearer
pina_…#1a2b3c4d (53 chars)``, the same as ``pinkit._redact.mask`` of the token: compare with
that), cookies are ``[REDACTED]``; bodies have their secrets replaced by ``[REDACTED]``: the
secret fields of forms (OAuth grants) and of JSON (``access_token``, ``refresh_token``,
``client_secret``, ``password``), and token-shaped text anywhere. Bodies without any secret
are kept byte for byte.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams

from pinkit._redact import mask_headers, redact_form, redact_json, redact_text, redact_tokens

__all__ = ["RequestRecord", "Recorder"]

log = logging.getLogger("pinkit.emulator")


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

    @classmethod
    def redacted(
        cls,
        *,
        headers: Mapping[str, str],
        body: bytes,
        response_headers: Mapping[str, str],
        response_body: bytes,
        **fields: Any,
    ) -> RequestRecord:
        """A record of this exchange with its credentials redacted (see the module)."""
        return cls(
            headers=mask_headers(headers),
            body=redact_body(body, headers.get("content-type")),
            response_headers=mask_headers(response_headers),
            response_body=redact_body(response_body, response_headers.get("content-type")),
            **fields,
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form for ``GET /_emulator/requests`` (bodies as text, or base64), as
        redacted as the record, and its bodies' text once more through ``redact_text``."""
        return {
            "method": self.method,
            "path": self.path,
            "query": {key: self.query.getlist(key) for key in self.query},
            "headers": dict(self.headers),
            "body": redact_text(_text(self.body)),
            "operation_id": self.operation_id,
            "status": self.status,
            "response_headers": dict(self.response_headers),
            "response_body": redact_text(_text(self.response_body)),
            "time": self.time,
            "request_id": self.request_id,
        }


class _Unread:
    """An exchange kept as it was answered, until it is first read: its repr shows nothing of
    it (a failing test's ``--showlocals`` may print the recorder's list)."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], RequestRecord]) -> None:
        self.make = make

    def __repr__(self) -> str:
        return "<request record, redacted when first read>"


#: What a record holds besides its bodies (its headers, query and fields), counted against
#: ``Recorder.max_bytes`` so that records of empty bodies are bounded too.
RECORD_OVERHEAD_BYTES = 2048


class Recorder:
    """The records, oldest first. An exchange is kept as it was answered and redacted when the
    records are first read (``all``), not on the request path: scanning a 1,000-event body for
    secrets costs more than answering it, and most records are never read.

    ``max_bytes`` bounds what the records hold (their bodies and ``RECORD_OVERHEAD_BYTES``
    each): past it, the oldest go, counted in ``dropped``, so that a long-running server does
    not grow without end (a million conversion events are some 650 MB of bodies). None keeps
    everything."""

    def __init__(self, max_bytes: int | None = None) -> None:
        self._lock = threading.Lock()
        self._records: deque[tuple[int, RequestRecord | _Unread]] = deque()
        self._bytes = 0
        self.max_bytes = max_bytes
        self.dropped = 0

    def add(self, record: RequestRecord | Callable[[], RequestRecord], size: int = 0) -> None:
        """Keep ``record``, or a function that makes it (called once, when first read);
        ``size``: the bytes of its bodies."""
        kept = record if isinstance(record, RequestRecord) else _Unread(record)
        size += RECORD_OVERHEAD_BYTES
        with self._lock:
            self._records.append((size, kept))
            self._bytes += size
            limit = self.max_bytes
            if limit is None or self._bytes <= limit:
                return
            dropped = 0
            while len(self._records) > 1 and self._bytes > limit:
                self._bytes -= self._records.popleft()[0]
                dropped += 1
            if not self.dropped:
                log.warning(
                    "request records over %d MB: the oldest are dropped from now on",
                    limit // 2**20,
                )
            self.dropped += dropped

    def all(self) -> list[RequestRecord]:
        with self._lock:
            made = [
                (size, r if isinstance(r, RequestRecord) else r.make()) for size, r in self._records
            ]
            self._records = deque(made)
            return [record for _, record in made]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self._bytes = 0
            self.dropped = 0


# Secrets in JSON bodies: credentials by name. ("code" and "token" are data in the API's JSON:
# country codes, report tokens.)
JSON_SECRET_KEYS = frozenset({"access_token", "refresh_token", "client_secret", "password"})
# A body holds no secret unless one of these shows in it (lower-cased); most bodies are kept
# untouched. Plain substring tests: a page of 250 pins is scanned in well under a millisecond,
# where one case-insensitive regex of alternatives took a hundred.
_SECRET_MARKERS = (
    b"access_token",
    b"refresh_token",
    b"secret",
    b"password",
    b"code=",
    b"token=",
    b"bearer",
    b"basic",
    *(f"pin{kind}{sep}".encode() for kind in "arc" for sep in "._"),
)


def redact_body(body: bytes, content_type: str | None) -> bytes:
    """``body`` with its secrets redacted (see the module); binary bodies as they are."""
    lowered = body.lower()
    if not any(marker in lowered for marker in _SECRET_MARKERS):
        return body
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return body
    kind = (content_type or "").lower()
    if "x-www-form-urlencoded" in kind:
        return redact_form(text).encode()
    if "json" in kind or text.lstrip()[:1] in ("{", "["):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return redact_text(text).encode()
        cleaned = redact_json(data, keys=JSON_SECRET_KEYS, text=redact_tokens)
        return body if cleaned == data else json.dumps(cleaned).encode()
    return redact_text(text).encode()


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(data).decode("ascii")
