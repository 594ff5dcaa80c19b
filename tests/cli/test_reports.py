"""``pinkit reports run`` and ``pinkit analytics``: files written and read back, charts, bad
input as one line and exit 2."""

from __future__ import annotations

import datetime as dt
import io
import json
import struct
from pathlib import Path

import pytest
from rich.console import Console

from pinkit.cli.reports import _Spinner
from pinkit.emulator import Emulator
from pinkit.reports import exports
from pinkit.reports.planner import Window
from pinkit.reports.runner import ReportProgress
from tests.history import Campaign, make_campaign, today

from .conftest import CLI, no_traceback, one_line


@pytest.fixture
def campaign(emulator: Emulator) -> Campaign:
    emulator.configure_reports(processing_seconds=0)  # the CLI waits on the real clock
    with emulator.client() as client:
        return make_campaign(client, emulator)


@pytest.fixture
def env(token_env: dict[str, str], emulator: Emulator) -> dict[str, str]:
    return {**token_env, "PINTEREST_AD_ACCOUNT_ID": emulator.default_ad_account_id}


def _args(emulator: Emulator, days: int, *more: str) -> list[str]:
    end = today(emulator)
    start = end - dt.timedelta(days=days - 1)
    return [
        "reports", "run", "--level", "CAMPAIGN",
        "--columns", "SPEND_IN_MICRO_DOLLAR,TOTAL_IMPRESSION,CTR",
        "--from", str(start), "--to", str(end), *more,
    ]  # fmt: skip


def test_a_long_report_is_written_to_csv_with_a_chart(
    cli: CLI, emulator: Emulator, campaign: Campaign, env: dict[str, str], tmp_path: Path
) -> None:
    out, chart = tmp_path / "spend.csv", tmp_path / "spend.png"
    done = cli(*_args(emulator, 200, "--out", str(out), "--chart", str(chart)), env=env)
    assert done.code == 0, done.err
    assert "wrote 200 rows" in done.err and "2 reports" in done.err
    rows = exports.read_csv(out)
    assert len({r["DATE"] for r in rows}) == 200
    assert rows[0]["CURRENCY"] == "USD"
    head = chart.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", head[16:24])[0] == 1200


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_the_extension_picks_the_format(
    cli: CLI, emulator: Emulator, campaign: Campaign, env: dict[str, str], tmp_path: Path,
    suffix: str,
) -> None:  # fmt: skip
    out = tmp_path / f"r{suffix}"
    done = cli(*_args(emulator, 5, "--out", str(out)), env=env)
    assert done.code == 0, done.err
    if suffix == ".jsonl":
        rows = exports.read_jsonl(out)
    else:
        import pyarrow.parquet as pq

        rows = pq.read_table(out).to_pylist()
    assert [r["DATE"] for r in rows] == [
        today(emulator) - dt.timedelta(n) for n in range(4, -1, -1)
    ]


def test_without_out_the_rows_are_printed(
    cli: CLI, emulator: Emulator, campaign: Campaign, env: dict[str, str]
) -> None:
    done = cli(*_args(emulator, 3, "--format", "json"), env=env)
    assert done.code == 0, done.err
    rows = json.loads(done.out)
    assert len(rows) == 3
    assert rows[0]["SPEND_IN_ACCOUNT_CURRENCY"] == f"{rows[0]['SPEND_IN_MICRO_DOLLAR'] / 1e6:.6f}"


def test_days_may_be_relative_to_today(
    cli: CLI, emulator: Emulator, campaign: Campaign, env: dict[str, str]
) -> None:
    args = _args(emulator, 3, "--format", "json")
    args[args.index("--from") + 1] = "today-3"
    args[args.index("--to") + 1] = "yesterday"
    done = cli(*args, env=env)
    assert done.code == 0, done.err
    utc_today = dt.datetime.now(dt.timezone.utc).date()
    days = [row["DATE"] for row in json.loads(done.out)]
    wanted = [utc_today - dt.timedelta(days=n) for n in (3, 2, 1)]
    assert days == [day.isoformat() for day in wanted]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"--from": "2026-02-30"}, "is not a date"),
        ({"--from": "today-x"}, "YYYY-MM-DD, today, yesterday or today-N"),
        ({"--to": "tomorrow"}, "is not a date"),
        ({"--out": "x.xlsx"}, "must end in .csv, .jsonl, .parquet"),
        ({"--chart": "x.jpg"}, "must end in .png"),
        ({"--columns": "SPEND"}, "did you mean SPEND_IN_MICRO_DOLLAR"),
        ({"--from": "2020-01-01"}, "goes back 914 days"),
        ({"--level": "CAMPAIGNS"}, "is not a value"),
        ({"--granularity": "DAILY"}, "Invalid value for '--granularity'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    cli: CLI, emulator: Emulator, env: dict[str, str], tmp_path: Path,
    change: dict[str, str], words: str,
) -> None:  # fmt: skip
    args = _args(emulator, 3, "--out", str(tmp_path / "r.csv"))
    for option, value in change.items():
        if option in args:
            args[args.index(option) + 1] = value
        else:
            args += [option, value]
    done = cli(*args, env=env)
    assert done.code == 2, done.err
    assert one_line(done.err) and no_traceback(done.err)
    assert words in done.err
    assert not (tmp_path / "r.csv").exists()


def test_no_ad_account_is_bad_input(
    cli: CLI, emulator: Emulator, token_env: dict[str, str]
) -> None:
    done = cli(*_args(emulator, 3), env=token_env)
    assert done.code == 2
    assert "--ad-account" in done.err and one_line(done.err)


def test_a_report_that_keeps_failing_exits_1(
    cli: CLI, emulator: Emulator, campaign: Campaign, env: dict[str, str]
) -> None:
    emulator.fail_next_reports(5)
    done = cli(*_args(emulator, 3, "--max-attempts", "2"), env=env)
    assert done.code == 1
    assert one_line(done.err) and "FAILED" in done.err and "2 attempts" in done.err


def test_the_spinner_says_which_window_it_is_on() -> None:
    console = Console(file=io.StringIO(), force_terminal=True)
    window = Window(dt.date(2026, 1, 1), dt.date(2026, 6, 1), 2, 3)
    with _Spinner(console, True) as spinner:
        spinner(ReportProgress(window, "IN_PROGRESS", 1, 14.2))
        assert spinner._status is not None
        text = str(spinner._status.renderable.text)  # type: ignore[attr-defined]
        assert text == "window 2/3 (2026-01-01 to 2026-06-01): Pinterest is making it (14s)"
        spinner(ReportProgress(window, "FAILED", 2, 20))
        assert "FAILED: creating it again, attempt 2" in str(spinner._status.renderable.text)  # type: ignore[attr-defined]
    quiet = _Spinner(console, False)
    quiet(ReportProgress(window, "DONE"))  # no terminal: nothing drawn, nothing raised


def test_analytics_ads_with_a_chart(
    cli: CLI, emulator: Emulator, campaign: Campaign, env: dict[str, str]
) -> None:
    end = today(emulator)
    args = [
        "analytics", "ads", "--level", "campaign", "--ids", campaign.id,
        "--columns", "SPEND_IN_MICRO_DOLLAR,CTR", "--from", str(end - dt.timedelta(days=13)),
        "--to", str(end),
    ]  # fmt: skip
    as_json = cli(*args, "--format", "json", "--chart", env=env)
    assert as_json.code == 0, as_json.err
    assert len(json.loads(as_json.out)) == 14
    assert "Spend (USD)" in as_json.err and "█" in as_json.err  # the chart keeps stdout clean
    as_table = cli(*args, "--format", "table", "--chart", env=env)
    assert "Spend (USD)" in as_table.out
    as_csv = cli(*args, "--format", "csv", env=env)
    assert as_csv.out.splitlines()[0].startswith("DATE,CAMPAIGN_ID,SPEND_IN_MICRO_DOLLAR")
    too_long = cli(
        *args[:-4], "--from", str(end - dt.timedelta(days=91)), "--to", str(end), env=env
    )
    assert too_long.code == 2 and "reports.run" in too_long.err


def test_analytics_user_and_pins(cli: CLI, emulator: Emulator, env: dict[str, str]) -> None:
    with emulator.client() as client:
        board = client.boards.create("Garden").id
        assert board
        pin = client.request(
            "POST",
            "/pins",
            json={
                "board_id": board,
                "media_source": {"source_type": "image_url", "url": "https://example.com/a.jpg"},
            },
        )["id"]
    emulator.clock.advance(3 * 86_400)
    user = cli("analytics", "user", "--format", "json", env=env)
    assert user.code == 0, user.err
    days = json.loads(user.out)
    assert len(days) == 30 and days[-1]["IMPRESSION"] > 0
    pins = cli(
        "analytics", "pins", pin, "--metrics", "IMPRESSION", "--chart", "--format", "table", env=env
    )
    assert pins.code == 0, pins.err
    assert "Impression (count)" in pins.out
