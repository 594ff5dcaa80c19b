"""Async reports and synchronous ads analytics end to end: the client against the emulator,
over loopback HTTP and in-process, sync and async."""

from __future__ import annotations

import datetime as dt
import struct
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pinkit
from pinkit.emulator import Emulator
from pinkit.reports import exports
from tests.history import Campaign, make_campaign, today

COLUMNS = ["SPEND_IN_MICRO_DOLLAR", "TOTAL_IMPRESSION", "TOTAL_CLICKTHROUGH", "CTR"]
ADDITIVE = ["SPEND_IN_MICRO_DOLLAR", "TOTAL_IMPRESSION", "TOTAL_CLICKTHROUGH"]


class Harness:
    """One way of talking to the emulator: ``sync`` or ``async``, over ``http`` or
    ``inproc``. ``do(fn)`` calls ``fn(client)`` (awaiting it for the async client)."""

    def __init__(self, emulator: Emulator, kind: str, **client_kw: Any) -> None:
        self.emulator = emulator
        self.kind = kind
        self.client_kw = client_kw

    def do(self, fn: Callable[[Any], Any], **client_kw: Any) -> Any:
        kw = {**self.client_kw, **client_kw}
        if self.kind == "sync":
            with self.emulator.client(**kw) as client:
                return fn(client)

        async def main() -> Any:
            async with self.emulator.async_client(**kw) as client:
                return await fn(client)

        return anyio.run(main)

    def creates(self) -> int:
        return sum(1 for r in self.emulator.requests if r.operation_id == "analytics/create_report")


@pytest.fixture(params=["http", "inproc"])
def emu(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    if request.param == "http":
        with Emulator() as emulator:
            yield emulator
    else:
        emulator = Emulator()
        try:
            yield emulator
        finally:
            emulator.close()


@pytest.fixture(params=["sync", "async"])
def harness(request: pytest.FixtureRequest, emu: Emulator) -> Harness:
    return Harness(emu, request.param)


@pytest.fixture
def campaign(emu: Emulator) -> Campaign:
    with emu.client() as client:
        return make_campaign(client, emu, groups=2, ads_per_group=2)


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(n) for n in range((end - start).days + 1)]


# -- the consistency property ------------------------------------------------------------------
_WORLDS: dict[str, Emulator] = {}


@pytest.fixture(scope="module")
def worlds() -> Iterator[dict[str, Emulator]]:
    served = Emulator().start()
    local = Emulator()
    _WORLDS.update(http=served, inproc=local)
    yield _WORLDS
    served.close()
    local.close()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("transport", ["http", "inproc"])
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    groups=st.integers(1, 2),
    ads_per_group=st.integers(1, 3),
    back=st.integers(0, 85),
    length=st.integers(0, 85),
    budget=st.integers(5_000_000, 80_000_000),
)
def test_a_campaign_report_total_is_the_sum_of_its_ads_daily_analytics(
    worlds: dict[str, Emulator],
    transport: str,
    kind: str,
    groups: int,
    ads_per_group: int,
    back: int,
    length: int,
    budget: int,
) -> None:
    emulator = worlds[transport]
    harness = Harness(emulator, kind)
    with emulator.client() as client:
        made = make_campaign(
            client, emulator, groups=groups, ads_per_group=ads_per_group, budget=budget
        )
    end = today(emulator) - dt.timedelta(days=max(0, back - length))
    start = end - dt.timedelta(days=min(length, back))
    report = harness.do(
        lambda c: c.reports.run(
            level="CAMPAIGN",
            columns=COLUMNS,
            start_date=start,
            end_date=end,
            granularity="TOTAL",
            campaign_ids=[made.id],
        ),
        ad_account_id=emulator.default_ad_account_id,
    )
    daily = harness.do(
        lambda c: c.analytics.ads(
            ad_ids=made.ads, start_date=start, end_date=end, columns=COLUMNS, granularity="DAY"
        ),
        ad_account_id=emulator.default_ad_account_id,
    )
    (total,) = report
    assert total["CAMPAIGN_ID"] == made.id
    assert {row["AD_ID"] for row in daily} <= set(made.ads)
    assert {row["DATE"] for row in daily} <= set(days(start, end))
    for column in ADDITIVE:
        assert total[column] == sum(row[column] for row in daily), column
    assert total["SPEND_IN_ACCOUNT_CURRENCY"] == sum(
        (row["SPEND_IN_ACCOUNT_CURRENCY"] for row in daily), Decimal(0)
    )
    assert total["CURRENCY"] == "USD"


# -- every status path -----------------------------------------------------------------------
def run_report(harness: Harness, campaign: Campaign, **kw: Any) -> pinkit.Report:
    end = today(harness.emulator)
    options = {
        "level": "CAMPAIGN",
        "columns": COLUMNS,
        "start_date": end - dt.timedelta(days=9),
        "end_date": end,
        **kw,
    }
    account = harness.emulator.default_ad_account_id
    report: pinkit.Report = harness.do(lambda c: c.reports.run(account, **options))
    return report


def test_finished_reports_in_json_and_csv_give_the_same_rows(
    harness: Harness, campaign: Campaign
) -> None:
    as_csv = run_report(harness, campaign, report_format="CSV")
    as_json = run_report(harness, campaign, report_format="JSON")
    assert (
        as_csv.keys
        == as_json.keys
        == [
            "DATE",
            "CAMPAIGN_ID",
            "SPEND_IN_MICRO_DOLLAR",
            "SPEND_IN_ACCOUNT_CURRENCY",
            "TOTAL_IMPRESSION",
            "TOTAL_CLICKTHROUGH",
            "CTR",
            "CURRENCY",
        ]
    )
    assert len(as_csv) == 10
    assert list(as_csv) == list(as_json)
    row = as_csv[0]
    assert isinstance(row["DATE"], dt.date)
    assert isinstance(row["SPEND_IN_MICRO_DOLLAR"], int)
    assert isinstance(row["TOTAL_IMPRESSION"], int)
    assert isinstance(row["CTR"], float)
    assert row["SPEND_IN_ACCOUNT_CURRENCY"] == Decimal(row["SPEND_IN_MICRO_DOLLAR"]) / 1_000_000
    assert harness.creates() == 2


def test_json_reports_are_zero_filled(harness: Harness, emu: Emulator, campaign: Campaign) -> None:
    """A column the emulator has no model for is 0: the JSON file leaves it out, the rows
    still have it."""
    report = run_report(harness, campaign, report_format="JSON", columns=["TOTAL_CONVERSIONS"])
    assert report.keys == ["DATE", "CAMPAIGN_ID", "TOTAL_CONVERSIONS"]
    assert report.rows == []  # every column 0: Pinterest leaves the rows out
    mixed = run_report(
        harness, campaign, report_format="JSON", columns=["PAID_IMPRESSION", "TOTAL_CONVERSIONS"]
    )
    assert mixed.rows and all(r["TOTAL_CONVERSIONS"] == 0 for r in mixed)


@pytest.mark.parametrize("status", ["FAILED", "CANCELLED", "EXPIRED", "DOES_NOT_EXIST"])
def test_a_report_that_ends_badly_is_created_again(
    harness: Harness, campaign: Campaign, status: str
) -> None:
    harness.emulator.fail_next_reports(2, status=status)
    report = run_report(harness, campaign)
    assert len(report) == 10
    assert harness.creates() == 3


@pytest.mark.parametrize("status", ["FAILED", "CANCELLED", "EXPIRED", "DOES_NOT_EXIST"])
def test_a_report_that_always_ends_badly_raises_after_max_attempts(
    harness: Harness, campaign: Campaign, status: str
) -> None:
    harness.emulator.fail_next_reports(50, status=status)
    began = time.monotonic()
    with pytest.raises(pinkit.ReportError) as caught:
        run_report(harness, campaign, max_attempts=4)
    assert time.monotonic() - began < 10  # waits are on the emulator clock
    assert caught.value.status == status
    assert caught.value.attempts == 4
    assert harness.creates() == 4
    assert status in str(caught.value)


def test_an_emulator_where_every_report_fails_ends_quickly(
    harness: Harness, campaign: Campaign
) -> None:
    harness.emulator.fail_next_reports(1000)
    began = time.monotonic()
    with pytest.raises(pinkit.ReportError) as caught:
        run_report(harness, campaign)
    assert time.monotonic() - began < 10
    assert (caught.value.status, caught.value.attempts) == ("FAILED", 3)
    assert harness.creates() == 3


def test_a_report_still_in_progress_at_the_deadline_raises(
    harness: Harness, campaign: Campaign
) -> None:
    harness.emulator.configure_reports(processing_seconds=100_000)
    began = time.monotonic()
    with pytest.raises(pinkit.ReportError) as caught:
        run_report(harness, campaign, timeout=600)
    assert time.monotonic() - began < 10
    assert caught.value.status == "IN_PROGRESS"
    assert "600s" in str(caught.value)
    assert harness.creates() == 1


def _download_hook(emu: Emulator, seen: list[httpx2.Request], advance: int, times: int) -> Any:
    def hook(request: httpx2.Request) -> None:
        if "/_emulator/reports/" in request.url.path:
            seen.append(request)
            if len(seen) <= times:
                emu.clock.advance(advance)  # the link expires between the poll and the download

    return hook


def _http_with_hook(emu: Emulator, kind: str, hook: Any) -> Any:
    if kind == "sync":
        transport: Any = None if emu.running else emu.transport()
        return httpx2.Client(transport=transport, event_hooks={"request": [hook]})

    async def ahook(request: httpx2.Request) -> None:
        hook(request)

    atransport: Any = None if emu.running else emu.async_transport()
    return httpx2.AsyncClient(transport=atransport, event_hooks={"request": [ahook]})


def test_an_expired_link_is_replaced_by_a_fresh_one(
    harness: Harness, emu: Emulator, campaign: Campaign
) -> None:
    seen: list[httpx2.Request] = []
    hook = _download_hook(emu, seen, 301, times=1)
    expected = run_report(harness, campaign)
    emu.clear_requests()
    got = run_report(
        Harness(emu, harness.kind, http_client=_http_with_hook(emu, harness.kind, hook)), campaign
    )
    assert len(seen) == 2  # the expired link, then the fresh one
    assert seen[0].url != seen[1].url
    assert all("authorization" not in r.headers for r in seen)
    gets = [r for r in emu.requests if r.operation_id == "analytics/get_report"]
    assert len(gets) >= 2
    assert harness.creates() == 1
    assert list(got) == list(expected)


def test_a_link_that_keeps_expiring_ends_in_an_error(
    harness: Harness, emu: Emulator, campaign: Campaign
) -> None:
    seen: list[httpx2.Request] = []
    hook = _download_hook(emu, seen, 301, times=10_000)
    with pytest.raises(pinkit.ReportError) as caught:
        run_report(
            Harness(emu, harness.kind, http_client=_http_with_hook(emu, harness.kind, hook)),
            campaign,
        )
    assert caught.value.status in ("FINISHED", "EXPIRED")
    assert 1 <= len(seen) <= 3 * 4


def test_the_download_never_carries_the_authorization_header(emu: Emulator) -> None:
    """The presigned link refuses a second credential, as S3 does."""
    with emu.client() as client:
        make_campaign(client, emu)
        end = today(emu)
        token = client.reports.create(
            emu.default_ad_account_id,
            level="CAMPAIGN",
            columns=["SPEND_IN_MICRO_DOLLAR"],
            start_date=end,
            end_date=end,
        )
        emu.clock.advance(60)
        status = client.reports.get(emu.default_ad_account_id, token)
    assert status.report_status == "FINISHED"
    assert status.url
    with emu.http_client() as http:
        refused = http.get(status.url, headers={"Authorization": "Bearer x"})
        assert refused.status_code == 400
        assert "Only one auth mechanism" in refused.text
        assert http.get(status.url).status_code == 200


# -- the planner through the client ------------------------------------------------------------
def test_a_400_day_range_is_split_and_every_day_appears_once(
    harness: Harness, emu: Emulator, campaign: Campaign
) -> None:
    end = today(emu)
    start = end - dt.timedelta(days=399)
    report = run_report(
        harness, campaign, start_date=start, end_date=end, columns=["SPEND_IN_MICRO_DOLLAR"]
    )
    assert len(report.windows) == 3
    assert all(w.days <= 187 for w in report.windows)
    assert [r["DATE"] for r in report] == days(start, end)
    assert harness.creates() == 3


def test_weeks_and_months_are_not_split_between_reports(emu: Emulator, campaign: Campaign) -> None:
    end = today(emu)
    start = end - dt.timedelta(days=399)
    with emu.client() as client:
        weekly = client.reports.run(
            level="CAMPAIGN",
            columns=["SPEND_IN_MICRO_DOLLAR"],
            start_date=start,
            end_date=end,
            granularity="WEEK",
            ad_account_id=emu.default_ad_account_id,
        )
        monthly = client.reports.run(
            emu.default_ad_account_id,
            level="CAMPAIGN",
            columns=["SPEND_IN_MICRO_DOLLAR"],
            start_date=start,
            end_date=end,
            granularity="MONTH",
        )
        daily = client.reports.run(
            emu.default_ad_account_id,
            level="CAMPAIGN",
            columns=["SPEND_IN_MICRO_DOLLAR"],
            start_date=start,
            end_date=end,
        )
    for report, key in (
        (weekly, lambda d: d - dt.timedelta(d.weekday())),
        (monthly, lambda d: d.replace(day=1)),
    ):
        labels = [r["DATE"] for r in report]
        assert len(labels) == len(set(labels))  # one row per period: none split in two
        assert len(report.windows) > 1
        expected: dict[dt.date, int] = {}
        for row in daily:
            expected[key(row["DATE"])] = (
                expected.get(key(row["DATE"]), 0) + row["SPEND_IN_MICRO_DOLLAR"]
            )
        assert {r["DATE"]: r["SPEND_IN_MICRO_DOLLAR"] for r in report} == expected


def test_ranges_pinterest_does_not_keep_are_refused_before_sending(emu: Emulator) -> None:
    end = today(emu)
    with emu.client() as client:
        with pytest.raises(pinkit.InvalidInputError, match=r"goes back 914 days.*earliest start"):
            client.reports.run(
                emu.default_ad_account_id,
                level="CAMPAIGN",
                columns=["SPEND_IN_MICRO_DOLLAR"],
                start_date=end - dt.timedelta(days=915),
                end_date=end,
            )
        with pytest.raises(pinkit.InvalidInputError, match="TOTAL"):
            client.reports.run(
                emu.default_ad_account_id,
                level="CAMPAIGN",
                columns=["SPEND_IN_MICRO_DOLLAR"],
                start_date=end - dt.timedelta(days=187),
                end_date=end,
                granularity="TOTAL",
            )
        with pytest.raises(pinkit.InvalidInputError, match="HOUR granularity"):
            client.reports.run(
                emu.default_ad_account_id,
                level="CAMPAIGN",
                columns=["SPEND_IN_MICRO_DOLLAR"],
                start_date=end - dt.timedelta(days=9),
                end_date=end,
                granularity="HOUR",
            )
        with pytest.raises(pinkit.InvalidInputError, match="did you mean SPEND_IN_MICRO_DOLLAR"):
            client.reports.run(
                emu.default_ad_account_id,
                level="CAMPAIGN",
                columns=["SPEND_IN_MICRO_DOLLR"],
                start_date=end,
                end_date=end,
            )
        with pytest.raises(pinkit.InvalidInputError, match="click_window_days"):
            client.reports.create(
                emu.default_ad_account_id,
                level="CAMPAIGN",
                columns=["SPEND_IN_MICRO_DOLLAR"],
                start_date=end,
                end_date=end,
                click_window_days=3,
            )
        with pytest.raises(pinkit.InvalidInputError, match=r"reports\.run splits"):
            client.reports.create(
                emu.default_ad_account_id,
                level="CAMPAIGN",
                columns=["SPEND_IN_MICRO_DOLLAR"],
                start_date=end - dt.timedelta(days=187),
                end_date=end,
            )
    assert [r for r in emu.requests if "reports" in r.path] == []


def test_hourly_reports_are_split_in_three_day_windows(emu: Emulator, campaign: Campaign) -> None:
    end = today(emu)
    with emu.client() as client:
        report = client.reports.run(
            emu.default_ad_account_id,
            level="CAMPAIGN",
            columns=["SPEND_IN_MICRO_DOLLAR"],
            start_date=end - dt.timedelta(days=8),
            end_date=end,
            granularity="HOUR",
        )
    assert [w.days for w in report.windows] == [4, 4, 1]
    assert report.keys[:3] == ["DATE", "HOUR", "CAMPAIGN_ID"]
    hours = {(r["DATE"], r["HOUR"]) for r in report}
    assert len(hours) == len(report) == 9 * 24


# -- money ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("currency", "scale"), [("GBP", 1), ("JPY", 150)])
def test_money_columns_are_in_the_account_currency(
    emu: Emulator, currency: str, scale: int
) -> None:
    account = emu.create_ad_account(currency=currency, name=currency)
    with emu.client(ad_account_id=account) as client:
        made = make_campaign(
            client, emu, account=account, budget=20_000_000 * scale, bid=3_000_000 * scale
        )
        end = today(emu)
        report = client.reports.run(
            level="CAMPAIGN", columns=["SPEND_IN_MICRO_DOLLAR"], start_date=end, end_date=end
        )
        sync = client.analytics.campaigns(
            campaign_ids=[made.id], start_date=end, end_date=end, columns=["SPEND_IN_MICRO_DOLLAR"]
        )
        lookups = [r for r in emu.requests if r.operation_id == "ad_accounts/get"]
    (row,) = report
    assert row["CURRENCY"] == currency
    assert row["SPEND_IN_ACCOUNT_CURRENCY"] == Decimal(row["SPEND_IN_MICRO_DOLLAR"]).scaleb(-6)
    assert sync[0]["SPEND_IN_ACCOUNT_CURRENCY"] == row["SPEND_IN_ACCOUNT_CURRENCY"]
    assert report.currency == currency
    assert len(lookups) == 2  # read once per resource, not once per request


def test_the_ad_account_comes_from_the_client_or_the_environment(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    end = today(emu)
    with emu.client() as client:
        with pytest.raises(pinkit.InvalidInputError, match="PINTEREST_AD_ACCOUNT_ID"):
            client.reports.create(
                level="CAMPAIGN", columns=["SPEND_IN_MICRO_DOLLAR"], start_date=end, end_date=end
            )
    monkeypatch.setenv("PINTEREST_AD_ACCOUNT_ID", emu.default_ad_account_id)
    with emu.client() as client:
        token = client.reports.create(
            level="CAMPAIGN", columns=["SPEND_IN_MICRO_DOLLAR"], start_date=end, end_date=end
        )
        assert client.reports.get(None, token).report_status == "IN_PROGRESS"


# -- exports and charts ------------------------------------------------------------------------
def test_exports_read_back_equal_to_the_rows(
    emu: Emulator, campaign: Campaign, tmp_path: Path
) -> None:
    harness = Harness(emu, "sync")
    report = run_report(harness, campaign, report_format="JSON")
    assert report.to_csv(tmp_path / "r.csv") == len(report)
    assert exports.read_csv(tmp_path / "r.csv") == report.rows
    assert report.to_jsonl(tmp_path / "r.jsonl") == len(report)
    assert exports.read_jsonl(tmp_path / "r.jsonl") == report.rows
    report.to_parquet(tmp_path / "r.parquet")
    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "r.parquet")
    assert table.column_names == report.keys
    assert table.to_pylist() == report.rows
    frame = report.to_pandas()
    assert list(frame.columns) == report.keys
    records = frame.to_dict("records")
    for record, row in zip(records, report, strict=True):
        assert record["DATE"].date() == row["DATE"]
        assert {k: v for k, v in record.items() if k != "DATE"} == {
            k: v for k, v in row.items() if k != "DATE"
        }
    assert "0E-6" not in (tmp_path / "r.csv").read_text()
    with pytest.raises(pinkit.InvalidInputError, match=r"\.csv, \.jsonl, \.parquet"):
        report.save(tmp_path / "r.xlsx")


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_the_chart_is_a_png_of_the_size_asked_for(
    emu: Emulator, campaign: Campaign, tmp_path: Path
) -> None:
    report = run_report(Harness(emu, "sync"), campaign, level="PIN_PROMOTION")
    report.chart(
        tmp_path / "c.png", metrics=["SPEND_IN_MICRO_DOLLAR", "CTR"], width=900, height=700
    )
    assert png_size(tmp_path / "c.png") == (900, 700)
    report.chart(tmp_path / "d.png")
    assert png_size(tmp_path / "d.png")[0] == 1200
    text = report.terminal_chart(["SPEND_IN_MICRO_DOLLAR"], width=40)
    assert "Spend (USD), total of 4" in text
    assert "█" in text
    with pytest.raises(pinkit.InvalidInputError, match="cannot chart"):
        report.chart(tmp_path / "e.png", metrics=["PAID_IMPRESSION"])
