"""Synchronous analytics: the boundary days of each limit (both edges, DAY and HOUR),
organic analytics typed, and checks against the spec's enums before sending."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

import pinkit
from pinkit.emulator import Emulator
from tests.history import Campaign, make_campaign, today


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Emulator, Campaign]]:
    emulator = Emulator()
    with emulator.client() as client:
        campaign = make_campaign(client, emulator)
    yield emulator, campaign
    emulator.close()


def _sent(emulator: Emulator, op: str) -> int:
    return sum(1 for r in emulator.requests if r.operation_id == op)


def campaigns(
    emulator: Emulator, campaign: Campaign, start: dt.date, end: dt.date, granularity: str
) -> Any:
    with emulator.client(ad_account_id=emulator.default_ad_account_id) as client:
        return client.analytics.campaigns(
            campaign_ids=[campaign.id],
            start_date=start,
            end_date=end,
            columns=["SPEND_IN_MICRO_DOLLAR", "TOTAL_IMPRESSION"],
            granularity=granularity,
        )


@pytest.mark.parametrize(
    ("granularity", "back", "span"), [("DAY", 90, 90), ("WEEK", 90, 90), ("HOUR", 8, 3)]
)
def test_the_boundary_days_are_allowed_and_one_more_is_refused_before_sending(
    world: tuple[Emulator, Campaign], granularity: str, back: int, span: int
) -> None:
    emulator, campaign = world
    now = today(emulator)
    first = now - dt.timedelta(days=back)
    # Day N back and day M after the start are allowed, by the client and by the emulator.
    allowed = campaigns(emulator, campaign, first, first + dt.timedelta(days=span), granularity)
    assert len(allowed) > 0
    assert min(r["DATE"] for r in allowed) <= first + dt.timedelta(days=6)
    before = _sent(emulator, "campaigns/analytics")
    with pytest.raises(pinkit.InvalidInputError, match=f"goes back {back} days") as too_far:
        campaigns(emulator, campaign, first - dt.timedelta(days=1), now, granularity)
    assert f"earliest start is {first}" in str(too_far.value)
    with pytest.raises(pinkit.InvalidInputError, match=f"allows at most {span}") as too_long:
        campaigns(emulator, campaign, first, first + dt.timedelta(days=span + 1), granularity)
    assert "client.reports.run" in str(too_long.value)
    assert "914 days" in str(too_long.value) or "8 days" in str(too_long.value)
    assert _sent(emulator, "campaigns/analytics") == before  # nothing was sent


def test_the_emulator_draws_the_same_lines(world: tuple[Emulator, Campaign]) -> None:
    """The emulator refuses what the client refuses (raw requests, no client checks)."""
    emulator, campaign = world
    now = today(emulator)
    path = f"/ad_accounts/{emulator.default_ad_account_id}/campaigns/analytics"
    base = {"campaign_ids": campaign.id, "columns": "SPEND_IN_MICRO_DOLLAR"}
    with emulator.client() as client:
        for granularity, back, span in (("DAY", 90, 90), ("HOUR", 8, 3)):
            start = now - dt.timedelta(days=back)
            ok = {"start_date": str(start), "end_date": str(start + dt.timedelta(span))}
            client.request("GET", path, params={**base, **ok, "granularity": granularity})
            late = {"start_date": str(start - dt.timedelta(1)), "end_date": str(start)}
            with pytest.raises(pinkit.BadRequestError):
                client.request("GET", path, params={**base, **late, "granularity": granularity})
            long = {"start_date": str(start), "end_date": str(start + dt.timedelta(span + 1))}
            with pytest.raises(pinkit.BadRequestError):
                client.request("GET", path, params={**base, **long, "granularity": granularity})


def test_ads_level_rows_are_typed(world: tuple[Emulator, Campaign]) -> None:
    emulator, campaign = world
    end = today(emulator)
    with emulator.client() as client:
        account = emulator.default_ad_account_id
        whole = client.analytics.ad_account(
            account, start_date=end, end_date=end, columns="SPEND_IN_MICRO_DOLLAR,CTR"
        )
        groups = client.analytics.ad_groups(
            account,
            ad_group_ids=list(campaign.groups),
            start_date=end - dt.timedelta(days=2),
            end_date=end,
            columns=["TOTAL_IMPRESSION"],
            granularity="TOTAL",
        )
        ads = client.analytics.ads(
            account, ad_ids=campaign.ads, start_date=end, end_date=end, columns=["CTR"]
        )
    (row,) = whole
    assert whole.keys == [
        "DATE",
        "AD_ACCOUNT_ID",
        "SPEND_IN_MICRO_DOLLAR",
        "SPEND_IN_ACCOUNT_CURRENCY",
        "CTR",
        "CURRENCY",
    ]
    assert row["DATE"] == end
    assert isinstance(row["SPEND_IN_MICRO_DOLLAR"], int)
    assert isinstance(row["CTR"], float)
    assert groups.keys == ["AD_GROUP_ID", "TOTAL_IMPRESSION"]
    assert {r["AD_GROUP_ID"] for r in groups} == set(campaign.groups)
    assert {r["AD_ID"] for r in ads} == set(campaign.ads)


def test_inputs_are_checked_against_the_spec_before_sending(
    world: tuple[Emulator, Campaign],
) -> None:
    emulator, campaign = world
    end = today(emulator)
    account = emulator.default_ad_account_id
    with emulator.client() as client:
        before = len(emulator.requests)
        cases: list[tuple[str, Any]] = [
            (
                "did you mean CTR",
                lambda: client.analytics.ads(
                    account, ad_ids=campaign.ads, start_date=end, end_date=end, columns=["CTRR"]
                ),
            ),
            (
                "granularity='DAILY'",
                lambda: client.analytics.ad_account(
                    account, start_date=end, end_date=end, columns=["CTR"], granularity="DAILY"
                ),
            ),
            (
                "click_window_days=2",
                lambda: client.analytics.ad_account(
                    account, start_date=end, end_date=end, columns=["CTR"], click_window_days=2
                ),
            ),
            (
                "conversion_report_time='LATER'",
                lambda: client.analytics.ad_account(
                    account,
                    start_date=end,
                    end_date=end,
                    columns=["CTR"],
                    conversion_report_time="LATER",
                ),
            ),
            (
                "ad_ids, or both campaign_ids and pin_ids",
                lambda: client.analytics.ads(
                    account, campaign_ids=[campaign.id], start_date=end, end_date=end, columns="CTR"
                ),
            ),
            (
                "datetime.date",
                lambda: client.analytics.user_account("2026-01-01", end),  # type: ignore[arg-type]
            ),
            (
                "before start_date",
                lambda: client.analytics.user_account(end, end - dt.timedelta(1)),
            ),
            (
                "metric type",
                lambda: client.analytics.user_account(end, end, metric_types=["IMPRESSIONS"]),
            ),
        ]
        for words, call in cases:
            with pytest.raises(pinkit.InvalidInputError, match=words.replace("(", r"\(")):
                call()
        assert len(emulator.requests) == before


def test_organic_analytics_are_models(world: tuple[Emulator, Campaign]) -> None:
    emulator, _ = world
    end = today(emulator)
    start = end - dt.timedelta(days=6)
    with emulator.client() as client:
        board = client.boards.create("Garden")
        assert board.id
        pin = client.pins.create(board.id, pinkit.ImageURL("https://example.com/a.jpg"))
        assert pin.id
        emulator.clock.advance(86_400 * 2)
        end = today(emulator)
        mine = client.analytics.user_account(start, end, metric_types="IMPRESSION,SAVE")
        one = client.analytics.pin(pin.id, start, end)
        many = client.analytics.pins([pin.id], start, end, metric_types=["IMPRESSION"])
        top = client.analytics.top_pins(start, end, sort_by="impression", num_of_pins=5)
        video = client.analytics.top_video_pins(start, end)
    daily = mine["all"].daily_metrics
    assert [d.date for d in daily] == [start + dt.timedelta(n) for n in range(len(daily))]
    assert daily[-1].metrics["IMPRESSION"] > 0
    assert mine["all"].rows()[-1]["DATE"] == end
    assert one["all"].summary_metrics["IMPRESSION"] == sum(
        d.metrics["IMPRESSION"] or 0 for d in one["all"].daily_metrics
    )
    assert set(many) == {pin.id}
    # The world's promoted pin is there too: each one's place depends on the day's metrics.
    assert pin.id in [p.pin_id for p in top.pins]
    shown = [p.metrics["IMPRESSION"] for p in top.pins]
    assert shown == sorted(shown, reverse=True)
    assert top.sort_by == "IMPRESSION"
    assert video.pins == []
