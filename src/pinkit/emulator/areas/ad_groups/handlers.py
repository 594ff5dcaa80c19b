"""Ad groups (tag ``ad_groups``, without analytics and audience sizing): list, get, create and
update in bulk, and bid floors."""

from __future__ import annotations

from pinkit._adrules import exclusive_filters_problem

from ..._bulk import per_item
from ..._errors import ApiError
from ..._params import paginate
from ..._registry import Context, Handler, Reply
from ..ad_accounts.rules import Can
from .rules import AdGroupRules

__all__ = ["HANDLERS"]


def list_ad_groups(ctx: Context) -> Reply:
    groups = ctx.rules(AdGroupRules)
    account = groups.accounts.in_path(ctx, Can.READ)
    campaign_ids, group_ids = ctx.args("campaign_ids"), ctx.args("ad_group_ids")
    given = [name for name in ("campaign_ids", "ad_group_ids") if ctx.args(name)]
    problem = exclusive_filters_problem("ad_groups/list", given)
    if problem is not None:
        raise ApiError(400, f"Invalid parameters: {problem}")
    campaigns = [b for c in campaign_ids if (b := groups.campaigns.bare_id(c))]
    listing = groups.listing(
        account,
        ids=group_ids,
        statuses=ctx.args("entity_statuses"),
        descending=ctx.arg("order") == "DESCENDING",
        where={"campaign": campaigns} if campaign_ids else None,
    )
    return paginate(ctx, listing, groups.view)


def get(ctx: Context) -> Reply:
    groups = ctx.rules(AdGroupRules)
    account = groups.accounts.in_path(ctx, Can.READ)
    return groups.view(groups.get(account, ctx.path_params["ad_group_id"]))


def _write(ctx: Context, *, update: bool) -> Reply:
    groups = ctx.rules(AdGroupRules)
    account = groups.accounts.in_path(ctx, Can.WRITE_ADS)
    return per_item(
        ctx.tx, ctx.json() or [], lambda item: groups.apply(account, item, update=update)
    )


def bid_floor(ctx: Context) -> Reply:
    groups = ctx.rules(AdGroupRules)
    account = groups.accounts.in_path(ctx, Can.READ)
    specs = (ctx.json() or {}).get("bid_floor_specs") or []
    return {"bid_floors": groups.bid_floors(account, specs), "type": "bidfloor"}


HANDLERS = [
    Handler("ad_groups/list", list_ad_groups),
    Handler("ad_groups/get", get),
    Handler("ad_groups/create", lambda ctx: _write(ctx, update=False)),
    Handler("ad_groups/update", lambda ctx: _write(ctx, update=True)),
    Handler("ad_groups_bid_floor/get", bid_floor, writes=False),
]
