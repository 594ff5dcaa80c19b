"""Campaigns (tag ``campaigns``, without analytics): list, get, create and update in bulk."""

from __future__ import annotations

from ..._bulk import per_item
from ..._params import paginate
from ..._registry import Context, Handler, Reply
from ..ad_accounts.rules import Can
from .rules import CampaignRules

__all__ = ["HANDLERS"]


def list_campaigns(ctx: Context) -> Reply:
    campaigns = ctx.rules(CampaignRules)
    account = campaigns.accounts.in_path(ctx, Can.READ)
    listing = campaigns.listing(
        account,
        ids=ctx.args("campaign_ids"),
        statuses=ctx.args("entity_statuses"),
        descending=ctx.arg("order") == "DESCENDING",
    )
    return paginate(ctx, listing, campaigns.view)


def get(ctx: Context) -> Reply:
    campaigns = ctx.rules(CampaignRules)
    account = campaigns.accounts.in_path(ctx, Can.READ)
    return campaigns.view(campaigns.get(account, ctx.path_params["campaign_id"]))


def _write(ctx: Context, *, update: bool) -> Reply:
    campaigns = ctx.rules(CampaignRules)
    account = campaigns.accounts.in_path(ctx, Can.WRITE_ADS)
    return per_item(
        ctx.tx, ctx.json() or [], lambda item: campaigns.apply(account, item, update=update)
    )


HANDLERS = [
    Handler("campaigns/list", list_campaigns),
    Handler("campaigns/get", get),
    Handler("campaigns/create", lambda ctx: _write(ctx, update=False)),
    Handler("campaigns/update", lambda ctx: _write(ctx, update=True)),
]
