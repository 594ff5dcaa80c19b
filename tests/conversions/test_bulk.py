"""``client.conversions.send_bulk``: batches, retries that keep ids, offline batches never
retried, rejects, checkpoints, test mode, the hashing-consistency warning."""

from __future__ import annotations

import json
import pickle
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from pinkit import BulkSummary, InvalidInputError, PermissionDeniedError
from pinkit.conversions import JsonlRejects, SenderConfig, sha256_hex
from pinkit.emulator import Emulator
from tests.conversions.conftest import arrived_ids, event, event_requests, events


def sent_ids(emu: Emulator) -> list[list[str]]:
    """The event ids of every events/create request, in order."""
    return [[e["event_id"] for e in r.json()["data"]] for r in event_requests(emu)]


def read_rejects(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_batches_of_1000_each_event_once(emu: Emulator, account: str) -> None:
    stream = (event(emu, i) for i in range(2500))  # a generator: read lazily
    with emu.client() as client:
        summary = client.conversions.send_bulk(account, stream)
    assert isinstance(summary, BulkSummary)
    assert sorted(len(ids) for ids in sent_ids(emu)) == [500, 1000, 1000]
    assert (summary.received, summary.processed, summary.total_rejected) == (2500, 2500, 0)
    assert Counter(arrived_ids(emu, account)) == Counter(e["event_id"] for e in events(emu, 2500))
    assert summary.hashing == {"em": {"hashed": 0, "raw": 2500}}
    assert summary.events_per_s > 0 and not summary.test


def test_test_mode_batches_of_20_paced_nothing_recorded(emu: Emulator, account: str) -> None:
    started = emu.clock.now()
    with emu.client() as client:
        summary = client.conversions.send_bulk(account, events(emu, 245), test=True)
    elapsed = emu.clock.now() - started
    requests = event_requests(emu)
    assert sorted(len(r.json()["data"]) for r in requests) == [5] + [20] * 12
    assert all(r.query.get("test") == "true" for r in requests)
    assert emu.conversion_events(account) == []
    assert summary.test and summary.processed == 245
    assert str(summary).startswith("TEST MODE")
    # 13 requests at 10 a second: the last three waited for the bucket to refill (measured from
    # before the first request: a request's record is made only once the server has it)
    assert elapsed >= 0.29


def test_rejects_file_kinds(emu: Emulator, account: str, tmp_path: Path) -> None:
    old = int(emu.clock.now()) - 9 * 86400  # accepted locally below, failed by Pinterest
    stream = [
        event(emu, 0),
        dict(event(emu, 1), user_data={"em": "not-an-email"}),
        dict(event(emu, 2), event_time=old),
        event(emu, 3),
    ]
    offline = [event(emu, 10, source="offline"), event(emu, 11, source="offline")]
    rejects = tmp_path / "rejects.jsonl"
    config = SenderConfig(ad_account_id=account, max_event_age_s=30 * 86400, max_retries=2)
    with emu.client() as client:
        summary = client.conversions.send_bulk(events=stream, config=config, rejects=rejects)
        emu.inject_fault(503, operation="events/create", after_processing=True)
        summary2 = client.conversions.send_bulk(events=offline, config=config, rejects=rejects)
    lines = read_rejects(rejects)
    assert [(r["index"], r["kind"]) for r in lines] == [
        (1, "invalid"),
        (2, "refused"),
        (0, "undeliverable"),
        (1, "undeliverable"),
    ]
    assert lines[0]["reason"] == "user_data.em has no @"
    assert lines[0]["event"]["user_data"] == {"em": "not-an-email"}  # as given
    assert "in the past" in lines[1]["reason"]
    assert lines[1]["event"]["user_data"]["em"] == [sha256_hex("buyer.2@example.com")]
    assert "offline events are never deduplicated" in lines[2]["reason"]
    assert summary.rejected == {"invalid": 1, "refused": 1, "undeliverable": 0}
    assert summary.processed == 2 and summary.received == 4
    assert summary2.rejected["undeliverable"] == 2 and summary2.retried == 0
    assert len(event_requests(emu)) == 2  # the offline batch was sent once, never again


@pytest.mark.parametrize("after_processing", [False, True])
def test_5xx_retried_with_the_same_ids(emu: Emulator, account: str, after_processing: bool) -> None:
    emu.inject_fault(503, operation="events/create", count=3, after_processing=after_processing)
    with emu.client() as client:
        summary = client.conversions.send_bulk(account, events(emu, 1500), concurrency=1)
    assert summary.retried == 3 and summary.processed == 1500 and summary.total_rejected == 0
    batches = sent_ids(emu)
    assert len(batches) == 5 and batches[0] == batches[1] == batches[2] == batches[3]
    assert Counter(arrived_ids(emu, account)) == Counter(e["event_id"] for e in events(emu, 1500))


def test_429_retried(emu: Emulator, account: str) -> None:
    emu.inject_fault(429, operation="events/create", count=4)
    with emu.client() as client:
        summary = client.conversions.send_bulk(account, events(emu, 30, source="offline"))
    assert summary.processed == 30 and summary.total_rejected == 0
    assert len(arrived_ids(emu, account)) == 30  # 429: not processed, so safe even offline


def test_retries_run_out(emu: Emulator, account: str, tmp_path: Path) -> None:
    emu.inject_fault(500, operation="events/create", count=10)
    rejects: list[dict[str, Any]] = []
    with emu.client() as client:
        summary = client.conversions.send_bulk(
            account, events(emu, 5), rejects=rejects, max_retries=2
        )
    assert summary.rejected["undeliverable"] == 5 and summary.retried == 2
    assert rejects[0]["kind"] == "undeliverable" and "after 3 tries" in rejects[0]["reason"]


def test_setup_errors_stop_the_run(emu: Emulator, account: str) -> None:
    emu.inject_fault(403, operation="events/create")
    with emu.client() as client, pytest.raises(PermissionDeniedError):
        client.conversions.send_bulk(account, events(emu, 5))


def test_rejects_in_memory_and_invalid_only_streams(emu: Emulator, account: str) -> None:
    bad = [dict(event(emu, i), event_name="purchase") for i in range(2500)]
    with emu.client() as client:
        summary = client.conversions.send_bulk(account, bad)
    assert summary.rejected["invalid"] == 2500 and summary.rejects is not None
    assert len(summary.rejects) == 2500 and event_requests(emu) == []


def test_hashing_consistency_warning(emu: Emulator, account: str) -> None:
    mixed = events(emu, 10)
    for e in mixed[:3]:
        e["user_data"] = dict(e["user_data"], em=sha256_hex(e["user_data"]["em"].lower()))
    with emu.client() as client:
        summary = client.conversions.send_bulk(account, mixed)
    assert summary.hashing["em"] == {"hashed": 3, "raw": 7}
    assert summary.mixed_hashing == ["em"]
    (warning,) = [w for w in summary.warnings if "came hashed in some events" in w]
    assert summary.warnings[warning] == 3 and "pipeline bug" in str(summary)


def test_drop_invalid_field(emu: Emulator, account: str) -> None:
    keeps = dict(event(emu, 0))
    keeps["user_data"] = dict(keeps["user_data"], ph="12")
    loses = dict(event(emu, 1), user_data={"em": "nobody", "ph": "+1 650 555 1212"})
    with emu.client() as client:
        summary = client.conversions.send_bulk(
            account, [keeps, loses], on_invalid_field="drop_field"
        )
    assert summary.processed == 1 and summary.rejected["invalid"] == 1
    assert summary.warnings["invalid user_data.ph left out"] == 1
    assert summary.rejects is not None and "left out as invalid: em" in summary.rejects[0]["reason"]
    assert "ph" not in emu.conversion_events(account)[0]["user_data"]


class Boom(Exception):
    pass


def interrupted(items: Sequence[dict[str, Any]], at: int) -> Iterator[dict[str, Any]]:
    for i, item in enumerate(items):
        if i == at:
            raise Boom("the source failed")
        yield item


def test_checkpoint_resume_exactly_once(emu: Emulator, account: str, tmp_path: Path) -> None:
    stream = events(emu, 2600)
    stream[1500] = dict(stream[1500], event_name="purchase")  # one invalid, to be rejected once
    paths = {"rejects": tmp_path / "r.jsonl", "checkpoint": tmp_path / "ck.json"}
    with emu.client() as client:
        with pytest.raises(Boom):
            client.conversions.send_bulk(
                account, interrupted(stream, 2300), batch_size=500, concurrency=2, **paths
            )
        state = json.loads(paths["checkpoint"].read_text())
        assert state["next_index"] >= 1500 and not state.get("complete")
        summary = client.conversions.send_bulk(
            account, stream, batch_size=500, concurrency=2, **paths
        )
        before = len(event_requests(emu))
        again = client.conversions.send_bulk(
            account, stream, batch_size=500, concurrency=2, **paths
        )
    assert len(event_requests(emu)) == before  # a finished run's checkpoint sends nothing
    flat = [i for batch in sent_ids(emu) for i in batch]
    assert Counter(flat).most_common(1)[0][1] == 1  # no event was sent twice
    assert len(flat) == 2599
    assert Counter(arrived_ids(emu, account)) == Counter(
        e["event_id"] for i, e in enumerate(stream) if i != 1500
    )
    assert summary.resumed_at == state["next_index"]
    assert (summary.received, summary.processed, summary.rejected["invalid"]) == (2600, 2599, 1)
    assert [r["index"] for r in read_rejects(paths["rejects"])] == [1500]
    assert again.received == 2600 and len(sent_ids(emu)) == len([b for b in sent_ids(emu)])
    assert json.loads(paths["checkpoint"].read_text())["complete"]


class CrashAfterSending(JsonlRejects):
    """A sink that fails as the first batch's outcome is recorded: the process 'dies' with
    that batch sent and not yet counted."""

    def write(self, rejects: Sequence[dict[str, Any]]) -> None:
        raise Boom("killed")


@pytest.mark.parametrize("source", ["web", "offline"])
def test_batch_in_flight_at_the_kill(
    emu: Emulator, account: str, tmp_path: Path, source: str
) -> None:
    stream = events(emu, 10, source=source)
    rejects, checkpoint = tmp_path / "r.jsonl", tmp_path / "ck.json"
    with emu.client() as client:
        with pytest.raises(Boom):
            client.conversions.send_bulk(
                account, stream, rejects=CrashAfterSending(rejects), checkpoint=checkpoint
            )
        assert json.loads(checkpoint.read_text())["in_flight"] == [[0, 10]]
        summary = client.conversions.send_bulk(
            account, stream, rejects=rejects, checkpoint=checkpoint
        )
    assert len(arrived_ids(emu, account)) == 10  # processed once, by the first run
    if source == "offline":  # never resent: Pinterest would count them twice
        assert len(event_requests(emu)) == 1
        assert summary.rejected["undeliverable"] == 10
        assert "earlier run stopped" in read_rejects(rejects)[0]["reason"]
    else:  # resent with the same ids, deduplicated by Pinterest
        assert sent_ids(emu)[0] == sent_ids(emu)[1]
        assert summary.processed == 10 and summary.total_rejected == 0


def test_checkpoint_needs_a_rejects_file(emu: Emulator, account: str, tmp_path: Path) -> None:
    with emu.client() as client, pytest.raises(InvalidInputError, match="rejects= to be a file"):
        client.conversions.send_bulk(account, events(emu, 1), checkpoint=tmp_path / "ck.json")


def test_config_pickles_and_checks_itself(account: str) -> None:
    config = SenderConfig(ad_account_id=account, concurrency=8, hash="never")
    assert pickle.loads(pickle.dumps(config)) == config
    assert SenderConfig(ad_account_id=account, test=True).events_per_request == 20
    with pytest.raises(InvalidInputError, match="batch_size"):
        SenderConfig(ad_account_id=account, batch_size=1001)
    with pytest.raises(InvalidInputError, match="hash must be one of"):
        SenderConfig(ad_account_id=account, hash="maybe")  # type: ignore[arg-type]


def test_a_shared_limiter_is_asked_before_each_request(emu: Emulator, account: str) -> None:
    class Recording:
        def __init__(self) -> None:
            self.keys: list[tuple[str, ...]] = []

        def reserve(self, keys: list[tuple[str, ...]]) -> float:
            self.keys += keys
            return 0.5

        def observe(
            self, key: tuple[str, ...], headers: Any, *, limited: bool, wait: float
        ) -> None:
            pass

    limiter = Recording()
    start = emu.clock.now()
    with emu.client() as client:
        client.conversions.send_bulk(
            account, events(emu, 30), batch_size=10, concurrency=1, limiter=limiter
        )
    assert limiter.keys == [("pinkit", "ads_conversions", account)] * 3
    assert emu.clock.now() - start >= 1.5  # each request waited the limiter's half second


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_async_bulk(emu: Emulator, account: str, tmp_path: Path) -> None:
    emu.inject_fault(503, operation="events/create", count=2, after_processing=True)
    async with emu.async_client() as client:
        summary = await client.conversions.send_bulk(
            account,
            events(emu, 3000),
            batch_size=250,
            concurrency=4,
            rejects=tmp_path / "r.jsonl",
            checkpoint=tmp_path / "ck.json",
        )
    assert summary.processed == 3000 and summary.retried == 2
    assert Counter(arrived_ids(emu, account)) == Counter(e["event_id"] for e in events(emu, 3000))
    assert not (tmp_path / "r.jsonl").exists() or read_rejects(tmp_path / "r.jsonl") == []


def test_the_core_needs_no_client() -> None:
    """A worker's view: a pickled config, any source of events, any ``post``."""
    import time

    import httpx2

    from pinkit._clock import SYSTEM_CLOCK
    from pinkit._flow import Locks, run_sync
    from pinkit.conversions import BulkSender

    sizes: list[int] = []

    def post(body: bytes, test: bool, repeatable: bool) -> Any:
        data = json.loads(body)["data"]
        sizes.append(len(data))
        answer = [{"status": "processed" if int(e["event_id"]) % 50 else "failed"} for e in data]
        return {"num_events_received": len(data), "events": answer}
        yield  # a flow that sends nothing

    now = time.time()
    config = pickle.loads(pickle.dumps(SenderConfig(ad_account_id="123", batch_size=100)))
    source = (
        {
            "event_name": "lead",
            "action_source": "web",
            "event_time": int(now),
            "event_id": str(i),
            "user_data": {"em": f"u{i}@example.com"},
        }
        for i in range(250)
    )
    sender = BulkSender(config, post, now=lambda: now)
    with httpx2.Client() as http:
        summary = run_sync(sender.run(source), http, Locks(), SYSTEM_CLOCK)
    assert sorted(sizes) == [50, 100, 100]
    assert summary.received == 250 and summary.processed + summary.rejected["refused"] == 250


def test_encode_batch_with_and_without_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    from pinkit.conversions import _sender

    events = [{"event_id": "é", "n": 2**70}]  # orjson refuses integers beyond 64 bits
    assert json.loads(_sender.encode_batch(events)) == {"data": events}
    monkeypatch.setattr(_sender, "orjson", None)
    assert _sender.encode_batch([{"a": "é"}]) == '{"data":[{"a":"é"}]}'.encode()


def test_a_part_keeps_its_events_encoded_and_gives_them_back_exactly() -> None:
    from pinkit.conversions._sender import ENCODE_RUN, EncodedPart, encode_batch

    events = [{"event_id": f"e{i}", "q": 1e-7 * i, "n": i} for i in range(2 * ENCODE_RUN + 3)]
    events[ENCODE_RUN + 1]["n"] = 2**70  # one run goes through the standard library's encoder
    part = EncodedPart(offline=False)
    for i, item in enumerate(events):
        part.add(100 + i, item)
    assert len(part) == len(events) and part.indexes == [100 + i for i in range(len(events))]
    # as encode_batch encodes them (a float may be spelt otherwise by the two encoders)
    assert json.loads(part.body()) == json.loads(encode_batch(events)) == {"data": events}
    assert part.events() == events  # the integer beyond 64 bits read back exactly
    part.clear()
    assert len(part) == 0 and part.events() == []


def test_an_answer_without_statuses_is_not_trusted(inproc_emulator: Emulator) -> None:
    # (in-process only: a gateway page is not an answer the spec describes)
    emu, account = inproc_emulator, inproc_emulator.default_ad_account_id
    gateway = {"operation": "events/create", "body": "<html>gateway</html>"}
    with emu.client() as client:
        emu.inject_fault(200, **gateway)
        online = client.conversions.send_bulk(account, events(emu, 3))
        emu.inject_fault(200, **gateway)
        offline = client.conversions.send_bulk(account, events(emu, 3, start=9, source="offline"))
    assert online.processed == 3 and online.retried == 1
    assert offline.rejected["undeliverable"] == 3  # it may have been processed: not resent
