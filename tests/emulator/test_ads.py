"""The emulator's ads areas: ad accounts and roles, campaigns, ad groups, ads, bulk answers per
item, list filters; over real HTTP and in-process, every answer checked against the spec."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from pinkit.emulator import Emulator

from .conftest import bearer

Api = httpx2.Client


@pytest.fixture
def account(server: Emulator) -> str:
    return server.default_ad_account_id


def campaign_item(account: str, **fields: Any) -> dict[str, Any]:
    return {"ad_account_id": account, "name": "Spring", "objective_type": "AWARENESS", **fields}


def make_campaign(api: Api, account: str, **fields: Any) -> dict[str, Any]:
    answer = api.post(f"/ad_accounts/{account}/campaigns", json=[campaign_item(account, **fields)])
    assert answer.status_code == 200, answer.text
    item = answer.json()["items"][0]
    assert item["exceptions"] == [], item
    return dict(item["data"])


def group_item(campaign_id: str, **fields: Any) -> dict[str, Any]:
    base = {
        "campaign_id": campaign_id,
        "name": "Everyone",
        "billable_event": "IMPRESSION",
        "budget_in_micro_currency": 20_000_000,
        "bid_in_micro_currency": 3_000_000,
    }
    return {**base, **fields}


def make_group(api: Api, account: str, campaign_id: str, **fields: Any) -> dict[str, Any]:
    answer = api.post(f"/ad_accounts/{account}/ad_groups", json=[group_item(campaign_id, **fields)])
    item = answer.json()["items"][0]
    assert item["exceptions"] == [], item
    return dict(item["data"])


def make_pin(api: Api) -> str:
    board = api.post("/boards", json={"name": "Ads"}).json()["id"]
    source = {"source_type": "image_url", "url": "https://images.example/ad.jpg"}
    return str(api.post("/pins", json={"board_id": board, "media_source": source}).json()["id"])


def test_every_user_has_an_account_and_more_can_be_made(
    server: Emulator, api: Api, account: str
) -> None:
    listed = api.get("/ad_accounts").json()["items"]
    assert [a["id"] for a in listed] == [account]
    assert listed[0]["currency"] == "USD"
    assert listed[0]["permissions"] == ["OWNER"]
    pounds = server.create_ad_account(currency="GBP", name="UK")
    got = api.get(f"/ad_accounts/{pounds}").json()
    assert (got["currency"], got["name"]) == ("GBP", "UK")
    assert {a["id"] for a in api.get("/ad_accounts").json()["items"]} == {account, pounds}
    made = api.post("/ad_accounts", json={"name": "Made by API", "currency": "EUR"})
    assert made.status_code == 201
    assert made.json()["currency"] == "EUR"


def test_roles_decide_what_another_user_may_do(server: Emulator, api: Api, account: str) -> None:
    analyst = server.create_user("analyst")
    stranger = server.create_user("stranger")
    server.grant_ad_account_role(account, analyst, "ANALYST")
    campaign = make_campaign(api, account)
    for user, read in ((analyst, 200), (stranger, 403)):
        with server.http_client(
            headers=bearer(server.issue_token(user_id=user).access_token)
        ) as other:
            assert (
                other.get(f"/ad_accounts/{account}/campaigns/{campaign['id']}").status_code == read
            )
            write = other.post(f"/ad_accounts/{account}/campaigns", json=[campaign_item(account)])
            assert write.status_code == 403
            assert write.json() == {
                "code": 29,
                "message": "You are not permitted to access that resource.",
            }
            own = {a["id"] for a in other.get("/ad_accounts").json()["items"]}
            assert (account in own) == (user == analyst)
            alone = other.get("/ad_accounts", params={"include_shared_accounts": "false"})
            assert account not in {a["id"] for a in alone.json()["items"]}
    manager = server.create_user("manager")
    server.grant_ad_account_role(account, manager, "CAMPAIGN_MANAGER")
    with server.http_client(headers=bearer(server.issue_token(user_id=manager).access_token)) as m:
        assert (
            m.post(f"/ad_accounts/{account}/campaigns", json=[campaign_item(account)]).status_code
            == 200
        )
        permissions = m.get(f"/ad_accounts/{account}").json()["permissions"]
        assert permissions == ["CAMPAIGN_MANAGER"]
    assert api.get("/ad_accounts/999999/campaigns").status_code == 404


def test_bulk_campaigns_answer_item_by_item(api: Api, account: str) -> None:
    items = []
    for n in range(30):
        if n % 3 == 2:  # both caps: Pinterest refuses the item, not the request
            items.append(
                campaign_item(account, name=f"c{n}", daily_spend_cap=1, lifetime_spend_cap=2)
            )
        else:
            items.append(campaign_item(account, name=f"c{n}", daily_spend_cap=10_000_000))
    answer = api.post(f"/ad_accounts/{account}/campaigns", json=items).json()["items"]
    assert len(answer) == 30
    for n, item in enumerate(answer):
        if n % 3 == 2:
            assert "data" not in item
            [problem] = item["exceptions"]
            assert "cannot be set at the same time" in problem["message"]
        else:
            assert item["data"]["name"] == f"c{n}"
            assert item["data"]["daily_spend_cap"] == 10_000_000
    listed = api.get(f"/ad_accounts/{account}/campaigns", params={"page_size": 100}).json()
    assert len(listed["items"]) == 20
    too_many = api.post(f"/ad_accounts/{account}/campaigns", json=[*items, items[0]])
    assert too_many.status_code == 400


def test_campaign_rules(api: Api, account: str, server: Emulator) -> None:
    base = f"/ad_accounts/{account}/campaigns"

    def refused(item: dict[str, Any], path: str = base, method: str = "POST") -> str:
        answer = api.request(method, path, json=[item]).json()["items"][0]
        assert "data" not in answer, answer
        return str(answer["exceptions"][0]["message"])

    assert "ad_account_id" in refused({**campaign_item(account), "ad_account_id": "123"})
    assert "needs daily_spend_cap" in refused(
        campaign_item(account, is_campaign_budget_optimization=True)
    )
    now = int(server.clock.now())
    assert "after start_time" in refused(
        campaign_item(account, start_time=now + 99, end_time=now + 9)
    )
    assert "milliseconds" in refused(campaign_item(account, start_time=now * 1000))
    made = make_campaign(api, account)
    update = {"id": made["id"], "ad_account_id": account}
    assert "draft" in refused({**update, "objective_type": "CONSIDERATION"}, method="PATCH")
    archived = api.patch(base, json=[{**update, "status": "ARCHIVED"}]).json()["items"][0]
    assert archived["data"]["status"] == "ARCHIVED"
    assert "from ARCHIVED" in refused({**update, "status": "ACTIVE"}, method="PATCH")
    draft = make_campaign(api, account, status="DRAFT")
    changed = api.patch(
        base,
        json=[{"id": draft["id"], "ad_account_id": account, "objective_type": "CONSIDERATION"}],
    )
    assert changed.json()["items"][0]["data"]["objective_type"] == "CONSIDERATION"
    assert "not found" in refused({"id": "123", "ad_account_id": account}, method="PATCH")


def test_ad_group_rules(api: Api, account: str, server: Emulator) -> None:
    campaign = make_campaign(api, account)["id"]
    base = f"/ad_accounts/{account}/ad_groups"

    def refused(**fields: Any) -> str:
        item = {**group_item(campaign), **fields}
        answer = api.post(base, json=[item]).json()["items"][0]
        assert "data" not in answer, answer
        return str(answer["exceptions"][0]["message"])

    assert "bid_in_micro_currency is required" in refused(bid_in_micro_currency=None)
    assert "under the bid floor" in refused(bid_in_micro_currency=1)
    assert "does not fit" in refused(billable_event="CLICKTHROUGH")
    assert "required for non-CBO" in refused(budget_in_micro_currency=None)
    assert "needs an end_time" in refused(budget_type="LIFETIME")
    other = server.create_ad_account()
    elsewhere = make_campaign(api, other)["id"]
    assert "not found in this ad account" in refused(campaign_id=elsewhere)
    group = make_group(api, account, f"C{campaign}")  # the spec's pattern allows a C prefix
    assert group["campaign_id"] == campaign
    assert group["budget_type"] == "DAILY"
    automatic = make_group(
        api, account, campaign, bid_in_micro_currency=None, bid_strategy_type="AUTOMATIC_BID"
    )
    assert "bid_in_micro_currency" not in automatic
    floors = api.post(
        f"/ad_accounts/{account}/bid_floor",
        json={
            "bid_floor_specs": [
                {
                    "billable_event": "CLICKTHROUGH",
                    "creative_type": "REGULAR",
                    "currency": "USD",
                    "countries": ["US"],
                }
            ]
        },
    ).json()
    assert floors == {"bid_floors": [100_000], "type": "bidfloor"}


def test_ads_promote_visible_pins_and_are_reviewed_on_the_clock(
    api: Api, account: str, server: Emulator, other: Api
) -> None:
    campaign = make_campaign(api, account)["id"]
    group = make_group(api, account, campaign)["id"]
    pin = make_pin(api)
    secret_board = other.post("/boards", json={"name": "Theirs", "privacy": "SECRET"}).json()["id"]
    source = {"source_type": "image_url", "url": "https://images.example/x.jpg"}
    hidden = other.post("/pins", json={"board_id": secret_board, "media_source": source}).json()[
        "id"
    ]
    items = [
        {"ad_group_id": group, "creative_type": "REGULAR", "pin_id": pin},
        {"ad_group_id": group, "creative_type": "VIDEO", "pin_id": pin},
        {"ad_group_id": group, "creative_type": "REGULAR", "pin_id": hidden},
        {"ad_group_id": "123", "creative_type": "REGULAR", "pin_id": pin},
    ]
    answer = api.post(f"/ad_accounts/{account}/ads", json=items).json()["items"]
    ad = answer[0]["data"]
    assert (ad["campaign_id"], ad["ad_group_id"], ad["pin_id"]) == (campaign, group, pin)
    assert ad["review_status"] == "PENDING"
    for failed, words in zip(answer[1:], ("does not fit", "not visible", "not found"), strict=True):
        assert isinstance(failed["exceptions"], dict)  # one object for ads, as the spec has it
        assert words in failed["exceptions"]["message"]
    assert api.get(f"/pins/{pin}").json()["has_been_promoted"] is True
    promoted = api.get("/pins", params={"pin_filter": "has_been_promoted"}).json()["items"]
    assert [p["id"] for p in promoted] == [pin]
    server.clock.advance(61)
    reviewed = api.get(f"/ad_accounts/{account}/ads/{ad['id']}").json()
    assert (reviewed["review_status"], reviewed["summary_status"]) == ("APPROVED", "APPROVED")
    frozen = api.patch(
        f"/ad_accounts/{account}/ads", json=[{"id": ad["id"], "pin_id": make_pin(api)}]
    )
    assert "draft" in frozen.json()["items"][0]["exceptions"]["message"]


def test_list_filters_statuses_and_order(api: Api, account: str) -> None:
    first = make_campaign(api, account, name="first")["id"]
    second = make_campaign(api, account, name="second")["id"]
    third = make_campaign(api, account, name="third", status="PAUSED")["id"]
    base = f"/ad_accounts/{account}/campaigns"
    api.patch(base, json=[{"id": first, "ad_account_id": account, "status": "ARCHIVED"}])

    def ids(**params: Any) -> list[str]:
        return [c["id"] for c in api.get(base, params=params).json()["items"]]

    assert ids() == [second, third]  # ARCHIVED is left out unless asked for
    assert ids(entity_statuses=["ARCHIVED", "ACTIVE"]) == [first, second]
    assert ids(entity_statuses="ARCHIVED,PAUSED") == [first, third]
    assert ids(order="DESCENDING") == [third, second]
    assert ids(campaign_ids=[third, first]) == [third]
    page = api.get(base, params={"page_size": 1}).json()
    assert [c["id"] for c in page["items"]] == [second]
    rest = api.get(base, params={"page_size": 1, "bookmark": page["bookmark"]}).json()
    assert [c["id"] for c in rest["items"]] == [third]
    group = make_group(api, account, second)["id"]
    both = api.get(
        f"/ad_accounts/{account}/ad_groups", params={"campaign_ids": second, "ad_group_ids": group}
    )
    assert both.status_code == 400
    by_campaign = api.get(f"/ad_accounts/{account}/ad_groups", params={"campaign_ids": second})
    assert [g["id"] for g in by_campaign.json()["items"]] == [group]


@pytest.fixture
def sandbox() -> Iterator[Emulator]:
    emulator = Emulator(sandbox=True)
    try:
        yield emulator
    finally:
        emulator.close()


def test_sandbox_delete_takes_the_account_and_its_ads(sandbox: Emulator) -> None:
    account = sandbox.default_ad_account_id
    with sandbox.http_client(headers=bearer(sandbox.issue_token().access_token)) as api:
        campaign = make_campaign(api, account)["id"]
        assert api.delete(f"/ad_accounts/{account}/sandbox").json() == "Delete Success"
        assert api.get(f"/ad_accounts/{account}").status_code == 404
    with sandbox.store_read() as tx:
        assert tx.get("campaign", campaign) is None
