"""One module per API area; each defines its operations once for both clients."""

from .boards import BoardsAPI, BoardSectionsAPI
from .media import MediaAPI
from .pins import PinsAPI
from .user_account import UserAccountAPI

__all__ = ["BoardSectionsAPI", "BoardsAPI", "MediaAPI", "PinsAPI", "UserAccountAPI"]
