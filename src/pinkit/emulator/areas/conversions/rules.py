"""Conversion events as Pinterest takes them (``events/create``) and the Event Quality Score
computed from them (``conversion_eqs/list``).

Each event gets a status in its position: ``processed`` (possibly with a warning) or ``failed``
with the reason. The dispatcher has already checked the body against the spec (required fields,
types, no unknown fields); these rules check what the spec states in prose: event time in
seconds and within the last 7 days, known action sources, SHA-256 digests where a field must be
hashed, the identity requirement, value and currency well formed. An unknown event name is
processed as an "Unknown" event, with a warning, as Pinterest does.

Accepted events are kept, except duplicates: the first event of an ``(event_id, event_name)``
pair within 48 hours of emulator time is the one kept (offline events are never deduplicated).
A test batch (``test=true``) records nothing and has only its first 20 events processed.

A request's kept events are one document, owned by the ad account, and each online event's
deduplication key a mark with the time it was kept: a million events are a thousand documents
and a million small rows, not a million documents with their indexes.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pinkit._capi import (
    ACTION_SOURCES,
    DEDUP_WINDOW_S,
    EVENT_NAMES,
    HASHED_FIELDS,
    MAX_EVENT_AGE_S,
    QUALITY_COMPONENTS,
    SHA256_HEX,
    TEST_BATCH_PROCESSED,
    has_identity,
)

from ..._registry import Rules
from ..._store import ID_BASE, Doc

__all__ = ["BATCH", "DEDUP", "ConversionRules"]

BATCH, DEDUP = "conversion_batch", "conversion"
FUTURE_SLACK_S = 300  # clocks differ: a few minutes ahead is still "now"
CURRENCY = re.compile(r"[A-Z]{3}")
_HASHED = frozenset(HASHED_FIELDS)
MISSING_RECOMMENDED = (
    ("external_id", "external_id is missing. We highly recommend this on all events"),
    ("click_id", "click_id is missing"),
)
SOURCE_PLATFORMS = {
    "web": "WEB",
    "app_android": "MOBILE_ANDROID",
    "app_ios": "MOBILE_IOS",
    "offline": "OFFLINE",
}
LOOKBACK_S = {"1d": 86400, "14d": 14 * 86400}
#: Identifiers whose mean coverage gives the overall status.
MATCH_KEYS = (
    "hashed_email",
    "hashed_maid",
    "ip_address",
    "click_id_epik",
    "advertiser_external_id",
)


try:  # optional (pinkit[fast]): the events are most of what a conversions request stores
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None  # type: ignore[assignment]


def _dumps(data: dict[str, Any]) -> str:
    """A document's JSON text, as the store writes it (sorted keys, compact)."""
    if orjson is not None:
        try:
            return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode("utf-8")
        except TypeError:  # an integer beyond 64 bits
            pass
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


def _problem(event: Mapping[str, Any], now: float) -> str | None:
    """Why Pinterest would fail ``event``, or None."""
    event_time = event.get("event_time")
    if isinstance(event_time, int):
        if event_time > now + FUTURE_SLACK_S:
            hint = " (milliseconds? event_time is in seconds)" if event_time > now * 100 else ""
            return f"Invalid event_timestamp parameter. Given timestamp is in the future{hint}."
        if event_time < now - MAX_EVENT_AGE_S:
            return "Invalid event_timestamp parameter. Given timestamp is in the past."
    if event.get("action_source") not in ACTION_SOURCES:
        return f"Invalid action_source: {event.get('action_source')}."
    event_id = event.get("event_id")
    if not (event_id.strip() if type(event_id) is str else str(event_id or "").strip()):
        return "event_id is required."
    user_data = event.get("user_data") or {}
    digest = SHA256_HEX.fullmatch
    for name, values in user_data.items():
        if name in _HASHED and values is not None:
            if type(values) is list:
                for value in values:
                    if type(value) is not str or not digest(value):
                        break
                else:
                    continue
            for field in HASHED_FIELDS:  # the first bad one, in the fields' order
                values = user_data.get(field)
                if values is not None and not (
                    isinstance(values, list)
                    and all(isinstance(v, str) and digest(v) for v in values)
                ):
                    return (
                        f"Invalid user_data.{field}: values must be SHA-256 hex digests "
                        "(lowercase)."
                    )
    if not has_identity(user_data):
        return (
            "user_data needs at least one of em, hashed_maids, or client_ip_address with "
            "client_user_agent."
        )
    custom = event.get("custom_data") or {}
    if "value" in custom:
        try:
            value = float(custom["value"])
        except (TypeError, ValueError):
            return f"Invalid custom_data.value: {custom['value']!r} is not a number."
        if not math.isfinite(value):
            return f"Invalid custom_data.value: {custom['value']!r} is not a number."
    if "currency" in custom and not CURRENCY.fullmatch(str(custom["currency"])):
        return f"Invalid custom_data.currency: {custom['currency']!r} is not an ISO-4217 code."
    return None


def _warning(event: Mapping[str, Any]) -> str:
    notes = []
    if event.get("event_name") not in EVENT_NAMES:
        notes.append(
            f"The event name {event.get('event_name')!r} is a non-standard name and is labeled "
            "as an 'Unknown' event."
        )
    user_data = event.get("user_data") or {}
    notes += [text for name, text in MISSING_RECOMMENDED if not user_data.get(name)]
    return "; ".join(notes)


class ConversionRules(Rules):
    def receive(
        self, account: Doc, events: Sequence[dict[str, Any]], *, test: bool
    ) -> tuple[list[dict[str, Any]], int]:
        """The answer for each event in order, and how many were processed."""
        answers: list[dict[str, Any]] = []
        accepted: list[dict[str, Any]] = []
        now = self.now
        # one answer object per distinct warning: a 1,000-event batch has a handful
        processed: dict[str, dict[str, Any]] = {}
        for position, event in enumerate(events):
            if test and position >= TEST_BATCH_PROCESSED:
                answers.append(
                    {
                        "status": "failed",
                        "error_message": "Test requests process only their first "
                        f"{TEST_BATCH_PROCESSED} events.",
                        "warning_message": "",
                    }
                )
                continue
            problem = _problem(event, now)
            if problem is not None:
                answers.append(
                    {"status": "failed", "error_message": problem, "warning_message": ""}
                )
                continue
            accepted.append(event)
            warning = _warning(event)
            answer = processed.get(warning)
            if answer is None:
                answer = processed[warning] = {
                    "status": "processed",
                    "error_message": "",
                    "warning_message": warning,
                }
            answers.append(answer)
        if not test:
            self._keep(account, accepted)
        return answers, len(accepted)

    def _keep(self, account: Doc, events: list[dict[str, Any]]) -> None:
        """Store the accepted events of one request, in order, except duplicates: an online
        event whose ``(event_name, event_id)`` was kept within 48 hours (earlier, or earlier in
        the same request) is left out; offline events are always kept."""
        tx, now = self.tx, self.now
        keys: list[str | None] = [
            None
            if event.get("action_source") == "offline"
            else f"{account.id}:{event['event_name']}:{event['event_id']}"
            for event in events
        ]
        seen = tx.get_marks(DEDUP, [key for key in keys if key is not None])
        kept: list[dict[str, Any]] = []
        marked: dict[str, float] = {}
        for key, event in zip(keys, events, strict=True):
            if key is not None:
                last = seen.get(key)
                if key in marked or (last is not None and now - last < DEDUP_WINDOW_S):
                    continue  # a duplicate: in this request, or kept within 48 hours
                marked[key] = now
            kept.append(event)
        if kept:
            tx.set_marks(DEDUP, marked.items())
            seq = tx.reserve_seqs(1)
            batch = _dumps({"received_at": now, "events": kept})
            tx.insert_many(BATCH, [(str(ID_BASE + seq), account.id, seq, batch)])

    def received(self, account_id: str) -> Iterator[tuple[float, dict[str, Any]]]:
        """``(received_at, event)`` for each event kept for an account, oldest first."""
        for doc in self.tx.list(BATCH, owner=account_id):
            received_at = float(doc.data["received_at"])
            for event in doc.data["events"]:
                yield received_at, event

    def events_of(self, account_id: str) -> list[dict[str, Any]]:
        """The accepted, deduplicated events of an account, oldest first."""
        return [event for _, event in self.received(account_id)]

    def quality(
        self,
        account: Doc,
        lookback_period: str,
        *,
        source_platform: str | None = None,
        ingestion_source: str | None = None,
    ) -> list[dict[str, Any]]:
        """``EventQualityScore`` per source platform, from the events received in the lookback
        period (everything arrives through the Conversions API here)."""
        if ingestion_source not in (None, "CONVERSIONS_API"):
            return []
        since = self.now - LOOKBACK_S[lookback_period]
        by_platform: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for received_at, event in self.received(account.id):
            if received_at >= since:
                by_platform[SOURCE_PLATFORMS.get(str(event.get("action_source")), "WEB")].append(
                    event
                )
        scores = []
        for platform, events in sorted(by_platform.items()):
            if source_platform not in (None, platform):
                continue
            components = _components(events)
            match = [
                sum(d["coverage"] for d in components[k].values()) / max(1, len(components[k]))
                for k in MATCH_KEYS
            ]
            overall = sum(match) / len(match)
            status = "GOOD" if overall >= 60 else "FAIR" if overall >= 30 else "NEEDS_IMPROVEMENT"
            scores.append(
                {
                    "overall_status": status,
                    "quality_components": components,
                    "ingestion_source": "CONVERSIONS_API",
                    "source_platform": platform,
                    "lookback_period": lookback_period,
                }
            )
        return scores


def _components(events: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Coverage (percent of events carrying it) of each component, per event type."""
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        by_type[str(event.get("event_name")).upper()].append(event)
    components: dict[str, dict[str, dict[str, Any]]] = {}
    for component, (section, name) in QUALITY_COMPONENTS.items():
        per_type = {}
        for event_type, typed in sorted(by_type.items()):
            have = sum(1 for e in typed if (e.get(section) or {} if section else e).get(name))
            detail: dict[str, Any] = {"coverage": round(100.0 * have / len(typed), 1)}
            if detail["coverage"] < 50:
                detail["issues"] = [
                    {
                        "id": f"low_coverage_{component}",
                        "name": "Low coverage",
                        "reason": f"{name} is missing from most {event_type} events",
                    }
                ]
            per_type[event_type] = detail
        components[component] = per_type
    return components
