"""Pinterest's ad rules that the spec states only in prose, written once for the client (its
checks before sending, ``promote_pin``'s defaults) and the emulator (its answers).

Sources: the descriptions of ``CampaignCreateRequest``, ``AdGroupCreateRequest`` and
``AdCreateRequest`` in the spec, and api-facts §7. Enums themselves (objectives, statuses,
billable events) come from the constraints table, not from here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, TypeGuard

__all__ = [
    "AUTOMATIC_BID_ONLY",
    "BID_REQUIRED",
    "BILLABLE_EVENTS",
    "CBO_MAX_AD_GROUPS",
    "DEFAULT_ENTITY_STATUSES",
    "EXCLUSIVE_LIST_FILTERS",
    "MILLISECONDS_FROM",
    "OPTIMIZATION_GOAL_REQUIRED",
    "STATUS_CHANGES",
    "bid_required",
    "bid_strategy_problem",
    "billable_event_problem",
    "budget_problem",
    "exclusive_filters_problem",
    "schedule_problem",
    "spend_cap_problem",
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


#: "For VIDEO_COMPLETION objectives, the only supported bid strategy type is AUTOMATIC_BID"
#: (AdGroupCommon.bid_strategy_type).
AUTOMATIC_BID_ONLY = frozenset({"VIDEO_COMPLETION"})

#: "optimization_goal_metadata ... REQUIRED when campaign's objective_type is set to
#: WEB_CONVERSION" (AdGroupCommon).
OPTIMIZATION_GOAL_REQUIRED = frozenset({"WEB_CONVERSION"})

#: List filters of which one at most may be given: ad_groups/list "Provide only campaign_id or
#: ad_group_id. Do not provide both."; ads/list "Provide only campaign_id or ad_group_id or
#: ad_id. Do not provide more than one type."
EXCLUSIVE_LIST_FILTERS: Mapping[str, tuple[str, ...]] = {
    "ad_groups/list": ("campaign_ids", "ad_group_ids"),
    "ads/list": ("campaign_ids", "ad_group_ids", "ad_ids"),
}

#: Times from this many seconds since the epoch on (the year 5138) are milliseconds written
#: where Pinterest takes Unix seconds.
MILLISECONDS_FROM = 10**11


# -- the rules as checks ---------------------------------------------------------------------
# Each takes an entity (a request item, or what the entity would become) and returns what is
# wrong with it in Pinterest's words, or None. ``partial``: the item holds only the fields an
# update changes, so rules that need a field the entity may already have are not applied.


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def schedule_problem(entity: Mapping[str, Any]) -> str | None:
    """Times in seconds (not milliseconds), and the end after the start."""
    start, end = entity.get("start_time"), entity.get("end_time")
    for name, value in (("start_time", start), ("end_time", end)):
        if _number(value) and value >= MILLISECONDS_FROM:
            return f"{name} {value} looks like milliseconds: Pinterest takes Unix seconds."
    if _number(start) and _number(end) and end <= start:
        return "end_time must be after start_time."
    return None


def spend_cap_problem(campaign: Mapping[str, Any], *, partial: bool = False) -> str | None:
    """A campaign's caps: not both, more than 0, and one of them for a CBO campaign
    (CampaignCreateCommon: "cannot be set at the same time", "Required for CBO")."""
    daily, lifetime = campaign.get("daily_spend_cap"), campaign.get("lifetime_spend_cap")
    if daily is not None and lifetime is not None:
        return "daily_spend_cap and lifetime_spend_cap cannot be set at the same time."
    for name, cap in (("daily_spend_cap", daily), ("lifetime_spend_cap", lifetime)):
        if _number(cap) and cap <= 0:
            return f"{name} must be more than 0."
    cbo = campaign.get("is_campaign_budget_optimization")
    if not partial and cbo and daily is None and lifetime is None:
        return (
            "A campaign budget optimization campaign needs daily_spend_cap or lifetime_spend_cap."
        )
    return None


def budget_problem(group: Mapping[str, Any], *, partial: bool = False) -> str | None:
    """An ad group's budget and bid are more than 0, and a LIFETIME budget has an end time
    (api-facts §7: "LIFETIME (needs end_time)")."""
    for name in ("budget_in_micro_currency", "bid_in_micro_currency"):
        value = group.get(name)
        if _number(value) and value <= 0:
            return f"{name} must be more than 0."
    lifetime = group.get("budget_type") == "LIFETIME"
    if lifetime and group.get("end_time") is None and (not partial or "end_time" in group):
        return "A LIFETIME budget needs an end_time."
    return None


def billable_event_problem(objective_type: str, billable_event: str) -> str | None:
    allowed = BILLABLE_EVENTS.get(objective_type, ())
    if billable_event in allowed:
        return None
    return (
        f"billable_event {billable_event} does not fit a {objective_type} campaign "
        f"(use {' or '.join(allowed)})."
    )


def bid_strategy_problem(objective_type: str, bid_strategy_type: str | None) -> str | None:
    if objective_type in AUTOMATIC_BID_ONLY and bid_strategy_type not in (None, "AUTOMATIC_BID"):
        return f"For {objective_type} the only supported bid strategy type is AUTOMATIC_BID."
    return None


def exclusive_filters_problem(operation_id: str, given: Collection[str]) -> str | None:
    """More than one of a list's exclusive ID filters (``EXCLUSIVE_LIST_FILTERS``)."""
    exclusive = EXCLUSIVE_LIST_FILTERS.get(operation_id, ())
    used = [name for name in exclusive if name in given]
    if len(used) > 1:
        return f"provide only one of {', '.join(exclusive)}, not {' and '.join(used)}."
    return None
