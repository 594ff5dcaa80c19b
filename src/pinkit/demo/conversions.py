"""Chapter 5: 10,000 conversion events written to a JSONL file, one in a hundred bad on
purpose, streamed through the bulk sender: what does not arrive lands in a rejects file with
its reason. Then the summary, and what the doctor finds in the same file."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from ..conversions._doctor import EventDoctor
from ._tour import Moved, Tour

if TYPE_CHECKING:
    from pathlib import Path

    from .._client import Client

__all__ = ["EVENTS", "is_bad", "send_events"]

EVENTS = 10_000
#: What is wrong on purpose with one event in a hundred: half of each.
IN_MS, NO_AT = "event_time in milliseconds", "e-mail address without @"
AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Mobile Safari/604.1"


def is_bad(i: int) -> str | None:
    """What is wrong with event ``i`` on purpose, if anything: one in a hundred."""
    if i % 100 != 42:
        return None
    return IN_MS if i % 200 == 42 else NO_AT


def event(i: int, now: int) -> dict[str, Any]:
    """Event ``i``: a web checkout two minutes before ``now``, with raw PII to hash."""
    bad = is_bad(i)
    user_data: dict[str, Any] = {
        "em": f"shopper{i}.example.com" if bad == NO_AT else f"Shopper{i}@Example.com",
        "client_ip_address": "203.0.113.50",
        "client_user_agent": AGENT,
        "external_id": f"customer-{i % 3000}",
    }
    if i % 4:  # a click on a pin leaves its click id; other visitors come without one
        user_data["click_id"] = f"dj0yJnU9demo{i:05d}"
    return {
        "event_name": "checkout",
        "action_source": "web",
        "event_time": (now - 120) * (1000 if bad == IN_MS else 1),
        "event_id": f"demo-order-{i}",
        "user_data": user_data,
        "custom_data": {"currency": "USD", "value": "24.00", "order_id": f"demo-order-{i}"},
    }


def send_events(tour: Tour, client: Client) -> None:
    """conversions.jsonl sent, its rejects file, and the doctor's findings in it."""
    tour.chapter("conversions", f"{EVENTS:,} conversion events, some bad on purpose")
    now = int(tour.emulator.clock.now())
    path, rejects = tour.out / "conversions.jsonl", tour.out / "conversions.rejects.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(EVENTS):
            out.write(json.dumps(event(i, now)) + "\n")
    tour.wrote(path, "the conversion events sent")
    rejects.unlink(missing_ok=True)  # a fresh run: the sender appends to a rejects file
    tour.say(f"wrote {escape(str(path))}: {EVENTS:,} web checkouts, e-mails not hashed")

    with tour.progress("sending conversions.jsonl", EVENTS) as moved, _quiet():
        summary = client.conversions.send_bulk(None, _read(path, moved), rejects=rejects)
    tour.wrote(rejects, "the events that did not arrive, with the reasons")
    kinds = ", ".join(f"{n} {kind}" for kind, n in summary.rejected.items() if n)
    tour.say(
        f"{summary.processed:,} processed, {summary.total_rejected} rejected ({kinds}), "
        f"{summary.retried} requests retried, in {summary.elapsed_s:.1f} s"
    )
    for text, count in summary.warnings.items():
        tour.say(f"Pinterest's warning on {count:,} events: {escape(text)}")
    examples: dict[str, dict[str, Any]] = {}
    found = rejects.read_text(encoding="utf-8").splitlines()
    for reject in sorted(map(json.loads, found), key=lambda r: r["index"]):  # finish order varies
        examples.setdefault(str(is_bad(reject["index"])), reject)
    tour.say(f"rejects in {escape(str(rejects))}, each with its reason:")
    for reject in examples.values():
        tour.say(f"  event {reject['index']}: [yellow]{escape(reject['reason'])}[/]")

    tour.say("what the doctor finds in the same file (it sends nothing):")
    doctor = EventDoctor(now)
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            doctor.add(number, json.loads(line))
    table = Table("finding", "events", "first lines")
    for finding in doctor.findings():
        lines_shown = ", ".join(map(str, finding.lines[:3]))
        table.add_row(escape(finding.message), f"{finding.events:,}", lines_shown)
    tour.show(table)


def _read(path: Path, moved: Moved) -> Iterator[dict[str, Any]]:
    """The events of ``path``, one at a time, moving the progress bar on."""
    with path.open(encoding="utf-8") as lines:
        for count, line in enumerate(lines, 1):
            yield json.loads(line)
            if count % 500 == 0 or count == EVENTS:
                moved(count)


@contextmanager
def _quiet() -> Iterator[None]:
    """The sender's log warning about the rejects: the summary says the same."""
    log = logging.getLogger("pinkit")
    nothing = logging.Filter("pinkit.none")
    log.addFilter(nothing)
    try:
        yield
    finally:
        log.removeFilter(nothing)
