"""What sending returns: a result per event for ``send``, a summary for ``send_bulk``; and the
typed Event Quality Score and conversion token."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import (
    APIStatusError,
    PermissionDeniedError,
    UnprocessableEntityError,
)
from ..models import PinterestModel

__all__ = [
    "BulkSummary",
    "ConversionToken",
    "EventQualityScore",
    "EventResult",
    "QualityComponentDetails",
    "QualityComponentIssue",
    "RejectKind",
    "SendResult",
    "answers_of_422",
    "explain_conversion_token",
]

EventStatus = Literal["processed", "failed"]
RejectKind = Literal["invalid", "refused", "undeliverable"]
REJECT_KINDS: tuple[RejectKind, ...] = ("invalid", "refused", "undeliverable")


@dataclass(frozen=True)
class EventResult:
    """Pinterest's answer for one event: ``index`` is its position in the input."""

    index: int
    event_id: str
    status: EventStatus
    error_message: str = ""
    warning_message: str = ""

    @property
    def processed(self) -> bool:
        return self.status == "processed"


@dataclass(frozen=True)
class SendResult:
    """The answer to one ``send``: counts, and one ``EventResult`` per event in input order.

    A request where some events failed (HTTP 200) and one where none was processed (HTTP 422,
    code 953) give the same kind of result."""

    num_received: int
    num_processed: int
    events: list[EventResult]
    test: bool = False

    @property
    def failed(self) -> list[EventResult]:
        return [e for e in self.events if e.status != "processed"]

    def __str__(self) -> str:
        mode = "TEST MODE (nothing recorded): " if self.test else ""
        return f"{mode}{self.num_processed} of {self.num_received} events processed"


@dataclass
class BulkSummary:
    """What ``send_bulk`` did.

    ``received``: input events read; ``processed``: events Pinterest processed; ``rejected``:
    events that did not arrive, per kind (``invalid``: refused locally, ``refused``: failed at
    Pinterest, ``undeliverable``: not delivered, or possibly delivered but never retried);
    every one of them is in the rejects sink. ``retried``: requests the sender sent again (the
    same events, the same ids; the client's own quick retries of a 429 or of a connection that
    failed before sending are not counted). ``warnings``: how many events got each warning.
    ``hashing``: per ``user_data`` field, how many events brought it hashed and how many raw.
    ``test``: test mode, nothing recorded. A resumed run counts the earlier runs' events too.
    """

    received: int = 0
    processed: int = 0
    rejected: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REJECT_KINDS, 0))
    retried: int = 0
    warnings: dict[str, int] = field(default_factory=dict)
    hashing: dict[str, dict[str, int]] = field(default_factory=dict)
    elapsed_s: float = 0.0
    events_per_s: float = 0.0
    test: bool = False
    resumed_at: int | None = None
    rejects: list[dict[str, Any]] | None = None
    """The rejects themselves, when no sink was given (kept in memory)."""

    @property
    def total_rejected(self) -> int:
        return sum(self.rejected.values())

    @property
    def mixed_hashing(self) -> list[str]:
        """Fields that came hashed in some events and raw in others."""
        return [f for f, n in self.hashing.items() if n.get("hashed") and n.get("raw")]

    def as_dict(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "received": self.received,
            "processed": self.processed,
            "rejected": dict(self.rejected),
            "retried": self.retried,
            "warnings": dict(self.warnings),
            "hashing": {k: dict(v) for k, v in self.hashing.items()},
            "elapsed_s": self.elapsed_s,
            "events_per_s": self.events_per_s,
            "resumed_at": self.resumed_at,
        }

    def __str__(self) -> str:
        lines = []
        if self.test:
            lines.append("TEST MODE: events were checked by Pinterest and not recorded")
        lines.append(
            f"{self.received} events read, {self.processed} processed, "
            f"{self.total_rejected} rejected"
            + (
                " (" + ", ".join(f"{n} {k}" for k, n in self.rejected.items() if n) + ")"
                if self.total_rejected
                else ""
            )
            + f", {self.retried} requests retried in {self.elapsed_s:.1f}s"
        )
        lines += [f"warning ({n}x): {text}" for text, n in self.warnings.items()]
        return "\n".join(lines)


def answers_of_422(error: UnprocessableEntityError) -> dict[str, Any] | None:
    """The per-event answer inside Pinterest's 422 (code 953: no event processed), shaped as
    a 200 answer; None when the 422 carries none."""
    body = error.body
    if not isinstance(body, Mapping):
        return None
    details = body.get("details")
    if not isinstance(details, Mapping) or not isinstance(details.get("events"), list):
        return None
    return {
        "num_events_received": details.get("num_events_received", len(details["events"])),
        "num_events_processed": details.get("num_events_processed", 0),
        "events": details["events"],
    }


def event_results(
    answer: Mapping[str, Any], event_ids: Sequence[str], indexes: Sequence[int]
) -> list[EventResult]:
    """One ``EventResult`` per event sent, in order (missing statuses count as failed)."""
    statuses = answer.get("events") or []
    results = []
    for position, (index, event_id) in enumerate(zip(indexes, event_ids, strict=False)):
        item = statuses[position] if position < len(statuses) else None
        if not isinstance(item, Mapping):
            results.append(
                EventResult(index, event_id, "failed", "Pinterest returned no status for it")
            )
            continue
        status: EventStatus = "processed" if item.get("status") == "processed" else "failed"
        results.append(
            EventResult(
                index,
                event_id,
                status,
                item.get("error_message") or "",
                item.get("warning_message") or "",
            )
        )
    return results


CONVERSION_TOKEN_HINT = (
    "a conversion access token only sends conversion events (events/create); {op} needs an "
    "OAuth access token ({scope})"
)


def explain_conversion_token(error: APIStatusError, operation: str, scope: str) -> APIStatusError:
    """A clearer error when a conversion access token was used where it authorises nothing."""
    text = f"{error.message} {error.body}".lower()
    if not isinstance(error, PermissionDeniedError) or "conversion" not in text:
        return error
    return PermissionDeniedError(
        CONVERSION_TOKEN_HINT.format(op=operation, scope=scope),
        status_code=error.status_code,
        code=error.code,
        request_id=error.request_id,
        body=error.body,
        headers=error.headers,
        method=error.method,
        url=error.url,
    )


@dataclass(frozen=True)
class ConversionToken:
    """A conversion access token (``oauth/conversion_token``): a credential for sending
    conversion events only (``Client(access_token=token.access_token)``). Its repr hides it."""

    access_token: str = field(repr=False)
    token_type: str = "conversion"


class QualityComponentIssue(PinterestModel):
    id: str | None = None
    name: str | None = None
    reason: str | None = None


class QualityComponentDetails(PinterestModel):
    coverage: float | None = None
    overlap: float | None = None
    issues: list[QualityComponentIssue] | None = None


class EventQualityScore(PinterestModel):
    """The Event Quality Score of one source platform and ingestion source: an overall status
    (``GOOD``, ``FAIR``, ``NEEDS_IMPROVEMENT``) and, per component (``hashed_email``,
    ``ip_address``, ``click_id_epik``...), the coverage per event type."""

    overall_status: str | None = None
    ingestion_source: str | None = None
    source_platform: str | None = None
    lookback_period: str | None = None
    quality_components: dict[str, dict[str, QualityComponentDetails]] | None = None

    def coverage(self, component: str, event_type: str) -> float | None:
        """Percent of ``event_type`` events (``CHECKOUT``) that carried ``component``."""
        details = (self.quality_components or {}).get(component, {}).get(event_type.upper())
        return None if details is None else details.coverage
