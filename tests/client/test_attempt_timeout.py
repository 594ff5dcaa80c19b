"""``timeout`` bounds a whole attempt: a server on loopback that answers one byte every so
often cannot hold a request past it, in the status line, the headers or the body, sync or
async. File transfers take ``transfer_timeout`` instead (no overall limit by default)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx2
import pytest

import pinkit
from tests.client._loopback import LoopbackServer, Received, json_answer, trickle_answer

# 61 bytes of body at one byte per 0.5 s: the whole answer would take 30 s or more.
BODY = b'{"id": "1", "username": "slow"}' + b" " * 30
TIMEOUT = 1.0
SLACK = 4.0  # the attempt ends within this of its timeout (the answer would take 30 s or more)


@pytest.fixture(params=["everything trickles", "the body trickles"])
def slow_server(request: pytest.FixtureRequest) -> Iterator[LoopbackServer]:
    head = request.param == "everything trickles"
    with LoopbackServer(trickle_answer(BODY, every=0.5, head=head)) as server:
        yield server


def test_sync_request(slow_server: LoopbackServer) -> None:
    started = time.monotonic()
    with pinkit.Client(
        "pina_x", base_url=slow_server.base_url, timeout=TIMEOUT, max_retries=0
    ) as client:
        with pytest.raises(pinkit.APITimeoutError, match="within 1s"):
            client.request("GET", "/user_account")
    assert time.monotonic() - started < TIMEOUT + SLACK


def test_sync_typed_call_and_retries(slow_server: LoopbackServer) -> None:
    started = time.monotonic()
    with pinkit.Client(
        "pina_x", base_url=slow_server.base_url, timeout=TIMEOUT, max_retries=1
    ) as client:
        with pytest.raises(pinkit.APITimeoutError):
            client.user_account.get()  # a GET: one retry, each attempt bounded
    assert len(slow_server.received) == 2
    assert time.monotonic() - started < 2 * TIMEOUT + 1.25 + SLACK  # + the backoff


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_async_request(slow_server: LoopbackServer) -> None:
    started = time.monotonic()
    async with pinkit.AsyncClient(
        "pina_x", base_url=slow_server.base_url, timeout=TIMEOUT, max_retries=0
    ) as client:
        with pytest.raises(pinkit.APITimeoutError, match="within 1s"):
            await client.request("GET", "/user_account")
    assert time.monotonic() - started < TIMEOUT + SLACK


def test_own_http_client_body_is_bounded() -> None:
    """A pool passed as http_client keeps its streams: the runner bounds the body."""
    with LoopbackServer(trickle_answer(BODY, every=0.5, head=False)) as server:
        started = time.monotonic()
        with (
            httpx2.Client() as http,
            pinkit.Client(
                "pina_x", base_url=server.base_url, timeout=TIMEOUT, max_retries=0, http_client=http
            ) as client,
            pytest.raises(pinkit.APITimeoutError),
        ):
            client.request("GET", "/user_account")
    assert time.monotonic() - started < TIMEOUT + SLACK


def test_an_httpx_timeout_bounds_the_attempt_by_its_longest_phase(
    slow_server: LoopbackServer,
) -> None:
    started = time.monotonic()
    limits = httpx2.Timeout(0.75, connect=1.5)
    with pinkit.Client(
        "pina_x", base_url=slow_server.base_url, timeout=limits, max_retries=0
    ) as client:
        assert client.attempt_timeout == 1.5
        with pytest.raises(pinkit.APITimeoutError, match=r"within 1\.5s"):
            client.request("GET", "/user_account")
    assert time.monotonic() - started < 1.5 + SLACK


def test_a_quick_answer_is_unaffected() -> None:
    with LoopbackServer(json_answer(b'{"id": "1", "username": "quick"}')) as server:
        with pinkit.Client("pina_x", base_url=server.base_url, timeout=TIMEOUT) as client:
            for _ in range(3):  # over one kept-alive connection
                assert client.user_account.get().username == "quick"


def test_the_token_endpoint_is_bounded(slow_server: LoopbackServer) -> None:
    base_url = slow_server.base_url
    app = pinkit.OAuthApp("1234", "secret", "http://127.0.0.1/cb", api_base_url=base_url)
    expired = pinkit.TokenSet("pina_old", "pinr_old", expires_at=0.0)
    started = time.monotonic()
    with pinkit.Client(
        base_url=slow_server.base_url,
        oauth_app=app,
        token_store=pinkit.MemoryTokenStore(expired),
        timeout=TIMEOUT,
        max_retries=0,
    ) as client:
        with pytest.raises(pinkit.APITimeoutError):
            client.user_account.get()  # the refresh first, bounded like any attempt
    assert time.monotonic() - started < TIMEOUT + SLACK
    assert slow_server.received[0].target == "/v5/oauth/token"


# -- file transfers ---------------------------------------------------------------------------


class UploadServer:
    """Registers uploads at once (POST /v5/media) and accepts the file slowly: the answer to
    the upload trickles in over about two and a half seconds."""

    def __init__(self) -> None:
        self.server = LoopbackServer(self._answer)
        self._registered = json_answer(
            b'{"media_id": "12", "media_type": "video", '
            b'"upload_url": "' + self.server.origin.encode() + b'/upload", '
            b'"upload_parameters": {"key": "k"}}',
            status=201,
        )
        self._slow = trickle_answer(b"", every=0.035, status="204 No Content")

    def _answer(self, conn: socket.socket, request: Received) -> None:
        if request.target == "/upload":
            self._slow(conn, request)
        else:
            self._registered(conn, request)


@pytest.fixture
def upload_server() -> Iterator[LoopbackServer]:
    with UploadServer().server as server:
        yield server


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 4096)
    return path


def test_an_upload_is_not_held_to_the_request_timeout(
    upload_server: LoopbackServer, video: Path
) -> None:
    started = time.monotonic()
    with pinkit.Client(
        "pina_x", base_url=upload_server.base_url, timeout=TIMEOUT, max_retries=0
    ) as client:
        assert client.transfer_timeout is None
        assert client.media.upload(video).media_id == "12"
    assert time.monotonic() - started > 2 * TIMEOUT  # it took longer than `timeout`, and passed
    upload = next(r for r in upload_server.received if r.target == "/upload")
    assert b"ftypmp42" in upload.body
    assert "authorization" not in upload.headers


def test_transfer_timeout_bounds_an_upload(upload_server: LoopbackServer, video: Path) -> None:
    started = time.monotonic()
    with pinkit.Client(
        "pina_x",
        base_url=upload_server.base_url,
        timeout=10,
        transfer_timeout=TIMEOUT,
        max_retries=0,
    ) as client:
        with pytest.raises(pinkit.APITimeoutError, match="within 1s"):
            client.media.upload(video)
    assert time.monotonic() - started < TIMEOUT + SLACK


@pytest.mark.anyio
async def test_async_upload_timeouts(upload_server: LoopbackServer, video: Path) -> None:
    async with pinkit.AsyncClient(
        "pina_x", base_url=upload_server.base_url, timeout=TIMEOUT, max_retries=0
    ) as client:
        assert (await client.media.upload(video)).media_id == "12"
    async with pinkit.AsyncClient(
        "pina_x", base_url=upload_server.base_url, transfer_timeout=TIMEOUT, max_retries=0
    ) as client:
        with anyio.fail_after(TIMEOUT + SLACK), pytest.raises(pinkit.APITimeoutError):
            await client.media.upload(video)
