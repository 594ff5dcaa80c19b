"""Audiences (tag ``audiences``, without sharing and insights): create, list, get, update."""

from __future__ import annotations

from ..._params import paginate
from ..._registry import Context, Handler, Reply
from ..ad_accounts.rules import AdAccountRules, Can
from .rules import AudienceRules

__all__ = ["HANDLERS"]


def create(ctx: Context) -> Reply:
    audiences = ctx.rules(AudienceRules)
    return audiences.view(
        audiences.create(
            ctx.rules(AdAccountRules).in_path(ctx, Can.WRITE_AUDIENCES), ctx.json() or {}
        )
    )


def list_audiences(ctx: Context) -> Reply:
    audiences = ctx.rules(AudienceRules)
    account = ctx.rules(AdAccountRules).in_path(ctx, Can.READ)
    listing = audiences.of_account(account, descending=ctx.arg("order") == "DESCENDING")
    return paginate(ctx, listing, audiences.view)


def get(ctx: Context) -> Reply:
    audiences = ctx.rules(AudienceRules)
    return audiences.view(
        audiences.find(
            ctx.rules(AdAccountRules).in_path(ctx, Can.READ), ctx.path_params["audience_id"]
        )
    )


def update(ctx: Context) -> Reply:
    audiences = ctx.rules(AudienceRules)
    account = ctx.rules(AdAccountRules).in_path(ctx, Can.WRITE_AUDIENCES)
    doc = audiences.find(account, ctx.path_params["audience_id"])
    return audiences.view(audiences.update(account, doc, ctx.json() or {}))


HANDLERS = [
    Handler("audiences/create", create),
    Handler("audiences/list", list_audiences),
    Handler("audiences/get", get),
    Handler("audiences/update", update),
]
