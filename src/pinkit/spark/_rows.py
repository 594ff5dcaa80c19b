"""Rows of a DataFrame as conversion events: columns map to event fields by name.

Top-level columns named as event fields (``event_id``, ``event_name``, ``action_source``,
``event_time``, ``event_source_url``...) are those fields; columns named as ``user_data`` fields
(``em``, ``ph``, ..., ``client_ip_address``, ``client_user_agent``) go into ``user_data``, as do
the fields of a ``user_data`` struct; ``custom_data`` is a struct. An ``order_id`` column gives
a row without ``event_id`` its id (``make_event_id(order_id)``, the same on every retry) and
fills ``custom_data.order_id``. Nulls are left out. Raw PII is hashed later, by the sender's
``EventPreparer``, in the executor. The column plan is made once, on the driver, from the
schema, so a misspelt column fails there and then.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from .._capi import HASHED_FIELDS, PLAIN_FIELDS
from ..conversions._event import UnreadableEvent, event_fields
from ..conversions._helpers import make_event_id
from ..errors import InvalidInputError

__all__ = ["RESULT_COLUMNS", "ColumnPlan", "plan_columns"]

USER_DATA_FIELDS = frozenset((*HASHED_FIELDS, *PLAIN_FIELDS))
#: The columns ``send_conversions`` adds (``event_id`` is replaced when the input has it).
RESULT_COLUMNS = ("status", "error_message", "warning_message", "event_id")
NO_ID = (
    "no event_id and no order_id to derive one from: Pinterest deduplicates events by "
    "event_id, so a row without one could arrive twice when a task is retried"
)


_SCALARS = (str, int, float)


def _clean(value: Any) -> Any:
    """Structs as dicts and arrays as lists, without their nulls."""
    if isinstance(value, dict):
        out = {k: v for k, v in value.items() if v is not None}
        for key, item in out.items():
            if type(item) not in _SCALARS:
                out[key] = _clean(item)
        return out
    if isinstance(value, list):
        return [_clean(v) for v in value if v is not None]
    if hasattr(value, "asDict"):  # a pyspark Row
        return _clean(value.asDict(recursive=True))
    return value


@dataclass(frozen=True)
class ColumnPlan:
    """Which column goes where; ``event(row)`` makes the event of one row (a mapping of
    column names to values)."""

    event_columns: tuple[str, ...]
    user_columns: tuple[str, ...]
    user_struct: bool
    custom_struct: bool
    order_id: bool
    ignored: tuple[str, ...]

    def event(self, row: dict[str, Any]) -> dict[str, Any] | UnreadableEvent:
        """The event of one row (a mapping of column names to values)."""
        return self._finish(
            {k: row[k] for k in self.event_columns if row.get(k) is not None},
            {k: row[k] for k in self.user_columns if row.get(k) is not None},
            row.get("user_data") if self.user_struct else None,
            row.get("custom_data") if self.custom_struct else None,
            row.get("order_id") if self.order_id else None,
        )

    def events(self, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any] | UnreadableEvent]:
        event = self.event
        return (event(row) for row in rows)

    def batch_events(self, batch: Any) -> list[dict[str, Any] | UnreadableEvent]:
        """The events of a ``pyarrow.RecordBatch``, column by column (no dict per row in
        between: a third less CPU than ``to_pylist`` and ``event``)."""
        import pyarrow as pa

        names = batch.schema.names
        count = batch.num_rows

        def column(name: str) -> list[Any]:
            values = batch.column(names.index(name))
            if pa.types.is_map(values.type):  # Arrow's pairs, as the Row path's dict
                return [None if v is None else dict(v) for v in values.to_pylist()]
            return list(values.to_pylist())

        def nothing() -> Iterator[Any]:
            return repeat(None, count)

        event_names, user_names = self.event_columns, self.user_columns
        event_rows: Iterable[tuple[Any, ...]] = (
            zip(*[column(c) for c in event_names], strict=True)
            if event_names
            else repeat((), count)
        )
        user_rows: Iterable[tuple[Any, ...]] = (
            zip(*[column(c) for c in user_names], strict=True) if user_names else repeat((), count)
        )
        flat = not any(
            pa.types.is_nested(batch.schema.field(n).type) for n in (*event_names, *user_names)
        )
        finish = self._finish
        return [
            finish(
                {k: v for k, v in zip(event_names, values, strict=True) if v is not None},
                {k: v for k, v in zip(user_names, user_values, strict=True) if v is not None},
                struct,
                custom,
                order,
                flat,
            )
            for values, user_values, struct, custom, order in zip(
                event_rows,
                user_rows,
                column("user_data") if self.user_struct else nothing(),
                column("custom_data") if self.custom_struct else nothing(),
                column("order_id") if self.order_id else nothing(),
                strict=False,  # the repeats are endless
            )
        ]

    @staticmethod
    def _finish(
        event: dict[str, Any],
        user: dict[str, Any],
        struct: Any,
        custom: Any,
        order: Any,
        flat: bool = False,
    ) -> dict[str, Any] | UnreadableEvent:
        """``flat``: no value of ``event`` or ``user`` is a struct or an array."""
        if not flat:
            for name, value in event.items():
                if type(value) not in _SCALARS:
                    event[name] = _clean(value)
            for name, value in user.items():
                if type(value) is not str:
                    user[name] = _clean(value)
        if struct is not None:
            user = {**_clean(struct), **user}
        event["user_data"] = user
        if custom is not None:
            event["custom_data"] = _clean(custom)
        given = event.get("event_id")
        if type(given) is int:  # an integer id column (order numbers): its decimal text
            event["event_id"] = str(given)
        elif given == "":  # empty is missing: derived from order_id as for a null
            del event["event_id"]
        if order is not None and order != "":
            event.setdefault("custom_data", {}).setdefault("order_id", str(order))
        if "event_id" not in event:
            found = (event.get("custom_data") or {}).get("order_id")
            if found is None or found == "" or isinstance(found, bool):
                return UnreadableEvent(NO_ID, _raw(event, order))
            try:
                event["event_id"] = make_event_id(found if isinstance(found, int) else str(found))
            except InvalidInputError as exc:
                return UnreadableEvent(f"{NO_ID} ({exc})", _raw(event, order))
        return event


def _raw(event: dict[str, Any], order: Any) -> dict[str, Any]:
    """What the rejects show of a row without an id."""
    return {**event, **({"order_id": order} if order is not None else {})}


def plan_columns(
    columns: Sequence[str],
    *,
    source: str,
    ignore: Sequence[str] = (),
    reserved: Sequence[str] = (),
) -> ColumnPlan:
    """The plan for a DataFrame of ``columns``; ``InvalidInputError`` (one line, naming
    ``source``) for a column that is no event field, unless it is in ``ignore``. ``reserved``
    names columns the caller adds itself (``send_conversions``' result columns)."""
    fields = set(event_fields()) - {"user_data", "custom_data"}
    ignored = set(ignore)
    clash = sorted(set(columns) & set(reserved) - {"event_id"})
    if clash:
        raise InvalidInputError(
            f"{source}: the input has column{'s' if len(clash) > 1 else ''} "
            f"{', '.join(clash)}, which the result adds: rename or drop "
            f"{'them' if len(clash) > 1 else 'it'}"
        )
    unknown = [
        c
        for c in columns
        if c not in fields
        and c not in USER_DATA_FIELDS
        and c not in ("user_data", "custom_data", "order_id")
        and c not in ignored
    ]
    if unknown:
        raise InvalidInputError(
            f"{source}: column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
            "match no event field (event fields, user_data fields such as em or "
            "client_ip_address, a user_data or custom_data struct, order_id): rename "
            f"{'them' if len(unknown) > 1 else 'it'}, or list "
            f"{'them' if len(unknown) > 1 else 'it'} in ignore_columns"
        )
    return ColumnPlan(
        event_columns=tuple(c for c in columns if c in fields and c not in ignored),
        user_columns=tuple(c for c in columns if c in USER_DATA_FIELDS and c not in ignored),
        user_struct="user_data" in columns and "user_data" not in ignored,
        custom_struct="custom_data" in columns and "custom_data" not in ignored,
        order_id="order_id" in columns and "order_id" not in ignored,
        ignored=tuple(c for c in columns if c in ignored),
    )
