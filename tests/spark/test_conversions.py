"""``pinterest_conversions`` and ``send_conversions`` on a local Spark against
``pinkit emulator serve`` and a real Redis.

The size is a knob: ``PINKIT_SPARK_ROWS`` (default 20,000; the issue's figure is 200,000).
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import pinkit
import pinkit.spark
from pinkit.conversions import make_event_id
from pinkit.errors import InvalidInputError
from pinkit.spark import ConversionOptions
from tests._spark import EmulatorProcess, pids_connected_to

ROWS = int(os.environ.get("PINKIT_SPARK_ROWS", "20000"))
UA = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"
SCHEMA = (
    "event_id string, order_id string, event_name string, action_source string, "
    "event_time long, em string, client_ip_address string, client_user_agent string, "
    "custom_data struct<currency: string, value: string>"
)


def kind_of(i: int) -> str:
    """Every 997th row has an e-mail without @, every 1,009th neither event_id nor
    order_id; every other row has an event_id or only an order_id."""
    if i % 997 == 7:
        return "bad_email"
    if i % 1009 == 11:
        return "no_id"
    return "ok"


def rows(n: int, now: int, tag: str = "r") -> list[tuple[Any, ...]]:
    out = []
    for i in range(n):
        kind = kind_of(i)
        event_id = None if kind == "no_id" or i % 2 else f"{tag}-{i}"
        order_id = None if kind == "no_id" else f"{tag}-order-{i}"
        email = f"buyer{i}example.com" if kind == "bad_email" else f" Buyer.{i}@Example.com"
        out.append(
            (
                event_id,
                order_id,
                "checkout",
                "web",
                now - 60,
                email,
                "203.0.113.9",
                UA,
                {"currency": "usd", "value": "9.99"},
            )
        )
    return out


def expected_ids(n: int, tag: str = "r") -> set[str]:
    return {
        f"{tag}-{i}" if i % 2 == 0 else make_event_id(f"{tag}-order-{i}")
        for i in range(n)
        if kind_of(i) == "ok"
    }


def frame(spark: Any, n: int, *, tag: str = "r", partitions: int = 2) -> Any:
    return spark.createDataFrame(rows(n, int(time.time()), tag), SCHEMA).repartition(partitions)


def write(df: Any, emu: EmulatorProcess, account: str, token: str, **options: Any) -> None:
    writer = (
        df.write.format("pinterest_conversions")
        .option("ad_account_id", account)
        .option("access_token", token)
        .option("base_url", emu.base_url)
    )
    for name, value in options.items():
        writer = writer.option(name, value)
    writer.mode("append").save()


def events_create(emu: EmulatorProcess) -> list[dict[str, Any]]:
    return [r for r in emu.requests() if r.get("operation_id") == "events/create"]


# -- the data source and send_conversions, at size ---------------------------------------------
@pytest.mark.slow
@pytest.mark.timeout(900)
def test_every_valid_row_arrives_once_and_the_invalid_come_back_with_reasons(
    spark: Any, emulator: EmulatorProcess, redis_url: str, tmp_path: Path
) -> None:
    account = emulator.ad_account()
    token = emulator.conversion_token()
    emulator.set_rate_limit("ads_conversions", 10**6, 60)
    df = frame(spark, ROWS, partitions=4)
    started = time.perf_counter()
    summary_path = tmp_path / "summary.json"
    write(df, emulator, account, token, redis_url=redis_url, summary_path=str(summary_path))
    elapsed = time.perf_counter() - started
    arrived = Counter(e["event_id"] for e in emulator.events(account))
    valid = expected_ids(ROWS)
    assert set(arrived) == valid and max(arrived.values()) == 1
    # PII was hashed in the executors: no raw address reached the emulator
    sample = emulator.events(account)[0]["user_data"]["em"][0]
    assert len(sample) == 64 and "@" not in sample
    summary = json.loads(summary_path.read_text())  # the commit's, on the driver
    assert summary["received"] == ROWS and summary["processed"] == len(valid)
    assert summary["rejected"] == {"invalid": ROWS - len(valid), "refused": 0, "undeliverable": 0}
    assert summary["tasks"] == 4

    result = pinkit.spark.send_conversions(
        df, account, access_token=token, base_url=emulator.base_url, redis_url=redis_url
    ).persist()
    try:
        counts = dict(result.groupBy("status").count().collect())
        failed = result.filter("status != 'processed'").select(
            "order_id", "status", "error_message", "event_id"
        )
        failures = failed.collect()
        done = result.filter("status = 'processed'").select("order_id", "event_id", "error_message")
        processed = done.collect()
    finally:
        result.unpersist()
    # each processed row carries its own event id (results aligned with their rows)
    order = {f"r-order-{i}": i for i in range(ROWS)}
    for row in processed:
        i = order[row["order_id"]]
        assert row["error_message"] is None
        assert row["event_id"] == (f"r-{i}" if i % 2 == 0 else make_event_id(row["order_id"]))
    assert {r["event_id"] for r in processed} == valid
    invalid = ROWS - len(valid)
    assert counts == {"processed": len(valid), "invalid": invalid}
    bad_email = {f"r-order-{i}" for i in range(ROWS) if kind_of(i) == "bad_email"}
    rejected = {r["order_id"]: r for r in failures if r["order_id"] is not None}
    assert set(rejected) == bad_email
    assert all("em has no @" in rejected[k]["error_message"] for k in bad_email)
    no_id = [r for r in failures if r["order_id"] is None]
    assert len(no_id) == sum(1 for i in range(ROWS) if kind_of(i) == "no_id")
    assert all("no event_id and no order_id" in r["error_message"] for r in no_id)
    # sent again: Pinterest's dedup keeps one of each
    assert len(emulator.events(account)) == len(valid)
    print(f"\n{ROWS} rows through pinterest_conversions in {elapsed:.1f} s: {summary}")


def test_send_conversions_gives_each_row_its_own_warning(
    spark: Any, emulator: EmulatorProcess
) -> None:
    """Pinterest's warnings come back on the rows they are about, next to their event ids."""
    account = emulator.ad_account()
    token = emulator.conversion_token()
    now = int(time.time()) - 60
    data = [
        (f"w-{i}", "checkout", "web", now, f"a{i}@b.co", None if i % 3 == 0 else f"x-{i}")
        for i in range(9)
    ]
    df = spark.createDataFrame(
        data,
        "event_id string, event_name string, action_source string, event_time long, "
        "em string, external_id string",
    ).repartition(2)
    result = pinkit.spark.send_conversions(
        df, account, access_token=token, base_url=emulator.base_url
    ).collect()
    by_id = {r["event_id"]: r for r in result}
    assert set(by_id) == {f"w-{i}" for i in range(9)}
    for i in range(9):
        row = by_id[f"w-{i}"]
        assert row["status"] == "processed" and row["error_message"] is None, row
        assert row["em"] == f"a{i}@b.co"  # the input row, as it was
        warning = row["warning_message"] or ""
        assert ("external_id is missing" in warning) == (i % 3 == 0), row
        assert "click_id is missing" in warning


# -- options: checked on the driver, secrets kept out --------------------------------------------
def _error_of(action: Any) -> str:
    with pytest.raises(Exception) as caught:  # noqa: PT011 - Spark wraps the driver's error
        action()
    return str(caught.value)


def _one_clear_line(message: str, expected: str) -> None:
    """Spark wraps the driver's error (its traceback included): the error itself is one
    line, pinkit's own, saying what is wrong."""
    lines = [line.strip() for line in message.splitlines()]
    ours = [line for line in lines if line.startswith("pinkit.errors.InvalidInputError: ")]
    assert len(ours) == 1, message
    assert ours[0].startswith("pinkit.errors.InvalidInputError: pinterest_conversions: ")
    assert expected in ours[0], message


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"ad_account_id": "12ab"}, "ad_account_id must be a string of digits"),
        ({"batch_size": "5000"}, "option batch_size must be from 1 to 1000, got 5000"),
        ({"test": "maybe"}, "option test must be true or false"),
        ({"rate_limit": "8/1"}, "option rate_limit is the shared limit: it needs redis_url"),
        ({"redis_url": "http://x"}, "option redis_url must be a redis://"),
        (  # nothing listens on port 1: the tasks' limiter would fail open, each at its own pace
            {"redis_url": "redis://:hunter2@127.0.0.1:1/0"},
            "Redis at redis_url redis://***@127.0.0.1:1/0 does not answer (ConnectionError)",
        ),
        ({"acess_token": "x"}, "unknown option acess_token"),
    ],
)
def test_a_bad_option_fails_on_the_driver_in_one_line_before_any_task(
    spark: Any, emulator: EmulatorProcess, options: dict[str, str], expected: str
) -> None:
    token = emulator.conversion_token()
    account = emulator.ad_account()
    df = frame(spark, 20)
    message = _error_of(
        lambda: write(df, emulator, options.pop("ad_account_id", account), token, **options)
    )
    _one_clear_line(message, expected)
    assert token not in message and "hunter2" not in message
    assert events_create(emulator) == []


def test_a_misspelt_column_and_a_missing_credential_fail_on_the_driver(
    spark: Any, emulator: EmulatorProcess
) -> None:
    account = emulator.ad_account()
    df = spark.createDataFrame(
        [("e-1", "checkout", "a@example.com")], "event_id string, event_name string, emial string"
    )
    message = _error_of(lambda: write(df, emulator, account, "pina_secret_token_value"))
    _one_clear_line(message, "column emial match no event field")
    assert "pina_secret_token_value" not in message
    message = _error_of(
        lambda: (
            df.write.format("pinterest_conversions")
            .option("ad_account_id", account)
            .option("user_key", "u1")
            .mode("append")
            .save()
        )
    )
    _one_clear_line(message, "database_url and user_key go together")
    message = _error_of(
        lambda: (
            df.write.format("pinterest_conversions")
            .option("ad_account_id", account)
            .mode("overwrite")
            .save()
        )
    )
    _one_clear_line(message, 'use .mode("append")')
    with pytest.raises(InvalidInputError, match=r"^send_conversions: column emial match no"):
        pinkit.spark.send_conversions(
            df, account, access_token="pina_x", base_url=emulator.base_url
        )
    assert events_create(emulator) == []


def test_the_options_travel_as_plain_values_with_secrets_masked() -> None:
    options = ConversionOptions.parse(
        {
            "ad_account_id": "549755885175",
            "access_token": "pina_secret_token_value",
            "redis_url": "redis://:hunter2@127.0.0.1:6379/0",
            "rate_limit": "8/2",
        }
    )
    shown = repr(options)
    assert "pina_secret_token_value" not in shown and "hunter2" not in shown
    assert "redis://***@127.0.0.1:6379/0" in shown
    copy = pickle.loads(pickle.dumps(options))
    assert copy == options
    assert copy.credential.access_token is not None
    assert copy.credential.access_token.get_secret_value() == "pina_secret_token_value"
    assert copy.rate_limit is not None and copy.rate_limit.rate == 4.0


# -- undeliverable events: the commit says how many ----------------------------------------------
def test_the_commit_raises_naming_how_many_were_undeliverable(
    spark: Any, emulator: EmulatorProcess
) -> None:
    account = emulator.ad_account()
    token = emulator.conversion_token()
    emulator.inject_fault(503, "events/create", 1000)
    df = frame(spark, 400, tag="u", partitions=2)
    valid = len(expected_ids(400, "u"))
    message = _error_of(
        lambda: write(df, emulator, account, token, max_retries="0", batch_size="50")
    )
    lines = [line for line in message.splitlines() if "were undeliverable" in line]
    assert len(lines) == 1, message
    assert f"pinterest_conversions: {valid} of 400 events were undeliverable" in lines[0]
    assert token not in message


# -- one rate limit for every task --------------------------------------------------------------
LIMITED_ROWS = 1600  # 32 requests of 50 events, in 4 tasks (2 at a time) of 4 requests at once


def _sent_and_refused(emu: EmulatorProcess) -> tuple[int, int]:
    records = events_create(emu)
    return len(records), sum(1 for r in records if r["status"] == 429)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_tasks_sharing_the_limit_through_redis_get_no_429(
    spark: Any, emulator: EmulatorProcess, redis_url: str
) -> None:
    """The emulator allows 10 conversions requests a second; the shared limit is 10 per
    1.2 s, evenly spaced (a margin for a small, loaded machine). No request is refused, and
    every valid event arrives once."""
    account = emulator.ad_account()
    token = emulator.conversion_token()
    emulator.set_rate_limit("ads_conversions", 10, 1.0)
    df = frame(spark, LIMITED_ROWS, tag="s", partitions=4)
    write(df, emulator, account, token, redis_url=redis_url, rate_limit="10/1.2", batch_size="50")
    sent, refused = _sent_and_refused(emulator)
    print(f"\nshared limit: {sent} requests, {refused} refused")
    assert refused == 0 and sent >= LIMITED_ROWS // 50
    assert len(emulator.events(account)) == len(expected_ids(LIMITED_ROWS, "s"))


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_control_without_the_shared_limit_gets_429s(
    spark: Any, emulator: EmulatorProcess
) -> None:
    """The same write without Redis: each task keeps its own pace, together they go over the
    emulator's limit, and some requests are refused (then retried)."""
    account = emulator.ad_account()
    token = emulator.conversion_token()
    emulator.set_rate_limit("ads_conversions", 10, 1.0)
    df = frame(spark, LIMITED_ROWS, tag="c", partitions=4)
    write(df, emulator, account, token, batch_size="50")
    sent, refused = _sent_and_refused(emulator)
    print(f"\nwithout the shared limit: {sent} requests, {refused} refused")
    assert refused > 0


# -- a task killed mid-partition and retried ---------------------------------------------------
KILLED_ROWS = 4000


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_task_killed_mid_partition_is_retried_without_duplicates(
    spark: Any, emulator: EmulatorProcess, redis_url: str
) -> None:
    """Two tasks send at 20 requests a second together; once events arrive, the Python
    worker of one task is killed (SIGKILL). Spark tries the task again (local[2,2]): it
    resends its partition from the start with the same event ids, and the emulator keeps
    each event once."""
    account = emulator.ad_account()
    token = emulator.conversion_token()
    df = frame(spark, KILLED_ROWS, tag="k", partitions=2)
    valid = expected_ids(KILLED_ROWS, "k")
    killed: list[int] = []

    def kill_one_task() -> None:
        """Once events arrive, SIGKILL one Python worker talking to the emulator."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if len(emulator.events(account)) >= 500:
                victims = pids_connected_to(emulator.port) - {emulator.process.pid}
                if victims:
                    os.kill(sorted(victims)[0], signal.SIGKILL)
                    killed.append(len(emulator.events(account)))
                    return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_one_task)
    killer.start()
    write(df, emulator, account, token, redis_url=redis_url, rate_limit="20/1", batch_size="50")
    killer.join(10)
    assert killed, "no task was killed"
    killed_at = killed[0]
    assert killed_at < len(valid), "the job had finished before the kill"
    arrived = Counter(e["event_id"] for e in emulator.events(account))
    assert set(arrived) == valid and max(arrived.values()) == 1
    received = _received(emulator)
    print(f"\nkilled with {killed_at} events in; {received} sent for {len(valid)} kept once")
    assert received > len(valid), "the retried task sent nothing again"


def _received(emu: EmulatorProcess) -> int:
    """Events the emulator was sent (duplicates included), from its answers."""
    import json

    total = 0
    for record in events_create(emu):
        body = record.get("response_body")
        if isinstance(body, str) and body.startswith("{"):
            total += int(json.loads(body).get("num_events_received", 0))
        elif isinstance(body, dict):
            total += int(body.get("num_events_received", 0))
    return total


# -- the web kit's Connections store as the credential -----------------------------------------
def test_a_user_of_the_connections_store_sends_from_every_task(
    spark: Any, emulator: EmulatorProcess, tmp_path: Path
) -> None:
    """The tasks sign with a user's tokens kept (encrypted) in the web kit's database; the
    options carry the database URL and the user's key, never a token."""
    from pinkit.web import Connections, generate_key

    callback = "http://localhost:8000/callback"
    made = emulator.control("POST", "/apps", json={"redirect_uri": callback})
    app = pinkit.OAuthApp(
        made["client_id"], made["client_secret"], callback, api_base_url=emulator.base_url
    )
    key = generate_key()
    database_url = f"sqlite:///{tmp_path / 'connections.db'}"
    conns = Connections(database_url, app, encryption_keys=[key])
    try:
        url = conns.begin_login("alice", ["ads:read", "ads:write"])
        redirect = emulator.control("POST", "/authorize", json={"url": url})["redirect_url"]
        conns.complete_login(redirect, user_key="alice")
    finally:
        conns.close()
    account = emulator.ad_account()
    df = frame(spark, 300, tag="w", partitions=2)

    def write_as(user_key: str, database: str) -> None:
        (
            df.write.format("pinterest_conversions")
            .option("ad_account_id", account)
            .option("database_url", database)
            .option("user_key", user_key)
            .option("client_id", made["client_id"])
            .option("client_secret", made["client_secret"])
            .option("encryption_keys", key)
            .option("base_url", emulator.base_url)
            .mode("append")
            .save()
        )

    write_as("alice", database_url)
    assert {e["event_id"] for e in emulator.events(account)} == expected_ids(300, "w")
    before = len(events_create(emulator))
    message = _error_of(lambda: write_as("bob", database_url))  # checked on the driver
    _one_clear_line(message, "user_key 'bob' is not connected in database_url")
    missing = f"sqlite:///{tmp_path / 'nowhere' / 'connections.db'}"
    message = _error_of(lambda: write_as("alice", missing))
    _one_clear_line(message, "database_url cannot be read (StorageError)")
    assert made["client_secret"] not in message and key not in message
    assert len(events_create(emulator)) == before
