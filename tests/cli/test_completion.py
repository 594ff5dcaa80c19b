"""``pinkit completion bash|zsh|fish`` and the completions it drives."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from .conftest import CLI, PINKIT


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F _pinkit_completion pinkit"),
        ("zsh", "#compdef pinkit"),
        ("fish", "complete --no-files --command pinkit"),
    ],
)
def test_the_script_is_printed(cli: CLI, shell: str, marker: str) -> None:
    result = cli.sub("completion", shell)
    assert result.code == 0, result.err
    assert marker in result.out
    assert "_PINKIT_COMPLETE" in result.out


def test_an_unknown_shell_is_bad_input(cli: CLI) -> None:
    result = cli("completion", "tcsh")
    assert result.code == 2
    assert "tcsh" in result.err


def complete(cli: CLI, words: str, cword: int, shell: str = "bash") -> list[str]:
    env = {"COMP_WORDS": words, "COMP_CWORD": str(cword), "_PINKIT_COMPLETE": f"{shell}_complete"}
    result = cli.sub(env=env)
    assert result.code == 0, result.err
    return result.out.splitlines()


def test_bash_completes_commands_and_subcommands(cli: CLI) -> None:
    assert complete(cli, "pinkit bo", 1) == ["plain,boards"]
    assert complete(cli, "pinkit boards sections de", 3) == ["plain,delete"]
    assert "plain,--yes" in complete(cli, "pinkit pins delete 123 --y", 4)


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not found")
def test_the_bash_script_completes_in_bash(cli: CLI) -> None:
    """The printed script, loaded into a real bash, fills COMPREPLY."""
    script = (
        'eval "$("$0" completion bash)"; '
        "COMP_WORDS=(pinkit bo); COMP_CWORD=1; "
        '_pinkit_completion "$0"; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    proc = subprocess.run(
        ["bash", "--norc", "-c", script, str(PINKIT)],
        env=cli.full_env(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["boards"]
