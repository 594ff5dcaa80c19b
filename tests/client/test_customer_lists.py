"""client.customer_lists against the emulator: records normalised and hashed per list type,
requests of 1,900 records, bad records reported, sync against its ledger, waiting on the
emulator clock; sync and async, over HTTP and in-process, every answer checked against the
spec."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import pinkit
from pinkit.customer_lists import Ledger, list_types, prepare_record, read_records
from pinkit.emulator import Emulator
from pinkit.emulator.areas.customer_lists.rules import MATCH_SECONDS, matches
from pinkit.resources.customer_lists import RECORDS_PER_REQUEST
from tests.spec import load_spec, response_problems

IDFA = "6D92078A-8246-4BA4-AE5B-76104861E7DC"
AAID = "CDDA802E-FB9C-47AD-9866-0794D394C912"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def emails(count: int, start: int = 0) -> list[str]:
    return [f"Person{i}@Example.com" for i in range(start, start + count)]


def digests(records: list[str]) -> list[str]:
    return [sha(r.strip().lower()) for r in records]


@pytest.fixture(params=["inproc", "http"])
def emu(request: pytest.FixtureRequest) -> Iterator[Emulator]:
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


def sent(emulator: Emulator, operation_id: str | None = None) -> list[tuple[str, list[str]]]:
    """``(operation, records)`` of each customer-list write the emulator answered."""
    out = []
    for record in emulator.requests:
        if record.operation_id not in ("customer_lists/create", "customer_lists/update"):
            continue
        if operation_id is not None and record.operation_id != operation_id:
            continue
        body = record.json()
        out.append((body.get("operation_type", "CREATE"), body["records"].split(",")))
    return out


def members(emulator: Emulator, list_id: str | None) -> set[str]:
    with emulator.store_read() as tx:
        docs = tx.list("customer_list_member", where={"customer_list": str(list_id)})
    return {doc.id.split(":", 1)[1] for doc in docs}


# -- records ---------------------------------------------------------------------------------------
def test_the_list_types_are_the_specs(openapi_spec: dict[str, Any]) -> None:
    schema = openapi_spec["components"]["schemas"]["UserListType"]
    assert list_types() == tuple(schema["enum"])


def test_records_are_normalised_and_hashed_per_list_type() -> None:
    assert prepare_record("  Person@Example.COM ") == sha("person@example.com")
    assert prepare_record(IDFA.lower(), "IDFA") == sha(IDFA)  # IDFA: upper case, then hashed
    assert prepare_record(AAID, "MAID") == sha(AAID.lower())  # AAID: lower case
    for list_type in ("LR_ID", "DLX_ID", "HASHED_PINNER_ID"):
        assert prepare_record(" Xi-123_AbC ", list_type) == "Xi-123_AbC"  # as given
    for digest in ("A" * 32, "b" * 40, sha("x").upper()):  # MD5, SHA-1, SHA-256: never rehashed
        assert prepare_record(digest) == digest.lower()
        assert prepare_record(digest, "IDFA") == digest.lower()
    for value, list_type, reason in (
        ("no-at-sign", "EMAIL", "the e-mail address has no @"),
        ("a b@example.com", "EMAIL", "^not an e-mail address$"),
        ("a@example.com,b@example.com", "EMAIL", "comma"),
        ("not-a-uuid", "IDFA", r"^not a mobile advertising id \(8-4-4-4-12"),
        ("00000000-0000-0000-0000-000000000000", "MAID", "limits ad tracking"),
        ("a,b", "LR_ID", "comma"),
    ):
        with pytest.raises(pinkit.InvalidInputError, match=reason):
            prepare_record(value, list_type)
    with pytest.raises(pinkit.InvalidInputError, match="list_type must be one of EMAIL, IDFA"):
        prepare_record("a@example.com", "PHONE")


def test_requests_carry_the_normalised_records_per_list_type(local: Emulator) -> None:
    with local.client(ad_account_id=local.default_ad_account_id) as client:
        client.customer_lists.create(name="E", records=[" A@Example.com", sha("b@example.com")])
        client.customer_lists.create(name="I", records=[IDFA.lower()], list_type="IDFA")
        client.customer_lists.create(name="M", records=[AAID], list_type="MAID")
        client.customer_lists.create(name="L", records=["Xi-1", "Xi-2"], list_type="LR_ID")
        client.customer_lists.create(name="D", records=["dlx-AbC"], list_type="DLX_ID")
    bodies = [r.json() for r in local.requests if r.operation_id == "customer_lists/create"]
    assert [(b["list_type"], b["records"]) for b in bodies] == [
        ("EMAIL", f"{sha('a@example.com')},{sha('b@example.com')}"),
        ("IDFA", sha(IDFA)),
        ("MAID", sha(AAID.lower())),
        ("LR_ID", "Xi-1,Xi-2"),
        ("DLX_ID", "dlx-AbC"),
    ]


# -- chunking --------------------------------------------------------------------------------------
def test_create_sends_1900_records_a_request_then_adds_the_rest(
    client: pinkit.Client, emu: Emulator
) -> None:
    assert RECORDS_PER_REQUEST == 1_900
    records = emails(4_000)
    progress: list[pinkit.UploadProgress] = []
    result = client.customer_lists.create(name="Big", records=records, on_progress=progress.append)
    requests = sent(emu)
    assert [(op, len(chunk)) for op, chunk in requests] == [
        ("CREATE", 1_900),
        ("ADD", 1_900),
        ("ADD", 200),
    ]
    assert [r for _, chunk in requests for r in chunk] == digests(records)
    assert (result.sent, result.requests, result.operation, result.ok) == (4_000, 3, "ADD", True)
    assert isinstance(result.customer_list, pinkit.CustomerList)
    assert result.customer_list.num_uploaded_user_records == 4_000
    assert result.customer_list.num_batches == 3
    assert [(p.sent, p.total, p.requests) for p in progress] == [
        (1_900, 4_000, 1),
        (3_800, 4_000, 2),
        (4_000, 4_000, 3),
    ]
    assert members(emu, result.customer_list.id) == set(digests(records))


def test_the_request_size_is_configurable(local: Emulator) -> None:
    with local.client(ad_account_id=local.default_ad_account_id) as client:
        made = client.customer_lists.create(name="L", records=emails(25), chunk_size=10)
        assert made.customer_list.id
        added = client.customer_lists.add(
            customer_list_id=made.customer_list.id, records=emails(5, 100), chunk_size=2
        )
        removed = client.customer_lists.remove(
            customer_list_id=made.customer_list.id, records=emails(3), chunk_size=3
        )
        for bad in (0, -1, True, 2.5, "10"):
            with pytest.raises(pinkit.InvalidInputError, match="chunk_size"):
                client.customer_lists.create(name="L", records=emails(1), chunk_size=bad)
    assert [(op, len(chunk)) for op, chunk in sent(local)] == [
        ("CREATE", 10),
        ("ADD", 10),
        ("ADD", 5),
        ("ADD", 2),
        ("ADD", 2),
        ("ADD", 1),
        ("REMOVE", 3),
    ]
    assert (added.requests, added.sent, removed.operation) == (3, 5, "REMOVE")
    assert members(local, made.customer_list.id) == set(digests(emails(22, 3) + emails(5, 100)))


# -- bad records -----------------------------------------------------------------------------------
def test_a_bad_record_stops_the_call_before_anything_is_sent(local: Emulator) -> None:
    records = [*emails(3), "nobody", "", "x@example.com,y@example.com", 42, *emails(2, 10)]
    with local.client(ad_account_id=local.default_ad_account_id) as client:
        with pytest.raises(pinkit.BadRecordsError) as caught:
            client.customer_lists.create(name="L", records=records)
    error = caught.value
    assert isinstance(error, pinkit.InvalidInputError)
    assert [(b.index, b.line) for b in error.bad] == [(3, None), (5, None), (6, None)]
    assert [b.value for b in error.bad] == ["nobody", "x@example.com,y@example.com", 42]
    assert "has no @" in error.bad[0].reason and "comma" in error.bad[1].reason
    assert "a record is a string, got int" in error.bad[2].reason
    assert str(error) == (
        "3 bad records: records[3]: the e-mail address has no @ (and 2 more); nothing was sent"
    )
    assert "nobody" not in str(error) and "nobody" not in repr(error.bad)  # no record in logs
    assert local.requests == []


def test_with_skip_the_others_are_sent_and_the_bad_ones_listed(local: Emulator) -> None:
    records = ["A@example.com", "bad", "a@example.com ", "", "b@example.com", "   "]
    with local.client(ad_account_id=local.default_ad_account_id) as client:
        result = client.customer_lists.create(name="L", records=records, on_bad="skip")
    assert not result.ok
    assert [(b.index, b.reason) for b in result.bad] == [(1, "the e-mail address has no @")]
    assert (result.sent, result.duplicates, result.blank) == (2, 1, 2)
    assert sent(local) == [("CREATE", [sha("a@example.com"), sha("b@example.com")])]


def test_records_from_a_file(local: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "emails.txt"
    path.write_text("\ufeffa@example.com\r\nB@example.com\n\nnot an address\n", encoding="utf-8")
    csv_path = tmp_path / "people.csv"
    csv_path.write_text("name,email\nAnn,ann@example.com\nBob,bob\n", encoding="utf-8")
    with local.client(ad_account_id=local.default_ad_account_id) as client:
        with pytest.raises(pinkit.BadRecordsError) as caught:
            client.customer_lists.create(name="L", records=path)
        assert [(b.line, str(b)) for b in caught.value.bad] == [
            (4, "line 4: the e-mail address has no @")
        ]
        made = client.customer_lists.create(name="L", records=str(path), on_bad="skip")
        assert made.sent == 2 and made.blank == 1
        assert list(read_records(csv_path, column="email")) == ["ann@example.com", "bob"]
        with pytest.raises(pinkit.BadRecordsError) as in_csv:
            client.customer_lists.create(name="L", records=csv_path, column="email")
        assert [str(b) for b in in_csv.value.bad] == ["line 3: the e-mail address has no @"]
        with pytest.raises(pinkit.InvalidInputError, match="give records as its path"):
            client.customer_lists.create(name="L", records=["a@example.com"], column="email")
        with pytest.raises(pinkit.InvalidInputError, match=r"no column 'mail'.*name, email"):
            list(read_records(csv_path, column="mail"))
        with pytest.raises(pinkit.InvalidInputError, match="give records in a list"):
            client.customer_lists.create(name="L", records="ann@example.com")
        with pytest.raises(pinkit.InvalidInputError, match="iterable of strings"):
            client.customer_lists.create(name="L", records={"a": "b"})  # type: ignore[arg-type]
        with pytest.raises(pinkit.InvalidInputError, match="no record to send"):
            client.customer_lists.create(name="L", records=["", " "])
        with pytest.raises(pinkit.InvalidInputError, match="name"):
            client.customer_lists.create(name="", records=["a@example.com"])
    assert sent(local) == [("CREATE", [sha("a@example.com"), sha("b@example.com")])]


def test_a_failure_after_the_first_request_says_how_far_it_got(local: Emulator) -> None:
    seen: list[pinkit.UploadProgress] = []

    def fail_from_now_on(progress: pinkit.UploadProgress) -> None:
        seen.append(progress)
        if progress.requests == 2:
            local.inject_fault(400, operation="customer_lists/update")

    with local.client(ad_account_id=local.default_ad_account_id) as client:
        with pytest.raises(pinkit.CustomerListUploadError) as caught:
            client.customer_lists.create(
                name="L", records=emails(50), chunk_size=20, on_progress=fail_from_now_on
            )
    error = caught.value
    assert (error.sent, error.operation) == (40, "ADD")
    assert error.customer_list_id and isinstance(error.cause, pinkit.BadRequestError)
    assert f"customer list {error.customer_list_id} stopped after 40 records" in str(error)
    assert len(members(local, error.customer_list_id)) == 40


# -- sync and its ledger ---------------------------------------------------------------------------
def make_list(client: pinkit.Client, records: list[str]) -> str:
    made = client.customer_lists.create(name="Synced", records=records)
    assert made.customer_list.id
    return made.customer_list.id


def test_sync_adds_the_new_removes_the_gone_and_the_second_run_sends_nothing(
    client: pinkit.Client, emu: Emulator, tmp_path: Path
) -> None:
    ledger = tmp_path / "list.ledger"
    list_id = make_list(client, emails(1))
    source = emails(3_000)
    emu.clear_requests()
    first = client.customer_lists.sync(customer_list_id=list_id, records=source, ledger=ledger)
    assert (first.added, first.removed, first.unchanged, first.requests) == (3_000, 0, 0, 2)
    assert [op for op, _ in sent(emu)] == ["ADD", "ADD"]
    emu.clear_requests()
    again = client.customer_lists.sync(customer_list_id=list_id, records=source, ledger=ledger)
    assert (again.added, again.removed, again.unchanged, again.requests) == (0, 0, 3_000, 0)
    assert again.customer_list is None
    assert emu.requests == []  # nothing sent at all
    changed = emails(2_000, 1_000) + emails(10, 5_000)  # 1,000 gone, 10 new
    third = client.customer_lists.sync(customer_list_id=list_id, records=changed, ledger=ledger)
    assert (third.added, third.removed, third.unchanged, third.requests) == (10, 1_000, 2_000, 2)
    assert [(op, len(chunk)) for op, chunk in sent(emu)] == [("ADD", 10), ("REMOVE", 1_000)]
    assert set(sent(emu)[1][1]) == set(digests(emails(1_000)))
    assert members(emu, list_id) == set(digests(changed)) | set(digests(emails(1))) - set(
        digests(emails(1_000))
    )
    assert third.customer_list is not None and third.customer_list.id == list_id


def test_the_ledger_holds_digests_only(local: Emulator, tmp_path: Path) -> None:
    ledger = tmp_path / "list.ledger"
    with local.client(ad_account_id=local.default_ad_account_id) as client:
        list_id = make_list(client, emails(1))
        client.customer_lists.sync(customer_list_id=list_id, records=emails(50), ledger=ledger)
    data = ledger.read_bytes()
    assert b"example.com" not in data.lower() and b"person" not in data.lower()
    state = Ledger(ledger, local.default_ad_account_id, list_id, "EMAIL").load()
    assert state.members == frozenset(digests(emails(50))) and not state.uncertain
    assert not list(tmp_path.glob("*-journal"))  # every change committed, nothing half written


def test_a_crash_mid_sync_never_leaves_a_ledger_that_claims_unsent_records(
    local: Emulator, tmp_path: Path
) -> None:
    ledger = tmp_path / "list.ledger"
    account = local.default_ad_account_id
    source = emails(50)

    def crash_after(count: int) -> Any:
        def on_progress(progress: pinkit.UploadProgress) -> None:
            if progress.requests == count:
                raise KeyboardInterrupt  # the process stops between two requests

        return on_progress

    with local.client(ad_account_id=account, max_retries=0) as client:
        list_id = make_list(client, emails(1))
        book = Ledger(ledger, account, list_id, "EMAIL")
        with pytest.raises(KeyboardInterrupt):
            client.customer_lists.sync(
                customer_list_id=list_id,
                records=source,
                ledger=ledger,
                chunk_size=20,
                on_progress=crash_after(1),
            )
        # The first request was answered, the process died before writing it down: the ledger
        # claims nothing (the next run sends those 20 again, which changes nothing).
        assert book.load().members == frozenset()
        # Now the second request fails (an answer lost after Pinterest processed it).
        local.inject_fault(503, operation="customer_lists/update", after_processing=True)
        with pytest.raises(pinkit.InternalServerError):
            client.customer_lists.sync(
                customer_list_id=list_id, records=source, ledger=ledger, chunk_size=20
            )
        assert book.load().members == frozenset()  # the one request failed: nothing claimed
        local.inject_fault(500, operation="customer_lists/update")
        local.clear_requests()
        progress: list[pinkit.UploadProgress] = []

        def fail_second(p: pinkit.UploadProgress) -> None:
            progress.append(p)
            if p.requests == 1:
                local.inject_fault(500, operation="customer_lists/update")

        with pytest.raises(pinkit.InternalServerError):  # the first request fails
            client.customer_lists.sync(
                customer_list_id=list_id, records=source, ledger=ledger, chunk_size=20
            )
        with pytest.raises(pinkit.CustomerListUploadError) as caught:
            client.customer_lists.sync(
                customer_list_id=list_id,
                records=source,
                ledger=ledger,
                chunk_size=20,
                on_progress=fail_second,
            )
        assert caught.value.sent == 20
        claimed = book.load().members
        assert claimed == frozenset(digests(source[:20]))  # exactly what was answered
        assert claimed <= members(local, list_id)
        # The next run sends only what the ledger does not hold, and ends in step.
        local.clear_requests()
        done = client.customer_lists.sync(
            customer_list_id=list_id, records=source, ledger=ledger, chunk_size=20
        )
        assert (done.added, done.unchanged) == (30, 20)
        assert book.load().members == frozenset(digests(source))
        assert set(digests(source)) <= members(local, list_id)


def test_a_remove_whose_answer_was_lost_is_uncertain_until_sent_again(
    local: Emulator, tmp_path: Path
) -> None:
    ledger = tmp_path / "list.ledger"
    account = local.default_ad_account_id
    with local.client(ad_account_id=account, max_retries=0) as client:
        list_id = make_list(client, emails(1))
        book = Ledger(ledger, account, list_id, "EMAIL")
        client.customer_lists.sync(customer_list_id=list_id, records=emails(10), ledger=ledger)
        local.inject_fault(503, operation="customer_lists/update", after_processing=True)
        with pytest.raises(pinkit.InternalServerError):
            client.customer_lists.sync(customer_list_id=list_id, records=emails(6), ledger=ledger)
        state = book.load()
        assert state.members == frozenset(digests(emails(6)))
        assert state.uncertain == frozenset(digests(emails(4, 6)))  # removed, or not: unknown
        assert not members(local, list_id) & state.uncertain  # Pinterest did process it
        # The source wants them back: they are added again rather than trusted as members.
        back = client.customer_lists.sync(
            customer_list_id=list_id, records=emails(10), ledger=ledger
        )
        assert (back.added, back.removed) == (4, 0)
        assert set(digests(emails(10))) <= members(local, list_id)
        assert book.load() == type(state)(frozenset(digests(emails(10))), frozenset())


def test_the_ledger_belongs_to_one_list(local: Emulator, tmp_path: Path) -> None:
    ledger = tmp_path / "list.ledger"
    with local.client(ad_account_id=local.default_ad_account_id) as client:
        first, second = make_list(client, emails(1)), make_list(client, emails(1))
        client.customer_lists.sync(customer_list_id=first, records=emails(3), ledger=ledger)
        local.clear_requests()
        with pytest.raises(pinkit.InvalidInputError, match=f"is for customer list {first}"):
            client.customer_lists.sync(customer_list_id=second, records=emails(3), ledger=ledger)
        with pytest.raises(pinkit.InvalidInputError, match=r"is for customer list .*\(EMAIL\)"):
            client.customer_lists.sync(
                customer_list_id=first, records=[IDFA], ledger=ledger, list_type="IDFA"
            )
        not_a_ledger = tmp_path / "emails.txt"
        not_a_ledger.write_text("a@example.com\n" * 100)
        with pytest.raises(pinkit.InvalidInputError, match="not a customer-list ledger"):
            client.customer_lists.sync(
                customer_list_id=first, records=emails(3), ledger=not_a_ledger
            )
        other_db = tmp_path / "other.sqlite"
        with sqlite3.connect(other_db) as conn:
            conn.execute("CREATE TABLE t (x)")
        with pytest.raises(pinkit.InvalidInputError, match="not a customer-list ledger"):
            client.customer_lists.sync(customer_list_id=first, records=emails(3), ledger=other_db)
        with pytest.raises(pinkit.InvalidInputError, match="does not exist"):
            client.customer_lists.sync(
                customer_list_id=first, records=emails(3), ledger=tmp_path / "no" / "l"
            )
        with pytest.raises(pinkit.InvalidInputError, match="allow_empty=True"):
            client.customer_lists.sync(customer_list_id=first, records=[], ledger=ledger)
        assert local.requests == []
        emptied = client.customer_lists.sync(
            customer_list_id=first, records=[], ledger=ledger, allow_empty=True
        )
    assert (emptied.removed, emptied.requests) == (3, 1)
    assert not_a_ledger.read_text() == "a@example.com\n" * 100  # left as it was


# -- waiting ---------------------------------------------------------------------------------------
def test_wait_until_ready_on_the_emulator_clock(client: pinkit.Client, emu: Emulator) -> None:
    big = emails(300)
    small = emails(50, 1_000)
    assert sum(matches(d) for d in digests(big)) >= 100 > sum(matches(d) for d in digests(small))
    started, wall = emu.clock.now(), time.monotonic()
    ready = client.customer_lists.create(name="Big", records=big).customer_list
    too_small = client.customer_lists.create(name="Small", records=small).customer_list
    assert ready.status == too_small.status == "PROCESSING"
    done = client.customer_lists.wait_until_ready(customer_list_id=ready.id)
    assert (done.status, done.done) == ("READY", True)
    assert emu.clock.now() - started >= MATCH_SECONDS  # emulator time passed...
    assert time.monotonic() - wall < 30  # ...without waiting for it
    small_done = client.customer_lists.wait_until_ready(customer_list_id=too_small.id)
    assert small_done.status == "TOO_SMALL"  # too small to target, not an error
    gets = [r for r in emu.requests if r.operation_id == "customer_lists/get"]
    assert 3 <= len(gets) <= 12  # polled with backoff, not in a tight loop


def test_wait_until_ready_raises_only_once_its_deadline_passed(local: Emulator) -> None:
    with local.client(ad_account_id=local.default_ad_account_id) as client:
        made = client.customer_lists.create(name="L", records=emails(5)).customer_list
        started = local.clock.now()
        with pytest.raises(pinkit.CustomerListNotReady) as caught:
            client.customer_lists.wait_until_ready(customer_list_id=made.id, timeout=120)
        assert 120 <= local.clock.now() - started < MATCH_SECONDS
        assert caught.value.status == "PROCESSING"
        assert caught.value.customer_list.id == made.id
        assert "still PROCESSING after 120s" in str(caught.value)
        with pytest.raises(pinkit.InvalidInputError, match="timeout"):
            client.customer_lists.wait_until_ready(customer_list_id=made.id, timeout=-1)
        assert client.customer_lists.wait_until_ready(customer_list_id=made.id).status


# -- get, list, tokens, sandbox --------------------------------------------------------------------
def test_get_and_list(client: pinkit.Client) -> None:
    first = client.customer_lists.create(name="A", records=emails(2)).customer_list
    second = client.customer_lists.create(name="B", records=emails(2)).customer_list
    assert client.customer_lists.get(customer_list_id=first.id).name == "A"
    assert [c.name for c in client.customer_lists.list()] == ["A", "B"]
    assert [c.name for c in client.customer_lists.list(order="DESCENDING", page_size=1)] == [
        "B",
        "A",
    ]
    with pytest.raises(pinkit.InvalidInputError, match="order"):
        client.customer_lists.list(order="NEWEST")
    with pytest.raises(pinkit.InvalidInputError, match="digits"):
        client.customer_lists.get(customer_list_id="L1")
    with pytest.raises(pinkit.NotFoundError):
        client.customer_lists.get(customer_list_id="1")
    assert second.id


def test_a_conversion_token_is_told_customer_lists_need_an_oauth_login(local: Emulator) -> None:
    token = local.issue_conversion_token()
    with local.client(access_token=token, ad_account_id=local.default_ad_account_id) as client:
        for call in (
            lambda: client.customer_lists.create(name="L", records=emails(1)),
            lambda: client.customer_lists.get(customer_list_id="1"),
            lambda: client.customer_lists.add(customer_list_id="1", records=emails(1)),
            lambda: client.customer_lists.wait_until_ready(customer_list_id="1"),
        ):
            with pytest.raises(pinkit.PermissionDeniedError) as caught:
                call()
            message = str(caught.value)
            assert message.startswith("[403, code 29] customer lists need an OAuth login")
            assert "a conversion access token only sends conversion events" in message


def test_the_sandbox_refuses_customer_lists() -> None:
    with Emulator(sandbox=True) as sandbox:
        with sandbox.client(ad_account_id=sandbox.default_ad_account_id) as client:
            with pytest.raises(pinkit.PermissionDeniedError, match="not available in the API"):
                client.customer_lists.create(name="L", records=emails(1))
            with pytest.raises(pinkit.PermissionDeniedError, match="not available in the API"):
                list(client.customer_lists.list())


# -- async -----------------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_async_create_sync_and_wait(emu: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "emails.txt"
    path.write_text("\n".join(emails(2_500)) + "\n")
    ledger = tmp_path / "list.ledger"
    async with emu.async_client(ad_account_id=emu.default_ad_account_id) as client:
        made = await client.customer_lists.create(name="L", records=path)
        assert (made.sent, made.requests) == (2_500, 2)
        list_id = made.customer_list.id
        assert list_id
        synced = await client.customer_lists.sync(
            customer_list_id=list_id, records=emails(2_000), ledger=ledger
        )
        assert (synced.added, synced.removed) == (2_000, 0)
        again = await client.customer_lists.sync(
            customer_list_id=list_id, records=path, ledger=ledger
        )
        assert (again.added, again.removed, again.requests) == (500, 0, 1)
        removed = await client.customer_lists.remove(customer_list_id=list_id, records=emails(10))
        assert removed.operation == "REMOVE"
        ready = await client.customer_lists.wait_until_ready(customer_list_id=list_id)
        assert ready.status == "READY"
        listed = [c.id async for c in client.customer_lists.list()]
        assert listed == [list_id]
        with pytest.raises(pinkit.BadRecordsError):
            await client.customer_lists.add(customer_list_id=list_id, records=["nobody"])
