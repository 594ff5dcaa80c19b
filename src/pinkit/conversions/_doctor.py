"""Local checks of a stream of conversion events: what Pinterest would refuse, what it would
not count, and what lowers the match rate, before anything is sent (``pinkit conversions
doctor``).

``EventDoctor`` reads events one at a time (constant memory, except one 8-byte digest per
event for the duplicate check) and gives ``Finding``s: a check, how many events it concerns,
and the line numbers of a few of them. No finding ever holds a value read from the events
(the messages name fields and reasons only), so its output can be shared. ``coverage`` gives,
per Event Quality Score component and event type, the share of events that carry it, to put
beside Pinterest's own figures (``client.conversions.quality``).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .._capi import HASHED_FIELDS, MAX_EVENT_AGE_S, QUALITY_COMPONENTS
from ..errors import InvalidInputError
from ._event import FUTURE_SLACK_S, EventPreparer, UnreadableEvent
from ._normalize import looks_hashed, normalize

__all__ = ["EXAMPLES", "EventDoctor", "Finding", "user_agent_problem"]

#: Line numbers shown per finding.
EXAMPLES = 5
_MILLISECONDS = 10**11
_HEX = re.compile(r"[0-9a-fA-F]+")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_BOT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|curl/|wget/|python-requests|python-urllib|httpclient|"
    r"okhttp|go-http-client|java/|headless|phantomjs|facebookexternalhit|preview|monitor",
    re.IGNORECASE,
)
_NOT_A_UA = frozenset({"", "other", "null", "none", "unknown", "-", "undefined", "n/a"})
_OS = re.compile(
    r"windows|mac os x|macintosh|iphone os|cpu os|ios\b|android|linux|cros|x11|ubuntu|fedora",
    re.IGNORECASE,
)
_BROWSER = re.compile(
    r"chrome/|chromium/|firefox/|fxios/|crios/|safari/|edg/|edge/|opr/|opera|msie|trident/|"
    r"samsungbrowser/|ucbrowser/|yabrowser/|pinterest/|\[pinterest|fban|fbav|instagram",
    re.IGNORECASE,
)
_DEVICE = re.compile(
    r"iphone|ipad|ipod|mobile|tablet|pixel|sm-[a-z0-9]|galaxy|nexus|kindle|silk/|"
    r"huawei|xiaomi|redmi|oneplus|moto",
    re.IGNORECASE,
)


def user_agent_problem(user_agent: Any) -> str | None:
    """Why Pinterest would not count ``client_user_agent`` (api-facts §1.3: a bot, "Other" or
    empty, or fewer than two of OS, browser and device family), or None."""
    if not isinstance(user_agent, str):
        return "is not a string"
    return _agent_problem(user_agent)


@functools.lru_cache(maxsize=4096)
def _agent_problem(user_agent: str) -> str | None:
    """``user_agent_problem`` of a string, remembered: the events of a stream share a few
    thousand user agents at most, and the patterns cost more than the rest of the checks."""
    text = user_agent.strip()
    if text.lower() in _NOT_A_UA:
        return 'is empty or a placeholder ("Other", "unknown")'
    if _BOT.search(text):
        return "is a bot, crawler or HTTP library"
    families = sum(1 for pattern in (_OS, _BROWSER, _DEVICE) if pattern.search(text))
    if families < 2:
        return "names fewer than two of OS, browser and device family"
    return None


@dataclass
class Finding:
    """One problem: ``events`` of the stream have it; ``lines`` are the first few of them."""

    check: str
    message: str
    events: int = 0
    lines: list[int] = field(default_factory=list)

    def add(self, line: int) -> None:
        self.events += 1
        if len(self.lines) < EXAMPLES:
            self.lines.append(line)

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "events": self.events,
            "lines": list(self.lines),
            "message": self.message,
        }


def _values(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if v is not None and v != ""]
    return [value]


class EventDoctor:
    """Checks events one by one (``add(line, event)``); ``findings()`` and ``coverage()`` say
    what it found. ``now`` is the clock events are dated against (Unix seconds)."""

    def __init__(self, now: float, *, max_event_age_s: float = MAX_EVENT_AGE_S) -> None:
        self.now = now
        self.max_event_age_s = max_event_age_s
        self.events = 0
        self._preparer = EventPreparer(max_event_age_s=max_event_age_s)
        self._findings: dict[tuple[str, str], Finding] = {}
        self._order: list[tuple[str, str]] = []
        self._ids: set[bytes] = set()
        self._hashing: dict[str, Counter[str]] = defaultdict(Counter)
        self._hashing_lines: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._types: Counter[str] = Counter()
        self._carried: dict[str, Counter[str]] = defaultdict(Counter)

    def _find(self, check: str, message: str, line: int) -> None:
        key = (check, message)
        finding = self._findings.get(key)
        if finding is None:
            finding = self._findings[key] = Finding(check, message)
            self._order.append(key)
        finding.add(line)

    def add(self, line: int, event: Any) -> None:
        """Check one event (a mapping with the API's field names, or an ``UnreadableEvent``)."""
        self.events += 1
        if isinstance(event, UnreadableEvent):
            self._find("unreadable", f"cannot be read: {event.reason}", line)
            return
        if not isinstance(event, Mapping):
            self._find("unreadable", "is not an object with the API's field names", line)
            return
        specific = self._check_time(line, event.get("event_time"))
        user_data = event.get("user_data")
        user_data = user_data if isinstance(user_data, Mapping) else {}
        specific = self._check_user_data(line, user_data) or specific
        specific = self._check_custom_data(line, event.get("custom_data")) or specific
        self._check_duplicate(line, event)
        self._count_coverage(event, user_data)
        if not specific:
            try:
                self._preparer.prepare(event, self.now)
            except InvalidInputError as exc:
                self._find("invalid", f"would be rejected before sending: {exc}", line)

    # -- the checks ----------------------------------------------------------------------------
    def _check_time(self, line: int, value: Any) -> bool:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                return False  # the preparer says what is wrong
            value = int(value.timestamp())
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if value > _MILLISECONDS:
            self._find(
                "event_time_ms",
                "event_time is in milliseconds: Pinterest takes Unix seconds (it would put "
                "these events in the future and refuse them)",
                line,
            )
            return True
        if value > self.now + FUTURE_SLACK_S:
            self._find("event_time_future", "event_time is in the future", line)
            return True
        if value < self.now - self.max_event_age_s:
            days = self.max_event_age_s / 86400
            self._find(
                "event_time_old",
                f"event_time is more than {days:g} days ago: Pinterest refuses older events",
                line,
            )
            return True
        return False

    def _check_user_data(self, line: int, user_data: Mapping[str, Any]) -> bool:
        fatal = False
        for name in HASHED_FIELDS:
            given = user_data.get(name)
            if given is None:
                continue
            values = _values(given)
            for value in values:
                if looks_hashed(value):
                    self._hashing[name]["hashed"] += 1
                    self._note_hashing(name, "hashed", line)
                    break
            else:
                if values:
                    self._hashing[name]["raw"] += 1
                    self._note_hashing(name, "raw", line)
            for value in values:
                if looks_hashed(value):
                    continue
                if isinstance(value, str) and len(value) in (32, 40) and _HEX.fullmatch(value):
                    algorithm = "MD5" if len(value) == 32 else "SHA-1"
                    self._find(
                        "wrong_hash",
                        f"user_data.{name} looks hashed with {algorithm}, not SHA-256: it "
                        "would be hashed again and match nobody",
                        line,
                    )
                    break
                try:
                    normalize(name, value)
                except InvalidInputError as exc:
                    self._find(
                        "not_normalisable",
                        f"{exc} (the value cannot be normalised: the event is refused)",
                        line,
                    )
                    fatal = True
                    break
        for name, text in (
            ("external_id", "no external_id: Pinterest recommends it on every event"),
            ("click_id", "no click_id (the _epik cookie): it helps match web events"),
        ):
            if not _values(user_data.get(name)):
                self._find(f"missing_{name}", text, line)
        agent = user_data.get("client_user_agent")
        if agent is not None:
            problem = user_agent_problem(agent)
            if problem is not None:
                self._find(
                    "user_agent", f"client_user_agent {problem}: Pinterest does not count it", line
                )
        address = user_data.get("client_ip_address")
        if isinstance(address, str) and address.strip() in ("0.0.0.0", "::"):  # noqa: S104
            self._find(
                "ip_unspecified",
                "client_ip_address is 0.0.0.0 (unspecified): the event is refused",
                line,
            )
            fatal = True
        return fatal

    def _note_hashing(self, name: str, kind: str, line: int) -> None:
        lines = self._hashing_lines[name, kind]
        if len(lines) < EXAMPLES:
            lines.append(line)

    def _check_custom_data(self, line: int, custom: Any) -> bool:
        if not isinstance(custom, Mapping):
            return False
        fatal = False
        value = custom.get("value")
        if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()) is None:
            self._find(
                "value_format",
                'custom_data.value is not a plain decimal number such as "72.39" (currency '
                "signs, thousands separators, decimal commas): the event is refused",
                line,
            )
            fatal = True
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and value <= 0:
            self._find(
                "value_zero", "custom_data.value is zero or negative: Pinterest ignores it", line
            )
        currency = custom.get("currency")
        if currency is not None and (
            not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency.strip())
        ):
            self._find("currency", "custom_data.currency is not a three-letter ISO-4217 code", line)
            fatal = True
        return fatal

    def _check_duplicate(self, line: int, event: Mapping[str, Any]) -> None:
        event_id = event.get("event_id")
        if not isinstance(event_id, str) or not event_id:
            return
        key = f"{event.get('event_name')}\x1f{event_id}".encode()
        digest = hashlib.blake2b(key, digest_size=8).digest()
        if digest not in self._ids:
            self._ids.add(digest)
        elif event.get("action_source") == "offline":
            self._find(
                "duplicate_event_id",
                "the same event_id and event_name as an earlier event, offline: Pinterest "
                "never deduplicates offline events, so it counts both",
                line,
            )
        else:
            self._find(
                "duplicate_event_id",
                "the same event_id and event_name as an earlier event: Pinterest keeps only "
                "the first",
                line,
            )

    def _count_coverage(self, event: Mapping[str, Any], user_data: Mapping[str, Any]) -> None:
        kind = str(event.get("event_name") or "").upper() or "UNKNOWN"
        self._types[kind] += 1
        carried = self._carried[kind]
        custom = event.get("custom_data")
        sections: dict[str, Mapping[str, Any]] = {
            "": event,
            "user_data": user_data,
            "custom_data": custom if isinstance(custom, Mapping) else {},
        }
        for component, (section, name) in QUALITY_COMPONENTS.items():
            if _values(sections[section].get(name)):
                carried[component] += 1

    # -- results -------------------------------------------------------------------------------
    def findings(self) -> list[Finding]:
        """What was found, in the order first seen, then the fields with mixed hashing."""
        found = [self._findings[key] for key in self._order]
        for name, counts in self._hashing.items():
            hashed, raw = counts["hashed"], counts["raw"]
            if hashed and raw:
                minority = "hashed" if hashed <= raw else "raw"
                finding = Finding(
                    "mixed_hashing",
                    f"user_data.{name} came hashed in {hashed} events and raw in {raw}: usually "
                    "a pipeline bug (hashed twice, or hashed without normalising); the lines "
                    f"are some of the {minority} ones",
                    min(hashed, raw),
                    list(self._hashing_lines[name, minority]),
                )
                found.append(finding)
        return found

    def coverage(self) -> dict[str, dict[str, float]]:
        """Percent of events of each type (``CHECKOUT``) carrying each Event Quality Score
        component: ``{component: {event_type: percent}}``."""
        return {
            component: {
                kind: round(100.0 * self._carried[kind][component] / total, 1)
                for kind, total in sorted(self._types.items())
            }
            for component in QUALITY_COMPONENTS
        }
