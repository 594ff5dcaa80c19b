"""docs/cli-reference.md is what scripts/gen_cli_reference.py makes of the click app now."""

from __future__ import annotations

import difflib

import pytest

from tests.docs.markdown import ROOT
from tests.scripts import load_script

PAGE = ROOT / "docs" / "cli-reference.md"


def test_the_cli_reference_is_up_to_date() -> None:
    wanted = load_script("gen_cli_reference")["render"]()
    current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
    if current != wanted:
        diff = difflib.unified_diff(
            current.splitlines(), wanted.splitlines(), "checked in", "generated", lineterm="", n=1
        )
        shown = "\n".join(list(diff)[:40])
        hint = "docs/cli-reference.md is out of date: run python scripts/gen_cli_reference.py"
        pytest.fail(f"{hint}\n{shown}", pytrace=False)


def test_the_reference_covers_every_command() -> None:
    import click

    from pinkit.cli._app import cli

    text = PAGE.read_text(encoding="utf-8")
    ctx = click.Context(cli, info_name="pinkit")
    for name in cli.list_commands(ctx):
        assert f"## `pinkit {name}`" in text
    assert "## `pinkit ads campaigns create`" in text and "`--dry-run`" in text
