"""Ad account test controls: more accounts, in other currencies, and roles on them."""

from __future__ import annotations

from typing import Any, Literal

from pinkit._constraints import field

from ..._backend import Backend
from ..._controls import Control, control
from ..._errors import EmulatorError
from .rules import AdAccountRules

__all__ = ["CONTROLS"]

Role = Literal["ADMIN", "ANALYST", "CAMPAIGN_MANAGER", "AUDIENCE"]


@control("POST", "/ad_accounts")
def create_ad_account(
    backend: Backend,
    *,
    owner: str | None = None,
    currency: str = "USD",
    country: str = "US",
    name: str | None = None,
) -> dict[str, Any]:
    """Another ad account of ``owner`` (None: the default user) in ``currency``: the account
    (Python: its ID). Grant others roles on it with ``grant_ad_account_role``."""
    for what, value in (("currency", currency), ("country", country)):
        allowed = field("ad_accounts/create", what).enum or ()
        if value not in allowed:
            raise EmulatorError(f"{what} must be one of the spec's {what} codes, got {value!r}")
    with backend.write() as state:
        user = owner or state.default_user_id
        accounts = state.rules(AdAccountRules)
        if not accounts.users.exists(user):
            raise EmulatorError(f"no user {user}")
        doc = accounts.create(user, name=name, country=country, currency=currency)
        return accounts.view(doc, user)


@control("POST", "/ad_accounts/roles", render=lambda _: {"ok": True})
def grant_ad_account_role(backend: Backend, ad_account_id: str, user_id: str, role: Role) -> None:
    """Let ``user_id`` act on ``ad_account_id`` as ``role``: ADMIN (everything), ANALYST (read
    only), CAMPAIGN_MANAGER (campaigns, ad groups, ads) or AUDIENCE (audiences, customer
    lists)."""
    with backend.write() as state:
        state.rules(AdAccountRules).grant(ad_account_id, user_id, role)


CONTROLS: list[Control[..., Any]] = [create_ad_account, grant_ad_account_role]
