"""``--emulator-state FILE``: any command on any state file, with its own token; and the demo's
state, which its last hint looks at."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from .conftest import CLI, Tour, board_names, cli_token, no_traceback, one_line


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
@pytest.mark.timeout(300)  # the session's tour may be run here first
def test_the_demos_last_hint_shows_what_it_made(
    demo_tour: Tour, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert demo_tour.result.code == 0, demo_tour.result.err
    monkeypatch.chdir(demo_tour.folder)
    hints = [
        shlex.split(line.split("   (")[0])
        for line in demo_tour.result.out.splitlines()
        if "--emulator-state" in line
    ]
    state = ["pinkit", "--emulator-state", "pinkit-demo/emulator.sqlite"]
    assert hints and all(hint[:3] == state for hint in hints), hints
    commands = [" ".join(hint[3:]) for hint in hints]
    assert commands[:2] == ["boards list", "pins list"]
    assert "emulator serve" in commands
    for hint in hints:
        if hint[3:] == ["emulator", "serve"]:
            continue  # serves until stopped: the emulator tests cover it
        shown = demo_tour.cli(*hint[1:], "--format", "json")
        doctor = hint[3:5] == ["conversions", "doctor"]  # exit 1: it found something
        assert shown.code == (1 if doctor else 0), (hint, shown.err)
        assert json.loads(shown.out), hint  # each shows something the tour made
    boards = json.loads(demo_tour.cli(*state[1:], "boards", "list", "--format", "json").out)
    assert [board["name"] for board in boards] == ["Spring ideas"]  # not the leftover one
    pins = json.loads(demo_tour.cli(*state[1:], "pins", "list", "--format", "json").out)
    assert len(pins) == sum(board["pin_count"] for board in boards) == 2
    assert board_names(demo_tour.cli, "--emulator") == []  # the user's own state is left alone
