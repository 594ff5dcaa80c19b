"""Rows as events, without Spark: the row-by-row mapping (Spark 4.0's Rows) and the
column-by-column one (Arrow batches) give the same events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from pinkit.conversions import UnreadableEvent, make_event_id
from pinkit.errors import InvalidInputError
from pinkit.spark._rows import plan_columns

ROWS: list[dict[str, Any]] = [
    {
        "event_id": "e-1",
        "order_id": None,
        "event_name": "checkout",
        "event_time": dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc),
        "em": "A@Example.com",
        "user_data": {"ph": "+1 650 555 0101", "external_id": None},
        "custom_data": {"currency": "usd", "value": "9.99", "contents": [{"quantity": 2}]},
    },
    {
        "event_id": None,
        "order_id": "o-2",
        "event_name": "lead",
        "event_time": None,
        "em": None,
        "user_data": None,
        "custom_data": None,
    },
    {
        "event_id": None,
        "order_id": None,
        "event_name": "lead",
        "event_time": None,
        "em": "c@example.com",
        "user_data": {"ph": None, "external_id": "x"},
        "custom_data": {"currency": None, "value": None, "contents": None},
    },
]


def test_rows_and_arrow_batches_give_the_same_events() -> None:
    plan = plan_columns(list(ROWS[0]), source="test")
    by_row = [plan.event(row) for row in ROWS]
    by_column = plan.batch_events(pa.RecordBatch.from_pylist(ROWS))
    assert [_shown(e) for e in by_row] == [_shown(e) for e in by_column]
    first, second, third = by_row
    assert first == {
        "event_id": "e-1",
        "event_name": "checkout",
        "event_time": dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc),
        "user_data": {"ph": "+1 650 555 0101", "em": "A@Example.com"},
        "custom_data": {"currency": "usd", "value": "9.99", "contents": [{"quantity": 2}]},
    }
    assert second == {
        "event_name": "lead",
        "user_data": {},
        "custom_data": {"order_id": "o-2"},
        "event_id": make_event_id("o-2"),
    }
    assert isinstance(third, UnreadableEvent) and "no event_id and no order_id" in third.reason


def _shown(event: Any) -> Any:
    return (event.reason, event.raw) if isinstance(event, UnreadableEvent) else event


def test_columns_that_are_no_event_field_are_refused_or_ignored() -> None:
    with pytest.raises(InvalidInputError, match=r"^src: columns emial, sku match no event field"):
        plan_columns(["event_id", "emial", "sku"], source="src")
    plan = plan_columns(["event_id", "sku", "em"], source="src", ignore=["sku"])
    assert plan.event({"event_id": "e", "sku": "S-1", "em": "a@b.c"}) == {
        "event_id": "e",
        "user_data": {"em": "a@b.c"},
    }
    with pytest.raises(InvalidInputError, match=r"^send_conversions: the input has column status"):
        plan_columns(["status"], source="send_conversions", reserved=["status", "event_id"])


def test_integer_and_empty_event_ids_and_map_columns() -> None:
    """An integer id column is sent as its text, an empty id is derived from order_id as a null
    one is, and map columns read from Arrow (pairs) are the Row path's dicts."""
    rows = [
        {"event_id": 41, "order_id": None, "user_data": {"em": "a@b.c"}, "custom_data": None},
        {"event_id": "", "order_id": 7, "user_data": None, "custom_data": {"currency": "USD"}},
    ]
    schema = pa.schema(
        [
            ("event_id", pa.string()),
            ("order_id", pa.int64()),
            ("user_data", pa.map_(pa.string(), pa.string())),
            ("custom_data", pa.map_(pa.string(), pa.string())),
        ]
    )
    ints = pa.schema([("event_id", pa.int64()), *list(schema)[1:]])
    plan = plan_columns(list(schema.names), source="test")
    first = plan.batch_events(pa.RecordBatch.from_pylist(rows[:1], schema=ints))[0]
    second = plan.batch_events(pa.RecordBatch.from_pylist(rows[1:], schema=schema))[0]
    assert first == {"event_id": "41", "user_data": {"em": "a@b.c"}}
    assert second == {
        "event_id": make_event_id(7),
        "user_data": {},
        "custom_data": {"currency": "USD", "order_id": "7"},
    }
    assert [plan.event(r) for r in rows] == [first, second]


def test_register_refuses_a_default_no_source_knows() -> None:
    import pinkit.spark

    with pytest.raises(InvalidInputError, match=r"^register: unknown option 'redis_ur'"):
        pinkit.spark.register(object(), redis_ur="redis://localhost")
