"""Shared fixtures: the official OpenAPI description, read from outside the repository, and a
real browser (``tests/_browser.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pinkit.emulator import Emulator
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
