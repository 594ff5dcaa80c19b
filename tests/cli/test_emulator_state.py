"""``--emulator-state FILE``: any command on any state file, with its own token; and the demo's
state, which its last hint looks at."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from .conftest import CLI, board_names, cli_token, no_traceback, one_line


# -- --emulator-state -------------------------------------------------------------------------
def test_emulator_state_picks_the_state_and_keeps_its_token_beside_it(
    cli: CLI, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.sqlite", tmp_path / "second.sqlite"
    assert cli("--emulator-state", str(first), "boards", "create", "In first").code == 0
    assert cli("boards", "create", "In second", "--emulator-state", str(second)).code == 0
    assert board_names(cli, "--emulator-state", str(first)) == ["In first"]
    assert board_names(cli, "--emulator-state", str(second)) == ["In second"]
    assert board_names(cli, "--emulator") == []  # the default state is another one

    first_token = tmp_path / "first.sqlite-tokens" / "default.json"
    second_token = tmp_path / "second.sqlite-tokens" / "default.json"
    assert first_token.read_text() != second_token.read_text()
    assert cli_token(cli)  # the default state's token is in the profile's usual place

    # A state deleted and made again never sees the token of the one before.
    first.unlink()
    assert board_names(cli, "--emulator-state", str(first)) == []

    # Naming the default state is the same as --emulator.
    default = cli.data_dir / "emulator.sqlite"
    assert cli("--emulator-state", str(default), "boards", "create", "Default").code == 0
    assert board_names(cli, "--emulator") == ["Default"]
    assert not (cli.data_dir / "emulator.sqlite-tokens").exists()

    missing = cli.sub("--emulator-state", str(tmp_path / "no" / "s.sqlite"), "boards", "list")
    assert missing.code == 2
    assert one_line(missing.err) and no_traceback(missing.err)
    assert not (tmp_path / "no").exists()


# -- the demo ---------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.timeout(300)  # two whole tours; on a loaded machine each can pass a minute
def test_the_demos_last_hint_shows_what_it_made(
    cli: CLI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for _ in range(2):  # the second tour starts afresh, not on top of the first
        tour = cli("demo")
        assert tour.code == 0, tour.err
        assert (tmp_path / "pinkit-demo" / "emulator.sqlite").is_file()
        hints = [line.strip() for line in tour.out.splitlines() if "boards list" in line]
        assert hints == ["pinkit --emulator-state pinkit-demo/emulator.sqlite boards list"]
        args = shlex.split(hints[0])[1:]
        shown = cli(*args, "--format", "json")
        assert shown.code == 0, shown.err
        boards = json.loads(shown.out)
        names = [board["name"] for board in boards]
        assert "Spring ideas" in names and len(names) == len(set(names)), names
        pins = cli("--emulator-state", "pinkit-demo/emulator.sqlite", "pins", "list")
        assert len(json.loads(pins.out)) == sum(board["pin_count"] for board in boards) > 0
    assert board_names(cli, "--emulator") == []  # the user's own state is left alone
