"""Destructive commands ask first on a terminal, and need --yes when stdin is not one.

The prompt is tested in a real terminal: tmux runs pinkit in a pane, the test reads the pane
and types the answer."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pinkit.emulator import Emulator
from pinkit.errors import NotFoundError

from .conftest import CLI, PINKIT, no_traceback, one_line

TMUX = shutil.which("tmux")
needs_tmux = pytest.mark.skipif(
    TMUX is None, reason="tmux not found (Debian package tmux): prompts need a real terminal"
)


def board_exists(emulator: Emulator, board_id: str) -> bool:
    with emulator.client() as client:
        try:
            client.boards.get(board_id)
        except NotFoundError:
            return False
    return True


@pytest.fixture
def section_and_pin(emulator: Emulator, board_id: str) -> tuple[str, str]:
    with emulator.client() as client:
        section = client.boards.sections.create(board_id, "Pasta")
        pin = client.pins.create(board_id, {"source_type": "image_url", "url": "https://e.x/a.jpg"})
    assert section.id and pin.id
    return section.id, pin.id


def test_without_a_terminal_deleting_needs_yes(
    cli: CLI,
    emulator: Emulator,
    token_env: dict[str, str],
    board_id: str,
    section_and_pin: tuple[str, str],
) -> None:
    section_id, pin_id = section_and_pin
    commands = {
        "boards delete": (board_id,),
        "boards sections delete": (board_id, section_id),
        "pins delete": (pin_id,),
    }
    emulator.clear_requests()
    for command, ids in commands.items():
        refused = cli(*command.split(), *ids, env=token_env, input="y\n")  # not a terminal
        assert refused.code == 2, refused.all
        assert refused.out == ""
        assert one_line(refused.err) and no_traceback(refused.err)
        assert refused.err.startswith(f"error: `pinkit {command}` would delete ")
        assert "pass --yes" in refused.err
    assert emulator.requests == []  # refused before anything was sent
    assert board_exists(emulator, board_id)

    for command, ids in reversed(commands.items()):
        done = cli(*command.split(), *ids, "--yes", env=token_env)
        assert done.code == 0, done.err
    assert not board_exists(emulator, board_id)


def test_bad_input_comes_before_the_question(cli: CLI, token_env: dict[str, str]) -> None:
    result = cli("boards", "delete", "not-an-id", env=token_env)
    assert result.code == 2
    assert "BOARD_ID must be digits, got 'not-an-id'" in result.err


class Terminal:
    """One tmux server on a private socket, with pinkit running in its only pane."""

    def __init__(self, tmp_path: Path, env: dict[str, str], args: list[str]) -> None:
        assert TMUX is not None
        self.socket = str(tmp_path / "tmux.sock")
        self.code_file = tmp_path / "exit-code"
        script = tmp_path / "run.sh"
        exports = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items())
        command = " ".join(shlex.quote(a) for a in [str(PINKIT), *args])
        # The shell survives a Ctrl-C meant for pinkit (a trap, which pinkit does not
        # inherit), to record its exit code.
        script.write_text(
            f"#!/bin/sh\ntrap : INT\n{exports}{command}\n"
            f"echo $? > {shlex.quote(str(self.code_file))}\nsleep 60\n"
        )
        script.chmod(0o755)
        self.tmux("new-session", "-d", "-x", "160", "-y", "20", str(script))

    def tmux(self, *args: str) -> str:
        assert TMUX is not None
        proc = subprocess.run(
            [TMUX, "-S", self.socket, *args], capture_output=True, text=True, timeout=10
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def wait_for(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never appeared; the screen:\n{self.screen()}")

    def exit_code(self, timeout: float = 20) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.code_file.exists() and self.code_file.read_text().strip():
                return int(self.code_file.read_text())
            time.sleep(0.05)
        raise AssertionError(f"pinkit did not exit; the screen:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run([str(TMUX), "-S", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[list[Terminal]]:
    opened: list[Terminal] = []
    yield opened
    for term in opened:
        term.close()


@needs_tmux
@pytest.mark.parametrize(
    ("keys", "code", "deleted"),
    [
        (["y", "Enter"], 0, True),
        (["n", "Enter"], 1, False),
        (["Enter"], 1, False),  # the default is no
        (["C-d"], 1, False),  # end of input: no
        (["C-c"], 130, False),
    ],
)
def test_on_a_terminal_deleting_asks_first(
    cli: CLI,
    emulator: Emulator,
    token_env: dict[str, str],
    board_id: str,
    terminal: list[Terminal],
    tmp_path: Path,
    keys: list[str],
    code: int,
    deleted: bool,
) -> None:
    term = Terminal(tmp_path, cli.full_env(token_env), ["boards", "delete", board_id])
    terminal.append(term)
    term.wait_for(f"Really delete board {board_id} and every pin on it? [y/N]:")
    assert board_exists(emulator, board_id)  # nothing happens before the answer
    term.tmux("send-keys", *keys)
    assert term.exit_code() == code
    screen = term.screen()
    assert "Traceback" not in screen
    assert board_exists(emulator, board_id) is not deleted
    if deleted:
        assert f"Deleted board {board_id}." in screen
    elif code == 1:
        assert f"error: not confirmed: did not delete board {board_id}" in screen


@needs_tmux
def test_pins_delete_asks_too(
    cli: CLI,
    emulator: Emulator,
    token_env: dict[str, str],
    section_and_pin: tuple[str, str],
    terminal: list[Terminal],
    tmp_path: Path,
) -> None:
    _section_id, pin_id = section_and_pin
    term = Terminal(tmp_path, cli.full_env(token_env), ["pins", "delete", pin_id])
    terminal.append(term)
    term.wait_for(f"Really delete pin {pin_id}? [y/N]:")
    term.tmux("send-keys", "y", "Enter")
    assert term.exit_code() == 0
    assert cli("pins", "get", pin_id, env=token_env).code == 1
