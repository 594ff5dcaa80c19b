"""What campaigns, ad groups and ads have in common: they belong to an ad account, are written
1 to 30 at a time with an answer per item, move between statuses by Pinterest's rules, and are
listed with the same filters (IDs, ``entity_statuses`` defaulting to ACTIVE and PAUSED,
``order`` by ID)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, ClassVar

from pinkit._adrules import DEFAULT_ENTITY_STATUSES, schedule_problem, status_change_allowed

from ..._bulk import ItemRefused
from ..._common import is_numeric_id
from ..._errors import ApiError
from ..._params import Listing
from ..._registry import Rules
from ..._store import Doc, Refs
from .rules import AD_ACCOUNT, AdAccountRules

__all__ = ["CODE_INVALID_ITEM", "CODE_NOT_FOUND_ITEM", "AccountEntityRules"]

CODE_INVALID_ITEM, CODE_NOT_FOUND_ITEM = 400, 404


class AccountEntityRules(Rules):
    """Base of the campaign, ad group and ad rules (one kind each)."""

    kind: ClassVar[str]
    type_name: ClassVar[str]
    """The answers' constant ``type`` ("campaign", "adgroup", "ad")."""
    id_prefix: ClassVar[str] = ""
    """IDs may be written with this prefix (``C123`` for a campaign, ``AG123`` for an ad
    group), as the spec's patterns allow."""
    label: ClassVar[str]

    @property
    def accounts(self) -> AdAccountRules:
        return self.area(AdAccountRules)

    # -- finding ------------------------------------------------------------------------------
    def bare_id(self, value: Any) -> str | None:
        text = str(value) if isinstance(value, str) else ""
        if self.id_prefix and text.startswith(self.id_prefix):
            text = text[len(self.id_prefix) :]
        return text if is_numeric_id(text) else None

    def find(self, account: Doc, entity_id: Any) -> Doc | None:
        bare = self.bare_id(entity_id)
        doc = self.tx.get_doc(self.kind, bare) if bare else None
        if doc is None or doc.ref(AD_ACCOUNT) != account.id:
            return None
        return doc

    def get(self, account: Doc, entity_id: Any) -> Doc:
        doc = self.find(account, entity_id)
        if doc is None:
            raise ApiError(404, f"{self.label} not found.", code=CODE_NOT_FOUND_ITEM)
        return doc

    def item_target(self, account: Doc, item: Mapping[str, Any]) -> Doc:
        """The entity an update item names, or ``ItemRefused``."""
        doc = self.find(account, item.get("id"))
        if doc is None:
            raise ItemRefused(CODE_NOT_FOUND_ITEM, f"{self.label} {item.get('id')} not found.")
        if doc.data.get("status") == "DELETED_DRAFT":
            raise ItemRefused(CODE_INVALID_ITEM, f"{self.label} {doc.id} is a deleted draft.")
        return doc

    def listing(
        self,
        account: Doc,
        *,
        ids: Collection[str] = (),
        statuses: Sequence[str] = (),
        descending: bool = False,
        where: Mapping[str, Collection[str]] | None = None,
    ) -> Listing:
        """The account's entities of this kind, filtered as the ``*/list`` operations say."""
        wanted = set(statuses or DEFAULT_ENTITY_STATUSES)
        only = {b for i in ids if (b := self.bare_id(i))} if ids else None
        refs: dict[str, Any] = {AD_ACCOUNT: account.id}
        refs.update({name: list(values) for name, values in (where or {}).items() if values})

        def keep(doc: Doc) -> bool:
            if only is not None and doc.id not in only:
                return False
            return doc.data.get("status") in wanted

        return Listing(self.kind, where=refs, keep=keep, descending=descending)

    # -- writing ------------------------------------------------------------------------------
    @staticmethod
    def check_times(item: Mapping[str, Any], now: float, *, creating: bool) -> None:
        problem = schedule_problem(item)
        if problem is not None:
            raise ItemRefused(CODE_INVALID_ITEM, problem)
        end = item.get("end_time")
        if creating and end is not None and end <= now:
            raise ItemRefused(CODE_INVALID_ITEM, "end_time must be in the future.")

    def check_status(self, current: str | None, wanted: str | None) -> str:
        if current is None:  # a new entity
            status = wanted or "ACTIVE"
            if status not in ("ACTIVE", "PAUSED", "DRAFT"):
                raise ItemRefused(CODE_INVALID_ITEM, f"A new {self.label} cannot be {status}.")
            return status
        if wanted is None or wanted == current:
            return current
        if not status_change_allowed(current, wanted):
            raise ItemRefused(
                CODE_INVALID_ITEM,
                f"{self.label} status cannot change from {current} to {wanted}.",
            )
        return wanted

    def store(self, account: Doc, data: dict[str, Any], refs: Refs, doc: Doc | None) -> Doc:
        """Insert a new entity (``doc`` None) or replace ``doc``'s data. A field set to None is
        left out (an update clears it), as absent fields are left out of answers."""
        data = {k: v for k, v in data.items() if v is not None}
        data["updated_time"] = int(self.now)
        if doc is None:
            entity_id = self.tx.new_id()
            data.update(id=entity_id, created_time=int(self.now), type=self.type_name)
            data["ad_account_id"] = account.id
            self.tx.insert(
                self.kind,
                data,
                owner=account.owner,
                id=entity_id,
                refs={AD_ACCOUNT: account.id, **refs},
            )
        else:
            entity_id = doc.id
            self.tx.put(self.kind, entity_id, data, owner=doc.owner, refs=refs or None)
        stored = self.tx.get_doc(self.kind, entity_id)
        assert stored is not None
        return stored

    def summary_status(self, data: Mapping[str, Any]) -> str:
        """What the entity is doing now: ``RUNNING``, ``NOT_STARTED``, ``COMPLETED``, or its
        status when it is not ACTIVE."""
        status = str(data.get("status"))
        if status != "ACTIVE":
            return status
        start, end = data.get("start_time"), data.get("end_time")
        if start is not None and self.now < start:
            return "NOT_STARTED"
        if end is not None and self.now >= end:
            return "COMPLETED"
        return "RUNNING"

    def view(self, doc: Doc) -> dict[str, Any]:
        return {**doc.data, "summary_status": self.summary_status(doc.data)}
