"""The window planner and the row parser, without a server."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from pinkit import InvalidInputError
from pinkit._constraints import date_limit
from pinkit.reports import plan_windows
from pinkit.reports.columns import kind_of
from pinkit.reports.parsing import RowShape, report_keys

TODAY = dt.date(2026, 12, 1)


def _covered(windows: list[object]) -> list[dt.date]:
    out: list[dt.date] = []
    for w in windows:
        out += [w.start + dt.timedelta(n) for n in range(w.days)]  # type: ignore[attr-defined]
    return out


@pytest.mark.parametrize(
    ("granularity", "level"),
    [
        ("DAY", "CAMPAIGN"),
        ("WEEK", "AD_GROUP"),
        ("MONTH", "PIN_PROMOTION"),
        ("DAY", "PRODUCT_ITEM"),
    ],
)
def test_windows_cover_the_range_once_within_the_spec_limits(granularity: str, level: str) -> None:
    limit = date_limit("analytics/create_report", {"granularity": granularity, "level": level})
    assert limit.back_days is not None and limit.range_days is not None
    start = TODAY - dt.timedelta(days=limit.back_days)
    windows = plan_windows(start, TODAY, granularity=granularity, level=level, today=TODAY)
    days = _covered(windows)
    assert days == [start + dt.timedelta(n) for n in range((TODAY - start).days + 1)]
    assert all((w.end - w.start).days <= limit.range_days for w in windows)
    assert [(w.index, w.count) for w in windows] == [
        (n, len(windows)) for n in range(1, len(windows) + 1)
    ]
    for w in windows[:-1]:
        if granularity == "WEEK":
            assert w.end.weekday() == 6  # a Sunday: the next window starts on a Monday
        if granularity == "MONTH":
            assert (w.end + dt.timedelta(1)).day == 1


def test_the_usual_numbers_come_from_the_spec() -> None:
    day = plan_windows(
        TODAY - dt.timedelta(913), TODAY, granularity="DAY", level="CAMPAIGN", today=TODAY
    )
    assert {w.days for w in day[:-1]} == {187}
    hour = plan_windows(
        TODAY - dt.timedelta(8), TODAY, granularity="HOUR", level="CAMPAIGN", today=TODAY
    )
    assert [w.days for w in hour] == [4, 4, 1]
    item = plan_windows(
        TODAY - dt.timedelta(92), TODAY, granularity="DAY", level="PRODUCT_ITEM", today=TODAY
    )
    assert [w.days for w in item] == [32, 32, 29]
    with pytest.raises(InvalidInputError, match="goes back 92 days with the PRODUCT_ITEM level"):
        plan_windows(
            TODAY - dt.timedelta(93), TODAY, granularity="DAY", level="PRODUCT_ITEM", today=TODAY
        )
    with pytest.raises(InvalidInputError, match="goes back 8 days with HOUR granularity"):
        plan_windows(
            TODAY - dt.timedelta(9), TODAY, granularity="HOUR", level="CAMPAIGN", today=TODAY
        )
    total = plan_windows(
        TODAY - dt.timedelta(186), TODAY, granularity="TOTAL", level="CAMPAIGN", today=TODAY
    )
    assert len(total) == 1
    with pytest.raises(InvalidInputError, match="without summing"):
        plan_windows(
            TODAY - dt.timedelta(187), TODAY, granularity="TOTAL", level="CAMPAIGN", today=TODAY
        )


def test_column_kinds() -> None:
    assert kind_of("DATE") == "date"
    assert kind_of("CAMPAIGN_ID") == kind_of("CAMPAIGN_NAME") == "text"
    assert kind_of("CTR") == kind_of("ECPC_IN_DOLLAR") == kind_of("TOTAL_CHECKOUT_ROAS") == "float"
    assert kind_of("SPEND_IN_MICRO_DOLLAR") == kind_of("TOTAL_IMPRESSION") == "number"
    assert kind_of("CPC_IN_MICRO_DOLLAR") == "number"
    assert kind_of("SPEND_IN_ACCOUNT_CURRENCY") == "decimal"


KEYS = report_keys(
    ["SPEND_IN_MICRO_DOLLAR", "TOTAL_IMPRESSION", "CTR", "CAMPAIGN_NAME"],
    granularity="DAY",
    id_column="CAMPAIGN_ID",
    currency=True,
)


def test_csv_and_json_files_give_the_same_rows() -> None:
    shape = RowShape(KEYS, currency="GBP", id_column="CAMPAIGN_ID")
    csv_text = (
        b"DATE,CAMPAIGN_ID,SPEND_IN_MICRO_DOLLAR,TOTAL_IMPRESSION,CTR,CAMPAIGN_NAME\n"
        b"2026-11-01,11,1500000,10,0.1,Spring\n"
        b"2026-11-02,11,0,3,0,Spring\n"
    )
    json_body = json.dumps(
        {
            "11": [
                {"DATE": "2026-11-01", "CAMPAIGN_ID": "11", "SPEND_IN_MICRO_DOLLAR": 1500000,
                 "TOTAL_IMPRESSION": 10, "CTR": 0.1, "CAMPAIGN_NAME": "Spring"},
                {"DATE": "2026-11-02", "CAMPAIGN_ID": 11, "TOTAL_IMPRESSION": 3,
                 "CAMPAIGN_NAME": "Spring"},
            ]
        }
    )  # fmt: skip
    from_csv = shape.parse_csv(csv_text)
    from_json = shape.parse_json_report(json_body)
    assert from_csv == from_json
    assert list(from_csv[1]) == KEYS
    assert from_csv[1] == {
        "DATE": dt.date(2026, 11, 2),
        "CAMPAIGN_ID": "11",
        "SPEND_IN_MICRO_DOLLAR": 0,
        "SPEND_IN_ACCOUNT_CURRENCY": Decimal(0),
        "TOTAL_IMPRESSION": 3,
        "CTR": 0.0,
        "CAMPAIGN_NAME": "Spring",
        "CURRENCY": "GBP",
    }
    assert from_csv[0]["SPEND_IN_ACCOUNT_CURRENCY"] == Decimal("1.5")


def test_odd_cells_are_kept_not_lost() -> None:
    shape = RowShape(KEYS, currency="USD", id_column="CAMPAIGN_ID")
    rows = shape.parse_csv(
        "\ufeffDATE,CAMPAIGN_ID,SPEND_IN_MICRO_DOLLAR,TOTAL_IMPRESSION,CTR,EXTRA_COLUMN\r\n"
        "2026-11-01,11,1234.5,,0.25,7\r\n".encode()
    )
    (row,) = rows
    assert row["SPEND_IN_MICRO_DOLLAR"] == 1234.5
    assert row["SPEND_IN_ACCOUNT_CURRENCY"] == Decimal("0.0012345")
    assert row["TOTAL_IMPRESSION"] is None
    assert row["CAMPAIGN_NAME"] is None
    assert row["EXTRA_COLUMN"] == 7
