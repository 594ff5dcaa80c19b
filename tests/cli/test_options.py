"""Global options, profiles, ``--emulator`` persistence, the emulator/demo commands, and
import lightness."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import types
import urllib.request
from pathlib import Path

import pytest
from rich.console import Console

from pinkit.emulator import Emulator

from .conftest import CLI, no_traceback, one_line, scrubbed


@pytest.mark.parametrize(
    "args",
    [
        ("--format", "ndjson", "--emulator", "api", "GET", "/user_account"),
        ("api", "GET", "/user_account", "--format", "ndjson", "--emulator"),
        ("--emulator", "api", "--format", "ndjson", "GET", "/user_account"),
        ("--format", "table", "api", "GET", "/user_account", "--emulator", "--format", "ndjson"),
    ],
)
def test_global_options_before_or_after_the_command(cli: CLI, args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.code == 0, result.err
    assert json.loads(result.out)["username"] == "emulator_user"


def test_group_level_and_quiet(cli: CLI) -> None:
    loud = cli("--emulator", "auth", "login")
    assert "Logged in" in loud.err
    quiet = cli("auth", "--emulator", "login", "--quiet")
    assert quiet.code == 0
    assert quiet.err == ""


def test_emulator_state_persists_across_cli_runs(cli: CLI) -> None:
    first = cli.sub("--emulator", "api", "GET", "/user_account")
    assert first.code == 0, first.err
    tokens = cli.data_dir / "emulator-tokens" / "default.json"
    issued = tokens.read_text()
    state = cli.data_dir / "emulator.sqlite"
    assert state.exists()

    # Change the persisted state from outside, then read it back through a second CLI run.
    emu = Emulator(state_path=state)
    emu.seed_followers(4)
    emu.close()
    second = cli.sub(
        "--emulator", "--format", "ndjson", "api", "GET", "/user_account/followers", "--paginate"
    )
    assert second.code == 0, second.err
    assert len(second.out.splitlines()) == 4
    assert tokens.read_text() == issued  # the first run's token still works: same state


def test_profiles_and_precedence(cli: CLI, emulator: Emulator) -> None:
    token = emulator.issue_token().access_token
    cli.config_dir.mkdir(parents=True)
    (cli.config_dir / "config.toml").write_text(
        f'[profiles.work]\nbase_url = "{emulator.base_url}"\n'
        '[profiles.broken]\nbase_url = "http://127.0.0.1:9/v5"\n'
    )
    env = {"PINTEREST_ACCESS_TOKEN": token}
    assert cli("--profile", "work", "api", "GET", "/user_account", env=env).code == 0
    assert cli("api", "GET", "/user_account", env={**env, "PINKIT_PROFILE": "work"}).code == 0
    # the environment wins over the file; the command line wins over the environment
    env_wins = {**env, "PINTEREST_API_URI": emulator.base_url}
    assert cli("--profile", "broken", "api", "GET", "/user_account", env=env_wins).code == 0
    option_wins = {**env, "PINTEREST_API_URI": "http://127.0.0.1:9/v5"}
    result = cli("--base-url", emulator.base_url, "api", "GET", "/user_account", env=option_wins)
    assert result.code == 0

    bad = cli("--profile", "../etc", "api", "GET", "/user_account", env=env)
    assert bad.code == 2
    assert one_line(bad.err)


def test_broken_config_file_is_bad_input(cli: CLI) -> None:
    cli.config_dir.mkdir(parents=True)
    (cli.config_dir / "config.toml").write_text("[profiles.x\n")
    result = cli("api", "GET", "/user_account", env={"PINTEREST_ACCESS_TOKEN": "pina_x"})
    assert result.code == 2
    assert "config.toml" in result.err
    assert one_line(result.err)


def test_help_does_not_import_the_emulator(cli: CLI) -> None:
    code = (
        "import sys\n"
        "from pinkit.cli import run\n"
        "assert run(['--help']) == 0\n"
        "assert run(['api', '--help']) == 0\n"
        "assert run(['auth', 'login', '--help']) == 0\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn')"
        " or m.startswith('pinkit.emulator') or m == 'pinkit.demo']\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=cli.full_env(), capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert "pinkit api" in proc.stdout
    assert "--paginate" in proc.stdout

    script = cli.sub("--help")
    assert script.code == 0
    assert "auth" in script.out
    assert "emulator" in script.out


@pytest.mark.parametrize(
    ("command", "extra"), [(["emulator", "serve"], "emulator"), (["demo"], "demo")]
)
def test_a_command_without_its_extra(
    cli: CLI, tmp_path: Path, command: list[str], extra: str
) -> None:
    code = (
        "import sys\n"
        "sys.modules['starlette'] = None\n"
        "from pinkit.cli import run\n"
        f"sys.exit(run({command!r}))\n"
    )
    here = tmp_path / "here"
    here.mkdir()
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=cli.full_env(),
        capture_output=True,
        text=True,
        cwd=here,
    )
    assert proc.returncode == 2
    assert f"pip install 'pinkit[{extra}]'" in proc.stderr
    assert not list(here.iterdir())  # nothing made before the refusal
    assert one_line(proc.stderr)
    assert no_traceback(proc.stderr)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_emulator_serve(cli: CLI, tmp_path: Path) -> None:
    port = _free_port()
    state = tmp_path / "served.sqlite"
    proc = cli.popen("emulator", "serve", "--port", str(port), "--state", str(state))
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/oauth/", timeout=1):
                    break
            except urllib.error.HTTPError:
                break  # answered (400 without parameters): it is up
            except OSError:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "emulator did not start"
                time.sleep(0.05)
        token = Emulator(state_path=state)
        env = {
            "PINTEREST_ACCESS_TOKEN": token.issue_token().access_token,
            "PINTEREST_API_URI": f"http://127.0.0.1:{port}/v5",
        }
        token.close()
        result = cli("api", "GET", "/user_account", env=env)
        assert result.code == 0, result.err
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    assert state.exists()


def test_demo_runs_pinkit_demo_lazily(
    cli: CLI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the demo keeps its state in ./pinkit-demo
    seen: list[Console] = []
    fake = types.ModuleType("pinkit.demo")
    fake.STATE = "emulator.sqlite"  # type: ignore[attr-defined]
    fake.run = lambda console, out: (seen.append(console), console.print(f"demo ran in {out}"))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pinkit.demo", fake)
    result = cli("demo")
    assert result.code == 0, result.err
    assert "demo ran in pinkit-demo" in result.out
    assert isinstance(seen[0], Console)


def test_version_and_scrubbed_env(cli: CLI) -> None:
    result = cli("--version")
    assert result.code == 0
    assert result.out.startswith("pinkit ")
    assert not any(k.startswith("PINTEREST_") for k in scrubbed())


def test_a_state_file_that_is_not_one_is_refused_with_exit_2(cli: CLI, tmp_path: Path) -> None:
    state = tmp_path / "notes.txt"
    state.write_text("shopping list\n" * 100)
    result = cli.sub("emulator", "serve", "--port", "0", "--state", str(state))
    assert result.code == 2
    assert one_line(result.err) and no_traceback(result.err)
    assert "not a pinkit emulator state" in result.err
    assert state.read_text() == "shopping list\n" * 100
