"""Shared fixtures: the official OpenAPI description, read from outside the repository."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT.parent / "shared" / "pinterest-openapi" / "openapi.json"


def spec_path() -> Path:
    return Path(os.environ.get("PINKIT_OPENAPI_SPEC") or DEFAULT_SPEC)


_cache: dict[str, Any] = {}


def load_spec() -> dict[str, Any]:
    """The spec, or a skip (a failure under CI=true) when it is not there."""
    path = spec_path()
    if "spec" not in _cache:
        if not path.is_file():
            message = f"Pinterest OpenAPI spec not found at {path} (set PINKIT_OPENAPI_SPEC)"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
        _cache["spec"] = json.loads(path.read_text(encoding="utf-8"))
    return _cache["spec"]  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def openapi_spec() -> dict[str, Any]:
    return load_spec()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
