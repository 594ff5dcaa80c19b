"""The user_account operations that need no other area: account, businesses, followers,
following, websites (list, verify, unverify), website verification code, followed interests.

Fresh state seeds a few of each so that every list has something to page through;
``Emulator.seed_followers(n)`` replaces the followers when a test needs many pages.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

from starlette.responses import Response

from .. import _seed
from .._errors import ApiError
from .._params import paginate
from .._registry import Context, Reply, handler
from .._seed import SeedInfo, seeder
from .._store import Tx

__all__ = ["replace_followers"]

FOLLOWER, FOLLOWING, WEBSITE, INTEREST, BUSINESS = (
    "follower",
    "following",
    "website",
    "followed_interest",
    "linked_business",
)
DEFAULT_FOLLOWERS = 12


def replace_followers(tx: Tx, user_id: str, count: int) -> None:
    tx.delete_all(FOLLOWER, owner=user_id)
    for n in range(1, count + 1):
        tx.insert(FOLLOWER, {"type": "user", "username": f"follower_{n:04d}"}, owner=user_id)


@seeder
def _seed_user_account(tx: Tx, info: SeedInfo) -> None:
    user = info.user_id
    replace_followers(tx, user, DEFAULT_FOLLOWERS)
    for name in ("pinterest", "emulator_friend"):
        tx.insert(FOLLOWING, {"type": "user", "username": name}, owner=user)
    verified_at = datetime.fromtimestamp(info.now, timezone.utc).replace(tzinfo=None)
    tx.insert(
        WEBSITE,
        {
            "website": "emulator.example",
            "status": "success",
            "verified_at": verified_at.isoformat(),
        },
        owner=user,
    )
    for key, name in (("home decor", "Home decor"), ("diy projects", "DIY projects")):
        interest_id = tx.new_id()
        tx.insert(
            INTEREST,
            {
                "id": interest_id,
                "key": key,
                "name": name,
                "canonical_url": key.replace(" ", "-"),
            },
            owner=user,
        )
    # No linked business accounts: the list exists for accounts that manage others.


def _save_website(tx: Tx, user_id: str, website: str, now: float) -> dict[str, Any]:
    # UserWebsiteSummary.verified_at is a naive UTC timestamp ("2022-12-14T21:03:01.602000").
    verified_at = datetime.fromtimestamp(now, timezone.utc).replace(tzinfo=None).isoformat()
    summary = {"website": website, "status": "success", "verified_at": verified_at}
    tx.put(WEBSITE, f"{user_id}:{website}", summary, owner=user_id)
    return summary


def _user(ctx: Context) -> dict[str, Any]:
    user = ctx.tx.get(_seed.USER, ctx.user_id)
    if user is None:
        raise ApiError(404, "User not found.", code=30)
    return user


@handler("user_account/get")
def get_account(ctx: Context) -> Reply:
    # ad_account_id (Business Access) is accepted and acts as the caller.
    user = dict(_user(ctx))
    owner = user["id"]
    user["follower_count"] = ctx.tx.count(FOLLOWER, owner=owner)
    user["following_count"] = ctx.tx.count(FOLLOWING, owner=owner)
    user["board_count"] = ctx.tx.count("board", owner=owner)
    user["pin_count"] = ctx.tx.count("pin", owner=owner)
    return user


@handler("linked_business_accounts/get")
def linked_businesses(ctx: Context) -> Reply:
    return [doc.data for doc in ctx.tx.list(BUSINESS, owner=ctx.user_id)]


@handler("followers/list")
def followers(ctx: Context) -> Reply:
    return paginate(ctx, FOLLOWER, ctx.user_id)


@handler("user_following/get")
def following(ctx: Context) -> Reply:
    return paginate(ctx, FOLLOWING, ctx.user_id)


@handler("user_websites/get")
def websites(ctx: Context) -> Reply:
    return paginate(ctx, WEBSITE, ctx.user_id)


@handler("verify_website/update")
def verify_website(ctx: Context) -> Reply:
    body = ctx.json()
    website = body.get("website")
    if not isinstance(website, str) or not website.strip():
        raise ApiError(400, "Invalid parameters: website is required.")
    return _save_website(ctx.tx, ctx.user_id, website.strip(), ctx.now)


@handler("unverify_website/delete")
def unverify_website(ctx: Context) -> Reply:
    website = ctx.arg("website")
    if not website:
        raise ApiError(400, "Invalid parameters: website is required.")
    if not ctx.tx.delete(WEBSITE, f"{ctx.user_id}:{website}"):
        raise ApiError(404, "Website not in user list.", code=404)
    return Response(status_code=204)


@handler("website_verification/get")
def website_verification(ctx: Context) -> Reply:
    code = hashlib.md5(ctx.user_id.encode(), usedforsecurity=False).hexdigest()
    filename = f"pinterest-{code[:5]}.html"
    return {
        "verification_code": code,
        "dns_txt_record": f"pinterest-site-verification={code}",
        "metatag": f'<meta name="p:domain_verify" content="{code}"/>',
        "filename": filename,
        "file_content": (
            f'<!DOCTYPE html><html><head><meta name="pinterest" content="{code}"/></head>'
            "<body>Pinterest site verification</body></html>"
        ),
    }


@handler("user_account/followed_interests")
def followed_interests(ctx: Context) -> Reply:
    user = _seed.find_user_by_username(ctx.tx, ctx.path_params["username"])
    if user is None:
        raise ApiError(404, "User not found.", code=30)
    return paginate(ctx, INTEREST, str(user["id"]))
