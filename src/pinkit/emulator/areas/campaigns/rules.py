"""Campaign rules (the spec's prose on ``CampaignCreateRequest`` and api-facts §7): one of
``daily_spend_cap`` and ``lifetime_spend_cap`` at most, and one of them for a campaign budget
optimization (CBO) campaign; the objective may change only while the campaign is a draft; the
schedule ends after it starts."""

from __future__ import annotations

from typing import Any

from pinkit._adrules import spend_cap_problem

from ..._bulk import ItemRefused
from ..._store import Doc
from ..ad_accounts.entities import CODE_INVALID_ITEM, AccountEntityRules

__all__ = ["CAMPAIGN", "CampaignRules"]

CAMPAIGN = "campaign"
DEFAULTS = {
    "is_flexible_daily_budgets": False,
    "is_automated_campaign": False,
    "is_performance_plus": False,
    "is_campaign_budget_optimization": False,
}


class CampaignRules(AccountEntityRules):
    kind = CAMPAIGN
    type_name = "campaign"
    id_prefix = "C"
    label = "Campaign"

    def apply(self, account: Doc, item: dict[str, Any], *, update: bool) -> dict[str, Any]:
        """Create or update one campaign from a bulk item; its answer, or ``ItemRefused``."""
        if str(item.get("ad_account_id")) != account.id:
            raise ItemRefused(
                CODE_INVALID_ITEM, f"ad_account_id must be this ad account, {account.id}."
            )
        doc = self.item_target(account, item) if update else None
        current: dict[str, Any] = dict(doc.data) if doc else dict(DEFAULTS)
        changes = {k: v for k, v in item.items() if k not in ("id", "ad_account_id")}
        objective = changes.get("objective_type", current.get("objective_type"))
        changing = doc is not None and objective != current.get("objective_type")
        if changing and current.get("status") != "DRAFT":
            raise ItemRefused(
                CODE_INVALID_ITEM, "You can only update objectives for draft campaigns."
            )
        merged = {**current, **changes}
        merged["status"] = self.check_status(
            current.get("status") if doc else None, changes.get("status")
        )
        if not str(merged.get("name") or "").strip():
            raise ItemRefused(CODE_INVALID_ITEM, "A campaign needs a name.")
        problem = spend_cap_problem(merged)
        if problem is not None:
            raise ItemRefused(CODE_INVALID_ITEM, problem)
        self.check_times(merged, self.now, creating=doc is None)
        return self.view(self.store(account, merged, {}, doc))

    def is_cbo(self, campaign: Doc) -> bool:
        return bool(campaign.data.get("is_campaign_budget_optimization"))
