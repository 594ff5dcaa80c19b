"""Typed models of Pinterest's responses: lenient on input (unknown fields kept)."""

from ._base import PinterestModel
from .ads import Ad, AdAccount, AdAccountOwner, AdGroup, Campaign
from .analytics import AnalyticsMetrics, DailyMetrics, DateAvailability, TopPin, TopPins
from .audiences import Audience, CustomerList
from .boards import Board, BoardSection, Owner
from .media import Media, MediaUpload
from .pins import Pin
from .user_account import Account, BusinessAccount, UserSummary, UserWebsite

__all__ = [
    "Account",
    "Ad",
    "AdAccount",
    "AdAccountOwner",
    "AdGroup",
    "Campaign",
    "AnalyticsMetrics",
    "Audience",
    "CustomerList",
    "DailyMetrics",
    "DateAvailability",
    "TopPin",
    "TopPins",
    "Board",
    "BoardSection",
    "BusinessAccount",
    "Media",
    "MediaUpload",
    "Owner",
    "Pin",
    "PinterestModel",
    "UserSummary",
    "UserWebsite",
]
