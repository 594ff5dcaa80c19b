"""``DELETE /v5/ad_accounts/{ad_account_id}/sandbox`` (the dispatcher answers it only in sandbox
mode, as Pinterest only answers it at api-sandbox.pinterest.com)."""

from __future__ import annotations

from starlette.responses import JSONResponse

from ..._registry import Context, Handler, Reply
from .rules import SandboxRules

__all__ = ["HANDLERS"]


def delete(ctx: Context) -> Reply:
    ctx.rules(SandboxRules).delete_ad_account(ctx.path_params["ad_account_id"])
    return JSONResponse("Delete Success")


HANDLERS = [Handler("sandbox/delete", delete)]
