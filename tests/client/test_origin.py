"""The access token goes to the base URL's origin only: an absolute URL elsewhere is refused
before anything is sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import pinkit
from pinkit.emulator import Emulator
from tests.client._loopback import LoopbackServer, json_answer


@pytest.fixture
def elsewhere() -> Iterator[LoopbackServer]:
    """Another origin, which would gladly take a token."""
    with LoopbackServer(json_answer(b'{"items": [], "bookmark": null}')) as server:
        yield server


def _other_origins(emulator: Emulator, elsewhere: LoopbackServer) -> list[str]:
    port = emulator.base_url.split(":")[2].split("/")[0]
    return [
        f"{elsewhere.base_url}/user_account",  # another port
        f"http://localhost:{port}/v5/user_account",  # another host name for the same socket
        f"https://127.0.0.1:{port}/v5/user_account",  # another scheme
        "https://evil.example/v5/user_account",
    ]


def test_request_to_another_origin_is_refused(
    pinkit_emulator: Emulator, elsewhere: LoopbackServer
) -> None:
    with pinkit_emulator.client() as client:
        for url in _other_origins(pinkit_emulator, elsewhere):
            with pytest.raises(pinkit.InvalidInputError, match="origin"):
                client.request("GET", url)
            with pytest.raises(pinkit.InvalidInputError, match="origin"):
                client.paginate(url)
    assert elsewhere.received == []
    assert pinkit_emulator.requests == []


@pytest.mark.anyio
async def test_async_request_to_another_origin_is_refused(
    pinkit_emulator: Emulator, elsewhere: LoopbackServer
) -> None:
    async with pinkit_emulator.async_client() as client:
        for url in _other_origins(pinkit_emulator, elsewhere):
            with pytest.raises(pinkit.InvalidInputError, match="origin"):
                await client.request("GET", url)
            with pytest.raises(pinkit.InvalidInputError, match="origin"):
                client.paginate(url)
    assert elsewhere.received == []
    assert pinkit_emulator.requests == []


def test_a_url_on_the_base_origin_is_sent(pinkit_emulator: Emulator) -> None:
    with pinkit_emulator.client() as client:
        assert client.request("GET", f"{pinkit_emulator.base_url}/user_account")["username"]
        followers = client.paginate(f"{pinkit_emulator.base_url}/user_account/followers")
        assert len(list(followers)) > 0
    assert [r.status for r in pinkit_emulator.requests][:1] == [200]


def test_the_default_port_is_the_same_origin() -> None:
    with pinkit.Client("pina_x", base_url="https://api.pinterest.com/v5") as client:
        assert client._url("https://api.pinterest.com:443/v5/boards")[1] == "/boards"
        assert client._url("https://API.pinterest.com/v5/boards")[1] == "/boards"
        with pytest.raises(pinkit.InvalidInputError):
            client._url("https://api.pinterest.com:8443/v5/boards")
        with pytest.raises(pinkit.InvalidInputError):
            client._url("http://api.pinterest.com/v5/boards")
