"""Ad groups: list, get, create and update in bulk, and status changes, in an ad account."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .._batch import BatchResult, DryRun
from .._flow import Flow
from .._resource import Call, M, PageCall, endpoint, paginated, workflow
from .._validate import check_fields
from ..models import AdGroup
from ._ads import EntityKind, EntityResource, require

__all__ = ["AD_GROUP", "AdGroupsAPI", "Floors", "bid_floors_call"]

Floors = list[int]
"""Bid floors in integer micros (``list`` is a method name inside the resource class)."""

AD_GROUP = EntityKind("ad group", "ad_groups", "ad_group_id", AdGroup)


def _floors(body: Any) -> list[int]:
    floors = body.get("bid_floors") if isinstance(body, Mapping) else None
    if not isinstance(floors, list) or not all(
        isinstance(f, int) and not isinstance(f, bool) for f in floors
    ):
        raise ValueError("bid_floors must be a list of integers")
    return list(floors)


def bid_floors_call(
    account: str, specs: Sequence[Mapping[str, Any]], targeting_spec: Mapping[str, Any] | None
) -> Call[list[int]]:
    body = check_fields(
        "ad_groups_bid_floor/get",
        {"bid_floor_specs": [dict(s) for s in specs], "targeting_spec": targeting_spec},
    )
    return Call("POST", f"/ad_accounts/{account}/bid_floor", json=body, parse=_floors)


class AdGroupsAPI(EntityResource[M, AdGroup]):
    """Ad groups: the budget, bid, billable event, schedule and targeting of a campaign's ads.

    Every method takes the ad account first: ``ad_account_id=None`` is the client's
    (``Client(ad_account_id=...)``, else ``PINTEREST_AD_ACCOUNT_ID``). Writes take
    ``dry_run=True``: every local check, nothing sent, a ``DryRun`` of the requests back.
    """

    KIND = AD_GROUP

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
    ) -> PageCall[AdGroup]:
        """Every ad group of the ad account, page after page.

        ``filters`` are the spec's query parameters of ``ad_groups/list``:
        ``campaign_ids`` or ``ad_group_ids`` (one of them), ``entity_statuses``, ``order``,
        ``translate_interests_to_names``.
        An unknown one raises ``InvalidInputError`` naming the allowed ones.

        Pinterest leaves ARCHIVED ad groups out unless ``entity_statuses`` asks for them (the
        default is ACTIVE and PAUSED): ``include_archived=True`` adds ARCHIVED to the statuses
        given, or to the default ones.
        """
        return self._list_call(ad_account_id, include_archived, page_size, max_items, filters)

    @endpoint
    def get(
        self, ad_account_id: str | None = None, ad_group_id: str | None = None
    ) -> Call[AdGroup]:
        """One ad group (``ad_group_id`` is required; name it when the ad account is left out:
        ``get(ad_group_id=...)``)."""
        return self._get_call(ad_account_id, ad_group_id)

    @workflow
    def create(
        self,
        ad_account_id: str | None = None,
        items: Iterable[Mapping[str, Any]] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[BatchResult[AdGroup] | DryRun]:
        """Create ad groups from ``items``, any number of them, sent 30 at a time.

        Items have Pinterest's ``AdGroupCreateRequest`` fields (money fields in integer micros).

        Each item needs ``campaign_id``, ``name`` and ``billable_event``. An item with a
        LIFETIME budget and no ``end_time``, or an end before the start, fails a local check:
        it is not sent, and its result is an ``ItemError`` with outcome ``invalid``.

        Returns a ``BatchResult``: ``.results[i]`` is the ad group made from ``items[i]`` or
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
    ) -> Flow[BatchResult[AdGroup] | DryRun]:
        """Change ad groups: each item has the ``id`` and the fields to change
        (``AdGroupUpdateRequest``). Results as ``create``'s; an update is safe to send again, so
        failed items whose outcome is unknown can simply be retried."""
        return self._write(ad_account_id, require("items", items), update=True, dry_run=dry_run)

    @workflow
    def create_one(
        self,
        ad_account_id: str | None = None,
        item: Mapping[str, Any] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[AdGroup | DryRun]:
        """Create one ad group; raises its ``ItemError`` if Pinterest refuses it."""
        return self._write_one(ad_account_id, require("item", item), update=False, dry_run=dry_run)

    @workflow
    def update_one(
        self,
        ad_account_id: str | None = None,
        item: Mapping[str, Any] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[AdGroup | DryRun]:
        """Change one ad group (``item`` has its ``id``); raises its ``ItemError`` if Pinterest
        refuses the change."""
        return self._write_one(ad_account_id, require("item", item), update=True, dry_run=dry_run)

    @workflow
    def pause(
        self,
        ad_account_id: str | None = None,
        ids: str | Sequence[str] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[BatchResult[AdGroup] | DryRun]:
        """Set one ad group or many to PAUSED."""
        return self._set_status(ad_account_id, require("ids", ids), "PAUSED", dry_run)

    @workflow
    def activate(
        self,
        ad_account_id: str | None = None,
        ids: str | Sequence[str] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[BatchResult[AdGroup] | DryRun]:
        """Set one ad group or many to ACTIVE (they spend again)."""
        return self._set_status(ad_account_id, require("ids", ids), "ACTIVE", dry_run)

    @workflow
    def archive(
        self,
        ad_account_id: str | None = None,
        ids: str | Sequence[str] | None = None,
        *,
        dry_run: bool = False,
    ) -> Flow[BatchResult[AdGroup] | DryRun]:
        """Set one ad group or many to ARCHIVED: final, they cannot be activated again."""
        return self._set_status(ad_account_id, require("ids", ids), "ARCHIVED", dry_run)

    @endpoint
    def bid_floors(
        self,
        ad_account_id: str | None = None,
        bid_floor_specs: Sequence[Mapping[str, Any]] | None = None,
        *,
        targeting_spec: Mapping[str, Any] | None = None,
    ) -> Call[Floors]:
        """The lowest bids Pinterest takes, in integer micros: one per spec
        (``{"billable_event": "CLICKTHROUGH", "currency": "USD", "countries": ["US"]}``)."""
        specs = require("bid_floor_specs", bid_floor_specs)
        return bid_floors_call(self._account(ad_account_id), specs, targeting_spec)
