"""Errors the way Pinterest sends them: ``{"code": N, "message": "..."}``.

``code`` is Pinterest's application code, not the HTTP status (2 = authentication failed,
8 = rate limited, 29 = not permitted...). Handlers raise :class:`ApiError`; the dispatcher turns it
into a response and rolls the request's transaction back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse

from pinkit.errors import InvalidInputError

__all__ = [
    "ApiError",
    "EmulatorError",
    "error_body",
    "error_response",
    "AUTH_FAILED",
    "INVALID_PARAMETERS",
    "NOT_PERMITTED",
    "RATE_LIMITED",
]

AUTH_FAILED = 2
INVALID_PARAMETERS = 1
RATE_LIMITED = 8
NOT_PERMITTED = 29

RATE_LIMIT_MESSAGE = (
    "This request exceeded a rate limit. This can happen if the client exceeds one of the "
    "published rate limits within a short time window."
)

#: Default (code, message) per HTTP status, used for injected faults and generic errors.
_DEFAULTS: dict[int, tuple[int, str]] = {
    400: (1, "Invalid parameters."),
    401: (AUTH_FAILED, "Authentication failed."),
    403: (NOT_PERMITTED, "You are not permitted to access that resource."),
    404: (404, "Not found."),
    405: (405, "Method not allowed."),
    408: (408, "Request timeout."),
    409: (409, "Conflict."),
    429: (RATE_LIMITED, RATE_LIMIT_MESSAGE),
    500: (500, "Internal server error."),
    501: (501, "Not implemented."),
    502: (502, "Bad gateway."),
    503: (503, "Service unavailable."),
    504: (504, "Gateway timeout."),
}


class EmulatorError(InvalidInputError):
    """A test control (``Emulator`` method or ``/_emulator/`` route) was given bad input, or the
    emulator cannot start as asked (a ``ValueError``, and pinkit's ``InvalidInputError``, so the
    CLI reports it in one line with exit code 2). Nothing was changed."""


class ApiError(Exception):
    """Raise from a handler to answer with a Pinterest-shaped error."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        *,
        code: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        default_code, default_message = _DEFAULTS.get(status, (status, "Error."))
        self.status = status
        self.code = default_code if code is None else code
        self.message = default_message if message is None else message
        self.headers = dict(headers or {})
        super().__init__(f"{status} {self.code}: {self.message}")

    def response(self) -> JSONResponse:
        return error_response(self.status, self.message, code=self.code, headers=self.headers)


def error_body(
    status: int, message: str | None = None, *, code: int | None = None
) -> dict[str, Any]:
    err = ApiError(status, message, code=code)
    return {"code": err.code, "message": err.message}


def error_response(
    status: int,
    message: str | None = None,
    *,
    code: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(status, message, code=code), status, headers=dict(headers or {}))
