"""Bad control input is refused whole: a 400 ``{code, message}`` over HTTP, ``EmulatorError`` in
Python, and nothing applied; no control can leave the emulator unable to answer."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path
from typing import Any

import httpx2
import pytest

from pinkit.emulator import Emulator, EmulatorError

from .conftest import bearer

BAD_HTTP: list[tuple[str, Any]] = [
    ("/faults", {"status": 500, "operation": "no/such_op"}),
    ("/faults", {"status": "500"}),
    ("/faults", {"status": True}),
    ("/faults", {"status": 1000}),
    ("/faults", {"status": 503, "count": 0}),
    ("/faults", {"status": 503, "headers": {"X-Bad": "a\r\nInjected: yes"}}),
    ("/faults", {"status": 503, "headers": {"bad name": "v"}}),
    ("/faults", {"status": 503, "headers": "Retry-After: 1"}),
    ("/faults", {"status": 503, "headers": {"Retry-After": 1}}),
    ("/faults", {"status": 503, "after_processing": "yes"}),
    ("/faults", {"status": 503, "surprise": 1}),
    ("/faults", []),
    ("/rate_limits", {"category": "org_reed", "limit": 1}),
    ("/rate_limits", {"category": "org_read", "limit": -1}),
    ("/rate_limits", {"category": "org_read", "limit": 1.5}),
    ("/rate_limits", {"category": "org_read", "limit": 1, "window_s": 0}),
    ("/tokens", {"scopes": ["pins:fly"]}),
    ("/tokens", {"scopes": "pins:read"}),
    ("/tokens", {"expires_in": 0}),
    ("/tokens", {"user_id": "999"}),
    ("/clock/advance", {"seconds": -1}),
    ("/clock/advance", {"seconds": "10"}),
    ("/clock/advance", {}),
    ("/media/config", {"outcome": "later"}),
    ("/media/config", {"processing_seconds": -1}),
    ("/pins/seed", {"count": -1}),
    ("/users", {"username": ""}),
    ("/apps", {"redirect_uri": "not a url"}),
    ("/authorize", {"url": "http://emulator.local/oauth/?client_id=1"}),
]
RAW_BODIES = [
    b'{"seconds": NaN}',
    b'{"seconds": Infinity}',
    b'{"seconds": -Infinity}',
    b'{"seconds": 1e999}',
    b"not json",
    b"[" * 100_000,
]


def _snapshot(emu: Emulator) -> tuple[Any, ...]:
    return (emu.pending_faults(), emu.rate_limits(), emu.clock.offset, emu.media_config())


@pytest.fixture
def control(emu: Emulator) -> httpx2.Client:
    with httpx2.Client(base_url=f"{emu.origin}/_emulator") as client:
        yield client


@pytest.mark.parametrize(("path", "body"), BAD_HTTP)
def test_bad_control_input_over_http(
    emu: Emulator, control: httpx2.Client, path: str, body: Any
) -> None:
    before = _snapshot(emu)
    answer = control.post(path, json=body)
    assert answer.status_code == 400, answer.text
    error = answer.json()
    assert set(error) == {"code", "message"}
    assert error["code"] == 400
    assert _snapshot(emu) == before
    with emu.http_client(headers=bearer(emu.issue_token().access_token)) as api:
        assert api.get("/user_account").status_code == 200


@pytest.mark.parametrize("raw", RAW_BODIES, ids=lambda b: b[:16].decode())
def test_non_finite_and_malformed_bodies(emu: Emulator, control: httpx2.Client, raw: bytes) -> None:
    answer = control.post(
        "/clock/advance", content=raw, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 400
    assert set(answer.json()) == {"code", "message"}
    assert emu.clock.offset == 0
    assert math.isfinite(emu.clock.now())


def test_bad_control_input_in_python(emu: Emulator) -> None:
    before = _snapshot(emu)
    calls = [
        lambda: emu.inject_fault(500, operation="no/such_op"),
        lambda: emu.inject_fault(503, headers={"X-Bad": "a\nb"}),
        lambda: emu.inject_fault(True),
        lambda: emu.inject_fault(503, body=object()),
        lambda: emu.set_rate_limit("org_reed", 1),
        lambda: emu.set_rate_limit("org_read", 1, math.inf),
        lambda: emu.issue_token(scopes=["pins:fly"]),
        lambda: emu.clock.advance(math.nan),
        lambda: emu.clock.advance(math.inf),
        lambda: emu.clock.advance(-1),
        lambda: emu.advance_clock(math.nan),
        lambda: emu.configure_media(processing_seconds=math.nan),
        lambda: emu.configure_media(outcome="later"),  # type: ignore[arg-type]
        lambda: emu.seed_pins(-1),
        lambda: emu.create_user("has space"),
    ]
    for call in calls:
        with pytest.raises(EmulatorError):
            call()
    assert issubclass(EmulatorError, ValueError)
    assert _snapshot(emu) == before


def test_good_controls_still_work(emu: Emulator, control: httpx2.Client) -> None:
    fault = control.post("/faults", json={"status": 503, "headers": {"Retry-After": "2"}}).json()
    assert fault["headers"] == {"Retry-After": "2"}
    assert control.post("/clock/advance", json={"seconds": 1.5}).json()["offset"] == 1.5
    limit = {"category": "universal", "limit": 5, "window_s": 1}
    assert control.post("/rate_limits", json=limit).json()["limit"] == 5


def test_a_non_finite_offset_in_an_old_state_file_is_ignored(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    Emulator(state_path=state).close()
    with sqlite3.connect(state) as db:  # what an unchecked advance(nan) used to store
        db.execute("UPDATE meta SET value = 'nan' WHERE key = 'clock_offset'")
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('clock_offset', 'nan')")
    with Emulator(state_path=state) as emu:
        assert math.isfinite(emu.clock.now())
        token = emu.issue_token().access_token
        assert httpx2.get(f"{emu.base_url}/user_account", headers=bearer(token)).status_code == 200
        assert json.loads(json.dumps(emu.clock_state()))["offset"] == 0
