"""Startup: command modules load when they are invoked, and ``pinkit --help`` is answered
from pre-rendered pages identical to click's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest

from pinkit.cli._app import COMMANDS

from .conftest import CLI, PINKIT

ROOT = Path(__file__).resolve().parents[2]
COMMAND_MODULES = {f"pinkit.cli.{name}" for name in COMMANDS}
#: What the command modules bring in (the login listener, the publisher, the HTTP stack).
HEAVY = {"pinkit.cli._login", "pinkit.cli._publish", "http.server", "httpx2", "pinkit._client"}


def imported_by(cli: CLI, code: str) -> set[str]:
    """The modules a fresh interpreter has imported after running ``code``."""
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))\n"
    proc = subprocess.run(
        [sys.executable, "-c", probe], env=cli.full_env(), capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split("\n"))


def test_the_script_answers_help_without_importing_click_or_any_command(cli: CLI) -> None:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", str(PINKIT), "--help"],
        env=cli.full_env(),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines()}
    assert "pinkit.cli._entry" in imported  # the probe works
    assert not imported & (COMMAND_MODULES | HEAVY | {"click", "rich", "pinkit.cli._app"})
    for name in COMMANDS:
        assert f"\n  {name} " in proc.stdout  # complete: every command, with its help


def test_the_root_help_through_click_imports_no_command_module(cli: CLI) -> None:
    code = "from pinkit.cli import run\nassert run(['--help']) == 0"
    assert not imported_by(cli, code) & (COMMAND_MODULES | HEAVY)


def test_a_group_imports_only_its_own_module(cli: CLI) -> None:
    imported = imported_by(cli, "from pinkit.cli import run\nassert run(['boards', '--help']) == 0")
    assert "pinkit.cli.boards" in imported
    assert not imported & (COMMAND_MODULES - {"pinkit.cli.boards"})


@pytest.mark.parametrize("columns", ["200", "100", "80", "120", "64"])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_the_pre_rendered_help_is_what_click_prints(cli: CLI, columns: str, flag: str) -> None:
    """The console script (a pre-rendered page, or click at a width with none) prints what
    the click application prints, at every width."""
    script = cli.sub(flag, env={"COLUMNS": columns})
    through_click = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; from pinkit.cli import run; sys.exit(run([{flag!r}]))",
        ],
        env=cli.full_env({"COLUMNS": columns}),
        capture_output=True,
        text=True,
    )
    assert script.code == through_click.returncode == 0
    assert script.out == through_click.stdout
    assert script.err == through_click.stderr == ""


def test_the_pre_rendered_pages_are_up_to_date() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_cli_help.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_listed_summary_is_the_command_s_own(name: str) -> None:
    summary, load = COMMANDS[name]
    command = load()
    assert command.name == name
    for limit in (30, 45, 70, 200):
        listed = click.Command(name, help=summary).get_short_help_str(limit)
        assert listed == command.get_short_help_str(limit), (name, limit)
