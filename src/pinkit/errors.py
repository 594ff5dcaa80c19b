"""The pinkit exception tree.

``PinterestError`` is the root. HTTP errors carry the status, Pinterest's own application
``code`` and ``message`` and the request id, so a log line is enough to report a problem to
Pinterest. Nothing here ever holds a token: messages are built from response bodies, which the
API never fills with credentials, and from redacted request lines.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "InvalidInputError",
    "MediaProcessingError",
    "NotFoundError",
    "OAuthError",
    "PaginationError",
    "PermissionDeniedError",
    "PinterestError",
    "RateLimitError",
    "UnprocessableEntityError",
]


class PinterestError(Exception):
    """Root of every error pinkit raises."""


class InvalidInputError(PinterestError, ValueError):
    """Bad input caught before any request was sent."""


class PaginationError(PinterestError):
    """The server returned a page that would make iteration loop or go astray."""


class MediaProcessingError(PinterestError):
    """Uploaded media ended in ``failed``, or was not ready before the deadline."""

    def __init__(self, message: str, media: Any = None) -> None:
        super().__init__(message)
        self.media = media
        self.media_id: str | None = getattr(media, "media_id", None)
        self.status: str | None = getattr(media, "status", None)


class APIConnectionError(PinterestError):
    """The request did not get an HTTP response (DNS, refused connection, reset)."""

    def __init__(self, message: str = "Connection error.", *, method: str = "", url: str = ""):
        super().__init__(message)
        self.method = method
        self.url = url


class APITimeoutError(APIConnectionError):
    """The request timed out."""

    def __init__(self, message: str = "Request timed out.", *, method: str = "", url: str = ""):
        super().__init__(message, method=method, url=url)


class APIStatusError(PinterestError):
    """Pinterest answered with an HTTP error status."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: int | None = None,
        request_id: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        method: str = "",
        url: str = "",
    ) -> None:
        self.message = message
        self.status_code = status_code
        self.code = code
        self.request_id = request_id
        self.body = body
        self.headers = headers or {}
        self.method = method
        self.url = url
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = [f"{self.status_code}"]
        if self.code is not None:
            parts.append(f"code {self.code}")
        text = f"[{', '.join(parts)}] {self.message}"
        if self.method:
            text += f" ({self.method} {self.url})"
        if self.request_id:
            text += f" request_id={self.request_id}"
        return text


class APIResponseValidationError(APIStatusError):
    """A successful answer whose body is not what the API documents."""


class BadRequestError(APIStatusError):
    """400."""


class AuthenticationError(APIStatusError):
    """401: the token is missing, expired or revoked."""


class PermissionDeniedError(APIStatusError):
    """403: the token lacks a scope or the user lacks access."""


class NotFoundError(APIStatusError):
    """404."""


class ConflictError(APIStatusError):
    """409."""


class UnprocessableEntityError(APIStatusError):
    """422."""


class RateLimitError(APIStatusError):
    """429, or a client-side wait longer than the configured cap.

    ``retry_after`` is the number of seconds to wait before trying again (None if unknown),
    ``category`` the operation's rate-limit category, ``spam`` whether Pinterest flagged the
    request as spam (never worth retrying).
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        category: str | None = None,
        spam: bool = False,
        status_code: int = 429,
        **kwargs: Any,
    ) -> None:
        self.retry_after = retry_after
        self.category = category
        self.spam = spam
        super().__init__(message, status_code=status_code, **kwargs)

    def _describe(self) -> str:
        text = super()._describe()
        if self.retry_after is not None:
            text += f" (retry after {self.retry_after:.0f}s)"
        return text


class InternalServerError(APIStatusError):
    """5xx."""


class OAuthError(APIStatusError):
    """The token endpoint refused a grant (bad code, revoked refresh token, bad client)."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_class_for(status_code: int) -> type[APIStatusError]:
    if status_code >= 500:
        return InternalServerError
    return _BY_STATUS.get(status_code, APIStatusError)
