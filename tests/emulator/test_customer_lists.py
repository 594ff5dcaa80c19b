"""The customer_lists area: records as one comma-separated string, members kept by digest,
matching on the emulator clock (PROCESSING, then READY or TOO_SMALL at 100 matched users),
over HTTP and in-process; every answer is checked against the spec by the fixtures."""

from __future__ import annotations

import hashlib
import time

import httpx2
import pytest

from pinkit.emulator import Emulator, EmulatorError
from pinkit.emulator.areas.customer_lists.rules import MATCH_SECONDS, MIN_MATCHED, matches

from .conftest import bearer


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def emails(count: int, start: int = 0) -> list[str]:
    return [f"person{i}@example.com" for i in range(start, start + count)]


def matched(records: list[str]) -> int:
    """How many of these plain e-mail addresses the emulator matches."""
    return sum(1 for r in set(records) if matches(sha(r)))


def lists_path(emu: Emulator) -> str:
    return f"/ad_accounts/{emu.default_ad_account_id}/customer_lists"


def create(api: httpx2.Client, emu: Emulator, records: list[str], **body: str) -> dict:
    answer = api.post(lists_path(emu), json={"name": "L", "records": ",".join(records), **body})
    assert answer.status_code == 200, answer.text
    made: dict = answer.json()
    return made


def audience_size(api: httpx2.Client, emu: Emulator, list_id: str) -> dict:
    path = f"/ad_accounts/{emu.default_ad_account_id}/audiences"
    body = {"name": "A", "audience_type": "CUSTOMER_LIST", "rule": {"customer_list_id": list_id}}
    made = api.post(path, json=body)
    assert made.status_code == 200, made.text
    found: dict = api.get(f"{path}/{made.json()['id']}").json()
    return found


def test_a_list_is_processing_then_ready_on_the_emulator_clock(
    api: httpx2.Client, server: Emulator
) -> None:
    records = emails(300)
    made = create(api, server, records)
    assert made["status"] == "PROCESSING"
    assert made["type"] == "customerlist"
    assert (made["num_batches"], made["num_uploaded_user_records"]) == (1, 300)
    path = f"{lists_path(server)}/{made['id']}"
    server.clock.advance(MATCH_SECONDS - 1)
    assert api.get(path).json()["status"] == "PROCESSING"
    server.clock.advance(1)
    assert api.get(path).json()["status"] == "READY"
    # A believable, deterministic share matches: the audience is that big.
    size = audience_size(api, server, made["id"])
    assert size["size"] == matched(records)
    assert 0.6 * 300 < size["size"] < 0.8 * 300
    assert size["status"] == "READY"


def test_fewer_than_100_matched_users_is_too_small(api: httpx2.Client, server: Emulator) -> None:
    records = emails(100)
    assert matched(records) < MIN_MATCHED  # 100 records, about 70 of them Pinterest users
    made = create(api, server, records)
    server.clock.advance(MATCH_SECONDS)
    path = f"{lists_path(server)}/{made['id']}"
    assert api.get(path).json()["status"] == "TOO_SMALL"
    # Adding records starts matching again; enough of them make it READY.
    more = api.patch(path, json={"operation_type": "ADD", "records": ",".join(emails(200, 100))})
    assert more.json()["status"] == "PROCESSING"
    assert more.json()["num_batches"] == 2
    server.clock.advance(MATCH_SECONDS)
    assert api.get(path).json()["status"] == "READY"


def test_members_are_digests_duplicates_count_as_uploaded_only(
    api: httpx2.Client, server: Emulator
) -> None:
    records = emails(150)
    hashed = [sha(r) for r in records]
    # The same people: plain, then as their SHA-256 digests (upper case hex too), twice over.
    made = create(api, server, records + records[:10])
    path = f"{lists_path(server)}/{made['id']}"
    again = api.patch(path, json={"operation_type": "ADD", "records": ",".join(hashed).upper()})
    assert again.json()["num_uploaded_user_records"] == 160 + 150
    assert audience_size(api, server, made["id"])["size"] == matched(records)
    removed = api.patch(path, json={"operation_type": "REMOVE", "records": ",".join(hashed[:50])})
    assert removed.json()["num_removed_user_records"] == 50
    assert audience_size(api, server, made["id"])["size"] == matched(records[50:])
    # Removing people who are not members changes nothing but the counter.
    gone = api.patch(path, json={"operation_type": "REMOVE", "records": ",".join(hashed[:50])})
    assert gone.json()["num_removed_user_records"] == 100
    assert audience_size(api, server, made["id"])["size"] == matched(records[50:])
    with server.store_read() as tx:
        members = [d.id.split(":", 1)[1] for d in tx.list("customer_list_member")]
    assert sorted(members) == sorted(hashed[50:])  # digests only: no address is kept


@pytest.mark.parametrize(
    ("list_type", "record", "reason"),
    [
        ("EMAIL", "Person@Example.com", "emails must be lowercase"),
        ("EMAIL", "not-an-address", "not an email address"),
        ("IDFA", "6D92078A-8246-4BA4-AE5B-76104861E7DC", "must be hashed"),
        ("MAID", "cdda802e-fb9c-47ad-9866-0794d394c912", "must be hashed"),
    ],
)
def test_bad_records_are_refused_naming_the_first(
    api: httpx2.Client, server: Emulator, list_type: str, record: str, reason: str
) -> None:
    records = ",".join([sha("a"), record])
    refused = api.post(
        lists_path(server), json={"name": "L", "records": records, "list_type": list_type}
    )
    assert refused.status_code == 400
    assert "record 2 of records" in refused.json()["message"]
    assert reason in refused.json()["message"]
    assert api.get(lists_path(server)).json()["items"] == []


def test_partner_ids_are_taken_as_given(api: httpx2.Client, server: Emulator) -> None:
    for list_type in ("LR_ID", "DLX_ID"):
        made = create(api, server, ["Xi1234-ABC", "Xi1234-abc"], list_type=list_type)
        with server.store_read() as tx:
            count = tx.count("customer_list_member", where={"customer_list": made["id"]})
        assert count == 2  # case-sensitive ids: two people


def test_lists_belong_to_their_ad_account(
    api: httpx2.Client, other: httpx2.Client, server: Emulator
) -> None:
    made = create(api, server, emails(5))
    second = create(api, server, emails(5, 5))
    listed = api.get(lists_path(server), params={"page_size": 1, "order": "DESCENDING"}).json()
    assert [item["id"] for item in listed["items"]] == [second["id"]]
    after = {"bookmark": listed["bookmark"], "order": "DESCENDING"}
    rest = api.get(lists_path(server), params=after)
    assert [item["id"] for item in rest.json()["items"]] == [made["id"]]
    theirs = other.get(f"{lists_path(server)}/{made['id']}")
    assert theirs.status_code == 403, theirs.text
    account = server.create_ad_account()
    with server.http_client(headers=dict(api.headers)) as again:
        missing = again.get(f"/ad_accounts/{account}/customer_lists/{made['id']}")
    assert missing.status_code == 404


def test_conversion_tokens_are_refused(server: Emulator) -> None:
    token = server.issue_conversion_token()
    with server.http_client(headers=bearer(token)) as api:
        refused = api.get(lists_path(server))
    assert refused.status_code == 403
    assert "does not accept conversion_token tokens" in refused.json()["message"]


def test_the_sandbox_refuses_customer_lists_and_audiences() -> None:
    with Emulator(sandbox=True) as sandbox:
        with sandbox.http_client(headers=bearer(sandbox.issue_token().access_token)) as api:
            account = sandbox.default_ad_account_id
            for method, path, body in (
                ("POST", f"/ad_accounts/{account}/customer_lists", {"name": "L", "records": "a"}),
                ("GET", f"/ad_accounts/{account}/customer_lists", None),
                ("GET", f"/ad_accounts/{account}/audiences", None),
                (
                    "POST",
                    f"/ad_accounts/{account}/audiences",
                    {"name": "A", "audience_type": "ACTALIKE", "rule": {"seed_id": ["1"]}},
                ),
            ):
                refused = api.request(method, path, json=body)
                assert refused.status_code == 403, (method, path)
                assert refused.json()["code"] == 29
                assert "not available in the API Sandbox" in refused.json()["message"]


@pytest.mark.slow
def test_a_list_of_100_000_records_is_written_in_bulk(inproc: Emulator) -> None:
    with inproc.http_client(headers=bearer(inproc.issue_token().access_token)) as api:
        records = [sha(r) for r in emails(100_000)]
        started = time.perf_counter()
        made = create(api, inproc, records[:1900])
        path = f"{lists_path(inproc)}/{made['id']}"
        for start in range(1900, len(records), 1900):
            chunk = ",".join(records[start : start + 1900])
            assert api.patch(path, json={"operation_type": "ADD", "records": chunk}).is_success
        uploaded = time.perf_counter() - started
        inproc.clock.advance(MATCH_SECONDS)
        started = time.perf_counter()
        answer = api.get(path).json()
        read = time.perf_counter() - started
    assert answer["status"] == "READY"
    assert answer["num_uploaded_user_records"] == 100_000
    assert uploaded < 45  # a few seconds: members are written in bulk
    assert read < 1  # the counts are kept with the list: reading it scans no members


def test_how_long_matching_takes_is_a_control(api: httpx2.Client, server: Emulator) -> None:
    assert server.configure_customer_lists(match_seconds=0) == {"match_seconds": 0.0}
    assert create(api, server, emails(200))["status"] == "READY"  # matched at once
    with server.http_client() as raw:  # the control over HTTP (or the in-process transport)
        answer = raw.post(
            f"{server.origin}/_emulator/customer_lists/config", json={"match_seconds": 30}
        )
    assert answer.status_code == 200 and answer.json() == {"match_seconds": 30.0}
    made = create(api, server, emails(200))
    assert made["status"] == "PROCESSING"
    server.clock.advance(30)
    assert api.get(f"{lists_path(server)}/{made['id']}").json()["status"] == "READY"
    with pytest.raises(EmulatorError, match="match_seconds"):
        server.configure_customer_lists(match_seconds=-1)
