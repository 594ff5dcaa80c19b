"""One emulator, served on loopback, for every docs example of the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pinkit.emulator import Emulator
from tests.docs.runner import Runner


@pytest.fixture(scope="session")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    with Emulator() as emulator:
        docs = Runner(emulator, tmp_path_factory)
        try:
            yield docs
        finally:
            docs.discard()
