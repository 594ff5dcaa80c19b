"""Sandbox rules: an ad account's sandbox data is deleted whole."""

from __future__ import annotations

from ..._registry import Rules

__all__ = ["AD_ACCOUNT", "SandboxRules"]

AD_ACCOUNT = "ad_account"


class SandboxRules(Rules):
    def delete_ad_account(self, ad_account_id: str) -> None:
        """The ad account and every document that belongs to it (deleting what is already gone
        succeeds too)."""
        self.tx.delete_referencing(AD_ACCOUNT, ad_account_id)
        self.tx.delete(AD_ACCOUNT, ad_account_id)
