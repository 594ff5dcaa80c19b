"""The emulator's analytics area against the spec's prose: what ads analytics need, what
PRODUCT_ITEM reports refuse, how long reports take."""

from __future__ import annotations

import datetime as dt

import httpx2

from pinkit.emulator import Emulator
from tests.history import make_campaign, today


def test_ads_analytics_need_ad_ids_or_both_campaign_and_pin_ids(
    server: Emulator, api: httpx2.Client
) -> None:
    with server.client() as client:
        campaign = make_campaign(client, server, ads_per_group=2)
        other = make_campaign(client, server, ads_per_group=1)
        pin = client.request(
            "GET", f"/ad_accounts/{server.default_ad_account_id}/ads/{campaign.ads[0]}"
        )["pin_id"]
    end = str(today(server))
    path = f"/ad_accounts/{server.default_ad_account_id}/ads/analytics"
    base = {
        "start_date": end,
        "end_date": end,
        "columns": "SPEND_IN_MICRO_DOLLAR",
        "granularity": "DAY",
    }
    refused = api.get(path, params=base)
    assert refused.status_code == 400
    assert "either ad_ids or both campaign_ids and pin_ids" in refused.json()["message"]
    assert api.get(path, params={**base, "campaign_ids": campaign.id}).status_code == 400
    rows = api.get(path, params={**base, "campaign_ids": campaign.id, "pin_ids": pin}).json()
    assert {r["AD_ID"] for r in rows} == set(campaign.ads)  # not the other campaign's ad
    assert other.ads[0] not in {r["AD_ID"] for r in rows}
    by_id = api.get(path, params={**base, "ad_ids": other.ads}).json()
    assert {r["AD_ID"] for r in by_id} == set(other.ads)


def test_product_item_reports_refuse_ad_ids(server: Emulator, api: httpx2.Client) -> None:
    end = str(today(server))
    body = {
        "start_date": end,
        "end_date": end,
        "granularity": "DAY",
        "columns": ["SPEND_IN_MICRO_DOLLAR"],
        "level": "PRODUCT_ITEM",
        "ad_ids": ["1"],
    }
    answer = api.post(f"/ad_accounts/{server.default_ad_account_id}/reports", json=body)
    assert answer.status_code == 400
    assert "ad_ids and ad_statuses are not allowed" in answer.json()["message"]


def test_reports_take_as_long_as_configured(server: Emulator, api: httpx2.Client) -> None:
    end = today(server)
    body = {
        "start_date": str(end - dt.timedelta(days=1)),
        "end_date": str(end),
        "granularity": "DAY",
        "columns": ["SPEND_IN_MICRO_DOLLAR"],
        "level": "CAMPAIGN",
    }
    path = f"/ad_accounts/{server.default_ad_account_id}/reports"
    assert server.configure_reports(processing_seconds=0) == {"processing_seconds": 0.0}
    token = api.post(path, json=body).json()["token"]
    assert api.get(path, params={"token": token}).json()["report_status"] == "FINISHED"
    server.configure_reports(processing_seconds=120)
    token = api.post(path, json=body).json()["token"]
    server.clock.advance(60)
    assert api.get(path, params={"token": token}).json()["report_status"] == "IN_PROGRESS"
    server.clock.advance(61)
    assert api.get(path, params={"token": token}).json()["report_status"] == "FINISHED"
