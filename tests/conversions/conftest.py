"""Fixtures of the conversions tests: an emulator over HTTP and in-process, and events."""

from __future__ import annotations

from typing import Any

import pytest

from pinkit.conversions import make_event_id
from pinkit.emulator import Emulator


@pytest.fixture(params=["http", "inproc"])
def emu(request: pytest.FixtureRequest) -> Emulator:
    """Each test that uses it runs twice: over real HTTP and in-process."""
    name = "pinkit_emulator" if request.param == "http" else "inproc_emulator"
    emulator: Emulator = request.getfixturevalue(name)
    return emulator


@pytest.fixture
def account(emu: Emulator) -> str:
    return emu.default_ad_account_id


def event(emu: Emulator, i: int, *, source: str = "web", **extra: Any) -> dict[str, Any]:
    """A valid event with raw user data, its id derived from ``i``."""
    base: dict[str, Any] = {
        "event_name": "checkout",
        "action_source": source,
        "event_time": int(emu.clock.now()) - 60,
        "event_id": make_event_id("order", i),
        "user_data": {
            "em": f"Buyer.{i}@Example.com",
            "client_ip_address": "203.0.113.7",
            "client_user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0",
        },
        "custom_data": {"currency": "USD", "value": "19.99", "order_id": f"order-{i}"},
    }
    base.update(extra)
    return base


def events(emu: Emulator, n: int, *, start: int = 0, source: str = "web") -> list[dict[str, Any]]:
    return [event(emu, i, source=source) for i in range(start, start + n)]


def arrived_ids(emu: Emulator, account: str) -> list[str]:
    return [e["event_id"] for e in emu.conversion_events(account)]


def event_requests(emu: Emulator) -> list[Any]:
    return [r for r in emu.requests if r.operation_id == "events/create"]
