"""``pinkit auth login`` as a user runs it, with a real browser: the installed script in a
subprocess against an emulator served on loopback, and a ``$BROWSER`` that hands the consent URL
to the session's Chromium (``tests/_browser.py``).

``$BROWSER`` rather than ``--no-browser``: the CLI then takes its real path (``webbrowser.open``
and the loopback listener), and Chromium itself follows the emulator's redirect to the listener.
The handoff script only passes the URL on; everything a person does happens in Chromium.
"""

from __future__ import annotations

import shlex
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pinkit.emulator import Emulator
from tests.cli.conftest import CLI, Result

HANDOFF = """#!/bin/sh
# $BROWSER for `pinkit auth login`: hand the URL to the test's Chromium, in one rename.
printf '%s\\n' "$1" > {part} && mv {part} {done}
"""


@dataclass
class Login:
    """A running ``pinkit auth login`` and the URL it asked the browser to open."""

    proc: subprocess.Popen[str]
    url_file: Path

    def consent_url(self, timeout: float = 20) -> str:
        """The URL the CLI opened the browser on (fails if the CLI exits first)."""
        deadline = time.monotonic() + timeout
        while not self.url_file.exists():
            if self.proc.poll() is not None:
                result = self.finish()
                pytest.fail(f"pinkit exited ({result.code}) before opening a browser: {result.all}")
            assert time.monotonic() < deadline, "pinkit did not open a browser in time"
            time.sleep(0.02)
        return self.url_file.read_text().strip()

    def finish(self, timeout: float = 20) -> Result:
        out, err = self.proc.communicate(timeout=timeout)
        return Result(self.proc.returncode, out, err)


@pytest.fixture
def cli(tmp_path: Path) -> CLI:
    return CLI(tmp_path)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """An emulator served over HTTP on a free loopback port, fresh for each test."""
    with Emulator() as emu:
        yield emu


@pytest.fixture
def login(cli: CLI, tmp_path: Path) -> Iterator[Callable[..., Login]]:
    """Start ``pinkit auth login ARGS`` with the handoff as its ``$BROWSER``; stopped at the end
    if the test left it running."""
    started: list[Login] = []

    def start(*args: str, env: dict[str, str]) -> Login:
        url_file = tmp_path / f"browser-url-{len(started)}"
        script = tmp_path / f"browser-{len(started)}"
        part = shlex.quote(f"{url_file}.part")
        script.write_text(HANDOFF.format(part=part, done=shlex.quote(str(url_file))))
        script.chmod(0o755)
        proc = cli.popen(
            "auth", "login", "--timeout", "20", *args, env={**env, "BROWSER": str(script)}
        )
        started.append(Login(proc, url_file))
        return started[-1]

    yield start
    for run in started:
        if run.proc.poll() is None:
            run.proc.kill()
            run.proc.communicate(timeout=10)
