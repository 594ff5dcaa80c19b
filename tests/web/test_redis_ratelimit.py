"""``RedisRateLimiter`` on a real ``redis-server``: the same buckets as the local limiter,
shared by every instance (worker), a 429 that pauses them all, and what happens when Redis is
away. The multi-process tests send through the emulator with its limits set low."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import pinkit
from pinkit import Limit, LocalRateLimiter, RedisRateLimiter
from pinkit._ratelimit import STANDARD
from pinkit.emulator import Emulator
from tests.servers import free_port
from tests.web.conftest import run_workers


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def limiter(url: str, clock: Clock | None = None, **limits: Limit) -> RedisRateLimiter:
    return RedisRateLimiter(url, limits=limits or {"org_read": Limit(3, 3.0)}, clock=clock)


def test_the_bucket_allows_a_burst_then_paces(redis_url: str) -> None:
    clock = Clock()
    shared = limiter(redis_url, clock)
    key = [("user", "org_read")]
    assert [shared.reserve(key) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert shared.reserve(key) == pytest.approx(1.0)
    clock.now += 2.0
    assert shared.reserve(key) == pytest.approx(0.0, abs=1e-6)
    assert isinstance(shared, pinkit.RateLimiter)


def test_a_burst_of_one_spaces_requests(redis_url: str) -> None:
    shared = limiter(redis_url, Clock(), org_read=Limit(10, 1.0, burst=1))
    assert [shared.reserve([("u", "org_read")]) for _ in range(4)] == pytest.approx(
        [0.0, 0.1, 0.2, 0.3]
    )


def test_every_instance_counts_in_the_same_buckets(redis_url: str) -> None:
    clock = Clock()
    one, two = limiter(redis_url, clock), limiter(redis_url, clock)
    key = [("user", "org_read")]
    assert one.reserve(key) == 0 and two.reserve(key) == 0 and one.reserve(key) == 0
    assert two.reserve(key) == pytest.approx(1.0)
    # other users, other categories: buckets of their own
    assert two.reserve([("other", "org_read")]) == 0
    assert limiter(redis_url, clock, org_write=Limit(1, 60)).reserve([("user", "org_write")]) == 0


def test_one_reservation_takes_a_slot_of_every_bucket_it_names(redis_url: str) -> None:
    clock = Clock()
    shared = limiter(redis_url, clock, universal=Limit(2, 1.0), org_read=Limit(100, 60.0))
    keys = [("u", "universal"), ("u", "org_read")]
    assert shared.reserve(keys) == 0 and shared.reserve(keys) == 0
    assert shared.reserve(keys) == pytest.approx(0.5)  # the universal bucket is the tighter


def test_a_429_seen_by_one_worker_pauses_all_of_them(redis_url: str) -> None:
    clock = Clock()
    one, two = limiter(redis_url, clock), limiter(redis_url, clock)
    key = ("user", "org_read")
    one.observe(key, {"x-ratelimit-reset": "12"}, limited=True, wait=12.0)
    assert two.reserve([key]) == pytest.approx(12.0)
    clock.now += 12.5
    assert two.reserve([key]) == pytest.approx(0.0, abs=1e-6)


def test_held_tells_every_worker_how_long_a_block_holds(redis_url: str) -> None:
    clock = Clock()
    one, two = limiter(redis_url, clock), limiter(redis_url, clock)
    key = ("user", "org_read")
    assert two.held([key]) == 0.0
    one.observe(key, {"x-ratelimit-reset": "12"}, limited=True, wait=12.0)
    clock.now += 2
    assert two.held([("user", "universal"), key]) == pytest.approx(10.0)
    clock.now += 11
    assert two.held([key]) == 0.0


def test_an_exhausted_bucket_pauses_everyone_until_the_reset(redis_url: str) -> None:
    clock = Clock()
    one, two = limiter(redis_url, clock), limiter(redis_url, clock)
    key = ("user", "org_read")
    headers = {"x-ratelimit-limit": "3, 3;w=3", "x-ratelimit-remaining": "0"}
    one.observe(key, headers, limited=False, wait=2.0)
    assert two.reserve([key]) == pytest.approx(2.0, abs=0.01)


def test_advertised_limits_are_shared_and_pinned_ones_only_lowered(redis_url: str) -> None:
    clock = Clock()
    follows = RedisRateLimiter(redis_url, clock=clock)  # Standard: org_read 1000/min
    advertised = {"x-ratelimit-limit": '2, 2;w=60;name="org_read"', "x-ratelimit-remaining": "1"}
    follows.observe(("u", "org_read"), advertised, limited=False, wait=0)
    other = RedisRateLimiter(redis_url, clock=clock)
    assert [other.reserve([("u", "org_read")]) for _ in range(2)][-1] > 20  # 2 per minute now
    pinned = limiter(redis_url, clock, org_read=Limit(5, 60.0))
    higher = {"x-ratelimit-limit": "1000, 1000;w=60"}
    pinned.observe(("p", "org_read"), higher, limited=False, wait=0)
    waits = [pinned.reserve([("p", "org_read")]) for _ in range(6)]
    assert waits[:5] == [0.0] * 5 and waits[5] > 10


def test_a_universal_quota_in_the_header_is_shared(redis_url: str) -> None:
    clock = Clock()
    follows = RedisRateLimiter(redis_url, clock=clock)  # Standard: universal 100 a second
    header = '1000, 1000;w=60;name="org_read", 2;w=60;name="universal"'
    follows.observe(
        ("u", "org_read"),
        {"x-ratelimit-limit": header, "x-ratelimit-remaining": "0"},
        limited=False,
        wait=5.0,
    )
    other = RedisRateLimiter(redis_url, clock=clock)
    assert [other.reserve([("u", "universal")]) for _ in range(3)][-1] > 20  # 2 a minute now
    assert other.held([("u", "org_read")]) == pytest.approx(5.0, abs=0.01)  # Remaining: org_read
    assert other.held([("u", "universal")]) == 0.0


@pytest.mark.parametrize(("advertised", "free"), [(1000, 950), (10, 0)])
def test_a_changed_limit_keeps_the_slots_taken_as_in_process(
    redis_url: str, advertised: int, free: int
) -> None:
    clock = Clock()
    shared = RedisRateLimiter(redis_url, clock=clock)
    local = LocalRateLimiter(dict(STANDARD), clock=clock)
    key = ("u", "universal")
    header = {"x-ratelimit-limit": f'{advertised}, {advertised};w=1;name="universal"'}
    frees = []
    for limiter in (shared, local):
        for _ in range(50):
            limiter.reserve([key])
        limiter.observe(key, header, limited=False, wait=0.0)
        waits = [limiter.reserve([key]) for _ in range(free + 1)]
        frees.append(sum(1 for w in waits if w == 0.0))
    assert frees == [free, free]


def test_unconfigured_categories_are_not_limited(redis_url: str) -> None:
    shared = RedisRateLimiter(redis_url, limits={"org_read": Limit(1, 60), "universal": None})
    assert [shared.reserve([("u", "universal"), ("u", "trends_read")]) for _ in range(3)] == [0] * 3
    assert shared.clear() >= 0


def test_limits_are_required() -> None:
    with pytest.raises(ValueError, match="needs limits"):
        RedisRateLimiter("redis://127.0.0.1:1/0", limits=False)
    with pytest.raises(ValueError, match="on_error"):
        RedisRateLimiter("redis://127.0.0.1:1/0", on_error="maybe")  # type: ignore[arg-type]


# -- Redis away -----------------------------------------------------------------------------


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers (a hung Redis)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_open_goes_on_without_limiting_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    shared = RedisRateLimiter(url, on_error="open", retry_after_s=0.0)
    with caplog.at_level(logging.WARNING, logger="pinkit"):
        started = time.monotonic()
        waits = [shared.reserve([("u", "org_read")]) for _ in range(5)]
        shared.observe(("u", "org_read"), {}, limited=True, wait=5.0)
    assert waits == [0.0] * 5
    assert time.monotonic() - started < 3
    warnings = [r for r in caplog.records if "shared rate limiter" in r.getMessage()]
    assert len(warnings) == 1
    assert "hunter2" not in warnings[0].getMessage() and "hunter2" not in repr(shared)


def test_closed_raises(redis_url: str) -> None:
    shared = RedisRateLimiter(f"redis://127.0.0.1:{free_port()}/0", on_error="closed")
    with pytest.raises(pinkit.RateLimiterError, match="shared rate limiter"):
        shared.reserve([("u", "org_read")])
    with pytest.raises(pinkit.RateLimiterError):  # within retry_after_s: at once, no new try
        shared.reserve([("u", "org_read")])
    assert issubclass(pinkit.RateLimiterError, pinkit.PinterestError)


@pytest.mark.parametrize("on_error", ["open", "closed"])
def test_a_hung_redis_never_hangs_a_request(silent_port: int, on_error: str) -> None:
    shared = RedisRateLimiter(
        f"redis://127.0.0.1:{silent_port}/0",
        on_error=on_error,  # type: ignore[arg-type]
        timeout=0.3,
    )
    started = time.monotonic()
    if on_error == "open":
        assert shared.reserve([("u", "org_read")]) == 0.0
    else:
        with pytest.raises(pinkit.RateLimiterError):
            shared.reserve([("u", "org_read")])
    assert time.monotonic() - started < 2


def test_open_recovers_when_redis_answers_again(redis_url: str) -> None:
    shared = RedisRateLimiter(redis_url, limits={"org_read": Limit(1, 60)}, retry_after_s=0.0)
    shared._failed(ConnectionError("simulated"))
    assert shared.reserve([("u", "org_read")]) == 0.0  # asked again: answers
    assert shared.reserve([("u", "org_read")]) > 30
    assert not shared._down


# -- through the clients ------------------------------------------------------------------


def test_a_client_counts_in_redis(redis_url: str, inproc_emulator: Emulator) -> None:
    emu = inproc_emulator
    shared = RedisRateLimiter(redis_url, limits={"org_read": Limit(2, 60)})
    with emu.client(rate_limiter=shared, rate_limit_key="app:alice") as client:
        client.user_account.get()
        client.user_account.get()
        started = emu.clock.now()
        client.user_account.get()  # waits (on the emulator clock: instantly) for a slot
    assert emu.clock.now() - started > 25
    import redis

    keys = {k.decode() for k in redis.Redis.from_url(redis_url).keys("pinkit:rl:*")}
    assert keys == {"pinkit:rl:app%3Aalice:org_read", "pinkit:rl:app%3Aalice:universal"}


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_the_async_client_uses_the_async_forms(
    redis_url: str, inproc_emulator: Emulator, anyio_backend: str
) -> None:
    emu = inproc_emulator
    shared = RedisRateLimiter(redis_url, limits={"org_read": Limit(2, 60)})
    async with emu.async_client(rate_limiter=shared, rate_limit_key="app:bob") as client:
        await client.user_account.get()
        await client.user_account.get()
        started = emu.clock.now()
        await client.user_account.get()  # waits, then asks whether a block holds it (no)
    assert emu.clock.now() - started > 25
    shared.observe(("app:bob", "org_read"), {}, limited=True, wait=30.0)
    assert await shared.aheld([("app:bob", "org_read")]) == pytest.approx(30.0, abs=1.0)
    assert bool(shared._async) == (anyio_backend == "asyncio")  # trio: worker threads
    await shared.aclose()
    shared.close()


# -- several processes against the emulator -------------------------------------------------

WORKERS = 4


def _limited(emu: Emulator, operation: str) -> tuple[int, int]:
    records = [r for r in emu.requests if r.operation_id == operation]
    return len(records), sum(1 for r in records if r.status == 429)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_processes_sharing_the_limiter_get_no_429(
    emu: Emulator, redis_url: str, tmp_path: Path
) -> None:
    """Four processes, one user of one app, 8 reads each; the emulator allows 10 a second.
    With the shared limiter matching it (10 per 1.2 s, evenly spaced: a margin for the jitter
    of four processes on a small machine) no request is refused."""
    emu.set_rate_limit("org_read", 10, 1.0)
    token = emu.issue_token(["user_accounts:read"]).access_token
    args = {
        "token": token,
        "base": emu.base_url,
        "identity": "app:alice",
        "redis_url": redis_url,
        "category": "org_read",
        "limit": [10, 1.2, 1],
        "shared": True,
        "count": 8,
    }
    results = run_workers("reads", [args] * WORKERS, tmp_path)
    sent, refused = _limited(emu, "user_account/get")
    assert sent == WORKERS * 8 and refused == 0
    assert all(r["ok"] == 8 for r in results)
    # 32 requests at 10 per 1.2 s take at least (32 - 1) * 0.12 s, shared among the processes
    assert max(r["elapsed_s"] for r in results) > 3.0


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_control_processes_with_their_own_limiters_get_429s(
    emu: Emulator, redis_url: str, tmp_path: Path
) -> None:
    """The same four processes, each with its own in-process limiter at the same limit: they
    send four times what the emulator allows, and some requests are refused."""
    emu.set_rate_limit("org_read", 10, 1.0)
    token = emu.issue_token(["user_accounts:read"]).access_token
    args = {
        "token": token,
        "base": emu.base_url,
        "identity": "app:alice",
        "redis_url": redis_url,
        "category": "org_read",
        "limit": [10, 1.2, 1],
        "shared": False,
        "count": 8,
    }
    run_workers("reads", [args] * WORKERS, tmp_path)
    _sent, refused = _limited(emu, "user_account/get")
    assert refused > 0


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_processes_sending_conversions_for_one_account_get_no_429(
    emu: Emulator, redis_url: str, tmp_path: Path
) -> None:
    """Four processes each stream 400 events in batches of 50 (8 requests, 2 at a time) for
    one ad account; the emulator allows 8 conversions requests a second, the shared limiter
    8 per 2 s (a margin for answers that come back late on a loaded machine). Every event
    arrives, and no request is refused."""
    emu.set_rate_limit("ads_conversions", 8, 1.0)
    account = emu.default_ad_account_id
    token = emu.issue_token(["ads:read", "ads:write"]).access_token
    args = {
        "token": token,
        "base": emu.base_url,
        "account": account,
        "redis_url": redis_url,
        "category": "ads_conversions",
        "limit": [8, 2.0, 1],
        "shared": True,
        "count": 400,
        "batch": 50,
        "concurrency": 2,
    }
    results = run_workers("conversions", [{**args, "worker": i} for i in range(WORKERS)], tmp_path)
    sent, refused = _limited(emu, "events/create")
    # A batch may be sent again after a slow answer on a loaded machine; never refused.
    assert refused == 0 and sent >= WORKERS * 8
    assert all(r["processed"] == 400 and r["rejected"] == 0 for r in results)
    assert len(emu.conversion_events(account)) == WORKERS * 400
