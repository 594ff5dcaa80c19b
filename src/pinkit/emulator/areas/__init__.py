"""The emulator's API areas, each a package with its rules, handlers, seed and controls.

``AREAS`` is the one list of them: the emulator serves exactly these. To add an area, create
``areas/<area>/`` with its ``area.py`` (see docs/contributing.md) and add its ``AREA`` here.
Area packages' ``__init__`` modules import nothing, so one area's rules can use another's
without pulling in its handlers.
"""

from .._registry import Area
from .ad_accounts.area import AREA as AD_ACCOUNTS
from .ad_groups.area import AREA as AD_GROUPS
from .ads.area import AREA as ADS
from .analytics.area import AREA as ANALYTICS
from .audiences.area import AREA as AUDIENCES
from .boards.area import AREA as BOARDS
from .campaigns.area import AREA as CAMPAIGNS
from .conversions.area import AREA as CONVERSIONS
from .customer_lists.area import AREA as CUSTOMER_LISTS
from .media.area import AREA as MEDIA
from .oauth.area import AREA as OAUTH
from .pins.area import AREA as PINS
from .user_account.area import AREA as USER_ACCOUNT

__all__ = ["AREAS"]

AREAS: list[Area] = [
    USER_ACCOUNT,
    OAUTH,
    BOARDS,
    PINS,
    MEDIA,
    AD_ACCOUNTS,
    CAMPAIGNS,
    AD_GROUPS,
    ADS,
    CONVERSIONS,
    CUSTOMER_LISTS,
    AUDIENCES,
    ANALYTICS,
]
