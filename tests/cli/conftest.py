"""Run ``pinkit`` as a user would: the installed script in a subprocess, or ``run()`` in-process
(CliRunner isolation) where a subprocess adds nothing. Either way with config and data dirs in
tmp and no real PINTEREST_* / PINKIT_* variables."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from pinkit.auth import OAuthApp
from pinkit.cli import run
from pinkit.emulator import Emulator
from tests._needs import unavailable

PINKIT = Path(sys.executable).with_name("pinkit")


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def all(self) -> str:
        return self.out + self.err


def scrubbed(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PINTEREST_", "PINKIT_")) and k != "BROWSER"
    }
    env.update({"NO_COLOR": "1", "COLUMNS": "200", **(extra or {})})
    return env


class CLI:
    """``pinkit`` with this test's directories."""

    def __init__(self, tmp_path: Path) -> None:
        self.config_dir = tmp_path / "config"
        self.data_dir = tmp_path / "data"
        self.env = {
            "PINKIT_CONFIG_DIR": str(self.config_dir),
            "PINKIT_DATA_DIR": str(self.data_dir),
        }

    def full_env(self, env: Mapping[str, str] | None = None) -> dict[str, str]:
        return scrubbed({**self.env, **(env or {})})

    def sub(
        self, *args: str, env: Mapping[str, str] | None = None, input: str | None = None
    ) -> Result:
        """The installed console script in a subprocess."""
        proc = subprocess.run(
            [str(PINKIT), *args],
            env=self.full_env(env),
            input=input,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def popen(self, *args: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(PINKIT), *args],
            env=self.full_env(env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def __call__(
        self, *args: str, env: Mapping[str, str] | None = None, input: str | None = None
    ) -> Result:
        """In-process: the same ``run()`` the script calls, with isolated streams and env."""
        overrides: dict[str, str | None] = {
            k: None for k in os.environ if k.startswith(("PINTEREST_", "PINKIT_"))
        }
        overrides.update({"BROWSER": None, **self.env, **(env or {})})
        with CliRunner().isolation(input=input, env=overrides) as (out, err, _mixed):
            code = run(list(args))
            sys.stdout.flush()
            sys.stderr.flush()
        return Result(code, out.getvalue().decode(), err.getvalue().decode())


@pytest.fixture
def cli(tmp_path: Path) -> CLI:
    return CLI(tmp_path)


TMUX = shutil.which("tmux")


@dataclass
class Screen:
    """What a terminal shows once a command is over: its lines, and the exit code."""

    lines: list[str]
    code: int

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class Terminal:
    """``pinkit`` in a tmux pane of ``width`` columns: what a person sees (stdout and stderr
    both on the terminal, progress bars drawn). Each run is a new tmux session; the screen
    is read once the command has exited, scrolled-off lines included."""

    def __init__(self, cli: CLI, socket: Path, width: int = 80, height: int = 50) -> None:
        self.cli = cli
        self.socket = socket
        self.width = width
        self.height = height
        self.runs = 0

    def tmux(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        assert TMUX is not None
        proc = subprocess.run(
            [TMUX, "-S", str(self.socket), "-f", os.devnull, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return proc.stdout

    def run(self, *args: str, env: Mapping[str, str] | None = None, timeout: float = 40) -> Screen:
        self.runs += 1
        name = f"run{self.runs}"
        full = {k: v for k, v in self.cli.full_env(env).items() if k not in ("COLUMNS", "LINES")}
        full["TERM"] = "xterm-256color"
        command = f'{shlex.join([str(PINKIT), *args])}; echo "[exit $?]"; exec sleep 600'
        self.tmux(
            "new-session", "-d", "-s", name, "-x", str(self.width), "-y", str(self.height),
            "sh", "-c", command, env=full,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while True:
            lines = self.tmux("capture-pane", "-p", "-S", "-", "-t", name).splitlines()
            lines = [line.rstrip() for line in lines]
            done = [line for line in lines if line.startswith("[exit ")]
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.tmux("kill-session", "-t", name)
        assert done, "the command did not finish in time:\n" + "\n".join(lines)
        end = lines.index(done[-1])
        return Screen(lines[:end], int(done[-1][len("[exit ") : -1]))


@pytest.fixture
def terminal(cli: CLI) -> Iterator[Terminal]:
    """An 80-column terminal (tmux) to run ``pinkit`` in."""
    if TMUX is None:
        unavailable("tmux is not installed (Debian: apt-get install tmux)", "terminal tests")
    folder = Path(tempfile.mkdtemp(prefix="pinkit-tmux-"))  # short: a socket path has a limit
    term = Terminal(cli, folder / "sock")
    try:
        yield term
    finally:
        subprocess.run(
            [TMUX, "-S", str(term.socket), "kill-server"], capture_output=True, timeout=10
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """An emulator served over HTTP on a free loopback port, fresh for each test."""
    with Emulator() as emu:
        yield emu


def free_port() -> int:
    """A loopback port nobody listens on (for a listener that needs its port up front)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def app_env(app: OAuthApp, emulator: Emulator) -> dict[str, str]:
    """Environment for `auth login` with ``app``'s credentials against ``emulator``."""
    return {
        "PINTEREST_CLIENT_ID": app.client_id,
        "PINTEREST_CLIENT_SECRET": app._client_secret,
        "PINTEREST_API_URI": emulator.base_url,
    }


def token_file(cli: CLI, profile: str = "default") -> Path:
    """Where ``auth login`` saves the profile's tokens."""
    return cli.config_dir / "tokens" / f"{profile}.json"


@pytest.fixture
def token_env(emulator: Emulator) -> dict[str, str]:
    """Environment for a CLI run against ``emulator`` with an env token."""
    return {
        "PINTEREST_ACCESS_TOKEN": emulator.issue_token().access_token,
        "PINTEREST_API_URI": emulator.base_url,
    }


def no_traceback(text: str) -> bool:
    return "Traceback" not in text


def one_line(text: str) -> bool:
    return len(text.strip().splitlines()) == 1


def tiny_png() -> bytes:
    """A valid 1x1 PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def tiny_mp4() -> bytes:
    """Enough of an MP4 to pass as one: an ISO-BMFF ``ftyp`` box, then some bytes."""
    return b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 4096


@pytest.fixture
def board_id(emulator: Emulator) -> str:
    """A fresh board of the default user, made through the client (not the CLI under test)."""
    with emulator.client() as client:
        board = client.boards.create("Fixture board")
    assert board.id is not None
    return board.id


def pin_count(emulator: Emulator, board_id: str) -> int:
    with emulator.client() as client:
        return sum(1 for _ in client.boards.list_pins(board_id))


def board_names(cli: CLI, *args: str, env: dict[str, str] | None = None) -> list[str]:
    result = cli(*args, "boards", "list", "--format", "json", env=env)
    assert result.code == 0, result.err
    return [board["name"] for board in json.loads(result.out)]


def cli_token(cli: CLI) -> str:
    """The access token the CLI keeps for the default emulator state."""
    data = json.loads((cli.data_dir / "emulator-tokens" / "default.json").read_text())
    return str(data["access_token"])


# -- the demo's tour, run once per test session -----------------------------------------------
@dataclass
class Tour:
    """``pinkit demo`` as a user runs it, in ``folder``; ``cli`` has that run's directories."""

    result: Result
    folder: Path
    cli: CLI

    @property
    def out(self) -> Path:
        return self.folder / "pinkit-demo"


@pytest.fixture(scope="session")
def demo_tour(tmp_path_factory: pytest.TempPathFactory) -> Tour:
    """The whole tour, once (it takes seconds): started on the leftovers of an earlier run (a
    board in the state, a line in the rejects file) to show that it starts afresh."""
    folder = tmp_path_factory.mktemp("tour")
    cli = CLI(folder)
    out = folder / "pinkit-demo"
    out.mkdir()
    left = cli("--emulator-state", str(out / "emulator.sqlite"), "boards", "create", "Left over")
    assert left.code == 0, left.err
    (out / "conversions.rejects.jsonl").write_text('{"index": -1, "reason": "left over"}\n')
    proc = subprocess.run(
        [str(PINKIT), "demo"],
        cwd=folder,
        env=cli.full_env(),
        capture_output=True,
        text=True,
        timeout=280,
    )
    return Tour(Result(proc.returncode, proc.stdout, proc.stderr), folder, cli)
