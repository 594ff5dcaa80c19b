"""Clients take their time from a clock: on the emulator's, waits pass instantly.

Rate-limit waits, retry backoff, media polling and token expiry all run on the emulator clock
for clients made by ``Emulator.client()``/``async_client()``, over HTTP and in-process.
"""

from __future__ import annotations

import math
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import pinkit
from pinkit._redact import mask
from pinkit.emulator import Emulator

WINDOW_S = 30.0
LIMIT = 2


def real_time_budget(emulator: Emulator, requests: int) -> float:
    """Real seconds a test may take: under a second, plus over loopback HTTP the server's
    latency for each request (tens of milliseconds each here; waiting in real time instead
    would take at least as long as the emulator time the test lets pass)."""
    return 0.8 + (0.05 * requests if emulator.running else 0.0)


def mp4_file(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    box = struct.pack(">I", 24) + b"ftypisom" + b"\x00\x00\x02\x00" + b"isomiso2"
    path.write_bytes(box + b"\x00" * 4000)
    return path


@pytest.fixture(params=["http", "in-process"])
def emulator(request: pytest.FixtureRequest, inproc_emulator: Emulator) -> Iterator[Emulator]:
    """The emulator served over loopback HTTP (the spec-checked plugin fixture), or not."""
    if request.param == "http":
        yield request.getfixturevalue("pinkit_emulator")
    else:
        yield inproc_emulator


def _statuses(emulator: Emulator, operation_id: str) -> list[int]:
    return [r.status for r in emulator.requests if r.operation_id == operation_id]


# -- the public seam ---------------------------------------------------------------------------


def test_clock_is_public_and_both_clocks_fit_it(inproc_emulator: Emulator) -> None:
    assert isinstance(pinkit.SystemClock(), pinkit.Clock)
    assert isinstance(inproc_emulator.clock, pinkit.Clock)
    assert "Clock" in dir(pinkit)
    assert "SystemClock" in pinkit.__all__
    assert pinkit.SystemClock().now() == pytest.approx(time.time(), abs=1)
    client = pinkit.Client("pina_x", base_url="http://127.0.0.1:9/v5")
    assert isinstance(client.clock, pinkit.SystemClock)
    with inproc_emulator.client() as on_emulator:
        assert on_emulator.clock is inproc_emulator.clock
    mine = pinkit.SystemClock()
    with inproc_emulator.client(clock=mine) as chosen:
        assert chosen.clock is mine
    client.close()


def test_http_date_retry_after_is_counted_from_the_clock(inproc_emulator: Emulator) -> None:
    from email.utils import formatdate

    emulator = inproc_emulator
    emulator.clock.advance(10_000)  # far from real time: a real-clock reading would be off
    emulator.inject_fault(
        503,
        operation="user_account/get",
        headers={"Retry-After": formatdate(emulator.clock.now() + 20, usegmt=True)},
    )
    before = emulator.clock.now()
    with emulator.client() as client:
        client.user_account.get()
    assert 18 <= emulator.clock.now() - before <= 23
    assert _statuses(emulator, "user_account/get") == [503, 200]


# -- the emulator clock sleeps -------------------------------------------------------------------


def test_emulator_sleep_moves_time_without_waiting(inproc_emulator: Emulator) -> None:
    clock = inproc_emulator.clock
    start, real = clock.now(), time.monotonic()
    clock.sleep(3600)
    clock.sleep(0)
    assert clock.now() - start >= 3600
    assert clock.now() - start < 3601
    assert time.monotonic() - real < 0.5


@pytest.mark.parametrize("seconds", [math.nan, math.inf, -math.inf, -0.5])
def test_emulator_sleep_refuses_impossible_durations(
    inproc_emulator: Emulator, seconds: float
) -> None:
    start = inproc_emulator.clock.offset
    with pytest.raises(ValueError, match="sleep"):
        inproc_emulator.clock.sleep(seconds)
    assert inproc_emulator.clock.offset == start


@pytest.mark.anyio
async def test_emulator_async_sleep(inproc_emulator: Emulator) -> None:
    clock = inproc_emulator.clock
    start = clock.now()
    await clock.async_sleep(120)
    assert clock.now() - start >= 120
    with pytest.raises(ValueError, match="sleep"):
        await clock.async_sleep(-1)


def test_concurrent_sleepers_wake_in_order(inproc_emulator: Emulator) -> None:
    """Each thread, once its sleep returns, sees a time at or after its own wake time, and time
    never moves backward for anyone."""
    clock = inproc_emulator.clock
    problems: list[str] = []
    go = threading.Barrier(8)

    def sleeper(n: int) -> None:
        go.wait()
        last = clock.now()
        for i in range(40):
            seconds = (n * 7 + i * 3) % 11 + 0.25
            wake = clock.now() + seconds
            clock.sleep(seconds)
            now = clock.now()
            if now < wake:
                problems.append(f"thread {n} woke at {now}, before {wake}")
            if now < last:
                problems.append(f"thread {n} saw time go back from {last} to {now}")
            last = now

    threads = [threading.Thread(target=sleeper, args=(n,)) for n in range(8)]
    start, real = clock.now(), time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
    assert clock.now() - start >= 40 * 0.25  # every sleeper's time passed
    assert time.monotonic() - real < 5


# -- rate limits, retries and polling on the emulator clock -----------------------------------


@pytest.mark.parametrize("rate_limits", [None, False], ids=["paced", "server-429"])
def test_going_over_a_rate_limit_window_costs_no_real_time(
    emulator: Emulator, rate_limits: bool | None
) -> None:
    """Paced by the client (it learns the limit from the headers) or refused by the server and
    retried after its reset: either way the waits advance the emulator clock."""
    emulator.set_rate_limit("org_read", LIMIT, WINDOW_S)
    start, real = emulator.clock.now(), time.monotonic()
    with emulator.client(rate_limits=rate_limits) as client:
        accounts = [client.user_account.get() for _ in range(2 * LIMIT)]
    assert time.monotonic() - real < 1.0
    assert all(a.username for a in accounts)
    assert emulator.clock.now() - start >= WINDOW_S  # the requests needed a second window
    assert _statuses(emulator, "user_account/get").count(200) == 2 * LIMIT


@pytest.mark.anyio
async def test_async_going_over_a_rate_limit_window_costs_no_real_time(
    emulator: Emulator,
) -> None:
    emulator.set_rate_limit("org_read", LIMIT, WINDOW_S)
    start, real = emulator.clock.now(), time.monotonic()
    async with emulator.async_client(rate_limits=False) as client:
        accounts = [await client.user_account.get() for _ in range(2 * LIMIT)]
    assert time.monotonic() - real < 1.0
    assert all(a.username for a in accounts)
    assert emulator.clock.now() - start >= WINDOW_S
    assert _statuses(emulator, "user_account/get") == [200, 200, 429, 200, 200]


def test_without_retries_the_limit_is_an_error_at_once(emulator: Emulator) -> None:
    """No client-side pacing and ``max_retries=0``: the server's 429 is the answer."""
    emulator.set_rate_limit("org_read", LIMIT, WINDOW_S)
    start, real = emulator.clock.now(), time.monotonic()
    with emulator.client(max_retries=0, rate_limits=False) as client:
        for _ in range(LIMIT):
            client.user_account.get()
        with pytest.raises(pinkit.RateLimitError) as exc:
            client.user_account.get()
    assert time.monotonic() - real < 1.0
    assert emulator.clock.now() - start < 1.0  # nothing slept, not even on the emulator clock
    assert exc.value.category == "org_read"
    assert exc.value.retry_after is not None
    assert 0 < exc.value.retry_after <= WINDOW_S


def test_retry_backoff_runs_on_the_emulator_clock(emulator: Emulator) -> None:
    emulator.inject_fault(503, operation="user_account/get", count=2)
    start, real = emulator.clock.now(), time.monotonic()
    with emulator.client() as client:
        assert client.user_account.get().username
    assert time.monotonic() - real < 1.0
    assert emulator.clock.now() - start >= 0.75 * (0.5 + 1.0)  # two backoffs, jitter included
    assert _statuses(emulator, "user_account/get") == [503, 503, 200]


def test_video_processing_completes_instantly(emulator: Emulator, tmp_path: Path) -> None:
    emulator.configure_media(processing_seconds=120)
    with emulator.client() as client:
        board = client.boards.create("Videos")
        assert board.id
        start, real = emulator.clock.now(), time.monotonic()
        pin = client.pins.create_video(board.id, mp4_file(tmp_path))
    polls = _statuses(emulator, "media/get")
    assert time.monotonic() - real < real_time_budget(emulator, len(polls) + 3)
    assert pin.board_id == board.id
    assert emulator.clock.now() - start >= 120
    assert 2 < len(polls) < 30  # polled with backoff, not spun


@pytest.mark.anyio
async def test_async_video_processing_completes_instantly(
    inproc_emulator: Emulator, tmp_path: Path
) -> None:
    emulator = inproc_emulator
    emulator.configure_media(processing_seconds=120)
    async with emulator.async_client() as client:
        board = await client.boards.create("Videos")
        assert board.id
        real = time.monotonic()
        pin = await client.pins.create_video(board.id, mp4_file(tmp_path))
    assert time.monotonic() - real < 1.0
    assert pin.board_id == board.id


def test_media_wait_deadline_is_on_the_clock(emulator: Emulator, tmp_path: Path) -> None:
    emulator.configure_media(processing_seconds=3600)
    with emulator.client() as client:
        upload = client.media.upload(mp4_file(tmp_path))
        start, real = emulator.clock.now(), time.monotonic()
        with pytest.raises(pinkit.MediaProcessingError, match="after 60s"):
            client.media.wait(upload.media_id, timeout=60)
    polls = len(_statuses(emulator, "media/get"))
    assert time.monotonic() - real < real_time_budget(emulator, polls)
    assert 60 <= emulator.clock.now() - start < 61


# -- token expiry ------------------------------------------------------------------------------


def test_a_token_expiring_on_the_emulator_clock_is_refreshed_first(emulator: Emulator) -> None:
    token = emulator.issue_token(expires_in=3600)
    store = pinkit.MemoryTokenStore(token)
    with emulator.client(
        access_token=None, token_store=store, oauth_app=emulator.default_app
    ) as client:
        client.user_account.get()
        emulator.clock.advance(3600 - 60)  # inside the refresh leeway, not expired yet
        client.user_account.get()
        refreshed = store.load()
        assert refreshed is not None
        assert refreshed.access_token != token.access_token
        assert client.token == refreshed
        assert refreshed.expires_at is not None
        assert refreshed.expires_at > emulator.clock.now() + 3600  # counted from that clock
    gets = [r for r in emulator.requests if r.operation_id == "user_account/get"]
    assert [r.status for r in gets] == [200, 200]  # refreshed before sending: no 401 first
    assert gets[-1].headers["authorization"] == f"Bearer {mask(refreshed.access_token)}"


@pytest.mark.anyio
async def test_async_token_expiring_on_the_emulator_clock_is_refreshed(
    inproc_emulator: Emulator,
) -> None:
    emulator = inproc_emulator
    token = emulator.issue_token(expires_in=3600)
    store = pinkit.MemoryTokenStore(token)
    async with emulator.async_client(
        access_token=None, token_store=store, oauth_app=emulator.default_app
    ) as client:
        emulator.clock.advance(7200)  # expired
        await client.user_account.get()
        fresh = await client.fresh_token()
    assert fresh.access_token != token.access_token
    assert _statuses(emulator, "user_account/get") == [200]
