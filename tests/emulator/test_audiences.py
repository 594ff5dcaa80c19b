"""The audiences area: CUSTOMER_LIST audiences that follow their list, ACTALIKE audiences whose
seeds must be live audiences of the same account, the other types as given; over HTTP and
in-process, every answer checked against the spec by the fixtures."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx2
import pytest

from pinkit.emulator import Emulator
from pinkit.emulator.areas.audiences.rules import BUILD_SECONDS
from pinkit.emulator.areas.customer_lists.rules import MATCH_SECONDS


def base(emu: Emulator) -> str:
    return f"/ad_accounts/{emu.default_ad_account_id}"


def post_audience(api: httpx2.Client, emu: Emulator, **body: Any) -> httpx2.Response:
    return api.post(f"{base(emu)}/audiences", json={"name": "A", **body})


def a_list(api: httpx2.Client, emu: Emulator, count: int = 400) -> str:
    digests = (hashlib.sha256(f"p{i}@example.com".encode()).hexdigest() for i in range(count))
    records = ",".join(digests)
    made = api.post(f"{base(emu)}/customer_lists", json={"name": "L", "records": records})
    assert made.status_code == 200, made.text
    return str(made.json()["id"])


def seed(api: httpx2.Client, emu: Emulator) -> str:
    made = post_audience(
        api, emu, audience_type="CUSTOMER_LIST", rule={"customer_list_id": a_list(api, emu)}
    )
    assert made.status_code == 200, made.text
    return str(made.json()["id"])


def test_a_customer_list_audience_follows_its_list(api: httpx2.Client, server: Emulator) -> None:
    list_id = a_list(api, server)
    made = post_audience(
        api, server, audience_type="CUSTOMER_LIST", rule={"customer_list_id": list_id}
    ).json()
    assert (made["status"], made["type"]) == ("INITIALIZING", "audience")
    assert made["rule"] == {"customer_list_id": list_id}
    server.clock.advance(MATCH_SECONDS)
    ready = api.get(f"{base(server)}/audiences/{made['id']}").json()
    assert ready["status"] == "READY"
    assert 200 < ready["size"] < 400
    unknown = post_audience(
        api, server, audience_type="CUSTOMER_LIST", rule={"customer_list_id": "999"}
    )
    assert unknown.status_code == 404


def test_an_actalike_is_built_on_the_clock(api: httpx2.Client, server: Emulator) -> None:
    seed_id = seed(api, server)
    rule = {"seed_id": [seed_id], "country": "GB", "percentage": 5}
    made = post_audience(api, server, audience_type="ACTALIKE", rule=rule)
    assert made.status_code == 200, made.text
    assert made.json()["status"] == "INITIALIZING" and "size" not in made.json()
    server.clock.advance(BUILD_SECONDS)
    built = api.get(f"{base(server)}/audiences/{made.json()['id']}").json()
    assert built["status"] == "READY"
    assert built["size"] == 14_000_000 * 5 // 100  # 5% of the country's Pinterest users
    assert built["rule"] == rule


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"country": "US", "percentage": 5}, "needs rule.seed_id"),
        ({"seed_id": ["123"], "country": "US", "percentage": 5}, "not an audience of this"),
        ({"seed": True, "country": "FR", "percentage": 5}, "US, CA or GB"),
        ({"seed": True, "country": "US", "percentage": 11}, "from 1 to 10"),
        ({"seed": True, "country": "US", "percentage": 0}, "from 1 to 10"),
    ],
)
def test_actalike_rules(
    api: httpx2.Client, server: Emulator, rule: dict[str, Any], message: str
) -> None:
    rule = dict(rule)
    if rule.pop("seed", False):
        rule["seed_id"] = [seed(api, server)]
    refused = post_audience(api, server, audience_type="ACTALIKE", rule=rule)
    assert refused.status_code == 400
    assert message in refused.json()["message"]


def test_percentage_is_an_integer_as_the_spec_types_it(
    api: httpx2.Client, server: Emulator
) -> None:
    rule = {"seed_id": [seed(api, server)], "country": "US", "percentage": "5"}
    refused = post_audience(api, server, audience_type="ACTALIKE", rule=rule)
    assert refused.status_code == 400
    assert "percentage" in refused.json()["message"]


def test_seeds_must_be_live_audiences_of_the_same_account(
    api: httpx2.Client, server: Emulator
) -> None:
    seed_id = seed(api, server)
    other_account = server.create_ad_account()
    rule = {"seed_id": [seed_id], "country": "CA", "percentage": 1}
    elsewhere = api.post(
        f"/ad_accounts/{other_account}/audiences",
        json={"name": "A", "audience_type": "ACTALIKE", "rule": rule},
    )
    assert elsewhere.status_code == 400
    assert "not an audience of this ad account" in elsewhere.json()["message"]
    removed = api.patch(f"{base(server)}/audiences/{seed_id}", json={"operation_type": "REMOVE"})
    assert removed.status_code == 200
    refused = post_audience(api, server, audience_type="ACTALIKE", rule=rule)
    assert refused.status_code == 400
    assert "was removed" in refused.json()["message"]


def test_update_edits_or_removes(api: httpx2.Client, server: Emulator) -> None:
    made = post_audience(
        api, server, audience_type="VISITOR", rule={"visitor_source_id": "1"}, description="d"
    ).json()
    path = f"{base(server)}/audiences/{made['id']}"
    edited = api.patch(path, json={"name": "B", "description": "e"}).json()
    assert (edited["name"], edited["description"]) == ("B", "e")
    assert [a["id"] for a in api.get(f"{base(server)}/audiences").json()["items"]] == [made["id"]]
    api.patch(path, json={"operation_type": "REMOVE"})
    assert api.get(f"{base(server)}/audiences").json()["items"] == []


def test_received_audiences_are_those_shared_with_the_account(
    api: httpx2.Client, server: Emulator
) -> None:
    seed(api, server)
    owned = api.get(f"{base(server)}/audiences", params={"ownership_type": "OWNED"}).json()
    assert len(owned["items"]) == 1
    received = api.get(f"{base(server)}/audiences", params={"ownership_type": "RECEIVED"})
    assert received.json()["items"] == []
