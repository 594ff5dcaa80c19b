"""``pinkit ads``: accounts, campaigns, ad groups, ads and promote, against the emulator."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

import pinkit
from pinkit.cli import ads as ads_cli
from pinkit.emulator import Emulator

from .conftest import CLI, no_traceback, one_line


@pytest.fixture
def env(emulator: Emulator, token_env: dict[str, str]) -> dict[str, str]:
    return {**token_env, "PINTEREST_AD_ACCOUNT_ID": emulator.default_ad_account_id}


@pytest.fixture
def pin_id(emulator: Emulator) -> str:
    with emulator.client() as client:
        board = client.boards.create("Shop")
        assert board.id
        pin = client.pins.create(board.id, pinkit.ImageURL("https://example.com/a.jpg"))
    assert pin.id
    return pin.id


def statuses(emulator: Emulator, kind: str) -> list[str]:
    with emulator.store_read() as tx:
        return [str(d.data["status"]) for d in tx.list(kind)]


def test_accounts(cli: CLI, emulator: Emulator, env: dict[str, str]) -> None:
    listed = cli("ads", "accounts", "list", env=env)
    assert listed.code == 0, listed.err
    assert [a["currency"] for a in json.loads(listed.out)] == ["USD"]
    got = cli("ads", "accounts", "get", "--format", "table", env=env)
    assert got.code == 0 and emulator.default_ad_account_id in got.out


def test_the_ad_account_comes_from_the_option_the_env_or_the_profile(
    cli: CLI, emulator: Emulator, token_env: dict[str, str]
) -> None:
    missing = cli("ads", "campaigns", "list", env=token_env)
    assert missing.code == 2 and one_line(missing.err)
    assert "--ad-account" in missing.err and "PINTEREST_AD_ACCOUNT_ID" in missing.err
    other = emulator.create_ad_account(currency="EUR")
    by_option = cli("ads", "accounts", "get", other, env=token_env)
    assert json.loads(by_option.out)["currency"] == "EUR"
    made = cli(
        "ads", "campaigns", "create", "--ad-account", other, "--name", "E",
        "--objective", "AWARENESS", "--daily-spend-cap", "12.5", "--format", "table",
        env=token_env,
    )  # fmt: skip
    assert made.code == 0, made.err
    assert "EUR 12.50" in made.out and "12500000" not in made.out
    cli.config_dir.mkdir(parents=True, exist_ok=True)
    (cli.config_dir / "config.toml").write_text(
        f'[profiles.default]\nad_account_id = "{other}"\n', encoding="utf-8"
    )
    by_profile = cli("ads", "campaigns", "list", env=token_env)
    assert [c["name"] for c in json.loads(by_profile.out)] == ["E"]
    by_env = cli("ads", "campaigns", "list", env={**token_env, "PINTEREST_AD_ACCOUNT_ID": "1" * 19})
    assert by_env.code == 2  # the environment wins over the profile (and is checked)


def test_campaign_round_trip(cli: CLI, emulator: Emulator, env: dict[str, str]) -> None:
    made = cli(
        "ads", "campaigns", "create", "--name", "Spring", "--objective", "AWARENESS",
        "--daily-spend-cap", "50", "--end", "2099-06-01", "--format", "json", env=env,
    )  # fmt: skip
    assert made.code == 0, made.err
    campaign = json.loads(made.out)
    assert campaign["daily_spend_cap"] == 50_000_000  # json: Pinterest's micros
    assert campaign["end_time"] == int(datetime(2099, 6, 1, tzinfo=timezone.utc).timestamp())
    campaign_id = campaign["id"]
    table = cli("ads", "campaigns", "get", campaign_id, "--format", "table", env=env)
    assert "USD 50.00" in table.out and "50000000" not in table.out
    assert "2099-06-01 00:00 UTC" in table.out
    csv_out = cli("ads", "campaigns", "list", "--format", "csv", env=env)
    assert "USD 50.00" in csv_out.out
    changed = cli(
        "ads", "campaigns", "update", campaign_id, "--name", "Summer",
        "--daily-spend-cap", "60.00", env=env,
    )  # fmt: skip
    assert changed.code == 0, changed.err
    assert json.loads(changed.out)["daily_spend_cap"] == 60_000_000
    paused = cli("ads", "campaigns", "pause", campaign_id, env=env)
    assert paused.code == 0, paused.err
    assert json.loads(paused.out)[0]["result"] == "set PAUSED"
    archived = cli("ads", "campaigns", "archive", campaign_id, env=env)
    assert archived.code == 0
    assert json.loads(cli("ads", "campaigns", "list", env=env).out) == []
    everything = cli("ads", "campaigns", "list", "--include-archived", env=env)
    assert [c["status"] for c in json.loads(everything.out)] == ["ARCHIVED"]
    again = cli("ads", "campaigns", "activate", campaign_id, env=env)
    assert again.code == 1  # archived is final
    assert "ARCHIVED" in json.loads(again.out)[0]["message"]


def test_bad_input_is_refused_before_sending(
    cli: CLI, emulator: Emulator, env: dict[str, str]
) -> None:
    for args in (
        ("--name", "x", "--objective", "AWARENESS", "--daily-spend-cap", "20.001"),
        ("--name", "x", "--objective", "SALES"),
        (
            "--name",
            "x",
            "--objective",
            "AWARENESS",
            "--daily-spend-cap",
            "5",
            "--lifetime-spend-cap",
            "6",
        ),
        ("--name", "x", "--objective", "AWARENESS", "--start", "2099-02-01", "--end", "2099-01-01"),
        ("--name", "x", "--objective", "AWARENESS", "--start", "next week"),
    ):
        result = cli("ads", "campaigns", "create", *args, env=env)
        assert result.code == 2, (args, result.err)
        assert one_line(result.err) and no_traceback(result.err)
    assert not any(r.method == "POST" for r in emulator.requests)


def test_create_many_from_csv_gives_a_result_per_row(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "campaigns.csv"
    rows = ["name,objective_type,daily_spend_cap,end_time,is_flexible_daily_budgets"]
    for i in range(35):
        end = "2020-01-01" if i == 33 else "2099-01-01T12:00"  # row 35 ends in the past
        rows.append(f"C{i},AWARENESS,USD 1{i}.00,{end},false")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = cli("ads", "campaigns", "create", "--file", str(path), env=env)
    assert result.code == 1, result.err
    report = json.loads(result.out)
    assert [r["row"] for r in report] == list(range(2, 37))
    assert [r["result"] for r in report].count("created") == 34
    failed = [r for r in report if r["result"] == "failed"]
    assert [(r["row"], r["name"]) for r in failed] == [(35, "C33")]
    assert "end_time must be in the future" in failed[0]["message"]
    assert "34 created, 1 failed" in result.err
    with emulator.store_read() as tx:
        spent = sorted(d.data["daily_spend_cap"] for d in tx.list("campaign"))
    assert spent[0] == 10_000_000 and len(spent) == 34


def test_a_bad_file_sends_nothing(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "name,objective_type,daily_spend_cap,lifetime_spend_cap,colour\n"
        "A,AWARENESS,20.00,,red\n"  # no currency; unknown column
        "B,AWARENESS,EUR 20.00,,\n"  # not the account's currency
        "C,BOGUS,,,\n"  # refused by the spec's enum
        "D,AWARENESS,USD 5,USD 6,\n",  # both caps
        encoding="utf-8",
    )
    result = cli("ads", "campaigns", "create", "--file", str(path), env=env)
    assert result.code == 2
    for text in ("colour", "row 2, daily_spend_cap", "not EUR", "row 4", "row 5"):
        assert text in result.err, text
    assert "nothing was sent" in result.err
    assert not any(r.method == "POST" for r in emulator.requests)


def test_update_many_from_json(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    with emulator.client(ad_account_id=emulator.default_ad_account_id) as client:
        made = client.campaigns.create(
            items=[{"name": f"c{i}", "objective_type": "AWARENESS"} for i in range(3)]
        )
    assert isinstance(made, pinkit.BatchResult)
    items = [{"id": c.id, "daily_spend_cap": "USD 7.25"} for c in made.succeeded]
    items.append({"id": "999", "name": "nope"})
    items[1]["daily_spend_cap"] = 8_000_000  # micros, as --format json shows them
    path = tmp_path / "changes.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    result = cli("ads", "campaigns", "update", "--file", str(path), "--format", "table", env=env)
    assert result.code == 1, result.err
    assert result.out.count("updated") == 3 and "not found" in result.out
    with emulator.store_read() as tx:
        caps = sorted(d.data.get("daily_spend_cap") for d in tx.list("campaign"))
    assert caps == [7_250_000, 7_250_000, 8_000_000]


def test_dry_run_prints_the_requests_and_sends_nothing(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path, pin_id: str
) -> None:
    path = tmp_path / "groups.json"
    group = {"campaign_id": "C123", "name": "g", "billable_event": "IMPRESSION"}
    path.write_text(json.dumps([group] * 31), encoding="utf-8")
    emulator.clear_requests()
    many = cli("ads", "ad-groups", "create", "--file", str(path), "--dry-run", env=env)
    assert many.code == 0, many.err
    assert [len(r["json"]) for r in json.loads(many.out)] == [30, 1]
    one = cli(
        "ads", "ads", "create", "--ad-group", "AG5", "--pin", pin_id,
        "--creative-type", "REGULAR", "--dry-run", env=env,
    )  # fmt: skip
    assert one.code == 0 and json.loads(one.out)[0]["method"] == "POST"
    paused = cli("ads", "ads", "pause", "1", "2", "--dry-run", env=env)
    assert json.loads(paused.out)[0]["method"] == "PATCH"
    promote = cli("ads", "promote", pin_id, "--daily-budget", "20", "--dry-run", env=env)
    assert promote.code == 0, promote.err
    assert len(json.loads(promote.out)) == 5 and "nothing was sent" in promote.err
    assert emulator.requests == []


def test_an_analyst_cannot_create(cli: CLI, emulator: Emulator, env: dict[str, str]) -> None:
    analyst = emulator.create_user("analyst")
    emulator.grant_ad_account_role(emulator.default_ad_account_id, analyst, "ANALYST")
    token = emulator.issue_token(user_id=analyst).access_token
    as_analyst = {**env, "PINTEREST_ACCESS_TOKEN": token}
    listed = cli("ads", "campaigns", "list", env=as_analyst)
    assert listed.code == 0, listed.err
    result = cli(
        "ads", "campaigns", "create", "--name", "x", "--objective", "AWARENESS",
        "--daily-spend-cap", "10", env=as_analyst,
    )  # fmt: skip
    assert result.code == 1
    assert one_line(result.err) and "403" in result.err and "not permitted" in result.err
    assert statuses(emulator, "campaign") == []


def test_promote_needs_yes_without_a_terminal(
    cli: CLI, emulator: Emulator, env: dict[str, str], pin_id: str
) -> None:
    result = cli.sub("ads", "promote", pin_id, "--daily-budget", "20.00", env=env, input="y\n")
    assert result.code == 2 and one_line(result.err) and "--yes" in result.err
    assert statuses(emulator, "campaign") == []


def test_promote_with_yes(cli: CLI, emulator: Emulator, env: dict[str, str], pin_id: str) -> None:
    result = cli(
        "ads", "promote", pin_id, "--daily-budget", "20.00", "--start", "2099-01-01T09:00",
        "--end", "2099-02-01T09:00+01:00", "--yes", "--format", "table", env=env,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "USD 20.00" in result.out and "USD 2.00" in result.out  # budget and the bid floor
    assert "20000000" not in result.out
    assert "2099-01-01 09:00 UTC" in result.out and "2099-02-01 08:00 UTC" in result.out
    assert "USD 20.00 a day" in result.err  # the summary
    with emulator.store_read() as tx:
        (group,) = tx.list("ad_group")
    assert group.data["budget_in_micro_currency"] == 20_000_000
    assert statuses(emulator, "ad") == ["ACTIVE"]
    raw = cli("ads", "promote", pin_id, "--lifetime-budget", "300", "--end", "2099-03-01",
              "--yes", "--format", "json", env=env)  # fmt: skip
    assert raw.code == 0, raw.err
    assert json.loads(raw.out)["ad_group"]["budget_in_micro_currency"] == 300_000_000


def test_promote_asks_on_a_terminal(
    cli: CLI,
    emulator: Emulator,
    env: dict[str, str],
    pin_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ads_cli, "_stdin_is_terminal", lambda: True)
    declined = cli("ads", "promote", pin_id, "--daily-budget", "20.00", env=env, input="n\n")
    assert declined.code == 1
    assert "USD 20.00 a day" in declined.err and "Nothing was created" in declined.err
    assert statuses(emulator, "campaign") == []
    yen = emulator.create_ad_account(currency="JPY")
    accepted = cli(
        "ads", "promote", pin_id, "--ad-account", yen, "--daily-budget", "2000",
        "--format", "table", env=env, input="y\n",
    )  # fmt: skip
    assert accepted.code == 0, accepted.err
    assert "JPY 2,000 a day" in accepted.err and "JPY 2,000" in accepted.out
    fraction = cli("ads", "promote", pin_id, "--ad-account", yen, "--daily-budget", "20.5",
                   env=env, input="y\n")  # fmt: skip
    assert fraction.code == 2 and "JPY amounts have whole units" in fraction.err


def test_promote_failure_says_what_was_rolled_back(
    cli: CLI, emulator: Emulator, env: dict[str, str], pin_id: str
) -> None:
    emulator.inject_fault(500, operation="ads/create")
    result = cli("ads", "promote", pin_id, "--daily-budget", "20", "--yes", env=env)
    assert result.code == 1 and no_traceback(result.err)
    error = result.err.strip().splitlines()[-1]  # after the summary of what it was to make
    assert error.startswith("error: ") and "ad step" in error
    assert "rolled back (archived)" in error
    assert statuses(emulator, "campaign") == ["ARCHIVED"]
    assert statuses(emulator, "ad_group") == ["ARCHIVED"]


def test_ad_groups_and_ads_lists(
    cli: CLI, emulator: Emulator, env: dict[str, str], pin_id: str
) -> None:
    promoted = cli("ads", "promote", pin_id, "--daily-budget", "20", "--yes", env=env)
    assert promoted.code == 0, promoted.err
    made = json.loads(promoted.out)
    groups = cli("ads", "ad-groups", "list", "--campaign", made["campaign"]["id"], env=env)
    assert [g["id"] for g in json.loads(groups.out)] == [made["ad_group"]["id"]]
    shown = cli("ads", "ad-groups", "list", "--format", "csv", env=env)
    assert "USD 20.00" in shown.out and "20000000" not in shown.out
    listed = cli("ads", "ads", "list", "--ad-group", made["ad_group"]["id"], env=env)
    assert [a["pin_id"] for a in json.loads(listed.out)] == [pin_id]
    both = cli("ads", "ads", "list", "--campaign", "1", "--ad-group", "2", env=env)
    assert both.code == 2 and "only one of" in both.err
