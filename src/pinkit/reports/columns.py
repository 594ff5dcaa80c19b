"""What each analytics column holds, worked out from its name.

The spec lists the column names (613 for reports, 175 for synchronous analytics) but gives their
values no type: rows are free-form objects. The kinds below follow the names Pinterest uses:

- ``DATE`` is a ``datetime.date``; ``HOUR`` an ``int`` (0 to 23).
- Identifiers, names, statuses, labels, types, URLs and other descriptions are text
  (``CAMPAIGN_ID`` stays ``"626736533506"``: IDs are strings everywhere in the API).
- Ratios, rates, averages and per-unit costs in currency units are ``float`` (``CTR``,
  ``ENGAGEMENT_RATE``, ``ECPC_IN_DOLLAR``, ``TOTAL_CHECKOUT_ROAS``).
- Every other column is a count or an amount: ``int`` when its text is a whole number (a
  ``float`` when Pinterest sends a fraction, as it may for per-unit costs in micros).

``*_IN_MICRO_DOLLAR`` columns are micro-units of the ad account's currency, not US dollars
(api-facts §6): a GBP account's ``SPEND_IN_MICRO_DOLLAR`` counts millionths of a pound. Rows
keep the raw column and add its exact amount as a ``Decimal`` under
:func:`money_column` (``SPEND_IN_ACCOUNT_CURRENCY``), with one ``CURRENCY`` column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Literal

__all__ = [
    "CURRENCY",
    "ID_COLUMNS",
    "LEVEL_ID_COLUMNS",
    "MICRO_SUFFIX",
    "MONEY_SUFFIX",
    "Kind",
    "is_money",
    "kind_of",
    "money_column",
    "micro_column",
]

Kind = Literal["date", "hour", "text", "float", "number", "decimal"]

MICRO_SUFFIX = "_IN_MICRO_DOLLAR"
MONEY_SUFFIX = "_IN_ACCOUNT_CURRENCY"
CURRENCY = "CURRENCY"

#: The column that names each row's entity, per report level (the levels' own ID column).
LEVEL_ID_COLUMNS: Mapping[str, str] = {
    "ADVERTISER": "ADVERTISER_ID",
    "ADVERTISER_TARGETING": "ADVERTISER_ID",
    "CAMPAIGN": "CAMPAIGN_ID",
    "CAMPAIGN_TARGETING": "CAMPAIGN_ID",
    "AD_GROUP": "AD_GROUP_ID",
    "AD_GROUP_TARGETING": "AD_GROUP_ID",
    "PIN_PROMOTION": "PIN_PROMOTION_ID",
    "PIN_PROMOTION_TARGETING": "PIN_PROMOTION_ID",
    "KEYWORD": "KEYWORD_ID",
    "PRODUCT_GROUP": "PRODUCT_GROUP_ID",
    "PRODUCT_GROUP_TARGETING": "PRODUCT_GROUP_ID",
    "PRODUCT_ITEM": "PRODUCT_ITEM_ID",
    "PRODUCT_ITEM_TARGETING": "PRODUCT_ITEM_ID",
}
#: The ID column of each synchronous ads-analytics operation's rows.
SYNC_ID_COLUMNS: Mapping[str, str] = {
    "ad_account/analytics": "AD_ACCOUNT_ID",
    "campaigns/analytics": "CAMPAIGN_ID",
    "ad_groups/analytics": "AD_GROUP_ID",
    "ads/analytics": "AD_ID",
}
ID_COLUMNS = frozenset({*LEVEL_ID_COLUMNS.values(), *SYNC_ID_COLUMNS.values(), "AD_ACCOUNT_ID"})

_TEXT = re.compile(
    r"(_IDS?|_NAME|_STATUS|_LABELS?|_TYPE|_URL|_BRAND|_DESCRIPTION|_CATEGORY|_CURRENCY"
    r"|_OPTIMIZATION|_TAG|_PRICE)$|^(TARGETING_VALUE|TARGETING_TYPE|CURRENCY|IS_[A-Z_]+)$"
)
_FLOAT = re.compile(
    r"(CTR|RATE|ROAS|_IN_DOLLAR|AVG|AVERAGE|PERCENT|FREQUENCY|SHARE)|^E?CP[A-Z]*_|_COST_PER_"
)


@cache
def kind_of(column: str) -> Kind:
    """What ``column``'s values are: ``date``, ``hour``, ``text``, ``float``, ``number`` (an
    int, or a float for a fraction) or ``decimal`` (a money column this module added)."""
    if column == "DATE":
        return "date"
    if column == "HOUR":
        return "hour"
    if column.endswith(MONEY_SUFFIX):
        return "decimal"
    if column.endswith(MICRO_SUFFIX):
        return "number"
    if _TEXT.search(column):
        return "text"
    if _FLOAT.search(column):
        return "float"
    return "number"


def is_money(column: str) -> bool:
    """A column counted in micro-units of the ad account's currency."""
    return column.endswith(MICRO_SUFFIX)


def money_column(column: str) -> str:
    """``SPEND_IN_MICRO_DOLLAR`` -> ``SPEND_IN_ACCOUNT_CURRENCY``."""
    return column[: -len(MICRO_SUFFIX)] + MONEY_SUFFIX


def micro_column(column: str) -> str:
    """``SPEND_IN_ACCOUNT_CURRENCY`` -> ``SPEND_IN_MICRO_DOLLAR``."""
    return column[: -len(MONEY_SUFFIX)] + MICRO_SUFFIX
