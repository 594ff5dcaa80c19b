"""One module per API area; each defines its operations once for both clients."""

from .ad_accounts import AdAccountsAPI
from .ad_groups import AdGroupsAPI
from .ads import AdsAPI
from .analytics import AnalyticsAPI
from .boards import BoardsAPI, BoardSectionsAPI
from .campaigns import CampaignsAPI
from .conversions import ConversionsAPI
from .media import MediaAPI
from .pins import PinsAPI
from .reports import ReportsAPI
from .user_account import UserAccountAPI

__all__ = [
    "AdAccountsAPI",
    "AdGroupsAPI",
    "AdsAPI",
    "AnalyticsAPI",
    "BoardSectionsAPI",
    "BoardsAPI",
    "CampaignsAPI",
    "ConversionsAPI",
    "MediaAPI",
    "PinsAPI",
    "ReportsAPI",
    "UserAccountAPI",
]
