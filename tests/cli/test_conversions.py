"""``pinkit conversions send | replay | doctor`` against the emulator over HTTP: CSV and JSONL
files, rejects with their lines, checkpoints and --resume, test mode, the 422 and mixed
paths, the hashing warning, and the doctor's findings (never a value)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from pinkit.conversions import sha256_hex
from pinkit.emulator import Emulator
from tests.cli.conftest import CLI, no_traceback

DAY = 86400
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
HEADER = ["event_name", "action_source", "event_time", "event_id", "em", "ph",
          "client_ip_address", "client_user_agent", "external_id", "click_id", "value",
          "currency", "order_id", "content_ids"]  # fmt: skip


def row(emu: Emulator, i: int, **over: Any) -> dict[str, Any]:
    base = {
        "event_name": "checkout",
        "action_source": "web",
        "event_time": int(emu.clock.now()) - 60,
        "event_id": f"ev-{i}",
        "em": f" Buyer.{i}@Example.COM ",
        "ph": "+1 (650) 555-1212",
        "client_ip_address": "203.0.113.7",
        "client_user_agent": UA,
        "external_id": f"user-{i}",
        "click_id": f"dj0yJnU9{i}",
        "value": "19.99",
        "currency": "USD",
        "order_id": f"order-{i}",
        "content_ids": "sku-1|sku-2",
    }
    base.update(over)
    return base


def write_csv(path: Path, rows: list[dict[str, Any]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def rejects_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def env(emulator: Emulator, token_env: dict[str, str]) -> dict[str, str]:
    return {**token_env, "PINTEREST_AD_ACCOUNT_ID": emulator.default_ad_account_id}


def test_send_csv_every_event_delivered(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "orders.csv", [row(emulator, i) for i in range(50)])
    result = cli("conversions", "send", str(source), "--format", "json", env=env)
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert (summary["received"], summary["processed"], summary["rejected"]) == (50, 50, 0)
    assert summary["hashing"]["em"] == {"hashed": 0, "raw": 50}
    assert "50 events read, 50 processed, 0 rejected" in result.err
    kept = emulator.conversion_events(emulator.default_ad_account_id)
    assert [e["event_id"] for e in kept] == [f"ev-{i}" for i in range(50)]
    first = kept[0]
    assert first["user_data"]["em"] == [sha256_hex("buyer.0@example.com")]  # trimmed, lowered
    assert first["user_data"]["ph"] == [sha256_hex("16505551212")]
    assert first["user_data"]["external_id"] == [sha256_hex("user-0")]
    assert first["user_data"]["click_id"] == "dj0yJnU9" + "0"  # never hashed
    assert first["custom_data"] == {
        "value": "19.99", "currency": "USD", "order_id": "order-0",
        "content_ids": ["sku-1", "sku-2"],
    }  # fmt: skip
    assert not (tmp_path / "orders.csv.rejects.jsonl").exists()
    assert json.loads((tmp_path / "orders.csv.checkpoint").read_text())["complete"]


def test_bad_rows_go_to_the_rejects_file_with_their_lines(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    now = int(emulator.clock.now())
    rows = [row(emulator, i) for i in range(6)]
    rows[1]["em"] = "nobody-at-example.com"
    rows[2]["event_time"] = (now - 60) * 1000  # milliseconds
    rows[4]["event_time"] = "yesterday"  # a cell that is no time at all
    source = write_csv(tmp_path / "orders.csv", rows)
    result = cli("conversions", "send", str(source), "--format", "json", env=env)
    assert result.code == 1, result.err
    rejects_file = tmp_path / "orders.csv.rejects.jsonl"
    rejects = rejects_of(rejects_file)
    assert [(r["index"], r["line"], r["kind"]) for r in rejects] == [
        (1, 3, "invalid"), (2, 4, "invalid"), (4, 6, "invalid"),
    ]  # fmt: skip
    assert rejects[0]["reason"] == "user_data.em has no @"
    assert "milliseconds" in rejects[1]["reason"]
    assert rejects[2]["reason"].startswith("column event_time is not Unix seconds")
    assert rejects[2]["event"]["event_time"] == "yesterday"  # the row as read
    summary = json.loads(result.out)
    assert summary["invalid"] == 3 and summary["processed"] == 3
    assert f"3 rejected (3 invalid; in {rejects_file})" in result.err
    assert len(emulator.conversion_events(emulator.default_ad_account_id)) == 3


def test_input_errors_exit_2_before_sending(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    header = [*HEADER, "emial"]
    typo = write_csv(tmp_path / "typo.csv", [row(emulator, 0)], header)
    result = cli("conversions", "send", str(typo), env=env)
    assert result.code == 2 and "unknown column 'emial'" in result.err
    assert no_traceback(result.err)
    result = cli("conversions", "send", "-", "--resume", env=env, input="")
    assert result.code == 2 and "--resume needs a file" in result.err
    result = cli("conversions", "send", str(tmp_path / "missing.csv"), env=env)
    assert result.code == 2 and "no such file" in result.err
    assert [r for r in emulator.requests if r.operation_id == "events/create"] == []


def test_an_existing_checkpoint_needs_resume(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "orders.csv", [row(emulator, i) for i in range(5)])
    assert cli("conversions", "send", str(source), env=env).code == 0
    again = cli("conversions", "send", str(source), env=env)
    assert again.code == 2
    assert "pass --resume to go on where it stopped, or remove it" in again.err
    resumed = cli("conversions", "send", str(source), "--resume", "--format", "json", env=env)
    assert resumed.code == 0 and json.loads(resumed.out)["received"] == 5
    assert len([r for r in emulator.requests if r.operation_id == "events/create"]) == 1


def test_jsonl_from_stdin(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    now = int(emulator.clock.now())
    lines = [
        json.dumps({"event_name": "lead", "action_source": "web", "event_time": now - 5,
                    "event_id": f"l-{i}", "user_data": {"em": f"u{i}@example.com"}})
        for i in range(3)
    ]  # fmt: skip
    lines.insert(1, "not json")
    result = cli(
        "conversions", "send", "-", "--rejects", str(tmp_path / "r.jsonl"), "--format", "json",
        env=env, input="\n".join(lines) + "\n",
    )  # fmt: skip
    assert result.code == 1, result.err
    (reject,) = rejects_of(tmp_path / "r.jsonl")
    assert (reject["line"], reject["reason"]) == (2, "the line is not valid JSON")
    assert json.loads(result.out)["processed"] == 3


def test_mixed_result_and_422(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    now = int(emulator.clock.now())
    old = now - 6 * DAY  # fine by this machine's clock; too old once the emulator moves on
    mixed = [row(emulator, i, event_time=old if i % 2 else now - 60) for i in range(6)]
    emulator.advance_clock(2 * DAY)
    source = write_csv(tmp_path / "mixed.csv", mixed)
    result = cli("conversions", "send", str(source), "--format", "json", env=env)
    assert result.code == 1, result.err
    rejects = rejects_of(tmp_path / "mixed.csv.rejects.jsonl")
    assert [(r["line"], r["kind"]) for r in rejects] == [
        (3, "refused"),
        (5, "refused"),
        (7, "refused"),
    ]
    assert "in the past" in rejects[0]["reason"]
    assert rejects[0]["event"]["user_data"]["em"] == [sha256_hex("buyer.1@example.com")]
    assert json.loads(result.out)["processed"] == 3

    # every event of the request refused: Pinterest's 422 (code 953), the same per-event result
    refused = write_csv(tmp_path / "old.csv", [row(emulator, i, event_time=old) for i in range(3)])
    result = cli("conversions", "send", str(refused), "--format", "json", env=env)
    assert result.code == 1, result.err
    statuses = [r.status for r in emulator.requests if r.operation_id == "events/create"]
    assert statuses[-1] == 422
    assert [r["kind"] for r in rejects_of(tmp_path / "old.csv.rejects.jsonl")] == ["refused"] * 3
    assert json.loads(result.out)["refused"] == 3


def test_test_mode(cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path) -> None:
    source = write_csv(tmp_path / "orders.csv", [row(emulator, i) for i in range(45)])
    result = cli("conversions", "send", str(source), "--test", "--format", "json", env=env)
    assert result.code == 0, result.err
    requests = [r for r in emulator.requests if r.operation_id == "events/create"]
    assert sorted(len(r.json()["data"]) for r in requests) == [5, 20, 20]
    assert all(r.query.get("test") == "true" for r in requests)
    assert emulator.conversion_events(emulator.default_ad_account_id) == []
    assert json.loads(result.out)["mode"] == "TEST MODE (nothing recorded)"
    assert "TEST MODE (nothing recorded): 45 events read, 45 processed" in result.err
    # a checkpoint of a test run does not resume a real one
    real = cli("conversions", "send", str(source), "--resume", env=env)
    assert real.code == 2 and "belongs to another send" in real.err


def test_hashing_consistency_warning(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    rows = [row(emulator, i) for i in range(8)]
    for r in rows[:3]:
        r["em"] = sha256_hex(r["em"].strip().lower())
    source = write_csv(tmp_path / "mixed.csv", rows)
    result = cli("conversions", "send", str(source), "--format", "json", env=env)
    assert result.code == 0, result.err
    assert "user_data.em came hashed in some events and raw in others" in result.err
    assert json.loads(result.out)["hashing"]["em"] == {"hashed": 3, "raw": 5}


def test_replay_sends_undeliverable_with_the_same_ids(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    now = int(emulator.clock.now())

    def sent(i: int) -> dict[str, Any]:
        user_data = {"em": [sha256_hex(f"u{i}@example.com")]}
        return {"event_name": "checkout", "action_source": "web", "event_time": now - 60,
                "event_id": f"r-{i}", "user_data": user_data}  # fmt: skip

    lines = [
        {"index": 0, "line": 2, "kind": "undeliverable", "reason": "503", "event": sent(0)},
        {"index": 1, "line": 3, "kind": "refused", "reason": "bad", "event": sent(1)},
        {"index": 2, "line": 4, "kind": "invalid", "reason": "no @", "event": {"em": "x"}},
        {"index": 3, "line": 5, "kind": "undeliverable", "reason": "503", "event": sent(3)},
    ]
    rejects = tmp_path / "orders.csv.rejects.jsonl"
    rejects.write_text("".join(json.dumps(r) + "\n" for r in lines))
    result = cli("conversions", "replay", str(rejects), "--format", "json", env=env)
    assert result.code == 0, result.err
    assert "replaying 2 events" in result.err and "1 refused (--include-refused" in result.err
    account = emulator.default_ad_account_id
    assert [e["event_id"] for e in emulator.conversion_events(account)] == ["r-0", "r-3"]
    assert (tmp_path / "orders.csv.rejects.replay.checkpoint").exists()

    again = cli("conversions", "replay", str(rejects), "--include-refused",
                "--rejects", str(tmp_path / "second.jsonl"), "--checkpoint",
                str(tmp_path / "second.ckpt"), "--format", "json", env=env)  # fmt: skip
    assert again.code == 0, again.err
    assert json.loads(again.out)["received"] == 3
    ids = [e["event_id"] for e in emulator.conversion_events(account)]
    assert ids == ["r-0", "r-3", "r-1"]  # r-0 and r-3 again: deduplicated by their ids

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind": "lost"}\n')
    result = cli("conversions", "replay", str(bad), env=env)
    assert result.code == 2 and "not a reject of pinkit conversions" in result.err


def test_doctor_findings_never_show_values(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    now = int(emulator.clock.now())
    rows = [row(emulator, i) for i in range(12)]
    rows[1]["event_time"] = (now - 60) * 1000
    rows[2]["event_time"] = now - 10 * DAY
    rows[3]["external_id"] = rows[3]["click_id"] = ""
    rows[4]["client_user_agent"] = "Googlebot/2.1 (+http://www.google.com/bot.html)"
    rows[5]["client_user_agent"] = "Other"
    rows[6]["client_user_agent"] = "Mozilla/5.0"
    rows[7]["client_ip_address"] = "0.0.0.0"
    rows[8]["value"] = "$19,99"
    rows[9]["em"] = sha256_hex("buyer.9@example.com")
    rows[10]["event_id"] = rows[0]["event_id"]
    rows[11]["ph"] = "5f4dcc3b5aa765d61d8327deb882cf99"  # an MD5
    source = write_csv(tmp_path / "orders.csv", rows)
    result = cli("conversions", "doctor", str(source), "--format", "json", env=env)
    assert result.code == 1, result.err
    found = {f["check"]: f for f in json.loads(result.out)}
    assert found["event_time_ms"]["lines"] == [3]
    assert found["event_time_old"]["lines"] == [4]
    assert found["missing_external_id"]["lines"] == [5]
    assert found["missing_click_id"]["events"] == 1
    user_agents = [f for f in json.loads(result.out) if f["check"] == "user_agent"]
    assert sorted(line for f in user_agents for line in f["lines"]) == [6, 7, 8]
    assert found["ip_unspecified"]["lines"] == [9]
    assert found["value_format"]["lines"] == [10]
    assert found["mixed_hashing"]["lines"] == [11] and found["mixed_hashing"]["events"] == 1
    assert found["duplicate_event_id"]["lines"] == [12]
    assert found["wrong_hash"]["lines"] == [13] and "MD5" in found["wrong_hash"]["message"]
    for value in ("Buyer.0@Example.COM", "buyer.0", "203.0.113.7", "5f4dcc3b", "16505551212"):
        assert value not in result.all
    assert [r for r in emulator.requests if r.operation_id == "events/create"] == []

    clean = write_csv(tmp_path / "clean.csv", [row(emulator, i) for i in range(5)])
    ok = cli("conversions", "doctor", str(clean), "--format", "json", env=env)
    assert ok.code == 0 and json.loads(ok.out) == []
    assert "5 events, 0 findings" in ok.err


def test_doctor_beside_the_event_quality_score(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "orders.csv", [row(emulator, i) for i in range(10)])
    assert cli("conversions", "send", str(source), env=env).code == 0
    partial = [row(emulator, i, click_id="") for i in range(4)]
    other = write_csv(tmp_path / "other.csv", partial)
    account = emulator.default_ad_account_id
    result = cli("conversions", "doctor", str(other), "--ad-account", account,
                 "--lookback", "1d", "--format", "json", env=env)  # fmt: skip
    assert result.code == 1, result.err
    report = json.loads(result.out)
    coverage = {(c["parameter"], c["event_type"]): c for c in report["coverage"]}
    click = coverage["click_id_epik", "CHECKOUT"]
    assert (click["pinterest_1d"], click["file"]) == (100.0, 0.0)
    assert coverage["hashed_email", "CHECKOUT"]["file"] == 100.0
    assert {f["check"] for f in report["findings"]} >= {"missing_click_id"}
    bad = cli("conversions", "doctor", env={k: v for k, v in env.items() if "AD_ACCOUNT" not in k})
    assert bad.code == 2 and "give a FILE" in bad.err


def test_progress_bar_and_test_mode_on_a_terminal(
    terminal: Any, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "orders.csv", [row(emulator, i) for i in range(30)])
    screen = terminal.run("conversions", "send", str(source), "--test", env=env)
    assert screen.code == 0, screen.text
    assert "TEST MODE (nothing recorded): 30 events read, 30 processed" in screen.text
    assert "mode" in screen.text and "TEST MODE" in screen.text.split("received")[0]
