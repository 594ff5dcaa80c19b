"""The example app under load and faults: four uvicorn workers on PostgreSQL and Redis.

- 200 concurrent requests for one user whose access token has expired: one refresh at the
  emulator, every request answered.
- The emulator's limit for a category at N a minute and the shared limiter at the same: the
  workers, fired at as fast as they go, cause no 429, and at most N calls land in the window.
- A worker killed (``kill -9``) holding the row lock just before it sends a refresh, and one
  killed just after it commits: no token lost, the next request succeeds. Killed between
  Pinterest's answer and the commit, the rotated token is lost, as docs/webapp.md says.
- Redis stopped mid-run: requests go on unlimited (``on_error="open"``), one warning per
  worker; with ``"closed"`` the app answers 503.

Sizes are knobs: ``PINKIT_TEST_LOAD_REQUESTS`` (200), ``PINKIT_TEST_RATE_N`` (20 a minute),
``PINKIT_TEST_LOAD_S`` (the longest the workers are fired at: 30 s), ``PINKIT_TEST_APP_WORKERS``.
Each test prints its figures (``-s`` shows them).
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx2
import pytest
import redis

import pinkit
from examples.connect_app.app import create_app
from examples.connect_app.sessions import COOKIE, sign_session
from examples.connect_app.settings import Settings
from pinkit.emulator import Emulator
from pinkit.web import Connections
from tests.example_app import AppUser, ExampleApp, board_names
from tests.servers import PostgresServer, RedisServer, free_port
from tests.spec import load_spec, response_problems

REQUESTS = int(os.environ.get("PINKIT_TEST_LOAD_REQUESTS", "200"))
RATE_N = int(os.environ.get("PINKIT_TEST_RATE_N", "20"))
LOAD_S = float(os.environ.get("PINKIT_TEST_LOAD_S", "30"))
WORKERS = int(os.environ.get("PINKIT_TEST_APP_WORKERS", "4"))

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def figures(name: str, **values: object) -> None:
    print(f"\n[{name}] " + ", ".join(f"{k}={v}" for k, v in values.items()))


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator
        spec = load_spec()
        if spec is not None:
            problems = [p for r in emulator.requests for p in response_problems(spec, r)]
            assert not problems, "responses that do not match the spec:\n" + "\n".join(problems)


@pytest.fixture(scope="module")
def app_redis() -> Iterator[RedisServer]:
    """A Redis of the app's own: the last test stops it."""
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hooks")


@pytest.fixture(scope="module")
def app(
    emu: Emulator, postgres_server: PostgresServer, app_redis: RedisServer, hooks: Path
) -> Iterator[ExampleApp]:
    running = ExampleApp.start(
        emu,
        hooks,
        database_url=postgres_server.create_database()[1],
        workers=WORKERS,
        redis_url=app_redis.url,
        factory="tests.web.app_hooks:create_app",
        rate_limits=f"ads_conversions={RATE_N}/60",
        ad_account_id=emu.default_ad_account_id,
        test_hooks=str(hooks),
    )
    yield running
    running.stop()


def connections(app: ExampleApp, emu: Emulator) -> Connections:
    """The app's token database, as the test sees it (same URL, same keys)."""
    oauth_app = pinkit.OAuthApp(
        app.client_id,
        app.env["PINTEREST_CLIENT_SECRET"],
        f"{app.url}/pinterest/callback",
        api_base_url=emu.base_url,
    )
    return Connections(
        app.env["CONNECT_APP_DATABASE_URL"],
        oauth_app,
        encryption_keys=app.env["PINKIT_TOKEN_KEYS"],
    )


def connected_user(
    app: ExampleApp, emu: Emulator, name: str, *, own_pinterest_user: bool = True
) -> AppUser:
    """A local user connected to a Pinterest user of their own, who has one board (or to the
    emulator's default user, the owner of the default ad account)."""
    pinterest_user = emu.create_user(f"{name}_pins") if own_pinterest_user else None
    with emu.client(access_token=emu.issue_token(user_id=pinterest_user).access_token) as c:
        c.boards.create(f"{name}'s board")
    user = AppUser(app, name)
    user.connect(emu, pinterest_user=pinterest_user)
    return user


def expire(conns: Connections, user: str) -> pinkit.TokenSet:
    """Make the stored access token read as expired (it still works on the emulator), so the
    next request refreshes first; the tokens as they were."""
    tokens = conns.token_store(user).load()
    conns.save_tokens(user, replace(tokens, expires_at=time.time() - 5))
    return tokens


def refresh_grants(emu: Emulator) -> int:
    return sum(
        1
        for r in emu.requests
        if r.operation_id == "oauth/token" and b"grant_type=refresh_token" in r.body
    )


async def _fire(app: ExampleApp, cookie: str, count: int) -> tuple[list[int], list[str]]:
    limits = httpx2.Limits(max_connections=count, max_keepalive_connections=count)
    async with httpx2.AsyncClient(
        base_url=app.url, cookies={COOKIE: cookie}, timeout=60, limits=limits
    ) as http:
        answers = await asyncio.gather(*(http.get("/boards") for _ in range(count)))
    return [a.status_code for a in answers], [a.text for a in answers]


def test_concurrent_requests_for_an_expired_token_make_one_refresh(
    app: ExampleApp, emu: Emulator
) -> None:
    emu.set_rate_limit("universal", 1000, 1)  # the test is the refresh: Pinterest's 100/s aside
    user = connected_user(app, emu, "alice")
    with connections(app, emu) as conns:
        before = expire(conns, "alice")
        refreshes = conns.status("alice").refreshes
        emu.clear_requests()
        started = time.monotonic()
        statuses, pages = asyncio.run(_fire(app, user.http.cookies[COOKIE], REQUESTS))
        elapsed = time.monotonic() - started
        after = conns.token_store("alice").load()
        status = conns.status("alice")
    lists = [r for r in emu.requests if r.operation_id == "boards/list"]
    figures(
        "200 concurrent, expired token",
        requests=REQUESTS,
        workers=WORKERS,
        ok=statuses.count(200),
        refresh_grants=refresh_grants(emu),
        boards_list_calls=len(lists),
        seconds=f"{elapsed:.2f}",
    )
    assert statuses == [200] * REQUESTS
    assert all(board_names(page) == ["alice's board"] for page in pages)
    assert refresh_grants(emu) == 1
    assert len(lists) == REQUESTS and all(r.status == 200 for r in lists)
    assert status.refreshes == refreshes + 1
    assert after.refresh_token != before.refresh_token  # the rotated one is what is stored
    assert after.expires_at is not None and after.expires_at > time.time() + 3600
    user.close()


CHECKOUT = {"email": "buyer@example.com", "value": "10.00", "quantity": "1"}


async def _checkouts(
    app: ExampleApp, cookie: str, *, until_503s: int, max_s: float
) -> Counter[str]:
    """Keep 32 checkouts in flight until the app has said "come back later" (503)
    ``until_503s`` times, or for ``max_s``; what came back. A checkout the limiter holds for a
    later slot is given up here after 1.5 s (``held``: it goes on in the app)."""
    outcomes: Counter[str] = Counter()
    deadline = time.monotonic() + max_s

    async def one(http: httpx2.AsyncClient) -> None:
        while time.monotonic() < deadline and outcomes["503"] < until_503s:
            try:
                answer = await http.post("/checkout", data=CHECKOUT)
                outcomes[str(answer.status_code)] += 1
            except httpx2.TimeoutException:
                outcomes["held"] += 1

    async with httpx2.AsyncClient(
        base_url=app.url,
        cookies={COOKIE: cookie},
        timeout=1.5,
        limits=httpx2.Limits(max_connections=32),
    ) as http:
        await asyncio.gather(*(one(http) for _ in range(32)))
    return outcomes


async def _warm_up(app: ExampleApp, cookie: str) -> None:
    """A few checkouts on every worker first: a worker's first one loads what it needs."""
    async with httpx2.AsyncClient(base_url=app.url, cookies={COOKIE: cookie}, timeout=60) as http:
        answers = await asyncio.gather(*(http.post("/checkout", data=CHECKOUT) for _ in range(16)))
    assert all(a.status_code == 200 for a in answers)


def test_workers_sharing_the_limiter_stay_under_the_limit(app: ExampleApp, emu: Emulator) -> None:
    """The emulator allows RATE_N conversions requests a minute per ad account; the app's
    Redis limiter is set the same. Four workers, fired at as fast as they go until the app
    turns checkouts away: RATE_N requests land at once, then none, and the emulator refuses
    nothing. The others wait for a slot in the next window, or are told to come back (503,
    Retry-After) when that is more than a minute away. The limiter spaces slots 60/RATE_N s
    apart: a held request that sent at its slot, instead of honouring the block that the N-th
    answer set, would land within one of them, which the test waits for. (The N-th answer
    must come back within that slot: 3 s at 20 a minute.)"""
    warm = connected_user(app, emu, "warm", own_pinterest_user=False)  # buckets of its own
    asyncio.run(_warm_up(app, warm.http.cookies[COOKIE]))
    emu.set_rate_limit("ads_conversions", RATE_N, 60)  # a new window, N a minute
    user = connected_user(app, emu, "carol", own_pinterest_user=False)
    emu.clear_requests()
    started = time.monotonic()
    outcomes = asyncio.run(_checkouts(app, user.http.cookies[COOKIE], until_503s=8, max_s=LOAD_S))
    elapsed = time.monotonic() - started
    time.sleep(60 / RATE_N + 0.5)
    events = [r for r in emu.requests if r.operation_id == "events/create"]
    refused = [r for r in emu.requests if r.status == 429]
    figures(
        "shared limit",
        limit_per_minute=RATE_N,
        workers=WORKERS,
        checkouts=sum(outcomes.values()),
        outcomes=dict(outcomes),
        landed=len(events),
        emulator_429s=len(refused),
        seconds=f"{elapsed:.2f}",
    )
    assert refused == []
    assert len(events) == RATE_N  # at most N in the window; and the limiter let all N go
    assert all(r.status == 200 for r in events)
    assert outcomes["503"] >= 8  # a wait over the client's cap is said at once
    warm.close()
    user.close()


def _paused(hooks: Path, point: str, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = list(hooks.glob(f"paused-{point}.*"))
        if found:
            pid = int(found[0].suffix[1:])
            found[0].unlink()
            return pid
        time.sleep(0.02)
    raise AssertionError(f"no worker reached {point} within {timeout} s")


def _kill_at(app: ExampleApp, user: AppUser, hooks: Path, point: str) -> int:
    """Send a request that pauses a worker at ``point``; kill that worker there (-9)."""
    (hooks / f"pause-{point}").touch()
    with httpx2.Client(base_url=app.url, cookies=user.http.cookies, timeout=60) as http:
        failed: list[BaseException] = []

        def request() -> None:
            try:
                http.get("/boards")
            except httpx2.TransportError as exc:
                failed.append(exc)

        thread = threading.Thread(target=request)
        thread.start()
        pid = _paused(hooks, point)
        os.kill(pid, signal.SIGKILL)
        thread.join(30)
    assert failed, "the killed worker's request cannot have been answered"
    return pid  # uvicorn starts a worker in its place; the others serve meanwhile


def test_a_worker_killed_at_the_refresh_loses_no_token(
    app: ExampleApp, emu: Emulator, hooks: Path
) -> None:
    user = connected_user(app, emu, "kim")
    with connections(app, emu) as conns:
        # 1. killed holding the row lock, just before sending the refresh
        before = expire(conns, "kim")
        emu.clear_requests()
        started = time.monotonic()
        _kill_at(app, user, hooks, "before-refresh")
        assert refresh_grants(emu) == 0
        assert conns.token_store("kim").load().refresh_token == before.refresh_token
        answer = user.get("/boards")  # the lock died with the worker's connection
        first = time.monotonic() - started
        assert answer.status_code == 200 and board_names(answer.text) == ["kim's board"]
        assert refresh_grants(emu) == 1

        # 2. killed just after committing the rotated tokens
        before = expire(conns, "kim")
        emu.clear_requests()
        started = time.monotonic()
        _kill_at(app, user, hooks, "after-commit")
        assert refresh_grants(emu) == 1
        committed = conns.token_store("kim").load()
        assert committed.refresh_token != before.refresh_token
        answer = user.get("/boards")
        second = time.monotonic() - started
        assert answer.status_code == 200 and board_names(answer.text) == ["kim's board"]
        assert refresh_grants(emu) == 1  # the committed token is used: no second refresh
        assert conns.token_store("kim").load().refresh_token == committed.refresh_token
    figures(
        "kill -9 at the refresh",
        before_refresh_grants="0 then 1",
        after_commit_grants="1, then none",
        seconds_to_recover=f"{first:.2f} / {second:.2f}",
    )
    user.close()


def test_a_worker_killed_between_pinterests_answer_and_the_commit_loses_the_login(
    app: ExampleApp, emu: Emulator, hooks: Path
) -> None:
    """The window docs/webapp.md describes: the rotated refresh token existed only in the
    killed process. The user is asked to connect again, and can."""
    user = connected_user(app, emu, "lou")
    with connections(app, emu) as conns:
        before = expire(conns, "lou")
        emu.clear_requests()
        _kill_at(app, user, hooks, "before-commit")
        assert refresh_grants(emu) == 1  # Pinterest rotated...
        assert conns.token_store("lou").load().refresh_token == before.refresh_token  # ...lost
        answer = user.get("/boards")
        assert answer.status_code == 200
        assert "Your Pinterest login has ended" in answer.text
        assert conns.status("lou").connected  # until the user connects again:
    user.connect(emu, pinterest_user=None)
    assert user.get("/boards").status_code == 200
    user.close()


def test_redis_stopped_mid_run_lets_requests_go_unlimited(
    app: ExampleApp, emu: Emulator, app_redis: RedisServer
) -> None:
    """``on_error="open"`` (the app's default): requests go on without the limiter, and each
    worker warns once, not once per request. Runs last: it stops the app's Redis."""
    user = connected_user(app, emu, "max")
    assert user.get("/boards").status_code == 200
    with redis.Redis.from_url(app_redis.url) as r:
        assert any(b"pinkit:rl:" in key for key in r.keys("*"))
    app_redis.stop()
    started = time.monotonic()
    spread = {"Connection": "close"}  # a new connection each: the workers take turns
    statuses = [user.get("/boards", headers=spread).status_code for _ in range(4 * WORKERS)]
    elapsed = time.monotonic() - started
    warnings = app.text().count("the shared rate limiter at")
    figures(
        "redis stopped",
        requests=len(statuses),
        ok=statuses.count(200),
        warnings=warnings,
        seconds=f"{elapsed:.2f}",
    )
    assert statuses == [200] * len(statuses)
    assert 1 <= warnings <= WORKERS + 1  # one per worker at most (+ one that replaced a dead)
    assert app_redis.url.split("@")[-1] in app.text()  # the URL, never a password: none here
    user.close()


@pytest.mark.anyio
async def test_with_on_error_closed_the_app_refuses_instead(
    emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same outage with ``CONNECT_APP_REDIS_ON_ERROR=closed``: a 503 that says why, and
    no request to Pinterest. (One worker, in this process.)"""
    app = emu.register_app("http://testserver/pinterest/callback")
    keys = pinkit.web.generate_key()
    settings = Settings(
        client_id=app.client_id,
        client_secret=emu.app_secret(app.client_id),
        secret="s" * 32,
        app_url="http://testserver",
        api_base_url=emu.base_url,
        authorize_url=emu.authorize_url,
        database_url=f"sqlite:///{tmp_path / 'tokens.db'}",
        redis_url=f"redis://127.0.0.1:{free_port()}/0",
        redis_on_error="closed",
    )
    with Connections(settings.database_url, app, encryption_keys=keys) as conns:
        conns.save_tokens("nia", emu.issue_token())
    monkeypatch.setenv("PINKIT_TOKEN_KEYS", keys)
    web = create_app(settings)
    emu.clear_requests()
    async with web.router.lifespan_context(web):
        async with httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=web),
            base_url="http://testserver",
            cookies={COOKIE: sign_session(settings.secret, "nia")},
        ) as http:
            answer = await http.get("/boards")
    assert answer.status_code == 503
    assert "The shared rate limiter is unavailable" in answer.text
    assert not any(r.operation_id == "boards/list" for r in emu.requests)
