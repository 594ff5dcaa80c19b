"""Fixtures for the emulator's own tests.

Every emulator made through these fixtures has its recorded responses checked against the
spec's response schemas at teardown, so each test doubles as a contract test.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx2
import pytest

from pinkit.emulator import Emulator
from tests.spec import load_spec, response_problems


def _check_against_spec(emulator: Emulator) -> None:
    spec = load_spec()
    if spec is None:  # test_spec_conformance reports the missing spec (skip, or fail on CI)
        return
    problems = [p for record in emulator.requests for p in response_problems(spec, record)]
    assert not problems, "responses that do not match the spec:\n" + "\n".join(problems)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """A started emulator (real HTTP on 127.0.0.1)."""
    with Emulator() as emulator:
        yield emulator
        _check_against_spec(emulator)


@pytest.fixture
def inproc() -> Iterator[Emulator]:
    """An emulator that is not serving: in-process transports only."""
    emulator = Emulator()
    try:
        yield emulator
        _check_against_spec(emulator)
    finally:
        emulator.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(client_id: str, client_secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


@pytest.fixture(params=["http", "inproc"])
def server(request: pytest.FixtureRequest) -> Emulator:
    """Each test that uses it runs twice: over real HTTP and in-process."""
    emulator: Emulator = request.getfixturevalue("emu" if request.param == "http" else "inproc")
    return emulator


@pytest.fixture
def api(server: Emulator) -> Iterator[httpx2.Client]:
    with server.http_client(headers=bearer(server.issue_token().access_token)) as client:
        yield client


@pytest.fixture
def other(server: Emulator) -> Iterator[httpx2.Client]:
    """A second user's client."""
    user_id = server.create_user("someone_else")
    token = server.issue_token(user_id=user_id).access_token
    with server.http_client(headers=bearer(token)) as client:
        yield client
