"""One module per API area; each defines its operations once for both clients."""

from .user_account import UserAccountAPI

__all__ = ["UserAccountAPI"]
