"""Customer lists and audiences.

A customer list's times and counts are typed ``number`` in the spec (Unix seconds for the
times); an audience's times are integer Unix seconds. ``Audience.status`` and
``audience_type`` are plain strings in the spec (its prose names ``READY``,
``INITIALIZING`` and ``TOO_SMALL``; ``CUSTOMER_LIST``, ``ACTALIKE``...).
"""

from __future__ import annotations

from typing import Any

from ._base import PinterestModel

__all__ = ["Audience", "CustomerList"]

#: The statuses a customer list ends matching in: ready, or too small to target (fewer than
#: 100 matched Pinterest users).
LIST_DONE = frozenset({"READY", "TOO_SMALL"})


class CustomerList(PinterestModel):
    """A list of hashed identifiers (or partner ids); Pinterest never returns its members.

    ``status`` is ``PROCESSING`` (or ``UPLOADING``) while Pinterest matches it, then ``READY``,
    or ``TOO_SMALL`` when fewer than 100 records match Pinterest users.
    ``num_uploaded_user_records`` counts every record sent, duplicates included.
    """

    id: str | None = None
    ad_account_id: str | None = None
    name: str | None = None
    type: str | None = None
    status: str | None = None
    created_time: int | float | None = None
    updated_time: int | float | None = None
    num_batches: int | float | None = None
    num_removed_user_records: int | float | None = None
    num_uploaded_user_records: int | float | None = None
    exceptions: dict[str, Any] | None = None

    @property
    def done(self) -> bool:
        """Matching is over: ``READY`` or ``TOO_SMALL``."""
        return self.status in LIST_DONE


class Audience(PinterestModel):
    """A targeting audience: ``rule`` says who is in it (``customer_list_id`` for a
    CUSTOMER_LIST audience; ``seed_id``, ``country`` and ``percentage`` for an ACTALIKE).
    ``size`` is absent until Pinterest has built it."""

    id: str | None = None
    ad_account_id: str | None = None
    name: str | None = None
    audience_type: str | None = None
    description: str | None = None
    rule: dict[str, Any] | None = None
    size: int | None = None
    status: str | None = None
    type: str | None = None
    created_timestamp: int | None = None
    updated_timestamp: int | None = None
    created_by_company_name: str | None = None
