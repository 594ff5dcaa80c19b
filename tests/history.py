"""Ads with history in the emulator: campaigns that started long ago, so every past day has
metrics (the emulator's metrics follow each ad's schedule)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pinkit.emulator import Emulator
from pinkit.reports.planner import today_utc

DAY = 86_400


@dataclass
class Campaign:
    id: str
    groups: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ads(self) -> list[str]:
        return [ad for ads in self.groups.values() for ad in ads]


def today(emulator: Emulator) -> dt.date:
    return today_utc(emulator.clock.now())


def _items(answer: Any) -> list[dict[str, Any]]:
    items = answer["items"]
    assert all(not item.get("exceptions") for item in items), items
    return [item["data"] for item in items]


def make_campaign(
    client: Any,
    emulator: Emulator | None,
    *,
    account: str | None = None,
    days_ago: int = 400,
    groups: int = 1,
    ads_per_group: int = 2,
    budget: int = 20_000_000,
    bid: int = 3_000_000,
) -> Campaign:
    """A campaign running since ``days_ago`` days, with ``groups`` ad groups of
    ``ads_per_group`` ads each (the same pin promoted by each). ``client`` must be on the
    emulator's clock (the emulator's own clients are)."""
    if account is None:
        assert emulator is not None
        account = emulator.default_ad_account_id
    start = int(client.clock.now()) - days_ago * DAY
    (campaign,) = _items(
        client.request(
            "POST",
            f"/ad_accounts/{account}/campaigns",
            json=[
                {
                    "ad_account_id": account,
                    "name": "History",
                    "objective_type": "AWARENESS",
                    "start_time": start,
                    "daily_spend_cap": max(100_000_000, budget * 4),
                }
            ],
        )
    )
    made = Campaign(campaign["id"])
    board = client.request("POST", "/boards", json={"name": "Ads"})["id"]
    source = {"source_type": "image_url", "url": "https://images.example/ad.jpg"}
    pin = client.request("POST", "/pins", json={"board_id": board, "media_source": source})["id"]
    for n in range(groups):
        (group,) = _items(
            client.request(
                "POST",
                f"/ad_accounts/{account}/ad_groups",
                json=[
                    {
                        "campaign_id": made.id,
                        "name": f"Group {n}",
                        "billable_event": "IMPRESSION",
                        "budget_in_micro_currency": budget + n * 1_000_000,
                        "bid_in_micro_currency": bid,
                        "start_time": start,
                    }
                ],
            )
        )
        ads = _items(
            client.request(
                "POST",
                f"/ad_accounts/{account}/ads",
                json=[{"ad_group_id": group["id"], "creative_type": "REGULAR", "pin_id": pin}]
                * ads_per_group,
            )
        )
        made.groups[group["id"]] = [ad["id"] for ad in ads]
    return made
