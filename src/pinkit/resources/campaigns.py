"""Campaigns: list, get, create and update in bulk, and status changes, in an ad account."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .._batch import BatchResult, DryRun
from .._flow import Flow
from .._resource import Call, M, PageCall, endpoint, paginated, workflow
from ..models import Campaign
from ._ads import EntityKind, EntityResource, require

__all__ = ["CAMPAIGN", "CampaignsAPI"]

CAMPAIGN = EntityKind("campaign", "campaigns", "campaign_id", Campaign, account_in_items=True)


class CampaignsAPI(EntityResource[M, Campaign]):
    """Campaigns: an objective, a status, a schedule and optional spend caps.

    Every method takes the ad account first: ``ad_account_id=None`` is the client's
    (``Client(ad_account_id=...)``, else ``PINTEREST_AD_ACCOUNT_ID``). Writes take
    ``dry_run=True``: every local check, nothing sent, a ``DryRun`` of the requests back.
    """

    KIND = CAMPAIGN

    @paginated
    def list(
        self,
        /,
        ad_account_id: str | None = None,
        *,
        include_archived: bool = False,
        page_size: int | None = None,
        max_items: int | None = None,
        **filters: Any,
    ) -> PageCall[Campaign]:
        """Every campaign of the ad account, page after page.

        ``filters`` are the spec's query parameters of ``campaigns/list``:
        ``campaign_ids``, ``entity_statuses``, ``order`` (ASCENDING or DESCENDING by id).
        An unknown one raises ``InvalidInputError`` naming the allowed ones.

        Pinterest leaves ARCHIVED campaigns out unless ``entity_statuses`` asks for them (the
        default is ACTIVE and PAUSED): ``include_archived=True`` adds ARCHIVED to the statuses
        given, or to the default ones.
        """
        return self._list_call(ad_account_id, include_archived, page_size, max_items, filters)

    @endpoint
    def get(
        self, ad_account_id: str | None = None, campaign_id: str | None = None
    ) -> Call[Campaign]:
        """One campaign (``campaign_id`` is required; name it when the ad account is left out:
        ``get(campaign_id=...)``)."""
        return self._get_call(ad_account_id, campaign_id)

    @workflow
    def create(
        self,
        ad_account_id: str | None = None,
        items: Iterable[Mapping[str, Any]] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[BatchResult[Campaign] | DryRun]:
        """Create campaigns from ``items``, any number of them, sent 30 at a time.

        Items have Pinterest's ``CampaignCreateRequest`` fields (money fields in integer micros).

        Each item needs ``name`` and ``objective_type``; ``ad_account_id`` is filled in. An
        item with both ``daily_spend_cap`` and ``lifetime_spend_cap``, or an end before the
        start, fails a local check: it is not sent, and its result is an ``ItemError`` with
        outcome ``invalid``.

        Returns a ``BatchResult``: ``.results[i]`` is the campaign made from ``items[i]`` or
        its ``ItemError`` (refused by Pinterest, or by a local check before sending). If a
        request after the first fails as a whole, the results so far are kept, its items are
        failed with the reason (they may or may not have been made) and the rest are not
        sent; a failure of the first request raises.
        """
        return self._write(ad_account_id, require("items", items), update=False, dry_run=dry_run)

    @workflow
    def update(
        self,
        ad_account_id: str | None = None,
        items: Iterable[Mapping[str, Any]] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[BatchResult[Campaign] | DryRun]:
        """Change campaigns: each item has the ``id`` and the fields to change
        (``CampaignUpdateRequest``). Results as ``create``'s; an update is safe to send again, so
        failed items whose outcome is unknown can simply be retried."""
        return self._write(ad_account_id, require("items", items), update=True, dry_run=dry_run)

    @workflow
    def create_one(
        self,
        ad_account_id: str | None = None,
        item: Mapping[str, Any] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[Campaign | DryRun]:
        """Create one campaign; raises its ``ItemError`` if Pinterest refuses it."""
        return self._write_one(ad_account_id, require("item", item), update=False, dry_run=dry_run)

    @workflow
    def update_one(
        self,
        ad_account_id: str | None = None,
        item: Mapping[str, Any] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[Campaign | DryRun]:
        """Change one campaign (``item`` has its ``id``); raises its ``ItemError`` if Pinterest
        refuses the change."""
        return self._write_one(ad_account_id, require("item", item), update=True, dry_run=dry_run)

    @workflow
    def pause(
        self,
        ad_account_id: str | None = None,
        ids: str | Sequence[str] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[BatchResult[Campaign] | DryRun]:
        """Set one campaign or many to PAUSED."""
        return self._set_status(ad_account_id, require("ids", ids), "PAUSED", dry_run)

    @workflow
    def activate(
        self,
        ad_account_id: str | None = None,
        ids: str | Sequence[str] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[BatchResult[Campaign] | DryRun]:
        """Set one campaign or many to ACTIVE (they spend again)."""
        return self._set_status(ad_account_id, require("ids", ids), "ACTIVE", dry_run)

    @workflow
    def archive(
        self,
        ad_account_id: str | None = None,
        ids: str | Sequence[str] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[BatchResult[Campaign] | DryRun]:
        """Set one campaign or many to ARCHIVED: final, they cannot be activated again."""
        return self._set_status(ad_account_id, require("ids", ids), "ARCHIVED", dry_run)
