"""Ads (tag ``ads``, without analytics and previews): list, get, create and update in bulk.
An ad's item exceptions are one object, not a list, as the spec has them."""

from __future__ import annotations

from pinkit._adrules import exclusive_filters_problem

from ..._bulk import per_item
from ..._errors import ApiError
from ..._params import paginate
from ..._registry import Context, Handler, Reply
from ..ad_accounts.rules import Can
from .rules import AdRules

__all__ = ["HANDLERS"]


def list_ads(ctx: Context) -> Reply:
    ads = ctx.rules(AdRules)
    account = ads.accounts.in_path(ctx, Can.READ)
    campaign_ids, group_ids = ctx.args("campaign_ids"), ctx.args("ad_group_ids")
    ad_ids = ctx.args("ad_ids")
    given = [name for name in ("campaign_ids", "ad_group_ids", "ad_ids") if ctx.args(name)]
    problem = exclusive_filters_problem("ads/list", given)
    if problem is not None:
        raise ApiError(400, f"Invalid parameters: {problem}")
    where: dict[str, list[str]] = {}
    if campaign_ids:
        where["campaign"] = [b for c in campaign_ids if (b := ads.groups.campaigns.bare_id(c))]
    if group_ids:
        where["ad_group"] = [b for g in group_ids if (b := ads.groups.bare_id(g))]
    listing = ads.listing(
        account,
        ids=ad_ids,
        statuses=ctx.args("entity_statuses"),
        descending=ctx.arg("order") == "DESCENDING",
        where=where,
    )
    return paginate(ctx, listing, ads.view)


def get(ctx: Context) -> Reply:
    ads = ctx.rules(AdRules)
    account = ads.accounts.in_path(ctx, Can.READ)
    return ads.view(ads.get(account, ctx.path_params["ad_id"]))


def _write(ctx: Context, *, update: bool) -> Reply:
    ads = ctx.rules(AdRules)
    account = ads.accounts.in_path(ctx, Can.WRITE_ADS)
    return per_item(
        ctx.tx,
        ctx.json() or [],
        lambda item: ads.apply(account, item, update=update),
        single_exception=True,
    )


HANDLERS = [
    Handler("ads/list", list_ads),
    Handler("ads/get", get),
    Handler("ads/create", lambda ctx: _write(ctx, update=False)),
    Handler("ads/update", lambda ctx: _write(ctx, update=True)),
]
