"""``client.conversions.send``: one request, one result per event, in order."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pinkit import (
    ConversionEvent,
    EventResult,
    InvalidInputError,
    PermissionDeniedError,
    SendResult,
)
from pinkit.conversions import event_fields, sha256_hex
from pinkit.emulator import Emulator
from tests.conversions.conftest import event, event_requests, events


def test_all_processed_in_order(emu: Emulator, account: str) -> None:
    with emu.client() as client:
        result = client.conversions.send(account, events(emu, 3))
    assert isinstance(result, SendResult)
    assert (result.num_received, result.num_processed) == (3, 3)
    assert [r.index for r in result.events] == [0, 1, 2]
    assert all(r.status == "processed" for r in result.events)
    assert "external_id is missing" in result.events[0].warning_message
    stored = emu.conversion_events(account)
    assert stored[0]["user_data"]["em"] == [sha256_hex("buyer.0@example.com")]
    assert stored[0]["custom_data"]["value"] == "19.99"


def test_200_with_some_failed_and_422_look_the_same(emu: Emulator, account: str) -> None:
    # the emulator fails events the client would refuse: let one through with an unknown
    # action source by sending the body by hand, then the same through send.
    good, bad = event(emu, 1), event(emu, 2)
    with emu.client() as client:
        mixed = client.conversions.send(account, [good, good])
        assert mixed.num_processed == 2
        # events older than the emulator's 7 days fail at Pinterest: allow them locally
        old = dict(bad, event_time=int(emu.clock.now()) - 9 * 86400)
        result = client.conversions.send(account, [good, old], max_event_age_s=30 * 86400)
        assert [r.status for r in result.events] == ["processed", "failed"]
        assert "in the past" in result.events[1].error_message
        none = client.conversions.send(account, [old, old], max_event_age_s=30 * 86400)
    assert none.num_processed == 0
    assert [r.status for r in none.events] == ["failed", "failed"]
    assert none.events[1].index == 1 and none.events[1].event_id == old["event_id"]
    assert event_requests(emu)[-1].status == 422


def test_local_refusals_name_the_index_and_send_nothing(emu: Emulator, account: str) -> None:
    cases = {
        "bad email": dict(event(emu, 1), user_data={"em": "nobody"}),
        "ms time": dict(event(emu, 1), event_time=int(emu.clock.now()) * 1000),
        "name": dict(event(emu, 1), event_name="purchase"),
        "source": dict(event(emu, 1), action_source="store"),
        "field": dict(event(emu, 1), category_name="shoes"),
        "custom field": dict(event(emu, 1), custom_data={"category_name": "shoes"}),
        "identity": dict(event(emu, 1), user_data={"client_ip_address": "203.0.113.7"}),
        "no id": {k: v for k, v in event(emu, 1).items() if k != "event_id"},
        "empty id": dict(event(emu, 1), event_id=" "),
        "value": dict(event(emu, 1), custom_data={"value": "12,50"}),
        "negative": dict(event(emu, 1), custom_data={"value": -3}),
        "currency": dict(event(emu, 1), custom_data={"currency": "dollars"}),
    }
    expected = {
        "bad email": "user_data.em has no @",
        "ms time": "milliseconds",
        "name": "allow_unknown_event_name",
        "source": "action_source 'store'",
        "field": "category_name is not a field Pinterest accepts",
        "custom field": "custom_data.category_name is not a field",
        "identity": "user_data needs em",
        "no id": "event_id is required",
        "empty id": "event_id is empty",
        "value": "custom_data.value must be a decimal",
        "negative": "must not be negative",
        "currency": "ISO-4217",
    }
    with emu.client() as client:
        for case, bad in cases.items():
            with pytest.raises(InvalidInputError, match=r"events\[1\]: .*" + expected[case]):
                client.conversions.send(account, [event(emu, 0), bad])
    assert event_requests(emu) == []


def test_conversion_event_objects(emu: Emulator, account: str) -> None:
    made = ConversionEvent(
        event_name="lead",
        action_source="app_ios",
        event_time=datetime.fromtimestamp(emu.clock.now() - 30, timezone.utc),
        event_id="lead-1",
        user_data={"hashed_maids": "AEBE52E7-03EE-455A-B3C4-E57283966239"},
        custom_data={"value": 12, "currency": "eur"},
        app_info={"app_id": "429047995", "app_name": "Shop"},
        opt_out=False,
    )
    with emu.client() as client:
        result = client.conversions.send(account, [made])
    assert result.events == [
        EventResult(0, "lead-1", "processed", "", result.events[0].warning_message)
    ]
    sent = emu.conversion_events(account)[0]
    assert sent["custom_data"] == {"value": "12", "currency": "EUR"}
    assert sent["user_data"]["hashed_maids"] == [sha256_hex("aebe52e7-03ee-455a-b3c4-e57283966239")]
    with pytest.raises(InvalidInputError, match="category_name is not a field Pinterest"):
        ConversionEvent(category_name="x", **{k: v for k, v in event(emu, 1).items()})  # type: ignore[call-arg]
    with pytest.raises(InvalidInputError, match="category_name is not a field Pinterest"):
        ConversionEvent.from_dict({**event(emu, 1), "category_name": "x"})


def test_event_fields_are_the_spec_s() -> None:
    from dataclasses import fields

    assert {f.name for f in fields(ConversionEvent)} == set(event_fields())


def test_deep_objects_checked_against_the_table(emu: Emulator, account: str) -> None:
    bad = dict(event(emu, 1), device_info={"os_family": "beos"})
    with emu.client() as client, pytest.raises(InvalidInputError, match=r"device_info.os_family"):
        client.conversions.send(account, [bad])


def test_unknown_name_allowed_on_request(emu: Emulator, account: str) -> None:
    with emu.client() as client:
        result = client.conversions.send(
            account, [dict(event(emu, 1), event_name="purchase")], allow_unknown_event_name=True
        )
    assert "Unknown" in result.events[0].warning_message


def test_batch_limits(emu: Emulator, account: str) -> None:
    with emu.client() as client:
        with pytest.raises(InvalidInputError, match=r"at most 1000.*send_bulk"):
            client.conversions.send(account, [event(emu, 1)] * 1001)
        with pytest.raises(InvalidInputError, match="at most 20 in test mode"):
            client.conversions.send(account, [event(emu, 1)] * 21, test=True)
        result = client.conversions.send(account, events(emu, 20), test=True)
    assert result.test and result.num_processed == 20 and "TEST MODE" in str(result)
    assert emu.conversion_events(account) == []


def test_ad_account_resolution(
    emu: Emulator, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PINTEREST_AD_ACCOUNT_ID", raising=False)
    with emu.client() as client, pytest.raises(InvalidInputError, match="PINTEREST_AD_ACCOUNT_ID"):
        client.conversions.send(None, [event(emu, 1)])
    with emu.client(ad_account_id=account) as client:
        assert client.conversions.send(events=[event(emu, 1)]).num_processed == 1
    monkeypatch.setenv("PINTEREST_AD_ACCOUNT_ID", account)
    with emu.client() as client:
        assert client.conversions.send(None, [event(emu, 2)]).num_processed == 1
        with pytest.raises(InvalidInputError, match="the ad account comes first"):
            client.conversions.send([event(emu, 3)])  # type: ignore[arg-type]


def test_conversion_token_sends_events_and_nothing_else(emu: Emulator, account: str) -> None:
    with emu.client() as client:
        made = client.conversions.create_token()
    assert made.token_type == "conversion" and made.access_token not in repr(made)
    for token in (made.access_token, emu.issue_conversion_token()):
        with emu.client(access_token=token) as client:
            assert client.conversions.send(account, [event(emu, 1)]).num_processed == 1
            with pytest.raises(PermissionDeniedError, match="needs an OAuth access token"):
                client.conversions.quality(account)
            with pytest.raises(PermissionDeniedError, match="needs an OAuth access token"):
                client.conversions.create_token()


def test_quality(emu: Emulator, account: str) -> None:
    with emu.client() as client:
        client.conversions.send(account, events(emu, 4))
        scores = client.conversions.quality(account, "1d")
        with pytest.raises(InvalidInputError, match="lookback_period"):
            client.conversions.quality(account, "30d")
    assert [s.source_platform for s in scores] == ["WEB"]
    assert scores[0].overall_status in ("GOOD", "FAIR", "NEEDS_IMPROVEMENT")
    assert scores[0].coverage("hashed_email", "checkout") == 100.0


@pytest.mark.anyio
async def test_async_send_and_quality(emu: Emulator, account: str) -> None:
    async with emu.async_client() as client:
        result = await client.conversions.send(account, events(emu, 2))
        scores = await client.conversions.quality(account)
        with pytest.raises(InvalidInputError, match=r"events\[0\]"):
            await client.conversions.send(account, [dict(event(emu, 1), event_name="x")])
    assert result.num_processed == 2 and scores
