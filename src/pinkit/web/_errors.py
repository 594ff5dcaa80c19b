"""The errors of ``pinkit.web``: a login that cannot complete, a user with no tokens, storage."""

from __future__ import annotations

from ..errors import AuthenticationError, PinterestError

__all__ = [
    "AccessDeniedError",
    "LoginError",
    "LoginStateError",
    "NotConnectedError",
    "StorageError",
]


class LoginError(PinterestError):
    """The login could not complete (the callback carried an error, or no code)."""

    def __init__(self, message: str, *, return_to: str | None = None) -> None:
        super().__init__(message)
        #: Where the app meant to send the user after this login (None for a forged state).
        self.return_to = return_to


class LoginStateError(LoginError):
    """The callback's ``state`` is unknown (forged), already used, expired, or was issued to
    another user: nothing was exchanged or stored."""


class AccessDeniedError(LoginError):
    """The user pressed Deny on Pinterest's consent page (``error=access_denied``)."""


class NotConnectedError(AuthenticationError):
    """No tokens are stored for this user (never connected, or disconnected)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=401)


class StorageError(PinterestError):
    """The token database failed, timed out waiting for a lock, or holds rows these keys
    cannot read."""
