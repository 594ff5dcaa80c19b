"""``pinkit customer-lists`` against the emulator: files of records (lines or a CSV column),
bad records listed with their line (exit 2, nothing sent), requests of 1,900, sync with its
ledger, waiting, and the conversion-token message."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from pinkit.cli.customer_lists import _progress
from pinkit.emulator import Emulator
from pinkit.emulator.areas.customer_lists.rules import MATCH_SECONDS

from .conftest import CLI, Terminal, no_traceback, one_line

IDFA = "6d92078a-8246-4ba4-ae5b-76104861e7dc"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def env(emulator: Emulator, token_env: dict[str, str]) -> dict[str, str]:
    return {**token_env, "PINTEREST_AD_ACCOUNT_ID": emulator.default_ad_account_id}


def emails_file(tmp_path: Path, count: int, start: int = 0, name: str = "emails.txt") -> Path:
    path = tmp_path / name
    path.write_text("".join(f"Person{i}@Example.com\n" for i in range(start, start + count)))
    return path


def writes(emulator: Emulator) -> list[tuple[str, int]]:
    """``(operation, number of records)`` of each customer-list write the emulator answered."""
    out = []
    for record in emulator.requests:
        if record.operation_id in ("customer_lists/create", "customer_lists/update"):
            body = record.json()
            out.append((body.get("operation_type", "CREATE"), len(body["records"].split(","))))
    return out


def made_list(cli: CLI, env: dict[str, str], path: Path, *args: str) -> dict[str, Any]:
    result = cli("customer-lists", "create", str(path), "--name", "Customers", *args, env=env)
    assert result.code == 0, result.err
    summary: dict[str, Any] = json.loads(result.out)
    return summary


def test_create_from_a_file_in_requests_of_1900(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    path = emails_file(tmp_path, 4_000)
    result = cli("customer-lists", "create", str(path), "--name", "Customers", env=env)
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert {k: summary[k] for k in ("name", "status", "sent", "requests", "bad")} == {
        "name": "Customers",
        "status": "PROCESSING",
        "sent": 4_000,
        "requests": 3,
        "bad": 0,
    }
    assert "created customer list" in result.err and "4000 records in 3 requests" in result.err
    assert writes(emulator) == [("CREATE", 1_900), ("ADD", 1_900), ("ADD", 200)]
    smaller = cli(
        "customer-lists", "create", str(path), "--name", "C", "--chunk-size", "1500", env=env
    )
    assert smaller.code == 0 and json.loads(smaller.out)["requests"] == 3
    assert writes(emulator)[3:] == [("CREATE", 1_500), ("ADD", 1_500), ("ADD", 1_000)]


def test_a_bad_record_is_listed_with_its_line_and_nothing_is_sent(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "emails.txt"
    path.write_text("a@example.com\nnobody\n\nb@example.com\nx@example.com,y@example.com\n")
    result = cli("customer-lists", "create", str(path), "--name", "C", env=env)
    assert result.code == 2 and no_traceback(result.err)
    assert result.out == ""
    assert result.err.splitlines() == [
        "error: emails.txt line 2: the e-mail address has no @",
        "error: emails.txt line 5: the record holds a comma, which separates records",
        f"error: 2 bad records in {path}; nothing was sent (--skip-bad sends the others)",
    ]
    assert writes(emulator) == []
    skipped = cli("customer-lists", "create", str(path), "--name", "C", "--skip-bad", env=env)
    assert skipped.code == 0, skipped.err
    assert "warning: emails.txt line 2: the e-mail address has no @ (not sent)" in skipped.err
    summary = json.loads(skipped.out)
    assert (summary["sent"], summary["bad"], summary["blank"]) == (2, 2, 1)
    assert writes(emulator) == [("CREATE", 2)]


def test_a_csv_column_and_a_list_type(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "devices.csv"
    path.write_text(f"user,idfa\nann,{IDFA}\nbob,not-an-id\n")
    bad = cli(
        "customer-lists", "create", str(path), "--name", "D", "--column", "idfa",
        "--list-type", "idfa", env=env,
    )  # fmt: skip
    assert bad.code == 2
    assert "error: devices.csv row 3: not a mobile advertising id" in bad.err
    good = tmp_path / "good.csv"
    good.write_text(f"user,idfa\nann,{IDFA}\n")
    made = made_list(cli, env, good, "--column", "idfa", "--list-type", "IDFA")
    assert made["sent"] == 1
    body = next(r.json() for r in emulator.requests if r.operation_id == "customer_lists/create")
    assert (body["list_type"], body["records"]) == ("IDFA", sha(IDFA.upper()))
    create = ("customer-lists", "create", str(good), "--name", "D")
    missing = cli(*create, "--column", "email", env=env)
    assert missing.code == 2 and "no column 'email'" in missing.err and one_line(missing.err)
    unknown = cli(*create, "--list-type", "X", env=env)
    assert unknown.code == 2 and "list_type must be one of EMAIL" in unknown.err


def test_add_remove_and_get(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    list_id = made_list(cli, env, emails_file(tmp_path, 10))["customer_list_id"]
    more = emails_file(tmp_path, 5, 100, "more.txt")
    added = cli("customer-lists", "add", list_id, str(more), env=env)
    assert added.code == 0, added.err
    assert json.loads(added.out)["operation"] == "ADD" and "added 5 records (ADD)" in added.err
    removed = cli("customer-lists", "remove", list_id, str(more), env=env)
    assert removed.code == 0 and json.loads(removed.out)["operation"] == "REMOVE"
    assert writes(emulator) == [("CREATE", 10), ("ADD", 5), ("REMOVE", 5)]
    got = cli("customer-lists", "get", list_id, env=env)
    assert json.loads(got.out)["num_removed_user_records"] == 5
    listed = cli("customer-lists", "list", "--format", "ndjson", env=env)
    assert [json.loads(line)["id"] for line in listed.out.splitlines()] == [list_id]
    bad_id = cli("customer-lists", "add", "L1", str(more), env=env)
    assert bad_id.code == 2 and "must be digits" in bad_id.err


def test_sync_twice_sends_nothing_the_second_time(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    list_id = made_list(cli, env, emails_file(tmp_path, 1, 0, "one.txt"))["customer_list_id"]
    source = emails_file(tmp_path, 3_000)
    ledger = tmp_path / "customers.ledger"
    args = ("customer-lists", "sync", list_id, str(source), "--ledger", str(ledger))
    first = cli(*args, env=env)
    assert first.code == 0, first.err
    assert (json.loads(first.out)["added"], json.loads(first.out)["requests"]) == (3_000, 2)
    emulator.clear_requests()
    second = cli(*args, env=env)
    assert second.code == 0, second.err
    assert json.loads(second.out)["requests"] == 0
    assert "in step already: 3000 records; nothing sent" in second.err
    assert writes(emulator) == []
    emails_file(tmp_path, 2_990, 10)  # ten people left
    third = cli(*args, env=env)
    assert json.loads(third.out)["removed"] == 10
    assert writes(emulator) == [("REMOVE", 10)]
    other = made_list(cli, env, source)["customer_list_id"]
    wrong = cli("customer-lists", "sync", other, str(source), "--ledger", str(ledger), env=env)
    assert wrong.code == 2 and f"is for customer list {list_id}" in wrong.err
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    refused = cli("customer-lists", "sync", list_id, str(empty), "--ledger", str(ledger), env=env)
    assert refused.code == 2 and "allow_empty" in refused.err
    emptied = cli(
        "customer-lists", "sync", list_id, str(empty), "--ledger", str(ledger), "--allow-empty",
        env=env,
    )  # fmt: skip
    assert emptied.code == 0 and json.loads(emptied.out)["removed"] == 2_990


def test_wait_for_the_match(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    list_id = made_list(cli, env, emails_file(tmp_path, 300))["customer_list_id"]
    emulator.clock.advance(MATCH_SECONDS)
    ready = cli("customer-lists", "wait", list_id, env=env)
    assert ready.code == 0, ready.err
    assert json.loads(ready.out)["status"] == "READY"
    small = made_list(cli, env, emails_file(tmp_path, 10, 1_000, "few.txt"))["customer_list_id"]
    emulator.clock.advance(MATCH_SECONDS)
    too_small = cli("customer-lists", "wait", small, env=env)
    assert too_small.code == 0 and json.loads(too_small.out)["status"] == "TOO_SMALL"
    assert "too small to target" in too_small.err
    late = made_list(cli, env, emails_file(tmp_path, 10, 2_000, "late.txt"))["customer_list_id"]
    gave_up = cli("customer-lists", "wait", late, "--timeout", "0", env=env)
    assert gave_up.code == 1 and "still PROCESSING after 0s" in gave_up.err


def test_a_conversion_token_is_told_to_log_in(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    token_env = {**env, "PINTEREST_ACCESS_TOKEN": emulator.issue_conversion_token()}
    path = emails_file(tmp_path, 3)
    for args in (
        ("customer-lists", "create", str(path), "--name", "C"),
        ("customer-lists", "list"),
        ("customer-lists", "get", "123"),
    ):
        result = cli(*args, env=token_env)
        assert result.code == 1 and one_line(result.err), result.err
        assert "customer lists need an OAuth login" in result.err
        assert "pinkit auth login" in result.err


def test_no_ad_account_is_bad_input(cli: CLI, token_env: dict[str, str], tmp_path: Path) -> None:
    result = cli("customer-lists", "create", str(emails_file(tmp_path, 1)), "--name", "C",
                 env=token_env)  # fmt: skip
    assert result.code == 2 and "--ad-account" in result.err


def test_progress_follows_the_requests() -> None:
    class Bar:
        def __init__(self) -> None:
            self.updates: list[tuple[Any, ...]] = []

        def update(self, completed: Any = None, **fields: Any) -> None:
            self.updates.append((completed, fields["total"], fields["description"]))

    from pinkit.customer_lists import UploadProgress

    bar = Bar()
    update = _progress(bar, "sending")  # type: ignore[arg-type]
    update(UploadProgress(1_900, 4_000, 1, "ADD"))
    update(UploadProgress(4_000, 4_000, 2, "ADD"))
    assert bar.updates == [
        (1_900, 4_000, "sending records"),
        (4_000, 4_000, "sending records"),
    ]


def test_no_progress_line_is_left_on_a_terminal(
    terminal: Terminal, env: dict[str, str], tmp_path: Path
) -> None:
    path = emails_file(tmp_path, 5_000)
    screen = terminal.run("customer-lists", "create", str(path), "--name", "Customers", env=env)
    assert screen.code == 0, screen.text
    assert "created customer list" in screen.text
    assert "uploading" not in screen.text and "sending records" not in screen.text, screen.text
    bars = [
        line
        for line in screen.lines
        if ("━" in line or "/4" in line) and not line.startswith(("┏", "┃", "┡", "│", "└"))
    ]
    assert bars == [], screen.text
