"""One module per API area; each defines its operations once for both clients."""

from .boards import BoardsAPI, BoardSectionsAPI
from .conversions import ConversionsAPI
from .media import MediaAPI
from .pins import PinsAPI
from .user_account import UserAccountAPI

__all__ = [
    "BoardSectionsAPI",
    "BoardsAPI",
    "ConversionsAPI",
    "MediaAPI",
    "PinsAPI",
    "UserAccountAPI",
]
