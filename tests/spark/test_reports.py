"""``pinterest_reports`` on a local Spark against ``pinkit emulator serve``: reports of
several ad accounts over more days than one report covers, one partition per (account,
window), checked against the reports the emulator makes for a plain client."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

import pinkit
from pinkit.reports.planner import today_utc
from tests._spark import EmulatorProcess, running_emulator
from tests.history import make_campaign


@pytest.fixture(scope="module")
def fresh_emulator(spark: Any) -> Iterator[EmulatorProcess]:
    """An emulator process of this module's own: the conversions tests before it may have
    left a large in-memory state behind (200,000 events at the issue's size)."""
    with running_emulator() as server:
        yield server


@pytest.fixture
def emulator(fresh_emulator: EmulatorProcess) -> EmulatorProcess:
    fresh_emulator.reset()
    return fresh_emulator


COLUMNS = ["SPEND_IN_MICRO_DOLLAR", "TOTAL_IMPRESSION", "TOTAL_CLICKTHROUGH", "CTR"]
ADDITIVE = ["SPEND_IN_MICRO_DOLLAR", "TOTAL_IMPRESSION", "TOTAL_CLICKTHROUGH"]


def read(spark: Any, emu: EmulatorProcess, token: str, **options: Any) -> Any:
    reader = (
        spark.read.format("pinterest_reports")
        .option("access_token", token)
        .option("base_url", emu.base_url)
    )
    for name, value in options.items():
        reader = reader.option(name, value)
    return reader.load()


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_report_over_three_accounts_and_400_days_has_each_day_and_entity_once(
    spark: Any, emulator: EmulatorProcess, redis_url: str
) -> None:
    token = emulator.token()
    accounts = [emulator.ad_account() for _ in range(3)]
    with pinkit.Client(token, base_url=emulator.base_url) as client:
        campaigns = {
            account: [
                make_campaign(
                    client, None, account=account, days_ago=420, groups=1, ads_per_group=1
                ).id
                for _ in range(2)
            ]
            for account in accounts
        }
        today = today_utc(client.clock.now())
        start, end = today - dt.timedelta(days=400), today - dt.timedelta(days=1)
        expected = {
            account: client.reports.run(
                account, level="CAMPAIGN", columns=COLUMNS, start_date=start, end_date=end
            )
            for account in accounts
        }
    df = read(
        spark,
        emulator,
        token,
        ad_account_ids=",".join(accounts),
        level="CAMPAIGN",
        columns=",".join(COLUMNS),
        start_date=start.isoformat(),
        end_date=end.isoformat(),
        redis_url=redis_url,
    )
    assert df.columns == [
        "AD_ACCOUNT_ID",
        "DATE",
        "CAMPAIGN_ID",
        "SPEND_IN_MICRO_DOLLAR",
        "SPEND_IN_ACCOUNT_CURRENCY",
        "TOTAL_IMPRESSION",
        "TOTAL_CLICKTHROUGH",
        "CTR",
        "CURRENCY",
    ]
    types = dict(df.dtypes)
    assert types["DATE"] == "date" and types["SPEND_IN_ACCOUNT_CURRENCY"] == "decimal(38,12)"
    assert types["TOTAL_IMPRESSION"] == "bigint" and types["CTR"] == "double"
    assert types["SPEND_IN_MICRO_DOLLAR"] == "double"  # a fraction of a micro is kept
    assert df.rdd.getNumPartitions() == 3 * 3  # 400 days: three windows of at most 187 days
    rows = df.collect()
    keys = Counter((r["AD_ACCOUNT_ID"], r["DATE"], r["CAMPAIGN_ID"]) for r in rows)
    assert max(keys.values()) == 1
    # every campaign ran every day of the range: a row for each (day, entity)
    days = (end - start).days + 1
    assert len(rows) == 3 * 2 * days
    for account in accounts:
        mine = [r for r in rows if r["AD_ACCOUNT_ID"] == account]
        assert {r["CAMPAIGN_ID"] for r in mine} == set(campaigns[account])
        assert {r["DATE"] for r in mine} == {start + dt.timedelta(n) for n in range(days)}
        report = expected[account]
        for column in ADDITIVE:
            assert sum(r[column] for r in mine) == sum(r[column] for r in report.rows)
        amount = sum((r["SPEND_IN_ACCOUNT_CURRENCY"] for r in mine), Decimal(0))
        assert amount == sum((r["SPEND_IN_ACCOUNT_CURRENCY"] for r in report.rows), Decimal(0))
        assert {r["CURRENCY"] for r in mine} == {"USD"}


def test_rows_of_all_zeros_are_left_out_unless_zero_fill(
    spark: Any, emulator: EmulatorProcess
) -> None:
    """A campaign that started 5 days ago has no rows before; with zero_fill every day of
    every campaign the account lists has one."""
    token = emulator.token()
    account = emulator.ad_account()
    with pinkit.Client(token, base_url=emulator.base_url) as client:
        campaign = make_campaign(client, None, account=account, days_ago=5, ads_per_group=1).id
        today = today_utc(client.clock.now())
    options = {
        "ad_account_ids": account,
        "columns": "TOTAL_IMPRESSION,SPEND_IN_MICRO_DOLLAR",
        "start_date": (today - dt.timedelta(days=19)).isoformat(),
        "end_date": today.isoformat(),
    }
    plain = read(spark, emulator, token, **options).collect()
    filled = read(spark, emulator, token, zero_fill="true", **options).collect()
    assert 0 < len(plain) <= 7
    assert all(r["TOTAL_IMPRESSION"] for r in plain)
    assert len(filled) == 20 and {r["CAMPAIGN_ID"] for r in filled} == {campaign}
    zeros = [r for r in filled if not r["TOTAL_IMPRESSION"]]
    assert len(zeros) == 20 - len(plain)
    assert all(r["SPEND_IN_ACCOUNT_CURRENCY"] == 0 and r["CURRENCY"] == "USD" for r in zeros)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"columns": "NOT_A_COLUMN"}, "NOT_A_COLUMN"),
        ({"start_date": "yesterday"}, "option start_date must be a date YYYY-MM-DD"),
        ({"ad_account_ids": ""}, "option ad_account_ids is required"),
        ({"start_date": "2019-01-01"}, "goes back 914 days"),
        ({"zero_fill": "true", "granularity": "WEEK"}, "zero_fill needs granularity DAY"),
    ],
)
def test_a_bad_report_option_fails_on_the_driver_in_one_line(
    spark: Any, emulator: EmulatorProcess, options: dict[str, str], expected: str
) -> None:
    token = emulator.token()
    today = dt.date.today()
    given = {
        "ad_account_ids": emulator.ad_account(),
        "columns": "TOTAL_IMPRESSION",
        "start_date": (today - dt.timedelta(days=3)).isoformat(),
        "end_date": today.isoformat(),
        **options,
    }
    with pytest.raises(Exception) as caught:  # noqa: PT011 - Spark wraps the driver's error
        read(spark, emulator, token, **given).collect()
    lines = [line.strip() for line in str(caught.value).splitlines()]
    ours = [line for line in lines if line.startswith("pinkit.errors.InvalidInputError: ")]
    assert len(ours) == 1 and ours[0].startswith(
        "pinkit.errors.InvalidInputError: pinterest_reports: "
    )
    assert expected in ours[0]
    assert token not in str(caught.value)
    assert not [
        r for r in emulator.requests() if r.get("operation_id") == "analytics/create_report"
    ]
