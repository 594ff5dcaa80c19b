"""Ad accounts, campaigns, ad groups and ads.

Money fields keep Pinterest's integer micro-currency (``daily_spend_cap``,
``budget_in_micro_currency``, ``bid_in_micro_currency``...): ``pinkit.money.from_micros`` and
``format_amount`` turn them into amounts of the ad account's currency. Times are Unix seconds,
as the API sends them.
"""

from __future__ import annotations

from typing import Any

from ._base import PinterestModel

__all__ = ["Ad", "AdAccount", "AdAccountOwner", "AdGroup", "Campaign"]


class AdAccountOwner(PinterestModel):
    id: str | None = None
    username: str | None = None


class AdAccount(PinterestModel):
    """An ad account; ``currency`` is the one every amount of its campaigns is in."""

    id: str | None = None
    name: str | None = None
    owner: AdAccountOwner | None = None
    country: str | None = None
    currency: str | None = None
    permissions: list[str] | None = None
    created_time: int | None = None
    updated_time: int | None = None


class Campaign(PinterestModel):
    id: str | None = None
    ad_account_id: str | None = None
    name: str | None = None
    status: str | None = None
    summary_status: str | None = None
    objective_type: str | None = None
    daily_spend_cap: int | None = None
    lifetime_spend_cap: int | None = None
    default_ad_group_budget_in_micro_currency: int | None = None
    is_campaign_budget_optimization: bool | None = None
    is_flexible_daily_budgets: bool | None = None
    is_performance_plus: bool | None = None
    is_automated_campaign: bool | None = None
    order_line_id: str | None = None
    tracking_urls: dict[str, Any] | None = None
    bid_options: dict[str, Any] | None = None
    start_time: int | None = None
    end_time: int | None = None
    created_time: int | None = None
    updated_time: int | None = None
    type: str | None = None


class AdGroup(PinterestModel):
    id: str | None = None
    ad_account_id: str | None = None
    campaign_id: str | None = None
    name: str | None = None
    status: str | None = None
    summary_status: str | None = None
    budget_in_micro_currency: int | None = None
    budget_type: str | None = None
    bid_in_micro_currency: int | None = None
    bid_strategy_type: str | None = None
    bid_multiplier: float | None = None
    billable_event: str | None = None
    optimization_goal_metadata: dict[str, Any] | None = None
    pacing_delivery_type: str | None = None
    placement_group: str | None = None
    auto_targeting_enabled: bool | None = None
    targeting_spec: dict[str, Any] | None = None
    targeting_template_ids: list[str] | None = None
    lifetime_frequency_cap: int | None = None
    tracking_urls: dict[str, Any] | None = None
    start_time: int | None = None
    end_time: int | None = None
    created_time: int | None = None
    updated_time: int | None = None
    type: str | None = None


class Ad(PinterestModel):
    """A promoted pin: ``review_status`` is Pinterest's review (PENDING, APPROVED...)."""

    id: str | None = None
    ad_account_id: str | None = None
    campaign_id: str | None = None
    ad_group_id: str | None = None
    pin_id: str | None = None
    name: str | None = None
    status: str | None = None
    summary_status: str | None = None
    review_status: str | None = None
    creative_type: str | None = None
    destination_url: str | None = None
    click_tracking_url: str | None = None
    view_tracking_url: str | None = None
    customizable_cta_type: str | None = None
    tracking_urls: dict[str, Any] | None = None
    rejected_reasons: list[str] | None = None
    rejection_labels: list[str] | None = None
    is_pin_deleted: bool | None = None
    is_removable: bool | None = None
    created_time: int | None = None
    updated_time: int | None = None
    type: str | None = None
