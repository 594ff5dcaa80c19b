"""Every code example of README.md and docs/*.md runs, against the emulator, as a user with
real credentials would run it (``PINTEREST_*`` in the environment): one test per block,
named ``file:line``. How blocks are marked (skip, continues, needs, pytest):
tests/docs/markdown.py; the fixtures: tests/docs/fixtures.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.docs.markdown import Example, all_examples
from tests.docs.runner import Runner

EXAMPLES = all_examples()
#: The Spark examples run on the pytest-xdist worker of tests/spark, whose JVM they share.
PARAMS = [
    pytest.param(
        e, id=e.id, marks=[pytest.mark.xdist_group("spark")] if "spark" in e.directive.needs else []
    )
    for e in EXAMPLES
]


@pytest.mark.parametrize("example", PARAMS)
def test_example(
    example: Example, runner: Runner, monkeypatch: pytest.MonkeyPatch, request: Any
) -> None:
    runner.run(example, monkeypatch, request)


def test_the_examples_are_found_and_few_are_skipped() -> None:
    """A parser that stopped finding blocks, or a habit of skipping them, fails here."""
    runnable = [e for e in EXAMPLES if e.skip is None]
    assert sum(e.kind == "python" for e in runnable) >= 50
    assert sum(e.kind == "shell" for e in runnable) >= 10
    elsewhere = [e for e in EXAMPLES if e.directive.elsewhere is not None]
    assert len(EXAMPLES) - len(runnable) - len(elsewhere) <= len(EXAMPLES) // 4
