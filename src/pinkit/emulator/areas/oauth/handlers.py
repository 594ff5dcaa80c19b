"""``POST /v5/oauth/token`` and ``POST /v5/oauth/token/revoke`` (HTTP Basic: the app's
client_id and client_secret; the dispatcher has authenticated the app already), and the
authenticator the dispatcher asks who is calling."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from pinkit._operations import Operation

from ..._errors import ApiError
from ..._registry import Context, Handler, Principal, Reply, State
from .rules import OAuthRules

__all__ = ["HANDLERS", "authenticate"]


def authenticate(state: State, op: Operation, authorization: str | None) -> Principal | None:
    """HTTP Basic for the operations whose security is ``basic`` (the token endpoints), a
    bearer token for the rest."""
    rules = state.rules(OAuthRules)
    if "basic" in op.schemes:
        app = rules.app_from_basic(authorization)
        if app is None:
            return None
        return Principal(user_id=app["owner"], client_id=app["client_id"], scheme="basic")
    return rules.principal_from_bearer(authorization)


def _app(ctx: Context) -> dict[str, Any]:
    app = ctx.rules(OAuthRules).get_app(ctx.principal.client_id) if ctx.principal else None
    if app is None:  # pragma: no cover - the dispatcher authenticated the app
        raise ApiError(401)
    return app


def token(ctx: Context) -> Reply:
    form = ctx.form()
    app, rules = _app(ctx), ctx.rules(OAuthRules)
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        for field in ("code", "redirect_uri"):
            if not form.get(field):
                raise ApiError(400, f"Missing required field: {field}.")
        # ``continuous_refresh`` is accepted and ignored: every emulated app gets continuous
        # (60-day, rotating) refresh tokens, as apps created after 2025-09-25 do.
        return rules.exchange_code(app=app, code=form["code"], redirect_uri=form["redirect_uri"])
    if grant_type == "refresh_token":
        if not form.get("refresh_token"):
            raise ApiError(400, "Missing required field: refresh_token.")
        return rules.refresh(app=app, refresh_token=form["refresh_token"], scope=form.get("scope"))
    if grant_type == "client_credentials":
        return rules.client_credentials(app=app, scope=form.get("scope"))
    raise ApiError(400, f"Unsupported grant_type: {grant_type or '(missing)'}.")


def revoke(ctx: Context) -> Reply:
    form = ctx.form()
    if not form.get("token"):
        raise ApiError(400, "Missing required field: token.")
    ctx.rules(OAuthRules).revoke(app=_app(ctx), token=form["token"])
    return Response(status_code=200)  # the spec: 200 with no content


def conversion_token(ctx: Context) -> Reply:
    principal = ctx.principal
    assert principal is not None
    return ctx.rules(OAuthRules).conversion_token(
        user_id=principal.user_id, client_id=principal.client_id
    )


HANDLERS = [
    Handler("oauth/token", token),
    Handler("oauth/conversion_token", conversion_token),
    Handler("token/revoke", revoke),
]
