"""The user_account operations: the account, businesses, followers, following, websites
(list, verify, unverify), the website verification code, followed interests."""

from __future__ import annotations

from starlette.responses import Response

from ..._errors import ApiError
from ..._params import paginate
from ..._registry import Context, Handler, Reply
from ..boards.rules import BoardRules
from ..pins.rules import PinRules
from .rules import UserRules

__all__ = ["HANDLERS"]


def get_account(ctx: Context) -> Reply:
    users = ctx.rules(UserRules)
    user = dict(users.get(ctx.user_id))
    user["follower_count"] = users.follower_count(ctx.user_id)
    user["following_count"] = users.following_count(ctx.user_id)
    user["board_count"] = ctx.rules(BoardRules).count_of(ctx.user_id)
    user["pin_count"] = ctx.rules(PinRules).count_of(ctx.user_id)
    return user


def linked_businesses(ctx: Context) -> Reply:
    return ctx.rules(UserRules).businesses(ctx.user_id)


def followers(ctx: Context) -> Reply:
    return paginate(ctx, ctx.rules(UserRules).followers(ctx.user_id))


def following(ctx: Context) -> Reply:
    return paginate(ctx, ctx.rules(UserRules).following(ctx.user_id))


def websites(ctx: Context) -> Reply:
    return paginate(ctx, ctx.rules(UserRules).websites(ctx.user_id))


def verify_website(ctx: Context) -> Reply:
    body = ctx.json() or {}
    website = str(body.get("website", "")).strip()
    if not website:
        raise ApiError(400, "Invalid parameters: website is required.")
    return ctx.rules(UserRules).verify_website(ctx.user_id, website)


def unverify_website(ctx: Context) -> Reply:
    website = ctx.arg("website")
    if not website:
        raise ApiError(400, "Invalid parameters: website is required.")
    ctx.rules(UserRules).unverify_website(ctx.user_id, website)
    return Response(status_code=204)


def website_verification(ctx: Context) -> Reply:
    return UserRules.verification_code(ctx.user_id)


def followed_interests(ctx: Context) -> Reply:
    return paginate(ctx, ctx.rules(UserRules).interests_of(ctx.path_params["username"]))


HANDLERS = [
    Handler("user_account/get", get_account),
    Handler("linked_business_accounts/get", linked_businesses),
    Handler("followers/list", followers),
    Handler("user_following/get", following),
    Handler("user_websites/get", websites),
    Handler("verify_website/update", verify_website),
    Handler("unverify_website/delete", unverify_website),
    Handler("website_verification/get", website_verification),
    Handler("user_account/followed_interests", followed_interests),
]
