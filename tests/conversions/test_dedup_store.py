"""The emulator keeps conversion events as Pinterest does: the first of an ``(event_name,
event_id)`` pair within 48 hours, every offline event, one bulk insert per request."""

from __future__ import annotations

from typing import Any

from pinkit.conversions import make_event_id
from pinkit.emulator import Emulator
from tests.conversions.conftest import event

HOURS = 3600


def send(emu: Emulator, events: list[dict[str, Any]]) -> None:
    with emu.client() as client:
        result = client.conversions.send(emu.default_ad_account_id, events)
    assert result.num_processed == len(events)


def kept(emu: Emulator) -> list[tuple[str, str]]:
    return [
        (e["event_id"], e["action_source"])
        for e in emu.conversion_events(emu.default_ad_account_id)
    ]


def test_duplicates_in_one_request_and_across_requests(inproc_emulator: Emulator) -> None:
    emu = inproc_emulator
    a, b = event(emu, 1), event(emu, 2)
    send(emu, [a, b, dict(a), event(emu, 3, source="offline"), event(emu, 3, source="offline")])
    offline = (make_event_id("order", 3), "offline")
    assert kept(emu) == [(a["event_id"], "web"), (b["event_id"], "web"), offline, offline]
    send(emu, [dict(a, event_time=int(emu.clock.now()) - 30)])  # within 48 hours: left out
    assert len(kept(emu)) == 4
    other_name = dict(a, event_name="add_to_cart")  # another name: another event
    send(emu, [other_name])
    assert len(kept(emu)) == 5


def test_kept_again_after_the_window(inproc_emulator: Emulator) -> None:
    emu = inproc_emulator
    a = event(emu, 1)
    send(emu, [a])
    emu.clock.advance(49 * HOURS)
    send(emu, [event(emu, 1)])  # the same id after 48 hours: counts again
    emu.clock.advance(10 * HOURS)
    send(emu, [event(emu, 1)])  # within 48 hours of the second: left out
    emu.clock.advance(40 * HOURS)
    send(emu, [event(emu, 1)])  # 50 hours after the second: counts again
    assert [i for i, _ in kept(emu)] == [a["event_id"]] * 3
