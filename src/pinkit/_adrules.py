"""Pinterest's ad rules that the spec states only in prose, written once for the client (its
checks before sending, ``promote_pin``'s defaults) and the emulator (its answers).

Sources: the descriptions of ``CampaignCreateRequest``, ``AdGroupCreateRequest`` and
``AdCreateRequest`` in the spec, and api-facts §7. Enums themselves (objectives, statuses,
billable events) come from the constraints table, not from here.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "BID_REQUIRED",
    "BILLABLE_EVENTS",
    "CBO_MAX_AD_GROUPS",
    "DEFAULT_ENTITY_STATUSES",
    "STATUS_CHANGES",
    "bid_required",
    "status_change_allowed",
]

#: Billable events an objective's ad groups can use, the first one being the usual choice.
BILLABLE_EVENTS: Mapping[str, tuple[str, ...]] = {
    "AWARENESS": ("IMPRESSION",),
    "CONSIDERATION": ("CLICKTHROUGH",),
    "VIDEO_COMPLETION": ("VIDEO_V_50_MRC",),
    "WEB_CONVERSION": ("IMPRESSION", "CLICKTHROUGH"),
    "CATALOG_SALES": ("CLICKTHROUGH", "IMPRESSION"),
}

#: "bid_in_micro_currency ... REQUIRED for AWARENESS/IMPRESSION, CONSIDERATION/CLICKTHROUGH,
#: CATALOG_SALES/CLICKTHROUGH" (AdGroupCommon).
BID_REQUIRED: frozenset[tuple[str, str]] = frozenset(
    {
        ("AWARENESS", "IMPRESSION"),
        ("CONSIDERATION", "CLICKTHROUGH"),
        ("CATALOG_SALES", "CLICKTHROUGH"),
    }
)

#: "A CBO campaign ... 70 or less ad groups" (AdGroupCreateRequest).
CBO_MAX_AD_GROUPS = 70

#: The statuses ``*/list`` return when none are asked for (the spec's ``entity_statuses``
#: default); ARCHIVED entities are left out unless asked for.
DEFAULT_ENTITY_STATUSES = ("ACTIVE", "PAUSED")

#: Which status an entity may move to from each status. ARCHIVED is final; a draft can only be
#: launched (ACTIVE or PAUSED) or deleted (DELETED_DRAFT).
STATUS_CHANGES: Mapping[str, frozenset[str]] = {
    "DRAFT": frozenset({"DRAFT", "ACTIVE", "PAUSED", "DELETED_DRAFT"}),
    "ACTIVE": frozenset({"ACTIVE", "PAUSED", "ARCHIVED"}),
    "PAUSED": frozenset({"ACTIVE", "PAUSED", "ARCHIVED"}),
    "ARCHIVED": frozenset({"ARCHIVED"}),
    "DELETED_DRAFT": frozenset({"DELETED_DRAFT"}),
}


def bid_required(objective_type: str, billable_event: str) -> bool:
    return (objective_type, billable_event) in BID_REQUIRED


def status_change_allowed(current: str, wanted: str) -> bool:
    return wanted in STATUS_CHANGES.get(current, frozenset({current}))
