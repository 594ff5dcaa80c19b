"""What to do when a test's outside requirement (a Debian package, the spec) is missing: skip
with the reason, except under ``CI=true``, where the project's set-up provides it, so its
absence fails the run."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(missing: str, tests: str) -> NoReturn:
    """``missing`` says what is not there and how to get it; ``tests`` what cannot run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{missing}: {tests} cannot run, and under CI=true they must", pytrace=False)
    pytest.skip(f"{missing}: {tests} skipped")
