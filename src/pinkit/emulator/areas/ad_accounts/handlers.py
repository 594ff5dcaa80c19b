"""Ad accounts (tag ``ad_accounts``, without analytics and reports): list, create, get, and
the sandbox's ``sandbox/delete``."""

from __future__ import annotations

from starlette.responses import JSONResponse

from ..._common import created
from ..._errors import ApiError
from ..._params import bool_arg, paginate
from ..._registry import Context, Handler, Reply
from .rules import CODE_NOT_PERMITTED, NOT_PERMITTED, AdAccountRules, Can

__all__ = ["HANDLERS"]


def list_accounts(ctx: Context) -> Reply:
    accounts = ctx.rules(AdAccountRules)
    shared = bool_arg(ctx, "include_shared_accounts", default=True)
    listing = accounts.visible_to(ctx.user_id, include_shared=shared)
    return paginate(ctx, listing, lambda doc: accounts.view(doc, ctx.user_id))


def create(ctx: Context) -> Reply:
    body = ctx.json() or {}
    owner = body.get("owner_user_id") or ctx.user_id
    if owner != ctx.user_id:
        raise ApiError(403, NOT_PERMITTED, code=CODE_NOT_PERMITTED)
    accounts = ctx.rules(AdAccountRules)
    doc = accounts.create(
        owner, name=body.get("name"), country=body.get("country"), currency=body.get("currency")
    )
    return created(accounts.view(doc, ctx.user_id))


def get(ctx: Context) -> Reply:
    accounts = ctx.rules(AdAccountRules)
    account = accounts.in_path(ctx, Can.READ)
    return accounts.view(account, ctx.user_id)


def delete_sandbox(ctx: Context) -> Reply:
    accounts = ctx.rules(AdAccountRules)
    account_id = ctx.path_params["ad_account_id"]
    if ctx.tx.get("ad_account", account_id) is not None:
        accounts.require(ctx.user_id, account_id, Can.WRITE_ADS)
    accounts.delete_sandbox_account(account_id)
    return JSONResponse("Delete Success")


HANDLERS = [
    Handler("ad_accounts/list", list_accounts),
    Handler("ad_accounts/create", create),
    Handler("ad_accounts/get", get),
    Handler("sandbox/delete", delete_sandbox),
]
