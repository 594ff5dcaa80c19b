"""Operation handlers, registered by the spec's operationId.

A route module adds an operation by decorating a plain (sync) function::

    @handler("user_account/get")
    def get_account(ctx: Context) -> Reply:
        return {...}

The dispatcher has already matched the path, authenticated the caller, checked the operation's
scopes, applied rate limits and faults and opened the request's transaction (``ctx.tx``) by the
time the handler runs; the handler only does the operation's own work. Handlers run in a worker
thread, so blocking SQLite calls never stall the event loop. Raise ``ApiError`` for errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import parse_qsl

from starlette.responses import Response

from pinkit._operations import Operation, by_id

from ._errors import ApiError
from ._store import Tx

if TYPE_CHECKING:
    from ._backend import Backend

__all__ = ["Context", "Handler", "Principal", "Reply", "get_handler", "handler"]

#: What a handler returns: a ready response, or a JSON value answered with 200.
Reply: TypeAlias = Response | dict[str, Any] | list[Any]


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user and app behind a token, or an app itself (HTTP Basic)."""

    user_id: str
    client_id: str
    scheme: str
    """``pinterest_oauth2``, ``client_credentials`` or ``basic``."""
    scopes: frozenset[str] = frozenset()

    @property
    def rate_key(self) -> str:
        # Pinterest meters "per user per app", not per token string.
        return f"{self.user_id}:{self.client_id}"


@dataclass
class Context:
    """Everything a handler needs about the request it answers."""

    op: Operation
    path_params: dict[str, str]
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    tx: Tx
    backend: Backend
    now: float
    principal: Principal | None = None
    origin: str = ""
    """Scheme and host the request was sent to (``http://127.0.0.1:8080``)."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def user_id(self) -> str:
        if self.principal is None:  # pragma: no cover - the dispatcher guarantees it
            raise ApiError(401)
        return self.principal.user_id

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of query parameter ``name``."""
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        """The JSON request body; 400 when it is not JSON."""
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            raise ApiError(400, "Request body is not valid JSON.") from None

    def form(self) -> dict[str, str]:
        """The ``application/x-www-form-urlencoded`` body (first value per field)."""
        try:
            pairs = parse_qsl(self.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise ApiError(400, "Request body is not valid form data.") from None
        form: dict[str, str] = {}
        for key, value in pairs:
            form.setdefault(key, value)
        return form


Handler: TypeAlias = Callable[[Context], Reply]


@dataclass(frozen=True)
class HandlerSpec:
    operation: Operation
    func: Handler
    writes: bool


_HANDLERS: dict[str, HandlerSpec] = {}


def handler(operation_id: str, *, writes: bool | None = None) -> Callable[[Handler], Handler]:
    """Register ``func`` as the emulator's implementation of a spec operation.

    ``writes`` says whether the handler changes state (default: every method but GET), which
    decides whether its transaction takes the write lock up front.
    """
    try:
        operation = by_id(operation_id)
    except KeyError:
        raise ValueError(f"{operation_id!r} is not an operationId in the spec") from None

    def register(func: Handler) -> Handler:
        if operation_id in _HANDLERS:
            raise ValueError(f"a handler for {operation_id!r} is already registered")
        does_write = operation.method != "GET" if writes is None else writes
        _HANDLERS[operation_id] = HandlerSpec(operation, func, does_write)
        return func

    return register


def get_handler(operation_id: str) -> HandlerSpec | None:
    return _HANDLERS.get(operation_id)


def implemented() -> list[str]:
    """The operationIds the emulator implements, sorted."""
    return sorted(_HANDLERS)
