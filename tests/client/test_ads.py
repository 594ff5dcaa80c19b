"""Ad accounts, campaigns, ad groups, ads and promote_pin through the client, against the
emulator: sync and async, over HTTP and in-process, every answer checked against the spec."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest

import pinkit
from pinkit.emulator import Emulator
from tests.spec import load_spec, response_problems

NOW_PLUS_YEAR = 365 * 86_400
IMAGE = pinkit.ImageURL("https://example.com/shoe.jpg")


@pytest.fixture(params=["inproc", "http"])
def emu(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """An emulator, in-process or serving HTTP; its answers are checked against the spec."""
    emulator = Emulator()
    if request.param == "http":
        emulator.start()
    try:
        yield emulator
        spec = load_spec()
        if spec is not None:
            problems = [p for r in emulator.requests for p in response_problems(spec, r)]
            assert not problems, "\n".join(problems)
    finally:
        emulator.close()


@pytest.fixture
def local(inproc_emulator: Emulator) -> Emulator:
    return inproc_emulator


@pytest.fixture
def client(emu: Emulator) -> Iterator[pinkit.Client]:
    with emu.client(ad_account_id=emu.default_ad_account_id) as client:
        yield client


def ops(emulator: Emulator, operation_id: str | None = None) -> list[str]:
    return [
        str(r.operation_id)
        for r in emulator.requests
        if operation_id is None or r.operation_id == operation_id
    ]


def status_of(emulator: Emulator, kind: str, entity_id: str | None) -> str:
    with emulator.store_read() as tx:
        doc = tx.get_doc(kind, entity_id)
    assert doc is not None
    return str(doc.data["status"])


def campaign(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "objective_type": "AWARENESS", **fields}


def make_pin(client: pinkit.Client) -> str:
    board = client.boards.create("Shop")
    assert board.id
    pin = client.pins.create(board.id, IMAGE, title="Shoe")
    assert pin.id
    return pin.id


# -- the ad account --------------------------------------------------------------------------------
def test_the_ad_account_comes_from_the_argument_the_client_or_the_environment(
    local: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = local.default_ad_account_id
    other = local.create_ad_account(currency="EUR")
    monkeypatch.delenv("PINTEREST_AD_ACCOUNT_ID", raising=False)
    with local.client() as client:
        with pytest.raises(pinkit.InvalidInputError) as caught:
            client.campaigns.list()
        for way in ("ad_account_id", "Client(ad_account_id=...)", "PINTEREST_AD_ACCOUNT_ID"):
            assert way in str(caught.value)
        assert client.ad_accounts.get(other).currency == "EUR"
    with local.client(ad_account_id=account) as client:
        assert client.ad_accounts.get().id == account
        assert client.ad_accounts.get(other).id == other  # the argument wins
    monkeypatch.setenv("PINTEREST_AD_ACCOUNT_ID", other)
    with local.client() as client:
        assert client.ad_accounts.get().id == other
        assert client.campaigns.create_one(item=campaign("env")).ad_account_id == other


@pytest.mark.parametrize("bad", ["abc", "1" * 19, "12 ", "", "C123"])
def test_bad_ad_account_ids_are_refused_before_any_request(local: Emulator, bad: str) -> None:
    with local.client() as client:
        for call in (
            lambda: client.ad_accounts.get(bad),
            lambda: client.campaigns.list(bad),
            lambda: client.ads.promote_pin(bad, "1", daily_budget=5),
        ):
            with pytest.raises(pinkit.InvalidInputError):
                call()
    assert local.requests == []


def test_ad_accounts(client: pinkit.Client, emu: Emulator) -> None:
    accounts = list(client.ad_accounts.list())
    assert [a.id for a in accounts] == [emu.default_ad_account_id]
    account = client.ad_accounts.get()
    assert isinstance(account, pinkit.AdAccount)
    assert (account.currency, account.permissions) == ("USD", ["OWNER"])


# -- lists -----------------------------------------------------------------------------------------
def test_list_filters_come_from_the_spec(local: Emulator) -> None:
    with local.client(ad_account_id=local.default_ad_account_id) as client:
        with pytest.raises(pinkit.InvalidInputError, match="campaign_ids, entity_statuses, order"):
            client.campaigns.list(status="ACTIVE")
        with pytest.raises(pinkit.InvalidInputError, match="translate_interests_to_names"):
            client.ad_groups.list(ad_ids=["1"])
        with pytest.raises(pinkit.InvalidInputError, match="entity_statuses"):
            client.campaigns.list(entity_statuses=["RUNNING"])
        with pytest.raises(pinkit.InvalidInputError, match="order"):
            client.ads.list(order="NEWEST")
        with pytest.raises(pinkit.InvalidInputError, match="250"):
            client.campaigns.list(campaign_ids=[str(i + 1) for i in range(251)])
        with pytest.raises(pinkit.InvalidInputError, match="digits"):
            client.campaigns.list(campaign_ids=["C12"])
        with pytest.raises(pinkit.InvalidInputError, match="only one of"):
            client.ads.list(campaign_ids=["1"], ad_ids=["2"])
    assert local.requests == []


def test_lists_leave_archived_out_unless_asked(client: pinkit.Client) -> None:
    made = client.campaigns.create(
        items=[campaign("a"), campaign("b", status="PAUSED"), campaign("c")]
    )
    assert isinstance(made, pinkit.BatchResult) and made.ok
    a, b, c = (e.id for e in made.succeeded)
    client.campaigns.archive(ids=c)
    assert [x.id for x in client.campaigns.list()] == [a, b]
    assert [x.id for x in client.campaigns.list(include_archived=True)] == [a, b, c]
    paused = client.campaigns.list(entity_statuses="PAUSED", include_archived=True)
    assert [x.id for x in paused] == [b, c]
    assert [x.id for x in client.campaigns.list(order="DESCENDING")] == [b, a]
    assert [x.id for x in client.campaigns.list(campaign_ids=[a, c])] == [a]


def test_lists_paginate(local: Emulator) -> None:
    with local.client(ad_account_id=local.default_ad_account_id) as client:
        made = client.campaigns.create(items=[campaign(f"c{i}") for i in range(7)])
        assert isinstance(made, pinkit.BatchResult)
        local.clear_requests()
        listed = list(client.campaigns.list(page_size=3))
    assert [c.name for c in listed] == [f"c{i}" for i in range(7)]
    assert ops(local) == ["campaigns/list"] * 3


# -- bulk writes -----------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [1, 30, 31, 100])
def test_bulk_create_has_a_result_per_item_in_input_order(local: Emulator, size: int) -> None:
    """Every 4th item is refused by the emulator (its end is in the past), every 10th by a
    local check (both caps set); the rest are made, in input order."""
    past = int(local.clock.now()) - 60
    items = []
    for i in range(size):
        item = campaign(f"c{i}")
        if i % 10 == 9:
            item.update(daily_spend_cap=1_000_000, lifetime_spend_cap=2_000_000)
        elif i % 4 == 3:
            item["end_time"] = past
        items.append(item)
    with local.client(ad_account_id=local.default_ad_account_id) as client:
        result = client.campaigns.create(items=items)
    assert isinstance(result, pinkit.BatchResult)
    assert len(result.results) == size
    invalid = {i for i in range(size) if i % 10 == 9}
    refused = {i for i in range(size) if i % 4 == 3} - invalid
    for index, entry in enumerate(result.results):
        if index in invalid:
            assert isinstance(entry, pinkit.ItemError)
            assert (entry.outcome, entry.code) == ("invalid", None)
            assert "cannot be set at the same time" in entry.message
        elif index in refused:
            assert isinstance(entry, pinkit.ItemError)
            assert (entry.outcome, entry.code) == ("refused", 400)
            assert entry.message == "end_time must be in the future."
        else:
            assert isinstance(entry, pinkit.Campaign)
            assert entry.name == f"c{index}"
        if isinstance(entry, pinkit.ItemError):
            assert entry.index == index and entry.item["name"] == f"c{index}"
    assert [e.index for e in result.failed] == sorted(invalid | refused)
    assert [c.name for c in result.succeeded] == [
        f"c{i}" for i in range(size) if i not in invalid | refused
    ]
    sent = size - len(invalid)
    assert ops(local, "campaigns/create") == ["campaigns/create"] * math.ceil(sent / 30)
    assert all(len(r.json() or []) <= 30 for r in local.requests if r.method == "POST")


def test_ad_group_items_refused_by_the_emulator(client: pinkit.Client) -> None:
    made = client.campaigns.create_one(item=campaign("c"))
    assert isinstance(made, pinkit.Campaign) and made.id
    group = {"name": "g", "billable_event": "IMPRESSION", "budget_in_micro_currency": 5_000_000}
    items = [
        {**group, "campaign_id": made.id, "bid_in_micro_currency": 3_000_000},
        {**group, "campaign_id": "999999", "bid_in_micro_currency": 3_000_000},  # unknown
        {**group, "campaign_id": made.id},  # AWARENESS/IMPRESSION needs a bid
        {**group, "campaign_id": f"C{made.id}", "bid_in_micro_currency": 3_000_000},
        {**group, "campaign_id": made.id, "budget_type": "LIFETIME"},  # local: no end_time
    ]
    result = client.ad_groups.create(items=items)
    assert isinstance(result, pinkit.BatchResult)
    assert [type(r).__name__ for r in result] == [
        "AdGroup",
        "ItemError",
        "ItemError",
        "AdGroup",
        "ItemError",
    ]
    unknown, no_bid, lifetime = result.failed
    assert (unknown.code, unknown.outcome) == (404, "refused")
    assert "not found" in unknown.message
    assert "bid_in_micro_currency is required" in no_bid.message
    assert (lifetime.outcome, lifetime.message) == (
        "invalid",
        "A LIFETIME budget needs an end_time.",
    )


def test_ad_exceptions_are_one_object_and_still_mapped(client: pinkit.Client) -> None:
    promoted = client.ads.promote_pin(pin_id=make_pin(client), daily_budget="10")
    assert isinstance(promoted, pinkit.PromotedPin)
    group = promoted.ad_group.id
    result = client.ads.create(
        items=[
            {"ad_group_id": group, "pin_id": "424242", "creative_type": "REGULAR"},
            {"ad_group_id": group, "pin_id": promoted.ad.pin_id, "creative_type": "REGULAR"},
            {"ad_group_id": group, "pin_id": promoted.ad.pin_id, "creative_type": "VIDEO"},
        ]
    )
    assert isinstance(result, pinkit.BatchResult)
    first, second, third = result.results
    assert isinstance(first, pinkit.ItemError) and first.code == 404
    assert first.exceptions == [{"code": 404, "message": first.message}]
    assert isinstance(second, pinkit.Ad) and second.pin_id == promoted.ad.pin_id
    assert isinstance(third, pinkit.ItemError) and "does not fit" in third.message


def test_one_item_writes_raise(local: Emulator) -> None:
    with local.client(ad_account_id=local.default_ad_account_id) as client:
        made = client.campaigns.create_one(item=campaign("one", daily_spend_cap=9_000_000))
        assert isinstance(made, pinkit.Campaign) and made.daily_spend_cap == 9_000_000
        changed = client.campaigns.update_one(item={"id": made.id, "name": "two"})
        assert isinstance(changed, pinkit.Campaign) and changed.name == "two"
        with pytest.raises(pinkit.ItemError) as refused:
            client.campaigns.update_one(item={"id": made.id, "objective_type": "CONSIDERATION"})
        assert refused.value.code == 400 and "draft" in refused.value.message
        with pytest.raises(pinkit.ItemError, match="not found"):
            client.campaigns.update_one(item={"id": "123", "name": "x"})
        local.clear_requests()
        for bad in (
            campaign("x", objective_type="SALES"),
            campaign("x", daily_spend_cap=1, lifetime_spend_cap=1),
            campaign("x", daily_spend_cap="20.00"),
            campaign("x", start_time=2_000_000_000, end_time=1_900_000_000),
            campaign("x", end_time=1_900_000_000_000),  # milliseconds
            {"objective_type": "AWARENESS"},
        ):
            with pytest.raises(pinkit.InvalidInputError):
                client.campaigns.create_one(item=bad)
        with pytest.raises(pinkit.InvalidInputError, match="nothing to update"):
            client.campaigns.update_one(item={"id": made.id})
        with pytest.raises(pinkit.InvalidInputError, match="list of campaign objects"):
            client.campaigns.create(items=campaign("x"))  # type: ignore[arg-type]
        with pytest.raises(pinkit.InvalidInputError, match="empty"):
            client.campaigns.create(items=[])
        with pytest.raises(pinkit.InvalidInputError, match="is not the ad account"):
            client.campaigns.create_one(item=campaign("x", ad_account_id="77"))
        with pytest.raises(pinkit.InvalidInputError, match="campaign_id"):
            client.ad_groups.create_one(
                item={"campaign_id": "X1", "name": "g", "billable_event": "IMPRESSION"}
            )
        with pytest.raises(pinkit.InvalidInputError, match="campaign_id is required"):
            client.campaigns.get()
    assert local.requests == []


def test_pause_activate_archive_one_or_many(client: pinkit.Client, emu: Emulator) -> None:
    made = client.campaigns.create(items=[campaign("a"), campaign("b")])
    assert isinstance(made, pinkit.BatchResult)
    ids = [c.id for c in made.succeeded]
    paused = client.campaigns.pause(ids=ids)
    assert isinstance(paused, pinkit.BatchResult)
    assert [c.status for c in paused.succeeded] == ["PAUSED", "PAUSED"]
    active = client.campaigns.activate(ids=ids[0])
    assert isinstance(active, pinkit.BatchResult) and active.succeeded[0].status == "ACTIVE"
    client.campaigns.archive(ids=ids[1])
    again = client.campaigns.activate(ids=[ids[1], ids[0]])
    assert isinstance(again, pinkit.BatchResult)
    assert isinstance(again[0], pinkit.ItemError) and "ARCHIVED" in again[0].message
    assert isinstance(again[1], pinkit.Campaign)
    assert status_of(emu, "campaign", ids[1]) == "ARCHIVED"
    with pytest.raises(pinkit.InvalidInputError):
        client.campaigns.pause(ids=[])


# -- dry runs --------------------------------------------------------------------------------------
def test_dry_runs_send_nothing(emu: Emulator) -> None:
    with emu.client(ad_account_id=emu.default_ad_account_id) as client:
        pin_id = make_pin(client)
        emu.clear_requests()
        items = [campaign(f"c{i}") for i in range(100)]
        items[50]["daily_spend_cap"] = -5
        plan = client.campaigns.create(items=items, dry_run=True)
        assert isinstance(plan, pinkit.DryRun)
        assert [len(r.json) for r in plan.requests] == [30, 30, 30, 9]
        assert {(r.method, r.path) for r in plan.requests} == {
            ("POST", f"/ad_accounts/{emu.default_ad_account_id}/campaigns")
        }
        assert [e.index for e in plan.failed] == [50] and not plan.ok
        assert all(i["ad_account_id"] == emu.default_ad_account_id for i in plan.requests[0].json)
        update = client.ad_groups.update(items=[{"id": "5", "name": "n"}], dry_run=True)
        assert isinstance(update, pinkit.DryRun) and update.requests[0].method == "PATCH"
        one = client.ads.create_one(
            item={"ad_group_id": "AG1", "pin_id": pin_id, "creative_type": "REGULAR"},
            dry_run=True,
        )
        assert isinstance(one, pinkit.DryRun) and len(one.requests) == 1
        paused = client.ads.pause(ids=["1", "2"], dry_run=True)
        assert isinstance(paused, pinkit.DryRun)
        assert paused.requests[0].json == [
            {"id": "1", "status": "PAUSED"},
            {"id": "2", "status": "PAUSED"},
        ]
        promote = client.ads.promote_pin(pin_id=pin_id, daily_budget="20.00", dry_run=True)
        assert isinstance(promote, pinkit.DryRun)
        assert [r.path.rsplit("/", 1)[-1] for r in promote.requests] == [
            emu.default_ad_account_id,
            "bid_floor",
            "campaigns",
            "ad_groups",
            "ads",
        ]
        group = promote.requests[3].json[0]
        assert group["budget_in_micro_currency"] == 20_000_000
        assert (
            group["campaign_id"] == "{campaign.id}"
            and group["bid_in_micro_currency"] == "{bid_floor}"
        )
        assert promote.requests[4].json[0]["ad_group_id"] == "{ad_group.id}"
    assert emu.requests == []
    with emu.store_read() as tx:
        assert tx.count("campaign") == 0


# -- a request failing mid-way ------------------------------------------------------------------
class FailOnce(httpx2.BaseTransport):
    """Forwards to the emulator; on the ``nth`` request for ``path_end`` it lets the emulator
    process the request, then fails the way ``how`` says."""

    def __init__(self, emulator: Emulator, path_end: str, nth: int, how: str) -> None:
        self.inner = emulator.transport()
        self.emulator = emulator
        self.path_end, self.nth, self.how = path_end, nth, how
        self.seen = 0

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if not request.url.path.endswith(self.path_end) or request.method == "GET":
            return self.inner.handle_request(request)
        self.seen += 1
        if self.seen == self.nth and self.how == "reset":
            self.inner.handle_request(request).close()  # processed...
            raise httpx2.ReadError("connection reset by peer")  # ...but the answer is lost
        response = self.inner.handle_request(request)
        if self.seen == self.nth - 1 and self.how == "fault":
            # A 500 after processing for the next request (and for an update's retries).
            self.emulator.inject_fault(500, count=3, after_processing=True)
        return response


@pytest.mark.parametrize("how", ["reset", "fault"])
def test_a_failure_mid_way_keeps_earlier_results(local: Emulator, how: str) -> None:
    account = local.default_ad_account_id
    http = httpx2.Client(transport=FailOnce(local, "/campaigns", 2, how), base_url=local.base_url)
    with local.client(ad_account_id=account, http_client=http) as client:
        result = client.campaigns.create(items=[campaign(f"c{i}") for i in range(100)])
    assert isinstance(result, pinkit.BatchResult)
    assert [c.name for c in result.succeeded] == [f"c{i}" for i in range(30)]
    unknown, not_sent = result.failed[:30], result.failed[30:]
    assert [e.index for e in unknown] == list(range(30, 60))
    assert [e.index for e in not_sent] == list(range(60, 100))
    for error in unknown:
        assert error.outcome == "unknown" and not error.retry_safe
        assert "may or may not have been applied" in error.message
        assert ("reset" in error.message) if how == "reset" else (error.code is not None)
    for error in not_sent:
        assert error.outcome == "not_sent" and error.retry_safe
        assert "not sent" in error.message
    with local.store_read() as tx:
        assert tx.count("campaign") == 60  # the second request was applied, its answer lost


def test_an_update_failing_mid_way_can_be_sent_again(local: Emulator) -> None:
    account = local.default_ad_account_id
    with local.client(ad_account_id=account) as client:
        made = client.campaigns.create(items=[campaign(f"c{i}") for i in range(45)])
        assert isinstance(made, pinkit.BatchResult) and made.ok
        ids = [c.id for c in made.succeeded]
    http = httpx2.Client(
        transport=FailOnce(local, "/campaigns", 2, "fault"), base_url=local.base_url
    )
    with local.client(ad_account_id=account, http_client=http, max_retries=2) as client:
        result = client.campaigns.pause(ids=ids)
        assert isinstance(result, pinkit.BatchResult)
        assert len(result.succeeded) == 30
        assert [e.index for e in result.failed] == list(range(30, 45))
        assert all(e.outcome == "unknown" and e.retry_safe for e in result.failed)
        again = client.campaigns.update(items=[e.item for e in result.failed])
    assert isinstance(again, pinkit.BatchResult) and again.ok
    assert {status_of(local, "campaign", i) for i in ids} == {"PAUSED"}


def test_a_failure_of_the_first_request_raises(local: Emulator) -> None:
    local.inject_fault(500, operation="campaigns/create")
    with local.client(ad_account_id=local.default_ad_account_id) as client:
        with pytest.raises(pinkit.InternalServerError):
            client.campaigns.create(items=[campaign(f"c{i}") for i in range(40)])
    assert len(ops(local, "campaigns/create")) == 1  # never retried: a create may duplicate


# -- roles -----------------------------------------------------------------------------------------
def test_an_analyst_reads_but_cannot_write(emu: Emulator) -> None:
    account = emu.default_ad_account_id
    analyst = emu.create_user("analyst")
    emu.grant_ad_account_role(account, analyst, "ANALYST")
    token = emu.issue_token(user_id=analyst).access_token
    with emu.client(access_token=token, ad_account_id=account) as client:
        assert client.ad_accounts.get().permissions == ["ANALYST"]
        assert list(client.campaigns.list()) == []
        with pytest.raises(pinkit.PermissionDeniedError) as denied:
            client.campaigns.create(items=[campaign("nope")])
        assert denied.value.status_code == 403
        with pytest.raises(pinkit.PermissionDeniedError):
            client.campaigns.create_one(item=campaign("nope"))
        with pytest.raises(pinkit.PromoteError) as failed:
            client.ads.promote_pin(pin_id="123", daily_budget="5")
        assert failed.value.step == "campaign" and failed.value.rolled_back == []
        assert isinstance(failed.value.cause, pinkit.PermissionDeniedError)
    with emu.store_read() as tx:
        assert tx.count("campaign") == 0


# -- promote_pin -----------------------------------------------------------------------------------
def test_promote_pin(client: pinkit.Client, emu: Emulator) -> None:
    pin_id = make_pin(client)
    start = int(emu.clock.now()) + 3600
    promoted = client.ads.promote_pin(
        pin_id=pin_id, daily_budget="20.00", start_time=start, end_time=start + NOW_PLUS_YEAR
    )
    assert isinstance(promoted, pinkit.PromotedPin)
    campaign_, group, ad = promoted.campaign, promoted.ad_group, promoted.ad
    assert (campaign_.objective_type, campaign_.status) == ("AWARENESS", "ACTIVE")
    assert campaign_.daily_spend_cap is None  # the budget is the ad group's
    assert (group.budget_in_micro_currency, group.budget_type) == (20_000_000, "DAILY")
    assert group.billable_event == "IMPRESSION" and group.campaign_id == campaign_.id
    assert (group.start_time, group.end_time) == (start, start + NOW_PLUS_YEAR)
    assert ops(emu)[-5:] == [
        "ad_accounts/get",
        "ad_groups_bid_floor/get",
        "campaigns/create",
        "ad_groups/create",
        "ads/create",
    ]
    floor = client.ad_groups.bid_floors(
        bid_floor_specs=[{"billable_event": "IMPRESSION", "currency": "USD"}]
    )
    assert group.bid_in_micro_currency == floor[0]
    assert (ad.pin_id, ad.ad_group_id, ad.creative_type) == (pin_id, group.id, "REGULAR")
    assert promoted.budget == "USD 20.00" and promoted.currency == "USD"


def test_promote_pin_lifetime_budget_bid_and_objective(local: Emulator) -> None:
    with local.client(ad_account_id=local.default_ad_account_id) as client:
        pin_id = make_pin(client)
        end = int(local.clock.now()) + 30 * 86_400
        promoted = client.ads.promote_pin(
            pin_id=pin_id,
            lifetime_budget=500,
            bid="0.25",
            objective_type="CONSIDERATION",
            end_time=end,
            status="PAUSED",
        )
    assert isinstance(promoted, pinkit.PromotedPin)
    group = promoted.ad_group
    assert (group.budget_type, group.budget_in_micro_currency) == ("LIFETIME", 500_000_000)
    assert (group.bid_in_micro_currency, group.billable_event) == (250_000, "CLICKTHROUGH")
    assert promoted.campaign.status == promoted.ad.status == "PAUSED"
    assert "ad_groups_bid_floor/get" not in ops(local)


def test_promote_pin_in_yen(local: Emulator) -> None:
    account = local.create_ad_account(currency="JPY", country="JP")
    with local.client(ad_account_id=account) as client:
        pin_id = make_pin(client)
        promoted = client.ads.promote_pin(pin_id=pin_id, daily_budget="2000")
        assert isinstance(promoted, pinkit.PromotedPin)
        assert promoted.ad_group.budget_in_micro_currency == 2_000_000_000
        assert promoted.budget == "JPY 2,000"
        with pytest.raises(pinkit.InvalidInputError, match="JPY amounts have whole units"):
            client.ads.promote_pin(pin_id=pin_id, daily_budget="2000.5")
        with pytest.raises(pinkit.InvalidInputError, match="is in JPY, not USD"):
            client.ads.promote_pin(pin_id=pin_id, daily_budget="20", currency="USD")
    with local.store_read() as tx:
        assert tx.count("campaign") == 1  # the refused ones made nothing


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({}, "give one budget"),
        ({"daily_budget": 5, "lifetime_budget": 50}, "give one budget"),
        ({"daily_budget": 20.0}, "float"),
        ({"daily_budget": "0"}, "more than 0"),
        ({"daily_budget": "-3"}, "more than 0"),
        ({"daily_budget": "1.0000001"}, "fraction of a micro-unit"),
        ({"daily_budget": "20.001", "currency": "USD"}, "2 decimal places"),
        ({"lifetime_budget": 50}, "needs an end_time"),
        ({"daily_budget": 5, "objective_type": "SALES"}, "objective_type must be one of"),
        ({"daily_budget": 5, "status": "RUNNING"}, "status must be one of"),
        ({"daily_budget": 5, "billable_event": "CLICKTHROUGH"}, "does not fit"),
        ({"daily_budget": 5, "objective_type": "WEB_CONVERSION"}, "optimization_goal_metadata"),
        ({"daily_budget": 5, "objective_type": "VIDEO_COMPLETION", "bid": 1}, "automatically"),
        ({"daily_budget": 5, "start_time": 2_000_000_000, "end_time": 1_999_999_999}, "after"),
        ({"daily_budget": 5, "end_time": 1_000_000_000}, "future"),
        ({"daily_budget": 5, "start_time": "tomorrow"}, "datetime or Unix seconds"),
        ({"daily_budget": 5, "creative_type": "BANNER"}, "creative_type"),
        ({"daily_budget": 5, "currency": "XYZ"}, "unknown currency"),
    ],
)
def test_promote_pin_checks_everything_before_any_request(
    local: Emulator, kwargs: dict[str, Any], reason: str
) -> None:
    with local.client(ad_account_id=local.default_ad_account_id) as client:
        with pytest.raises(pinkit.InvalidInputError, match=reason):
            client.ads.promote_pin(pin_id="1234", **kwargs)
        with pytest.raises(pinkit.InvalidInputError, match="pin_id"):
            client.ads.promote_pin(pin_id="pin-1", daily_budget=5)
    assert local.requests == []


def _hidden_pin(emulator: Emulator) -> str:
    """A pin on another user's secret board: the ad account's owner cannot see it."""
    other = emulator.create_user("stranger")
    with emulator.client(access_token=emulator.issue_token(user_id=other).access_token) as c:
        board = c.boards.create("Private", privacy="SECRET")
        assert board.id
        pin = c.pins.create(board.id, IMAGE)
    assert pin.id
    return pin.id


Breaker = Callable[[Emulator], dict[str, Any]]
ROLLBACKS: dict[str, tuple[str, Breaker]] = {
    "campaign fault": (
        "campaign",
        lambda e: e.inject_fault(500, operation="campaigns/create") and {},
    ),
    "ad group fault": (
        "ad_group",
        lambda e: e.inject_fault(503, operation="ad_groups/create") and {},
    ),
    "bid under the floor": ("ad_group", lambda e: {"bid": "0.01"}),
    "ad fault": ("ad", lambda e: e.inject_fault(500, operation="ads/create") and {}),
    "pin not visible": ("ad", lambda e: {"pin_id": _hidden_pin(e)}),
}


@pytest.mark.parametrize("case", list(ROLLBACKS))
def test_promote_pin_rolls_back_a_failed_step(emu: Emulator, case: str) -> None:
    step, breaker = ROLLBACKS[case]
    with emu.client(ad_account_id=emu.default_ad_account_id) as client:
        kwargs: dict[str, Any] = {"pin_id": make_pin(client), "daily_budget": "20.00"}
        kwargs.update(breaker(emu))
        with pytest.raises(pinkit.PromoteError) as caught:
            client.ads.promote_pin(**kwargs)
    error = caught.value
    assert isinstance(error, pinkit.PinterestError) and error.step == step
    assert error.cause is error.__cause__ and error.left_behind == []
    kinds = {"campaign": [], "ad_group": ["campaign"], "ad": ["ad_group", "campaign"]}[step]
    assert [type(e).__name__ for e in error.rolled_back] == [
        {"campaign": "Campaign", "ad_group": "AdGroup"}[k] for k in kinds
    ]
    for entity in error.rolled_back:
        assert entity.status == "ARCHIVED"
        kind = "campaign" if isinstance(entity, pinkit.Campaign) else "ad_group"
        assert status_of(emu, kind, entity.id) == "ARCHIVED"
    with emu.store_read() as tx:
        assert tx.count("campaign") == len([k for k in kinds if k == "campaign"])
        assert all(d.data["status"] == "ARCHIVED" for d in tx.list("campaign"))
        assert all(d.data["status"] == "ARCHIVED" for d in tx.list("ad_group"))
        assert tx.count("ad") == 0
    assert ("nothing was created" in str(error)) == (step == "campaign")


def test_promote_pin_says_what_it_could_not_roll_back(local: Emulator) -> None:
    with local.client(ad_account_id=local.default_ad_account_id, max_retries=0) as client:
        pin_id = make_pin(client)
        local.inject_fault(500, operation="ads/create")
        local.inject_fault(500, operation="campaigns/update")
        with pytest.raises(pinkit.PromoteError) as caught:
            client.ads.promote_pin(pin_id=pin_id, daily_budget="20.00")
    error = caught.value
    assert [type(e).__name__ for e in error.rolled_back] == ["AdGroup"]
    assert [type(e).__name__ for e in error.left_behind] == ["Campaign"]
    assert "could not archive campaign" in str(error)
    assert status_of(local, "campaign", error.left_behind[0].id) == "ACTIVE"


# -- async -----------------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_async_ads(emu: Emulator) -> None:
    async with emu.async_client(ad_account_id=emu.default_ad_account_id) as client:
        account = await client.ad_accounts.get()
        assert account.currency == "USD"
        made = await client.campaigns.create(items=[campaign(f"c{i}") for i in range(35)])
        assert isinstance(made, pinkit.BatchResult) and len(made.succeeded) == 35
        listed = [c.id async for c in client.campaigns.list(page_size=10)]
        assert listed == [c.id for c in made.succeeded]
        one = await client.campaigns.get(campaign_id=listed[0])
        assert one.name == "c0"
        paused = await client.campaigns.pause(ids=listed[:2])
        assert isinstance(paused, pinkit.BatchResult) and paused.ok
        plan = await client.campaigns.archive(ids=listed, dry_run=True)
        assert isinstance(plan, pinkit.DryRun) and len(plan.requests) == 2
        board = await client.boards.create("Async shop")
        assert board.id
        pin = await client.pins.create(board.id, IMAGE)
        assert pin.id
        promoted = await client.ads.promote_pin(pin_id=pin.id, daily_budget="12.50")
        assert isinstance(promoted, pinkit.PromotedPin) and promoted.budget == "USD 12.50"
        emu.inject_fault(500, operation="ads/create")
        with pytest.raises(pinkit.PromoteError) as caught:
            await client.ads.promote_pin(pin_id=pin.id, daily_budget="12.50")
        assert caught.value.step == "ad" and len(caught.value.rolled_back) == 2
        with pytest.raises(pinkit.ItemError):
            await client.campaigns.update_one(item={"id": "1", "name": "x"})


@pytest.mark.anyio
async def test_async_mid_way_failure(local: Emulator) -> None:
    class Reset(httpx2.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner = local.async_transport()
            self.posts = 0

        async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
            if request.method == "POST" and request.url.path.endswith("/ad_groups"):
                self.posts += 1
                if self.posts == 3:
                    raise httpx2.ConnectError("connection refused")  # never reached the server
            return await self.inner.handle_async_request(request)

    http = httpx2.AsyncClient(transport=Reset(), base_url=local.base_url)
    account = local.default_ad_account_id
    async with local.async_client(ad_account_id=account, http_client=http, max_retries=0) as c:
        made = await c.campaigns.create_one(item=campaign("c"))
        assert isinstance(made, pinkit.Campaign)
        group = {
            "campaign_id": made.id,
            "billable_event": "IMPRESSION",
            "budget_in_micro_currency": 10_000_000,
            "bid_in_micro_currency": 3_000_000,
        }
        result = await c.ad_groups.create(items=[{**group, "name": f"g{i}"} for i in range(70)])
    assert isinstance(result, pinkit.BatchResult)
    assert len(result.succeeded) == 60
    assert [e.outcome for e in result.failed] == ["unknown"] * 10
    assert "connection refused" in result.failed[0].message


def test_the_demo_promotes_a_pin(local: Emulator, tmp_path: Any) -> None:
    import io

    from rich.console import Console

    from pinkit.demo._tour import Tour
    from pinkit.demo.ads import promote

    console = Console(file=io.StringIO(), width=120)
    with local.client(ad_account_id=local.default_ad_account_id) as client:
        board = client.boards.create("Shop the look")
        assert board.id
        pin = client.pins.create(board.id, IMAGE)
        promoted = promote(Tour(console, local, tmp_path), client, pin)
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "USD 20.00 a day" in shown and "20,000,000 micro-units" in shown
    assert promoted.ad.pin_id == pin.id
    assert ops(local).count("ads/create") == 1
