"""``POST /v5/oauth/token`` and ``POST /v5/oauth/token/revoke`` (HTTP Basic: the app's
client_id and client_secret; the dispatcher has authenticated the app already)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from .. import _oauth
from .._errors import ApiError
from .._registry import Context, Reply, handler

__all__: list[str] = []


def _app(ctx: Context) -> dict[str, Any]:
    app = _oauth.get_app(ctx.tx, ctx.principal.client_id) if ctx.principal else None
    if app is None:  # pragma: no cover - the dispatcher authenticated the app
        raise ApiError(401)
    return app


@handler("oauth/token")
def token(ctx: Context) -> Reply:
    form = ctx.form()
    app = _app(ctx)
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        for field in ("code", "redirect_uri"):
            if not form.get(field):
                raise ApiError(400, f"Missing required field: {field}.")
        # ``continuous_refresh`` is accepted and ignored: every emulated app gets continuous
        # (60-day, rotating) refresh tokens, as apps created after 2025-09-25 do.
        return _oauth.exchange_code(
            ctx.tx, app=app, code=form["code"], redirect_uri=form["redirect_uri"], now=ctx.now
        )
    if grant_type == "refresh_token":
        if not form.get("refresh_token"):
            raise ApiError(400, "Missing required field: refresh_token.")
        return _oauth.refresh(
            ctx.tx,
            app=app,
            refresh_token=form["refresh_token"],
            scope=form.get("scope"),
            now=ctx.now,
        )
    if grant_type == "client_credentials":
        return _oauth.grant_client_credentials(
            ctx.tx, app=app, scope=form.get("scope"), now=ctx.now
        )
    raise ApiError(400, f"Unsupported grant_type: {grant_type or '(missing)'}.")


@handler("token/revoke")
def revoke(ctx: Context) -> Reply:
    form = ctx.form()
    if not form.get("token"):
        raise ApiError(400, "Missing required field: token.")
    _oauth.revoke(ctx.tx, app=_app(ctx), token=form["token"])
    return Response(status_code=200)  # the spec: 200 with no content
