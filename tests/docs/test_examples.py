"""Every code example of README.md and docs/*.md runs, against the emulator, as a user with
real credentials would run it (``PINTEREST_*`` in the environment): one test per block,
named ``file:line``. How blocks are marked (skip, continues, needs, pytest):
tests/docs/markdown.py; the fixtures: tests/docs/fixtures.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pinkit.emulator import Emulator
from tests.docs.markdown import Example, all_examples
from tests.docs.runner import Runner

EXAMPLES = all_examples()


@pytest.fixture(scope="session")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    with Emulator() as emulator:
        docs = Runner(emulator, tmp_path_factory)
        try:
            yield docs
        finally:
            docs.discard()


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_example(
    example: Example, runner: Runner, monkeypatch: pytest.MonkeyPatch, request: Any
) -> None:
    runner.run(example, monkeypatch, request)


def test_the_docs_have_examples_of_both_kinds() -> None:
    runnable = [e for e in EXAMPLES if e.skip is None]
    assert sum(e.kind == "python" for e in runnable) >= 40
    assert sum(e.kind == "shell" for e in runnable) >= 5
