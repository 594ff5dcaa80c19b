"""Customer lists (api-facts §5): records are one comma-separated string; emails lowercase,
plain (with "@") or hashed with SHA-1, SHA-256 or MD5; MAIDs and IDFAs hashed; LR_ID and DLX_ID
partner IDs as given. Lists are matched on the emulator clock (a jobs-engine timeline):
``PROCESSING`` for ``MATCH_SECONDS`` (or what ``configure_customer_lists`` sets) after every
change, then ``READY`` when at least 100 of the members match Pinterest users, else
``TOO_SMALL``.

Which records match is deterministic: a fixed share of the members (by their digest), so sizes
are believable and the same input always gives the same size. A member is its SHA-256 digest:
a record sent as a SHA-256 digest is that digest, any other record is hashed, so a plain
e-mail address and its SHA-256 digest are the same person. Members are kept by digest only,
one document each, and can never be read back, as at Pinterest. A list keeps its member and
match counts with it, so reading it costs the same at 100,000 members as at 100.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from ..._errors import ApiError
from ..._jobs import Timeline
from ..._params import Listing
from ..._registry import Rules
from ..._store import Doc
from ..ad_accounts.rules import AD_ACCOUNT

__all__ = ["CUSTOMER_LIST", "MATCH_PERCENT", "MATCH_SECONDS", "MIN_MATCHED", "CustomerListRules"]

CUSTOMER_LIST, MEMBER, CONFIG = "customer_list", "customer_list_member", "customer_list_config"
MATCH_SECONDS = 600.0
"""How long matching takes by default (``configure_customer_lists`` changes it)."""
MIN_MATCHED = 100
MATCH_PERCENT = 70
#: A digest: MD5, SHA-1 or SHA-256 in hex (either case).
DIGEST = re.compile(r"[0-9a-fA-F]{32}(?:[0-9a-fA-F]{8}(?:[0-9a-fA-F]{24})?)?")
SHA256 = re.compile(r"[0-9a-f]{64}")
PARTNER_TYPES = frozenset({"LR_ID", "DLX_ID", "HASHED_PINNER_ID"})
CODE_INVALID, CODE_NOT_FOUND = 1, 404
#: Counters a list keeps beside its answer's fields (never shown).
HIDDEN = ("timeline", "list_type", "members", "matched_members")
_MATCHED_TEXT = '{"matched":true}'
_UNMATCHED_TEXT = '{"matched":false}'


def _hashed(record: str) -> bool:
    return DIGEST.fullmatch(record) is not None


def _check(record: str, list_type: str) -> str | None:
    """Why Pinterest would refuse ``record`` for a list of ``list_type``, or None."""
    if list_type in PARTNER_TYPES:
        return None if record else "empty record"
    if list_type == "EMAIL":
        if _hashed(record):
            return None
        if "@" not in record:
            return "not an email address or a SHA-1, SHA-256 or MD5 digest"
        if record != record.lower():
            return "emails must be lowercase"
        return None
    return None if _hashed(record) else f"{list_type} records must be hashed (SHA-1, SHA-256, MD5)"


def member_key(record: str, list_type: str) -> str:
    """The member a record stands for: its SHA-256 digest (a SHA-256 digest stands for
    itself; partner IDs are case-sensitive, the other records are not)."""
    if list_type in PARTNER_TYPES:
        return hashlib.sha256(record.encode()).hexdigest()
    low = record.lower()
    if SHA256.fullmatch(low):
        return low
    return hashlib.sha256(low.encode()).hexdigest()


def matches(digest: str) -> bool:
    """Whether the member ``digest`` is a Pinterest user (``MATCH_PERCENT`` of them are)."""
    return int(digest[:8], 16) % 100 < MATCH_PERCENT


class CustomerListRules(Rules):
    def match_seconds(self) -> float:
        raw = self.tx.meta_get(CONFIG)
        return MATCH_SECONDS if raw is None else float(json.loads(raw)["match_seconds"])

    def configure(self, match_seconds: float) -> dict[str, Any]:
        self.tx.meta_set(CONFIG, json.dumps({"match_seconds": match_seconds}))
        return {"match_seconds": match_seconds}

    def records(self, raw: str, list_type: str) -> list[str]:
        """The records of a request, each checked; a 400 naming the first bad one."""
        records = [r.strip() for r in raw.split(",") if r.strip()]
        if not records:
            raise ApiError(400, "Invalid parameters: records is empty.", code=CODE_INVALID)
        for position, record in enumerate(records):
            problem = _check(record, list_type)
            if problem is not None:
                raise ApiError(
                    400,
                    f"Invalid parameters: record {position + 1} of records: {problem}.",
                    code=CODE_INVALID,
                )
        return records

    def create(self, account: Doc, name: str, raw: str, list_type: str) -> Doc:
        records = self.records(raw, list_type)
        list_id = self.tx.new_id()
        data = {
            "id": list_id,
            "ad_account_id": account.id,
            "name": name,
            "type": "customerlist",
            "list_type": list_type,
            "created_time": int(self.now),
            "num_batches": 0,
            "num_removed_user_records": 0,
            "num_uploaded_user_records": 0,
            "exceptions": {},
            "members": 0,
            "matched_members": 0,
        }
        self.tx.insert(
            CUSTOMER_LIST, data, owner=account.owner, id=list_id, refs={AD_ACCOUNT: account.id}
        )
        return self._change(self._reload(list_id), "ADD", records)

    def _reload(self, list_id: str) -> Doc:
        doc = self.tx.get_doc(CUSTOMER_LIST, list_id)
        assert doc is not None
        return doc

    def update(self, doc: Doc, operation: str, raw: str) -> Doc:
        return self._change(doc, operation, self.records(raw, str(doc.data["list_type"])))

    def _change(self, doc: Doc, operation: str, records: list[str]) -> Doc:
        list_type = str(doc.data["list_type"])
        keys = dict.fromkeys(member_key(r, list_type) for r in records)
        members, matched = self.counts(doc)
        prefix = f"{doc.id}:"
        present = (
            {k for k in keys if self.tx.get_doc(MEMBER, prefix + k) is not None}
            if members
            else set()
        )
        if operation == "ADD":
            new = [k for k in keys if k not in present]
            if new:
                first = self.tx.reserve_seqs(len(new))
                rows = (
                    (prefix + k, None, first + i, _MATCHED_TEXT if matches(k) else _UNMATCHED_TEXT)
                    for i, k in enumerate(new)
                )
                self.tx.insert_many(MEMBER, rows, refs={CUSTOMER_LIST: doc.id})
            members += len(new)
            matched += sum(1 for k in new if matches(k))
        else:
            for key in present:
                self.tx.delete(MEMBER, prefix + key)
            members -= len(present)
            matched -= sum(1 for k in present if matches(k))
        data = dict(doc.data)
        data["num_batches"] = int(data["num_batches"]) + 1
        counter = "num_uploaded_user_records" if operation == "ADD" else "num_removed_user_records"
        data[counter] = int(data[counter]) + len(records)  # duplicates count too, as Pinterest's
        data["updated_time"] = int(self.now)
        data["members"], data["matched_members"] = members, matched
        data["timeline"] = (
            Timeline.start("PROCESSING", self.now)
            .then("DONE", after=self.match_seconds())
            .to_json()
        )
        self.tx.put(CUSTOMER_LIST, doc.id, data, owner=doc.owner)
        return self._reload(doc.id)

    def counts(self, doc: Doc) -> tuple[int, int]:
        """``(members, matched members)`` of the list (kept with it; counted for a list
        written before the counts were kept)."""
        data = doc.data
        if "members" in data and "matched_members" in data:
            return int(data["members"]), int(data["matched_members"])
        found = self.tx.list(MEMBER, where={CUSTOMER_LIST: doc.id})
        return len(found), sum(1 for m in found if m.data["matched"])

    def matched(self, doc: Doc) -> int:
        return self.counts(doc)[1]

    def status(self, doc: Doc) -> str:
        if Timeline.from_json(doc.data["timeline"]).status(self.now) == "PROCESSING":
            return "PROCESSING"
        return "READY" if self.matched(doc) >= MIN_MATCHED else "TOO_SMALL"

    def find(self, account: Doc, list_id: Any) -> Doc:
        doc = self.tx.get_doc(CUSTOMER_LIST, str(list_id))
        if doc is None or doc.ref(AD_ACCOUNT) != account.id:
            raise ApiError(404, "Customer list not found.", code=CODE_NOT_FOUND)
        return doc

    def of_account(self, account: Doc, *, descending: bool = False) -> Listing:
        return Listing(CUSTOMER_LIST, where={AD_ACCOUNT: account.id}, descending=descending)

    def view(self, doc: Doc) -> dict[str, Any]:
        data = {k: v for k, v in doc.data.items() if k not in HIDDEN}
        data["status"] = self.status(doc)
        return data
