"""``pinkit demo``: the tour, run once for the whole session (``demo_tour``), chapter by
chapter: what each one says it did is in the files it wrote and in the emulator's state."""

from __future__ import annotations

import csv
import json
import re
import struct
import time
from pathlib import Path
from typing import Any

import pytest

from pinkit.demo._runner import _pinkit
from pinkit.emulator import Emulator

from .conftest import Tour, no_traceback

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]  # the first test runs the tour

CHAPTERS = ["login", "pins", "ads", "audiences", "conversions", "report"]
DAY = 86_400


def listed(tour: Tour, *args: str) -> list[dict[str, Any]]:
    """A list command on the tour's state, as JSON."""
    state = str(tour.out / "emulator.sqlite")
    result = tour.cli("--emulator-state", state, *args, "--format", "json")
    assert result.code == 0, result.err
    items: list[dict[str, Any]] = json.loads(result.out)
    return items


def chapter(tour: Tour, number: int) -> str:
    """What chapter ``number`` printed (from its heading to the next)."""
    text = tour.result.out
    start = text.index(f"\n{number}. ")
    end = text.find(f"\n{number + 1}. ", start)
    return text[start : end if end > 0 else text.index("Tour complete")]


def test_the_tour_tells_its_story_and_its_time(demo_tour: Tour) -> None:
    result = demo_tour.result
    assert result.code == 0, result.err
    assert no_traceback(result.all)
    headings = re.findall(r"^(\d)\. ", result.out, re.MULTILINE)
    assert headings == ["1", "2", "3", "4", "5", "6"]
    elapsed = re.search(r"^Tour complete in (\d+\.\d) s, (\d+) requests", result.out, re.M)
    assert elapsed and 0 < float(elapsed[1]) < 280 and int(elapsed[2]) > 30
    timings = result.out[elapsed.end() :].splitlines()[1]  # the line after it
    assert re.fullmatch(r"(\w+ \d+\.\ds)(, \w+ \d+\.\ds)*", timings), timings
    assert [part.split()[0] for part in timings.split(", ")] == CHAPTERS


def test_login_approved_and_refreshed(demo_tour: Tour) -> None:
    told = chapter(demo_tour, 1)
    assert "approved: the redirect's state checked" in told
    assert "logged in as @emulator_user" in told
    assert "31 days on, the token has expired: oauth/token → user_account/get" in told
    assert "pina_" in told and "pinr_" in told  # masked: a prefix and a digest, never a token
    assert not re.search(r"pin[ar]_[A-Za-z0-9]{20}", demo_tour.result.all)
    emulator = Emulator(state_path=demo_tour.out / "emulator.sqlite")
    try:  # the login's 31 days, then the report's 30 (a second refresh, on its own)
        assert emulator.clock.now() - time.time() > 61 * DAY - 600
    finally:
        emulator.close()
    assert "the access token had expired again" in chapter(demo_tour, 6)


def test_a_board_with_a_section_an_image_pin_and_a_video_pin(demo_tour: Tour) -> None:
    boards = listed(demo_tour, "boards", "list")
    assert [board["name"] for board in boards] == ["Spring ideas"]  # no leftover: made afresh
    pins = listed(demo_tour, "pins", "list")
    kinds = {pin["title"]: (pin["creative_type"], pin.get("board_section_id")) for pin in pins}
    assert kinds["Garden tour"] == ("VIDEO", None)
    assert kinds["Tulip bed"][0] == "REGULAR" and kinds["Tulip bed"][1]
    video = demo_tour.out / "garden.mp4"
    assert video.stat().st_size == 8_000_000 and video.read_bytes()[4:8] == b"ftyp"
    told = chapter(demo_tour, 2)
    assert "uploading garden.mp4" in told and "100%" in told and "8.0/8.0 MB" in told
    assert "refused before sending: title is 120 characters" in told


def test_the_pin_promoted_with_its_budget_in_currency_units(demo_tour: Tour) -> None:
    (campaign,) = listed(demo_tour, "ads", "campaigns", "list")
    (group,) = listed(demo_tour, "ads", "ad-groups", "list")
    (ad,) = listed(demo_tour, "ads", "ads", "list")
    assert group["campaign_id"] == campaign["id"] and ad["ad_group_id"] == group["id"]
    assert group["budget_in_micro_currency"] == 20_000_000 and group["budget_type"] == "DAILY"
    promoted = next(pin for pin in listed(demo_tour, "pins", "list") if pin["id"] == ad["pin_id"])
    assert promoted["title"] == "Tulip bed"
    told = chapter(demo_tour, 3)
    assert "a dry run first: 5 requests planned, none sent" in told
    assert "USD 20.00 a day" in told and "sent exactly as 20,000,000 micro-units" in told


def test_a_customer_list_from_a_csv_and_an_actalike(demo_tour: Tour) -> None:
    lines = (demo_tour.out / "customers.csv").read_text().splitlines()
    assert lines[0] == "name,email" and len(lines) == 5_001
    assert [n for n, line in enumerate(lines, 1) if "@" not in line.split(",")[1]] == [1, 44]
    told = chapter(demo_tour, 4)
    assert "line 44 not sent: the e-mail address has no @" in told
    assert "4,999 addresses lowercased and SHA-256 hashed, sent in 3 requests" in told
    audiences = listed(demo_tour, "audiences", "list")
    assert [a["audience_type"] for a in audiences] == ["CUSTOMER_LIST", "ACTALIKE"]
    assert audiences[1]["rule"]["seed_id"] == [audiences[0]["id"]]
    (made,) = listed(demo_tour, "customer-lists", "list")
    assert made["status"] == "READY" and audiences[0]["rule"]["customer_list_id"] == made["id"]


def test_ten_thousand_events_with_the_bad_ones_in_the_rejects_file(demo_tour: Tour) -> None:
    sent = [json.loads(line) for line in (demo_tour.out / "conversions.jsonl").open()]
    assert len(sent) == 10_000
    rejects = [json.loads(line) for line in (demo_tour.out / "conversions.rejects.jsonl").open()]
    bad = [i for i in range(10_000) if i % 100 == 42]
    # Each bad line once and the leftover line gone (a fresh file); batches finish in any order.
    assert sorted(r["index"] for r in rejects) == bad
    for reject in rejects:
        assert reject["kind"] == "invalid" and reject["event"] == sent[reject["index"]]
        expected = "is in milliseconds" if reject["index"] % 200 == 42 else "em has no @"
        assert expected in reject["reason"], reject
    emulator = Emulator(state_path=demo_tour.out / "emulator.sqlite")
    try:
        arrived = emulator.conversion_events(emulator.default_ad_account_id)
    finally:
        emulator.close()
    ids = sorted(event["event_id"] for event in arrived)
    assert ids == sorted(f"demo-order-{i}" for i in range(10_000) if i not in set(bad))
    told = chapter(demo_tour, 5)
    assert "9,900 processed, 100 rejected (100 invalid)" in told
    assert "event 42: event_time" in told and "event 142: user_data.em has no @" in told
    doctor = told[told.index("what the doctor finds") :]
    assert re.search(r"milliseconds.*│ 50 ", doctor) and re.search(r"no @.*│ 50 ", doctor)
    assert re.search(r"no click_id.*│ 2,500 ", doctor)


def test_an_async_report_as_csv_png_and_terminal_chart(demo_tour: Tour) -> None:
    with (demo_tour.out / "report.csv").open() as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 31  # the campaign's first day and the 30 after it
    (campaign,) = listed(demo_tour, "ads", "campaigns", "list")
    assert {row["CAMPAIGN_ID"] for row in rows} == {campaign["id"]}
    spend = [int(row["SPEND_IN_MICRO_DOLLAR"]) for row in rows]
    assert all(0 < s <= 20_000_000 for s in spend)  # within the daily budget, every day
    assert all(int(row["TOTAL_IMPRESSION"]) > 0 for row in rows)
    png = (demo_tour.out / "report.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    assert struct.unpack(">II", png[16:24])[0] == 1200
    told = chapter(demo_tour, 6)
    assert "report: CREATING → IN_PROGRESS → DOWNLOADING → PARSING → DONE" in told
    assert f"{len(rows)} daily rows: USD {sum(spend) / 1_000_000:,.2f} spent" in told
    assert "Spend (USD)" in told and "┤" in told and "█" in told


def test_the_last_lines_say_what_was_made_and_what_to_open(demo_tour: Tour) -> None:
    end = demo_tour.result.out[demo_tour.result.out.index("Tour complete") :]
    files = re.findall(r"^  (\S+)  +\S", end[: end.index("Open ")], re.MULTILINE)
    made = sorted(
        path.name
        for path in demo_tour.out.iterdir()
        if not path.name.endswith(("-tokens", "-wal", "-shm"))
    )
    assert files == made
    assert {"emulator.sqlite", "report.png", "report.csv", "conversions.rejects.jsonl"} <= set(made)
    assert "Open pinkit-demo/report.png" in end
    assert "conversions.jsonl   (30 days on, it finds them too old to send)" in end


def test_the_hints_name_pinkit_as_it_was_run(monkeypatch: pytest.MonkeyPatch) -> None:
    for argv0, shown in (
        (".venv/bin/pinkit", ".venv/bin/pinkit"),  # make demo: not on PATH
        ("/home/me/project/.venv/bin/pinkit", "pinkit"),  # found on PATH
        ("pinkit", "pinkit"),
        (str(Path("tests") / "runner.py"), "pinkit"),
    ):
        monkeypatch.setattr("sys.argv", [argv0, "demo"])
        assert _pinkit() == shown
