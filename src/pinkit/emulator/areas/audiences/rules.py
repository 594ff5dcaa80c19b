"""Audiences (api-facts §5, the spec's ``AudienceRule`` prose):

- ``CUSTOMER_LIST``: ``rule.customer_list_id`` names a list of the same account; the audience is
  as big as the list's matched members and follows its status (``INITIALIZING`` while the list
  is processing, then ``READY`` or ``TOO_SMALL``).
- ``ACTALIKE``: ``rule.seed_id`` names audiences of the same account, none of them removed;
  ``country`` is US, CA or GB and ``percentage`` 1 to 10 (the share of that country's Pinterest
  users); it is built on the emulator clock (``INITIALIZING``, then ``READY``).
- ``VISITOR``, ``ENGAGEMENT``, ``PERSONA``: kept as given, with a size of their own.

``audiences/update`` edits (``operation_type`` UPDATE) or removes (REMOVE) an audience; removed
audiences are no longer listed. ``audiences/list`` with ``ownership_type=RECEIVED`` lists
audiences shared with the account: none, since the emulator does not share audiences.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..._errors import ApiError
from ..._jobs import Timeline
from ..._params import Listing
from ..._registry import Rules
from ..._store import Doc
from ..ad_accounts.rules import AD_ACCOUNT
from ..customer_lists.rules import CustomerListRules

__all__ = ["AUDIENCE", "BUILD_SECONDS", "AudienceRules"]

AUDIENCE = "audience"
BUILD_SECONDS = 3600.0
ACTALIKE_COUNTRIES = {"US": 90_000_000, "CA": 11_000_000, "GB": 14_000_000}
CODE_INVALID, CODE_NOT_FOUND = 1, 404


def _invalid(message: str) -> ApiError:
    return ApiError(400, f"Invalid parameters: {message}", code=CODE_INVALID)


class AudienceRules(Rules):
    @property
    def lists(self) -> CustomerListRules:
        return self.area(CustomerListRules)

    def _check_rule(self, account: Doc, audience_type: str, rule: dict[str, Any]) -> None:
        if audience_type == "CUSTOMER_LIST":
            if not rule.get("customer_list_id"):
                raise _invalid("a CUSTOMER_LIST audience needs rule.customer_list_id.")
            self.lists.find(account, rule["customer_list_id"])
        elif audience_type == "ACTALIKE":
            seeds = rule.get("seed_id") or []
            if not seeds:
                raise _invalid("an ACTALIKE audience needs rule.seed_id.")
            for seed in seeds:
                found = self.tx.get_doc(AUDIENCE, str(seed))
                if found is None or found.ref(AD_ACCOUNT) != account.id:
                    raise _invalid(f"seed audience {seed} is not an audience of this ad account.")
                if found.data.get("removed"):
                    raise _invalid(f"seed audience {seed} was removed.")
            if rule.get("country") not in ACTALIKE_COUNTRIES:
                raise _invalid("rule.country must be US, CA or GB.")
            percentage = rule.get("percentage")
            if (
                isinstance(percentage, bool)
                or not isinstance(percentage, int)
                or not 1 <= percentage <= 10
            ):
                raise _invalid("rule.percentage must be an integer from 1 to 10.")

    def create(self, account: Doc, body: dict[str, Any]) -> Doc:
        audience_type, rule = str(body["audience_type"]), dict(body["rule"])
        self._check_rule(account, audience_type, rule)
        audience_id = self.tx.new_id()
        data = {
            "id": audience_id,
            "ad_account_id": account.id,
            "name": body["name"],
            "audience_type": audience_type,
            "rule": rule,
            "type": "audience",
            "created_timestamp": int(self.now),
            "updated_timestamp": int(self.now),
            "created_by_company_name": "Emulator Business",
            "timeline": Timeline.start("INITIALIZING", self.now)
            .then("READY", after=BUILD_SECONDS)
            .to_json(),
        }
        if body.get("description") is not None:
            data["description"] = body["description"]
        self.tx.insert(
            AUDIENCE, data, owner=account.owner, id=audience_id, refs={AD_ACCOUNT: account.id}
        )
        return self._reload(audience_id)

    def _reload(self, audience_id: str) -> Doc:
        doc = self.tx.get_doc(AUDIENCE, audience_id)
        assert doc is not None
        return doc

    def update(self, account: Doc, doc: Doc, body: dict[str, Any]) -> Doc:
        data = dict(doc.data)
        if body.get("operation_type") == "REMOVE":
            data["removed"] = True
        else:
            for name in ("name", "description"):
                if body.get(name) is not None:
                    data[name] = body[name]
            if body.get("rule") is not None:
                self._check_rule(account, str(data["audience_type"]), dict(body["rule"]))
                data["rule"] = dict(body["rule"])
        data["updated_timestamp"] = int(self.now)
        self.tx.put(AUDIENCE, doc.id, data, owner=doc.owner)
        return self._reload(doc.id)

    def find(self, account: Doc, audience_id: Any) -> Doc:
        doc = self.tx.get_doc(AUDIENCE, str(audience_id))
        if doc is None or doc.ref(AD_ACCOUNT) != account.id:
            raise ApiError(404, "Audience not found.", code=CODE_NOT_FOUND)
        return doc

    def of_account(
        self, account: Doc, *, descending: bool = False, ownership: str = "OWNED"
    ) -> Listing:
        """The account's audiences; ``ownership`` RECEIVED (audiences other accounts share
        with it) is empty, since the emulator has no audience sharing."""
        owned = ownership != "RECEIVED"
        return Listing(
            AUDIENCE,
            where={AD_ACCOUNT: account.id},
            keep=lambda d: owned and not d.data.get("removed"),
            descending=descending,
        )

    def _size_and_status(self, doc: Doc) -> tuple[int | None, str]:
        data = doc.data
        if data.get("removed"):
            return None, "REMOVED"
        rule = data.get("rule") or {}
        if data["audience_type"] == "CUSTOMER_LIST":
            source = self.tx.get_doc("customer_list", str(rule.get("customer_list_id")))
            if source is None:
                return 0, "TOO_SMALL"
            status = self.lists.status(source)
            size = self.lists.matched(source)
            return size, {"PROCESSING": "INITIALIZING"}.get(status, status)
        status = Timeline.from_json(data["timeline"]).status(self.now)
        if data["audience_type"] == "ACTALIKE":
            people = ACTALIKE_COUNTRIES[rule["country"]] * int(rule["percentage"]) // 100
            return (people if status == "READY" else None), status
        digest = int(hashlib.sha256(doc.id.encode()).hexdigest()[:6], 16)
        return (1_000 + digest % 50_000 if status == "READY" else None), status

    def view(self, doc: Doc) -> dict[str, Any]:
        data = {k: v for k, v in doc.data.items() if k not in ("timeline", "removed")}
        size, status = self._size_and_status(doc)
        data["status"] = status
        if size is not None:
            data["size"] = size
        return data
