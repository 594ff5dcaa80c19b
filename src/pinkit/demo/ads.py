"""Chapter 3: promote the image pin in one call (a campaign, an ad group with the budget, an
ad), the budget given and shown in units of the ad account's currency."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from .._batch import DryRun
from ..money import format_amount
from ..resources.ads import PromotedPin
from ._tour import Tour

if TYPE_CHECKING:
    from .._client import Client
    from ..models import Pin

__all__ = ["DAILY_BUDGET", "promote"]

DAILY_BUDGET = "20.00"


def promote(tour: Tour, client: Client, pin: Pin) -> PromotedPin:
    """The promoted pin, after a dry run that shows what would be sent."""
    tour.chapter("ads", f"Promote the pin: campaign, ad group and ad, {DAILY_BUDGET} a day")
    assert pin.id
    plan = client.ads.promote_pin(pin_id=pin.id, daily_budget=DAILY_BUDGET, dry_run=True)
    assert isinstance(plan, DryRun)
    tour.say(f"a dry run first: {len(plan.requests)} requests planned, none sent")
    promoted = client.ads.promote_pin(pin_id=pin.id, daily_budget=DAILY_BUDGET, name="Tulip bed")
    assert isinstance(promoted, PromotedPin)

    group, currency = promoted.ad_group, promoted.currency or "USD"
    micros = group.budget_in_micro_currency or 0
    bid = format_amount(group.bid_in_micro_currency or 0, currency)
    table = Table("", "id", "detail")
    table.add_row("campaign", promoted.campaign.id or "", promoted.campaign.objective_type or "")
    table.add_row("ad group", group.id or "", f"{promoted.budget} a day, bid {bid} (the floor)")
    table.add_row("ad", promoted.ad.id or "", f"pin {pin.id}, review {promoted.ad.review_status}")
    tour.show(table)
    tour.say(f"{DAILY_BUDGET} in the account's {currency}, sent exactly as {micros:,} micro-units")
    return promoted
