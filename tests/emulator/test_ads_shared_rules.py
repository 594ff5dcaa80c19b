"""The emulator's ads areas on raw requests (past the client's own checks): the prose rules it
shares with the client (``pinkit._adrules``) refuse items in their place."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import pinkit
from pinkit import _adrules
from pinkit._constraints import param
from pinkit.emulator import Emulator


@pytest.fixture
def raw(inproc_emulator: Emulator) -> Iterator[tuple[pinkit.Client, str]]:
    with inproc_emulator.client() as client:
        yield client, inproc_emulator.default_ad_account_id


def exceptions(answer: dict[str, Any]) -> list[Any]:
    return [item.get("exceptions") for item in answer["items"]]


def test_the_default_statuses_are_the_specs() -> None:
    for operation_id in ("campaigns/list", "ad_groups/list", "ads/list"):
        default = param(operation_id, "entity_statuses").default
        assert tuple(default) == _adrules.DEFAULT_ENTITY_STATUSES


def test_campaign_items_refused_by_the_shared_rules(raw: tuple[pinkit.Client, str]) -> None:
    client, account = raw
    base = {"ad_account_id": account, "name": "c", "objective_type": "AWARENESS"}
    answer = client.request(
        "POST",
        f"/ad_accounts/{account}/campaigns",
        json=[
            {**base, "daily_spend_cap": 1_000_000, "lifetime_spend_cap": 2_000_000},
            {**base, "daily_spend_cap": 0},
            {**base, "start_time": 4_000_000_000, "end_time": 3_999_999_999},
            {**base, "end_time": 4_000_000_000_000},
            {**base, "is_campaign_budget_optimization": True},
            base,
        ],
    )
    messages = [e[0]["message"] if e else None for e in exceptions(answer)]
    assert messages == [
        _adrules.spend_cap_problem({"daily_spend_cap": 1, "lifetime_spend_cap": 1}),
        "daily_spend_cap must be more than 0.",
        "end_time must be after start_time.",
        "end_time 4000000000000 looks like milliseconds: Pinterest takes Unix seconds.",
        "A campaign budget optimization campaign needs daily_spend_cap or lifetime_spend_cap.",
        None,
    ]


def test_ad_group_items_refused_by_the_shared_rules(raw: tuple[pinkit.Client, str]) -> None:
    client, account = raw
    made = client.request(
        "POST",
        f"/ad_accounts/{account}/campaigns",
        json=[{"ad_account_id": account, "name": "c", "objective_type": "VIDEO_COMPLETION"}],
    )
    campaign_id = made["items"][0]["data"]["id"]
    base = {"campaign_id": campaign_id, "name": "g", "billable_event": "VIDEO_V_50_MRC"}
    answer = client.request(
        "POST",
        f"/ad_accounts/{account}/ad_groups",
        json=[
            {**base, "budget_in_micro_currency": 5_000_000, "budget_type": "LIFETIME"},
            {**base, "budget_in_micro_currency": -1},
            {**base, "budget_in_micro_currency": 5_000_000, "billable_event": "CLICKTHROUGH"},
            {**base, "budget_in_micro_currency": 5_000_000, "bid_strategy_type": "MAX_BID"},
            {**base, "budget_in_micro_currency": 5_000_000},
        ],
    )
    messages = [e[0]["message"] if e else None for e in exceptions(answer)]
    assert messages == [
        "A LIFETIME budget needs an end_time.",
        "budget_in_micro_currency must be more than 0.",
        _adrules.billable_event_problem("VIDEO_COMPLETION", "CLICKTHROUGH"),
        _adrules.bid_strategy_problem("VIDEO_COMPLETION", "MAX_BID"),
        None,
    ]


def test_exclusive_list_filters(raw: tuple[pinkit.Client, str]) -> None:
    client, account = raw
    for path, params in (
        ("ad_groups", {"campaign_ids": ["1"], "ad_group_ids": ["2"]}),
        ("ads", {"ad_group_ids": ["1"], "ad_ids": ["2"]}),
    ):
        with pytest.raises(pinkit.BadRequestError, match="provide only one of"):
            client.request("GET", f"/ad_accounts/{account}/{path}", params=params)
