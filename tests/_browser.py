"""A real headless Chromium for the tests: Debian's ``chromium`` driven by playwright.

The browser is the system's (``make system`` installs the ``chromium`` package), never one
playwright downloads: ``playwright install`` is not part of the set-up. ``$PINKIT_CHROMIUM``
names another Chromium or Chrome binary. It starts once per test session (``chromium``);
each test gets a fresh page in a context of its own (``page``: no cookies or storage shared
between tests), closed afterwards. The tests that use it run after all the others (see
``pytest_collection_modifyitems``). Without Chromium or playwright the tests that use it skip,
saying why; under ``CI=true`` they fail.

Registered from ``tests/conftest.py``, so any test directory can ask for ``page``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests._needs import unavailable

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Debian's /usr/bin/chromium is a shell wrapper; the binary behind it starts without it.
CANDIDATES = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser")
PAGE_TIMEOUT_MS = 10_000  # a step that waits longer has failed: say so well before pytest's 60 s


def find_chromium() -> str | None:
    """The Chromium binary to drive: ``$PINKIT_CHROMIUM``, else the system's."""
    override = os.environ.get("PINKIT_CHROMIUM")
    for candidate in (override,) if override else CANDIDATES:
        found = candidate if Path(candidate).is_file() else shutil.which(candidate)
        if found and os.access(found, os.X_OK):
            return found
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that use the browser run last. Playwright's sync API keeps an asyncio loop
    marked as running on the main thread from the browser's start to its end, and an asyncio
    test after that start would fail ("another loop is running")."""
    items.sort(key=lambda item: "chromium" in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Headless Chromium, started once per session and closed at its end."""
    path = find_chromium()
    if path is None:
        where = os.environ.get("PINKIT_CHROMIUM") or "/usr/bin/chromium"
        unavailable(
            f"Chromium not found ({where}; Debian: apt-get install chromium, which `make system` "
            "runs)",
            "browser tests",
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')", "browser tests")
    with sync_playwright() as playwright:
        # No sandbox: as root (containers, CI) Chromium's sandbox cannot start, and the tests
        # only load pages served by the test session itself.
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, chromium_sandbox=False
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh page in a new browser context, closed after the test."""
    context = chromium.new_context()
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()
