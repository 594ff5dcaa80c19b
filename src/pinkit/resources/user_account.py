from __future__ import annotations

from .._resource import Call, M, PageCall, Resource, endpoint, list_of, paginated
from .._validate import check_id
from ..models import Account, BusinessAccount, UserSummary, UserWebsite


class UserAccountAPI(Resource[M]):
    """The authenticated user (or, with ``ad_account_id``, that ad account's owner)."""

    @endpoint
    def get(self, *, ad_account_id: str | None = None) -> Call[Account]:
        """The account: username, type, profile and counts."""
        if ad_account_id is not None:
            check_id("ad_account_id", ad_account_id)
        return Call(
            "GET",
            "/user_account",
            params={"ad_account_id": ad_account_id},
            parse=Account.model_validate,
        )

    @endpoint
    def businesses(self) -> Call[list[BusinessAccount]]:
        """The business accounts linked to the user (a plain list, not paginated)."""
        return Call("GET", "/user_account/businesses", parse=list_of(BusinessAccount))

    @paginated
    def followers(
        self, *, page_size: int | None = None, max_items: int | None = None
    ) -> PageCall[UserSummary]:
        """The users who follow this account."""
        return PageCall(
            "/user_account/followers",
            page_size=page_size,
            max_items=max_items,
            item=UserSummary,
        )

    @paginated
    def following(
        self, *, page_size: int | None = None, max_items: int | None = None
    ) -> PageCall[UserSummary]:
        """The users this account follows."""
        return PageCall(
            "/user_account/following",
            page_size=page_size,
            max_items=max_items,
            item=UserSummary,
        )

    @paginated
    def websites(
        self, *, page_size: int | None = None, max_items: int | None = None
    ) -> PageCall[UserWebsite]:
        """The user's websites, claimed or not, with their status."""
        return PageCall(
            "/user_account/websites",
            page_size=page_size,
            max_items=max_items,
            item=UserWebsite,
        )
