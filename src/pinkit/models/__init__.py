"""Typed models of Pinterest's responses: lenient on input (unknown fields kept)."""

from ._base import PinterestModel
from .user_account import Account, BusinessAccount, UserSummary, UserWebsite

__all__ = ["Account", "BusinessAccount", "PinterestModel", "UserSummary", "UserWebsite"]
