"""One module per API area; each defines its operations once for both clients."""

from .analytics import AnalyticsAPI
from .boards import BoardsAPI, BoardSectionsAPI
from .media import MediaAPI
from .pins import PinsAPI
from .reports import ReportsAPI
from .user_account import UserAccountAPI

__all__ = [
    "AnalyticsAPI",
    "BoardSectionsAPI",
    "BoardsAPI",
    "MediaAPI",
    "PinsAPI",
    "ReportsAPI",
    "UserAccountAPI",
]
