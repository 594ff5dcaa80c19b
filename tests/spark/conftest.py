"""Fixtures of the Spark tests: the run's Spark session, the emulator in a process of its own
(reset for each test), and the session's Redis."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests._spark import SPARK, EmulatorProcess, running_emulator, spark_session


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every Spark test on one pytest-xdist worker, so that one JVM starts."""
    for item in items:
        if "tests/spark/" in item.nodeid.replace("\\", "/"):
            item.add_marker(SPARK)


@pytest.fixture(scope="session")
def spark() -> Any:
    return spark_session()


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[EmulatorProcess]:
    with running_emulator() as server:
        yield server


@pytest.fixture
def emulator(emulator_process: EmulatorProcess, spark: Any) -> EmulatorProcess:
    """The emulator process, reset (Spark started first: a missing Spark skips the test
    before anything else is made)."""
    emulator_process.reset()
    return emulator_process
