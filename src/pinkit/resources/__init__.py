"""One module per API area; each defines its operations once for both clients."""

from .ad_accounts import AdAccountsAPI
from .ad_groups import AdGroupsAPI
from .ads import AdsAPI
from .analytics import AnalyticsAPI
from .audiences import AudiencesAPI
from .boards import BoardsAPI, BoardSectionsAPI
from .campaigns import CampaignsAPI
from .conversions import ConversionsAPI
from .customer_lists import CustomerListsAPI
from .media import MediaAPI
from .pins import PinsAPI
from .reports import ReportsAPI
from .user_account import UserAccountAPI

__all__ = [
    "AdAccountsAPI",
    "AdGroupsAPI",
    "AdsAPI",
    "AnalyticsAPI",
    "AudiencesAPI",
    "BoardSectionsAPI",
    "BoardsAPI",
    "CampaignsAPI",
    "ConversionsAPI",
    "CustomerListsAPI",
    "MediaAPI",
    "PinsAPI",
    "ReportsAPI",
    "UserAccountAPI",
]
