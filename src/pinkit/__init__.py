"""pinkit: the Python toolkit for the Pinterest API v5.

``Client``/``AsyncClient`` for programs, the ``pinkit`` command for people and scripts, and
``pinkit.emulator`` (extra ``pinkit[emulator]``) for tests that need a Pinterest of their own.
"""

__version__ = "0.1.0"

from ._client import AsyncClient, Client
from ._pagination import AsyncPager, SyncPager
from ._ratelimit import Limit
from .auth import FileTokenStore, MemoryTokenStore, OAuthApp, TokenSet, TokenStore
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    InvalidInputError,
    NotFoundError,
    OAuthError,
    PaginationError,
    PermissionDeniedError,
    PinterestError,
    RateLimitError,
    UnprocessableEntityError,
)
from .models import Account

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "Account",
    "AsyncClient",
    "AsyncPager",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConflictError",
    "FileTokenStore",
    "InternalServerError",
    "InvalidInputError",
    "Limit",
    "MemoryTokenStore",
    "NotFoundError",
    "OAuthApp",
    "OAuthError",
    "PaginationError",
    "PermissionDeniedError",
    "PinterestError",
    "RateLimitError",
    "SyncPager",
    "TokenSet",
    "TokenStore",
    "UnprocessableEntityError",
    "__version__",
]
