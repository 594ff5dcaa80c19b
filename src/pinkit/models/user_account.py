from __future__ import annotations

from typing import Literal

from ._base import PinterestModel


class Account(PinterestModel):
    """``GET /user_account``: the operation user account."""

    id: str | None = None
    username: str | None = None
    account_type: Literal["PINNER", "BUSINESS"] | str | None = None
    about: str | None = None
    business_name: str | None = None
    profile_image: str | None = None
    website_url: str | None = None
    board_count: int | None = None
    pin_count: int | None = None
    follower_count: int | None = None
    following_count: int | None = None
    monthly_views: int | None = None


class UserSummary(PinterestModel):
    """A follower or followed user."""

    username: str | None = None
    type: str | None = None


class BusinessAccount(PinterestModel):
    """A business linked to the user (``GET /user_account/businesses``)."""

    username: str | None = None
    image_small_url: str | None = None
    image_medium_url: str | None = None
    image_large_url: str | None = None
    image_xlarge_url: str | None = None


class UserWebsite(PinterestModel):
    website: str | None = None
    status: str | None = None
    verified_at: str | None = None
