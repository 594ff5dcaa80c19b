"""pytest plugin: fixtures that give each test a fresh, running pinkit emulator.

Registered through the ``pytest11`` entry point, so installing pinkit with the ``emulator`` extra
makes these fixtures available without any import::

    def test_me(pinkit_client):
        assert pinkit_client.user_account.get().username == "emulator_user"

The emulator (Starlette, uvicorn) is imported only when a fixture is used, so the plugin costs
nothing to test suites that never ask for it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pinkit import AsyncClient, Client
    from pinkit.emulator import Emulator

__all__ = ["pinkit_async_client", "pinkit_client", "pinkit_emulator"]


@pytest.fixture
def pinkit_emulator() -> Iterator[Emulator]:
    """A started emulator (HTTP on 127.0.0.1, free port) with fresh in-memory state."""
    from pinkit.emulator import Emulator

    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def pinkit_client(pinkit_emulator: Emulator) -> Iterator[Client]:
    """A ``pinkit.Client`` for the emulator's default user, all scopes."""
    client = pinkit_emulator.client()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
async def pinkit_async_client(
    pinkit_emulator: Emulator, anyio_backend: object
) -> AsyncIterator[AsyncClient]:
    """A ``pinkit.AsyncClient`` for the emulator's default user (needs anyio's pytest plugin;
    override ``anyio_backend`` to choose asyncio or trio)."""
    client = pinkit_emulator.async_client()
    try:
        yield client
    finally:
        await client.aclose()
