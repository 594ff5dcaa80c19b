"""Customer lists (tag ``customer_lists``): create, list, get, update (ADD or REMOVE)."""

from __future__ import annotations

from ..._params import paginate
from ..._registry import Context, Handler, Reply
from ..ad_accounts.rules import AdAccountRules, Can
from .rules import CustomerListRules

__all__ = ["HANDLERS"]


def create(ctx: Context) -> Reply:
    body = ctx.json() or {}
    lists = ctx.rules(CustomerListRules)
    doc = lists.create(
        ctx.rules(AdAccountRules).in_path(ctx, Can.WRITE_AUDIENCES),
        str(body.get("name") or ""),
        str(body.get("records") or ""),
        str(body.get("list_type") or "EMAIL"),
    )
    return lists.view(doc)


def list_lists(ctx: Context) -> Reply:
    lists = ctx.rules(CustomerListRules)
    listing = lists.of_account(
        ctx.rules(AdAccountRules).in_path(ctx, Can.READ),
        descending=ctx.arg("order") == "DESCENDING",
    )
    return paginate(ctx, listing, lists.view)


def get(ctx: Context) -> Reply:
    lists = ctx.rules(CustomerListRules)
    return lists.view(
        lists.find(
            ctx.rules(AdAccountRules).in_path(ctx, Can.READ), ctx.path_params["customer_list_id"]
        )
    )


def update(ctx: Context) -> Reply:
    body = ctx.json() or {}
    lists = ctx.rules(CustomerListRules)
    doc = lists.find(
        ctx.rules(AdAccountRules).in_path(ctx, Can.WRITE_AUDIENCES),
        ctx.path_params["customer_list_id"],
    )
    return lists.view(lists.update(doc, str(body["operation_type"]), str(body["records"])))


HANDLERS = [
    Handler("customer_lists/create", create),
    Handler("customer_lists/list", list_lists),
    Handler("customer_lists/get", get),
    Handler("customer_lists/update", update),
]
