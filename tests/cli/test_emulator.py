"""``pinkit emulator serve|status|reset``, and the first use of a state by many processes at
once."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest

import pinkit
import pinkit.cli.emulator as emulator_cli

from .conftest import CLI, board_names, cli_token, no_traceback, one_line

URL = re.compile(r"http://127\.0\.0\.1:(\d+)/v5")


@contextmanager
def served(cli: CLI, *args: str) -> Iterator[str]:
    """``pinkit emulator serve --port 0 ARGS`` in a subprocess: its first line on stdout."""
    proc = cli.popen("emulator", "serve", "--port", "0", *args)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().rstrip("\n")
        assert proc.poll() is None, proc.communicate()
        yield first
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)


# -- serve -----------------------------------------------------------------------------------
def test_serve_shares_the_cli_state_and_prints_its_url_first(cli: CLI) -> None:
    made = cli("--emulator", "boards", "create", "Made from the CLI")
    assert made.code == 0, made.err
    with served(cli) as first:
        match = URL.fullmatch(first)  # the first line is the base URL and nothing else
        assert match, first
        assert int(match.group(1)) != 0  # --port 0: the port actually bound
        answer = httpx2.get(
            f"{first}/boards", headers={"Authorization": f"Bearer {cli_token(cli)}"}
        )
        assert answer.status_code == 200, answer.text
        assert [b["name"] for b in answer.json()["items"]] == ["Made from the CLI"]


def test_serve_memory_is_a_throwaway_state(cli: CLI) -> None:
    assert cli("--emulator", "boards", "create", "Kept").code == 0
    with served(cli, "--memory") as base_url:
        assert URL.fullmatch(base_url), base_url
        token = httpx2.post(base_url.removesuffix("/v5") + "/_emulator/tokens", json={}).json()
        boards = httpx2.get(
            f"{base_url}/boards", headers={"Authorization": f"Bearer {token['access_token']}"}
        )
        assert boards.status_code == 200
        assert boards.json()["items"] == []
    assert board_names(cli, "--emulator") == ["Kept"]
    refused = cli("emulator", "serve", "--memory", "--state", str(cli.data_dir / "x.sqlite"))
    assert refused.code == 2 and one_line(refused.err)


def test_serve_keeps_its_request_records_within_their_limit(cli: CLI) -> None:
    with served(cli, "--memory", "--record-limit-mb", "1") as base_url:
        origin = base_url.removesuffix("/v5")
        token = httpx2.post(f"{origin}/_emulator/tokens", json={}).json()["access_token"]
        now = int(httpx2.get(f"{origin}/_emulator/clock").json()["now"])
        with pinkit.Client(token, base_url=base_url) as client:
            account = next(iter(client.ad_accounts.list())).id
            assert account is not None
            events = (
                {
                    "event_name": "checkout",
                    "action_source": "web",
                    "event_time": now - 60,
                    "event_id": f"order-{i}",
                    "user_data": {"em": f"buyer.{i}@example.com"},
                }
                for i in range(6000)
            )
            summary = client.conversions.send_bulk(account, events, concurrency=1)
        assert summary.processed == 6000
        kept = httpx2.get(f"{origin}/_emulator/requests").json()
        sent = [r for r in kept if r["operation_id"] == "events/create"]
        # six bodies of about 200 kB and their answers are more than 1 MB: the oldest went
        assert 1 <= len(sent) < 6
        assert json.loads(sent[-1]["body"])["data"][-1]["event_id"] == "order-5999"
        kept_bytes = sum(len(r["body"]) + len(r["response_body"]) for r in kept)
        assert kept_bytes <= 2**20
        everything = httpx2.get(
            f"{origin}/_emulator/conversions", params={"ad_account_id": account}
        )
        assert len(everything.json()) == 6000  # the records are a log: the state keeps all
    refused = cli("emulator", "serve", "--memory", "--record-limit-mb", "0")
    assert refused.code == 2 and one_line(refused.err)


def test_serve_help_names_the_state_file_used(cli: CLI, tmp_path: Path) -> None:
    shown = cli("emulator", "serve", "--help")
    assert shown.code == 0
    lines = [line.strip() for line in shown.out.splitlines()]
    assert str(cli.data_dir / "emulator.sqlite") in lines  # whole, on a line of its own
    assert "--memory" in shown.out
    other = tmp_path / "other.sqlite"
    for command in ("serve", "status", "reset"):
        chosen = cli("--emulator-state", str(other), "emulator", command, "--help")
        assert str(other) in [line.strip() for line in chosen.out.splitlines()]


def _listening_port() -> tuple[socket.socket, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock, int(sock.getsockname()[1])


@pytest.mark.parametrize("case", ["port in use", "unknown host", "missing folder", "not sqlite"])
def test_serve_refuses_in_one_line_with_exit_2(cli: CLI, tmp_path: Path, case: str) -> None:
    busy, port = _listening_port()
    args = ["--port", "0"]
    if case == "port in use":
        args = ["--port", str(port)]
    elif case == "unknown host":
        args += ["--host", "no-such-host.invalid"]
    elif case == "missing folder":
        args += ["--state", str(tmp_path / "missing" / "state.sqlite")]
    else:
        (tmp_path / "notes.sqlite").write_text("not a database\n" * 200)
        args += ["--state", str(tmp_path / "notes.sqlite")]
    try:
        result = cli.sub("emulator", "serve", *args)
    finally:
        busy.close()
    assert result.code == 2, result.all
    assert result.out == ""  # no URL: nothing is served
    assert one_line(result.err) and no_traceback(result.err), result.err
    assert result.err.startswith("error: ")
    assert not (tmp_path / "missing").exists()


# -- status and reset -------------------------------------------------------------------------
def test_status_describes_the_shared_state(cli: CLI, tmp_path: Path) -> None:
    before = cli("emulator", "status", "--format", "json")
    assert before.code == 0, before.err
    info = json.loads(before.out)
    assert info["state"] == str(cli.data_dir / "emulator.sqlite")
    assert info["exists"] is False
    assert not (cli.data_dir / "emulator.sqlite").exists()  # status made nothing

    for name in ("One", "Two"):
        assert cli("--emulator", "boards", "create", name).code == 0
    info = json.loads(cli("emulator", "status", "--format", "json").out)
    assert info["exists"] is True
    assert info["size_bytes"] > 0
    assert info["counts"]["board"] == 2
    assert info["counts"]["user"] >= 1
    assert info["counts"]["access_token"] >= 1
    assert info["cli_url"] == "http://emulator.local/v5"
    assert info["serve_url"] == "http://127.0.0.1:8080/v5"
    assert info["serve_command"] == "pinkit emulator serve"

    other = tmp_path / "other.sqlite"
    assert cli("--emulator-state", str(other), "boards", "create", "Elsewhere").code == 0
    for args in (("--emulator-state", str(other)), ("--state", str(other))):
        moved = json.loads(cli("emulator", "status", *args, "--format", "json").out)
        assert moved["state"] == str(other)
        assert moved["counts"]["board"] == 1
        assert moved["cli_option"] == f"--emulator-state {other}"
        assert moved["serve_command"] == f"pinkit emulator serve --state {other}"

    table = cli("emulator", "status", "--format", "table", env={"COLUMNS": "300"})
    assert str(cli.data_dir / "emulator.sqlite") in table.out


def test_reset_asks_or_needs_yes(cli: CLI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("--emulator", "boards", "create", "Doomed").code == 0

    refused = cli.sub("emulator", "reset", input="y\n")  # stdin is not a terminal
    assert refused.code == 2
    assert one_line(refused.err) and "--yes" in refused.err
    assert board_names(cli, "--emulator") == ["Doomed"]

    monkeypatch.setattr(emulator_cli, "_stdin_is_terminal", lambda: True)
    declined = cli("emulator", "reset", input="n\n")
    assert declined.code == 1
    assert board_names(cli, "--emulator") == ["Doomed"]
    accepted = cli("emulator", "reset", input="y\n")
    assert accepted.code == 0, accepted.err
    assert board_names(cli, "--emulator") == []  # and the CLI's token was issued afresh

    assert cli("--emulator", "boards", "create", "Again").code == 0
    done = cli.sub("emulator", "reset", "--yes")
    assert done.code == 0, done.err
    assert board_names(cli, "--emulator") == []

    other = tmp_path / "other.sqlite"
    assert cli("--emulator-state", str(other), "boards", "create", "Other").code == 0
    assert cli("--emulator", "boards", "create", "Default").code == 0
    assert cli("--emulator-state", str(other), "emulator", "reset", "--yes").code == 0
    assert board_names(cli, "--emulator-state", str(other)) == []
    assert board_names(cli, "--emulator") == ["Default"]
    assert cli("emulator", "reset", "--state", str(other), "--yes").code == 0

    nothing = cli("emulator", "reset", "--state", str(tmp_path / "none.sqlite"))
    assert nothing.code == 0
    assert not (tmp_path / "none.sqlite").exists()


# -- first use by many processes at once ------------------------------------------------------
# One process imports pinkit, then forks eight that wait on a pipe and are released together:
# they all make the fresh state at the same moment (separate ``pinkit`` scripts would spread
# out over their start-up time, and take a second of CPU each).
_FORKED_RUNS = """
import json, os, sys
from pinkit.cli import run

warm, *trials = sys.argv[1:]
os.environ["PINKIT_DATA_DIR"] = warm
assert run(["--emulator", "--quiet", "boards", "list"]) == 0  # every lazy import done once
results = []
for data_dir in trials:
    os.environ["PINKIT_DATA_DIR"] = data_dir
    gate_r, gate_w = os.pipe()
    children = []
    for n in range(8):
        pid = os.fork()
        if pid == 0:
            log = os.open(os.path.join(data_dir, f"run-{n}.log"), os.O_WRONLY | os.O_CREAT)
            os.dup2(log, 1)
            os.dup2(log, 2)
            os.close(gate_w)
            os.read(gate_r, 1)
            os._exit(run(["--emulator", "boards", "create", f"board-{n}"]))
        children.append(pid)
    os.write(gate_w, b"g" * 8)
    codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
    results.append(codes)
print(json.dumps(results))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_first_use_by_eight_processes_at_once(cli: CLI, tmp_path: Path) -> None:
    trials = [tmp_path / f"trial-{n}" for n in range(5)]
    for data_dir in trials:
        data_dir.mkdir()
    proc = subprocess.run(
        [sys.executable, "-c", _FORKED_RUNS, str(tmp_path / "warm"), *map(str, trials)],
        env=cli.full_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    outcomes = json.loads(proc.stdout.splitlines()[-1])  # after the warm-up run's output
    for data_dir, codes in zip(trials, outcomes, strict=True):
        logs = {p.name: p.read_text() for p in data_dir.glob("run-*.log")}
        failed = {name: text for name, text in logs.items() if "error" in text}
        assert codes == [0] * 8, failed
        names = board_names(cli, "--emulator", env={"PINKIT_DATA_DIR": str(data_dir)})
        assert sorted(names) == [f"board-{n}" for n in range(8)]
