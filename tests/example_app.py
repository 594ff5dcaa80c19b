"""The example app (``examples/connect_app``) as its users run it: uvicorn with several worker
processes, in a subprocess, against an emulator served by the test session.

``ExampleApp.start`` registers an app on the emulator whose redirect URI is the app's callback,
passes the configuration through the environment (as ``Settings.from_env`` reads it), and waits
until every worker has started. ``AppUser`` is a user of it without a browser: a signed-in
session, connected headlessly through the emulator's consent page.
"""

from __future__ import annotations

import html
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from pinkit.emulator import Emulator
from pinkit.web import generate_key
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
FACTORY = "examples.connect_app.app:create_app"
STARTED = re.compile(r"Started server process \[(\d+)\]")


@dataclass
class ExampleApp:
    """A running example app: its URL, its uvicorn parent and the log of all its processes."""

    url: str
    proc: subprocess.Popen[bytes]
    log: Path
    client_id: str
    env: dict[str, str] = field(repr=False)

    @classmethod
    def start(
        cls,
        emu: Emulator,
        folder: Path,
        *,
        database_url: str,
        workers: int = 2,
        redis_url: str | None = None,
        factory: str = FACTORY,
        **settings: str,
    ) -> ExampleApp:
        """``settings`` are more ``CONNECT_APP_*`` variables, by their lower-case suffix."""
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        app = emu.register_app(f"{url}/pinterest/callback", name="Connect app")
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PINTEREST_CLIENT_ID": app.client_id,
            "PINTEREST_CLIENT_SECRET": emu.app_secret(app.client_id),
            "PINTEREST_API_URI": emu.base_url,
            "PINTEREST_AUTHORIZE_URL": emu.authorize_url,
            "CONNECT_APP_URL": url,
            "CONNECT_APP_SECRET": secrets.token_urlsafe(32),
            "CONNECT_APP_DATABASE_URL": database_url,
            "PINKIT_TOKEN_KEYS": generate_key(),
            **({"CONNECT_APP_REDIS_URL": redis_url} if redis_url else {}),
            **{f"CONNECT_APP_{k.upper()}": v for k, v in settings.items()},
        }
        log = folder / f"app-{port}.log"
        command = [
            *(sys.executable, "-m", "uvicorn", factory, "--factory"),
            *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
            *("--timeout-graceful-shutdown", "1", "--no-access-log"),
        ]
        with log.open("wb") as out:
            proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        running = cls(url, proc, log, app.client_id, env)
        running.wait_for_workers(workers)
        return running

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        """The worker processes alive now (uvicorn starts a new one when one dies)."""
        alive = []
        for pid in map(int, STARTED.findall(self.text())):
            if pid == self.proc.pid:
                continue
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                continue
            if _parent(pid) == self.proc.pid:
                alive.append(pid)
        return alive

    def wait_for_workers(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"the app exited ({self.proc.returncode}):\n{self.text()}")
            ready = self.text().count("Application startup complete.")
            if ready >= count and len(self.worker_pids()) >= count:
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{count} workers were not ready in {timeout} s:\n{self.text()}"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for pid in self.worker_pids():  # a worker left behind by a parent that was killed
            os.kill(pid, signal.SIGKILL)


def _parent(pid: int) -> int | None:
    """The parent of a live process (None for one that is gone, or dead and not yet reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, parent = stat.rsplit(")", 1)[1].split()[:2]
    return None if state == "Z" else int(parent)


class AppUser:
    """One local user of the app in a client of their own (their own cookies), no browser."""

    def __init__(self, app: ExampleApp, name: str, **options: Any) -> None:
        self.app, self.name = app, name
        self.http = httpx2.Client(base_url=app.url, timeout=30, **options)
        answer = self.http.post("/signin", data={"username": name})
        assert answer.status_code == 303, answer.text

    def connect(self, emu: Emulator, *, pinterest_user: str | None = None) -> None:
        """Connect Pinterest, approving as ``pinterest_user`` (None: the default user)."""
        started = self.http.post("/pinterest/connect", data={"return_to": "/boards"})
        assert started.status_code == 303, started.text
        callback = emu.authorize(started.headers["location"], user_id=pinterest_user)
        done = self.http.get(callback)
        assert done.status_code == 303 and done.headers["location"] == "/boards", done.text

    def get(self, path: str, **kw: Any) -> httpx2.Response:
        return self.http.get(path, **kw)

    def post(self, path: str, **kw: Any) -> httpx2.Response:
        return self.http.post(path, **kw)

    def close(self) -> None:
        self.http.close()


def board_names(page: str) -> list[str]:
    """The boards an app page lists, by name."""
    return [
        html.unescape(re.sub(r" \(\d+ pins\)$", "", n).strip())
        for n in re.findall(r'class="board"[^>]*>([^<]*)<', page)
    ]
