"""Exit codes scripts can rely on (the ones that no other test file owns), and their docs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from pinkit.emulator import Emulator

from .conftest import CLI, PINKIT

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


@pytest.mark.parametrize("fmt", ["ndjson", "json", "csv"])
def test_a_reader_that_goes_away_exits_141_quietly(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], fmt: str
) -> None:
    """`pinkit ... | head -1` with a real pipe: the list is far longer than the pipe's
    buffer, so pinkit is still writing when head exits."""
    board_id = emulator.seed_pins(3000)
    script = f'"$0" boards pins {board_id} --page-size 250 --format {fmt} | head -1; '
    script += 'exit "${PIPESTATUS[0]}"'
    env = cli.full_env(token_env)
    # With an unbuffered stdout, CPython drops the rest of a write the pipe cut short instead
    # of raising: csv (one big write) would never see the broken pipe. Buffered is the default.
    env.pop("PYTHONUNBUFFERED", None)
    proc = subprocess.run(
        ["bash", "-c", script, str(PINKIT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 141, proc.stderr
    assert proc.stderr == ""
    assert len(proc.stdout.splitlines()) == 1


def test_no_command_prints_the_help_and_exits_2(cli: CLI) -> None:
    result = cli.sub()
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("Usage: pinkit [OPTIONS] COMMAND [ARGS]...\n")
    assert "\nCommands:\n" in result.err  # the help as it is, not squeezed onto one line
    boards = cli("boards")
    assert boards.code == 2
    assert boards.err.startswith("Usage: pinkit boards [OPTIONS] COMMAND [ARGS]...\n")


def test_every_exit_code_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", section, re.MULTILINE)}
    assert documented == {0, 1, 2, 4, 130, 141, 143}
