"""The client against the emulator: loopback HTTP and in-process, sync and async."""

from __future__ import annotations

import logging
import re
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

import pinkit
from pinkit.emulator import Emulator


def _ops(emulator: Emulator, operation_id: str) -> list[Any]:
    return [r for r in emulator.requests if r.operation_id == operation_id]


def test_user_account_over_loopback(pinkit_emulator: Emulator) -> None:
    with pinkit_emulator.client() as client:
        account = client.user_account.get()
    assert isinstance(account, pinkit.Account)
    assert account.id
    assert re.fullmatch("[0-9]+", account.id)
    assert account.username
    assert pinkit_emulator.requests[-1].path == "/v5/user_account"


def test_in_process_transport_without_sockets(inproc_emulator: Emulator) -> None:
    emulator = inproc_emulator
    token = emulator.issue_token()
    http = httpx2.Client(transport=emulator.transport())
    with pinkit.Client(
        token.access_token, base_url="http://emulator.local/v5", http_client=http
    ) as c:
        assert c.user_account.get().username
        assert c.request("GET", "/user_account/businesses") == []
    http.close()


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_async_client_over_loopback(pinkit_emulator: Emulator) -> None:
    async with pinkit_emulator.async_client() as client:
        account = await client.user_account.get()
        followers = [f async for f in client.user_account.followers(page_size=2, max_items=5)]
    assert account.username
    assert len(followers) == 5
    assert all(isinstance(f, pinkit.models.UserSummary) for f in followers)


@pytest.mark.anyio
async def test_async_client_in_process(inproc_emulator: Emulator) -> None:
    emulator = inproc_emulator
    token = emulator.issue_token()
    http = httpx2.AsyncClient(transport=emulator.async_transport())
    async with pinkit.AsyncClient(
        token.access_token, base_url="http://emulator.local/v5", http_client=http
    ) as client:
        assert (await client.request("GET", "/user_account"))["username"]
    await http.aclose()


def test_raw_paginate_across_pages(pinkit_emulator: Emulator) -> None:
    with pinkit_emulator.client() as client:
        total = client.request("GET", "/user_account")["follower_count"]
        items = list(client.paginate("/user_account/followers", page_size=3))
    assert len(items) == total
    assert len({i["username"] for i in items}) == total
    pages = _ops(pinkit_emulator, "followers/list")
    assert len(pages) == -(-total // 3)
    assert all(r.query.get("page_size") == "3" for r in pages)


def test_max_items_stops_early(pinkit_emulator: Emulator) -> None:
    with pinkit_emulator.client() as client:
        assert len(list(client.paginate("/user_account/followers", max_items=2))) == 2
    assert len(_ops(pinkit_emulator, "followers/list")) == 1


def test_status_errors_are_typed(pinkit_emulator: Emulator) -> None:
    with pinkit_emulator.client() as client:
        with pytest.raises(pinkit.NotFoundError) as not_found:
            client.request("GET", "/no/such/thing")
        assert not_found.value.status_code == 404
        assert isinstance(not_found.value.code, int)
    token = pinkit_emulator.issue_token(scopes=["pins:read"])
    with pinkit_emulator.client(access_token=token.access_token) as client:
        with pytest.raises(pinkit.PermissionDeniedError) as denied:
            client.user_account.get()
    assert denied.value.status_code == 403
    with pinkit.Client("pina_notarealtoken", base_url=pinkit_emulator.base_url) as client:
        with pytest.raises(pinkit.AuthenticationError):
            client.user_account.get()


def test_get_is_retried_on_5xx(pinkit_emulator: Emulator) -> None:
    pinkit_emulator.inject_fault(503, operation="user_account/get", count=2)
    with pinkit_emulator.client() as client:
        assert client.user_account.get().username
    assert [r.status for r in _ops(pinkit_emulator, "user_account/get")] == [503, 503, 200]


def test_retries_are_bounded(pinkit_emulator: Emulator) -> None:
    pinkit_emulator.inject_fault(500, operation="user_account/get", count=10)
    with pinkit_emulator.client(max_retries=1) as client:
        with pytest.raises(pinkit.InternalServerError):
            client.user_account.get()
    assert len(_ops(pinkit_emulator, "user_account/get")) == 2


def test_post_that_may_have_been_processed_is_not_retried(pinkit_emulator: Emulator) -> None:
    pinkit_emulator.inject_fault(
        500, operation="verify_website/update", count=5, after_processing=True
    )
    with pinkit_emulator.client() as client, pytest.raises(pinkit.InternalServerError):
        client.request("POST", "/user_account/websites", json={"website": "example.com"})
    assert len(_ops(pinkit_emulator, "verify_website/update")) == 1


def test_post_refused_with_429_is_retried(pinkit_emulator: Emulator) -> None:
    pinkit_emulator.inject_fault(
        429, operation="verify_website/update", headers={"Retry-After": "0"}
    )
    with pinkit_emulator.client() as client:
        client.request("POST", "/user_account/websites", json={"website": "example.com"})
    assert next(r.status for r in _ops(pinkit_emulator, "verify_website/update")) == 429
    assert len(_ops(pinkit_emulator, "verify_website/update")) == 2


class RecordingClock(pinkit.SystemClock):
    """The system clock, except that sleeps are recorded instead of waited."""

    def __init__(self) -> None:
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def test_retry_after_is_honoured(pinkit_emulator: Emulator) -> None:
    clock = RecordingClock()
    pinkit_emulator.inject_fault(429, operation="user_account/get", headers={"Retry-After": "7"})
    with pinkit_emulator.client(rate_limits=False, clock=clock) as client:
        client.user_account.get()
    assert clock.slept == [7.0]


def test_long_reset_raises_with_retry_after(pinkit_emulator: Emulator) -> None:
    pinkit_emulator.inject_fault(
        429,
        operation="user_account/get",
        headers={"X-RateLimit-Reset": "67000"},
        body={"code": 8, "message": "This request exceeded a rate limit."},
    )
    with pinkit_emulator.client() as client, pytest.raises(pinkit.RateLimitError) as exc:
        client.user_account.get()
    assert exc.value.retry_after == pytest.approx(67000)
    assert exc.value.code == 8
    assert exc.value.category == "org_read"
    assert len(_ops(pinkit_emulator, "user_account/get")) == 1


def test_spam_429_is_never_retried(pinkit_emulator: Emulator) -> None:
    pinkit_emulator.inject_fault(
        429,
        operation="user_account/get",
        count=3,
        headers={"Retry-After": "0"},
        body={"code": 8, "message": "Your request was flagged as spam."},
    )
    with pinkit_emulator.client() as client, pytest.raises(pinkit.RateLimitError) as exc:
        client.user_account.get()
    assert exc.value.spam
    assert len(_ops(pinkit_emulator, "user_account/get")) == 1


def test_server_rate_limit_surfaces_as_rate_limit_error(pinkit_emulator: Emulator) -> None:
    pinkit_emulator.set_rate_limit("org_read", 2, 3600)
    with pinkit_emulator.client() as client:
        client.user_account.get()
        client.user_account.get()
        with pytest.raises(pinkit.RateLimitError) as exc:
            client.user_account.get()
    assert exc.value.retry_after is not None
    assert exc.value.retry_after > 60


def test_the_default_limiter_follows_the_servers_universal_limit(
    pinkit_emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pinkit")
    pinkit_emulator.set_rate_limit("universal", 10**6, 1)
    with pinkit_emulator.client() as client:  # Standard's 100 a second until told otherwise
        for _ in range(250):
            client.user_account.get()
    assert not [r for r in caplog.records if "waiting" in r.getMessage()]
    with pinkit_emulator.client(rate_limits={"universal": (100, 1.0)}) as client:  # pinned
        for _ in range(150):
            client.user_account.get()
    assert [r for r in caplog.records if "waiting" in r.getMessage()]


def test_client_side_limit_waits_or_refuses(pinkit_emulator: Emulator) -> None:
    with pinkit_emulator.client(rate_limits={"org_read": (2, 0.2)}) as client:
        for _ in range(4):
            client.user_account.get()  # paced, no error
    with pinkit_emulator.client(rate_limits={"org_read": (1, 3600)}) as client:
        client.user_account.get()
        with pytest.raises(pinkit.RateLimitError, match="client-side"):
            client.user_account.get()
    assert len(_ops(pinkit_emulator, "user_account/get")) == 5


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback socket that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/v5"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_timeout_is_retried_then_typed(silent_server: str) -> None:
    with pinkit.Client("pina_x", base_url=silent_server, timeout=0.2, max_retries=1) as client:
        with pytest.raises(pinkit.APITimeoutError):
            client.user_account.get()


def test_connection_refused_is_typed() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pinkit.Client("pina_x", base_url=f"http://127.0.0.1:{port}/v5", max_retries=0) as client:
        with pytest.raises(pinkit.APIConnectionError):
            client.user_account.get()


def test_environment_defaults(pinkit_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    token = pinkit_emulator.issue_token()
    monkeypatch.setenv("PINTEREST_ACCESS_TOKEN", token.access_token)
    monkeypatch.setenv("PINTEREST_API_URI", pinkit_emulator.base_url)
    monkeypatch.setenv("PINTEREST_AD_ACCOUNT_ID", "549755885175")
    with pinkit.Client() as client:
        assert client.base_url == pinkit_emulator.base_url
        assert client.ad_account_id == "549755885175"
        client.request("GET", "/user_account")


def test_sandbox_and_default_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PINTEREST_API_URI", raising=False)
    assert pinkit.Client("t").base_url == "https://api.pinterest.com/v5"
    assert pinkit.Client("t", sandbox=True).base_url == "https://api-sandbox.pinterest.com/v5"


def test_bookmarks_are_url_encoded(pinkit_emulator: Emulator) -> None:
    with pinkit_emulator.client() as client:
        list(client.paginate("/user_account/followers", page_size=1, max_items=4))
    bookmarks = [r.query.get("bookmark") for r in _ops(pinkit_emulator, "followers/list")[1:]]
    assert bookmarks
    assert all(bookmarks)
    assert any(set(b) & set("+/=") for b in bookmarks), "seeded bookmarks should need encoding"


def test_a_query_written_in_the_path_is_kept(pinkit_emulator: Emulator) -> None:
    with pinkit_emulator.client() as client:
        page = client.request("GET", "/user_account/followers?page_size=2")
        assert len(page["items"]) == 2
        with pytest.raises(pinkit.BadRequestError):
            client.request("GET", "/user_account/followers?page_size=300")
        client.request("GET", "/user_account/followers?page_size=2", params={"bookmark": None})


def test_a_long_retry_after_on_5xx_is_not_slept(pinkit_emulator: Emulator) -> None:
    clock = RecordingClock()
    pinkit_emulator.inject_fault(503, operation="user_account/get", headers={"Retry-After": "3600"})
    with pinkit_emulator.client(clock=clock) as client:
        with pytest.raises(pinkit.InternalServerError):
            client.user_account.get()
    assert clock.slept == []
    assert len(_ops(pinkit_emulator, "user_account/get")) == 1


@pytest.mark.parametrize("url", ["notaurl", "ftp://x/v5", "http://[::1", "https:///v5"])
def test_bad_base_url_is_bad_input(url: str) -> None:
    with pytest.raises(pinkit.InvalidInputError, match="base URL"):
        pinkit.Client("pina_x", base_url=url)


def test_a_token_that_cannot_be_a_header_is_bad_input(pinkit_emulator: Emulator) -> None:
    secret = "pina_abcSECRET1234\r\nX-Evil: SECRETTAIL"
    with pinkit.Client(secret, base_url=pinkit_emulator.base_url) as client:
        with pytest.raises(pinkit.InvalidInputError) as exc:
            client.user_account.get()
    assert "SECRET" not in str(exc.value)
    assert pinkit_emulator.requests == []


def test_an_unexpected_answer_is_a_typed_error(inproc_emulator: Emulator) -> None:
    emulator = inproc_emulator  # not the spec-checked fixture: this answer is off-spec on purpose
    emulator.inject_fault(200, operation="media/get", body={"surprise": True})
    with emulator.client() as client:
        with pytest.raises(pinkit.APIResponseValidationError, match="media_id"):
            client.media.get("123")
        with pytest.raises(pinkit.InvalidInputError):
            client.media.get("../user_account")


def test_refresh_without_a_store_warns(
    pinkit_emulator: Emulator, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = pinkit_emulator.issue_token()
    assert token.refresh_token
    monkeypatch.setenv("PINTEREST_REFRESH_TOKEN", token.refresh_token)
    pinkit_emulator.clock.advance(31 * 86_400)
    with caplog.at_level(logging.WARNING, logger="pinkit"):
        with pinkit.Client(
            token.access_token,
            base_url=pinkit_emulator.base_url,
            oauth_app=pinkit_emulator.default_app,
        ) as client:
            client.user_account.get()
    assert "kept in memory only" in caplog.text


def test_extra_headers_and_the_response_hook(pinkit_emulator: Emulator) -> None:
    seen: list[int] = []
    with pinkit_emulator.client() as client:
        client.request(
            "GET", "/user_account", headers={"X-Trace": "t-1", "accept": "application/json"},
            on_response=lambda response: seen.append(response.status_code),
        )  # fmt: skip
        pages = list(
            client.paginate(
                "/user_account/followers",
                page_size=2,
                max_items=3,
                headers={"X-Trace": "t-2"},
                on_response=lambda response: seen.append(response.status_code),
            )
        )
    assert len(pages) == 3
    assert seen == [200, 200, 200]  # one answer, then two pages
    sent = [r.headers for r in pinkit_emulator.requests]
    assert sent[0]["x-trace"] == "t-1"
    assert all(h["x-trace"] == "t-2" for h in sent[1:])
    assert all(h["user-agent"].startswith("pinkit/") for h in sent)


@pytest.mark.parametrize(
    ("headers", "needle"),
    [
        ({"Authorization": "Bearer pina_other"}, "set by the client"),
        ({"host": "evil.example"}, "set by the client"),
        ({"X-A": "1\r\nX-Injected: 2"}, "without CR or LF"),
        ({"X-A": "1\nX-Injected: 2"}, "without CR or LF"),
        ({"Bad Name": "1"}, "not an HTTP header name"),
        ({"X-A:": "1"}, "not an HTTP header name"),
    ],
)
def test_headers_that_would_leak_or_inject_are_bad_input(
    pinkit_emulator: Emulator, headers: dict[str, str], needle: str
) -> None:
    with pinkit_emulator.client() as client, pytest.raises(pinkit.InvalidInputError) as exc:
        client.request("GET", "/user_account", headers=headers)
    assert needle in str(exc.value)
    assert pinkit_emulator.requests == []


@pytest.mark.anyio
async def test_pages_a_page_at_a_time(pinkit_emulator: Emulator) -> None:
    with pinkit_emulator.client() as client:
        total = client.request("GET", "/user_account")["follower_count"]
        pages = list(client.paginate("/user_account/followers", page_size=2).pages())
        limited = list(client.user_account.followers(page_size=2, max_items=3).pages())
    assert [len(p) for p in pages] == [2] * (total // 2) + ([total % 2] if total % 2 else [])
    assert [len(p) for p in limited] == [2, 1]
    async with pinkit_emulator.async_client() as client:
        async_pages = [
            p async for p in client.paginate("/user_account/followers", page_size=2).pages()
        ]
    assert [len(p) for p in async_pages] == [len(p) for p in pages]
