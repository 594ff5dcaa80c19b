"""An answer nested deeper than a JSON parser recurses is a typed error, never a raw
``RecursionError``: 200 bodies, error bodies and token-endpoint answers, from a real server on
loopback and from emulator faults."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import pinkit
from pinkit.emulator import Emulator
from tests.client._loopback import LoopbackServer, json_answer

DEEP = b"[" * 100_000 + b"]" * 100_000
REDIRECT = "http://127.0.0.1:8085/callback"


@pytest.fixture(params=[200, 400, 500])
def deep_server(request: pytest.FixtureRequest) -> Iterator[tuple[LoopbackServer, int]]:
    with LoopbackServer(json_answer(DEEP, status=request.param)) as server:
        yield server, request.param


def _expected(status: int) -> type[pinkit.APIStatusError]:
    return {
        200: pinkit.APIResponseValidationError,
        400: pinkit.BadRequestError,
        500: pinkit.InternalServerError,
    }[status]


def test_sync(deep_server: tuple[LoopbackServer, int]) -> None:
    server, status = deep_server
    with pinkit.Client("pina_x", base_url=server.base_url, max_retries=0) as client:
        with pytest.raises(_expected(status)) as exc:
            client.request("GET", "/user_account")
        with pytest.raises(_expected(status)):
            client.user_account.get()
        with pytest.raises((pinkit.PaginationError, _expected(status))):
            list(client.boards.list())
    assert exc.value.status_code == status
    if status != 200:  # the status error keeps what could be read of the body
        assert isinstance(exc.value.body, str)
        assert exc.value.body.startswith("[[[")
        assert "nested too deeply" in exc.value.message


@pytest.mark.anyio
async def test_async(deep_server: tuple[LoopbackServer, int]) -> None:
    server, status = deep_server
    async with pinkit.AsyncClient("pina_x", base_url=server.base_url, max_retries=0) as client:
        with pytest.raises(_expected(status)):
            await client.request("GET", "/user_account")
        with pytest.raises(_expected(status)):
            await client.user_account.get()


@pytest.mark.parametrize("status", [200, 400])
def test_token_endpoint(status: int) -> None:
    with LoopbackServer(json_answer(DEEP, status=status)) as server:
        app = pinkit.OAuthApp("1234", "secret", REDIRECT, api_base_url=server.base_url)
        with pytest.raises(pinkit.OAuthError) as exc:
            app.exchange_code("code")
        with pytest.raises(pinkit.OAuthError):
            app.refresh("pinr_x")
    assert exc.value.status_code == status
    assert "nested too deeply" in str(exc.value)


@pytest.mark.anyio
async def test_async_token_endpoint() -> None:
    with LoopbackServer(json_answer(DEEP)) as server:
        app = pinkit.OAuthApp("1234", "secret", REDIRECT, api_base_url=server.base_url)
        with pytest.raises(pinkit.OAuthError, match="nested too deeply"):
            await app.aexchange_code("code")


@pytest.mark.parametrize("status", [200, 404])
def test_emulator_fault_with_a_raw_body(inproc_emulator: Emulator, status: int) -> None:
    inproc_emulator.inject_fault(
        status, operation="user_account/get", body=DEEP.decode(), headers={}, count=2
    )
    with inproc_emulator.client() as client:
        with pytest.raises(_expected(status) if status == 200 else pinkit.NotFoundError):
            client.user_account.get()
        with pytest.raises(pinkit.APIStatusError):
            client.request("GET", "/user_account")


def test_a_deep_token_file_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_bytes(DEEP)
    with pytest.raises(pinkit.InvalidInputError, match="nested too deeply"):
        pinkit.FileTokenStore(path).load()
