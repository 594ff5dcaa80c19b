"""Shared fixtures: the official OpenAPI description, read from outside the repository, a
real browser (``tests/_browser.py``), and the real PostgreSQL and Redis servers of
``tests/servers.py``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pinkit.emulator import Emulator
from tests.servers import PostgresServer, RedisServer
from tests.spec import load_spec, require_spec, response_problems

pytest_plugins = ["tests._browser"]  # ``chromium`` and ``page``: a real browser, for any test


@pytest.fixture(scope="session")
def openapi_spec() -> dict[str, Any]:
    return require_spec()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def pinkit_emulator(pinkit_emulator: Emulator) -> Iterator[Emulator]:
    """The plugin's emulator, with every response it gave checked against the spec at the end:
    each client test doubles as a contract test of the emulator."""
    yield pinkit_emulator
    spec = load_spec()
    if spec is not None:
        problems = [p for r in pinkit_emulator.requests for p in response_problems(spec, r)]
        assert not problems, "responses that do not match the spec:\n" + "\n".join(problems)


@pytest.fixture
def inproc_emulator() -> Iterator[Emulator]:
    """An emulator that is not serving (in-process transports only), closed afterwards."""
    emulator = Emulator()
    try:
        yield emulator
    finally:
        emulator.close()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One ``redis-server`` for the session (free port, no persistence), stopped at the end."""
    server = RedisServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied for this test."""
    import redis

    with redis.Redis.from_url(redis_server.url) as client:
        client.flushall()
    return redis_server.url


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL cluster for the session (run as the postgres user), stopped at the end."""
    server = PostgresServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A SQLAlchemy URL of a new, empty database on the session's PostgreSQL."""
    return postgres_server.create_database()[1]
