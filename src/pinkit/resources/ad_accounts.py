"""Ad accounts: the ones the user owns or has a role on."""

from __future__ import annotations

from .._resource import Call, M, PageCall, endpoint, paginated
from ..models import AdAccount
from ._ads import AdAccountResource

__all__ = ["AdAccountsAPI", "get_call"]


def get_call(account: str) -> Call[AdAccount]:
    return Call("GET", f"/ad_accounts/{account}", parse=AdAccount.model_validate)


class AdAccountsAPI(AdAccountResource[M]):
    """The ad accounts the user can act on."""

    @paginated
    def list(
        self,
        *,
        include_shared_accounts: bool | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> PageCall[AdAccount]:
        """Every ad account of the user and, unless ``include_shared_accounts=False``, those
        shared with them (with the user's role in ``permissions``)."""
        params = {"include_shared_accounts": include_shared_accounts}
        return PageCall("/ad_accounts", params, page_size, max_items, item=AdAccount)

    @endpoint
    def get(self, ad_account_id: str | None = None) -> Call[AdAccount]:
        """One ad account (the client's when ``ad_account_id`` is None): its currency, country,
        owner and the user's permissions on it."""
        return get_call(self._account(ad_account_id))
