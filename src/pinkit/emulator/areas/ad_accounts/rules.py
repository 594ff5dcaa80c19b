"""Ad accounts and business access.

Every user has an ad account (USD, US), made when the state is seeded for the default user and
on first look for any other. An account's owner may do everything with it; other users act on
it only through a role granted on it (``grant_ad_account_role``):

============  ==========================================================
role          may
============  ==========================================================
ADMIN         everything the owner may
CAMPAIGN_MANAGER  read; write campaigns, ad groups, ads; send conversions
AUDIENCE      read; write audiences and customer lists
ANALYST       read (entities and analytics); write nothing
============  ==========================================================

A user without a role gets Pinterest's 403 (code 29), as does a role asked to do more than it
may; an account that does not exist is a 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TYPE_CHECKING, Any

from ..._common import is_numeric_id
from ..._errors import ApiError, EmulatorError
from ..._params import Listing
from ..._registry import Rules
from ..._store import Doc
from ..user_account.rules import UserRules

if TYPE_CHECKING:
    from ..._registry import Context

__all__ = ["AD_ACCOUNT", "ROLES", "AdAccountRules", "Can"]

AD_ACCOUNT, ROLE = "ad_account", "ad_account_role"
NOT_PERMITTED = "You are not permitted to access that resource."
CODE_NOT_PERMITTED, CODE_NOT_FOUND = 29, 2
DEFAULT_CURRENCY, DEFAULT_COUNTRY = "USD", "US"


class Can(Enum):
    """What a request does with an account."""

    READ = "read"
    WRITE_ADS = "write campaigns, ad groups and ads"
    WRITE_AUDIENCES = "write audiences and customer lists"
    SEND_CONVERSIONS = "send conversion events"


#: The roles tests can grant, what each may do, and the spec's ``BusinessAccessRole`` that
#: ``AdAccount.permissions`` shows for it.
ROLES: Mapping[str, tuple[frozenset[Can], str]] = {
    "ADMIN": (frozenset(Can), "ADMIN"),
    "CAMPAIGN_MANAGER": (
        frozenset({Can.READ, Can.WRITE_ADS, Can.SEND_CONVERSIONS}),
        "CAMPAIGN_MANAGER",
    ),
    "AUDIENCE": (frozenset({Can.READ, Can.WRITE_AUDIENCES}), "AUDIENCE_MANAGER"),
    "ANALYST": (frozenset({Can.READ}), "ANALYST"),
}


class AdAccountRules(Rules):
    @property
    def users(self) -> UserRules:
        return self.area(UserRules)

    # -- accounts -----------------------------------------------------------------------------
    def create(
        self,
        owner: str,
        *,
        name: str | None = None,
        country: str | None = None,
        currency: str | None = None,
    ) -> Doc:
        account_id = self.tx.new_id()
        username = self.users.username_of(owner)
        data = {
            "id": account_id,
            "name": name or f"{username or 'emulator'} ad account",
            "country": country or DEFAULT_COUNTRY,
            "currency": currency or DEFAULT_CURRENCY,
            "created_time": int(self.now),
            "updated_time": int(self.now),
        }
        self.tx.insert(AD_ACCOUNT, data, owner=owner, id=account_id)
        return self._reload(account_id)

    def _reload(self, account_id: str) -> Doc:
        doc = self.tx.get_doc(AD_ACCOUNT, account_id)
        assert doc is not None
        return doc

    def ensure_for(self, user_id: str) -> None:
        """Every user has an account of their own (made on first look)."""
        if self.tx.count(AD_ACCOUNT, owner=user_id) == 0 and self.users.exists(user_id):
            self.create(user_id)

    def find(self, account_id: Any) -> Doc:
        doc = self.tx.get_doc(AD_ACCOUNT, account_id) if is_numeric_id(account_id) else None
        if doc is None:
            raise ApiError(404, "AdAccount not found.", code=CODE_NOT_FOUND)
        return doc

    def role_of(self, user_id: str, account: Doc) -> str | None:
        """``OWNER``, a granted role, or None."""
        if account.owner == user_id:
            return "OWNER"
        grant = self.tx.get(ROLE, f"{account.id}:{user_id}")
        return None if grant is None else str(grant["role"])

    def in_path(self, ctx: Context, can: Can = Can.READ) -> Doc:
        """The ad account the request's path names, if its caller may do ``can`` with it."""
        return self.require(ctx.user_id, ctx.path_params["ad_account_id"], can)

    def require(self, user_id: str, account_id: Any, can: Can) -> Doc:
        """The account, if ``user_id`` may do ``can`` with it; Pinterest's 404 or 403 else."""
        account = self.find(account_id)
        role = self.role_of(user_id, account)
        allowed = frozenset(Can) if role == "OWNER" else ROLES[role][0] if role else frozenset()
        if can not in allowed:
            raise ApiError(403, NOT_PERMITTED, code=CODE_NOT_PERMITTED)
        return account

    def grant(self, account_id: str, user_id: str, role: str) -> None:
        account = self.tx.get_doc(AD_ACCOUNT, account_id)
        if account is None:
            raise EmulatorError(f"no ad account {account_id}")
        if not self.users.exists(user_id):
            raise EmulatorError(f"no user {user_id}")
        if account.owner == user_id:
            raise EmulatorError(f"user {user_id} owns ad account {account_id} already")
        refs = {AD_ACCOUNT: account.id, "user": user_id}
        self.tx.put(ROLE, f"{account.id}:{user_id}", {"role": role}, refs=refs)

    def visible_to(self, user_id: str, *, include_shared: bool = True) -> Listing:
        """The accounts ``user_id`` owns, and (with ``include_shared``) those shared with them."""
        self.ensure_for(user_id)
        shared = {str(doc.ref(AD_ACCOUNT)) for doc in self.tx.list(ROLE, where={"user": user_id})}

        def keep(doc: Doc) -> bool:
            return doc.owner == user_id or (include_shared and doc.id in shared)

        return Listing(AD_ACCOUNT, keep=keep)

    def currency_of(self, account: Doc) -> str:
        return str(account.data.get("currency") or DEFAULT_CURRENCY)

    def view(self, account: Doc, viewer: str) -> dict[str, Any]:
        """An ``AdAccount`` as ``viewer`` sees it (``permissions``: the viewer's roles)."""
        role = self.role_of(viewer, account)
        shown = "OWNER" if role == "OWNER" else ROLES[role][1] if role else None
        owner = {"id": account.owner or "", "username": self.users.username_of(account.owner)}
        return {**account.data, "owner": owner, "permissions": [shown] if shown else []}

    def delete_sandbox_account(self, account_id: str) -> None:
        """The sandbox's ``sandbox/delete``: the account and everything that belongs to it
        (deleting what is already gone succeeds too)."""
        self.tx.delete_referencing(AD_ACCOUNT, account_id)
        self.tx.delete(AD_ACCOUNT, account_id)
