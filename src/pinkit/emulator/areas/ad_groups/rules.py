"""Ad group rules (the spec's prose on ``AdGroupCreateRequest``/``AdGroupCommon``, api-facts §7):
the campaign is in the same account; the billable event suits the campaign's objective; a budget
unless the campaign is CBO (then 70 ad groups at most); a LIFETIME budget needs an end time; a
bid where the objective and billable event need one, never under the bid floor; WEB_CONVERSION
needs ``optimization_goal_metadata``; VIDEO_COMPLETION bids automatically; the schedule lies
inside the campaign's; billable event and budget type change only on drafts.

Bid floors (``ad_groups_bid_floor/get``) are the emulator's: a click costs at least 0.10 and a
thousand impressions 2.00 in USD, the same in the other currencies at fixed rates (CPC floors:
US $0.10, UK £0.07, CA $0.10, as Pinterest's help pages give), the highest of several countries.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_CEILING, Decimal
from typing import Any

from pinkit._adrules import (
    CBO_MAX_AD_GROUPS,
    OPTIMIZATION_GOAL_REQUIRED,
    bid_required,
    bid_strategy_problem,
    billable_event_problem,
    budget_problem,
)
from pinkit.money import MICROS_PER_UNIT, decimals_of

from ..._bulk import ItemRefused
from ..._store import Doc
from ..ad_accounts.entities import CODE_INVALID_ITEM, CODE_NOT_FOUND_ITEM, AccountEntityRules
from ..campaigns.rules import CampaignRules

__all__ = ["AD_GROUP", "AdGroupRules", "bid_floor"]

AD_GROUP = "ad_group"
DEFAULTS = {"budget_type": "DAILY", "pacing_delivery_type": "STANDARD", "placement_group": "ALL"}
#: Floors in USD per billable event (CPC, CPM, per 50% video view).
USD_FLOORS = {"CLICKTHROUGH": Decimal("0.10"), "IMPRESSION": Decimal("2.00")}
USD_FLOORS["VIDEO_V_50_MRC"] = Decimal("0.02")
#: Units of each currency per USD, for the emulator's floors only.
RATES = {"USD": Decimal(1), "GBP": Decimal("0.70"), "CAD": Decimal(1), "EUR": Decimal("0.92")}
RATES |= {"AUD": Decimal("1.50"), "NZD": Decimal("1.60"), "JPY": Decimal(150), "KRW": Decimal(1300)}
COUNTRY_FACTORS = {"US": Decimal(1), "CA": Decimal(1), "GB": Decimal(1)}


def bid_floor(billable_event: str, currency: str, countries: Iterable[str] = ("US",)) -> int:
    """The lowest bid, in micros of ``currency``, for ``billable_event`` in ``countries``."""
    usd = USD_FLOORS.get(billable_event, USD_FLOORS["CLICKTHROUGH"])
    factor = max((COUNTRY_FACTORS.get(c, Decimal("0.8")) for c in countries), default=Decimal(1))
    amount = usd * RATES.get(currency, Decimal(1)) * factor
    step = Decimal(1).scaleb(-decimals_of(currency))
    return int(amount.quantize(step, rounding=ROUND_CEILING) * MICROS_PER_UNIT)


class AdGroupRules(AccountEntityRules):
    kind = AD_GROUP
    type_name = "adgroup"
    id_prefix = "AG"
    label = "Ad group"

    @property
    def campaigns(self) -> CampaignRules:
        return self.area(CampaignRules)

    def apply(self, account: Doc, item: dict[str, Any], *, update: bool) -> dict[str, Any]:
        """Create or update one ad group from a bulk item; its answer, or ``ItemRefused``."""
        doc = self.item_target(account, item) if update else None
        current: dict[str, Any] = dict(doc.data) if doc else dict(DEFAULTS)
        changes = {k: v for k, v in item.items() if k != "id"}
        campaign_ref = changes.get("campaign_id", current.get("campaign_id"))
        campaign = self.campaigns.find(account, campaign_ref)
        if campaign is None:
            raise ItemRefused(
                CODE_NOT_FOUND_ITEM, f"Campaign {campaign_ref} not found in this ad account."
            )
        if doc is not None and current.get("status") != "DRAFT":
            for name in ("billable_event", "budget_type"):
                if name in changes and changes[name] != current.get(name):
                    raise ItemRefused(
                        CODE_INVALID_ITEM, f"For update, only draft ad groups may update {name}."
                    )
        merged = {**current, **changes, "campaign_id": campaign.id}
        merged["status"] = self.check_status(
            current.get("status") if doc else None, changes.get("status")
        )
        if not str(merged.get("name") or "").strip():
            raise ItemRefused(CODE_INVALID_ITEM, "An ad group needs a name.")
        self._check_money(account, campaign, merged, creating=doc is None)
        self.check_times(merged, self.now, creating=doc is None)
        self._check_inside_campaign(campaign, merged)
        return self.view(self.store(account, merged, {"campaign": campaign.id}, doc))

    def _check_money(
        self, account: Doc, campaign: Doc, group: dict[str, Any], *, creating: bool
    ) -> None:
        objective = str(campaign.data.get("objective_type"))
        event = str(group.get("billable_event"))
        problem = billable_event_problem(objective, event)
        if problem is not None:
            raise ItemRefused(CODE_INVALID_ITEM, problem)
        cbo = self.campaigns.is_cbo(campaign)
        budget, budget_type = group.get("budget_in_micro_currency"), group.get("budget_type")
        if cbo:
            if creating and self.tx.count(AD_GROUP, where={"campaign": campaign.id}) >= (
                CBO_MAX_AD_GROUPS
            ):
                raise ItemRefused(
                    CODE_INVALID_ITEM,
                    f"A CBO campaign has {CBO_MAX_AD_GROUPS} or less ad groups.",
                )
        elif budget is None:
            raise ItemRefused(
                CODE_INVALID_ITEM, "budget_in_micro_currency is required for non-CBO campaigns."
            )
        problem = budget_problem(group)
        if problem is not None:
            raise ItemRefused(CODE_INVALID_ITEM, problem)
        if budget_type == "CBO_ADGROUP" and not cbo:
            raise ItemRefused(
                CODE_INVALID_ITEM, "budget_type CBO_ADGROUP is for CBO campaigns only."
            )
        strategy = group.get("bid_strategy_type")
        problem = bid_strategy_problem(objective, strategy)
        if problem is not None:
            raise ItemRefused(CODE_INVALID_ITEM, problem)
        if objective in OPTIMIZATION_GOAL_REQUIRED and not group.get("optimization_goal_metadata"):
            raise ItemRefused(
                CODE_INVALID_ITEM,
                "optimization_goal_metadata is required when the campaign's objective_type "
                "is WEB_CONVERSION.",
            )
        bid = group.get("bid_in_micro_currency")
        if bid is None:
            if bid_required(objective, event) and strategy != "AUTOMATIC_BID":
                raise ItemRefused(
                    CODE_INVALID_ITEM,
                    f"bid_in_micro_currency is required for {objective}/{event} ad groups.",
                )
            return
        currency = self.accounts.currency_of(account)
        floor = bid_floor(event, currency)
        if bid < floor:
            raise ItemRefused(
                CODE_INVALID_ITEM,
                f"bid_in_micro_currency {bid} is under the bid floor of {floor} ({currency}).",
            )

    @staticmethod
    def _check_inside_campaign(campaign: Doc, group: dict[str, Any]) -> None:
        c_start, c_end = campaign.data.get("start_time"), campaign.data.get("end_time")
        start, end = group.get("start_time"), group.get("end_time")
        if c_start is not None and start is not None and start < c_start:
            raise ItemRefused(CODE_INVALID_ITEM, "The ad group starts before its campaign.")
        if c_end is not None and end is not None and end > c_end:
            raise ItemRefused(CODE_INVALID_ITEM, "The ad group ends after its campaign.")

    def bid_floors(self, account: Doc, specs: list[dict[str, Any]]) -> list[int]:
        currency = self.accounts.currency_of(account)
        return [
            bid_floor(
                str(spec.get("billable_event")),
                str(spec.get("currency") or currency),
                spec.get("countries") or ("US",),
            )
            for spec in specs
        ]
