"""Every request the client can send is one the official spec describes.

Each public resource method (found by introspection, so a new one cannot be forgotten) and
the raw ``request``/``paginate`` calls run against the in-process emulator; every recorded
request is then checked against its operation in the spec: path, method, query parameter
names and values, and the JSON body.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import pinkit
from pinkit import resources
from pinkit._resource import Resource, endpoint, paginated, workflow
from pinkit.emulator import Emulator
from pinkit.reports.planner import today_utc
from tests.history import make_campaign
from tests.spec import request_problems

# Every resource method, called in an order that makes each call valid: (name, call).
Step = Callable[[pinkit.Client, dict[str, Any]], Any]


def _ads(c: pinkit.Client, ids: dict[str, Any]) -> None:
    account = c.request("GET", "/ad_accounts")["items"][0]["id"]
    made = make_campaign(c, None, account=account)
    ids.update(account=account, campaign=made.id, groups=list(made.groups), ads=made.ads)
    ids["today"] = today_utc(c.clock.now())
    ids["start"] = ids["today"] - dt.timedelta(days=6)


def analytics_steps() -> list[tuple[str, Step]]:
    def dates(ids: dict[str, Any]) -> dict[str, Any]:
        return {"start_date": ids["start"], "end_date": ids["today"]}

    cols = ["SPEND_IN_MICRO_DOLLAR", "CTR"]
    return [
        ("AnalyticsAPI.user_account", lambda c, ids: (_ads(c, ids), c.analytics.user_account(
            ids["start"], ids["today"], metric_types=["IMPRESSION", "SAVE"], app_types="ALL"))),
        ("AnalyticsAPI.top_pins", lambda c, ids: c.analytics.top_pins(
            ids["start"], ids["today"], num_of_pins=5, metric_types="IMPRESSION")),
        ("AnalyticsAPI.top_video_pins", lambda c, ids: c.analytics.top_video_pins(
            ids["start"], ids["today"], sort_by="VIDEO_START")),
        # The spec's pin metric_types are a oneOf of two enums that share most values, so a
        # strict validator takes only the values in one of them (VIDEO_START, USER_FOLLOW).
        ("AnalyticsAPI.pin", lambda c, ids: c.analytics.pin(
            ids["pin"], ids["start"], ids["today"], metric_types=["VIDEO_START"])),
        ("AnalyticsAPI.pins", lambda c, ids: c.analytics.pins(
            [ids["pin"]], ids["start"], ids["today"], metric_types=["USER_FOLLOW"])),
        ("AnalyticsAPI.ad_account", lambda c, ids: c.analytics.ad_account(
            ids["account"], columns=cols, click_window_days=7, **dates(ids))),
        ("AnalyticsAPI.campaigns", lambda c, ids: c.analytics.campaigns(
            ids["account"], campaign_ids=[ids["campaign"]], columns=cols, **dates(ids))),
        ("AnalyticsAPI.ad_groups", lambda c, ids: c.analytics.ad_groups(
            ids["account"], ad_group_ids=ids["groups"], columns=cols, granularity="WEEK",
            **dates(ids))),
        ("AnalyticsAPI.ads", lambda c, ids: c.analytics.ads(
            ids["account"], ad_ids=ids["ads"], columns=cols, conversion_report_time=
            "TIME_OF_CONVERSION", **dates(ids))),
        ("ReportsAPI.create", lambda c, ids: ids.update(token=c.reports.create(
            ids["account"], level="AD_GROUP", columns=cols, campaign_ids=[ids["campaign"]],
            **dates(ids)))),
        ("ReportsAPI.get", lambda c, ids: c.reports.get(ids["account"], ids["token"])),
        ("ReportsAPI.run", lambda c, ids: c.reports.run(
            ids["account"], level="PIN_PROMOTION", columns=cols, report_format="JSON",
            view_window_days=7, **dates(ids))),
    ]  # fmt: skip


def scenario(tmp_path: Path) -> list[tuple[str, Step]]:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 1000)
    image = pinkit.ImageURL("https://example.com/a.jpg")

    return [
        ("UserAccountAPI.get", lambda c, ids: c.user_account.get()),
        ("UserAccountAPI.businesses", lambda c, ids: c.user_account.businesses()),
        (
            "UserAccountAPI.followers",
            lambda c, ids: c.user_account.followers(page_size=2, max_items=3),
        ),
        ("UserAccountAPI.following", lambda c, ids: c.user_account.following(page_size=5)),
        ("UserAccountAPI.websites", lambda c, ids: c.user_account.websites(max_items=10)),
        (
            "BoardsAPI.create",
            lambda c, ids: ids.update(board=c.boards.create("B", privacy="SECRET").id),
        ),
        ("BoardsAPI.get", lambda c, ids: c.boards.get(ids["board"])),
        ("BoardsAPI.list", lambda c, ids: c.boards.list(privacy="SECRET", page_size=10)),
        ("BoardsAPI.update", lambda c, ids: c.boards.update(ids["board"], description="d")),
        (
            "BoardSectionsAPI.create",
            lambda c, ids: ids.update(section=c.boards.sections.create(ids["board"], "S").id),
        ),
        ("BoardSectionsAPI.list", lambda c, ids: c.boards.sections.list(ids["board"])),
        (
            "BoardSectionsAPI.update",
            lambda c, ids: c.boards.sections.update(ids["board"], ids["section"], "S2"),
        ),
        (
            "PinsAPI.create",
            lambda c, ids: ids.update(
                pin=c.pins.create(
                    ids["board"], image, title="t", board_section_id=ids["section"]
                ).id
            ),
        ),
        ("PinsAPI.get", lambda c, ids: c.pins.get(ids["pin"], pin_metrics=False)),
        ("PinsAPI.list", lambda c, ids: c.pins.list(include_protected_pins=True, page_size=3)),
        ("PinsAPI.update", lambda c, ids: c.pins.update(ids["pin"], alt_text="alt")),
        ("PinsAPI.save", lambda c, ids: c.pins.save(ids["pin"], ids["board"])),
        ("BoardsAPI.list_pins", lambda c, ids: c.boards.list_pins(ids["board"])),
        (
            "BoardSectionsAPI.list_pins",
            lambda c, ids: c.boards.sections.list_pins(ids["board"], ids["section"]),
        ),
        ("MediaAPI.register", lambda c, ids: c.media.register()),
        ("MediaAPI.upload", lambda c, ids: ids.update(media=c.media.upload(video).media_id)),
        ("MediaAPI.wait", lambda c, ids: c.media.wait(ids["media"])),
        ("MediaAPI.get", lambda c, ids: c.media.get(ids["media"])),
        ("MediaAPI.list", lambda c, ids: c.media.list()),
        (
            "PinsAPI.create_video",
            lambda c, ids: c.pins.create_video(
                ids["board"], video, cover_image_url="https://example.com/c.jpg"
            ),
        ),
        *ads_scenario(),
        *audience_steps(tmp_path),
        *analytics_steps(),
        ("PinsAPI.delete", lambda c, ids: c.pins.delete(ids["pin"])),
        (
            "BoardSectionsAPI.delete",
            lambda c, ids: c.boards.sections.delete(ids["board"], ids["section"]),
        ),
        ("BoardsAPI.delete", lambda c, ids: c.boards.delete(ids["board"])),
        ("ConversionsAPI.send", lambda c, ids: c.conversions.send(ids["ad_account"], [_event(c)])),
        (
            "ConversionsAPI.send_bulk",
            lambda c, ids: c.conversions.send_bulk(ids["ad_account"], [_event(c)], test=True),
        ),
        ("ConversionsAPI.quality", lambda c, ids: c.conversions.quality(ids["ad_account"], "1d")),
        ("ConversionsAPI.create_token", lambda c, ids: c.conversions.create_token()),
    ]


def audience_steps(tmp_path: Path) -> list[tuple[str, Step]]:
    """Customer lists and audiences, on the default user's ad account (``ids["aa"]``)."""
    people = [f"person{i}@example.com" for i in range(150)]
    ledger = tmp_path / "list.ledger"
    return [
        ("CustomerListsAPI.create", lambda c, ids: ids.update(customer_list=c.customer_lists.create(
            ids["aa"], "Customers", people[:120], chunk_size=100).customer_list.id)),
        ("CustomerListsAPI.add", lambda c, ids: c.customer_lists.add(
            ids["aa"], ids["customer_list"], ["6d92078a-8246-4ba4-ae5b-76104861e7dc"],
            list_type="MAID")),
        ("CustomerListsAPI.remove", lambda c, ids: c.customer_lists.remove(
            ids["aa"], ids["customer_list"], people[:5])),
        ("CustomerListsAPI.sync", lambda c, ids: c.customer_lists.sync(
            ids["aa"], ids["customer_list"], people[10:], ledger=ledger)),
        ("CustomerListsAPI.get", lambda c, ids: c.customer_lists.get(
            ids["aa"], ids["customer_list"])),
        ("CustomerListsAPI.list", lambda c, ids: c.customer_lists.list(
            ids["aa"], order="DESCENDING", page_size=5)),
        ("CustomerListsAPI.wait_until_ready", lambda c, ids: c.customer_lists.wait_until_ready(
            ids["aa"], ids["customer_list"])),
        ("AudiencesAPI.create_from_customer_list", lambda c, ids: ids.update(
            audience=c.audiences.create_from_customer_list(
                ids["aa"], "Customers", ids["customer_list"], description="d").id)),
        ("AudiencesAPI.create_actalike", lambda c, ids: ids.update(
            actalike=c.audiences.create_actalike(
                ids["aa"], "Lookalike", [ids["audience"]], country="GB", percentage=3).id)),
        ("AudiencesAPI.create", lambda c, ids: c.audiences.create(
            ids["aa"], "Visitors", "VISITOR", {"visitor_source_id": "1", "retention_days": 30})),
        ("AudiencesAPI.get", lambda c, ids: c.audiences.get(ids["aa"], ids["actalike"])),
        ("AudiencesAPI.list", lambda c, ids: c.audiences.list(
            ids["aa"], order="ASCENDING", ownership_type="OWNED", page_size=2)),
        ("AudiencesAPI.update", lambda c, ids: (
            c.audiences.update(ids["aa"], ids["actalike"], name="LAL", description="e"),
            c.audiences.update(ids["aa"], ids["actalike"], operation_type="REMOVE"))),
    ]  # fmt: skip


def _made(ids: dict[str, Any], key: str, result: Any) -> None:
    assert isinstance(result, pinkit.BatchResult) and result.ok, result
    ids[key] = [entity.id for entity in result.succeeded]


def ads_scenario() -> list[tuple[str, Step]]:
    """The ads areas, on the default user's ad account (``ids["pin"]`` is promoted)."""
    future = 4_000_000_000  # Unix seconds, in 2096
    campaign = {"name": "C", "objective_type": "CONSIDERATION", "status": "PAUSED"}
    return [
        (
            "AdAccountsAPI.list",
            lambda c, ids: ids.update(
                aa=next(a.id for a in c.ad_accounts.list(include_shared_accounts=True, page_size=5))
            ),
        ),
        ("AdAccountsAPI.get", lambda c, ids: c.ad_accounts.get(ids["aa"])),
        (
            "CampaignsAPI.create",
            lambda c, ids: _made(
                ids,
                "campaigns",
                c.campaigns.create(
                    ids["aa"],
                    [
                        {**campaign, "daily_spend_cap": 50_000_000, "end_time": future},
                        {**campaign, "name": "C2", "lifetime_spend_cap": 900_000_000},
                    ],
                ),
            ),
        ),
        (
            "CampaignsAPI.create_one",
            lambda c, ids: ids.update(
                campaign=c.campaigns.create_one(ids["aa"], {**campaign, "name": "C3"}).id
            ),
        ),
        ("CampaignsAPI.get", lambda c, ids: c.campaigns.get(ids["aa"], ids["campaign"])),
        (
            "CampaignsAPI.list",
            lambda c, ids: c.campaigns.list(
                ids["aa"],
                campaign_ids=ids["campaigns"],
                entity_statuses=["PAUSED"],
                order="DESCENDING",
                include_archived=True,
                page_size=1,
            ),
        ),
        (
            "CampaignsAPI.update",
            lambda c, ids: c.campaigns.update(ids["aa"], [{"id": ids["campaign"], "name": "C4"}]),
        ),
        (
            "CampaignsAPI.update_one",
            lambda c, ids: c.campaigns.update_one(
                ids["aa"], {"id": ids["campaign"], "daily_spend_cap": 20_000_000}
            ),
        ),
        ("CampaignsAPI.activate", lambda c, ids: c.campaigns.activate(ids["aa"], ids["campaign"])),
        ("CampaignsAPI.pause", lambda c, ids: c.campaigns.pause(ids["aa"], [ids["campaign"]])),
        (
            "AdGroupsAPI.bid_floors",
            lambda c, ids: c.ad_groups.bid_floors(
                ids["aa"], [{"billable_event": "CLICKTHROUGH", "currency": "USD"}]
            ),
        ),
        (
            "AdGroupsAPI.create",
            lambda c, ids: _made(
                ids,
                "ad_groups",
                c.ad_groups.create(
                    ids["aa"],
                    [
                        {
                            "campaign_id": ids["campaign"],
                            "name": "G",
                            "billable_event": "CLICKTHROUGH",
                            "budget_in_micro_currency": 10_000_000,
                            "bid_in_micro_currency": 1_000_000,
                            "status": "PAUSED",
                        }
                    ],
                ),
            ),
        ),
        (
            "AdGroupsAPI.create_one",
            lambda c, ids: ids.update(
                ad_group=c.ad_groups.create_one(
                    ids["aa"],
                    {
                        "campaign_id": f"C{ids['campaign']}",
                        "name": "G2",
                        "billable_event": "CLICKTHROUGH",
                        "budget_in_micro_currency": 10_000_000,
                        "budget_type": "LIFETIME",
                        "end_time": future,
                        "bid_in_micro_currency": 1_000_000,
                    },
                ).id
            ),
        ),
        ("AdGroupsAPI.get", lambda c, ids: c.ad_groups.get(ids["aa"], ids["ad_group"])),
        (
            "AdGroupsAPI.list",
            lambda c, ids: c.ad_groups.list(
                ids["aa"], campaign_ids=[ids["campaign"]], translate_interests_to_names=True
            ),
        ),
        (
            "AdGroupsAPI.update",
            lambda c, ids: c.ad_groups.update(ids["aa"], [{"id": ids["ad_group"], "name": "G3"}]),
        ),
        (
            "AdGroupsAPI.update_one",
            lambda c, ids: c.ad_groups.update_one(
                ids["aa"], {"id": ids["ad_group"], "bid_in_micro_currency": 2_000_000}
            ),
        ),
        ("AdGroupsAPI.pause", lambda c, ids: c.ad_groups.pause(ids["aa"], ids["ad_group"])),
        ("AdGroupsAPI.activate", lambda c, ids: c.ad_groups.activate(ids["aa"], ids["ad_group"])),
        (
            "AdsAPI.create",
            lambda c, ids: _made(
                ids,
                "ads",
                c.ads.create(
                    ids["aa"],
                    [
                        {
                            "ad_group_id": f"AG{ids['ad_group']}",
                            "pin_id": ids["pin"],
                            "creative_type": "REGULAR",
                            "destination_url": "https://example.com/shop",
                        }
                    ],
                ),
            ),
        ),
        (
            "AdsAPI.create_one",
            lambda c, ids: ids.update(
                ad=c.ads.create_one(
                    ids["aa"],
                    {
                        "ad_group_id": ids["ad_group"],
                        "pin_id": ids["pin"],
                        "creative_type": "REGULAR",
                    },
                ).id
            ),
        ),
        ("AdsAPI.get", lambda c, ids: c.ads.get(ids["aa"], ids["ad"])),
        (
            "AdsAPI.list",
            lambda c, ids: c.ads.list(ids["aa"], ad_group_ids=[ids["ad_group"]], order="ASCENDING"),
        ),
        ("AdsAPI.update", lambda c, ids: c.ads.update(ids["aa"], [{"id": ids["ad"], "name": "A"}])),
        (
            "AdsAPI.update_one",
            lambda c, ids: c.ads.update_one(ids["aa"], {"id": ids["ad"], "name": "A2"}),
        ),
        ("AdsAPI.pause", lambda c, ids: c.ads.pause(ids["aa"], ids["ad"])),
        ("AdsAPI.activate", lambda c, ids: c.ads.activate(ids["aa"], ids["ad"])),
        ("AdsAPI.archive", lambda c, ids: c.ads.archive(ids["aa"], ids["ads"])),
        ("AdGroupsAPI.archive", lambda c, ids: c.ad_groups.archive(ids["aa"], ids["ad_groups"])),
        ("CampaignsAPI.archive", lambda c, ids: c.campaigns.archive(ids["aa"], ids["campaigns"])),
        (
            "AdsAPI.promote_pin",
            lambda c, ids: c.ads.promote_pin(
                ids["aa"],
                ids["pin"],
                lifetime_budget="100.00",
                objective_type="CONSIDERATION",
                end_time=future,
                destination_url="https://example.com/shop",
            ),
        ),
    ]


def _event(client: pinkit.Client) -> dict[str, Any]:
    return {
        "event_name": "checkout",
        "action_source": "web",
        "event_time": int(client.clock.now()),
        "event_id": "order-1",
        "user_data": {"em": "a@example.com", "external_id": "u1", "click_id": "c1"},
        "custom_data": {"currency": "USD", "value": "10.00", "content_ids": ["sku"]},
    }


def resource_methods() -> Iterator[tuple[str, type[Resource[Any]], str]]:
    for _, cls in inspect.getmembers(resources, inspect.isclass):
        if issubclass(cls, Resource):
            for name, attr in vars(cls).items():
                if isinstance(attr, (endpoint, paginated, workflow)):
                    yield f"{cls.__name__}.{name}", cls, name


def test_every_resource_method_is_exercised_here(tmp_path: Path) -> None:
    assert {key for key, _, _ in resource_methods()} == {key for key, _ in scenario(tmp_path)}


@pytest.fixture
def emulator_client(inproc_emulator: Emulator) -> Iterator[tuple[Emulator, pinkit.Client]]:
    with inproc_emulator.client() as client:
        yield inproc_emulator, client


def _consume(result: Any) -> None:
    if isinstance(result, pinkit.SyncPager):
        list(result)


def test_requests_match_the_spec(
    openapi_spec: dict[str, Any],
    emulator_client: tuple[Emulator, pinkit.Client],
    tmp_path: Path,
) -> None:
    emulator, client = emulator_client
    emulator.configure_media(processing_seconds=0)
    ids: dict[str, Any] = {"ad_account": emulator.default_ad_account_id}
    for _, call in scenario(tmp_path):
        _consume(call(client, ids))
    client.user_account.get(ad_account_id="549755885175")
    list(client.paginate("/user_account/followers", page_size=250))
    client.request("GET", "/user_account/following", params={"feed_type": "ALL"})
    client.request("POST", "/user_account/websites", json={"website": "example.com"})
    assert emulator.requests
    problems = [p for r in emulator.requests for p in request_problems(openapi_spec, r)]
    assert not problems, "\n".join(problems)


def test_the_checker_catches_bad_requests(
    openapi_spec: dict[str, Any], emulator_client: tuple[Emulator, pinkit.Client]
) -> None:
    emulator, client = emulator_client
    for params in ({"page_size": 1000}, {"made_up": "x"}):
        with contextlib.suppress(pinkit.APIStatusError):
            client.request("GET", "/user_account/followers", params=params)
    problems = [p for r in emulator.requests for p in request_problems(openapi_spec, r)]
    assert any("page_size" in p for p in problems)
    assert any("made_up" in p for p in problems)
