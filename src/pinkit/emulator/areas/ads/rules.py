"""Ad (promoted pin) rules (the spec's prose on ``AdCreateRequest``): the ad group is in the same
account; the pin exists and the account's owner can see it; the creative type suits the pin;
``ad_group_id``, ``creative_type`` and ``pin_id`` change only on drafts.

A new ad is reviewed on the emulator clock, as a jobs-engine timeline: ``PENDING`` for
``REVIEW_SECONDS``, then ``APPROVED``. Its pin is marked ``has_been_promoted``.
"""

from __future__ import annotations

from typing import Any

from ..._bulk import ItemRefused
from ..._errors import ApiError
from ..._jobs import Timeline
from ..._store import Doc
from ..ad_accounts.entities import CODE_INVALID_ITEM, CODE_NOT_FOUND_ITEM, AccountEntityRules
from ..ad_groups.rules import AdGroupRules
from ..pins.rules import PinRules

__all__ = ["AD", "REVIEW_SECONDS", "AdRules"]

AD = "ad"
REVIEW_SECONDS = 60.0
#: The creative types a pin of each kind can be promoted as.
CREATIVE_FITS = {
    "VIDEO": frozenset({"VIDEO", "MAX_VIDEO"}),
    "CAROUSEL": frozenset({"CAROUSEL"}),
    "REGULAR": frozenset({"REGULAR", "SHOPPING", "IDEA", "COLLAGE", "SHOWCASE"}),
}
DRAFT_ONLY = ("ad_group_id", "creative_type", "pin_id")


class AdRules(AccountEntityRules):
    kind = AD
    type_name = "ad"
    label = "Ad"

    @property
    def groups(self) -> AdGroupRules:
        return self.area(AdGroupRules)

    def apply(self, account: Doc, item: dict[str, Any], *, update: bool) -> dict[str, Any]:
        """Create or update one ad from a bulk item; its answer, or ``ItemRefused``."""
        doc = self.item_target(account, item) if update else None
        current: dict[str, Any] = dict(doc.data) if doc else {}
        changes = {k: v for k, v in item.items() if k != "id"}
        if doc is not None and current.get("status") != "DRAFT":
            for name in DRAFT_ONLY:
                if name in changes and str(changes[name]) != str(current.get(name)):
                    raise ItemRefused(
                        CODE_INVALID_ITEM, f"{name} may only be updated for draft ads."
                    )
        merged = {**current, **changes}
        group_ref = merged.get("ad_group_id")
        group = self.groups.find(account, group_ref)
        if group is None:
            raise ItemRefused(
                CODE_NOT_FOUND_ITEM, f"Ad group {group_ref} not found in this ad account."
            )
        pin = self._promotable_pin(account, merged.get("pin_id"), str(merged.get("creative_type")))
        merged.update(ad_group_id=group.id, campaign_id=group.data["campaign_id"], pin_id=pin.id)
        merged["status"] = self.check_status(
            current.get("status") if doc else None, changes.get("status")
        )
        if doc is None:
            review = Timeline.start("PENDING", self.now).then("APPROVED", after=REVIEW_SECONDS)
            merged.update(review=review.to_json(), rejected_reasons=[], rejection_labels=[])
            merged.setdefault("is_pin_deleted", False)
            merged.setdefault("is_removable", True)
        refs = {"ad_group": group.id, "campaign": str(group.data["campaign_id"]), "pin": pin.id}
        stored = self.store(account, merged, refs, doc)
        self.area(PinRules).mark_promoted(pin)
        return self.view(stored)

    def _promotable_pin(self, account: Doc, pin_id: Any, creative_type: str) -> Doc:
        try:
            pin, _ = self.area(PinRules).visible(account.owner or "", pin_id)
        except ApiError:
            raise ItemRefused(
                CODE_NOT_FOUND_ITEM, f"Pin {pin_id} not found, or not visible to the advertiser."
            ) from None
        kind = str(pin.data.get("creative_type") or "REGULAR")
        fits = CREATIVE_FITS.get(kind, frozenset({kind}))
        if creative_type not in fits:
            raise ItemRefused(
                CODE_INVALID_ITEM,
                f"creative_type {creative_type} does not fit a {kind} pin "
                f"(use {' or '.join(sorted(fits))}).",
            )
        return pin

    def view(self, doc: Doc) -> dict[str, Any]:
        data = {k: v for k, v in doc.data.items() if k != "review"}
        review = Timeline.from_json(doc.data["review"]).status(self.now)
        data["review_status"] = review
        status = str(data.get("status"))
        data["summary_status"] = review if status == "ACTIVE" else status
        return data
