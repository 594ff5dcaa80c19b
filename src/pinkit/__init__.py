"""pinkit: the Python toolkit for the Pinterest API v5.

``Client``/``AsyncClient`` for programs, the ``pinkit`` command for people and scripts, and
``pinkit.emulator`` (extra ``pinkit[emulator]``) for tests that need a Pinterest of their own.
"""

from __future__ import annotations

__version__ = "0.1.0"

# ``typing.TYPE_CHECKING`` without importing typing (a sixth of ``pinkit --help``'s time);
# type checkers treat the name alike.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from . import money
    from ._batch import BatchResult, DryRun, ItemError, PlannedRequest
    from ._client import AsyncClient, Client
    from ._clock import Clock, SystemClock
    from ._pagination import AsyncPager, SyncPager
    from ._ratelimit import Limit, LocalRateLimiter, RateLimiter, RateLimiterError
    from ._redact import Secret
    from ._redis_ratelimit import RedisRateLimiter
    from ._tokens import FileTokenStore, MemoryTokenStore, TokenSet, TokenStore
    from .auth import OAuthApp
    from .conversions import BulkSummary, ConversionEvent, EventResult, SendResult
    from .errors import (
        APIConnectionError,
        APIResponseValidationError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConflictError,
        InternalServerError,
        InvalidInputError,
        MediaProcessingError,
        NotFoundError,
        OAuthError,
        PaginationError,
        PermissionDeniedError,
        PinterestError,
        RateLimitError,
        UnprocessableEntityError,
    )
    from .media_sources import ImageBase64, ImageURL, ImageURLs, VideoID
    from .models import (
        Account,
        Ad,
        AdAccount,
        AdGroup,
        Board,
        BoardSection,
        Campaign,
        Media,
        MediaUpload,
        Pin,
    )
    from .reports import Report, ReportError
    from .resources.ads import PromotedPin, PromoteError

# Public names load on first use, so ``import pinkit`` and ``pinkit --help`` stay fast.
_LAZY = {
    "AsyncClient": "._client",
    "Client": "._client",
    "Clock": "._clock",
    "SystemClock": "._clock",
    "AsyncPager": "._pagination",
    "SyncPager": "._pagination",
    "Limit": "._ratelimit",
    "LocalRateLimiter": "._ratelimit",
    "RateLimiter": "._ratelimit",
    "RateLimiterError": "._ratelimit",
    "RedisRateLimiter": "._redis_ratelimit",
    "Secret": "._redact",
    "FileTokenStore": "._tokens",
    "MemoryTokenStore": "._tokens",
    "OAuthApp": ".auth",
    "BulkSummary": ".conversions",
    "ConversionEvent": ".conversions",
    "EventResult": ".conversions",
    "SendResult": ".conversions",
    "TokenSet": "._tokens",
    "TokenStore": "._tokens",
    "Account": ".models",
    "Board": ".models",
    "BoardSection": ".models",
    "Media": ".models",
    "MediaUpload": ".models",
    "Pin": ".models",
    "ImageBase64": ".media_sources",
    "ImageURL": ".media_sources",
    "ImageURLs": ".media_sources",
    "VideoID": ".media_sources",
    "Ad": ".models",
    "AdAccount": ".models",
    "AdGroup": ".models",
    "Campaign": ".models",
    "BatchResult": "._batch",
    "DryRun": "._batch",
    "ItemError": "._batch",
    "PlannedRequest": "._batch",
    "PromotedPin": ".resources.ads",
    "PromoteError": ".resources.ads",
    "Report": ".reports",
    "ReportError": ".reports",
}
#: Submodules reachable as attributes without an import of their own (``pinkit.money``).
_SUBMODULES = frozenset({"money"})


def __getattr__(name: str) -> Any:
    from importlib import import_module

    if name in _SUBMODULES:
        submodule = import_module(f".{name}", __name__)
        globals()[name] = submodule
        return submodule
    module = _LAZY.get(name)
    if module is None and name in __all__ and name != "__version__":
        module = ".errors"
    if module is None:
        raise AttributeError(f"module 'pinkit' has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Ad",
    "AdAccount",
    "AdGroup",
    "BatchResult",
    "Campaign",
    "DryRun",
    "ItemError",
    "PlannedRequest",
    "PromoteError",
    "PromotedPin",
    "money",
    "Board",
    "BoardSection",
    "BulkSummary",
    "ConversionEvent",
    "EventResult",
    "SendResult",
    "ImageBase64",
    "ImageURL",
    "ImageURLs",
    "Media",
    "MediaProcessingError",
    "MediaUpload",
    "Pin",
    "VideoID",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "Account",
    "AsyncClient",
    "AsyncPager",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "Clock",
    "ConflictError",
    "FileTokenStore",
    "InternalServerError",
    "InvalidInputError",
    "Limit",
    "LocalRateLimiter",
    "MemoryTokenStore",
    "NotFoundError",
    "OAuthApp",
    "OAuthError",
    "PaginationError",
    "PermissionDeniedError",
    "PinterestError",
    "RateLimitError",
    "RateLimiter",
    "RateLimiterError",
    "RedisRateLimiter",
    "Report",
    "ReportError",
    "Secret",
    "SyncPager",
    "SystemClock",
    "TokenSet",
    "TokenStore",
    "UnprocessableEntityError",
    "__version__",
]
